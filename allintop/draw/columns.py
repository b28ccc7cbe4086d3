"""Time on a fixed column grid: which history buckets each drawn column holds.

A sparkline or chart of `width` columns over a history of buckets (allintop.live.history:
bucket `i` starts at `i * bucket` seconds, wall-clock aligned) gives each column a
period of whole buckets, `span` of them: range / columns rounded down to a whole
bucket, at least one (buckets are whole refresh steps, so the period is too). Column
`k` covers the wall-clock interval [k * P, (k + 1) * P) with P = span * bucket, and a
bucket goes into the column holding its start; the rightmost column is the one holding
the newest bucket, "now".

So the columns do not move with every new bucket, as a slice relative to the newest
one would: a tick inside a column changes only that column, and the whole line shifts
by one column once per period (15 min over 40 columns at a 5 s bucket: every 25 s),
when the newest bucket is the first of a new column. What a column shows is the same
before and after the shift, so a one-tick spike keeps its column's highest value until
it leaves the range.

A drawing takes `fitted_grid`: columns of range / width buckets rounded up, so the
whole range fits its width, and only as many columns as the buckets held fill, so
none reaches back past them (were one to, the oldest column would lose a bucket at
every new one, the history dropping its oldest, and change between shifts). Those
columns are then spread over the width (`stretch`; a chart joins them with lines),
so a range of fewer buckets than cells still spans the card, as in Grafana, and the
line shifts once per column, never inside one. Everything is in bucket indexes, so
no float arithmetic moves a bucket from one column to the next.
Pure: no Textual, no network.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Column:
    """What a column's buckets held: their lowest, highest and last value."""

    low: float
    high: float
    last: float


@dataclass(frozen=True, slots=True)
class ColumnGrid:
    """`width` columns on the wall-clock grid, oldest first (None: no value there).

    The leftmost is column `first`: it covers buckets [first * span, (first + 1) * span).
    """

    columns: tuple[Column | None, ...]
    first: int
    span: int

    @property
    def newest(self) -> int:
        """The index of the rightmost column (the one holding now)."""
        return self.first + len(self.columns) - 1

    def highs(self) -> list[float | None]:
        """Each column's highest value: what a sparkline and a chart tile draw, so that
        a one-tick spike shows however many buckets its column holds."""
        return [c.high if c is not None else None for c in self.columns]

    def seconds(self, bucket: float) -> tuple[float, float]:
        """The wall-clock start of the leftmost column and the end of the newest one,
        for buckets `bucket` seconds wide."""
        return self.first * self.span * bucket, (self.newest + 1) * self.span * bucket


def column_span(buckets: int, width: int) -> int:
    """Buckets per column: `buckets` (the range) over `width` columns, rounded down to
    a whole bucket (so the columns stay within the buckets held), at least one."""
    if width <= 0:
        return 1
    return max(1, buckets // width)


def column_grid(
    values: Sequence[float | None], newest: int | None, width: int, span: int | None = None
) -> ColumnGrid:
    """`values` (one per bucket, oldest first, the last one bucket `newest`) in `width`
    columns of `span` buckets (by default `column_span(len(values), width)`).

    A history that never had a value (`newest` None) is all gaps.
    """
    span = span or column_span(len(values), width)
    width = max(width, 0)
    if newest is None:
        return ColumnGrid((None,) * width, 0, span)
    last_column = newest // span
    first = last_column - width + 1
    first_bucket = newest - len(values) + 1
    columns: list[Column | None] = []
    # Column by column, a slice of the buckets each: a sparkline's at every tick.
    for column in range(first, first + width):
        start = column * span - first_bucket  # may be before the oldest bucket held
        chunk = values[max(start, 0) : max(start + span, 0)]
        held = [v for v in chunk if v is not None]
        columns.append(Column(min(held), max(held), held[-1]) if held else None)
    return ColumnGrid(tuple(columns), first, span)


def fitted_span(buckets: int, width: int) -> int:
    """Buckets per column for a drawing `width` columns wide: `buckets` (the range) over
    `width`, rounded up to a whole bucket, so the whole range fits; at least one."""
    if width <= 0:
        return 1
    return max(1, math.ceil(buckets / width))


def fitted_grid(values: Sequence[float | None], newest: int | None, width: int) -> ColumnGrid:
    """The range of `values` (as for `column_grid`) on the grid, for a drawing `width`
    columns wide: columns of `fitted_span` buckets, as many as the buckets held fill,
    at most `width` of them (a drawing spreads them over its width)."""
    span = fitted_span(len(values), width)
    return column_grid(values, newest, max(1, len(values) // span), span)


def stretch(columns: Sequence[float | None], width: int) -> list[float | None]:
    """`columns` spread over `width` cells, oldest first, each column one cell or more
    (the newest at the right edge); the newest `width` of them if there are more."""
    count = len(columns)
    if width <= 0:
        return []
    if count >= width:
        return list(columns[count - width :])
    return [columns[cell * count // width] for cell in range(width)]
