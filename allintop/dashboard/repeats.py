"""Repeated rows and panels, as Grafana makes them: one copy per value picked of the
variable a row or panel repeats for, each copy's queries and titles with the
variable bound to its one value.

A repeated panel's copies go side by side (`repeat_direction` "h"), each 24/count
columns wide but no narrower than 24/max_per_row (Grafana's 4 if none), wrapping to
a new grid line a copy high when the next would pass the 24th column; or stacked
(`v`), each its height under the one before. The panels below it in the grid move
down by the grid rows the copies added. A repeated row is the row once per value,
its panels and queries with the variable bound.

What is picked: the values of a multi-value pick, the one value, or, for All, the
options (the variable's own, or as last asked of the datasource). While they are not
known (a query variable not asked yet, no pick yet, a variable the dashboard does not
have), the row or panel is shown once, its queries selecting every value picked.
Pure: `expand` is asked again whenever the picks or the options change.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace

from allintop.dashboard.model import GRID_COLUMNS, Dashboard, Panel, Pick, Query, Row
from allintop.dashboard.templating import is_all
from allintop.promql.interpolate import interpolate, interpolate_text

#: Copies side by side a line when a panel does not say (Grafana's default).
DEFAULT_MAX_PER_ROW = 4

#: The values a variable's repeat makes copies for, by its name (none: no copies).
Values = Callable[[str | None], tuple[str, ...]]


def repeats(dashboard: Dashboard) -> frozenset[str]:
    """The variables its rows and panels repeat for."""
    names = {row.repeat for row in dashboard.rows} | {
        p.repeat for row in dashboard.rows for p in row.panels
    }
    return frozenset(name for name in names if name)


def expand(
    dashboard: Dashboard, picks: Mapping[str, Pick], options: Mapping[str, tuple[str, ...]]
) -> Dashboard:
    """The dashboard with its repeated rows and panels made into their copies for
    `picks` (and `options`: what All is); itself when nothing repeats."""
    if not repeats(dashboard):
        return dashboard
    known = {v.name: v for v in dashboard.variables}

    def values(name: str | None) -> tuple[str, ...]:
        variable = known.get(name or "")
        if variable is None:
            return ()
        pick = picks.get(variable.name, variable.default)
        return selected(pick, options.get(variable.name) or variable.options)

    rows: list[Row] = []
    for row in dashboard.rows:
        copies = _row_copies(row, values(row.repeat)) if values(row.repeat) else [row]
        rows += (_panel_copies(copy, values) for copy in copies)
    return replace(dashboard, rows=tuple(rows))


def selected(pick: Pick, options: Sequence[str]) -> tuple[str, ...]:
    """The values a repeat makes copies for: the pick's, or All's options (none when
    they are not known)."""
    if is_all(pick):
        return tuple(options)
    picked = (pick,) if isinstance(pick, str) else tuple(pick)
    return tuple(value for value in picked if value)


def _row_copies(row: Row, values: Sequence[str]) -> list[Row]:
    """The row once per value, the variable bound in its title, panels and queries."""
    name = row.repeat or ""
    return [
        replace(
            row,
            title=interpolate_text(row.title, {name: value}),
            queries=tuple(_bound(query, name, value) for query in row.queries),
            # A panel repeating for the row's own variable: once, for the row's value.
            panels=tuple(
                replace(_titled(p, name, value), repeat=None if p.repeat == name else p.repeat)
                for p in row.panels
            ),
            repeat=None,
        )
        for value in values
    ]


def _panel_copies(row: Row, values: Values) -> Row:
    """The row with each repeated panel as its copies, the panels below them moved
    down by the grid rows the copies added."""
    if not any(panel.repeat for panel in row.panels):
        return row
    queries: list[Query] = []
    panels: list[Panel] = []
    moved: list[tuple[int, int]] = []  # (below this grid y, down by so many rows)
    for tile in row.panels:
        own = row.queries[tile.first : tile.first + tile.count]
        if tile.y is not None:
            tile = replace(tile, y=tile.y + sum(by for y, by in moved if tile.y > y))
        picked = values(tile.repeat)
        if not picked:
            panels.append(replace(tile, first=len(queries)))
            queries += own
            continue
        name = tile.repeat or ""
        copies = placed(tile, len(picked))
        if tile.y is not None:
            moved.append((tile.y, max(c.y or 0 for c in copies) - tile.y))
        for copy, value in zip(copies, picked, strict=True):
            panels.append(replace(_titled(copy, name, value), first=len(queries), repeat=None))
            queries += (_bound(query, name, value) for query in own)
    return replace(row, queries=tuple(queries), panels=tuple(panels))


def placed(tile: Panel, count: int) -> list[Panel]:
    """`count` copies of the tile where Grafana puts them (see the module's doc)."""
    height = tile.height or 1
    y = tile.y or 0
    if tile.repeat_direction == "v":
        return [replace(tile, y=y + index * height) for index in range(count)]
    per_row = tile.max_per_row or DEFAULT_MAX_PER_ROW
    share = max(GRID_COLUMNS / count, GRID_COLUMNS / per_row)
    copies = []
    left = 0.0
    for _ in range(count):
        x, right = round(left), round(left + share)
        copies.append(replace(tile, x=x, y=y, width=max(1, min(GRID_COLUMNS, right) - x)))
        left += share
        if left + share > GRID_COLUMNS + 1e-9:  # the next would pass the edge: a new line
            left, y = 0.0, y + height
    if tile.x is None:  # a row that flows: the copies flow too, at their widths
        return [replace(copy, x=None, y=None) for copy in copies]
    return copies


def _titled(panel: Panel, name: str, value: str) -> Panel:
    return replace(panel, title=interpolate_text(panel.title, {name: value}))


def _bound(query: Query, name: str, value: str) -> Query:
    """The query with the variable bound to one value: in its expression (written
    for where it lands, as any value), its title, and a datasource it names."""
    datasource = query.datasource
    if datasource in (f"${name}", f"${{{name}}}"):
        datasource = value
    return replace(
        query,
        expr=interpolate(query.expr, {name: value}),
        title=interpolate_text(query.title, {name: value}),
        datasource=datasource,
    )
