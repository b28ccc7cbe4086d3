"""Each query's `$__interval` and `$__rate_interval` (allintop.promql.intervals), from
what the dashboard says of it and of its datasource, and what is known of the screen.

- Max data points: the panel's `maxDataPoints`, else its chart's width in cells (two
  points a cell where it is drawn in braille). The width is worked out from the
  terminal's columns and the panel's share of Grafana's 24-column grid, as the board
  lays it out, without asking the board: the live layer stays free of widgets, and
  the built-ins are known before the first layout, so the first poll already asks
  what later ones will. Unknown columns (`once`): the history's resolution.
- Scrape interval: the datasource's setting, else what its targets said (`learned`,
  by datasource name), else Prometheus' default, 15 s.

Pure logic.
"""

from __future__ import annotations

from collections.abc import Mapping

from allintop.dashboard.model import GRID_COLUMNS, Dashboard, Panel, Pick, Row
from allintop.promql.intervals import DEFAULT_POINTS, DEFAULT_SCRAPE, Intervals, grafana_intervals
from allintop.promql.variable_values import variables_used

#: A card's border, left and right: columns it does not draw in.
BORDER = 2
#: Kinds whose chart is braille: two points in each cell's width.
BRAILLE_KINDS = frozenset({"timeseries"})
#: About the narrowest card of the grid panels.yaml's own cards are laid out in
#: (the board's MIN_CARD_WIDTH): how many share a line when they give no width.
CARD_COLUMNS = 20


def query_intervals(
    dashboard: Dashboard,
    picks: Mapping[str, Pick],
    *,
    range_: float,
    columns: int | None = None,
    learned: Mapping[str, float] | None = None,
) -> list[Intervals]:
    """Each query's intervals, in query order, over `range_` seconds on a terminal
    `columns` wide (None: not known), with the scrape intervals `learned` from each
    datasource's targets; `picks` resolve datasource variables."""
    points = chart_points(dashboard, columns)
    names = dashboard.query_datasources(picks)
    found = learned or {}
    intervals = []
    for query, name, count in zip(dashboard.queries, names, points, strict=True):
        setting = dashboard.sources[name].scrape_interval if name in dashboard.sources else None
        scrape = setting or found.get(name) or DEFAULT_SCRAPE
        wanted = query.max_points or count
        intervals.append(grafana_intervals(range_, wanted, scrape, query.min_interval))
    return intervals


#: The built-ins a scrape interval shapes.
SCRAPE_SHAPED = frozenset({"__interval", "__interval_ms", "__rate_interval", "__rate_interval_ms"})


def unset_scrapes(dashboard: Dashboard, picks: Mapping[str, Pick]) -> frozenset[str]:
    """The datasources whose scrape interval a query's built-ins need and whose
    settings do not give: those worth asking their targets."""
    names = dashboard.query_datasources(picks)
    return frozenset(
        name
        for query, name in zip(dashboard.queries, names, strict=True)
        if SCRAPE_SHAPED & variables_used(query.expr)
        and not (name in dashboard.sources and dashboard.sources[name].scrape_interval)
    )


def chart_points(dashboard: Dashboard, columns: int | None) -> list[int]:
    """Each query's max data points from its panel's chart width on a terminal
    `columns` wide (None: DEFAULT_POINTS each)."""
    points: list[int] = []
    for row in dashboard.rows:
        shown = [DEFAULT_POINTS] * len(row.queries)
        if columns is not None:
            for panel in row.layout:
                for index in panel.span:
                    if index < len(shown):
                        shown[index] = _panel_points(panel, row, columns)
        points += shown
    return points


def _panel_points(panel: Panel, row: Row, columns: int) -> int:
    """Points across one panel's chart: its cells inside the border, two a cell in
    braille."""
    if panel.width:
        cells = columns * min(panel.width, GRID_COLUMNS) / GRID_COLUMNS
    else:
        per_line = max(1, min(len(row.layout), columns // CARD_COLUMNS))
        cells = columns / per_line
    inside = max(1, int(cells) - BORDER)
    return inside * 2 if panel.kind in BRAILLE_KINDS else inside
