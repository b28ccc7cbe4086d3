"""The base of the full screens that follow the dashboard while they are open."""

from __future__ import annotations

from textual.binding import Binding
from textual.screen import Screen

from allintop.ui.view import DashboardView
from allintop.values.durations import format_since


class LiveScreen(Screen[None]):
    """A full screen that follows the dashboard's state while it is open: drawn from
    `view` when mounted, then again on every poll (the app calls `refresh_from`).

    Args:
        view: the dashboard it follows.
    """

    BINDINGS = [
        Binding("escape", "app.dashboard", "Back"),
        Binding("q", "app.quit", "Quit"),
    ]

    ready = False
    """True once mounted: a poll can land between push_screen and compose."""

    def __init__(self, view: DashboardView) -> None:
        super().__init__()
        self.view = view

    def on_mount(self) -> None:
        self.ready = True
        self.refresh_from(self.view)

    def refresh_from(self, view: DashboardView) -> None:
        """Show what `view` knows now."""
        raise NotImplementedError


def ago(seconds_ago: float | None) -> str:
    """How long ago, briefly ("3m"); empty when unknown."""
    return format_since(seconds_ago) if seconds_ago is not None else ""
