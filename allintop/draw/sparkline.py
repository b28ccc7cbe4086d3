"""A time-true sparkline: one column per slice of the range, gaps left blank.

Textual's own Sparkline stretches whatever data it has over its width and cannot
take gaps (it raises on NaN), so a half-filled history would look like a full one
and a scrape outage would vanish. Here column `i` always covers the same slice of
the dashboard range, missing data is a blank column, and the newest point is at the
right edge, as in Grafana. A card draws with `grid_lines`: its columns are on the
wall-clock grid (allintop.draw.columns) and its scale holds still (allintop.draw.scales),
so a tick changes only the newest column's cells. Pure functions (data and size in,
block characters out), no Textual: the card draws the lines in its own colours (see
allintop.ui.cards.stat).
"""

from __future__ import annotations

import functools
from collections.abc import Sequence

from allintop.draw.columns import fitted_grid, stretch
from allintop.draw.scales import Scale, is_flat, steady_scale

__all__ = [
    "BARS",
    "columns",
    "grid_lines",
    "history_scale",
    "is_flat",
    "render_columns",
    "render_lines",
]

BARS = " ▁▂▃▄▅▆▇█"


def columns(data: Sequence[float | None], width: int) -> list[float | None]:
    """Summarise `data` into `width` columns (max of each slice; None where all are gaps)."""
    if width <= 0:
        return []
    n = len(data)
    if n < width:
        # Fewer points than columns: each point spans its share of the width.
        return [data[col * n // width] for col in range(width)] if n else [None] * width
    out: list[float | None] = []
    for col in range(width):
        chunk = [v for v in data[col * n // width : (col + 1) * n // width] if v is not None]
        out.append(max(chunk) if chunk else None)
    return out


def render_lines(data: Sequence[float | None], width: int, height: int) -> list[str]:
    """The sparkline as `height` strings of `width` block characters, top line first,
    `data` sliced into `width` columns and scaled to its own lowest and highest value
    (a card draws with `render_columns`, on the wall-clock grid and a steady scale)."""
    cols = columns(data, width)
    finite = [v for v in cols if v is not None]
    if not finite:
        return [" " * width for _ in range(height)]
    return render_columns(cols, height, Scale(min(finite), max(finite)))


def render_columns(cols: Sequence[float | None], height: int, scale: Scale) -> list[str]:
    """Columns of values (None: a gap) as `height` strings of block characters, top
    line first, the bottom of `scale` the lowest bar and its top a full column."""
    if not cols:
        return [""] * height
    # Each column drawn whole from its height in eighths (a few dozen shapes, kept),
    # then read across: at a tick this ran for every cell of every sparkline shown,
    # working the scale out once per cell, and was most of a tick's cost.
    drawn = [_column(level, height) for level in _eighths(cols, scale, height * 8)]
    return ["".join(row) for row in zip(*drawn, strict=True)]


def _eighths(cols: Sequence[float | None], scale: Scale, levels: int) -> list[int]:
    """Each column's height in eighths of a cell (-1: a gap), at least one: a constant
    (or all-zero) series is a low line, as nothing is going on, and half- or
    full-height bars would say there was. Scale.share inlined: it runs per column."""
    if scale.flat:
        return [-1 if v is None else 1 for v in cols]
    low, size = scale.low, scale.high - scale.low
    return [
        -1 if v is None else max(1, round(min(max((v - low) / size, 0.0), 1.0) * levels))
        for v in cols
    ]


@functools.lru_cache(maxsize=1024)
def _column(level: int, height: int) -> tuple[str, ...]:
    """A column `level` eighths high (-1: a gap) as its `height` cells, top first."""
    if level < 0:
        return (" ",) * height
    return tuple(BARS[min(max(level - row * 8, 0), 8)] for row in reversed(range(height)))


def grid_lines(
    values: Sequence[float | None],
    newest: int | None,
    width: int,
    height: int,
    previous: Scale | None,
) -> list[str]:
    """The sparkline of a history (one value per bucket, oldest first, the last one
    bucket `newest`) on the wall-clock column grid (allintop.draw.columns), each
    column its buckets' highest value, on `history_scale(previous, values)`: the
    scale the card kept while the data stays inside it, so that a tick inside a
    column changes only that column's cells."""
    cols = stretch(fitted_grid(values, newest, width).highs(), width)
    scale = history_scale(previous, values)
    if scale is None:
        return [" " * width for _ in range(height)]
    return render_columns(cols, height, scale)


def history_scale(previous: Scale | None, values: Sequence[float | None]) -> Scale | None:
    """The scale for a history (allintop.draw.scales): `previous` while all of its
    values are inside it, else a new one around them (None: it has none). A card
    keeps it at each tick, so that it depends on the ticks, not on when, or at
    which size, the card was painted."""
    finite = [v for v in values if v is not None]
    if not finite:
        return previous
    return steady_scale(previous, min(finite), max(finite))
