"""The card for each kind of panel.

A kind's card (and its drawing) is imported when a dashboard first has one: the
AllIN overview, all stats, starts without the charts', tables' and gauges' modules
(some 35 ms of imports before its first frame).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from textual.widget import Widget

from allintop.dashboard.model import Panel, Query
from allintop.ui.cards.body import BodyCard
from allintop.ui.cards.stat import StatCard
from allintop.ui.cards.stats import StatsCard


def _gauge() -> type[BodyCard]:
    from allintop.ui.cards.gauge import GaugeCard

    return GaugeCard


def _chart() -> type[BodyCard]:
    from allintop.ui.cards.chart import ChartCard

    return ChartCard


def _table() -> type[BodyCard]:
    from allintop.ui.cards.table import TableCard

    return TableCard


def _heatmap() -> type[BodyCard]:
    from allintop.ui.cards.heatmap import HeatmapCard

    return HeatmapCard


def _other() -> type[BodyCard]:
    from allintop.ui.cards.other import OtherCard

    return OtherCard


#: The kinds drawn as body lines, by Grafana's panel type: their card's class.
BODY_CARDS: dict[str, Callable[[], type[BodyCard]]] = {
    "gauge": _gauge,
    "bargauge": _gauge,
    "timeseries": _chart,
    "table": _table,
    "heatmap": _heatmap,
    "other": _other,
}


def panel_widget(panel: Panel, queries: Sequence[Query], first: int) -> Widget:
    """The card for `tile`, whose queries are `panels` (the tile's span of its row),
    the first of them being the dashboard's panel number `first`.

    Every card has the same interface: `index` (its first panel's number, what zoom
    opens), `show(state)` for a tick's state of any of its panels, `mark(alerts, down,
    now)` for the alerts and down targets of its first panel, and `zoom_screen(view)`
    for Enter. A stat, and a kind not listed, is a StatCard.
    """
    if panel.kind == "text":
        from allintop.ui.cards.text import TextCard

        return TextCard(panel, first)
    if not queries:
        return _other()(panel, queries, first)
    if panel.kind in BODY_CARDS:
        return BODY_CARDS[panel.kind]()(panel, queries, first)
    if panel.kind == "stat" and len(queries) > 1:  # every query's series, one cell each
        return StatsCard(panel, queries, first)
    return StatCard(queries[0], first, panel)
