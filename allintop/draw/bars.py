"""Gauge and bar gauge cells: a value between a minimum and a maximum as a bar of
eighth blocks, and where threshold levels fall on it. Pure: no Textual, no network."""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence

#: A cell filled by 0/8 .. 8/8, left to right.
EIGHTHS = " ▏▎▍▌▋▊▉█"


def bounds(
    values: Iterable[float | None], low: float | None = None, high: float | None = None
) -> tuple[float, float]:
    """The bar's (min, max): the tile's own when set, else from the values, as
    Grafana does: zero at the bottom unless a value is negative, the biggest value on
    top. Never an empty span, so a bar has a direction."""
    finite = [v for v in values if v is not None and math.isfinite(v)]
    bottom = low if low is not None else min([0.0, *finite])
    top = high if high is not None else max([bottom, *finite])
    if top <= bottom:
        top = bottom + (abs(bottom) or 1.0)
    return bottom, top


def fraction(value: float | None, low: float, high: float) -> float:
    """How far `value` is from `low` to `high`, clamped to 0..1 (0 for no value)."""
    if value is None or math.isnan(value) or high <= low:
        return 0.0
    if math.isinf(value):
        return 1.0 if value > 0 else 0.0
    return min(max((value - low) / (high - low), 0.0), 1.0)


def bar(value: float | None, low: float, high: float, width: int) -> str:
    """`width` cells: the value's share of the span in eighth blocks, then spaces."""
    if width <= 0:
        return ""
    eighths = round(fraction(value, low, high) * width * 8)
    full, part = divmod(eighths, 8)
    cells = "█" * full + (EIGHTHS[part] if part else "")
    return cells.ljust(width)[:width]


def marks(levels: Sequence[float], low: float, high: float, width: int) -> list[int]:
    """The cell each level (a threshold) falls in, for those within the span."""
    if width <= 0:
        return []
    return [
        min(int((level - low) / (high - low) * width), width - 1)
        for level in levels
        if math.isfinite(level) and low <= level <= high
    ]


#: Cells a bar keeps before a name gives way: below it the bar says little.
BAR_MIN = 4
#: Cells a cut name keeps ("re…") before the bar gives way too.
NAME_MIN = 3


def widths(width: int, name: int, number: int) -> tuple[int, int, int]:
    """How one line of `width` cells is shared by a name, a bar and a number that
    want `name` and `number` cells: (name, bar, number).

    A cut number reads wrong ("30.0…"), a shorter bar still reads, so the number is
    whole while anything else can give: the bar first, down to BAR_MIN cells; then
    the name, down to NAME_MIN; then the bar, down to one cell; then the name. Only
    a line too narrow for the number and one cell of bar cuts the number.
    """
    width, name, number = max(width, 0), max(name, 0), max(number, 0)
    if number + 1 > width:
        number = max(width - 1, 0)
        return 0, width - number, number
    rest = width - number  # the name's and the bar's, at least one cell
    kept = min(name, max(rest - BAR_MIN, min(name, NAME_MIN, rest - 1)))
    return kept, rest - kept, number
