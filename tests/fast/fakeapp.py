"""The real app on a fake Prometheus and an injected clock: what the fast tier drives.

No server and no HTTP: `FakePrometheus` answers in-process, and time moves only when a
test says so (`advance`), so a tick is one call and a wait on its arrival, in
milliseconds, and what is on screen is the same on every run (for the snapshots).
"""

from __future__ import annotations

import math
from pathlib import Path

from allintop.dashboard.loading import load_dashboard
from allintop.live.datasources import Datasources
from allintop.ui.app import DashboardApp
from tests.fakeprom import FakePrometheus, FakeSeries, firing, rule_for, target
from tests.tui.util import wait_for

#: 2027-01-15 08:00:00 UTC, on every grid.
START = 1_800_000_000.0

DASHBOARD = """\
title: Fast tier
refresh: 1s
range: 5m
rows:
  - title: Service
    panels:
      - title: Success Rate
        expr: route:success_ratio:percent
        unit: "%"
        legend: "{{route}}"
        thresholds: {target: ">99", alert: "<95"}
        alerts: [LowSuccessRate]
      - title: P95 Latency
        expr: service:latency_p95:ms
        unit: ms
        thresholds: {target: "<200", alert: ">500"}
      - title: Requests
        expr: service:requests:rate
        unit: req/s
      - title: Queue Depth
        expr: service:queue_depth
        thresholds: {target: "<50", alert: ">100"}
  - title: Hosts
    panels:
      - title: Memory
        expr: host:memory:bytes
        unit: B
      - title: CPU
        expr: host:cpu:percent
        unit: "%"
        thresholds: {target: "<70", alert: ">90"}
"""


class Clock:
    """The wall and monotonic clocks the app is given; a test moves them."""

    def __init__(self, now: float = START) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now

    def monotonic(self) -> float:
        return self.now - START


def wave(base: float, swing: float, period: float = 60.0):
    """A smooth, deterministic signal over time (so the sparklines have a shape)."""
    return lambda t: base + swing * math.sin(2 * math.pi * (t % period) / period)


def healthy() -> FakePrometheus:
    routes = [("/", 99.95), ("/api", 99.9), ("/login", 99.7)]
    return FakePrometheus(
        metrics={
            "route:success_ratio:percent": [
                FakeSeries({"route": route}, wave(value, 0.02)) for route, value in routes
            ],
            "service:latency_p95:ms": [FakeSeries({}, wave(120.0, 30.0))],
            "service:requests:rate": [FakeSeries({}, wave(850.0, 150.0, 90.0))],
            "service:queue_depth": [FakeSeries({}, wave(12.0, 4.0))],
            "host:memory:bytes": [FakeSeries({}, 6.2 * 2**30)],
            "host:cpu:percent": [FakeSeries({}, wave(35.0, 10.0, 30.0))],
        },
        target_list=[target("api"), target("node")],
    )


def incident(fake: FakePrometheus, since: float) -> None:
    """The /login route starts failing, latency climbs, an alert fires, a target dies."""
    fake.metrics["route:success_ratio:percent"][2] = FakeSeries({"route": "/login"}, 82.5)
    fake.metrics["service:latency_p95:ms"] = [FakeSeries({}, wave(720.0, 40.0))]
    fake.metrics["service:queue_depth"] = [FakeSeries({}, 75.0)]
    alert = firing("LowSuccessRate", since, severity="critical", route="/login")
    fake.alert_list = [alert]
    fake.rule_groups = [rule_for(alert, "route:success_ratio:percent < 95")]
    fake.target_list = [target("api"), target("node", "down", 'Get "http://node:9100": EOF')]


def many_panels(count: int = 48) -> str:
    """A panels.yaml of `count` request-rate cards in one row: more than a screen holds."""
    panels = "\n".join(
        f"      - {{title: Panel {i}, expr: service:requests:rate, unit: req/s}}"
        for i in range(count)
    )
    return f"refresh: 1s\nrange: 5m\nrows:\n  - title: Many\n    panels:\n{panels}\n"


def make(
    tmp_path: Path,
    fake: FakePrometheus | None = None,
    text: str = DASHBOARD,
    clock: Clock | None = None,
    **options: object,
) -> tuple[DashboardApp, FakePrometheus, Clock]:
    """The app over `fake` (healthy if None) with `clock` (a frozen one if None)."""
    path = tmp_path / "panels.yaml"
    path.write_text(text)
    dashboard = load_dashboard(path)
    fake = fake or healthy()
    clock = clock or Clock()
    sources = Datasources({dashboard.datasource.name: fake}, dashboard.datasource.name)
    app = DashboardApp(dashboard, sources, clock=clock, monotonic=clock.monotonic, **options)  # type: ignore[arg-type]
    return app, fake, clock


async def settle(pilot, app: DashboardApp, ticks: int = 2) -> None:
    """Until the first values and the backfill are applied (two reports)."""
    await wait_for(pilot, lambda: app.ticks >= ticks, what=f"{ticks} ticks")
    await wait_for(pilot, lambda: not app.polling.busy, what="the poll to end")
    await pilot.pause()


async def advance(pilot, app: DashboardApp, clock: Clock, seconds: float = 1.0) -> None:
    """Move time on and run the tick for it, waiting for its report (not a sleep)."""
    before = app.ticks
    clock.now += seconds
    await wait_for(pilot, lambda: not app.polling.busy, what="the poll in flight")
    app.action_refresh()
    await wait_for(pilot, lambda: app.ticks > before, what="the tick")
    await wait_for(pilot, lambda: not app.polling.busy, what="the poll to end")
    await pilot.pause()
