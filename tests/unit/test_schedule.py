"""When the next poll goes (allintop.live.schedule), without Textual or time passing:
the refresh grid, the back-off from an unreachable Prometheus, and the failed
backfill's retry."""

from __future__ import annotations

import pytest

from allintop.errors import RequestTimeout, Unreachable
from allintop.live import schedule
from allintop.live.reports import QueryState, SeriesView
from allintop.live.schedule import BACKFILL_RETRY, TICK_OFFSET, PollSchedule
from allintop.live.state import DashboardState
from allintop.values.thresholds import Status


def _value(index: int) -> QueryState:
    series = (SeriesView("", {}, 1.0, Status.OK),)
    return QueryState(index, 100.0, series=series, total=1, status=Status.OK)


def _failed(index: int, error: Exception) -> QueryState:
    return QueryState(index, 100.0, error=error, reason="failed")  # type: ignore[arg-type]


def _down(failures: int) -> DashboardState:
    state = DashboardState()
    for _ in range(failures):
        state = schedule.count_failures(state, [_failed(0, Unreachable("refused"))])
    return state


@pytest.mark.parametrize(
    ("failures", "refresh", "step"),
    [(0, 5.0, 5.0), (1, 5.0, 5.0), (2, 5.0, 10.0), (3, 5.0, 20.0), (4, 5.0, 30.0), (9, 60.0, 60.0)],
)
def test_polls_back_off_while_unreachable(failures: int, refresh: float, step: float) -> None:
    state = _down(failures)
    assert state.failures == failures
    assert schedule.backoff(state, refresh) == step


def test_a_poll_that_learnt_nothing_keeps_the_count_and_an_answer_resets_it() -> None:
    state = schedule.count_failures(DashboardState(), [_failed(0, RequestTimeout("slow"))])
    assert schedule.count_failures(state, []).failures == 1
    assert schedule.count_failures(state, [_value(0)]).failures == 0


def test_a_retry_time_only_while_backing_off() -> None:
    assert schedule.retry_at(DashboardState(), 12.0).retry_at is None
    assert schedule.retry_at(_down(1), 12.0).retry_at == 12.0


def test_the_next_poll_is_at_the_next_grid_time_after_the_one_asked() -> None:
    # Began at 100.3 on a 5 s grid: asked for 100, the next is 105 (+ the offset),
    # less the time the poll took.
    due = schedule.next_due(DashboardState(), 5.0, started=100.3, took=0.2)
    assert due == pytest.approx(105 + TICK_OFFSET - 100.3 - 0.2)
    # A poll that ran past the next grid time: overdue, not skipped to the one after.
    assert schedule.next_due(DashboardState(), 5.0, started=100.3, took=6.0) < 0


def test_the_next_poll_backs_off_from_the_grid_while_unreachable() -> None:
    due = schedule.next_due(_down(3), 5.0, started=100.0, took=0.0)
    assert due == pytest.approx(100 + 20 + TICK_OFFSET - 100.0)


def test_a_backfill_is_due_at_first_and_after_a_new_grid() -> None:
    plan = PollSchedule()
    assert plan.backfill_coming and plan.starts(0.0)
    plan.needs_backfill = False
    plan.backfilled(False, 1.0)
    assert not plan.starts(2.0)
    plan.regrid()
    assert plan.backfill_coming and plan.starts(3.0)


def test_a_failed_backfill_is_retried_but_not_on_every_tick() -> None:
    plan = PollSchedule(needs_backfill=False)
    plan.backfilled(True, 10.0)
    assert plan.needs_backfill and not plan.backfill_coming
    assert not plan.starts(10.0 + BACKFILL_RETRY - 1)
    assert plan.starts(10.0 + BACKFILL_RETRY)
    plan.backfilled(False, 50.0)
    assert plan.backfill_failed_at is None


def test_the_timer_goes_at_once_when_asked_or_a_backfill_waits() -> None:
    plan = PollSchedule(needs_backfill=False)
    assert plan.delay(DashboardState(), 4.2) == 4.2
    assert plan.delay(DashboardState(), -1.0) == 0.0  # overdue: now
    plan.refresh_asked = True
    assert plan.delay(_down(2), 4.2) == 0.0
    assert not plan.starts(0.0) and not plan.refresh_asked  # a poll starting answers it
    plan.regrid()
    assert plan.delay(DashboardState(), 4.2) == 0.0
    # The server is down: the backfill waits for the back-off like any poll.
    assert plan.delay(_down(2), 4.2) == 4.2
