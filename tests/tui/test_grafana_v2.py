"""A Grafana schema v2 dashboard in the TUI against the demo's real Prometheus and
AllIN backend: the AllIN overview with one tab per section (the repository's own
fixture) shows values on its first tab and asks nothing of the others; `]` and `[`
switch tabs, the header names the tab shown, and the new tab's panels are asked and
show values. A row Grafana shows only while a variable has some value (conditional
rendering) is shown or hidden as the variable is picked.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import pytest
from textual.widget import Widget

from allintop.dashboard.loading import load_dashboard
from allintop.demo.stack import DemoStack
from allintop.live.reports import QueryState
from allintop.sources.prometheus import PrometheusClient
from allintop.ui.app import DashboardApp, make_app
from tests.tui.util import screen_text, wait_for

pytestmark = pytest.mark.stack

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "grafana-v2"
SIZE = (160, 50)


def _states(widget: Widget) -> Mapping[int, QueryState]:
    """The states a tile draws: a stat card's one, the other kinds' each."""
    states = getattr(widget, "states", None)
    if states is not None:
        return states
    state = getattr(widget, "state", None)
    return {} if state is None else {0: state}


def _tab_panels(app: DashboardApp, tab: int) -> list[Widget]:
    """The tiles of the dashboard's tab `tab` in its expanded rows (text panels left
    out: they ask nothing)."""
    rows = [n for n in app.dashboard.tabs[tab].rows if not app.dashboard.rows[n].collapsed]
    return [p.card for p in app.board.panels if p.row in rows and p.kind != "text"]


def _all_show(app: DashboardApp, tab: int) -> bool:
    return all(
        any(state.series for state in _states(card).values()) for card in _tab_panels(app, tab)
    )


async def test_allin_overview_v2_shows_values_and_switches_tabs(stack: DemoStack) -> None:
    dashboard = load_dashboard(FIXTURES / "allin-overview-v2beta1.json")
    assert [tab.title for tab in dashboard.tabs] == ["Requests", "System", "Application"]
    app = make_app(dashboard, PrometheusClient(stack.prometheus_url), refresh=2.0)
    async with app.run_test(size=SIZE) as pilot:
        header = lambda: str(app.header.left.content)  # noqa: E731
        assert "[1/3 Requests]" in header()
        await wait_for(pilot, lambda: _all_show(app, 0), 40, "values on the first tab")
        text = screen_text(app)
        assert "Requests/sec" in text and "req/s" in text
        assert "CPU Usage" not in text, "another tab's panel is on the board"
        later = [_states(card) for tab in (1, 2) for card in _tab_panels(app, tab)]
        assert not any(later), "another tab's panels were asked"

        await pilot.press("right_square_bracket")
        await wait_for(pilot, lambda: "[2/3 System]" in header(), 5, "the header names System")
        await wait_for(pilot, lambda: _all_show(app, 1), 40, "values on the System tab")
        text = screen_text(app)
        assert "CPU Usage" in text and "Event Loop Lag" in text
        assert "Requests/sec" not in text and "P95 Response Time" not in text

        await pilot.press("left_square_bracket", "left_square_bracket")
        await wait_for(pilot, lambda: "[3/3 Application]" in header(), 5, "round to the last")
        await wait_for(pilot, lambda: _all_show(app, 2), 40, "values on the Application tab")
        assert "Cache Hit Rate" in screen_text(app) and "▸ Details" in screen_text(app)
        assert "internal error" not in screen_text(app)
        assert not [n for n in app.notifications if n.severity == "error"]

        await pilot.press("question_mark")  # the help screen lists the keys
        await wait_for(pilot, lambda: "next tab of a dashboard" in screen_text(app), 5, "help")
        assert "previous tab" in screen_text(app)

        # Under the zoom, the board's keys do nothing: the tab and the focus stay.
        await pilot.press("escape")
        await pilot.pause(0.2)
        await pilot.press("tab", "tab")
        focused = app.board.focused_panel()
        assert focused is not None
        await pilot.press("enter")
        await wait_for(pilot, lambda: len(app.screen_stack) == 2, 5, "the zoom")
        await pilot.press("right", "down", "right_square_bracket")
        await pilot.pause(0.2)
        await pilot.press("escape")
        await wait_for(pilot, lambda: len(app.screen_stack) == 1, 5, "the board again")
        assert "[3/3 Application]" in header()
        assert app.board.focused_panel() == focused


@pytest.mark.parametrize(("env", "shown"), [("prod", True), ("staging", False)])
async def test_a_conditional_row_follows_its_variable(
    stack: DemoStack, env: str, shown: bool
) -> None:
    dashboard = load_dashboard(FIXTURES / "rows-layout-v2alpha1.json")
    client = PrometheusClient(stack.prometheus_url)
    app = make_app(dashboard, client, variables={"env": env}, refresh=2.0)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: "Requests/sec" in screen_text(app), 20, "the first row")
        await pilot.pause(0.5)
        assert ("Production only" in screen_text(app)) == shown
        assert ("Cache Hit Rate" in screen_text(app)) == shown
        await app.set_variables({"env": "staging" if shown else "prod"})
        await wait_for(
            pilot,
            lambda: ("Production only" in screen_text(app)) != shown,
            10,
            "the row to follow the variable",
        )
