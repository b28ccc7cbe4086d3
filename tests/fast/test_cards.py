"""Panel cards on the fake Prometheus: values, colours, markers, sparklines, worst first."""

from __future__ import annotations

from pathlib import Path

from allintop.ui.cards.stat import StatCard
from tests.fast.fakeapp import advance, incident, make, many_panels, settle
from tests.tui.util import screen_text


def _card(app, title: str) -> StatCard:
    return next(c for c in app.query(StatCard) if c.target.title == title)


async def test_healthy_dashboard_shows_every_value_in_its_colour(tmp_path: Path) -> None:
    app, _, _ = make(tmp_path)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot, app)
        text = screen_text(app)
        print(text)
        success = _card(app, "Success Rate")
        assert success.value_plain == "99.7 %"
        assert success.has_class("-ok")
        assert _card(app, "Requests").has_class("-plain")
        assert _card(app, "Memory").value_plain in text
        for card in app.query(StatCard):
            assert card.value_plain in text, card.target.title


async def test_an_incident_shows_the_worst_route_in_red_with_its_alert(tmp_path: Path) -> None:
    app, fake, clock = make(tmp_path)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot, app)
        incident(fake, since=clock.now - 180)
        await advance(pilot, app, clock)
        await advance(pilot, app, clock)  # the status watcher's rules and targets too
        success = _card(app, "Success Rate")
        # Worst first: the failing route is the headline and the colour, not the best
        # route's 99.95 % in red.
        assert success.value_plain == "82.5 %"
        assert success.has_class("-critical") and success.has_class("-firing")
        assert success.detail_plain.startswith("▲ LowSuccessRate 3m")
        assert _card(app, "P95 Latency").has_class("-critical")
        assert _card(app, "Queue Depth").has_class("-warning")
        text = screen_text(app)
        assert "82.5 %" in text and "▲ LowSuccessRate" in text


async def test_a_tick_repaints_the_lines_that_changed_and_cards_off_screen_draw_nothing(
    tmp_path: Path,
) -> None:
    app, _, clock = make(tmp_path, text=many_panels())
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot, app)
        await advance(pilot, app, clock)
        cards = list(app.query(StatCard))
        screen = app.screen.region
        visible = {c.index for c in cards if screen.overlaps(c.region)}
        assert visible and len(visible) < len(cards)
        drawn = {c.index for c in cards if c.lines_drawn}
        assert drawn and drawn <= visible, "a card off screen drew lines"
        # A tick that changes nothing a card shows draws nothing again: the strips
        # come from the card's cache.
        card = cards[0]
        before = card.lines_drawn
        card.show(card.state)
        await pilot.pause()
        assert card.lines_drawn == before
