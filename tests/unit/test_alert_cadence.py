"""When a tick asks for the alerts: only when a rule evaluation can have changed them."""

from __future__ import annotations

import pytest

from allintop.live.alert_cadence import ASK_AT_LEAST, AlertsCadence, RuleSchedule
from allintop.live.periodic import CLOCK_SKEW
from allintop.sources.answers import AlertRule, RuleGroup

RULE = AlertRule("HighErrorRate", "up == 0", 60.0, {}, {}, "inactive", "ok", "", ())


def _group(
    last: float | None = 1000.0, interval: float = 30.0, took: float = 0.01, alerting: bool = True
) -> RuleGroup:
    rules = (RULE,) if alerting else ()
    return RuleGroup("g", "rules.yml", interval, rules, last_evaluation=last, evaluation_time=took)


def test_the_schedule_says_when_an_evaluation_can_have_changed_the_alerts() -> None:
    schedule = RuleSchedule.from_groups([_group(1000.0, 30.0, took=0.01)])
    assert schedule is not None
    assert schedule.lag == pytest.approx(CLOCK_SKEW + 0.02)
    assert schedule.evaluated_between(1001.0, 1029.9) is False
    assert schedule.evaluated_between(1001.0, 1030.0) is True  # the one at 1030
    assert schedule.evaluated_between(1001.0, 1100.0) is True
    # Asked just after an evaluation began: it may not have ended, so the next may differ.
    assert schedule.evaluated_between(1030.05, 1031.0) is True
    assert schedule.evaluated_between(1030.2, 1031.0) is False


def test_the_fastest_group_sets_the_pace() -> None:
    schedule = RuleSchedule.from_groups([_group(1000.0, 60.0), _group(1000.5, 5.0)])
    assert schedule is not None
    assert schedule.evaluated_between(1001.0, 1004.0) is False
    assert schedule.evaluated_between(1001.0, 1005.5) is True


def test_unknown_groups_mean_every_tick_asks() -> None:
    assert RuleSchedule.from_groups([_group(last=None)]) is None  # never evaluated yet
    assert RuleSchedule.from_groups([_group(interval=0.0)]) is None
    assert RuleSchedule.from_groups([_group(), _group(last=None)]) is None


def test_groups_of_recording_rules_change_no_alert() -> None:
    schedule = RuleSchedule.from_groups([_group(1000.0, 1.0, alerting=False), _group(1000.0, 30.0)])
    assert schedule is not None
    assert schedule.evaluated_between(1001.0, 1010.0) is False
    # No alerting rule at all: ask every tick (a reload may bring some).
    assert RuleSchedule.from_groups([_group(alerting=False)]) is None
    assert RuleSchedule.from_groups([]) is None


def test_the_cadence_asks_after_each_evaluation_and_otherwise_not() -> None:
    cadence = AlertsCadence()
    assert cadence.due(1001.0) is True  # the rules are not known yet
    cadence.learn([_group(1000.0, 30.0)])
    assert cadence.due(1001.0) is True  # not asked yet
    cadence.answered(1001.0, ok=True)
    assert [cadence.due(t) for t in (1002.0, 1015.0, 1029.9)] == [False, False, False]
    assert cadence.due(1030.0) is True
    cadence.answered(1030.5, ok=True)
    assert cadence.due(1031.0) is False
    assert cadence.due(1031.0, heartbeat=True) is True  # no panel asked: the health check


def test_a_failed_ask_is_asked_again_at_the_next_tick() -> None:
    cadence = AlertsCadence()
    cadence.learn([_group(1000.0, 30.0)])
    cadence.answered(1001.0, ok=True)
    cadence.answered(1002.0, ok=False)
    assert cadence.due(1003.0) is True


def test_the_alerts_are_asked_at_least_once_a_minute() -> None:
    cadence = AlertsCadence()
    cadence.learn([_group(1000.0, 600.0)])
    cadence.answered(1001.0, ok=True)
    assert cadence.due(1001.0 + ASK_AT_LEAST - 1) is False
    assert cadence.due(1001.0 + ASK_AT_LEAST) is True
