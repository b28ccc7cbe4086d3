"""panels.yaml read again (`R`, a save) is made what the run made of it at start."""

from __future__ import annotations

from pathlib import Path

from allintop.demo.history import DEFAULT_STEP_SECONDS, scraped_as_history
from tests.fast.fakeapp import make, settle
from tests.tui.util import notes, wait_for


async def test_r_in_the_demo_keeps_its_history_step_and_says_nothing_changed(
    tmp_path: Path,
) -> None:
    """The demo reads its dashboard with the imported history's step as the scrape
    interval (rate windows must span its samples). R read the file as it is: the
    step was lost and the datasource was said to have changed, though nothing had."""
    app, _, _ = make(tmp_path, adapt=scraped_as_history)
    assert app.dashboard.datasource.scrape_interval == DEFAULT_STEP_SECONDS
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot, app)
        await pilot.press("R")
        await wait_for(pilot, lambda: any("reloaded" in n for n in notes(app)), what="reload")
        assert not [n for n in notes(app) if "changed" in n], notes(app)
        assert app.dashboard.datasource.scrape_interval == DEFAULT_STEP_SECONDS
