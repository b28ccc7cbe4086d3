"""Panel cards on the fake Prometheus: values, colours, markers, sparklines, worst first."""

from __future__ import annotations

from pathlib import Path

from allintop.ui.widgets import PanelCard
from tests.fast.fakeapp import advance, incident, make, settle
from tests.tui.util import screen_text


def _card(app, title: str) -> PanelCard:
    return next(c for c in app.query(PanelCard) if c.panel.title == title)


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
        for card in app.query(PanelCard):
            assert card.value_plain in text, card.panel.title


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
    tmp_path: Path, monkeypatch
) -> None:
    panels = "\n".join(
        f"      - {{title: Panel {i}, expr: service:requests:rate, unit: req/s}}" for i in range(48)
    )
    many = f"refresh: 1s\nrange: 5m\nrows:\n  - title: Many\n    panels:\n{panels}\n"
    drawn: dict[int, int] = {}
    original = PanelCard._draw

    def counting(self, part, y, width, height, style):
        drawn[self.index] = drawn.get(self.index, 0) + 1
        return original(self, part, y, width, height, style)

    monkeypatch.setattr(PanelCard, "_draw", counting)
    app, _, clock = make(tmp_path, text=many)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot, app)
        await advance(pilot, app, clock)
        cards = list(app.query(PanelCard))
        screen = app.screen.region
        visible = {c.index for c in cards if screen.overlaps(c.region)}
        assert visible and len(visible) < len(cards)
        assert set(drawn) <= visible, "a card off screen drew lines"
        # A tick that changes nothing a card shows draws nothing again: the strips
        # come from the card's cache.
        card = cards[0]
        before = drawn[card.index]
        card.show(card.state)
        await pilot.pause()
        assert drawn[card.index] == before
