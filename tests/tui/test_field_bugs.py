"""What a new user hit in the first hour, in the real app on a real Prometheus.

Zoom on panels without a value, a live resize, a panel whose expression does not
parse, a hung Prometheus, and the alert rule's details: each drives the app with
Pilot and reads what the screen shows.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from rich.style import Style
from textual.app import App

from allintop.dashboard.loading import bundled_default_path, load_dashboard
from allintop.dashboard.model import Dashboard
from allintop.sources.prometheus import PrometheusClient
from allintop.ui import layout
from allintop.ui.alerts_bar import BAR_STYLES
from allintop.ui.app import DashboardApp, make_app
from allintop.ui.cards.stat import StatCard
from allintop.ui.screens.alerts import AlertsScreen, RuleScreen
from allintop.ui.screens.zoom import MARK_STYLES, STATUS_STYLES, ZoomScreen
from allintop.ui.theme import resolve
from tests.faultproxy import fault_proxy, slow
from tests.tui.util import app_seconds, screen_text, wait_for

pytestmark = pytest.mark.stack

FINE, EMPTY, REJECTED, UNPARSED = "Up targets", "Missing metric", "Bad regex", "Unclosed"
BROKEN = f"""\
refresh: 1s
range: 1m
rows:
  - title: Broken panels
    panels:
      - title: {FINE}
        expr: count(up)
      - title: {EMPTY}
        expr: sum(no_such_metric_anywhere)
        thresholds: {{target: "<1", alert: ">5"}}
      - title: {REJECTED}
        expr: label_replace(up, "a", "$1", "job", "(")
      - title: {UNPARSED}
        expr: sum(rate(up[1m])
"""


def _dashboard(tmp_path: Path, text: str = BROKEN) -> Dashboard:
    path = tmp_path / "panels.yaml"
    path.write_text(text)
    return load_dashboard(path)


def _card(app: DashboardApp, title: str) -> StatCard:
    return next(c for c in app.query(StatCard) if c.target.title == title)


def _settled(app: DashboardApp) -> bool:
    return all(c.state is not None for c in app.query(StatCard))


# -- 1: zoom on a panel without a value ------------------------------------------------


def test_every_theme_colour_the_app_uses_is_a_style_rich_can_draw():
    # `$text-muted` is "auto 60%" in Textual's themes: as a Rich style it raised
    # MissingStyle and took the zoom screen down with it.
    app = App()
    styles = [*STATUS_STYLES.values(), *MARK_STYLES.values(), *BAR_STYLES.values()]
    styles += ["bold $success", "bold $warning", "bold $error", "dim"]
    for theme in app.available_themes:
        app.theme = theme
        variables = app.get_css_variables()
        for style in styles:
            resolved = resolve(style, variables)
            Style.parse(resolved)  # raises if Rich cannot draw it
            assert "$" not in resolved and resolved, (theme, style, resolved)


async def test_zoom_on_panels_without_a_value_shows_why_and_never_crashes(stack, tmp_path):
    app = make_app(_dashboard(tmp_path), PrometheusClient(stack.prometheus_url), refresh=1.0)
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for(pilot, lambda: _settled(app), what="every panel to settle")
        for title, expected in (
            (EMPTY, "no data"),
            (REJECTED, "query error"),
            (UNPARSED, "parse error"),
            (FINE, FINE),
        ):
            _card(app, title).focus()
            await pilot.press("enter")
            assert isinstance(app.screen, ZoomScreen), title
            await wait_for(pilot, lambda e=expected: e in screen_text(app), what=expected)
            assert title in screen_text(app)
            ticks = app.ticks
            await wait_for(pilot, lambda t=ticks: app.ticks >= t + 2, what="two ticks zoomed")
            await pilot.press("escape")
            assert not isinstance(app.screen, ZoomScreen)
        assert app.return_code is None and app.is_running


async def test_zoom_survives_prometheus_going_away_and_coming_back(stack, tmp_path):
    with fault_proxy(stack.prometheus_url) as proxy:
        app = make_app(_dashboard(tmp_path), PrometheusClient(proxy.url, timeout=2.0), refresh=1.0)
        async with app.run_test(size=(100, 30)) as pilot:
            await wait_for(pilot, lambda: _card(app, FINE).state is not None, what="a value")
            _card(app, FINE).focus()
            await pilot.press("enter")
            proxy.refuse()
            await wait_for(
                pilot, lambda: "unreachable" in screen_text(app), what="the zoom to say so"
            )
            assert isinstance(app.screen, ZoomScreen)
            proxy.passthrough()
            await wait_for(
                pilot,
                lambda: "unreachable" not in screen_text(app),
                within=15,
                what="the zoom to recover",
            )
            assert app.return_code is None and app.is_running


def test_a_crash_inside_the_app_is_not_a_clean_exit(monkeypatch):
    # Textual records return code 1 when a handler raises and ends the app: the
    # command must pass it on, not exit 0 as if the user had pressed q.
    from allintop.cli import main as cli
    from allintop.cli.commands import dashboard as command

    def crashed(self: DashboardApp) -> None:
        self.exit(return_code=1)  # as Textual ends an app a handler crashed

    monkeypatch.setattr(DashboardApp, "run", crashed)
    monkeypatch.setattr(command, "exit_on_signals", lambda app, cleanup=None: None)
    assert cli.main(["--url", "http://127.0.0.1:9"], environ={}) == 1


# -- 5: an expression that does not parse ----------------------------------------------


async def test_a_broken_expression_starts_the_dashboard_and_zoom_points_at_it(stack, tmp_path):
    app = make_app(_dashboard(tmp_path), PrometheusClient(stack.prometheus_url), refresh=1.0)
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for(pilot, lambda: _settled(app), what="every panel to settle")
        # The rest works (a just-started server may have no sample on the first tick).
        await wait_for(pilot, lambda: _card(app, FINE).state.value is not None, what="a value")
        broken = _card(app, UNPARSED)
        assert broken.value_plain == "query error: bad_data"
        # Prometheus' own message, with the position of the problem.
        assert re.search(r"1:\d+: parse error: unclosed left parenthesis", broken.detail_plain)
        broken.focus()
        await pilot.press("enter")
        await wait_for(pilot, lambda: "^ " in screen_text(app), what="the caret")
        lines = screen_text(app).splitlines()
        expr_line = next(i for i, line in enumerate(lines) if "sum(rate(up[1m])" in line)
        caret = lines[expr_line + 1]
        column = int(re.search(r"1:(\d+):", broken.detail_plain)[1])
        start = lines[expr_line].index("sum(rate(up[1m])")
        assert caret.index("^") == start + column - 1, (lines[expr_line], caret)


# -- 4: live resize --------------------------------------------------------------------


def _expected(app: DashboardApp) -> layout.Layout:
    body = app.query_one("#rows")
    return layout.plan(
        body.size.width, body.size.height, [len(r.queries) for r in app.dashboard.rows]
    )


@pytest.mark.parametrize(("before", "after"), [((120, 40), (200, 60)), ((80, 24), (200, 60))])
async def test_a_live_resize_lays_the_cards_out_for_the_new_size(stack, before, after):
    dashboard = load_dashboard(bundled_default_path())
    app = make_app(dashboard, PrometheusClient(stack.prometheus_url), refresh=1.0)
    async with app.run_test(size=before) as pilot:
        await wait_for(pilot, lambda: _settled(app), what="the first values")
        await pilot.resize_terminal(*after)
        cards = list(app.query(StatCard))

        def laid_out_anew() -> bool:
            if app.query_one("#rows").region.right <= before[0]:
                return False  # the new size has not reached the rows yet
            return {c.region.height for c in cards} == {_expected(app).card_height}

        await wait_for(pilot, laid_out_anew, what="the cards laid out for the new size")
        plan = _expected(app)
        # As wide as the new terminal allows, and no blank band under the last row.
        assert max(c.region.right for c in cards) > after[0] - layout.MIN_CARD_WIDTH
        body = app.query_one("#rows").region
        assert body.bottom - max(c.region.bottom for c in cards) < plan.card_height
        assert all(len(c.spark_plain()) == plan.sparkline_height > 1 for c in cards)


# -- 7: a hung Prometheus --------------------------------------------------------------


async def test_a_hung_prometheus_is_called_overdue_not_live(stack, tmp_path):
    with fault_proxy(stack.prometheus_url) as proxy:
        client = PrometheusClient(proxy.url, timeout=10.0)
        app = make_app(_dashboard(tmp_path), client, refresh=1.0)
        async with app.run_test(size=(100, 30)) as pilot:
            await wait_for(pilot, lambda: "● live" in screen_text(app), what="live")
            proxy.route(slow(30.0), path="/api/v1/query")
            await wait_for(
                pilot,
                lambda: re.search(r"● overdue \d+s", screen_text(app)) is not None,
                within=6,
                what="the header to say the poll is overdue",
            )
            first = int(re.search(r"overdue (\d+)s", screen_text(app))[1])
            await app_seconds(pilot, app, 3)
            assert int(re.search(r"overdue (\d+)s", screen_text(app))[1]) > first
            proxy.passthrough()
            await wait_for(pilot, lambda: "● live" in screen_text(app), within=15, what="live")


# -- 8: an alert rule's details ---------------------------------------------------------


async def test_alert_details_render_the_instance_annotations_and_name_for_plainly(make_stack):
    incident = make_stack("incident", rule_for="10s", rule_interval="1s", rule_window="15s")
    dashboard = load_dashboard(bundled_default_path())
    app = make_app(dashboard, PrometheusClient(incident.prometheus_url), refresh=1.0)
    async with app.run_test(size=(140, 40)) as pilot:
        await pilot.press("a")
        screen = app.screen
        assert isinstance(screen, AlertsScreen)

        def active() -> bool:
            return any(r.name == "HighErrorRate" and r.alerts for r in screen.rules)

        await wait_for(pilot, active, within=40, what="HighErrorRate to be active")
        screen.query_one("DataTable").move_cursor(
            row=next(i for i, r in enumerate(screen.rules) if r.name == "HighErrorRate")
        )
        await wait_for(pilot, lambda: "errors per second" in screen_text(app), what="details")
        text = screen_text(app)
        assert "{{" not in text, "a raw template is shown instead of the rendered text"
        assert "errors per second" in text
        assert not re.search(r"\d\.\d{6,}", text), "a float printed with every digit"
        await pilot.press("enter")
        assert isinstance(app.screen, RuleScreen)
        detail = screen_text(app)
        assert "fires after 10s pending" in detail
        assert "{{" not in detail and "errors per second" in detail
        assert not re.search(r"\d\.\d{6,}", detail)
