"""The contexts screen: pick a context of the user config to switch to."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from allintop.ui.keys import on_modal
from allintop.values.text import clean


class ContextsScreen(ModalScreen[str | None]):
    """Pick a context of the user config: Enter closes the screen with the chosen
    context's name (None: the current one), for the app to switch to its servers;
    Esc closes it.

    Args:
        names: the user config's contexts.
        current: the context shown now, if any.
    """

    BINDINGS = [
        Binding("escape", "app.dashboard", "Back"),
        Binding("c", "dismiss", "Close"),
        on_modal("save_screen"),
    ]

    def __init__(self, names: tuple[str, ...], current: str | None) -> None:
        super().__init__()
        self.names = names
        self.current = current

    def compose(self) -> ComposeResult:
        options = [
            Option(Text(clean(name, 60) + ("  (current)" if name == self.current else "")), name)
            for name in self.names
        ]
        with Vertical(id="contexts"):
            yield Static("Contexts", classes="help-title")
            yield OptionList(*options, id="context-list")
            yield Static("enter: switch   esc: close", classes="help-colours")

    def on_mount(self) -> None:
        listing = self.query_one(OptionList)
        if self.current in self.names:
            listing.highlighted = self.names.index(self.current)
        listing.focus()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        chosen = event.option.id
        self.dismiss(chosen if chosen != self.current else None)
