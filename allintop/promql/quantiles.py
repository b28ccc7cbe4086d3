"""Client-side histogram_quantile(), computed the way Prometheus 2.42 computes it.

Why: the dashboard's P50, P95 and P99 panels read the same `sum by (le) (...)` bucket
vector; fetching it once and taking the quantiles here saves Prometheus two of three
evaluations of the most expensive query. That is only worth doing if the numbers are
Prometheus' own, so this follows promql/quantile.go (`bucketQuantile`,
`coalesceBuckets`, `ensureMonotonic`) and functions.go (`funcHistogramQuantile`) step
by step, including their corner cases, rather than a textbook quantile.

Pure functions: no network, no Textual.
"""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Callable, Iterable, Mapping, Sequence

__all__ = ["bucket_quantile", "divide", "histogram_quantile", "parse_le"]

BUCKET_LABEL = "le"
METRIC_NAME = "__name__"

Bucket = tuple[float, float]  # (upper bound, cumulative count)


def divide(a: float, b: float) -> float:
    """a / b as IEEE 754 (and Go) define it: ±Inf for x/0, NaN for 0/0; Python raises."""
    if b == 0:
        if a == 0 or math.isnan(a):
            return math.nan
        return math.copysign(math.inf, a) * math.copysign(1.0, b)
    return a / b


def bucket_quantile(q: float, buckets: Sequence[Bucket]) -> float:
    """The q-quantile of one histogram's buckets, as Prometheus' `bucketQuantile`.

    Linear interpolation within the bucket the rank falls into; a lower bound of 0
    for the lowest bucket when its upper bound is positive (else that upper bound is
    the answer); the second-highest upper bound when the rank falls into +Inf.
    NaN for a NaN q, no buckets, no +Inf bucket, fewer than two distinct bounds or
    zero observations; -Inf for q < 0 and +Inf for q > 1.
    """
    if math.isnan(q):
        return math.nan
    if q < 0:
        return -math.inf
    if q > 1:
        return math.inf
    if not buckets:
        return math.nan  # Prometheus never calls it with none: no group, no output
    # Stable, like Go's insertion sort for the short slices histograms are.
    ordered = sorted(buckets, key=lambda b: b[0])
    if ordered[-1][0] != math.inf:
        return math.nan
    merged = _ensure_monotonic(_coalesce(ordered))
    if len(merged) < 2:
        return math.nan
    observations = merged[-1][1]
    if observations == 0:
        return math.nan
    rank = q * observations
    b = _search(len(merged) - 1, lambda i: merged[i][1] >= rank)
    if b == len(merged) - 1:
        return merged[-2][0]
    if b == 0 and merged[0][0] <= 0:
        return merged[0][0]
    start, end, count = 0.0, merged[b][0], merged[b][1]
    if b > 0:
        start = merged[b - 1][0]
        count -= merged[b - 1][1]
        rank -= merged[b - 1][1]
    # count is 0 when q is 0 and the lowest bucket is empty: 0/0, NaN, as in Go.
    return start + (end - start) * divide(rank, count)


def _coalesce(buckets: Sequence[Bucket]) -> list[Bucket]:
    """Merge buckets with the same upper bound by adding their counts (input sorted)."""
    out: list[Bucket] = [buckets[0]]
    for bound, count in buckets[1:]:
        if bound == out[-1][0]:
            out[-1] = (bound, out[-1][1] + count)
        else:
            out.append((bound, count))
    return out


def _ensure_monotonic(buckets: list[Bucket]) -> list[Bucket]:
    """Raise every count to the highest count below it (scrapes are not atomic).

    Starts from the first count and compares with `>`/`<` as Go does, so a NaN count
    behaves as it does in Prometheus (it stops all later corrections).
    """
    highest = buckets[0][1]
    for i in range(1, len(buckets)):
        bound, count = buckets[i]
        if count > highest:
            highest = count
        elif count < highest:
            buckets[i] = (bound, highest)
    return buckets


def _search(n: int, found: Callable[[int], bool]) -> int:
    """Go's sort.Search: the smallest i in [0, n) with found(i), else n.

    A binary search, kept literally: with NaN counts the predicate is not monotonic
    and any other search order would pick a different bucket than Prometheus.
    """
    lo, hi = 0, n
    while lo < hi:
        mid = (lo + hi) // 2
        if not found(mid):
            lo = mid + 1
        else:
            hi = mid
    return lo


def histogram_quantile(
    q: float, samples: Iterable[tuple[Mapping[str, str], float]]
) -> list[tuple[dict[str, str], float]]:
    """Prometheus' histogram_quantile(q, v) over an instant vector of bucket samples.

    Samples are grouped by all their labels except `le`; each group yields one
    sample labelled without `le` and `__name__`. Samples whose `le` is missing or not
    a float (by Go's rules) are ignored, as Prometheus ignores them.

    Raises:
        ValueError: two groups end up with the same labels once `__name__` is dropped
            (Prometheus fails such a query the same way).
    """
    groups: dict[tuple[tuple[str, str], ...], list[Bucket]] = {}
    for labels, value in samples:
        bound = parse_le(labels.get(BUCKET_LABEL))
        if bound is None:
            continue
        key = tuple(sorted((k, v) for k, v in labels.items() if k != BUCKET_LABEL))
        groups.setdefault(key, []).append((bound, value))
    out: dict[tuple[tuple[str, str], ...], tuple[dict[str, str], float]] = {}
    for key, buckets in groups.items():
        labels = {k: v for k, v in key if k != METRIC_NAME}
        shown = tuple(sorted(labels.items()))
        if shown in out:
            raise ValueError("vector cannot contain metrics with the same labelset")
        out[shown] = (labels, bucket_quantile(q, buckets))
    return list(out.values())


# Go's strconv.ParseFloat syntax (decimal or hexadecimal with a p exponent, "_" only
# between digits, "inf"/"infinity" with a sign, "nan" without), ASCII digits only.
# Python's float() is laxer (whitespace, Unicode digits, "+nan", "1e999" -> inf), so
# an `le` that Prometheus skips would otherwise count here.
_DECIMAL = re.compile(r"[+-]?(?:[0-9_]+\.?[0-9_]*|\.[0-9_]+)(?:[eE][+-]?[0-9_]+)?", re.ASCII)
_HEX = re.compile(
    r"[+-]?0[xX](?:[0-9a-fA-F_]+\.?[0-9a-fA-F_]*|\.[0-9a-fA-F_]+)[pP][+-]?[0-9_]+", re.ASCII
)
_INF = re.compile(r"[+-]?inf(?:inity)?", re.IGNORECASE)


@functools.lru_cache(maxsize=4096)
def parse_le(text: str | None) -> float | None:
    """The bucket bound an `le` label value means, or None where Go cannot parse it.

    Cached: a dashboard has a few dozen distinct bounds, and the backfill asks for
    each of them at every point of every bucket series.
    """
    if text is None:
        return None
    if text.lower() == "nan":
        return math.nan
    if _INF.fullmatch(text):
        return -math.inf if text.startswith("-") else math.inf
    hexadecimal = _HEX.fullmatch(text) is not None
    if not (hexadecimal or _DECIMAL.fullmatch(text)) or not _underscores_ok(text):
        return None
    digits = text.replace("_", "")
    try:
        value = float.fromhex(digits) if hexadecimal else float(digits)
    except (OverflowError, ValueError):
        return None
    # Out of range is an error in Go (ErrRange), so Prometheus skips the bucket.
    return value if math.isfinite(value) else None


def _underscores_ok(text: str) -> bool:
    """Go's underscoreOK: "_" only between digits (or after a base prefix)."""
    body = text[1:] if text[:1] in "+-" else text
    hexadecimal = body[:2].lower() == "0x"
    saw = "0" if hexadecimal else "^"  # a base prefix counts as a digit
    for ch in body[2:] if hexadecimal else body:
        if ch in "0123456789" or (hexadecimal and ch.lower() in "abcdef"):
            saw = "0"
        elif ch == "_":
            if saw != "0":
                return False
            saw = "_"
        elif saw == "_":
            return False
        else:
            saw = "!"
    return saw != "_"
