"""How the dashboard fills the terminal: columns per row and card height.

Pure arithmetic, so it is tested without a terminal. Cards are at least
`MIN_CARD_WIDTH` columns wide (the longest seed title and a value with its unit fit),
a row never gets more columns than it has panels, and spare height goes to the
sparklines, so a large terminal shows taller charts instead of empty space.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

MIN_CARD_WIDTH = 20
MIN_CARD_HEIGHT = 4  # title, value, sparkline, detail
MAX_CARD_HEIGHT = 20


@dataclass(frozen=True, slots=True)
class Layout:
    columns: int
    card_height: int

    @property
    def sparkline_height(self) -> int:
        return self.card_height - 3


def plan(width: int, height: int, row_sizes: Sequence[int]) -> Layout:
    """Columns and card height for a body `width` x `height` holding rows of `row_sizes`.

    `height` is what is left for the rows: the terminal minus header, footer and bars.
    """
    widest = max(row_sizes, default=1) or 1
    columns = max(1, min(widest, width // MIN_CARD_WIDTH))
    card_lines = sum(math.ceil(size / columns) for size in row_sizes if size)
    titles = len(row_sizes)
    spare = height - titles
    card_height = spare // card_lines if card_lines else MIN_CARD_HEIGHT
    return Layout(columns, max(MIN_CARD_HEIGHT, min(MAX_CARD_HEIGHT, card_height)))
