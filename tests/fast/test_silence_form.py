"""The silence form on the fake Prometheus, with a clock that moves as a real one does."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from allintop.ui.app import DashboardApp
from tests.fakeprom import firing, rule_for
from tests.fast.fakeapp import Clock, advance, healthy, make, settle
from tests.tui.util import screen_text, wait_for


class TickingClock(Clock):
    """A clock that a millisecond passes on between any two readings of it."""

    def __call__(self) -> float:
        self.now += 0.001
        return self.now


async def _open_form(pilot, app: DashboardApp, clock: Clock) -> None:
    """The silence form of the firing LowSuccessRate, from the alerts screen."""
    await settle(pilot, app)
    await advance(pilot, app, clock, 60.0)  # rules are asked once a minute
    await pilot.press("a")
    await wait_for(pilot, lambda: "LowSuccessRate" in screen_text(app), what="the rule")
    await pilot.press("S")
    await wait_for(pilot, lambda: "Silence LowSuccessRate" in screen_text(app), what="form")


async def test_a_just_entered_2h_silence_ends_in_2h(tmp_path: Path) -> None:
    fake = healthy()
    alert = firing("LowSuccessRate", 0.0, severity="critical", route="/login")
    fake.alert_list = [alert]
    fake.rule_groups = [rule_for(alert, "route:success_ratio:percent < 95")]
    app, _, clock = make(tmp_path, fake, clock=TickingClock())
    async with app.run_test(size=(100, 30)) as pilot:
        await _open_form(pilot, app, clock)
        await wait_for(pilot, lambda: " ends " in screen_text(app), what="the end")
        text = screen_text(app)
        assert "(2h)" in text, text


async def test_the_preview_counts_the_alerts_it_does_not_list(tmp_path: Path) -> None:
    fake = healthy()
    long = "/api/a-route-long-enough-that-its-labels-would-wrap-in-the-form/" * 2
    alerts = [
        firing("LowSuccessRate", 0.0, severity="critical", route=f"{long}{n}") for n in range(7)
    ]
    fake.alert_list = alerts
    group = rule_for(alerts[0], "route:success_ratio:percent < 95")
    rule = replace(group.rules[0], labels={"severity": "critical"}, alerts=tuple(alerts))
    fake.rule_groups = [replace(group, rules=(rule,))]
    app, _, clock = make(tmp_path, fake)
    async with app.run_test(size=(100, 60)) as pilot:
        await _open_form(pilot, app, clock)
        await wait_for(pilot, lambda: "silences 7 current alerts" in screen_text(app))
        assert "… and 4 more" in screen_text(app), screen_text(app)
