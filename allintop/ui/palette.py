"""The command palette (^p): every dashboard action by name, and a palette that
closes safely; and popping screens safely, which the palette needs.

Textual's palette searches in a worker started by each change of its input, and that
worker's first step looks up the palette's command list. A key typed just as the
palette closes (Enter on a command, then a letter; or panels.yaml reloaded under it)
still reaches its input after the list was taken down, and the worker's lookup failed
(NoMatches), which ended the app. `Palette` takes no more input once it closes, and
stops its searches then; nor does a page key typed before its list is drawn end it.
`PaletteApp` is Textual's App with this palette.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable

from textual import on
from textual.app import App, SystemCommand
from textual.await_complete import AwaitComplete
from textual.binding import Binding
from textual.command import CommandList, CommandPalette
from textual.screen import Screen
from textual.widgets import Input

from allintop.ui.keys import ALERTS_KEYS, KEYS


class Palette(CommandPalette):
    """Textual's command palette, deaf once it closes (see the module docstring), and
    with page keys that wait for its list to be drawn."""

    BINDINGS = [
        Binding("pagedown", "page(1)", "Next page", show=False),
        Binding("pageup", "page(-1)", "Previous page", show=False),
    ]

    def __init__(self) -> None:
        # No id (Textual's own has one): a palette opened while the last one is still
        # being taken down would have its id, and fail to mount.
        super().__init__()
        self.closing = False
        """Dismissed (or being popped): the search is over."""

    def close(self) -> None:
        """Stop searching: a search still to start would find the list gone. Called
        as it is dismissed and whenever the app pops it."""
        self.closing = True
        self.workers.cancel_node(self)

    def dismiss(self, result: None = None) -> AwaitComplete:
        self.close()
        return super().dismiss(result)

    async def action_page(self, direction: int) -> None:
        """PgDn (1) / PgUp (-1): a page of hits on or back. Not before the list has a
        size: Textual's looks its lines up by their place on screen, and failed
        (KeyError) on a page key typed before the list was first laid out."""
        hits = self.query(CommandList)
        if hits and hits.first().scrollable_content_region:
            await hits.first().run_action("page_down" if direction > 0 else "page_up")

    @on(Input.Changed)
    def _deaf_when_closing(self, event: Input.Changed) -> None:
        # Runs before the palette's own handler (a subclass's come first), which
        # would start a search; prevent_default keeps it from running at all.
        if self.closing or not self.is_active or not self.query(CommandList):
            event.prevent_default()
            event.stop()


class PaletteApp(App[None]):
    """Textual's App, with `Palette` for ^p listing every dashboard action of the keys
    table (and Textual's theme picker), and screens popped safely."""

    def action_command_palette(self) -> None:
        if self.use_command_palette and not isinstance(self.screen, CommandPalette):
            self.push_screen(Palette())

    def get_system_commands(self, screen: Screen[object]) -> Iterable[SystemCommand]:
        for key in KEYS:
            yield SystemCommand(key.name, f"{key.shown}  {key.help}", self._command(key.action))
        for key in ALERTS_KEYS:  # a screen's own keys, on the screen that has them
            if hasattr(screen, f"action_{key.action}"):
                run = self._command(f"screen.{key.action}")
                yield SystemCommand(key.name, f"{key.shown}  {key.help}", run)
        yield from (c for c in super().get_system_commands(screen) if c.title == "Theme")

    def _command(self, action: str) -> Callable[[], None]:
        def run() -> None:
            # After the palette has closed: a screenshot must not show it, and zoom
            # needs the focused card back.
            self.call_after_refresh(self.run_action, action)

        return run

    def pop_screen(self) -> AwaitComplete:
        """Textual's, but with only the dashboard left there is nothing to pop: the
        palette can dismiss itself twice (Enter, then Esc typed before the Enter's
        command ran), and the second would end the app. A palette popped stops
        searching first."""
        if len(self.screen_stack) <= 1:
            return AwaitComplete()
        top = self.screen_stack[-1]
        if isinstance(top, Palette):
            top.close()
        return super().pop_screen()

    async def action_dashboard(self) -> None:
        """Esc: back to the dashboard from any screen, however many are on top of it."""
        while len(self.screen_stack) > 1:
            top = self.screen_stack[-1]
            if not top.is_mounted:
                # Still being pushed (^p's palette just as panels.yaml is reloaded):
                # popped before its mount, it fails in it. Let it mount first.
                await top._mounted_event.wait()
            # Shielded: a worker running this (a reload) may be cancelled as the app
            # quits, and would cancel the pop, which the app's shutdown awaits too.
            await asyncio.shield(self.pop_screen())
