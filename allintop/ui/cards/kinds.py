"""The card for each kind of panel."""

from __future__ import annotations

from collections.abc import Sequence

from textual.widget import Widget

from allintop.dashboard.model import Panel, Query
from allintop.ui.cards.body import BodyCard
from allintop.ui.cards.chart import ChartCard
from allintop.ui.cards.gauge import GaugeCard
from allintop.ui.cards.heatmap import HeatmapCard
from allintop.ui.cards.other import OtherCard
from allintop.ui.cards.stat import StatCard
from allintop.ui.cards.stats import StatsCard
from allintop.ui.cards.table import TableCard
from allintop.ui.cards.text import TextCard

#: The kinds drawn as body lines, by Grafana's panel type.
BODY_CARDS: dict[str, type[BodyCard]] = {
    "gauge": GaugeCard,
    "bargauge": GaugeCard,
    "timeseries": ChartCard,
    "table": TableCard,
    "heatmap": HeatmapCard,
    "other": OtherCard,
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
        return TextCard(panel, first)
    if not queries:
        return OtherCard(panel, queries, first)
    if panel.kind in BODY_CARDS:
        return BODY_CARDS[panel.kind](panel, queries, first)
    if panel.kind == "stat" and len(queries) > 1:  # every query's series, one cell each
        return StatsCard(panel, queries, first)
    return StatCard(queries[0], first, panel)
