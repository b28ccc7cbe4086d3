"""The widget each kind of tile is drawn with, made by `tile_widget`."""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text
from textual.widget import Widget
from textual.widgets import Static

from allintop.config import Panel, Tile
from allintop.reports import PanelState
from allintop.text import clean
from allintop.ui.widgets import PanelCard


class _FirstPanelCard(PanelCard):
    """A stat card of a tile's first panel: the states of its others are not its own."""

    def show(self, state: PanelState) -> None:
        if state.index == self.index:
            super().show(state)


def tile_widget(tile: Tile, panels: Sequence[Panel], first: int) -> Widget:
    """The widget for `tile`, whose panels are `panels` (the tile's span of its row),
    the first of them being the dashboard's panel number `first`.

    Every kind is a stat card of its first panel for now; a tile without panels
    (text) its title.
    """
    if not panels:
        return Static(Text(clean(tile.title)), markup=False)
    return _FirstPanelCard(panels[0], first)
