"""The footer: the keys of the dashboard, shown again only when they change.

Textual's Footer recomposes whenever its screen's bindings may have changed, and that
includes every screen pushed over the dashboard and every one popped: a dozen widgets
mounted anew and a layout pass of the dashboard's screen, which on a big dashboard
reflows hundreds of cards; under a screen just pushed, that ran while the screen was
being opened, and the dashboard's regions it touched were redrawn by the screen on
top. This one recomposes only while its screen is on top, and only when the keys it
would show differ from those it shows.
"""

from __future__ import annotations

from collections.abc import Hashable
from typing import Any

from textual.app import ComposeResult
from textual.screen import Screen
from textual.widgets import Footer


class KeysFooter(Footer):
    """Textual's Footer, recomposed only when the keys it shows change."""

    def __init__(self, *, compact: bool = False) -> None:
        super().__init__(compact=compact)
        self._shown: Hashable = None

    def keys(self) -> Hashable:
        """What the footer would show of its screen's keys now."""
        return tuple(
            (key, binding.action, binding.description, binding.show, enabled, tooltip)
            for key, (_, binding, enabled, tooltip) in self.screen.active_bindings.items()
        )

    def compose(self) -> ComposeResult:
        self._shown = self.keys() if self._bindings_ready else None
        yield from super().compose()

    def bindings_changed(self, screen: Screen[Any]) -> None:
        if not self.screen.is_active:
            return  # hidden: it is shown its keys when its screen is on top again
        if self._bindings_ready and self.keys() == self._shown:
            return
        super().bindings_changed(screen)
