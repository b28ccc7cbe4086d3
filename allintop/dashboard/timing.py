"""Each query's `$__interval` and `$__rate_interval` (allintop.promql.intervals), from
what the dashboard says of it and of its datasource, and what is known of the screen.

- Max data points: the panel's `maxDataPoints`, else what Grafana gives it: its width
  in pixels, its share of the grid's GRAFANA_GRID_PX. Not the terminal's cells: a
  small stat is some 23 cells but 225 pixels, and with the cells a 24 h dashboard's
  `rate(x[$__rate_interval])` would average over an hour where Grafana averages over
  six minutes, a number Grafana does not show. A Grafana panel's share is its width
  in 24ths; a panels.yaml card's is one of the cards of its line, as the board lays
  them out on a terminal `columns` wide (without asking the board: the live layer
  stays free of widgets, and the first poll already asks what later ones will).
  Unknown columns (`once`) for such a card: the history's resolution.
- Scrape interval: the datasource's setting, else what its targets said (`learned`,
  by datasource name), else Prometheus' default, 15 s.

Pure logic.
"""

from __future__ import annotations

from collections.abc import Mapping

from allintop.dashboard.model import GRID_COLUMNS, Dashboard, Panel, Pick, Row
from allintop.promql.intervals import DEFAULT_POINTS, DEFAULT_SCRAPE, Intervals, grafana_intervals
from allintop.promql.variable_values import variables_used

#: Pixels across Grafana's 24-column grid on a 1920-pixel screen, its menu and margins
#: aside: a panel's maxDataPoints is its share of these.
GRAFANA_GRID_PX = 1800
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
    """Each query's max data points: its panel's width in Grafana's pixels, for the
    panels.yaml cards on a terminal `columns` wide (None: DEFAULT_POINTS for those)."""
    points: list[int] = []
    for row in dashboard.rows:
        shown = [DEFAULT_POINTS] * len(row.queries)
        for panel in row.layout:
            share = _share(panel, row, columns)
            for index in panel.span:
                if index < len(shown) and share is not None:
                    shown[index] = max(1, round(share * GRAFANA_GRID_PX))
        points += shown
    return points


def _share(panel: Panel, row: Row, columns: int | None) -> float | None:
    """The panel's share of the grid's width: its 24ths, or for a card without a
    width, one of the cards of its line (None: not known without the columns)."""
    if panel.width:
        return min(panel.width, GRID_COLUMNS) / GRID_COLUMNS
    if columns is None:
        return None
    return 1 / max(1, min(len(row.layout), columns // CARD_COLUMNS))
