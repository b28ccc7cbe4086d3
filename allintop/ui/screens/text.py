"""A text panel full-screen: its markdown, scrolling."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Footer

from allintop.dashboard.model import Panel
from allintop.values.text import clean, clean_block


class TextScreen(Screen[None]):
    """A text panel full-screen."""

    BINDINGS = [
        Binding("escape", "app.pop_screen", "Back"),
        Binding("enter", "app.pop_screen", "Back", show=False),
        Binding("q", "app.pop_screen", "Back", show=False),
    ]

    def __init__(self, panel: Panel) -> None:
        super().__init__()
        self.panel = panel

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="text-zoom") as scroll:
            scroll.border_title = clean(self.panel.title)
            yield markdown(self.panel)
        yield Footer()


def markdown(panel: Panel) -> Widget:
    """A text panel's content, rendered by Textual's Markdown."""
    # Imported here: Textual's Markdown brings markdown-it, a start-up cost that only
    # a dashboard with a text panel should pay.
    from textual.widgets import Markdown

    # A file's text: its escape sequences are shown, never sent to the terminal.
    return Markdown(clean_block(panel.content) or "*(empty text panel)*")
