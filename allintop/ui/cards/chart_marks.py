"""Annotations on the time series cards: asked for the cards on screen, in a worker
of the app, when first wanted (after the backfill) and then every REFETCH_EVERY
seconds, or at once when the range, the variables, the dashboard or the alerts
firing or pending change; kept
once per app for all its chart cards, which mark them along their chart's bottom.

Also the colour of an annotation (Grafana's iconColor), which the zoom shares.
"""

from __future__ import annotations

import math
import weakref
from collections.abc import Mapping
from typing import Protocol, runtime_checkable

from textual.app import App
from textual.color import Color
from textual.message import Message
from textual.widget import Widget

from allintop.dashboard.model import Dashboard
from allintop.draw.chart import RGB, Mark
from allintop.live.annotations import REFETCH_EVERY, Marks, fetch_marks, filled
from allintop.sources.protocols import Queries
from allintop.ui.theme import GRAFANA_COLOURS
from allintop.ui.view import DashboardView


class AskedQueries(Protocol):
    """The dashboard as asked now: its annotations, the variables' picks, the range."""

    @property
    def dashboard(self) -> Dashboard: ...

    @property
    def variables(self) -> Mapping[str, str | tuple[str, ...]]: ...

    @property
    def range(self) -> float: ...

    @property
    def bindings(self) -> list[str]: ...


@runtime_checkable
class MarksView(Protocol):
    """What the marks are asked through: the queries as asked, every datasource's
    client (the app is one)."""

    @property
    def queries(self) -> AskedQueries: ...

    @property
    def datasources(self) -> Mapping[str, Queries]: ...


def colour_of(name: str, variables: Mapping[str, str]) -> RGB:
    """An annotation's colour (Grafana's iconColor: a name, "dark-red", "#hex",
    "rgba(...)") as RGB, in the theme's colours where Grafana names one."""
    word = name.lower().rsplit("-", 1)[-1]
    fallback = variables.get("error", "red")
    if word in GRAFANA_COLOURS:
        return Color.parse(variables.get(GRAFANA_COLOURS[word].lstrip("$"), fallback)).rgb
    try:
        return Color.parse(name).rgb
    except Exception:  # a colour Textual cannot read: the error colour
        return Color.parse(fallback).rgb


class MarksArrived(Message):
    """New annotations for the cards: redraw."""


class CardMarks:
    """The app's annotations over the range, for its chart cards."""

    def __init__(self) -> None:
        self.marks = Marks()
        self.cards: weakref.WeakSet[Widget] = weakref.WeakSet()
        self._asked: tuple[object, ...] = ()
        self._asked_at = -math.inf

    def want(self, card: Widget, app: App[object]) -> None:
        """`card` is shown: it is redrawn when they arrive; asked now if due."""
        self.cards.add(card)
        if not isinstance(app, MarksView) or not isinstance(app, DashboardView):
            return
        queries = app.queries
        if not queries.dashboard.annotations:
            return
        # An alert that changes state is often what an annotation marks: asked again.
        alerts = tuple((a.name, a.state) for a in app.state.active)
        asked = (
            queries.dashboard.annotations,
            queries.range,
            tuple(queries.variables.items()),
            alerts,
        )
        now = app.clock()
        if asked == self._asked and 0 <= now - self._asked_at < REFETCH_EVERY:
            return
        self._asked, self._asked_at = asked, now
        app.run_worker(
            self._fetch(app, now), group="card-marks", exclusive=True, exit_on_error=False
        )

    async def _fetch(self, view: MarksView, end: float) -> None:
        queries = view.queries
        annotations = filled(queries.dashboard, queries.variables, queries.range)
        clients = view.datasources
        default = queries.dashboard.datasource.name
        default = default if default in clients else next(iter(clients))
        start = end - queries.range
        self.marks = await fetch_marks(clients, default, annotations, (), start, end)
        for card in list(self.cards):
            card.post_message(MarksArrived())

    def chart_marks(self, variables: Mapping[str, str]) -> list[Mark]:
        return [Mark(e.start, e.end, colour_of(e.color, variables)) for e in self.marks.events]


_STORES: weakref.WeakKeyDictionary[App[object], CardMarks] = weakref.WeakKeyDictionary()


def card_marks(app: App[object]) -> CardMarks:
    """The app's one store of annotations for its cards."""
    store = _STORES.get(app)
    if store is None:
        store = _STORES[app] = CardMarks()
    return store
