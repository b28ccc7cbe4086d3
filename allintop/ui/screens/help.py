"""The help screen: the keys, and what the colours mean."""

from __future__ import annotations

import textwrap
from collections.abc import Sequence

from rich.cells import cell_len
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from allintop.ui.keys import ALERTS_KEYS, KEYS, MORE_HELP, on_modal

#: Columns of text in the help box (#help: 60 wide, less its border, padding and
#: scrollbar).
HELP_TEXT_WIDTH = 53


def key_list(rows: Sequence[tuple[str, str]], width: int) -> Text:
    """Keys in a bold column, each description wrapped beside it to `width` in all.

    Plain text laid out here, not a Rich table: Textual re-renders a table for every
    line it draws and every height it measures, which made the help slow to open."""
    column = max(cell_len(shown) for shown, _ in rows) + 2
    text = Text()
    for shown, what in rows:
        lines = textwrap.wrap(what, max(width - column, 20)) or [""]
        text.append(shown.ljust(column), style="bold")
        text.append(lines[0] + "\n")
        for line in lines[1:]:
            text.append(" " * column + line + "\n")
    text.rstrip()
    return text


class HelpScreen(ModalScreen[None]):
    """The keys, and what the colours mean; it scrolls when the terminal is short.

    The app makes it once and keeps it (installed as NAME): each opening shows it from
    its top."""

    NAME = "help"

    BINDINGS = [
        Binding("escape", "app.dashboard", "Back"),
        Binding("question_mark,q", "dismiss", "Close"),
        on_modal("save_screen"),
    ]

    def compose(self) -> ComposeResult:
        rows = [(key.shown, key.help) for key in (*KEYS, *ALERTS_KEYS)] + list(MORE_HELP)
        # Focusable, so the arrows, PgUp / PgDn, Home and End scroll it.
        with VerticalScroll(id="help", can_focus=True):
            yield Static("allintop — keys", classes="help-title")
            yield Static(key_list(rows, HELP_TEXT_WIDTH))
            yield Static(
                "Colours: green meets the panel's target, yellow is between target and "
                "alert level, red meets the alert level, grey has no value (the panel "
                "says why). A panel without thresholds shows its value uncoloured. "
                "▲ marks a firing alert on the panels it concerns, △ a pending one.",
                classes="help-colours",
            )

    def on_mount(self) -> None:
        self.query_one("#help").focus()

    def on_screen_resume(self) -> None:
        self.query_one("#help").scroll_home(animate=False, immediate=True)
