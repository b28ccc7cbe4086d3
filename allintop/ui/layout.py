"""How the dashboard fills the terminal: the card grid of panels.yaml's rows, the
tiles of Grafana's grid, the rows stacked into a page, and what of it is on screen.

Pure arithmetic, so it is tested without a terminal. Cards are at least
`MIN_CARD_WIDTH` columns wide (the longest seed title and a value with its unit fit),
a row never gets more columns than it has panels, and spare height goes to the
sparklines, so a large terminal shows taller charts instead of empty space.

Tiles (`place`) are as high as Grafana's grid says: a grid unit of height a line, at
least MIN_PANEL_HEIGHT lines. A row whose every tile has its grid place (x and y)
is laid out as Grafana lays it out (allintop.ui.grid: the 24 columns scaled to the
width, small tiles stacked beside a tall one), while every tile is at least
MIN_GRID_WIDTH columns wide. Narrower, or without places, the row reflows: its tiles
go in Grafana's reading order (top to bottom by y, then left to right by x), as many
to a line as the grid's widths allow, each at least MIN_PANEL_WIDTH columns, so a
narrow terminal stacks tiles rather than cutting their values.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType

from allintop.dashboard.model import GRID_COLUMNS, Panel, PanelKind, Row
from allintop.ui.grid import Cell, on_grid

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


# -- Grafana's grid: tiles of `width` 24ths and `height` grid rows --------------------

#: A tile in the reflow is at least this wide: at 80 columns a 4/24 tile would be 13
#: columns, too few for a title and a value with its unit, so it takes 20 and its
#: line wraps.
MIN_PANEL_WIDTH = MIN_CARD_WIDTH
#: A tile on Grafana's grid is at least this wide, or the row reflows: a short title
#: and a value fit (Node Exporter Full's 2/24 stats at 200 columns are 16).
MIN_GRID_WIDTH = 14
#: Title, value, detail.
MIN_PANEL_HEIGHT = 3
#: A tile's width in 24ths when none is given.
DEFAULT_WIDTH = GRID_COLUMNS // 4
#: A tile's height in grid rows when none is given (Grafana's default is 8 for a chart).
KIND_HEIGHTS: Mapping[PanelKind, int] = MappingProxyType(
    {
        "stat": 4,
        "gauge": 6,
        "bargauge": 6,
        "timeseries": 8,
        "table": 8,
        "text": 4,
        "heatmap": 8,
        "other": 4,
    }
)


@dataclass(frozen=True, slots=True)
class Box:
    """Where a tile (or a row's title) is: columns from the left, lines from the top."""

    x: int
    y: int
    width: int
    height: int

    @property
    def bottom(self) -> int:
        return self.y + self.height

    def overlaps(self, top: int, bottom: int) -> bool:
        """Whether any of its lines is in [top, bottom)."""
        return self.y < bottom and self.bottom > top


def panel_lines(tile: Panel, height: int) -> int:
    """The tile's height in lines: a line a grid row (its kind's if it has none), at
    least MIN_PANEL_HEIGHT and at most the body, `height` lines high."""
    rows = tile.height or KIND_HEIGHTS.get(tile.kind, KIND_HEIGHTS["stat"])
    return max(MIN_PANEL_HEIGHT, min(rows, height))


def place(tiles: Sequence[Panel], width: int, height: int) -> tuple[Box, ...]:
    """Each tile's box in its row's body, `width` columns wide, for a body `height`
    lines high, in the tiles' order: on Grafana's grid where every tile has its place
    and is wide enough there, else reflowed (see the module's docstring)."""
    if tiles and all(tile.x is not None and tile.y is not None for tile in tiles):
        cells = [_cell(tile, height) for tile in tiles]
        spots = on_grid(cells, width, min(MIN_PANEL_HEIGHT, height), MIN_GRID_WIDTH)
        if spots is not None:
            return tuple(Box(*spot) for spot in spots)
        order = sorted(range(len(tiles)), key=lambda i: (cells[i].y, cells[i].x, i))
    else:
        order = list(range(len(tiles)))
    flowed = flow([tiles[i] for i in order], width, height)
    boxes = dict(zip(order, flowed, strict=True))
    return tuple(boxes[i] for i in range(len(tiles)))


def _cell(tile: Panel, height: int) -> Cell:
    """The tile's place in the grid, as tall as it is drawn (at most the body)."""
    rows = tile.height or KIND_HEIGHTS.get(tile.kind, KIND_HEIGHTS["stat"])
    width = tile.width or DEFAULT_WIDTH
    return Cell(tile.x or 0, tile.y or 0, width, max(1, min(rows, height)))


def flow(tiles: Sequence[Panel], width: int, height: int) -> tuple[Box, ...]:
    """The tiles reflowed, in their order: line by line, a line holding up to
    GRID_COLUMNS 24ths, each tile `width`/24 of the columns. No tile is narrower than
    MIN_PANEL_WIDTH: the wider tiles of a line give up columns to the narrow ones
    while the line holds them all, and past that the line wraps into as few lines
    as hold its tiles, balanced and each spread over the width.
    """
    boxes: list[Box] = []
    top = 0
    least = min(MIN_PANEL_WIDTH, width)
    for line in _grid_lines([tile.width or DEFAULT_WIDTH for tile in tiles]):
        shares = [(tiles[i].width or DEFAULT_WIDTH) * width / GRID_COLUMNS for i in line]
        for group, widths in _fit(shares, least, width):
            edges = _edges(widths)
            heights = [panel_lines(tiles[line[k]], height) for k in group]
            for left, right, lines in zip(edges, edges[1:], heights, strict=False):
                boxes.append(Box(left, top, right - left, lines))
            top += max(heights)
    return tuple(boxes)


def extent(boxes: Sequence[Box]) -> int:
    """Lines the boxes take, from the top."""
    return max((box.bottom for box in boxes), default=0)


def _grid_lines(widths: Sequence[int]) -> list[list[int]]:
    """The tiles (by position) of each line of Grafana's grid: as many as fit in
    GRID_COLUMNS, in order."""
    lines: list[list[int]] = []
    used = GRID_COLUMNS
    for index, width in enumerate(widths):
        if used + width > GRID_COLUMNS:
            lines.append([])
            used = 0
        lines[-1].append(index)
        used += width
    return lines


def _fit(shares: Sequence[float], least: int, width: int) -> list[tuple[list[int], list[float]]]:
    """A grid line's tiles (their `shares` of the columns) as terminal lines: each
    line's tiles (by position) and their widths, none under `least`.

    A line that fits keeps Grafana's widths, and its gap on the right if it has
    one; one that does not is squeezed to the width, or wrapped when even that
    leaves a tile too narrow.
    """
    wanted = [max(share, least) for share in shares]
    if sum(wanted) <= width + 1e-9:
        return [(list(range(len(shares))), wanted)]
    per_line = max(1, width // least) if least else len(shares)
    lines = max(math.ceil(len(shares) / per_line), 1)
    if lines > 1:
        lines = max(lines, math.ceil(sum(wanted) / width))
    groups = _balance(wanted, lines, per_line)
    return [(group, _squeeze([shares[k] for k in group], least, width)) for group in groups]


def _balance(wanted: Sequence[float], lines: int, per_line: int) -> list[list[int]]:
    """`wanted` cut in order into about `lines` groups of about equal width, none
    longer than `per_line`."""
    target = sum(wanted) / lines
    groups: list[list[int]] = [[]]
    used = 0.0
    for index, columns in enumerate(wanted):
        full = len(groups[-1]) >= per_line or used + columns / 2 > target
        if groups[-1] and full:
            groups.append([])
            used = 0.0
        groups[-1].append(index)
        used += columns
    return groups


def _squeeze(shares: Sequence[float], least: int, width: int) -> list[float]:
    """Widths in proportion to `shares` that fill `width` exactly, none under `least`
    (those that would be are held at it and the others share the rest)."""
    held: set[int] = set()
    while True:
        free = sum(share for i, share in enumerate(shares) if i not in held)
        scale = (width - least * len(held)) / free if free > 0 else 0.0
        short = {i for i, share in enumerate(shares) if share * scale < least}
        if short <= held or len(short) == len(shares):
            break
        held |= short
    if len(held) == len(shares) or not free:
        return [width / len(shares)] * len(shares)
    return [least if i in held else share * scale for i, share in enumerate(shares)]


def _edges(widths: Sequence[float]) -> list[int]:
    """The columns where each of `widths` side by side starts, and where the last
    ends: rounded from the running total, so they add up without a gap."""
    return [round(edge) for edge in itertools.accumulate(widths, initial=0.0)]


# -- the page: rows stacked, what is on screen, where the keys go ---------------------


@dataclass(frozen=True, slots=True)
class Page:
    """The dashboard's rows stacked in the scrolled body: each row's title line and
    its tiles' boxes on the page (none while it is collapsed)."""

    titles: tuple[int, ...]
    panels: tuple[tuple[Box, ...], ...]
    height: int


def stack(bodies: Sequence[Sequence[Box] | None]) -> Page:
    """Rows on top of each other: a title line, then its body's boxes (`bodies`,
    each relative to its body; None for a collapsed row, its title only)."""
    titles: list[int] = []
    tiles: list[tuple[Box, ...]] = []
    top = 0
    for boxes in bodies:
        titles.append(top)
        top += 1
        shown = tuple(Box(b.x, b.y + top, b.width, b.height) for b in boxes or ())
        tiles.append(shown)
        top += extent(boxes or ())
    return Page(tuple(titles), tuple(tiles), top)


def stacked(bodies: Sequence[Sequence[Box]], collapsed: Sequence[bool]) -> Page:
    """The rows with their `bodies` stacked, those `collapsed` as their titles."""
    return stack(
        [None if folded else boxes for boxes, folded in zip(bodies, collapsed, strict=True)]
    )


@dataclass(frozen=True, slots=True)
class Plan:
    """Where everything goes on the dashboard's page."""

    grid: Layout | None
    """The card grid of panels.yaml's rows (None: there are none)."""
    bodies: tuple[tuple[Box, ...], ...]
    """Each row's cards or tiles, in its body."""
    page: Page


def plan_page(
    rows: Sequence[Row], width: int, height: int, collapsed: Sequence[bool], scrollbar: int
) -> Plan:
    """Where every row's cards or tiles go, for rows `width` x `height` (`collapsed`:
    which are folded). Taller than that, the page scrolls: the scrollbar takes its
    `scrollbar` columns from the tiles (the card grid's fractions give them up by
    themselves)."""
    sizes = [len(row.queries) for row in rows if not row.panels]
    grid = plan(width, height, sizes) if sizes else None
    bodies = _bodies(rows, width, height, grid)
    page = stacked(bodies, collapsed)
    if page.height > height and scrollbar:
        bodies = _bodies(rows, width - scrollbar, height, grid)
        page = stacked(bodies, collapsed)
    return Plan(grid, bodies, page)


def _bodies(
    rows: Sequence[Row], width: int, height: int, grid: Layout | None
) -> tuple[tuple[Box, ...], ...]:
    """Each row's boxes in its body, `width` columns wide, for a body `height` high."""
    bodies = []
    for row in rows:
        if row.panels:
            bodies.append(place(row.panels, width, height))
        elif grid is not None:
            bodies.append(cards(len(row.queries), grid.columns, grid.card_height, width))
        else:
            bodies.append(())
    return tuple(bodies)


def cards(count: int, columns: int, card_height: int, width: int) -> tuple[Box, ...]:
    """Where the card grid (`plan`) puts `count` cards of a row, `columns` a line."""
    columns = max(1, min(columns, count))
    edges = _edges([width / columns] * columns)
    return tuple(
        Box(
            edges[i % columns],
            (i // columns) * card_height,
            edges[i % columns + 1] - edges[i % columns],
            card_height,
        )
        for i in range(count)
    )


def shown(
    page: Page, panels: Sequence[Sequence[Sequence[int]]], top: int, bottom: int
) -> frozenset[int]:
    """The panels of the tiles with a line in [top, bottom) of the page; `panels`
    holds each row's tiles' panel indices. A collapsed row shows none."""
    return frozenset(
        panel
        for boxes, row in zip(page.panels, panels, strict=True)
        for box, tile in zip(boxes, row, strict=False)
        if box.overlaps(top, bottom)
        for panel in tile
    )


def nearest(boxes: Sequence[Box], here: Box, dx: int, dy: int) -> int | None:
    """The box an arrow key moves to from `here`: left or right, the nearest on the
    same line; up or down, the nearest line that way, and on it the box whose middle
    is nearest (tiles of a line below need not line up with those above). But first,
    up or down from a tile, what is above or under it, up to the next row title
    (which spans every column): Down from a tall tile went to a small one stacked
    beside it at the far side of the screen, its top being nearer."""
    if dx:
        return _nearest(boxes, here, dx, 0, lambda there: there.y == here.y)
    titles = [b.y for b in boxes if not b.width and (b.y - here.y) * dy > 0]
    fence = (min if dy > 0 else max)(titles, default=None)

    def under(there: Box) -> bool:
        if not here.width or (fence is not None and (there.y - fence) * dy > 0):
            return False  # from a title, or past the next one
        return not there.width or _columns_meet(here, there)  # a title spans them all

    found = _nearest(boxes, here, 0, dy, under)
    return found if found is not None else _nearest(boxes, here, 0, dy, lambda _: True)


def _nearest(
    boxes: Sequence[Box], here: Box, dx: int, dy: int, allowed: Callable[[Box], bool]
) -> int | None:
    best: tuple[float, int] | None = None
    for index, there in enumerate(boxes):
        ddx, ddy = there.x - here.x, there.y - here.y
        if (dx and ddx * dx <= 0) or (dy and ddy * dy <= 0) or not allowed(there):
            continue
        middle = abs(there.x + there.width / 2 - here.x - here.width / 2)
        distance = abs(ddy) * 10_000 + middle if dy else abs(ddx)
        if best is None or distance < best[0]:
            best = (distance, index)
    return None if best is None else best[1]


def _columns_meet(a: Box, b: Box) -> bool:
    """Whether two boxes share a column."""
    return a.x < b.x + b.width and b.x < a.x + a.width
