"""Screens pushed over the dashboard: help (and, later, zoom, alerts, targets)."""

from __future__ import annotations

from rich.table import Table
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Static

KEYS = (
    ("q", "quit"),
    ("?", "this help"),
    ("p", "pause / resume polling"),
    ("r", "refresh now"),
    ("+ / -", "slower / faster refresh"),
    ("t", "next time range (5m … 24h)"),
    ("tab / arrows", "move between panels"),
    ("esc", "close a screen"),
)


class HelpScreen(ModalScreen[None]):
    """The keys, and what the colours mean."""

    BINDINGS = [Binding("escape,question_mark,q", "dismiss", "Close")]

    def compose(self) -> ComposeResult:
        keys = Table.grid(padding=(0, 2))
        keys.add_column(style="bold")
        keys.add_column()
        for key, what in KEYS:
            keys.add_row(key, what)
        with Vertical(id="help"):
            yield Static("allintop — keys", classes="help-title")
            yield Static(keys)
            yield Static(
                "Colours: green meets the panel's target, yellow is between target and "
                "alert level, red meets the alert level, grey has no value (the panel "
                "says why).",
                classes="help-colours",
            )
