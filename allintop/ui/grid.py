"""Grafana's grid on the terminal: each tile where its gridPos puts it, so small
panels stack beside a tall one as they do in the browser.

The rule (allintop.ui.layout.place applies it to a row whose every tile has x and y):

- First the grid is made whole, as Grafana's own grid makes it: a tile is kept
  inside the 24 columns, floated up while nothing is above it (Grafana compacts
  its grid upwards), and moved down below any tile it would overlap.
- Columns: the 24 grid columns scale to the terminal's width; a tile from x to x+w
  spans the columns from round(x * width / 24) to round((x + w) * width / 24), so
  tiles side by side meet without a gap or an overlap.
- Lines: one grid unit of height is one terminal line, and no tile is less than
  `least` lines. Where a tile is held taller than its grid height, everything that
  starts at or below its grid bottom moves down as much: the grid's lines stay lined
  up as in Grafana, a tall tile beside stacked small ones stretches to their bottom,
  and no two boxes overlap.
- Too narrow: when a tile would be narrower than `narrowest` columns, there is no
  grid (None), and the row's tiles flow in Grafana's reading order instead.

Pure arithmetic on plain numbers, tested without a terminal.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from allintop.dashboard.model import GRID_COLUMNS

#: Lowest a grid y is taken to be: more is a slip, and keeps the arithmetic small.
MAX_GRID_Y = 10_000


@dataclass(frozen=True, slots=True)
class Cell:
    """A tile's place in Grafana's grid: columns x to x + w, grid rows y to y + h."""

    x: int
    y: int
    w: int
    h: int

    @property
    def bottom(self) -> int:
        return self.y + self.h

    def beside(self, other: Cell) -> bool:
        """Whether the two share a column."""
        return self.x < other.x + other.w and other.x < self.x + self.w


#: A tile's box on the terminal: column, line, width, height.
Spot = tuple[int, int, int, int]


def on_grid(cells: Sequence[Cell], width: int, least: int, narrowest: int) -> list[Spot] | None:
    """Each cell's spot on a terminal `width` columns wide (tiles at least `least`
    lines high), in the cells' order; None when a tile would be narrower than
    `narrowest` columns."""
    edges = [(_edge(c.x, width), _edge(c.x + c.w, width)) for c in map(_inside, cells)]
    if any(right - left < narrowest for left, right in edges):
        return None
    grid = settled(cells)
    lines = _lines(grid, least)
    return [
        (left, lines[cell.y], right - left, lines[cell.bottom] - lines[cell.y])
        for cell, (left, right) in zip(grid, edges, strict=True)
    ]


def settled(cells: Sequence[Cell]) -> list[Cell]:
    """The cells as Grafana's grid holds them (in their order): inside the columns,
    floated up while nothing is above, moved down below any they overlap. Placed
    top to bottom, then left to right, as Grafana places them."""
    inside = [_inside(cell) for cell in cells]
    order = sorted(range(len(inside)), key=lambda i: (inside[i].y, inside[i].x, i))
    placed: dict[int, Cell] = {}
    for index in order:
        cell = inside[index]
        above = [p for p in placed.values() if p.beside(cell)]
        top = max((p.bottom for p in above if p.bottom <= cell.y), default=0)
        while True:
            hit = [p.bottom for p in above if p.y < top + cell.h and top < p.bottom]
            if not hit:
                break
            top = max(hit)
        placed[index] = Cell(cell.x, top, cell.w, cell.h)
    return [placed[i] for i in range(len(inside))]


def _inside(cell: Cell) -> Cell:
    """The cell within the grid: 1 to 24 columns wide, ending by the 24th, at a y
    from 0, at least one grid row high."""
    w = max(1, min(GRID_COLUMNS, cell.w))
    x = max(0, min(GRID_COLUMNS - w, cell.x))
    return Cell(x, max(0, min(MAX_GRID_Y, cell.y)), w, max(1, min(MAX_GRID_Y, cell.h)))


def _edge(column: int, width: int) -> int:
    """The terminal column where grid column `column` starts."""
    return round(column * width / GRID_COLUMNS)


def _lines(cells: Sequence[Cell], least: int) -> dict[int, int]:
    """The terminal line of each grid y where a cell starts or ends: a grid row a
    line, pushed down where a cell ending there must be `least` lines high."""
    ends: dict[int, list[int]] = {}
    for cell in cells:
        ends.setdefault(cell.bottom, []).append(cell.y)
    lines: dict[int, int] = {}
    previous: int | None = None
    for key in sorted({c.y for c in cells} | set(ends)):
        line = key if previous is None else lines[previous] + key - previous
        lines[key] = max([line] + [lines[top] + least for top in ends.get(key, ())])
        previous = key
    return lines
