"""The widget each kind of tile is drawn with, made by `tile_widget`."""

from __future__ import annotations

from collections.abc import Sequence

from allintop.config import Panel, Tile
from allintop.ui.widgets import PanelCard


def tile_widget(tile: Tile, panels: Sequence[Panel], first: int) -> PanelCard:
    """The widget for `tile`, whose panels are `panels` (the tile's span of its row),
    the first of them being the dashboard's panel number `first`.

    Every kind is a stat card of its first panel for now.
    """
    return PanelCard(panels[0], first)
