"""Template variables: picked on screen, applied to every query."""

from __future__ import annotations

import pytest
from textual.widgets import Select

from allintop.dashboard.loading import bundled_default_path, load_dashboard
from allintop.sources.prometheus import PrometheusClient
from allintop.ui.app import make_app
from allintop.ui.cards.stat import StatCard
from tests.tui.util import screen_lines, screen_text, select_values, wait_for

pytestmark = pytest.mark.stack

JOB = "backend-api-dev"


def _app(url: str, **options):
    dashboard = load_dashboard(bundled_default_path())
    return make_app(dashboard, PrometheusClient(url), refresh=1.0, **options)


def _values(app) -> bool:
    return all(c.state is not None and c.state.value is not None for c in app.query(StatCard))


async def test_picking_a_job_requeries_every_panel(stack):
    app = _app(stack.prometheus_url)
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for(pilot, lambda: _values(app))
        await pilot.press("slash")
        select = app.screen.query_one("#var-job", Select)
        # The options are the job label's values, fetched from Prometheus.
        await wait_for(
            pilot,
            lambda: JOB in select_values(select),
            what="the job's values",
        )
        select.value = JOB  # what choosing it in the drop-down does
        await wait_for(pilot, lambda: app.queries.variables["job"] == JOB, what="the pick to apply")
        await pilot.press("escape")
        assert all(f'job=~"{JOB}"' in expr for expr in app.queries.exprs)
        assert f"job={JOB}" in screen_lines(app)[0]
        before = app.ticks
        await wait_for(pilot, lambda: app.ticks > before + 1 and _values(app), what="new values")


async def test_a_job_with_no_series_shows_no_data(stack):
    app = _app(stack.prometheus_url, variables={"job": "no-such-job"})
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for(pilot, lambda: app.ticks >= 2)
        cards = list(app.query(StatCard))
        assert all(card.value_plain == "no data" for card in cards)
        assert all(card.has_class("-unknown") for card in cards)
        assert "no data" in screen_text(app)
