"""Switching to another context's servers on the fake Prometheus: nothing on screen
reads the old servers' names from the new ones meanwhile."""

from __future__ import annotations

from pathlib import Path

import pytest

from allintop.dashboard.loading import load_dashboard
from allintop.live.datasources import Datasources, Setup
from allintop.ui.app import DashboardApp
from tests.fast.fakeapp import DASHBOARD, healthy, make, settle
from tests.tui.util import screen_text, wait_for


async def test_the_header_drawn_mid_switch_names_the_new_servers(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The header is redrawn every second, also while a switch awaits the old poller's
    close: it then read the old datasource's name in the new set (KeyError)."""
    app, _, _ = make(tmp_path)
    other = healthy()
    other.host = "other.test:9090"
    path = tmp_path / "other.yaml"
    path.write_text('datasources:\n  main: "http://other.test:9090"\n' + DASHBOARD)
    setup = Setup(load_dashboard(path), Datasources({"main": other}, "main"))
    use_dashboard = DashboardApp.use_dashboard

    async def header_first(self: DashboardApp, *args: object, **kwargs: object) -> None:
        self.show_header()  # as the header's timer may, at the switch's first await
        await use_dashboard(self, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(DashboardApp, "use_dashboard", header_first)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot, app)
        await app.use_setup(setup)
        await wait_for(pilot, lambda: "main other.test:9090" in screen_text(app), what="new host")
    assert app.return_code in (None, 0)
