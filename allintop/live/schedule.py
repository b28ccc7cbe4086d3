"""When the next poll goes, and whether it backfills the history.

Polls follow the refresh grid: the next one a little after the next grid time after
the one the last poll was for (a poll that ran into it must not skip it). While
Prometheus is unreachable they back off, doubling up to BACKOFF_CAP; a failed history
backfill is asked again, but only every BACKFILL_RETRY seconds (it may be what is
slow). Pure: clocks are arguments, so every rule is tested without Textual, a server
or time passing; the UI keeps one `PollSchedule` and arms its timer with what it says.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

from allintop.live.poller import aligned
from allintop.live.reports import QueryState, server_error
from allintop.live.state import DashboardState

#: Polls go this long after each grid time, so the scrape of that second is in.
TICK_OFFSET = 0.05
#: Seconds before a failed history backfill is tried again.
BACKFILL_RETRY = 30.0
#: While Prometheus is unreachable the polls space out, doubling from the refresh
#: interval up to this (or the interval, if longer): a dashboard left open on a dead
#: server should not knock on it every second, nor hold the header to a stale answer.
BACKOFF_CAP = 30.0


def count_failures(state: DashboardState, arrived: Sequence[QueryState]) -> DashboardState:
    """After a poll: one more in a row that found Prometheus unreachable (or not
    answering), or none. A poll that learnt nothing (no panel answered or failed in
    time) changes nothing."""
    if not arrived:
        return state
    error = server_error(arrived)
    down = error is not None and error.short in ("unreachable", "timeout")
    return replace(state, failures=state.failures + 1 if down else 0)


def backoff(state: DashboardState, refresh: float) -> float:
    """Seconds to the next poll: the refresh interval, doubled for each poll in a row
    that found Prometheus unreachable, up to BACKOFF_CAP (or the interval)."""
    if not state.failures:
        return refresh
    cap = max(BACKOFF_CAP, refresh)
    return min(refresh * 2.0 ** min(state.failures - 1, 16), cap)


def retry_at(state: DashboardState, at: float | None) -> DashboardState:
    """When (monotonic) the next poll goes while backing off; None when not."""
    return replace(state, retry_at=at if state.failures else None)


def next_due(state: DashboardState, refresh: float, *, started: float, took: float) -> float:
    """Seconds from now to the next poll, after one that began at `started` (wall
    clock: the grid it asked for) and took `took` seconds (monotonic: a wall clock
    stepped back meanwhile must not put the next poll hours ahead). Negative when
    it is overdue already."""
    ahead = aligned(started, refresh) + backoff(state, refresh) + TICK_OFFSET - started
    return ahead - took


@dataclass
class PollSchedule:
    """Whether the history needs a backfill, whether the last one failed, and whether
    the user asked for a poll while one was in flight: what decides the next poll."""

    needs_backfill: bool = True
    """The history is empty or for another grid: the next poll backfills it."""
    backfill_failed_at: float | None = None
    """Monotonic: when a backfill last failed for some panel (None: it did not)."""
    refresh_asked: bool = False
    """`r` was pressed while a poll was in flight: the next one goes right after it."""

    def regrid(self) -> None:
        """A new step or range (or dashboard): the history is refilled afresh."""
        self.needs_backfill = True
        self.backfill_failed_at = None

    @property
    def backfill_coming(self) -> bool:
        """A backfill is about to start (none has failed lately): it will fetch every
        panel shown, so none needs fetching on its own meanwhile."""
        return self.needs_backfill and self.backfill_failed_at is None

    def starts(self, monotonic: float) -> bool:
        """A poll starts at `monotonic`: whether it backfills. A failed backfill is
        asked again, but not on every tick."""
        self.refresh_asked = False
        retry = self.backfill_failed_at is None or (
            monotonic - self.backfill_failed_at >= BACKFILL_RETRY
        )
        return self.needs_backfill and retry

    def backfilled(self, failed: bool, monotonic: float) -> None:
        """A backfill ended: one that failed for some panel is asked again later."""
        if failed:
            self.needs_backfill = True
            self.backfill_failed_at = monotonic
        else:
            self.backfill_failed_at = None

    def delay(self, state: DashboardState, due: float) -> float:
        """Seconds to arm the next poll's timer with, `due` being when the grid (and
        the back-off) puts it: at once when asked for, or when a backfill waits and
        the server is not known to be down."""
        soon = self.refresh_asked or (self.backfill_coming and not state.failures)
        return 0.0 if soon else max(due, 0.0)
