"""A stat of several series: one cell per series, each its name and value, laid out
as Grafana lays them (allintop.draw.stat_grid), drawn as body lines of (text,
component class) pieces.

Each value is its series' own: the panel's reducer over that series' history (mean,
max...), or its newest value (last, lastNotNull). Its colour is its own status, on
the value (colorMode value), the cell's background (background) or neither (none).
Names and values came from Prometheus: they are cleaned and drawn as plain text.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace

from rich.cells import cell_len, set_cell_size

from allintop.dashboard.model import Panel, Query
from allintop.draw.labels import formatted
from allintop.draw.legend import series_names
from allintop.draw.scales import Scale
from allintop.draw.sparkline import grid_lines as spark_lines
from allintop.draw.sparkline import history_scale
from allintop.draw.stat_grid import Cell, StatGrid, names_shown, stat_grid
from allintop.live.history import LabelKey, QueryHistory, label_key
from allintop.live.reports import QueryState, SeriesView
from allintop.values.reducers import reduce
from allintop.values.text import clean
from allintop.values.thresholds import Status, status_of

#: A body line: (text, component class) pieces, left to right.
Line = list[tuple[str, str]]

#: Reducers that show the newest instant answer rather than one over the range.
CURRENT = ("last", "lastNotNull")

#: Each cell's sparkline scale, by its name and labels: kept by the card at each tick
#: (`keep_scales`), so that a tick inside a column repaints only that column's cells.
Scales = dict[tuple[str, LabelKey], Scale]


@dataclass(frozen=True, slots=True)
class Entry:
    """One series as its cell shows it."""

    name: str
    text: str
    status: Status
    judged: bool = True
    """Whether its query has thresholds (a value without is plain, not green)."""
    labels: Mapping[str, str] = field(default_factory=dict)
    history: QueryHistory | None = None
    """Its query's histories, where its sparkline is read (only if it is drawn)."""

    def spark(self) -> list[float | None]:
        """Its own history, oldest bucket first (empty: none kept)."""
        return self.history.values(self.labels) if self.history is not None else []

    def newest(self) -> int | None:
        """Its history's newest bucket index (None: none kept)."""
        return self.history.newest(self.labels) if self.history is not None else None

    @property
    def key(self) -> tuple[str, LabelKey]:
        """What its sparkline's scale is kept under."""
        return (self.name, label_key(self.labels))


def keep_scales(scales: Scales, shown: Sequence[Entry]) -> None:
    """Each entry's sparkline scale after a tick: the one kept while its history stays
    inside it (allintop.draw.scales); series no longer shown are forgotten."""
    kept: Scales = {}
    for entry in shown:
        if entry.history is None:
            continue
        scale = history_scale(scales.get(entry.key), entry.spark())
        if scale is not None:
            kept[entry.key] = scale
    scales.clear()
    scales.update(kept)


def entries(
    state: QueryState, query: Query, panel: Panel | None, history: QueryHistory | None
) -> list[Entry]:
    """Each listed series of `state`, with its own value (reduced over its own
    history when the panel's reducer is over the range) and status."""
    reducer = panel.reducer if panel is not None else "last"
    mappings = panel.mappings if panel is not None else ()
    out = []
    for series, shown in zip(state.series, distinct_names(state.series, query), strict=True):
        over_range = reducer not in CURRENT and history is not None
        values = history.values(series.labels) if over_range and history else []
        value = series_value(series, reducer, values)
        status = series.status if reducer in CURRENT else status_of(value, query.thresholds)
        name = clean(shown) or clean(query.title)
        text = formatted(value, query, mappings)
        judged = query.thresholds is not None
        out.append(Entry(name, text, status, judged, series.labels, history))
    return out


def distinct_names(series: Sequence[SeriesView], query: Query) -> list[str]:
    """Each series' name as its cell shows it. Without a legend template, by the labels
    that tell the series apart ("idle", "user"), as a chart's legend names them: their
    whole label lists share a start ("instance=host:9100, job=node, mode=…") and cut
    to a cell's width read the same."""
    if query.legend or len(series) < 2:
        return [s.name for s in series]
    keys = [label_key(s.labels) for s in series]
    names, _ = series_names(keys, None)
    return [names[key] for key in keys]


def series_value(series: SeriesView, reducer: str, history: Sequence[float | None]) -> float | None:
    """The number a series shows: its newest value for last / lastNotNull, else the
    reducer over its own history."""
    if reducer in CURRENT:
        return series.value
    return reduce(history, reducer)


def status_class(entry: Entry, color_mode: str) -> str:
    """The component class a value is drawn in: its status colour on the value or its
    cell's background, or plain text (no thresholds, or colorMode none)."""
    if color_mode == "none":
        return "card--none"
    status = entry.status
    shown = "plain" if not entry.judged and status is Status.OK else status.value
    return f"card--bg-{shown}" if color_mode == "background" else f"card--{shown}"


def layout(
    shown: Sequence[Entry], total: int, width: int, rows: int, panel: Panel | None
) -> StatGrid:
    """Where the cells go: `total` series, of which `shown` are known."""
    text_mode = panel.text_mode if panel is not None else "auto"
    names = names_shown(total, text_mode)
    value_width = max((cell_len(e.text) for e in shown), default=1)
    if text_mode in ("name", "none"):
        value_width = 1
    name_width = max((cell_len(e.name) for e in shown), default=0)
    orientation = panel.orientation if panel is not None else "auto"
    return stat_grid(
        len(shown), width, rows, value_width, name_width, names=names, orientation=orientation
    )


def grid_lines(
    shown: Sequence[Entry],
    grid: StatGrid,
    rows: int,
    panel: Panel | None,
    scales: Scales | None = None,
) -> list[Line]:
    """The body lines: the grid's cells side by side, row by row of cells. `scales`:
    the sparkline scales the card keeps (`keep_scales`)."""
    lines: list[Line] = [[] for _ in range(rows)]
    color_mode = panel.color_mode if panel is not None else "value"
    text_mode = panel.text_mode if panel is not None else "auto"
    centre = panel is not None and panel.justify == "center"
    graph = panel.graph if panel is not None else True
    # Between wide cells (name left, value right) a rule, so that one cell's value
    # does not read as the next one's name's; coloured backgrounds part them anyway.
    ruled = grid.wide and color_mode != "background"
    gap = ("│", "card--name") if ruled else (" ", "card--grid")
    cells = list(grid.cells())
    rooms = (name_room(shown[c.index].text, c, grid) for c in cells)
    names = told_apart([e.name for e in shown], min(rooms, default=0))
    for cell in cells:
        entry = replace(shown[cell.index], name=names[cell.index])
        part = status_class(entry, color_mode)
        scale = scales.get(entry.key) if scales is not None else None
        drawn = _cell(entry, cell, grid, part, text_mode, centre, graph, scale)
        for offset, pieces in enumerate(drawn):
            y = cell.y + offset
            if y >= rows:
                break
            if cell.x:
                lines[y].append(gap)
            lines[y] += pieces
    return lines


def name_room(value: str, cell: Cell, grid: StatGrid) -> int:
    """The cells a name has in `cell`: beside its `value` (and a space) in a wide
    grid, else all of them (the name above its value)."""
    if grid.wide:
        return max(cell.width - cell_len(value) - 1, 0)
    return cell.width


def told_apart(names: Sequence[str], room: int) -> list[str]:
    """`names` for cells of `room` cells: when some must be cut, without the start they
    all share, so that they are not cut to the same text ("…35073" and "…47717", not
    "127.0.0…" twice)."""
    if len(names) < 2 or all(cell_len(name) <= room for name in names):
        return list(names)
    shared = len(os.path.commonprefix(list(names)))
    shared = min(shared, min(len(name) for name in names) - 1)  # something of each stays
    if shared < 2:
        return list(names)
    return ["…" + name[shared:] for name in names]


def _cell(
    entry: Entry,
    cell: Cell,
    grid: StatGrid,
    part: str,
    text_mode: str,
    centre: bool,
    graph: bool,
    scale: Scale | None,
) -> list[Line]:
    """A cell's lines, each exactly `cell.width` cells: its text (name and value), a
    sparkline under it where there is room (on `scale` while its data stays inside
    it), blank lines around to fill it."""
    width = cell.width
    back = part if part.startswith("card--bg-") else "card--grid"
    name_part = part if back != "card--grid" else "card--name"
    name = entry.name if grid.names and text_mode != "none" else ""
    value = entry.text if text_mode not in ("name", "none") else ""
    texts: list[Line]
    if grid.wide and name and value:
        texts = [_wide(name, value, width, part, name_part, centre)]
    else:
        texts = [[_placed(t, width, centre, p)] for t, p in ((name, name_part), (value, part)) if t]
    spare = cell.height - len(texts)
    spark_rows = spare if graph and spare >= 1 and cell.height >= 3 else 0
    history = entry.spark() if spark_rows else []  # read for the cells drawn only
    if history:
        # In the series' own colour (a plain value's sparkline as a plain card's).
        spark_part = back if back != "card--grid" else part
        if spark_part in ("card--plain", "card--none"):
            spark_part = "card--spark-plain"
        spark = spark_lines(history, entry.newest(), width, spark_rows, scale)
        return texts + [[(row, spark_part)] for row in spark]
    above = max(spare, 0) // 2
    blank: Line = [(" " * width, back)]
    return [blank] * above + texts + [blank] * (max(spare, 0) - above)


def _wide(name: str, value: str, width: int, part: str, name_part: str, centre: bool) -> Line:
    """Name left, value right on one line (Grafana's wide layout); centred together
    with justify center."""
    value = _cut(value, width)
    room = max(width - cell_len(value) - 1, 0)
    name = _cut(name, room)
    if centre:
        used = cell_len(name) + 1 + cell_len(value)
        left = max(width - used, 0) // 2
        pad = " " * left
        return [
            (pad + name + " ", name_part),
            (set_cell_size(value, width - left - cell_len(name) - 1), part),
        ]
    return [(set_cell_size(name, room) + " ", name_part), (value, part)]


def _placed(text: str, width: int, centre: bool, part: str) -> tuple[str, str]:
    text = _cut(text, width)
    if centre:
        left = (width - cell_len(text)) // 2
        text = " " * left + text
    return (set_cell_size(text, width), part)


def _cut(text: str, width: int) -> str:
    """`text` in at most `width` cells, cut with an ellipsis."""
    if width <= 0:
        return ""
    if cell_len(text) > width:
        return set_cell_size(text, width - 1) + "…"
    return text
