"""Contexts of the user config, switched live with `c`: two real Prometheus servers,
each a context; the dashboard moves from one to the other, its history backfilled
from the new one and its variables reloaded."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

import pytest
from textual.widgets import OptionList, Select

from allintop.cli.parser import build_parser
from allintop.cli.setup import resolve
from allintop.ui.app import DashboardApp, make_app
from allintop.ui.cards.stat import StatCard
from tests.helpers import prom_query, wait_until
from tests.tui.util import screen_lines, screen_text, select_values, wait_for

pytestmark = pytest.mark.stack

DASHBOARD = """\
title: Which server
refresh: 1s
range: 5m
variables:
  instance: {query: 'label_values(up{job="prometheus"}, instance)'}
rows:
  - title: Self
    panels:
      - title: Scraped
        expr: sum by (instance) (up{job="prometheus", instance=~"$instance"})
        legend: "{{instance}}"
"""

USER_CONFIG = """\
default_context: first
contexts:
  first:
    dashboard: which.yaml
    datasource: {first}
  second:
    datasources:
      main: {{url: "{second}"}}
  locked:
    datasource: {{url: "{second}", auth: {{token_env: ALLINTOP_TEST_NO_SUCH_TOKEN}}}}
"""


def _servers(make_stack) -> tuple[str, str]:
    """Two Prometheus servers scraping only themselves: each one's own `instance`
    tells them apart."""
    first, second = (
        make_stack(with_backend=False, scrape_self=True, with_rules=False).prometheus_url
        for _ in range(2)
    )
    return first, second


def _instance(url: str) -> str:
    return urlsplit(url).netloc


def _card(app: DashboardApp) -> StatCard:
    return app.query_one(StatCard)


def _shows(app: DashboardApp, url: str) -> bool:
    state = _card(app).state
    return state is not None and any(s.name == _instance(url) for s in state.series)


def _points(app: DashboardApp) -> int:
    state = _card(app).state
    return 0 if state is None else sum(value is not None for value in state.history)


def _app(tmp_path: Path, first: str, second: str, *argv: str) -> DashboardApp:
    """The app as the command line builds it, with $XDG_CONFIG_HOME in tmp_path."""
    home = tmp_path / "xdg" / "allintop"
    home.mkdir(parents=True)
    (home / "which.yaml").write_text(DASHBOARD)
    (home / "config.yaml").write_text(USER_CONFIG.format(first=first, second=second))
    environ = {"XDG_CONFIG_HOME": str(tmp_path / "xdg")}
    launch = resolve(build_parser().parse_args(list(argv)), environ)
    return make_app(
        launch.dashboard,
        launch.datasources(),
        refresh=1.0,
        contexts=launch.contexts,
    )


async def test_c_switches_context_live_with_history_and_variables_from_the_new_servers(
    make_stack, tmp_path
) -> None:
    first, second = _servers(make_stack)
    # The second server's own past, for the backfill to find: 15 scrapes.
    wait_until(
        lambda: prom_query(second, 'count_over_time(up{job="prometheus"}[1m]) >= 15'),
        timeout=40,
        what="15 scrapes on the second server",
    )
    app = _app(tmp_path, first, second)
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for(pilot, lambda: _shows(app, first), within=30, what="the first server")
        assert "[first]" in screen_lines(app)[0]
        # A variable picked here (as on the / screen) means nothing on other servers.
        await app.set_variables({"instance": _instance(first)})
        await wait_for(pilot, lambda: app.ticks > 2, what="ticks on the first context")

        await pilot.press("c")
        await wait_for(pilot, lambda: bool(app.screen.query(OptionList)), what="the context picker")
        text = screen_text(app)
        assert "first  (current)" in text and "second" in text and "locked" in text
        await pilot.press("down", "enter")
        # The sparkline has the new server's past at once: backfilled, not grown a
        # point a tick (which would take 10 s for 10 points).
        await wait_for(
            pilot,
            lambda: _shows(app, second) and _points(app) >= 10,
            within=8,  # ticks would take 10 s for 10 points
            what="the second server's value and history",
        )
        assert len(app.screen_stack) == 1
        assert not _shows(app, first)
        assert app.queries.variables == {"instance": "all"}
        assert "[second] main" in screen_lines(app)[0]
        # The variables screen asks the new server for its values.
        await pilot.press("slash")
        await wait_for(pilot, lambda: bool(app.screen.query(Select)), what="variables")
        select = app.screen.query_one(Select)
        await wait_for(
            pilot,
            lambda: _instance(second) in select_values(select),
            what="the second server's instance among the options",
        )
        assert _instance(first) not in select_values(select)
        await pilot.press("escape")

        # A context that cannot be set up leaves the dashboard where it was.
        await pilot.press("c", "down", "enter")
        await wait_for(
            pilot,
            lambda: any("context locked not opened" in (n.title or "") for n in app.notifications),
            what="the refusal",
        )
        notes = " ".join(n.message for n in app.notifications)
        assert "$ALLINTOP_TEST_NO_SUCH_TOKEN is not set" in notes
        await pilot.press("escape")
        ticks = app.ticks
        await wait_for(pilot, lambda: app.ticks > ticks + 1, what="more ticks")
        assert _shows(app, second) and app.dashboard.context == "second"


async def test_context_option_starts_on_that_context(make_stack, tmp_path) -> None:
    first, second = _servers(make_stack)
    which = tmp_path / "xdg" / "allintop" / "which.yaml"
    app = _app(tmp_path, first, second, "--context", "second", "-c", str(which))
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for(pilot, lambda: _shows(app, second), within=30, what="the second server")
        assert "[second] main" in screen_lines(app)[0]


async def test_c_without_contexts_says_where_to_write_them(stack) -> None:
    from allintop.dashboard.loading import bundled_default_path, load_dashboard
    from allintop.sources.prometheus import PrometheusClient

    dashboard = load_dashboard(bundled_default_path())
    app = make_app(dashboard, PrometheusClient(stack.prometheus_url), refresh=1.0)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("c")
        await wait_for(pilot, lambda: bool(app.notifications), what="a notification")
        assert "~/.config/allintop/config.yaml" in app.notifications[-1].message
        assert len(app.screen_stack) == 1
