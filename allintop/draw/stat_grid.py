"""How several values share one stat, gauge or bar gauge box, as Grafana lays them out.

Grafana's stat shows one value per series. Its auto orientation puts them side by
side when the box is wider than tall and stacks them when it is taller; each value
gets its series' name when there are several (text mode auto). A terminal cannot
shrink the text, so where Grafana makes it smaller here the values wrap into more
columns or rows, and only the ones that cannot fit at all are left to a "+N" (the
zoom lists every series).

Terminal cells are about twice as tall as wide, so a box of `w` x `h` cells is
"wide" in Grafana's sense when `w > 2 * h`.

Pure arithmetic, no Textual: the cards draw what this places.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache

#: Fewest cells of a name worth showing (all of a shorter one).
NAME_MIN = 6
#: Columns between two cells side by side.
GAP = 1


@dataclass(frozen=True, slots=True)
class Cell:
    """Where one value is drawn, in the body's cells."""

    index: int
    x: int
    y: int
    width: int
    height: int


@dataclass(frozen=True, slots=True)
class StatGrid:
    """`shown` values in `columns` x `rows` cells of `cell_width` x `cell_height`,
    filled row by row; `hidden` did not fit. `names`: each cell names its series;
    `wide`: the name and value share one line (name left, value right)."""

    count: int
    shown: int
    columns: int
    rows: int
    cell_width: int
    cell_height: int
    names: bool
    wide: bool

    @property
    def hidden(self) -> int:
        """Values that did not fit (the "+N")."""
        return self.count - self.shown

    def cells(self) -> list[Cell]:
        """The shown values' cells, row by row."""
        return [
            Cell(
                index,
                (index % self.columns) * (self.cell_width + GAP),
                (index // self.columns) * self.cell_height,
                self.cell_width,
                self.cell_height,
            )
            for index in range(self.shown)
        ]


def names_shown(count: int, text_mode: str) -> bool:
    """Whether the cells name their series: with several in auto, or always when the
    text mode asks for the name."""
    if text_mode in ("value_and_name", "name"):
        return True
    return text_mode == "auto" and count > 1


def side_by_side(width: int, height: int, orientation: str) -> bool:
    """Whether values go side by side rather than stacked, by Grafana's orientation:
    vertical (side by side), horizontal (stacked rows), auto (by the box's shape)."""
    if orientation == "vertical":
        return True
    if orientation == "horizontal":
        return False
    return width > 2 * height


def stat_grid(
    count: int,
    width: int,
    height: int,
    value_width: int,
    name_width: int,
    *,
    names: bool,
    orientation: str = "auto",
    extra: int = 0,
) -> StatGrid:
    """How `count` values, the widest `value_width` cells, named by names up to
    `name_width` cells when `names`, fit a `width` x `height` box.

    All of them when some grid fits them (one whose names are not cut first, then
    side by side for a wide box, stacked for a tall one, wrapping into more rows or
    columns as needed); else as many as the best grid holds, the rest `hidden`.
    `extra`: lines each cell needs under its text (a gauge's bar).
    """
    return _grid(
        max(count, 0),
        max(width, 1),
        max(height, 1),
        max(value_width, 1),
        max(name_width, 0),
        names,
        side_by_side(width, height, orientation),
        max(extra, 0),
    )


@lru_cache(maxsize=256)
def _grid(
    count: int,
    width: int,
    height: int,
    value_width: int,
    name_width: int,
    names: bool,
    side: bool,
    extra: int,
) -> StatGrid:
    best: tuple[tuple[int, bool, int], StatGrid] | None = None
    for columns in range(1, max(min(count, width), 1) + 1):
        cell_width = (width - GAP * (columns - 1)) // columns
        if cell_width < 1:
            break
        rows = _rows_that_fit(cell_width, height, value_width, name_width, names, extra)
        if rows == 0:
            continue
        shown = min(count, columns * rows)
        used_rows = max(math.ceil(shown / columns), 1)
        if shown and math.ceil(shown / used_rows) < columns:
            continue  # a column left empty: fewer columns do the same
        cell_height = height // used_rows
        wide = names and (cell_height < 2 + extra or _wide_shape(cell_width, cell_height))
        wide = wide and cell_width >= _wide_width(value_width, name_width)
        grid = StatGrid(count, shown, columns, used_rows, cell_width, cell_height, names, wide)
        # Most values first; then names not cut (where Grafana would shrink the text,
        # a terminal picks the grid the text fits); then the orientation's preference:
        # side by side wants the fewest rows, stacked the fewest columns.
        whole = not names or cell_width >= name_width + (GAP + value_width if wide else 0)
        score = (shown, whole, -used_rows if side else -columns)
        if best is None or score > best[0]:
            best = (score, grid)
    if best is None:
        return StatGrid(count, 0, 1, 1, width, height, names, False)
    return best[1]


def _rows_that_fit(
    cell_width: int, height: int, value_width: int, name_width: int, names: bool, extra: int
) -> int:
    """How many rows of cells `cell_width` wide fit in `height`: a value alone needs
    one line and its width; a named value two lines (name over value), or one line
    wide enough for a name beside it; a name at least NAME_MIN cells of it."""
    if cell_width < value_width or (names and cell_width < min(name_width, NAME_MIN)):
        return 0  # a name cut to a letter or two names nothing
    if not names or cell_width >= _wide_width(value_width, name_width):
        return height // (1 + extra)
    return height // (2 + extra)


def _wide_width(value_width: int, name_width: int) -> int:
    """Cells a name and value need on one line."""
    return min(name_width, NAME_MIN) + GAP + value_width


def _wide_shape(width: int, height: int) -> bool:
    """Grafana's wide layout (name left, value right): a cell over 2.5 times as wide as
    tall, in pixels (a terminal cell is about twice as tall as wide)."""
    return width > 5 * height
