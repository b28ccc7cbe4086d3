"""What the dashboard asks a server, and when: each status call once, new queries at
once."""

from __future__ import annotations

import asyncio
from pathlib import Path

from allintop.errors import QueryError
from tests.fast.fakeapp import DASHBOARD, advance, healthy, make, settle
from tests.tui.util import wait_for


async def test_the_build_info_is_asked_once_for_the_rules_and_the_targets(
    tmp_path: Path,
) -> None:
    # At start the rules and the targets are both due, and each waits for the
    # server's version: one question serves both.
    app, fake, clock = make(tmp_path)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot, app)
        await wait_for(pilot, lambda: app.state.rules_loaded, what="the rules")
        await wait_for(pilot, lambda: app.state.targets_loaded, what="the targets")
        await advance(pilot, app, clock)
        assert fake.builds_asked == 1


async def test_a_new_range_while_a_failing_poll_is_in_flight_is_asked_at_once(
    tmp_path: Path,
) -> None:
    # At start a dashboard's variables resolve while its first poll (old queries) is
    # in flight. Its answers are dropped; whatever they were, the new queries are
    # asked right after it, not at the next refresh (a minute on Node Exporter Full).
    text = DASHBOARD.replace("refresh: 1s", "refresh: 1m")
    fake = healthy()
    fake.gate = asyncio.Event()  # the first poll is held in flight
    app, _, _ = make(tmp_path, fake, text=text)
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for(pilot, lambda: app.polling.busy, what="the first poll")
        await pilot.press("t")  # a new range: a new grid, new queries
        fake.fail = QueryError("execution", "query processing would load too many samples", 422)
        fake.gate.set()
        await wait_for(pilot, lambda: not app.polling.busy, what="the old poll to end")
        fake.fail = None
        await wait_for(pilot, lambda: app.ticks >= 1, within=10, what="the new queries' values")
