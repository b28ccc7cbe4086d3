"""The demo's imported past under Grafana's rate windows: the demo stack imports
twenty minutes of history at 10 s steps before Prometheus scrapes every second, so
the demo takes the datasource's scrape interval as that step
(allintop.demo.history.scraped_as_history); with the 1 s learnt from the targets,
`rate(x[$__rate_interval])` would chart nothing of the imported past."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from allintop.dashboard.loading import bundled_path, load_dashboard
from allintop.demo.history import scraped_as_history
from allintop.demo.stack import DemoStack
from allintop.sources.prometheus import PrometheusClient
from allintop.ui.app import DashboardApp, make_app
from tests.tui.util import wait_for

pytestmark = pytest.mark.stack


def _past_filled(app: DashboardApp, index: int) -> float:
    """The share of the older half of the query's sparkline that has values."""
    history = app.history_of(index)
    if history is None or not history.series:
        return 0.0
    values = next(iter(history.series.values())).values()
    older = values[: len(values) // 2]
    return sum(v is not None for v in older) / max(len(older), 1)


@pytest.mark.parametrize("as_history", [True, False])
async def test_grafanas_rate_windows_chart_the_demos_imported_past(
    make_stack: Callable[..., DemoStack], as_history: bool
) -> None:
    # A stack of its own, just started as a user's demo is: the session's, older
    # than half the range, has real scrapes where the imported past was.
    stack = make_stack("healthy")
    dashboard = load_dashboard(bundled_path("allin-grafana"))
    if as_history:
        dashboard = scraped_as_history(dashboard)
    index = next(i for i, q in enumerate(dashboard.queries) if "$__rate_interval" in q.expr)
    app = make_app(dashboard, PrometheusClient(stack.prometheus_url))
    async with app.run_test(size=(160, 50)) as pilot:
        await wait_for(pilot, lambda: app.ticks >= 2, within=30, what="the backfill")
        await pilot.pause(1)
        if as_history:
            await wait_for(
                pilot, lambda: _past_filled(app, index) > 0.9, within=30, what="the past"
            )
        else:  # what the demo showed before: the imported past charted as gaps
            assert _past_filled(app, index) < 0.5
