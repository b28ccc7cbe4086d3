"""A multi-series line chart in braille: each cell holds 2 x 4 dots, so a chart of
`width` x `height` cells draws 2*width points across and 4*height levels up. Every
cell also says which series drew it, so the widget colours it; where lines cross,
the first series (the most important) wins. Pure: no Textual, no network.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

BLANK = 0x2800
#: The dot bit at (column 0..1, row 0..3 from the top) of a cell.
DOTS = ((0x01, 0x02, 0x04, 0x40), (0x08, 0x10, 0x20, 0x80))


@dataclass(frozen=True, slots=True)
class Cell:
    """One character: `owner` is the series index, LEVEL - k for level k, or None."""

    char: str
    owner: int | None


#: Owners of level lines: LEVEL - 0 for the first level, LEVEL - 1 for the next.
LEVEL = -1


def resample(values: Sequence[float | None], points: int) -> list[float | None]:
    """`values` (evenly spaced in time, oldest first) at `points` places across: the
    biggest of each slice, so a spike survives; None where a slice has only gaps."""
    n = len(values)
    if points <= 0:
        return []
    if n < points:
        return [values[p * n // points] if n else None for p in range(points)]
    out: list[float | None] = []
    for p in range(points):
        chunk = [v for v in values[p * n // points : (p + 1) * n // points] if v is not None]
        out.append(max(chunk) if chunk else None)
    return out


def _level(value: float, low: float, high: float, dots: int) -> int | None:
    if not math.isfinite(value):
        return None
    share = (value - low) / (high - low) if high > low else 0.0
    return min(max(round(share * (dots - 1)), 0), dots - 1)


def plot(
    series: Sequence[Sequence[float | None]],
    width: int,
    height: int,
    low: float,
    high: float,
    levels: Sequence[float] = (),
) -> list[list[Cell]]:
    """The chart as `height` rows of `width` cells, top row first.

    Each series is drawn as a line over the full width (consecutive points joined
    up and down, gaps left open); each level is a dotted horizontal line under them.
    """
    if width <= 0 or height <= 0:
        return []
    across, up = width * 2, height * 4
    bits = [[0] * width for _ in range(height)]
    owners: list[list[int | None]] = [[None] * width for _ in range(height)]

    def dot(x: int, y: int, owner: int) -> None:
        row, col = (up - 1 - y) // 4, x // 2
        bits[row][col] |= DOTS[x % 2][(up - 1 - y) % 4]
        owners[row][col] = owner

    for k, value in enumerate(levels):
        y = _level(value, low, high, up)
        if y is not None and low <= value <= high:
            for x in range(0, across, 2):
                dot(x, y, LEVEL - k)
    # The last drawn owns a cell: draw the most important series last.
    for index in reversed(range(len(series))):
        for x0, y0, x1, y1 in _strokes(series[index], across, low, high, up):
            previous = y0
            for x in range(x0, x1 + 1):
                # Straight from point to point, each column joined to the one before.
                y = y0 if x1 == x0 else round(y0 + (y1 - y0) * (x - x0) / (x1 - x0))
                for level in range(min(previous, y), max(previous, y) + 1):
                    dot(x, level, index)
                previous = y
    return [
        [Cell(chr(BLANK + b) if b else " ", o if b else None) for b, o in zip(r, os, strict=True)]
        for r, os in zip(bits, owners, strict=True)
    ]


def _strokes(
    values: Sequence[float | None], across: int, low: float, high: float, up: int
) -> list[tuple[int, int, int, int]]:
    """The line's strokes, (x0, y0, x1, y1) in dots, between neighbouring points
    that are both there; a point with gaps on both sides is a stroke of its own."""
    points = resample(values, across) if len(values) >= across else list(values)
    last = max(len(points) - 1, 1)
    ys = [None if v is None else _level(v, low, high, up) for v in points]
    xs = [round(i * (across - 1) / last) for i in range(len(points))]
    strokes = []
    for i, y in enumerate(ys):
        if y is None:
            continue
        following = ys[i + 1] if i + 1 < len(ys) else None
        if following is not None:
            strokes.append((xs[i], y, xs[i + 1], following))
        elif i == 0 or ys[i - 1] is None:
            strokes.append((xs[i], y, xs[i], y))
    return strokes
