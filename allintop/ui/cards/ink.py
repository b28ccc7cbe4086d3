"""The colours of the pieces cards draw: a grid cell's status, a chart's series, a
heatmap's cell. Styled once for every card, not once per card.

A line of a card has a part (its title, value, body...) whose style depends on the
card (its status, its focus), and a line is made of pieces (a series' name, a value
in its status colour) whose style does not. Textual styles each component class of
a widget through a virtual node of its own, at every restyle of the widget (a new
status, the focus), so the two dozen piece classes cost each card two dozen style
matches each time, and kept two dozen styles per card: at start, a sixth of the
first paint's CPU. The pieces are component classes of an Ink instead: two hidden
widgets the board holds, one on the background of a card and one on the background
of the focused card (allintop.tcss keeps both beside the cards' own), so a piece's
colour is worked out against the background it is drawn on, as it was on the card.
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.style import Style
from textual.widget import Widget

#: Series a chart draws at most: one colour each, from the theme.
MAX_SERIES = 6

#: The cells of a stat of several series (allintop.ui.cards.stat_cells).
CELL_PIECES = frozenset(
    {
        "card--grid",
        "card--name",
        "card--none",
        "card--spark",
        "card--spark-plain",
        *(f"card--{status}" for status in ("ok", "warning", "critical", "unknown", "plain")),
        *(f"card--bg-{status}" for status in ("ok", "warning", "critical", "unknown", "plain")),
    }
)

#: What body cards draw (charts, gauges, tables, heatmaps, the state timeline...).
TILE_PIECES = frozenset(
    {
        "tile--body",
        "tile--dim",
        "tile--header",
        *(f"tile--{status}" for status in ("ok", "warning", "critical", "unknown", "plain")),
        "tile--heat",
        "tile--target",
        "tile--alert",
        *(f"tile--s{k}" for k in range(MAX_SERIES)),
    }
)


class Ink(Widget):
    """A hidden widget whose component classes are the pieces' colours."""

    COMPONENT_CLASSES = set(CELL_PIECES | TILE_PIECES)

    def __init__(self, *, focused: bool = False) -> None:
        super().__init__(classes="-focus" if focused else None)


@dataclass(frozen=True)
class Inks:
    """The pieces' colours on a card, and on the focused card."""

    plain: Ink
    focused: Ink

    @classmethod
    def make(cls) -> Inks:
        return cls(Ink(), Ink(focused=True))

    def style(self, piece: str, *, focused: bool) -> Style:
        """The style of `piece` on a card (focused or not)."""
        return (self.focused if focused else self.plain).get_component_rich_style(piece)
