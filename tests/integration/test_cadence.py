"""Alerts and targets are asked only when the server can have changed them, and still
soon after each change, on real Prometheus servers: the alerts after each rule
evaluation (a rule group evaluated every 2 s, polled every 0.5 s; the demo's incident
at a 1 s refresh in the dashboard), the targets after each scrape (a target scraped
every 5 s). The client is the real one; it only notes when it asked."""

from __future__ import annotations

import asyncio
import math
import time

import pytest

from allintop.dashboard.loading import load_text
from allintop.dashboard.model import Query
from allintop.live.poller import Poller
from allintop.live.watch import StatusWatcher
from allintop.sources.answers import Alert, Target
from allintop.sources.prometheus import PrometheusClient
from allintop.ui.app import make_app
from tests.tui.util import screen_text, wait_for

pytestmark = pytest.mark.stack

STEP = 0.5
RULES_EVERY = 2.0


class CountingClient(PrometheusClient):
    """The real client, noting when it sent each alerts and targets request."""

    def __init__(self, url: str) -> None:
        super().__init__(url)
        self.alert_asks: list[float] = []
        self.target_asks: list[float] = []

    async def alerts(self) -> tuple[Alert, ...]:
        self.alert_asks.append(time.time())
        return await super().alerts()

    async def targets(self) -> tuple[Target, ...]:
        self.target_asks.append(time.time())
        return await super().targets()


async def test_the_poller_asks_for_alerts_after_each_rule_evaluation_only(make_stack) -> None:
    stack = make_stack("incident", rule_for="1s", rule_interval=f"{RULES_EVERY:g}s")
    client = CountingClient(stack.prometheus_url)
    poller = Poller(client, [Query("up", "up")], ["up"], step=STEP, range_=60.0)
    try:
        await poller.tick(time.time(), budget=1.0)  # before the rules are known: asks
        poller.learn_rules(await client.rules())
        client.alert_asks.clear()
        began = time.time()
        ticks = 0
        while time.time() - began < 5 * RULES_EVERY:
            await asyncio.sleep(STEP - time.time() % STEP)
            report = await poller.tick(time.time(), budget=1.0)
            ticks += 1
            assert report.alerts_asked == (report.alerts is not None)
        ended = time.time()
        groups = await client.rules()
    finally:
        await poller.aclose()
        await client.aclose()
    asks = client.alert_asks
    # About one ask per evaluation (an evaluation that began just before an ask is
    # asked again at the next tick), against one per tick before.
    assert 4 <= len(asks) <= 10, (len(asks), ticks)
    assert ticks >= 18
    # Every evaluation of the window was followed by an ask at the next tick, or at
    # the one after if that tick came as it ran (or a loaded machine held it up).
    last = groups[0].last_evaluation
    assert last is not None
    evaluations = [last - k * RULES_EVERY for k in range(10) if last - k * RULES_EVERY > began]
    for evaluation in evaluations:
        if evaluation + 2 * STEP < ended:
            assert any(evaluation < ask <= evaluation + 2 * STEP for ask in asks), (
                evaluation,
                asks,
            )


DASHBOARD = """\
refresh: 1s
range: 5m
rows:
  - title: Requests
    panels:
      - {title: Requests/sec, expr: 'sum(rate(http_requests_total[1m]))'}
"""


async def test_the_dashboard_shows_an_alert_firing_with_far_fewer_alert_requests(
    make_stack,
) -> None:
    every = 5.0  # the rule group's interval; the dashboard refreshes every 1 s
    stack = make_stack("incident", rule_for="1s", rule_interval=f"{every:g}s")
    client = CountingClient(stack.prometheus_url)
    app = make_app(load_text(DASHBOARD, "panels.yaml"), client)
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for(pilot, lambda: app.ticks >= 3, within=20, what="three ticks")
        await wait_for(
            pilot, lambda: "FIRING" in screen_text(app).upper(), within=40, what="a firing alert"
        )
        before, ticks, began = len(client.alert_asks), app.ticks, time.time()
        await wait_for(pilot, lambda: app.ticks >= ticks + 10, within=30, what="ten more ticks")
        asked = len(client.alert_asks) - before
        ticked, window = app.ticks - ticks, time.time() - began
    # At most two asks an evaluation (one that began just before an ask is asked
    # again at the next tick, in case it had not ended), against one a tick before.
    evaluations = math.ceil(window / every) + 1
    assert 1 <= asked <= 2 * evaluations, (asked, evaluations, ticked)
    assert asked < ticked, (asked, ticked)


SCRAPE_EVERY = 5.0
#: One target, scraped every 5 s (nothing listens there: it is down, and scraped all the same).
SLOW_JOB = {
    "job_name": "slow",
    "scrape_interval": f"{SCRAPE_EVERY:g}s",
    "scrape_timeout": "1s",
    "static_configs": [{"targets": ["127.0.0.1:9"]}],
}


async def test_the_targets_are_asked_after_each_scrape_only(make_stack) -> None:
    stack = make_stack(with_backend=False, with_rules=False, extra_scrape_configs=[SLOW_JOB])
    client = CountingClient(stack.prometheus_url)
    watcher = StatusWatcher(client, targets_every=0.5)
    try:
        for _ in range(100):  # until its first scrape (5 s at most)
            if any(t.last_scrape for t in await client.targets()):
                break
            await asyncio.sleep(0.2)
        else:
            raise AssertionError("Prometheus has not scraped the slow target in 20 s")
        client.target_asks.clear()
        began = time.time()
        fetches = 0
        while time.time() - began < 2.2 * SCRAPE_EVERY:
            await watcher.fetch(time.monotonic(), wall=time.time())
            fetches += 1
            await asyncio.sleep(0.25)
        ended = time.time()
        asks = list(client.target_asks)
        (target,) = await client.targets()
    finally:
        await watcher.aclose()
        await client.aclose()
    # One ask for the schedule, then about one per scrape, not one per half second.
    assert 2 <= len(asks) <= 6, (len(asks), fetches)
    assert fetches >= 30
    last = target.last_scrape
    assert last is not None
    scrapes = [last - k * SCRAPE_EVERY for k in range(5)]
    for scrape in (s for s in scrapes if began < s and s + 1.0 < ended):
        assert any(scrape < ask <= scrape + 1.0 for ask in asks), (scrape, asks)
