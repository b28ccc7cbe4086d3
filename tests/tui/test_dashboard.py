"""The live dashboard, driven with Pilot against the real demo stack."""

from __future__ import annotations

import math
import re

import pytest

from allintop.dashboard.loading import bundled_default_path, load_dashboard
from allintop.sources.prometheus import PrometheusClient
from allintop.ui.app import make_app
from allintop.ui.cards.stat import StatCard
from tests.faultserver import closed_port
from tests.tui.util import app_seconds, screen_lines, screen_text, wait_for

pytestmark = pytest.mark.stack

SEED_TITLES = [
    "Requests/sec",
    "Success Rate",
    "P95 Response Time",
    "Active Connections",
    "CPU Usage",
    "Memory Usage",
    "Event Loop Lag",
    "Heap Usage",
    "Cache Hit Rate",
    "DB Query P99",
    "OAuth Success Rate",
]
NUMBER_WITH_UNIT = re.compile(r"^-?\d[\d.,]*k?( (req/s|%|ms|s|MB|GB))?$")


def _app(url: str, **options):
    dashboard = load_dashboard(bundled_default_path())
    return make_app(dashboard, PrometheusClient(url), refresh=1.0, **options)


def _cards(app) -> list[StatCard]:
    return list(app.query(StatCard))


def _all_have_values(app) -> bool:
    return all(card.state is not None and card.state.value is not None for card in _cards(app))


def _thresholded(app) -> list[StatCard]:
    return [card for card in _cards(app) if card.target.thresholds is not None]


async def test_every_seed_panel_shows_a_number_and_unit_and_healthy_is_green(stack):
    app = _app(stack.prometheus_url)
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for(pilot, lambda: _all_have_values(app), what="every panel to show a value")
        text = screen_text(app)
        for title in SEED_TITLES:
            assert title in text, f"{title!r} not on screen"
        for card in _cards(app):
            assert NUMBER_WITH_UNIT.match(card.value_plain), (card.target.title, card.value_plain)
            # What the card shows on screen is that same value.
            assert card.value_plain in screen_text(app)
        assert len(_thresholded(app)) >= 8
        await wait_for(
            pilot,
            lambda: all(card.has_class("-ok") for card in _thresholded(app)),
            what="every thresholded panel to be green under 'healthy'",
        )
        # A value with nothing to judge it against is not painted green.
        unjudged = [c for c in _cards(app) if c.target.thresholds is None]
        assert unjudged and all(c.has_class("-plain") for c in unjudged)
        # Live between ticks; a tick late on a loaded machine is "overdue" for a moment.
        await wait_for(pilot, lambda: "● live" in screen_lines(app)[0], what="live")


async def test_incident_turns_broken_panels_red(make_stack):
    incident = make_stack("incident")
    app = _app(incident.prometheus_url)
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for(pilot, lambda: _all_have_values(app), what="values")
        broken = {"P95 Response Time", "Success Rate", "Memory Usage", "Event Loop Lag"}
        broken |= {"Cache Hit Rate", "CPU Usage", "P50 Response Time", "P99 Response Time"}

        def red() -> set[str]:
            return {c.target.title for c in _cards(app) if c.has_class("-critical")}

        await wait_for(pilot, lambda: broken <= red(), within=30, what=f"{broken} red")


async def test_sparklines_slide_with_each_tick(stack):
    app = _app(stack.prometheus_url, range_=60.0)
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for(pilot, lambda: _all_have_values(app))
        card = next(c for c in _cards(app) if c.target.title == "Active Connections")
        # Values come first, then the backfill fills the sparklines.
        await wait_for(
            pilot,
            lambda: sum(v is not None for v in card.state.history) > 30,
            what="the backfilled history",
        )
        first = card.state
        await wait_for(pilot, lambda: card.state.time >= first.time + 2, within=10, what="ticks")
        now = card.state
        # In 1 s buckets: the first evaluation is at the time it was asked, not a grid time.
        shift = math.floor(now.time) - math.floor(first.time)
        assert len(now.history) == len(first.history) == 60
        # The window moved by whole steps: old points slid left, new ones came in.
        assert now.history[:-shift] == first.history[shift:]
        assert now.history[-1] == now.value
        drawn = "".join(card.spark_plain())
        assert any(ch in drawn for ch in "▁▂▃▄▅▆▇█")


async def test_pause_freezes_values_and_resume_restarts_them(stack):
    app = _app(stack.prometheus_url)
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for(pilot, lambda: _all_have_values(app))
        await pilot.press("p")
        assert "paused" in screen_lines(app)[0]
        # A pause holds the next poll, not one in flight (at start the values, then
        # the sparklines, and a poll right after for the scrape intervals learnt).
        await wait_for(pilot, lambda: not app.polling.busy, what="the poll in flight")
        await pilot.pause()
        frozen_ticks = app.ticks
        frozen = [card.state for card in _cards(app)]
        await app_seconds(pilot, app, 4)  # 3 refresh intervals at least
        assert app.ticks == frozen_ticks
        assert [card.state for card in _cards(app)] == frozen
        await pilot.press("p")
        await wait_for(pilot, lambda: app.ticks >= frozen_ticks + 2, within=10, what="ticks")
        assert "● live" in screen_lines(app)[0]


async def test_unreachable_prometheus_says_so_and_keeps_running():
    app = _app(f"http://127.0.0.1:{closed_port()}")
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: "unreachable" in screen_lines(app)[0], within=10)
        assert "connection refused" in screen_lines(app)[1]
        assert all(c.has_class("-unknown") for c in _cards(app))
        assert "unreachable" in _cards(app)[0].value_plain


@pytest.mark.parametrize("size", [(80, 24), (200, 60)])
async def test_layout_shows_every_panel_without_cutting_values(stack, size):
    app = _app(stack.prometheus_url)
    async with app.run_test(size=size) as pilot:
        await wait_for(pilot, lambda: _all_have_values(app))
        screen = app.screen.region
        await wait_for(
            pilot,
            lambda: all(screen.contains_region(card.region) for card in _cards(app)),
            what="the cards laid out",
        )
        regions = [card.region for card in _cards(app)]
        for card, region in zip(_cards(app), regions, strict=True):
            assert screen.contains_region(region), f"{card.target.title} off screen at {size}"
            assert region.width >= len(card.value_plain) + 2
        for i, a in enumerate(regions):
            for b in regions[i + 1 :]:
                assert not a.overlaps(b)


async def test_keys_move_focus_between_panels(stack):
    app = _app(stack.prometheus_url)
    async with app.run_test(size=(100, 30)) as pilot:
        cards = _cards(app)
        assert app.focused is cards[0]
        await pilot.press("right")
        assert app.focused is cards[1]
        await pilot.press("down")
        assert app.focused.region.y > cards[1].region.y
        await pilot.press("tab")
        assert isinstance(app.focused, StatCard)
        await pilot.press("question_mark")
        assert "keys" in screen_text(app)
        await pilot.press("escape")
        assert "keys" not in screen_text(app)


async def test_a_bug_in_a_poll_is_reported_and_polling_goes_on(stack):
    app = _app(stack.prometheus_url)
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for(pilot, lambda: _all_have_values(app))
        real = app.poller.tick
        calls = 0

        async def broken_once(*args, **kwargs):
            nonlocal calls
            calls += 1
            if calls == 1:
                raise RuntimeError("boom")
            return await real(*args, **kwargs)

        app.poller.tick = broken_once
        ticks = app.ticks
        # Two more ticks after the failing one, and their results applied. (Counting
        # tick() calls, not PollDone messages: a retried backfill posts a second one.)
        await wait_for(
            pilot, lambda: calls >= 3 and app.ticks > ticks, within=10, what="polling to go on"
        )
        notes = [n.message for n in app.notifications]
        assert any("internal error" in n and "boom" in n for n in notes), notes


async def test_without_colour_the_status_is_in_words(make_stack, monkeypatch):
    monkeypatch.setenv("NO_COLOR", "1")
    incident = make_stack("incident")
    app = _app(incident.prometheus_url)
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for(pilot, lambda: _all_have_values(app))
        p95 = next(c for c in _cards(app) if c.target.title == "P95 Response Time")
        await wait_for(pilot, lambda: p95.value_plain.endswith(" CRIT"), what="CRIT")
        assert p95.value_plain in screen_text(app)
        plain = [c for c in _cards(app) if c.target.thresholds is None]
        assert not any(c.value_plain.endswith(("CRIT", "warn")) for c in plain)
