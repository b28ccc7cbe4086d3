"""A heatmap of histogram buckets over time: each bucket's share of the observations,
column by column, as shade levels. Pure: no Textual, no network.

Prometheus histograms are cumulative (`le="0.5"` counts everything up to 0.5 s); a
heatmap cell shows what fell in its own bucket, so each bucket is the difference
from the one below it, as Grafana's "heatmap" format computes it.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

#: From nothing to the fullest cell of the grid.
SHADES = " ░▒▓█"

Column = list[float | None]


def bound(le: str) -> float:
    """A bucket's upper bound as a number ("+Inf" is infinity; junk sorts last)."""
    try:
        value = float(le)
    except ValueError:
        return math.inf
    return math.inf if math.isnan(value) else value


def ordered(buckets: Mapping[str, Sequence[float | None]]) -> list[tuple[str, Column]]:
    """The buckets (le -> values over time) sorted by bound, lowest first; buckets of
    one bound written two ways (`le="1"` before Prometheus 3, `le="1.0"` after it
    normalised them) are one bucket, their counts added, as histogram_quantile
    coalesces them."""
    out: list[tuple[str, Column]] = []
    for le in sorted(buckets, key=bound):
        if out and bound(out[-1][0]) == bound(le) and math.isfinite(bound(le)):
            out[-1] = (out[-1][0], _added(out[-1][1], buckets[le]))
        else:
            out.append((le, list(buckets[le])))
    return out


def _added(a: Sequence[float | None], b: Sequence[float | None]) -> Column:
    return [_sum(pair) for pair in zip(a, b, strict=False)]


def decumulate(series: Sequence[tuple[str, Column]]) -> list[tuple[str, Column]]:
    """Each bucket's own counts: its cumulative count minus the bucket below's (a
    negative difference, from counts read at slightly different times, is zero)."""
    out: list[tuple[str, Column]] = []
    below: Column | None = None
    for le, values in series:
        own: Column = []
        for k, value in enumerate(values):
            under = below[k] if below is not None and k < len(below) else None
            if value is None:
                own.append(None)
            else:
                own.append(max(value - (under or 0.0), 0.0))
        out.append((le, own))
        below = values
    return out


def resample(values: Sequence[float | None], width: int) -> Column:
    """`values` over `width` columns, each the mean of its slice (None: all gaps).

    The mean, not the sum: slices are of uneven lengths (200 points on 72 columns are
    slices of 2 and 3), and summed they would stripe a steady rate column by column."""
    n = len(values)
    if width <= 0:
        return []
    if n < width:
        return [values[col * n // width] if n else None for col in range(width)]
    out: Column = []
    for col in range(width):
        chunk = [v for v in values[col * n // width : (col + 1) * n // width] if v is not None]
        out.append(sum(chunk) / len(chunk) if chunk else None)
    return out


def shades(grid: Sequence[Sequence[float | None]]) -> list[list[int]]:
    """Each cell's shade level (0..len(SHADES)-1) against the grid's biggest cell; a
    cell with any count is at least level 1, so a rare slow request shows."""
    top = max((v for row in grid for v in row if v is not None and math.isfinite(v)), default=0)
    levels = len(SHADES) - 1
    out = []
    for row in grid:
        line = []
        for value in row:
            if value is None or not math.isfinite(value) or value <= 0 or top <= 0:
                line.append(0)
            else:
                line.append(max(1, round(value / top * levels)))
        out.append(line)
    return out


def heatmap(
    buckets: Mapping[str, Sequence[float | None]],
    width: int,
    height: int,
    *,
    cumulative: bool = True,
) -> tuple[list[str], list[list[int]]]:
    """The heatmap at `width` columns and at most `height` rows, top row first: the
    bucket labels (le) and the shade level of each cell. With more buckets than rows,
    neighbouring buckets are added together (labelled by the higher bound).

    `cumulative`: the counts are classic buckets' (each counts everything below its
    bound); a native histogram's buckets count only their own observations."""
    sorted_buckets = ordered(buckets)
    own = decumulate(sorted_buckets) if cumulative else sorted_buckets
    if not own or width <= 0 or height <= 0:
        return [], []
    rows: list[tuple[str, Column]] = []
    n = len(own)
    groups = min(n, height)
    for g in range(groups):
        part = own[g * n // groups : (g + 1) * n // groups]
        total = [_sum(vs) for vs in zip(*(values for _, values in part), strict=False)]
        rows.append((part[-1][0], resample(total, width)))
    rows.reverse()  # the highest bucket on top, as on a chart's value axis
    return [le for le, _ in rows], shades([values for _, values in rows])


def _sum(values: Sequence[float | None]) -> float | None:
    present = [v for v in values if v is not None]
    return sum(present) if present else None
