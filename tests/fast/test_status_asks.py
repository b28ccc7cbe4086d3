"""What the dashboard asks a server besides its queries: each status call once."""

from __future__ import annotations

from pathlib import Path

from tests.fast.fakeapp import advance, make, settle
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
