"""Polling, driven from the UI: one poll in flight at a time, in a worker, and the
next armed with a one-shot timer when it ends (at the next grid time, or later while
Prometheus is unreachable: allintop.live.schedule), so a slow Prometheus never piles
up requests and a poll is never cancelled half-way by the next one.

Results arrive as messages (allintop.ui.messages); the UI never awaits the network
itself. Each carries the generation it was asked under: after a new range, step,
variable or dashboard, what the old poller still delivers is dropped.

Only what is shown is asked: the board says which panels are on screen or near it
(`show`), and a panel that comes near (a row expanded, a scroll) is fetched at once,
with its history, rather than at the next tick.
"""

from __future__ import annotations

import functools
import time
from collections.abc import Callable, Coroutine
from typing import Any, Protocol

from textual.message import Message
from textual.timer import Timer
from textual.worker import Worker, get_current_worker

from allintop.live import schedule
from allintop.live import state as reduce
from allintop.live.fanout import FanOut
from allintop.live.poller import aligned
from allintop.live.queries import Queries
from allintop.live.reports import QueryState, TickReport
from allintop.live.schedule import PollSchedule
from allintop.live.state import DashboardState
from allintop.live.watch import StatusWatcher
from allintop.ui.host import RunsWorkers
from allintop.ui.messages import LateResult, PollDone, StatusDone


class Polled(RunsWorkers, Protocol):
    """What polling reads and sets on the app."""

    state: DashboardState
    paused: bool
    watcher: StatusWatcher
    queries: Queries

    def clock(self) -> float: ...

    def monotonic(self) -> float: ...

    def screen_wants(self, what: str) -> bool:
        """Whether the screen on top shows `what` ("rules", "targets"), to be fetched."""
        ...

    def set_timer(self, delay: float, callback: Callable[[], object]) -> Timer: ...

    def post_message(self, message: Message) -> bool: ...


class Polling:
    """The app's polls: the poller, when it is asked next, and what it asks.

    Args:
        app: the app the polls run in and report to.
        poller: the poller for the dashboard's queries as they are now.
    """

    def __init__(self, app: Polled, poller: FanOut) -> None:
        self.app = app
        self.poller = poller
        self.schedule = PollSchedule()
        self.busy = False
        """A poll is in flight."""
        self.generation = 0
        """Bumped by every re-configuration: results asked under an older are dropped."""
        self.active: frozenset[int] = frozenset()
        """The panels asked on each tick, once the board is laid out (all before)."""
        self.fetched: set[int] = set()
        """Those of them whose history is fetched (or being fetched) since shown."""
        self.started_at = 0.0
        """time.time() when the latest poll began, for the tick log."""
        self._status: Worker[None] | None = None
        self._timer: Timer | None = None

    # -- what is asked --

    def show(self, active: frozenset[int]) -> None:
        """The panels on screen or near it are now `active`: only they are asked,
        and those that just came near are fetched now, history and all."""
        self.active = active
        self.poller.set_active(active)
        self.app.state = reduce.ask(self.app.state, active)
        self.fetched &= active
        self.fetch_shown()

    def use(self, poller: FanOut, *, laid_out: bool) -> None:
        """Poll with `poller` from now on (new queries: the old one is closed). Once
        the board is `laid_out`, it asks what is shown, as the old one did."""
        self.poller = poller
        if self.app.state.rules_loaded:  # when to ask for alerts: as the old one knew
            poller.learn_rules(self.app.state.rule_groups)
        if laid_out:
            poller.set_active(self.active)
        self.fetched = set()  # its histories are empty until its backfill

    def restart(self, poller: FanOut, *, laid_out: bool) -> None:
        """Another dashboard: none of its panels is shown until it is laid out, and
        the backfill asked then fetches all that are (not one by one before it)."""
        self.active = frozenset()
        self.app.state = reduce.ask(self.app.state, self.active)
        self.schedule.regrid()
        self.use(poller, laid_out=laid_out)

    def drop_results(self) -> None:
        """Whatever the polls in flight still deliver is for queries no longer asked."""
        self.generation += 1

    def regrid(self, step: float, range_: float) -> None:
        """A new step or range is a new grid: the history refilled with one backfill."""
        self.poller.configure(step, range_)
        self.drop_results()
        self.schedule.regrid()
        if self.busy:  # the poll in flight is for the old grid: the next goes after it
            self.schedule.refresh_asked = True
        elif not self.app.paused:
            self.arm(0)

    # -- when --

    def arm(self, delay: float) -> None:
        """The next poll in `delay` seconds (instead of when it was due)."""
        self.stop()
        # Textual's timers divide by their delay: never arm one with zero.
        self._timer = self.app.set_timer(max(delay, 0.001), self.poll)

    def stop(self) -> None:
        """No poll until armed again (paused)."""
        if self._timer is not None:
            self._timer.stop()

    def refresh_now(self) -> None:
        """`r`: a poll now, or right after the one in flight."""
        self.poller.reset_tick()
        if self.busy:
            self.schedule.refresh_asked = True
        else:
            self.arm(0)

    def resume(self) -> None:
        """Unpaused: the panels shown meanwhile fetched, and a poll now."""
        self.fetch_shown()
        self.arm(0)

    # -- polls --

    def poll(self) -> None:
        """The timer's: a poll, unless one is in flight or the app is paused; and the
        status (rules, targets, silences) unless it is being fetched."""
        if self.busy or self.app.paused:
            return
        self.busy = True
        backfill = self.schedule.starts(self.app.monotonic())
        if backfill:
            self.fetched = set(self.active)  # the backfill fetches every panel shown
        work = functools.partial(self._poll, backfill)
        self.app.run_worker(work, name="_run_poll", group="poll", exit_on_error=False)
        if not backfill:  # a backfill's poll asks once its values are in (see below)
            self.fetch_status()

    def fetch_status(self) -> None:
        """Rules, targets and silences now, unless they are being fetched (a screen
        that shows them just opened, or a poll)."""
        if self._status is None:
            self._status = self.app.run_worker(
                self._fetch_status, name="_run_status", group="status", exit_on_error=False
            )

    def forget_status(self) -> None:
        """The servers change: the status fetch in flight asks the old ones, and its
        answer must not land."""
        if self._status is not None:
            self._status.cancel()
            self._status = None

    def fetch_shown(self) -> None:
        """Fetch the panels shown whose history is not (paused: once resumed; a
        backfill about to start, the first or after a new range, fetches them)."""
        missing = self.active - self.fetched
        if missing and not self.app.paused and not self.schedule.backfill_coming:
            self.fetched |= missing
            work = functools.partial(self._reveal, sorted(missing))
            self.app.run_worker(work, name="_reveal", group="reveal", exit_on_error=False)

    async def _fetch_status(self) -> None:
        """Rules, targets and silences, on their own schedule, never holding up a tick."""
        app = self.app
        try:
            report = await app.watcher.fetch(
                app.monotonic(),
                wall=app.clock(),
                want_rules=app.screen_wants("rules"),
                want_targets=app.screen_wants("targets"),
            )
            app.post_message(StatusDone(report))
        finally:
            if self._status is get_current_worker():  # not a newer one
                self._status = None

    async def _reveal(self, panels: list[int]) -> None:
        """Panels just shown: their values and sparklines now, from one range query
        per leaf, rather than a value at the next tick and a history never."""
        generation, poller = self.generation, self.poller
        report = await poller.backfill(self.app.clock(), only=panels)
        if generation == self.generation:
            self._backfilled(report)
            self.app.post_message(PollDone(report, backfill=True, generation=generation))

    async def _poll(self, backfill: bool) -> None:
        app = self.app
        generation, poller = self.generation, self.poller
        started, began = app.clock(), app.monotonic()
        self.started_at = time.time()
        reports: list[TickReport] = []
        try:
            step = app.queries.refresh
            # Done before the next grid time, so a slow query costs only itself a
            # tick, not every panel every other one; it delivers late on its own.
            budget = max(aligned(started, step) + step - started, 0.05)
            late = functools.partial(self._late, generation)
            tick = poller.tick(started, budget=budget, sink=late)
            if backfill:
                self.schedule.needs_backfill = False
                await self._values_then_history(poller, tick, started, generation, reports)
            else:
                reports.append(await tick)
                app.post_message(PollDone(reports[-1], generation=generation))
        finally:
            self.busy = False
            if not app.paused:
                self._arm_after(reports, started, began)

    async def _values_then_history(
        self,
        poller: FanOut,
        tick: Coroutine[Any, Any, TickReport],
        now: float,
        generation: int,
        reports: list[TickReport],
    ) -> None:
        """Values first, then the history and the status: asked alongside, the range
        queries' and the status' answers were read on the event loop while the
        instant one waited its turn behind them, at start behind the first frame too."""
        poller.reset_tick()
        try:
            reports.append(await tick)
            self.app.post_message(PollDone(reports[-1], generation=generation))
        finally:
            self.fetch_status()
            filled = await poller.backfill(now)
        if generation == self.generation:  # a failed backfill of old queries is no news
            self._backfilled(filled)
        self.app.post_message(PollDone(filled, backfill=True, generation=generation))

    def _arm_after(self, reports: list[TickReport], started: float, began: float) -> None:
        """The next poll: at the next grid time after the one this poll was for (a
        poll that ran into it must not skip it), or later while backing off."""
        app = self.app
        arrived = [state for report in reports for state in report.panels]
        app.state = schedule.count_failures(app.state, arrived)
        now = app.monotonic()
        due = schedule.next_due(app.state, app.queries.refresh, started=started, took=now - began)
        app.state = schedule.retry_at(app.state, now + due)
        self.arm(self.schedule.delay(app.state, due))

    def _backfilled(self, report: TickReport) -> None:
        """A backfill that failed for some panels is asked again later, and its errors
        do not replace the values the instant tick just showed."""
        failed = any(state.error is not None for state in report.panels)
        self.schedule.backfilled(failed, self.app.monotonic())
        if failed:
            report.panels = [state for state in report.panels if state.error is None]

    def _late(self, generation: int, state: QueryState) -> None:
        self.app.post_message(LateResult(state, generation=generation))
