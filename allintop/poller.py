"""Polling: what each refresh tick asks Prometheus, and the per-panel state it keeps.

A tick evaluates every panel's instant query at one grid-aligned time, concurrently
on the client's shared pool, plus one alerts request. History is backfilled once with
a range query per query (at start and when the range or step changes) and then
extended by the instant values, so a tick costs Prometheus one instant evaluation per
distinct query, never a range query.

A slow query delays nobody: a tick waits for its queries up to a budget, hands on what
has arrived, and the stragglers deliver on their own when they finish; a query still
in flight is not sent again by the next tick.

No Textual imports: the UI drives it from a worker, `allintop once` from asyncio.run.
"""

from __future__ import annotations

import asyncio
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

from allintop.config import Panel
from allintop.history import PanelHistory
from allintop.prometheus import Alert, PrometheusClient, PrometheusError, Sample
from allintop.thresholds import Status, status_of

#: Series a panel lists by name; the rest are counted.
SHOWN_SERIES = 4


def aligned(now: float, step: float) -> float:
    """The newest grid time at or before `now`, so ticks line up with the backfill."""
    return math.floor(now / step) * step


def legend(labels: Mapping[str, str], template: str | None) -> str:
    """A series' name: the panel's `{{label}}` template, else its labels, minus __name__."""
    if template:
        out = template
        for key, value in labels.items():
            out = out.replace("{{" + key + "}}", value).replace("{{ " + key + " }}", value)
        return out
    shown = {k: v for k, v in labels.items() if k != "__name__"}
    return ", ".join(f"{k}={v}" for k, v in sorted(shown.items()))


def _order(value: float) -> tuple[int, float]:
    """Sort key: biggest first, NaN last."""
    return (1, 0.0) if math.isnan(value) else (0, -value)


@dataclass(frozen=True, slots=True)
class SeriesView:
    name: str
    labels: Mapping[str, str]
    value: float
    status: Status


@dataclass(frozen=True, slots=True)
class PanelState:
    """What a panel shows after a tick: pure data for the widget."""

    index: int
    time: float
    series: tuple[SeriesView, ...] = ()
    total: int = 0
    history: tuple[float | None, ...] = ()
    status: Status = Status.UNKNOWN
    reason: str | None = None  # why the status is unknown: "no data", "query error: ..."
    error: PrometheusError | None = None
    warnings: tuple[str, ...] = ()

    @property
    def value(self) -> float | None:
        return self.series[0].value if self.series else None


@dataclass(frozen=True, slots=True)
class AlertsState:
    time: float
    alerts: tuple[Alert, ...] = ()
    error: PrometheusError | None = None


@dataclass(slots=True)
class TickReport:
    """What one tick (or backfill) produced; `panels` holds those that arrived in budget."""

    time: float
    panels: list[PanelState] = field(default_factory=list)
    alerts: AlertsState | None = None
    skipped: bool = False

    @property
    def unreachable(self) -> PrometheusError | None:
        """The error when every query failed to reach Prometheus."""
        errors = [p.error for p in self.panels]
        if errors and all(e is not None and e.short in ("unreachable", "timeout") for e in errors):
            return errors[0]
        return None


Sink = Callable[[PanelState], None]


class Poller:
    """Keeps the dashboard's queries, their history and their latest results.

    Args:
        client: the Prometheus client (its pool serves every query).
        panels: the panels, in display order.
        exprs: each panel's expression with template variables already filled in.
        step: the refresh interval in seconds; also the history's grid.
        range_: the dashboard range in seconds (the sparklines' width in time).
    """

    def __init__(
        self,
        client: PrometheusClient,
        panels: Sequence[Panel],
        exprs: Sequence[str],
        *,
        step: float,
        range_: float,
        max_series: int = 50,
        alerts: bool = True,
    ) -> None:
        self.client = client
        self.panels = tuple(panels)
        self.exprs = tuple(exprs)
        self.max_series = max_series
        self.want_alerts = alerts
        # Identical expressions are evaluated once and shared by their panels.
        self.queries: dict[str, list[int]] = {}
        for index, expr in enumerate(self.exprs):
            self.queries.setdefault(expr, []).append(index)
        self._inflight: dict[str, asyncio.Task[None]] = {}
        self._last_tick: float | None = None
        self.configure(step, range_)

    def configure(self, step: float, range_: float) -> None:
        """Set the grid; the history starts empty until the next backfill."""
        self.step = step
        self.range = range_
        self.capacity = max(int(range_ / step), 2)
        self.histories = [PanelHistory(step, self.capacity, self.max_series) for _ in self.panels]
        self._last_tick = None

    def reset_tick(self) -> None:
        """Let the next tick evaluate again even if the grid time has not advanced."""
        self._last_tick = None

    # -- backfill --

    async def backfill(self, now: float) -> TickReport:
        """One range query per distinct expression over the dashboard range."""
        end = aligned(now, self.step)
        start = end - (self.capacity - 1) * self.step
        report = TickReport(end)
        results = await asyncio.gather(
            *(self._backfill_one(expr, start, end) for expr in self.queries)
        )
        for states in results:
            report.panels.extend(states)
        report.panels.sort(key=lambda s: s.index)
        self._last_tick = end
        return report

    async def _backfill_one(self, expr: str, start: float, end: float) -> list[PanelState]:
        try:
            result = await self.client.query_range(expr, start, end, self.step)
        except PrometheusError as exc:
            return [self._failed(i, end, exc) for i in self.queries[expr]]
        latest: list[Sample] = []
        for series in result.series:
            if series.timestamps and round(series.timestamps[-1] / self.step) == round(
                end / self.step
            ):
                latest.append(Sample(series.labels, series.values[-1], series.timestamps[-1]))
        states = []
        for index in self.queries[expr]:
            self.histories[index].backfill(
                ((s.labels, s.timestamps, s.values) for s in result.series), end
            )
            states.append(self._state(index, end, latest, result.warnings))
        return states

    # -- ticks --

    async def tick(self, now: float, *, budget: float, sink: Sink | None = None) -> TickReport:
        """Evaluate every query at the aligned time; wait at most `budget` seconds.

        Results that arrive after the budget go to `sink` (the UI posts them as
        messages); a query still in flight is not sent again.
        """
        t = aligned(now, self.step)
        report = TickReport(t)
        if self._last_tick is not None and t <= self._last_tick:
            report.skipped = True
            return report
        self._last_tick = t
        arrived: list[PanelState] = []
        on_time = True

        def deliver(states: list[PanelState]) -> None:
            if on_time:
                arrived.extend(states)
            elif sink is not None:
                for state in states:
                    sink(state)

        tasks = [
            self._launch(expr, t, deliver) for expr in self.queries if expr not in self._inflight
        ]
        alerts_task = asyncio.ensure_future(self._alerts(t)) if self.want_alerts else None
        waiting = [task for task in tasks if task is not None]
        if alerts_task is not None:
            waiting.append(alerts_task)
        if waiting:
            await asyncio.wait(waiting, timeout=budget)
        on_time = False
        report.panels = sorted(arrived, key=lambda s: s.index)
        if alerts_task is not None:
            if alerts_task.done():
                report.alerts = alerts_task.result()
            else:
                alerts_task.cancel()
        return report

    def _launch(
        self, expr: str, t: float, deliver: Callable[[list[PanelState]], None]
    ) -> asyncio.Task[None]:
        async def run() -> None:
            try:
                deliver(await self._instant(expr, t))
            finally:
                self._inflight.pop(expr, None)

        task = asyncio.ensure_future(run())
        self._inflight[expr] = task
        return task

    async def _instant(self, expr: str, t: float) -> list[PanelState]:
        try:
            result = await self.client.query(expr, t)
        except PrometheusError as exc:
            for index in self.queries[expr]:
                self.histories[index].update(t, ())
            return [self._failed(i, t, exc) for i in self.queries[expr]]
        samples = sorted(result.samples, key=lambda s: _order(s.value))
        states = []
        for index in self.queries[expr]:
            self.histories[index].update(t, [(s.labels, s.value) for s in samples])
            states.append(self._state(index, t, samples, result.warnings))
        return states

    async def _alerts(self, t: float) -> AlertsState:
        try:
            return AlertsState(t, await self.client.alerts())
        except PrometheusError as exc:
            return AlertsState(t, error=exc)

    async def aclose(self) -> None:
        """Cancel queries still in flight (on exit, or before a re-configure)."""
        for task in list(self._inflight.values()):
            task.cancel()
        self._inflight.clear()

    # -- state building --

    def _failed(self, index: int, t: float, exc: PrometheusError) -> PanelState:
        return PanelState(
            index,
            t,
            history=tuple(self._headline_history(index, None)),
            reason=f"{exc.short}: {exc.message}",
            error=exc,
        )

    def _headline_history(self, index: int, labels: Mapping[str, str] | None) -> list[float | None]:
        history = self.histories[index]
        if labels is not None:
            return history.values(labels)
        if history.series:
            return next(iter(history.series.values())).values()
        return [None] * self.capacity

    def _state(
        self, index: int, t: float, samples: Sequence[Sample], warnings: Sequence[str]
    ) -> PanelState:
        panel = self.panels[index]
        ordered = sorted(samples, key=lambda s: _order(s.value))
        views = tuple(
            SeriesView(
                legend(s.labels, panel.legend),
                s.labels,
                s.value,
                status_of(s.value, panel.thresholds),
            )
            for s in ordered[:SHOWN_SERIES]
        )
        if not views:
            return PanelState(
                index,
                t,
                history=tuple(self._headline_history(index, None)),
                reason="no data",
                warnings=tuple(warnings),
            )
        statuses = [status_of(s.value, panel.thresholds) for s in ordered]
        return PanelState(
            index,
            t,
            series=views,
            total=len(ordered),
            history=tuple(self._headline_history(index, views[0].labels)),
            status=worst(statuses),
            reason="NaN" if worst(statuses) is Status.UNKNOWN else None,
            warnings=tuple(warnings),
        )


_SEVERITY = {Status.CRITICAL: 3, Status.WARNING: 2, Status.OK: 1, Status.UNKNOWN: 0}


def worst(statuses: Sequence[Status]) -> Status:
    """The status a multi-series panel shows: its worst series, so nothing hides."""
    return max(statuses, key=_SEVERITY.__getitem__, default=Status.UNKNOWN)
