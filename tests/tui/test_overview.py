"""The dashboard says which dashboard allintop chose for it, and why (real Prometheus
with a real node-exporter, none of the AllIN metrics)."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

import allintop
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


async def test_the_app_starts_at_once_and_chooses_the_generic_overview_inside(node_stack, tmp_path):
    # As `allintop` with no config runs it: the app starts on the AllIN overview and
    # asks the server as its first work; nothing is asked of a dashboard not kept.
    url = node_stack.prometheus_url
    allin = load_dashboard(bundled_default_path())
    ask = choice.later(allin, None, {}, lambda: PrometheusClient(url), tmp_path, tmp_path)
    assert ask is not None
    app = make_app(allin, PrometheusClient(url), refresh=1.0, choose=ask)
    async with app.run_test(size=(130, 40), notifications=True) as pilot:
        await wait_for(
            pilot,
            lambda: "generic Prometheus overview" in screen_text(app),
            what="the notification naming the dashboard",
        )
        assert app.choosing.chosen is not None and app.dashboard.title == "Prometheus Overview"
        await wait_for(pilot, lambda: app.ticks > 0, what="the first values")
        text = screen_text(app)
        assert "Prometheus Overview" in text.splitlines()[0]
        for title in ("Scrape Targets", "Targets Up", "CPU Busy"):
            assert title in text
        assert "Requests/sec" not in text
        assert not any("allin_" in expr for expr in app.queries.exprs)
        # The switch is no reload of a file: nothing says one was reloaded.
        ticks = app.ticks
        await wait_for(pilot, lambda: app.ticks >= ticks + 2, what="two more ticks")
        assert "reloaded" not in screen_text(app)


async def test_the_app_keeps_the_allin_overview_on_a_server_with_its_metrics(stack, tmp_path):
    url = stack.prometheus_url
    allin = load_dashboard(bundled_default_path())
    ask = choice.later(allin, None, {}, lambda: PrometheusClient(url), tmp_path, tmp_path)
    app = make_app(allin, PrometheusClient(url), refresh=1.0, choose=ask)
    async with app.run_test(size=(130, 40)) as pilot:
        await wait_for(pilot, lambda: app.ticks > 0, what="the first values")
        assert app.choosing.chosen is None
        assert app.dashboard.title == allin.title
        assert "Requests/sec" in screen_text(app)


async def test_targets_up_shows_each_jobs_value_with_none_hidden(make_stack):
    # Two jobs up (the demo backend and Prometheus itself): Grafana shows a stat of
    # `sum by (job) (up)` as one value per job; so does the card, "+1" hiding none.
    from allintop.demo.configs import JOB_NAME
    from allintop.demo.stack import SELF_JOB
    from allintop.ui.cards.stat import StatCard

    stack = make_stack(scrape_self=True, with_rules=False)
    overview = Path(allintop.__file__).parent / "dashboards" / "prometheus-overview.yaml"
    dashboard = load_dashboard(overview)
    app = make_app(dashboard, PrometheusClient(stack.prometheus_url), refresh=1.0)
    async with app.run_test(size=(130, 40)) as pilot:

        def card() -> StatCard:
            return next(c for c in app.query(StatCard) if c.target.title == "Targets Up per job")

        await wait_for(
            pilot,
            lambda: card().state is not None and len(card().state.series) == 2,
            within=30,
            what="both jobs on Targets Up",
        )
        await pilot.pause()
        up = card()
        grid = up.grid_plain()
        print("\n".join(grid))
        words = " ".join(grid).split()
        # Each job named in full, and each one's value: one target up each.
        assert JOB_NAME in words and SELF_JOB in words, grid
        assert words.count("1") == 2, grid
        text = screen_text(app)
        assert "+1" not in up.detail_plain and "+1" not in text
        assert JOB_NAME in text and SELF_JOB in text
