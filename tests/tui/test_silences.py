"""Silences from the alerts screen, against the demo's real Prometheus and Alertmanager:
the form (S), what it previews, Alertmanager's refusals, the silences view (l) with
expire and extend, and an Alertmanager that goes away."""

from __future__ import annotations

import re

import httpx
import pytest

from allintop.dashboard.loading import bundled_default_path, load_dashboard
from allintop.demo.children import stop_children
from allintop.sources.alertmanager import AlertmanagerClient
from allintop.sources.prometheus import PrometheusClient
from allintop.ui.app import make_app
from tests.tui.util import screen_text, wait_for

pytestmark = pytest.mark.stack

FAST_RULES = {"rule_for": "3s", "rule_interval": "1s", "rule_window": "15s"}


def _app(url: str, **options):
    dashboard = load_dashboard(bundled_default_path())
    return make_app(dashboard, PrometheusClient(url), refresh=1.0, **options)


def _silences(alertmanager_url: str) -> list[dict]:
    response = httpx.get(f"{alertmanager_url}/api/v2/silences", timeout=5)
    response.raise_for_status()
    return response.json()


def _active(alertmanager_url: str) -> list[dict]:
    return [s for s in _silences(alertmanager_url) if s["status"]["state"] == "active"]


def _bar(app) -> str:
    return screen_text(app).split("\n", 3)[1] if app.query_one("#alerts-bar").display else ""


async def _alerts_screen_on_firing(pilot, app) -> None:
    """The alerts screen, its cursor on a firing rule (firing rules come first)."""
    await pilot.press("a")
    await wait_for(
        pilot,
        lambda: (
            any(r.state == "firing" for g in app.state.rule_groups for r in g.rules)
            and "firing" in screen_text(app)
        ),
        within=40,
        what="a firing rule on the alerts screen",
    )


def _highlighted(app) -> str:
    """The alert name of the alerts screen's highlighted row, as its detail line
    and the first column show it."""
    table = app.screen.query_one("#alerts-table")
    return str(table.get_row_at(table.cursor_row)[1])


async def test_s_a_comment_and_enter_silence_the_alert(make_stack):
    demo = make_stack("incident", with_alertmanager=True, **FAST_RULES)
    app = _app(demo.prometheus_url, alertmanager=AlertmanagerClient(demo.alertmanager_url))
    async with app.run_test(size=(120, 40)) as pilot:
        await _alerts_screen_on_firing(pilot, app)
        name = _highlighted(app)
        await pilot.press("S")
        await wait_for(pilot, lambda: f"Silence {name}" in screen_text(app), what="the form")
        text = screen_text(app)
        assert f'alertname="{name}"' in text
        assert f'▌ alertname="{name}"' in text  # the tick, then the matcher: no "…"
        assert "firing or pending" in text
        assert "a comment is required" in text
        await wait_for(
            pilot, lambda: "current alert" in screen_text(app), what="the preview of the silence"
        )
        assert f"  {name} " in screen_text(app)  # the alert it silences, named
        # Letters type into the comment (it has the focus): q, s and S are not keys here.
        await pilot.press(*"quiet: deploy in progress S")
        await wait_for(pilot, lambda: "a comment is required" not in screen_text(app))
        await pilot.press("enter")
        await wait_for(pilot, lambda: bool(_active(demo.alertmanager_url)), what="the silence")
        [made] = _active(demo.alertmanager_url)
        assert made["comment"] == "quiet: deploy in progress S"
        assert {"name": "alertname", "value": name, "isRegex": False, "isEqual": True} in made[
            "matchers"
        ]
        # On the alerts screen: silenced, by whom, until when and why.
        await wait_for(
            pilot,
            lambda: "(silenced)" in screen_text(app) and "deploy in progress" in screen_text(app),
            within=20,
            what="the rule shown silenced with its silence",
        )
        assert "silenced by " in screen_text(app)
        await pilot.press("escape")
        await wait_for(
            pilot,
            lambda: "silenced: " in _bar(app) and name in _bar(app).split("silenced: ")[1],
            what="the alert silenced on the dashboard",
        )
        assert app.state.is_silenced(name)
        # Who and until when, in the bar too (the why as well, where it fits).
        silenced = _bar(app).split("silenced: ")[1]
        assert f"{name} (" in silenced and " until " in silenced, silenced


async def test_the_form_previews_says_and_esc_cancels(make_stack):
    demo = make_stack("incident", with_alertmanager=True, **FAST_RULES)
    app = _app(demo.prometheus_url, alertmanager=AlertmanagerClient(demo.alertmanager_url))
    # Tall enough for the whole form however many alerts fire (one matcher line per
    # label value of theirs).
    async with app.run_test(size=(100, 60)) as pilot:
        await _alerts_screen_on_firing(pilot, app)
        name = _highlighted(app)
        await pilot.press("S")
        await wait_for(pilot, lambda: f"Silence {name}" in screen_text(app), what="the form")
        # A matcher that matches nothing: a warning, not a refusal.
        app.screen.query_one("#more").value = 'instance="no-such-instance"'
        await wait_for(pilot, lambda: "matches no alert firing or pending now" in screen_text(app))
        # A regex Alertmanager cannot read: its own 400 message, in the form.
        app.screen.query_one("#more").value = 'job=~"("'
        app.screen.query_one("#comment").value = "testing"
        await pilot.press("enter")
        await wait_for(
            pilot,
            lambda: "invalid regular expression" in screen_text(app),
            what="Alertmanager's 400 message",
        )
        assert "refused the silence (HTTP 400)" in screen_text(app)
        assert _active(demo.alertmanager_url) == []
        await pilot.press("escape")  # closes the form only
        await wait_for(pilot, lambda: "Alert rules" in screen_text(app))
        assert f"Silence {name}" not in screen_text(app)
        assert _active(demo.alertmanager_url) == []


async def test_silences_view_lists_extends_and_expires(make_stack):
    demo = make_stack("incident", with_alertmanager=True, **FAST_RULES)
    client = AlertmanagerClient(demo.alertmanager_url)
    app = _app(demo.prometheus_url, alertmanager=client)
    async with app.run_test(size=(120, 34)) as pilot:
        await _alerts_screen_on_firing(pilot, app)
        await pilot.press("S")
        await wait_for(pilot, lambda: "Silence " in screen_text(app), what="the form")
        await pilot.press(*"on it")
        await pilot.press("enter")
        await wait_for(pilot, lambda: bool(_active(demo.alertmanager_url)), what="the silence")
        [made] = _active(demo.alertmanager_url)
        await wait_for(pilot, lambda: "Alert rules" in screen_text(app))
        await pilot.press("l")
        await wait_for(pilot, lambda: made["id"][:8] in screen_text(app), what="the silences")
        assert "on it" in screen_text(app) and "active" in screen_text(app)
        await pilot.press("plus")
        await wait_for(pilot, lambda: "extended" in screen_text(app), what="the extension")
        [longer] = _active(demo.alertmanager_url)
        assert longer["id"] == made["id"] and longer["endsAt"] > made["endsAt"]
        await pilot.press("x")
        await wait_for(pilot, lambda: "Expire the silence" in screen_text(app))
        await pilot.press("n")  # no: nothing happens
        await pilot.pause(0.3)
        assert _active(demo.alertmanager_url) != []
        await pilot.press("x")
        await wait_for(pilot, lambda: "Expire the silence" in screen_text(app))
        await pilot.press("y")
        await wait_for(pilot, lambda: _active(demo.alertmanager_url) == [], what="expired")
        await wait_for(pilot, lambda: "no active or pending silences" in screen_text(app))


async def test_an_alertmanager_that_goes_away_is_said_in_the_form(make_stack):
    demo = make_stack("incident", with_alertmanager=True, **FAST_RULES)
    app = _app(demo.prometheus_url, alertmanager=AlertmanagerClient(demo.alertmanager_url))
    # Lower than the form: what Enter led to must be scrolled into sight.
    async with app.run_test(size=(100, 18)) as pilot:
        await _alerts_screen_on_firing(pilot, app)
        await pilot.press("S")
        # Scrolled to the comment, which has the focus; the title is above it.
        await wait_for(pilot, lambda: "why (required)" in screen_text(app), what="the form")
        stop_children([demo.alertmanager])
        await pilot.press(*"anyone there")
        await pilot.press("enter")
        await wait_for(
            pilot,
            # Refused, or broken if a kept-alive connection was in use: both say so.
            lambda: (
                re.search(r"cannot connect to|connection to \S+ broke", screen_text(app))
                is not None
            ),
            what="the form to say Alertmanager cannot be reached",
        )
        assert "created by" in screen_text(app)  # the form stays, its text kept
        assert app.screen.query_one("#comment").value == "anyone there"
        await pilot.press("escape")
        await pilot.press("l")
        await wait_for(pilot, lambda: "cannot list the silences" in screen_text(app))


async def test_without_alertmanager_the_form_says_so(stack):
    app = _app(stack.prometheus_url)
    async with app.run_test(size=(120, 34)) as pilot:
        await pilot.press("a")
        await wait_for(pilot, lambda: "HighErrorRate" in screen_text(app), what="rules")
        await pilot.press("S")
        await wait_for(pilot, lambda: "Silence " in screen_text(app), what="the form")
        assert "nothing fires now" in screen_text(app)
        await pilot.press(*"later")
        await pilot.press("enter")
        await wait_for(pilot, lambda: "no Alertmanager configured" in screen_text(app))


async def test_the_help_and_the_palette_know_the_alerts_screen_keys(stack):
    app = _app(stack.prometheus_url)
    async with app.run_test(size=(100, 60)) as pilot:
        await pilot.press("question_mark")
        await wait_for(pilot, lambda: "allintop — keys" in screen_text(app), what="the help")
        await pilot.press("end")
        await wait_for(
            pilot,
            lambda: re.search(r"│\s+S\s{2,}on the alerts screen", screen_text(app)),
            what="S in the help",
        )
        await pilot.press("escape")
        await pilot.press("a")
        await wait_for(pilot, lambda: "HighErrorRate" in screen_text(app), what="rules")
        await pilot.press("ctrl+p")
        await wait_for(pilot, lambda: "Search for commands" in screen_text(app), what="palette")
        await pilot.press(*"silence alert")
        await wait_for(pilot, lambda: "S  on the alerts screen" in screen_text(app))
        await pilot.press("enter")
        await wait_for(pilot, lambda: "Silence " in screen_text(app), what="the form")
        # On the dashboard the palette does not offer what only the alerts screen does.
        await pilot.press("escape", "escape")
        await wait_for(pilot, lambda: len(app.screen_stack) == 1, what="the dashboard")
        await pilot.press("ctrl+p")
        await wait_for(pilot, lambda: "Search for commands" in screen_text(app), what="palette")
        await pilot.press(*"silence alert")
        await pilot.pause(0.5)
        assert "S  on the alerts screen" not in screen_text(app)
