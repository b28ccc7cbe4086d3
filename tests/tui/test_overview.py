"""The dashboard says which dashboard allintop chose for it, and why (real Prometheus
with a real node-exporter, none of the AllIN metrics)."""

from __future__ import annotations

import asyncio

import pytest

from allintop.cli import choice
from allintop.dashboard.loading import bundled_default_path, load_dashboard
from allintop.sources.prometheus import PrometheusClient
from allintop.ui.app import make_app
from tests.tui.util import screen_text, wait_for

pytestmark = pytest.mark.stack


async def test_the_dashboard_says_it_chose_the_generic_overview(node_stack, tmp_path):
    url = node_stack.prometheus_url
    allin = load_dashboard(bundled_default_path())
    told: list[str] = []
    # As the command line does (before any event loop runs, hence the thread), with no
    # config anywhere: an empty cwd and home.
    dashboard = await asyncio.to_thread(
        choice.pick, allin, None, {}, lambda: PrometheusClient(url), told.append, tmp_path, tmp_path
    )
    assert told == [dashboard.notice]
    app = make_app(dashboard, PrometheusClient(url), refresh=1.0)
    async with app.run_test(size=(130, 40), notifications=True) as pilot:
        await wait_for(
            pilot,
            lambda: "generic Prometheus overview" in screen_text(app),
            what="the notification naming the dashboard",
        )
        text = screen_text(app)
        assert "Prometheus Overview" in text.splitlines()[0]  # the header's title
        assert "-c FILE" in text and "$ALLINTOP_CONFIG" in text
        for title in ("Scrape Targets", "Targets Up", "CPU Busy", "Ingestion Rate"):
            assert title in text
        assert "Requests/sec" not in text
