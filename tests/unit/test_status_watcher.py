"""The status watcher's schedule on the fake Prometheus and a fake monotonic clock:
the rules again soon while a group has not been evaluated (the alerts are asked at
every tick until the rules say when), else once a minute."""

from __future__ import annotations

from dataclasses import replace

from allintop.live.watch import RULES_EVERY, RULES_UNSETTLED_EVERY, StatusWatcher
from allintop.sources.answers import RuleGroup
from tests.fakeprom import FakePrometheus, firing, rule_for


class RulesCounted(FakePrometheus):
    rules_asked: int = 0

    async def rules(self) -> tuple[RuleGroup, ...]:
        self.rules_asked += 1
        return await super().rules()


async def _rules_asked_at(prometheus: RulesCounted, times: list[float]) -> list[float]:
    watcher = StatusWatcher(prometheus)
    asked = []
    for now in times:
        before = prometheus.rules_asked
        await watcher.fetch(now, wall=1000.0 + now)
        if prometheus.rules_asked > before:
            asked.append(now)
    return asked


async def test_rules_not_evaluated_yet_are_asked_again_soon() -> None:
    unevaluated = rule_for(firing("HighErrorRate", 900.0), "up == 0")  # no last evaluation
    prometheus = RulesCounted(rule_groups=[unevaluated])
    asked = await _rules_asked_at(prometheus, [0.0, 1.0, RULES_UNSETTLED_EVERY, 7.0])
    assert asked == [0.0, RULES_UNSETTLED_EVERY]


async def test_evaluated_rules_are_asked_once_a_minute() -> None:
    group = rule_for(firing("HighErrorRate", 900.0), "up == 0")
    evaluated = replace(group, last_evaluation=995.0, evaluation_time=0.01)
    prometheus = RulesCounted(rule_groups=[evaluated])
    times = [0.0, RULES_UNSETTLED_EVERY, 30.0, RULES_EVERY]
    assert await _rules_asked_at(prometheus, times) == [0.0, RULES_EVERY]
