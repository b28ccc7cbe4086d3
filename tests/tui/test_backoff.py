"""Polling backs off while Prometheus is unreachable, says when it retries, and `r`
retries at once: the real app against a real closed port and a fault proxy in front
of the real demo stack."""

from __future__ import annotations

import re
import time

import pytest

from allintop.dashboard.loading import load_text
from allintop.live import schedule
from allintop.sources.prometheus import PrometheusClient
from allintop.ui.app import make_app
from tests.faultproxy import FaultProxy
from tests.faultserver import closed_port
from tests.tui.util import screen_lines, wait_for

RETRY = re.compile(r"● unreachable · retry in (\d+)s")
TWO_PANELS = """\
refresh: 1s
rows:
  - title: Backend
    panels:
      - {title: Connections, expr: sum(allin_active_connections)}
      - {title: Heap, expr: sum(allin_process_heap_bytes), unit: bytes}
"""


def _app(url: str):
    dashboard = load_text(TWO_PANELS, "backoff.yaml")
    return make_app(dashboard, PrometheusClient(url, timeout=2.0))


def _retry_in(app) -> int | None:
    found = RETRY.search(screen_lines(app)[0])
    return int(found[1]) if found else None


async def _watch_retries(pilot, app, seconds: float) -> list[int]:
    """The "retry in Ns" figures the header showed, each time it changed."""
    shown: list[int] = []
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = _retry_in(app)
        if value is not None and (not shown or shown[-1] != value):
            shown.append(value)
        await pilot.pause(0.1)
    return shown


async def test_unreachable_polls_space_out_up_to_the_cap(monkeypatch):
    monkeypatch.setattr(schedule, "BACKOFF_CAP", 4.0)
    app = _app(f"http://127.0.0.1:{closed_port()}")
    async with app.run_test(size=(100, 24)) as pilot:
        await wait_for(pilot, lambda: _retry_in(app) is not None, within=10, what="retry in")
        shown = await _watch_retries(pilot, app, 14.0)
        # Each countdown starts from the poll's delay: 1 s, then 2, then 4 (the cap)
        # again and again; never more than the cap.
        assert 2 in shown and 4 in shown, shown
        assert max(shown) <= 4, shown
        assert "connection refused" in screen_lines(app)[1]


@pytest.mark.stack
async def test_backoff_is_shown_r_retries_at_once_and_success_resets_it(stack):
    with FaultProxy(stack.prometheus_url) as proxy:
        app = _app(proxy.url)
        async with app.run_test(size=(100, 24)) as pilot:
            await wait_for(pilot, lambda: "● live" in screen_lines(app)[0], within=15, what="live")
            proxy.refuse()
            # Refused polls double the wait: wait for a countdown of 8 s or more.
            await wait_for(
                pilot,
                lambda: (_retry_in(app) or 0) >= 6,
                within=25,
                what="a retry 8 s away",
            )
            assert "connection refused" in screen_lines(app)[1]
            proxy.listen()
            # Prometheus is back, but the next poll is seconds away: `r` asks now.
            assert (_retry_in(app) or 0) >= 3
            pressed = time.monotonic()
            await pilot.press("r")
            await wait_for(pilot, lambda: "● live" in screen_lines(app)[0], within=3, what="live")
            assert time.monotonic() - pressed < 3
            # A success resets the backoff: the next outage starts again at 1 s.
            proxy.refuse()
            await wait_for(pilot, lambda: _retry_in(app) is not None, within=5, what="retry in")
            assert _retry_in(app) in (1, 2), screen_lines(app)[0]
