"""Durations on the monotonic clock: a wall clock stepped (NTP, a resumed VM) neither
delays the next poll nor hides a hung Prometheus. The real app, through a fault proxy,
against the real demo stack."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from allintop.dashboard.loading import load_dashboard
from allintop.sources.prometheus import PrometheusClient
from allintop.ui.app import DashboardApp, make_app
from tests.faultproxy import FaultProxy, fault_proxy, slow
from tests.tui.util import wait_for

pytestmark = pytest.mark.stack

DASHBOARD = """\
refresh: 1s
range: 1m
rows:
  - title: Clock
    panels:
      - title: Connections
        expr: sum(allin_active_connections)
"""
HOUR = 3600.0


class SteppedClock:
    """The wall clock, which the test steps as NTP would."""

    def __init__(self) -> None:
        self.offset = 0.0

    def __call__(self) -> float:
        return time.time() + self.offset


def _app(tmp_path: Path, proxy: FaultProxy, wall: SteppedClock) -> DashboardApp:
    path = tmp_path / "panels.yaml"
    path.write_text(DASHBOARD)
    dashboard = load_dashboard(path)
    return make_app(dashboard, PrometheusClient(proxy.url), refresh=1.0, clock=wall)


async def test_a_wall_clock_stepped_back_during_a_poll_does_not_delay_the_next(
    stack, tmp_path: Path
) -> None:
    wall = SteppedClock()
    with fault_proxy(stack.prometheus_url) as proxy:
        app = _app(tmp_path, proxy, wall)
        async with app.run_test(size=(80, 20)) as pilot:
            await wait_for(pilot, lambda: app.ticks >= 2, what="the first polls")
            held = proxy.route(slow(30.0), path="/api/v1/query")
            await wait_for(pilot, lambda: app.polling.busy and app.poller.busy, what="a held poll")
            # Stepped back while the poll is out: the next one is armed when it ends.
            wall.offset = -HOUR
            proxy.remove(held)
            ticks = app.ticks
            await wait_for(
                pilot, lambda: app.ticks >= ticks + 3, within=8, what="polls every second"
            )
            assert app.status_word()[0] == "live"


async def test_a_wall_clock_stepped_back_does_not_hide_a_hung_prometheus(
    stack, tmp_path: Path
) -> None:
    wall = SteppedClock()
    with fault_proxy(stack.prometheus_url) as proxy:
        app = _app(tmp_path, proxy, wall)
        async with app.run_test(size=(80, 20)) as pilot:
            await wait_for(pilot, lambda: app.status_word()[0] == "live", what="live")
            proxy.route(slow(30.0), path="/api/v1/query")
            wall.offset = -HOUR
            await wait_for(
                pilot,
                lambda: app.status_word()[0].startswith("overdue"),
                within=6,
                what="the header to call the hung poll overdue",
            )


async def test_a_wall_clock_stepped_forward_is_not_stale_data(stack, tmp_path: Path) -> None:
    wall = SteppedClock()
    with fault_proxy(stack.prometheus_url) as proxy:
        app = _app(tmp_path, proxy, wall)
        async with app.run_test(size=(80, 20)) as pilot:
            await wait_for(pilot, lambda: app.status_word()[0] == "live", what="live")
            wall.offset = HOUR
            assert app.status_word()[0] == "live"
