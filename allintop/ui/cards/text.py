"""The text card: a markdown panel."""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Static

from allintop.dashboard.model import Panel, Query
from allintop.live.alerting import ActiveAlert
from allintop.live.reports import QueryState
from allintop.sources.answers import Target
from allintop.ui.screens.text import TextScreen, markdown
from allintop.ui.view import DashboardView
from allintop.values.text import clean


class TextCard(VerticalScroll, can_focus=True):
    """A text panel: its markdown, rendered by Textual's Markdown, scrolling when it
    is longer than the card. It has no queries: `show` and `mark` do nothing.

    Args:
        panel: the text panel.
        first: the dashboard index its queries would start at (it has none).
    """

    def __init__(self, panel: Panel, first: int) -> None:
        super().__init__(classes="-plain")
        self.panel = panel
        self.queries: tuple[Query, ...] = ()
        self.index = first

    def compose(self) -> ComposeResult:
        yield Static(Text(clean(self.panel.title)), classes="text-title", markup=False)
        yield markdown(self.panel)

    def show(self, state: QueryState) -> None:
        return None

    def mark(self, alerts: Sequence[ActiveAlert], down: Sequence[Target], now: float) -> None:
        return None

    def zoom_screen(self, view: DashboardView) -> Screen[None]:
        """Enter: the whole markdown, full-screen."""
        return TextScreen(self.panel)
