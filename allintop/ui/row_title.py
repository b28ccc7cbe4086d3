"""A row's title bar on the dashboard."""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual import events
from textual.message import Message
from textual.widgets import Static

from allintop.values.text import clean


class RowTitle(Static):
    """A row's title bar.

    A Grafana row's (`collapsible`) says whether it is expanded (▾) or collapsed (▸,
    with how many panels it holds), takes the focus, and a click on it asks the app
    to collapse or expand it. A panels.yaml row's is its title, as ever.
    """

    @dataclass
    class Toggled(Message):
        """Clicked: collapse or expand row number `row`."""

        row: int

    def __init__(
        self,
        title: str,
        row: int = 0,
        *,
        collapsible: bool = False,
        collapsed: bool = False,
        count: int = 0,
    ) -> None:
        self.title = clean(title)
        self.row = row
        self.collapsible = collapsible
        self.collapsed = collapsed and collapsible
        self.count = count
        super().__init__(self._text(), markup=False, classes=self._class_names())
        self.can_focus = collapsible

    def set_collapsed(self, collapsed: bool) -> None:
        self.collapsed = collapsed
        self.set_class(collapsed, "-collapsed")
        self.update(self._text())

    def _class_names(self) -> str:
        return " ".join(
            name
            for name, on in (("-collapsible", self.collapsible), ("-collapsed", self.collapsed))
            if on
        )

    def _text(self) -> Text:
        if not self.collapsible:
            return Text(self.title)
        text = Text(f"{'▸' if self.collapsed else '▾'} {self.title}")
        if self.collapsed and self.count:
            panels = "panel" if self.count == 1 else "panels"
            text.append(f"  ({self.count} {panels})", style="dim")
        return text

    def on_click(self, event: events.Click) -> None:
        if self.collapsible:
            event.stop()
            self.post_message(self.Toggled(self.row))
