"""panels.yaml read again (`R`, a save) is made what the run made of it at start."""

from __future__ import annotations

from pathlib import Path

from allintop.dashboard.loading import load_dashboard
from allintop.demo.history import DEFAULT_STEP_SECONDS, scraped_as_history
from allintop.live.datasources import Datasources
from allintop.ui.app import DashboardApp
from tests.fast.fakeapp import DASHBOARD, Clock, healthy, settle
from tests.tui.util import wait_for


def _notes(app: DashboardApp) -> list[str]:
    return [f"{n.title}: {n.message}" for n in app.notifications]


async def test_r_in_the_demo_keeps_its_history_step_and_says_nothing_changed(
    tmp_path: Path,
) -> None:
    """The demo reads its dashboard with the imported history's step as the scrape
    interval (rate windows must span its samples). R read the file as it is: the
    step was lost and the datasource was said to have changed, though nothing had."""
    path = tmp_path / "panels.yaml"
    path.write_text(DASHBOARD)
    dashboard = scraped_as_history(load_dashboard(path))
    clock = Clock()
    sources = Datasources({dashboard.datasource.name: healthy()}, dashboard.datasource.name)
    app = DashboardApp(
        dashboard, sources, clock=clock, monotonic=clock.monotonic, adapt=scraped_as_history
    )
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot, app)
        await pilot.press("R")
        await wait_for(pilot, lambda: any("reloaded" in n for n in _notes(app)), what="reload")
        assert not [n for n in _notes(app) if "changed" in n], _notes(app)
        assert app.dashboard.datasource.scrape_interval == DEFAULT_STEP_SECONDS
