"""The ^p command palette closes safely: a key that reaches it as it closes (Enter on a
command, then a letter typed quickly) starts no search in it, since a search started
then looked up the palette's list after it was taken down (NoMatches, which ended the
app; the monkey found it, see test_monkey.py)."""

from __future__ import annotations

from pathlib import Path

from textual.command import CommandList, CommandPalette
from textual.message import Message
from textual.widgets import Input
from textual.worker import Worker, WorkerState

from tests.fast.fakeapp import make, settle
from tests.fast.test_monkey import send
from tests.tui.util import wait_for


class Searches:
    """The workers that start in a given palette once it is closing."""

    def __init__(self) -> None:
        self.closing: CommandPalette | None = None
        self.started: list[str] = []

    def hook(self, message: Message) -> None:
        if (
            isinstance(message, Worker.StateChanged)
            and message.state is WorkerState.RUNNING
            and self.closing is not None
            and message.worker.node is self.closing
        ):
            self.started.append(message.worker.name)


async def _palette(pilot, app) -> CommandPalette:
    await pilot.press("ctrl+p")
    await wait_for(pilot, lambda: isinstance(app.screen, CommandPalette), what="the palette")
    palette = app.screen
    assert isinstance(palette, CommandPalette)
    return palette


async def test_a_change_reaching_the_palette_as_it_closes_starts_no_search(
    tmp_path: Path,
) -> None:
    app, _, _ = make(tmp_path)
    searches = Searches()
    async with app.run_test(size=(100, 30), message_hook=searches.hook) as pilot:
        await settle(pilot, app)
        palette = await _palette(pilot, app)
        field = palette.query_one(Input)
        palette.dismiss()
        searches.closing = palette
        # What a letter typed just before Enter's dismissal sends it, arriving after.
        assert palette.post_message(Input.Changed(field, "a"))
        await wait_for(pilot, lambda: not palette.is_attached, what="the palette gone")
        await pilot.pause()
        assert searches.started == []
        assert app.return_code is None and app.is_running


async def _enter_and_type_on(pilot, app, typed: str) -> None:
    """`typed` in the palette, Enter on the first hit, and keys after it that come
    before the app is idle again, as a quick typist's do."""
    palette = await _palette(pilot, app)
    for key in typed:
        await pilot.press(key)
    hits = palette.query_one(CommandList)
    await wait_for(pilot, lambda: hits.option_count > 0, what="the hits")
    for key in ["enter", "a", "space", "t", "down", "enter", "escape"]:
        send(app, key)
    await wait_for(pilot, lambda: not palette.is_attached, what="the palette gone")


async def test_keys_typed_while_the_palette_closes_on_enter(tmp_path: Path) -> None:
    app, _, _ = make(tmp_path)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot, app)
        for typed in ["t", "ta", "a"]:
            await _enter_and_type_on(pilot, app, typed)
            await pilot.press("escape", "escape")
            await wait_for(pilot, lambda: len(app.screen_stack) == 1, what="the dashboard")
        assert app.return_code is None and app.is_running


async def test_page_keys_typed_as_the_palette_opens(tmp_path: Path) -> None:
    # Textual's list looked its lines up before it had any (KeyError): the monkey's
    # "ctrl+p, pageup" typed quickly, tiles seed 3.
    app, _, _ = make(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot, app)
        for keys in (["ctrl+p", "pageup"], ["ctrl+p", "pagedown"], ["ctrl+p", "down", "pageup"]):
            for key in keys:
                send(app, key)
            await wait_for(pilot, lambda: isinstance(app.screen, CommandPalette), what="palette")
            palette = app.screen
            await pilot.press("pagedown", "pageup", "escape")
            await wait_for(pilot, lambda p=palette: not p.is_attached, what="the palette gone")
        assert app.return_code is None and app.is_running


async def test_page_keys_page_through_the_hits_once_drawn(tmp_path: Path) -> None:
    app, _, _ = make(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot, app)
        palette = await _palette(pilot, app)
        hits = palette.query_one(CommandList)
        await pilot.press("e")  # most commands have an e
        await wait_for(pilot, lambda: hits.option_count > 4 and bool(hits.region), what="hits")
        await wait_for(pilot, lambda: hits.highlighted == 0, what="the first lit")
        await pilot.press("pagedown")
        await wait_for(pilot, lambda: (hits.highlighted or 0) > 1, what="a page down")
        await pilot.press("pageup")
        await wait_for(pilot, lambda: hits.highlighted == 0, what="a page up")


async def test_the_palette_opened_again_as_the_last_one_closes(tmp_path: Path) -> None:
    # Both palettes had Textual's one id: the second failed to mount (DuplicateIds)
    # while the first was still being taken down (tiles seed 27; a race, as typed
    # here: the monkey hunts it).
    app, _, _ = make(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot, app)
        for _ in range(3):
            palette = await _palette(pilot, app)
            await pilot.press("t")
            hits = palette.query_one(CommandList)
            await wait_for(pilot, lambda h=hits: h.option_count > 0, what="the hits")
            for key in ["enter", "ctrl+p", "escape"]:
                send(app, key)
            await wait_for(pilot, lambda p=palette: not p.is_attached, what="the palette gone")
            await pilot.press("escape", "escape")
            await wait_for(pilot, lambda: len(app.screen_stack) == 1, what="the dashboard")
        assert app.return_code is None and app.is_running
