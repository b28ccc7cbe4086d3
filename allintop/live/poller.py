"""Polling: what each refresh tick asks Prometheus, and when it need not ask.

The panels' expressions are planned once (allintop.promql.sharing): each becomes leaf
queries, shared between panels, plus client-side math (quantiles of a shared bucket
vector, arithmetic between label-free values). A tick asks for every leaf once, at one
time (a grid time; the grid's first at the time it is asked: `evaluated_at`), plus
one alerts request when a rule evaluation can have changed them
(allintop.live.alert_cadence), and computes each panel as soon as its last leaf has
answered; allintop.live.fetching sends the leaves (concurrently, merged into one request while
that works) and hands their answers back as they arrive. History is
backfilled with one range query per leaf (at start and when the range or step
changes), each panel computed per grid time, and then extended by the instant values,
so a tick costs Prometheus one instant evaluation per distinct leaf, never a range
query. A panel's values from its leaves' answers are computed in
allintop.live.evaluation; its history, last evaluation and state are kept in
allintop.live.panel_states.

A slow leaf delays nobody: a tick waits for its leaves up to a budget, hands on the
panels that are complete, and the stragglers deliver on their own when they finish (a
leaf still in flight is not sent again by the next tick: see allintop.live.fetching).

Only what is shown is asked: `set_active` names the panels on screen or about to be
(not those of a collapsed row, nor far off screen); a tick sends only their leaves and
computes only them, and `backfill(only=...)` fills the history of panels shown again
(theirs stopped while they were not asked).

No new scrape, no query: the targets' scrape intervals and phases are learnt once per
configuration (one cheap /api/v1/targets request, in the background); a tick that no
scrape can have reached since the last evaluation carries the panels' values forward
instead of asking again (refreshing faster than Prometheus scrapes), so sparklines
have no gaps and the UI sees a normal report (`carried`). Unknown intervals, a failed
lookup, a failed or late panel: no carrying, ask.

No Textual imports: the UI drives it from a worker, `allintop once` from asyncio.run.
"""

from __future__ import annotations

import asyncio
import math
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from allintop.dashboard.model import Query
from allintop.errors import PrometheusError
from allintop.live import evaluation
from allintop.live.alert_cadence import AlertsCadence
from allintop.live.fetching import Fetcher, Outcome
from allintop.live.history import DISPLAY_POINTS, QueryHistory, bucket_count, bucket_width
from allintop.live.panel_states import QueryStates
from allintop.live.reports import AlertsState, QueryState, TickReport
from allintop.live.scrapes import ScrapeSchedule
from allintop.promql import sharing
from allintop.sources.answers import RuleGroup
from allintop.sources.protocols import PollSource

#: Points the history backfill asks for over the range: one per history bucket.
BACKFILL_POINTS = DISPLAY_POINTS


def aligned(now: float, step: float) -> float:
    """The newest grid time at or before `now`, so ticks line up with the backfill."""
    return math.floor(now / step) * step


def evaluated_at(now: float, step: float, start: float) -> float:
    """The time a tick (or backfill) at `now` evaluates at, the grid having been
    started at `start`: the newest grid time, but never one before `start`.

    The first evaluation of a grid is at `start`, the time it was asked: at the grid
    time before it a Prometheus started since (or a target scraped since) has no
    data yet, and a 1 m dashboard would say "no data" for up to a minute. Later ones
    are on the grid: a tick each step, so each lands in its own history bucket and
    the backfill's points and the ticks' values line up; every panel and datasource
    at the same instant; the scrape schedule's "nothing new" is asked per grid time.
    """
    return max(aligned(now, step), start)


Sink = Callable[[QueryState], None]


@dataclass(slots=True)
class _Round:
    """One tick's evaluation: its leaves' outcomes, and where its panels go."""

    time: float
    plan: sharing.Plan
    sink: Sink | None
    panels: frozenset[int]  # the panels it computes: those shown
    on_time: bool = True
    arrived: list[QueryState] = field(default_factory=list)
    outcomes: dict[str, Outcome] = field(default_factory=dict)
    retries: list[asyncio.Task[None]] = field(default_factory=list)
    """Panels asked again whole within the round (native histograms in a leaf)."""

    def deliver(self, state: QueryState) -> None:
        if self.on_time:
            self.arrived.append(state)
        elif self.sink is not None:
            self.sink(state)


class Poller:
    """Keeps the dashboard's queries, their history and their latest results.

    Args:
        client: the Prometheus client (its pool serves every query).
        panels: the panels, in display order.
        exprs: each panel's expression with template variables already filled in.
        step: the refresh interval in seconds; the history's buckets are whole steps.
        range_: the dashboard range in seconds (the sparklines' width in time).
    """

    def __init__(
        self,
        client: PollSource,
        panels: Sequence[Query],
        exprs: Sequence[str],
        *,
        step: float,
        range_: float,
        max_series: int = 50,
        alerts: bool = True,
        merge: bool = True,
    ) -> None:
        self.client = client
        self.panels = tuple(panels)
        self.exprs = tuple(exprs)
        self.max_series = max_series
        self.want_alerts = alerts
        self.fetcher = Fetcher(client, step=step, merge=merge)
        self._whole: set[int] = set()  # panels sent unsplit after a split query failed
        self.plan = sharing.plan(self.exprs)
        self.states = QueryStates(self.panels, max_series)
        """Each panel's history and last evaluation, and the states built from them."""
        self._last_tick: float | None = None
        self._last_eval: float | None = None  # grid time of the last evaluation sent
        self._start: float | None = None  # when the grid's first evaluation was asked
        self._last_sent = 0.0  # and our clock when it was sent
        self._scrapes: asyncio.Task[ScrapeSchedule | None] | None = None
        self.alerts_cadence = AlertsCadence()
        self.active: frozenset[int] | None = None
        """The panels asked on each tick (None: all of them); see `set_active`."""
        self.configure(step, range_)

    @property
    def busy(self) -> bool:
        """Whether any query is still in flight (a tick's straggler, say)."""
        return self.fetcher.busy

    @property
    def merge(self) -> bool:
        """Whether instant-vector leaves travel as one query (see allintop.live.fetching)."""
        return self.fetcher.merge

    @merge.setter
    def merge(self, value: bool) -> None:
        self.fetcher.merge = value

    @property
    def histories(self) -> list[QueryHistory]:
        """Each panel's history, by index (replaced by `configure`)."""
        return self.states.histories

    @property
    def queries(self) -> dict[str, list[int]]:
        """Each leaf query sent per tick, with the panels that use it."""
        return {leaf: list(users) for leaf, users in self.plan.users.items()}

    def configure(self, step: float, range_: float) -> None:
        """Set the grid; the history starts empty until the next backfill."""
        self.step = step
        self.fetcher.step = step  # its slow-merge rule is half a step
        self.range = range_
        # History at display resolution: about BACKFILL_POINTS buckets over the
        # range, whatever the step (24h at 1s is 200 buckets, not 86,400 points), and
        # the backfill asks for one point per bucket.
        self.bucket = bucket_width(step, range_, BACKFILL_POINTS)
        self.capacity = bucket_count(step, range_, BACKFILL_POINTS)
        self.backfill_spacing = self.bucket
        self.states.reset(self.bucket, self.capacity)
        self._last_tick = None
        self._last_eval = None
        self._start = None
        # Learn the scrape schedule again: once per configuration is cheap, and picks
        # up a Prometheus restarted or reconfigured meanwhile.
        if self._scrapes is not None:
            self._scrapes.cancel()
        self._scrapes = None

    def set_active(self, panels: Collection[int] | None) -> None:
        """Ask only `panels` (indexes; None: all) from the next tick on. The others'
        values and histories stay as they were: stale, until they are shown again
        and backfilled (`backfill(only=...)`)."""
        self.active = None if panels is None else frozenset(panels)

    @property
    def shown(self) -> Collection[int]:
        """The panels a tick asks: the active ones, or all."""
        return range(len(self.panels)) if self.active is None else self.active

    def reset_tick(self) -> None:
        """Let the next tick evaluate again even if the grid time has not advanced."""
        self._last_tick = None
        self._last_eval = None  # and ask Prometheus, even if no scrape is due
        self._start = None  # and the next evaluation is at its own time, not the grid's

    def _time(self, now: float) -> float:
        """The time an evaluation asked at `now` is for (see `evaluated_at`); the
        first since the grid was set starts it."""
        if self._start is None or now < self._start:  # a wall clock gone back, too
            self._start = now
        return evaluated_at(now, self.step, self._start)

    # -- backfill --

    async def backfill(self, now: float, only: Collection[int] | None = None) -> TickReport:
        """One range query per leaf over the dashboard range; panels computed per step.

        The panels shown, or `only` these (panels just shown, between ticks): then
        the ticks' grid is left as it is, for the others are not evaluated.
        """
        end = self._time(now)
        spacing = self.backfill_spacing
        count = max(int(self.range / spacing), 2)
        start = end - (count - 1) * spacing
        plan = self.plan
        panels = sorted(self.shown if only is None else only)
        results = await self.fetcher.ranges(plan.leaves_of(panels), start, end, spacing)
        times = [start + k * spacing for k in range(count)]
        report = TickReport(end)
        for index in panels:
            report.panels.append(self._backfill_panel(index, results, times, end))
        again = [s.index for s in report.panels if isinstance(s.error, evaluation.NativeLeaf)]
        if again:  # native histograms in a shared leaf: those panels' history, asked whole
            exprs = [self.plan.panels[index].expr for index in again]
            results = {**results, **await self.fetcher.ranges(exprs, start, end, spacing)}
            redone = {index: self._backfill_panel(index, results, times, end) for index in again}
            report.panels = [redone.get(s.index, s) for s in report.panels]
        if only is None:
            self._last_tick = self._last_eval = end
            self._last_sent = now
        return report

    def _backfill_panel(
        self,
        index: int,
        results: Mapping[str, object],
        times: Sequence[float],
        end: float,
    ) -> QueryState:
        panel = self.plan.panels[index]
        found = evaluation.over_range(
            panel, results, times, self.backfill_spacing, end=end, step=self.step
        )
        if isinstance(found, PrometheusError):
            self._failed_leaf(index, panel, found)
            return self.states.failed(index, end, found, gap=False)
        return self.states.backfilled(
            index, end, found.series, found.latest, found.warnings, found.native
        )

    # -- ticks --

    async def tick(self, now: float, *, budget: float, sink: Sink | None = None) -> TickReport:
        """Evaluate every leaf at the aligned time; wait at most `budget` seconds.

        Panels whose leaves answer after the budget go to `sink` (the UI posts them
        as messages); a leaf still in flight is not sent again. When no scrape can
        have happened since the last evaluation, nothing is asked: the panels carry
        their values forward (`report.carried`).
        """
        t = self._time(now)
        report = TickReport(t)
        if self._last_tick is not None and t < self._last_tick - self.step:
            # The wall clock went back (NTP, a resumed VM): start the grid over
            # rather than skip every tick until it catches up.
            self._last_tick = self._last_eval = None
            self._start, t = now, now
        if self._last_tick is not None and t <= self._last_tick:
            report.skipped = True
            return report
        self._last_tick = t
        # Futures of several result types, only waited on together: Any is their join.
        waiting: list[asyncio.Future[Any]] = []
        alerts_task = None
        if self.want_alerts and self.alerts_cadence.due(now, heartbeat=not self.shown):
            alerts_task = asyncio.ensure_future(self._alerts(t, sent=now))
            report.alerts_asked = True
            waiting.append(alerts_task)
        if self._nothing_new(t):
            report.carried = True
            report.panels = self._carry(t)
            round_ = None
        else:
            self._learn_scrapes()
            self._last_eval, self._last_sent = t, now
            round_ = _Round(t, self.plan, sink, frozenset(self.shown))
            waiting += self._evaluate(round_)
        started = asyncio.get_running_loop().time()
        if waiting:
            await asyncio.wait(waiting, timeout=budget)
        if round_ is not None and round_.retries:
            spent = asyncio.get_running_loop().time() - started
            await asyncio.wait(round_.retries, timeout=max(budget - spent, 0.0))
        if round_ is not None:
            round_.on_time = False
            report.panels = sorted(round_.arrived, key=lambda s: s.index)
        if alerts_task is not None:
            if alerts_task.done():
                report.alerts = alerts_task.result()
            else:
                alerts_task.cancel()
                self.alerts_cadence.answered(now, ok=False)  # unanswered: ask again next tick
        return report

    def _evaluate(self, round_: _Round) -> list[asyncio.Task[None]]:
        """Send the leaves of the round's panels (bar those in flight); compute its
        query-free panels now."""
        leaves = round_.plan.leaves_of(round_.panels)
        arrived = partial(self._arrived, round_)
        tasks = self.fetcher.send(leaves, round_.time, arrived)
        for index in sorted(round_.panels):
            if not round_.plan.panels[index].leaves:  # number literals only: nothing to ask
                self._deliver(round_, self._compute(index, round_))
        return tasks

    def _arrived(self, round_: _Round, outcomes: Mapping[str, Outcome]) -> None:
        """Take in leaves' outcomes as they arrive, and deliver the panels now complete."""
        round_.outcomes.update(outcomes)
        self._deliver_ready(round_, list(outcomes))

    def _deliver_ready(self, round_: _Round, arrived: Sequence[str]) -> None:
        """Compute and deliver each panel of the `arrived` leaves whose leaves are all in.

        Each panel is computed by the last of its leaves to arrive; one whose leaf was
        still in flight from an earlier tick is not in this round at all (that tick's
        round delivers it).
        """
        users = {index for leaf in arrived for index in round_.plan.users[leaf]}
        for index in sorted(users.intersection(round_.panels)):
            if all(need in round_.outcomes for need in round_.plan.panels[index].leaves):
                self._deliver(round_, self._compute(index, round_))

    @staticmethod
    def _deliver(round_: _Round, state: QueryState | None) -> None:
        if state is not None:  # None: asked again whole, delivered when it answers
            round_.deliver(state)

    def _compute(self, index: int, round_: _Round) -> QueryState | None:
        panel, t = round_.plan.panels[index], round_.time
        found = evaluation.at_time(panel, round_.outcomes, t)
        if isinstance(found, evaluation.NativeLeaf) and panel.whole is None:
            # Not a moment of error: the whole expression is asked within this round.
            self._send_whole(index)
            whole = sharing.QueryPlan(panel.expr, sharing.Leaf(panel.expr))
            arrived = partial(self._arrived_whole, round_, index, whole)
            round_.retries += self.fetcher.send([panel.expr], t, arrived)
            return None
        if isinstance(found, PrometheusError):
            self._failed_leaf(index, panel, found)
            return self.states.failed(index, t, found, gap=True)
        return self.states.evaluated(index, t, found.samples, found.warnings)

    def _arrived_whole(
        self,
        round_: _Round,
        index: int,
        whole: sharing.QueryPlan,
        outcomes: Mapping[str, Outcome],
    ) -> None:
        """A panel asked again whole within its round: computed from that answer."""
        found = evaluation.at_time(whole, {**round_.outcomes, **outcomes}, round_.time)
        if isinstance(found, PrometheusError):
            round_.deliver(self.states.failed(index, round_.time, found, gap=True))
        else:
            round_.deliver(self.states.evaluated(index, round_.time, found.samples, found.warnings))

    def _failed_leaf(self, index: int, panel: sharing.QueryPlan, error: PrometheusError) -> None:
        """After a split panel's leaf failed in a way its whole expression may not,
        send the whole from the next tick on."""
        if panel.whole is None and evaluation.split_failed(error):
            self._send_whole(index)

    def _send_whole(self, index: int) -> None:
        """From the next tick on, send this panel's expression unsplit."""
        if index not in self._whole:
            self._whole.add(index)
            self.plan = sharing.plan(self.exprs, self._whole)

    # -- no new scrape, no query --

    def _learn_scrapes(self) -> None:
        """Look the scrape schedule up once, in the background, after a first evaluation.

        Not on the very first: a one-shot snapshot never needs it.
        """
        if self._scrapes is None and self._last_eval is not None:
            self._scrapes = asyncio.ensure_future(self._schedule())

    async def _schedule(self) -> ScrapeSchedule | None:
        try:
            return ScrapeSchedule.from_targets(await self.client.targets())
        except PrometheusError:
            return None

    def _nothing_new(self, t: float) -> bool:
        """True when every panel is up to date as of a time no scrape has passed since."""
        task = self._scrapes
        if task is None or not task.done() or task.cancelled() or task.exception():
            return False
        if self._last_eval is None or self.fetcher.busy:
            return False
        fresh = self.states.fresh(self.shown, self._last_eval)
        schedule = task.result()
        if not fresh or schedule is None:
            return False
        return not schedule.scraped_between(self._last_eval, t, self._last_sent)

    def _carry(self, t: float) -> list[QueryState]:
        carried = (self.states.carried(index, t) for index in sorted(self.shown))
        return [state for state in carried if state is not None]  # _nothing_new: all are

    async def _alerts(self, t: float, *, sent: float) -> AlertsState:
        try:
            state = AlertsState(t, await self.client.alerts())
        except PrometheusError as exc:
            state = AlertsState(t, error=exc)
        self.alerts_cadence.answered(sent, ok=state.error is None)
        return state

    def learn_rules(self, groups: Sequence[RuleGroup]) -> None:
        """The server's rule groups just listed: when their evaluations can change the
        alerts, so that a tick asks for them only then."""
        self.alerts_cadence.learn(groups)

    async def aclose(self) -> None:
        """Cancel queries still in flight (on exit, or before a re-configure)."""
        self.fetcher.cancel()
        if self._scrapes is not None and not self._scrapes.done():
            self._scrapes.cancel()
            self._scrapes = None
