"""Explore (`e`, `E`), driven with Pilot against the real demo stack: a query typed
and run, its series and values on screen; a syntax error placed without running;
the server's metric names completed; a panel's query opened; ctrl+s."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from allintop.dashboard.loading import bundled_default_path, load_dashboard
from allintop.sources.prometheus import PrometheusClient
from allintop.ui.app import DashboardApp, make_app
from allintop.ui.screens.explore import ExploreScreen
from allintop.ui.screens.explore_prompt import Candidates, Prompt
from allintop.ui.screens.explore_results import ValuesTable
from allintop.ui.screens.zoom_chart import ZoomChart
from tests.tui.util import screen_text, wait_for

pytestmark = pytest.mark.stack

BY_ROUTE = "sum by (route) (rate(allin_http_requests_total[1m]))"
MINE = """\
# mine: this comment stays
refresh: 1s
range: 5m
rows:
  - title: Traffic
    panels:
      - title: Requests/sec
        expr: sum(rate(allin_http_requests_total[1m]))  # all routes
"""


@pytest.fixture(autouse=True)
def state_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Past queries go to the test's own state directory, never the user's."""
    state = tmp_path / "state"
    monkeypatch.setenv("XDG_STATE_HOME", str(state))
    return state


def _app(url: str, path: Path | None = None) -> DashboardApp:
    return make_app(load_dashboard(path or bundled_default_path()), PrometheusClient(url))


async def _type(pilot, text: str) -> None:
    await pilot.press(*text)


async def _open(pilot, app: DashboardApp, key: str = "e") -> ExploreScreen:
    await pilot.press(key)
    await wait_for(pilot, lambda: isinstance(app.screen, ExploreScreen), what="Explore")
    await pilot.pause()
    return app.screen  # type: ignore[return-value]


async def test_a_query_typed_and_run_shows_its_series_and_values(stack, state_home):
    app = _app(stack.prometheus_url)
    async with app.run_test(size=(120, 40)) as pilot:
        explore = await _open(pilot, app)
        assert explore.query_one(Prompt).has_focus
        await _type(pilot, BY_ROUTE)
        await pilot.press("enter")
        table = explore.query_one(ValuesTable)
        await wait_for(pilot, lambda: table.row_count > 0, what="the values")
        await pilot.pause()
        text = screen_text(app)
        # Each route a line of the chart and a row of the table, with its value now.
        assert '{route="/api/posts"}' in text and '{route="/api/auth/login"}' in text
        assert re.search(r'\{route="/api/posts"\}\s+\d+(\.\d+)?', text)
        chart = explore.query_one(ZoomChart)
        assert len(chart.data.lines) == table.row_count >= 3
        assert re.search(rf"\b{table.row_count} series\b", text)
        # Sorted by value, highest first; `o` on the table turns the order.
        values = [float(table.get_row_at(k)[1].plain.split()[0]) for k in range(table.row_count)]
        assert values == sorted(values, reverse=True)
        await pilot.press("ctrl+t")  # to the table
        assert table.has_focus
        await pilot.press("o")
        turned = [float(table.get_row_at(k)[1].plain.split()[0]) for k in range(table.row_count)]
        assert turned == sorted(turned)
        # Kept for the next run, and recalled with Up.
        assert (state_home / "allintop" / "explore_history").read_text() == BY_ROUTE + "\n"
        await pilot.press("tab")  # back to the prompt
        await pilot.press("ctrl+u")  # the prompt emptied
        assert explore.query_one(Prompt).value == ""
        await pilot.press("up")
        assert explore.query_one(Prompt).value == BY_ROUTE


async def test_a_syntax_error_shows_its_place_and_is_not_run(stack):
    app = _app(stack.prometheus_url)
    async with app.run_test(size=(100, 30)) as pilot:
        explore = await _open(pilot, app)
        await _type(pilot, "rate(up[5m]) +* 3")
        await pilot.pause()
        lines = screen_text(app).splitlines()
        at = next(k for k, line in enumerate(lines) if "invalid promql query" in line)
        # The query, and under it a caret at the "*" the parser stopped at.
        query_line = lines[at - 1]
        assert query_line.strip().startswith("rate(up[5m]) +* 3")
        assert lines[at].index("^") == query_line.index("*")
        assert "column 15" in lines[at]
        await pilot.press("enter")
        await pilot.pause(0.5)
        assert "not run" in screen_text(app)
        assert explore.query_one(ValuesTable).row_count == 0
        assert not explore.query_one(ZoomChart).data.lines
        # Finished right, the error goes.
        await pilot.press("backspace", "backspace", "backspace")  # "rate(up[5m]) +"
        await _type(pilot, " 3")
        await pilot.pause()
        assert "invalid promql query" not in screen_text(app)
        # What only the server rejects is run, and its message shown.
        await pilot.press("ctrl+u")
        await _type(pilot, "up[5m]")
        await pilot.press("enter")
        await wait_for(pilot, lambda: "range vector" in screen_text(app), what="its message")
        assert explore.query_one(ValuesTable).row_count == 0


async def test_metric_names_of_the_real_server_are_completed(stack):
    app = _app(stack.prometheus_url)
    async with app.run_test(size=(100, 30)) as pilot:
        explore = await _open(pilot, app)
        await _type(pilot, "rate(allin_http_req")
        offered = explore.query_one(Candidates)
        await wait_for(
            pilot,
            lambda: "allin_http_requests_total" in screen_text(app),
            what="the server's metric names offered",
        )
        assert offered.display
        assert "allin_http_request_duration_seconds_bucket" in screen_text(app)
        await pilot.press("tab")
        assert explore.query_one(Prompt).value.startswith("rate(allin_http_request_duration")
        # Then its labels, as the server has them for that metric.
        await _type(pilot, "{")
        await wait_for(pilot, lambda: "route" in screen_text(app), what="its label names")
        await _type(pilot, "rou")
        await pilot.press("tab")
        await _type(pilot, "=")
        await wait_for(pilot, lambda: "/api/posts" in screen_text(app), what="the routes")


async def test_e_types_letters_and_esc_closes_explore_only(stack):
    app = _app(stack.prometheus_url)
    async with app.run_test(size=(100, 30)) as pilot:
        explore = await _open(pilot, app)
        await _type(pilot, "sqetarg")  # the dashboard's keys: text here
        assert explore.query_one(Prompt).value == "sqetarg"
        assert app.screen is explore
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, ExploreScreen)
        assert app.is_running


async def test_E_opens_the_focused_panels_query(stack):
    app = _app(stack.prometheus_url)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        panel = app.board.focused_panel()
        assert panel is not None
        expr = app.queries.exprs[panel.indexes.start]
        explore = await _open(pilot, app, "E")
        assert explore.query_one(Prompt).value == expr
        assert "$" not in expr  # the variables filled in
        await pilot.press("enter")
        table = explore.query_one(ValuesTable)
        await wait_for(pilot, lambda: table.row_count > 0, what="the panel's values")


async def test_ctrl_s_appends_to_the_users_panels_yaml_and_refuses_a_bundled_one(stack, tmp_path):
    app = _app(stack.prometheus_url)
    async with app.run_test(size=(100, 30), notifications=True) as pilot:
        await _open(pilot, app)
        await _type(pilot, "up")
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: "bundled" in screen_text(app), what="the refusal")
        said = " ".join(screen_text(app).split())
        assert "bundled with allintop" in said and "-o FILE" in said
    path = tmp_path / "panels.yaml"
    path.write_text(MINE)
    app = _app(stack.prometheus_url, path)
    async with app.run_test(size=(100, 30)) as pilot:
        await _open(pilot, app)
        await _type(pilot, BY_ROUTE)
        await pilot.press("ctrl+s")
        await pilot.pause()
        text = path.read_text()
        assert text.startswith(MINE)  # every line of the user's as it was
        assert "- title: Explore" in text and f"expr: {BY_ROUTE}" in text
        dashboard = load_dashboard(path)
        assert [row.title for row in dashboard.rows] == ["Traffic", "Explore"]
        # The dashboard reloads its file: the new row is on the board.
        await wait_for(
            pilot,
            lambda: not isinstance(app.screen, ExploreScreen) and "Explore" in screen_text(app),
            what="the reloaded dashboard with the row Explore",
        )
        assert len(app.dashboard.queries) == 2


async def test_a_result_is_cut_at_the_series_cap_and_says_so(stack):
    app = _app(stack.prometheus_url)
    async with app.run_test(size=(120, 40)) as pilot:
        explore = await _open(pilot, app)
        await _type(pilot, "allin_http_request_duration_seconds_bucket")
        await pilot.press("enter")
        table = explore.query_one(ValuesTable)
        await wait_for(pilot, lambda: table.row_count > 0, what="the values")
        await pilot.pause()
        said = re.search(r"the first (\d+) of (\d+) series", screen_text(app))
        assert said is not None, screen_text(app)
        cap = app.poller.max_series
        assert int(said[1]) == cap < int(said[2])
        assert "series cap" in screen_text(app)
        assert table.row_count == cap == len(explore.query_one(ZoomChart).data.lines)


TWO = """\
refresh: 1s
range: 5m
datasources:
  main: {url: "http://127.0.0.1:1"}
  other: {url: "http://127.0.0.1:1"}
rows:
  - title: R
    panels:
      - {title: Elsewhere, expr: up, datasource: other}
      - {title: Here, expr: up}
"""


async def test_explore_asks_the_focused_panels_datasource(stack, tmp_path):
    from allintop.live.datasources import Datasources
    from tests.faultserver import closed_port

    path = tmp_path / "panels.yaml"
    path.write_text(TWO)
    clients = {
        "main": PrometheusClient(stack.prometheus_url),
        "other": PrometheusClient(f"http://127.0.0.1:{closed_port()}"),
    }
    app = make_app(load_dashboard(path), Datasources(clients, "main"))
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        assert app.board.focused_panel().title == "Elsewhere"
        explore = await _open(pilot, app, "E")
        assert "on other" in screen_text(app)
        await pilot.press("enter")
        await wait_for(pilot, lambda: "refused" in screen_text(app), what="other's error")
        assert explore.query_one(ValuesTable).row_count == 0
        await pilot.press("escape")
        await pilot.press("right")  # to the panel on the default datasource
        await pilot.pause()
        assert app.board.focused_panel().title == "Here"
        explore = await _open(pilot, app)
        assert "on main" in screen_text(app)
        await _type(pilot, "up")
        await pilot.press("enter")
        table = explore.query_one(ValuesTable)
        await wait_for(pilot, lambda: table.row_count > 0, what="main's answer")
