"""Screens over the dashboard cost it no redraws: under a screen that hides it, a tick
updates the state but not the cards (nor the header), and what changed is shown once
the screen closes; a see-through screen leaves the dashboard updating. The header
repaints its clock each second and the rest only when it changes."""

from __future__ import annotations

from pathlib import Path

from textual.command import CommandPalette

from allintop.ui.cards.stat import StatCard
from allintop.ui.screens.help import HelpScreen
from tests.fakeprom import FakeSeries
from tests.fast.fakeapp import advance, make, many_panels, settle
from tests.tui.util import screen_text, wait_for


def _card(app, title: str) -> StatCard:
    return next(c for c in app.query(StatCard) if c.target.title == title)


async def _help(pilot, app) -> None:
    await pilot.press("question_mark")
    await wait_for(pilot, lambda: isinstance(app.screen, HelpScreen), what="the help")
    await pilot.pause()


async def test_under_the_help_a_tick_changes_the_state_not_the_cards_until_it_closes(
    tmp_path: Path,
) -> None:
    app, fake, clock = make(tmp_path)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot, app)
        queue = _card(app, "Queue Depth")
        before = queue.value_plain
        assert before != "75"
        await _help(pilot, app)
        cards = list(app.query(StatCard))
        shown = {c.index: (c.state, c.lines_drawn) for c in cards}
        fake.metrics["service:queue_depth"] = [FakeSeries({}, 75.0)]
        ticks = app.ticks
        await advance(pilot, app, clock)
        assert app.ticks > ticks
        # The state is current, for the screens that read it...
        assert any(s.value == 75.0 for s in app.state.states[queue.index].series)
        # ...but no card was handed the tick, nor drew a line: it is held.
        assert {c.index: (c.state, c.lines_drawn) for c in cards} == shown
        assert queue.value_plain == before
        assert app.board.news.count > 0
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is app.screen_stack[0], what="the dashboard")
        await pilot.pause()
        assert queue.value_plain == "75"
        assert "75" in screen_text(app)
        assert app.board.news.count == 0
        assert queue.lines_drawn > shown[queue.index][1]


async def test_under_a_see_through_screen_the_cards_keep_updating(tmp_path: Path) -> None:
    app, fake, clock = make(tmp_path)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot, app)
        await pilot.press("ctrl+p")
        await wait_for(pilot, lambda: isinstance(app.screen, CommandPalette), what="the palette")
        fake.metrics["service:queue_depth"] = [FakeSeries({}, 75.0)]
        await advance(pilot, app, clock)
        # The dashboard shows through the palette: it is not held.
        assert _card(app, "Queue Depth").value_plain == "75"
        assert app.board.news.count == 0


async def test_a_clock_tick_repaints_the_clock_only(tmp_path: Path) -> None:
    app, _, clock = make(tmp_path)
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot, app)
        header = app.header
        app.show_header()
        before = dict(header.repaints)
        shown = str(header.clock.content)
        clock.now += 1
        app.show_header()
        assert str(header.clock.content) != shown
        assert header.repaints["clock"] == before["clock"] + 1
        # The title, the sources, the range and the health word say the same: not
        # given anew, so not repainted.
        assert header.repaints["left"] == before["left"]
        assert header.repaints["right"] == before["right"]
        app.action_pause()  # the health word changes: that part, and only it, again
        assert header.repaints["right"] == before["right"] + 1
        assert header.repaints["left"] == before["left"]
        await pilot.pause()
        assert "● paused" in screen_text(app)


async def test_under_the_help_the_header_waits_and_shows_the_time_once_it_closes(
    tmp_path: Path,
) -> None:
    app, _, clock = make(tmp_path)
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot, app)
        await _help(pilot, app)
        before = dict(app.header.repaints)
        clock.now += 5
        app.show_header()
        assert app.header.repaints == before
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is app.screen_stack[0], what="the dashboard")
        await pilot.pause()
        assert str(app.header.clock.content) == "08:00:05"
        assert "08:00:05" in screen_text(app)


async def test_the_help_opened_again_is_shown_from_its_top(tmp_path: Path) -> None:
    app, _, _ = make(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot, app)
        await _help(pilot, app)
        first = app.screen
        assert "allintop — keys" in screen_text(app)
        await pilot.press("end")
        await pilot.pause()
        assert "allintop — keys" not in screen_text(app), "the help does not scroll at 80x24"
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is app.screen_stack[0], what="the dashboard")
        await _help(pilot, app)
        assert app.screen is first  # kept, not made anew
        assert "allintop — keys" in screen_text(app)


async def test_a_tick_is_handed_to_the_cards_on_screen_and_a_scroll_shows_the_latest(
    tmp_path: Path,
) -> None:
    app, _, clock = make(tmp_path, text=many_panels())
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot, app)
        await advance(pilot, app, clock)
        await advance(pilot, app, clock)
        screen = app.screen.region
        cards = list(app.query(StatCard))
        on = [c for c in cards if screen.overlaps(c.region)]
        # Asked (within a screen of it, for a page key to find its value) but off it.
        off = [c for c in cards if not screen.overlaps(c.region) and c.index in app.polling.active]
        assert on and off
        latest = app.state.states
        assert all(c.state == latest[c.index] for c in on)
        assert all(c.state != latest[c.index] for c in off), "an unseen card was handed a tick"
        assert app.board.news.count == len(off)
        expected = on[0].value_plain  # the same query: every card's latest reads so
        await pilot.press("pagedown")
        await pilot.pause()
        now = [c for c in cards if app.screen.region.overlaps(c.region)]
        came = [c for c in now if c in off]
        assert came
        assert all(c.state == latest[c.index] for c in now)
        assert all(c.value_plain == expected for c in came)
        assert expected in screen_text(app)
