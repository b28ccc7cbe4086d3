"""Alerts and scrape targets on screen, against real Prometheus (and Alertmanager)."""

from __future__ import annotations

import time

import httpx
import pytest

from allintop.dashboard.loading import bundled_default_path, load_dashboard
from allintop.sources.alertmanager import AlertmanagerClient
from allintop.sources.prometheus import PrometheusClient
from allintop.ui.app import make_app
from allintop.ui.cards.stat import StatCard
from tests.helpers import SEED_RULES
from tests.tui.util import app_seconds, screen_lines, screen_text, wait_for

pytestmark = pytest.mark.stack

# The seed's rules with short for:/interval and 15s windows instead of 5m, so they
# go pending, fire and clear within seconds of the scenario switch.
FAST_RULES = {"rule_for": "3s", "rule_interval": "1s", "rule_window": "15s"}
# Each seed rule and the default panel it marks.
INCIDENT_RULES = {
    "HighErrorRate": "Success Rate",
    "SlowResponseTime": "P95 Response Time",
    "HighMemoryUsage": "Memory Usage",
    "HighEventLoopLag": "Event Loop Lag",
    "LowCacheHitRate": "Cache Hit Rate",
    "SlowDatabaseQueries": "DB Query P99",
}


assert set(INCIDENT_RULES) == SEED_RULES


def _app(url: str, **options):
    dashboard = load_dashboard(bundled_default_path())
    return make_app(dashboard, PrometheusClient(url), refresh=1.0, **options)


def _card(app, title: str) -> StatCard:
    return next(c for c in app.query(StatCard) if c.target.title == title)


def _bar(app) -> str:
    bar = app.query_one("#alerts-bar")
    return "\n".join(screen_lines(app)[:3]) if bar.display else ""


def _ready(app) -> bool:
    return all(c.state is not None and c.state.value is not None for c in app.query(StatCard))


async def test_incident_alerts_go_pending_then_firing_then_clear(make_stack):
    demo = make_stack("healthy", **FAST_RULES)
    app = _app(demo.prometheus_url)
    async with app.run_test(size=(120, 36)) as pilot:
        await wait_for(pilot, lambda: _ready(app), what="values")
        # Healthy: no alert, once the first alerts answer is in (on a busy machine it
        # can miss its first tick, and the bar says so until the next).
        await wait_for(pilot, lambda: _bar(app) == "", within=10, what="no alerts bar")
        demo.set_scenario("incident")
        card = _card(app, "Success Rate")
        await wait_for(
            pilot,
            lambda: "PENDING" in _bar(app) and "HighErrorRate" in _bar(app),
            within=30,
            what="HighErrorRate pending in the bar",
        )
        await wait_for(pilot, lambda: card.has_class("-pending") or card.has_class("-firing"))
        await wait_for(
            pilot,
            lambda: "FIRING" in _bar(app) and card.has_class("-firing"),
            within=20,
            what="HighErrorRate firing",
        )
        assert "▲ HighErrorRate" in card.detail_plain
        assert "▲ HighErrorRate" in screen_text(app)
        # Firing sorts before pending, critical before warning.
        assert app.state.active[0].state == "firing"

        def firing() -> set[str]:
            return {a.name for a in app.state.active if a.state == "firing"}

        await wait_for(pilot, lambda: firing() == set(INCIDENT_RULES), within=30, what="all six")
        for rule, title in INCIDENT_RULES.items():
            marked = _card(app, title)
            assert marked.has_class("-firing"), title
            assert rule in marked.detail_plain
        demo.set_scenario("healthy")
        await wait_for(
            pilot,
            lambda: (
                _bar(app) == "" and not any(c.has_class("-firing") for c in app.query(StatCard))
            ),
            within=60,
            what="alerts to clear after switching back to healthy",
        )
        assert "▲" not in screen_text(app)


async def test_alerts_screen_lists_every_rule_and_shows_its_expression(stack):
    app = _app(stack.prometheus_url)
    async with app.run_test(size=(120, 36)) as pilot:
        await wait_for(pilot, lambda: _ready(app))
        await pilot.press("a")
        await wait_for(pilot, lambda: "SlowDatabaseQueries" in screen_text(app), what="rules")
        text = screen_text(app)
        for rule in INCIDENT_RULES:
            assert rule in text
        assert "inactive" in text and "critical" in text
        assert "High 5xx error rate detected" in text  # summary annotation
        await pilot.press("enter")
        await wait_for(
            pilot, lambda: "fires after 2s pending" in screen_text(app), what="the rule screen"
        )
        assert "status_code=~" in screen_text(app)  # the rule's expression
        await pilot.press("escape")
        await pilot.press("escape")
        assert "Request Metrics" in screen_text(app)


async def test_no_rules_loaded_is_said_plainly(make_stack):
    bare = make_stack("healthy", with_rules=False)
    app = _app(bare.prometheus_url)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("a")
        await wait_for(
            pilot, lambda: "no alerting rules loaded" in screen_text(app), what="the no-rules note"
        )
        assert "rule_files" in screen_text(app)


async def test_backend_down_shows_on_targets_screen_and_panels(make_stack):
    demo = make_stack("healthy")
    app = _app(demo.prometheus_url)
    async with app.run_test(size=(120, 36)) as pilot:
        await wait_for(pilot, lambda: _ready(app))
        demo.stop_backend()
        await pilot.press("g")
        await wait_for(
            pilot,
            lambda: " down " in screen_text(app) and "connection refused" in screen_text(app),
            within=20,
            what="the target down with its scrape error",
        )
        assert "backend-api-dev" in screen_text(app)
        await pilot.press("escape")
        memory = _card(app, "Memory Usage")
        # Gauges go stale at once: no value, and the panel says why.
        await wait_for(
            pilot,
            lambda: memory.value_plain == "target down",
            within=20,
            what="the memory panel to say the target is down",
        )
        assert memory.detail_plain == "backend-api-dev down: connection refused"
        assert "target down" in screen_text(app)
        assert "backend-api-dev down: conn" in screen_text(app)  # cut to the card width
        # Its zoom says the same, not "no data".
        memory.focus()
        await pilot.press("enter")
        await wait_for(pilot, lambda: len(app.screen_stack) == 2, what="the zoom")
        await pilot.pause()
        assert "Memory Usage  target down" in screen_text(app).splitlines()[0]


def _silence(alertmanager_url: str, alertname: str) -> None:
    _silence_matchers(
        alertmanager_url, [{"name": "alertname", "value": alertname, "isRegex": False}]
    )


async def _memory_silenced(pilot, app) -> StatCard:
    memory = _card(app, "Memory Usage")
    await wait_for(
        pilot,
        lambda: "silenced: HighMemoryUsage" in _bar(app) and "(silenced)" in memory.detail_plain,
        within=40,
        what="HighMemoryUsage silenced in the bar and on its panel",
    )
    return memory


async def test_silenced_alert_is_shown_as_silenced(make_stack):
    demo = make_stack("incident", with_alertmanager=True, **FAST_RULES)
    _silence(demo.alertmanager_url, "HighMemoryUsage")
    app = _app(demo.prometheus_url, alertmanager=AlertmanagerClient(demo.alertmanager_url))
    async with app.run_test(size=(200, 40)) as pilot:
        memory = await _memory_silenced(pilot, app)
        assert not memory.has_class("-firing")
        # Other fires stay loud.
        await wait_for(pilot, lambda: _card(app, "Success Rate").has_class("-firing"), within=30)
        await pilot.press("a")
        await wait_for(pilot, lambda: "firing (silenced)" in screen_text(app))


def _silence_matchers(alertmanager_url: str, matchers: list[dict[str, object]]) -> None:
    now = time.time()
    body = {
        "matchers": matchers,
        "startsAt": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(now - 60)),
        "endsAt": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(now + 3600)),
        "createdBy": "allintop tests",
        "comment": "matched as Alertmanager matches",
    }
    httpx.post(f"{alertmanager_url}/api/v2/silences", json=body, timeout=5).raise_for_status()


async def test_silences_match_with_external_labels_set(make_stack):
    # Prometheus adds external labels only to what it sends Alertmanager, so its
    # /api/v1/alerts never carries them: matching label sets exactly, no silence
    # ever matched. Silences now match as Alertmanager matches them.
    demo = make_stack(
        "incident", with_alertmanager=True, external_labels={"cluster": "eu-1"}, **FAST_RULES
    )
    _silence_matchers(
        demo.alertmanager_url,
        [
            {"name": "alertname", "value": "HighMemoryUsage", "isRegex": False},
            {"name": "cluster", "value": "eu-.*", "isRegex": True},
        ],
    )
    # A silence for another cluster must not silence this one's alert.
    _silence_matchers(
        demo.alertmanager_url,
        [
            {"name": "alertname", "value": "HighErrorRate", "isRegex": False},
            {"name": "cluster", "value": "us-1", "isRegex": False},
        ],
    )
    app = _app(demo.prometheus_url, alertmanager=AlertmanagerClient(demo.alertmanager_url))
    async with app.run_test(size=(200, 40)) as pilot:
        await _memory_silenced(pilot, app)  # through a matcher on the external label
        await wait_for(pilot, lambda: "FIRING  HighErrorRate" in _bar(app), within=30)
        assert "HighErrorRate" not in _bar(app).split("silenced:")[-1]


async def test_an_alertmanager_that_cannot_be_asked_is_said(stack):
    from tests.faultserver import closed_port

    dead = AlertmanagerClient(f"http://127.0.0.1:{closed_port()}")
    app = _app(stack.prometheus_url, alertmanager=dead)
    async with app.run_test(size=(160, 30)) as pilot:
        await wait_for(
            pilot,
            # (not "cannot connect" alone: another process may take the closed port)
            lambda: "silences unknown: " in _bar(app),
            what="the bar to say Alertmanager cannot be asked",
        )


async def test_the_alert_list_is_called_stale_when_it_cannot_be_fetched(make_stack):
    from tests.faultproxy import UNAVAILABLE, fault_proxy

    demo = make_stack("incident", **FAST_RULES)
    with fault_proxy(demo.prometheus_url) as proxy:
        app = _app(proxy.url)
        async with app.run_test(size=(200, 40)) as pilot:
            await wait_for(pilot, lambda: "FIRING" in _bar(app), within=40, what="a fire")
            proxy.route(UNAVAILABLE, path="/api/v1/alerts")
            await wait_for(
                pilot, lambda: "STALE" in _bar(app), what="the bar to call the list stale"
            )
            bar = next(line for line in screen_lines(app) if "STALE" in line)
            assert "alerts as of" in bar and "unavailable" in bar and "FIRING" in bar
            await app_seconds(pilot, app, 4)  # its times would count on
            again = next(line for line in screen_lines(app) if "STALE" in line)
            assert again == bar, "times must not count on from a list that is stale"
            proxy.passthrough()
            await wait_for(pilot, lambda: "STALE" not in _bar(app), what="the list to recover")
