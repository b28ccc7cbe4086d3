"""How a series becomes the one number a stat or gauge shows: Grafana's reducers
(lastNotNull, last, mean, max, min, sum, ...), and the legacy singlestat's valueName
(current, avg, total, ...) as the same. Pure: no Textual, no network."""

from __future__ import annotations

import math
import statistics
from collections.abc import Callable, Sequence

DEFAULT = "lastNotNull"

Values = list[float]  # the series' numbers: no None, no NaN
Reducer = Callable[[Values], float | None]


def _delta(values: Values) -> float:
    """The increase over the series, a counter reset counting from zero (as Grafana's)."""
    total = 0.0
    for before, after in zip(values, values[1:], strict=False):
        total += after - before if after >= before else after
    return total


def _diff_percent(values: Values) -> float | None:
    first, last = values[0], values[-1]
    return None if first == 0 else (last - first) / abs(first) * 100


def _change_count(values: Values) -> float:
    return float(sum(1 for a, b in zip(values, values[1:], strict=False) if a != b))


def _log_min(values: Values) -> float | None:
    positive = [v for v in values if v > 0]
    return min(positive) if positive else None


# Each reducer over the series' numbers (gaps removed); the ones that look at the gaps
# themselves (last, first, allIsNull, count) are in reduce().
_REDUCERS: dict[str, Reducer] = {
    "lastNotNull": lambda v: v[-1],
    "firstNotNull": lambda v: v[0],
    "mean": statistics.fmean,
    "max": max,
    "min": min,
    "sum": math.fsum,
    "range": lambda v: max(v) - min(v),
    "delta": _delta,
    "diff": lambda v: v[-1] - v[0],
    "diffperc": _diff_percent,
    "median": statistics.median,
    "variance": statistics.pvariance,
    "stdDev": statistics.pstdev,
    "changeCount": _change_count,
    "distinctCount": lambda v: float(len(set(v))),
    "allIsZero": lambda v: float(all(x == 0 for x in v)),
    "logmin": _log_min,
}
_WITH_GAPS = ("last", "first", "count", "allIsNull", "allValues", "uniqueValues")

#: The legacy singlestat's valueName, and other spellings, as Grafana's reducer names.
ALIASES = {
    "current": "lastNotNull",
    "avg": "mean",
    "average": "mean",
    "total": "sum",
    "first": "firstNotNull",  # the singlestat skipped nulls
    "last_time": "lastNotNull",  # a timestamp: allintop shows the last value instead
    "name": "lastNotNull",  # the series' name: allintop shows the last value instead
}
#: Names shown, but not as Grafana shows them.
APPROXIMATED = frozenset({"last_time", "name", "allValues", "uniqueValues"})
#: Every name reduce() computes as Grafana does, besides the percentiles p1 to p99:
#: what panels.yaml may give and `import-grafana` writes.
NAMES = tuple(
    name for name in dict.fromkeys([*_REDUCERS, *_WITH_GAPS, *ALIASES]) if name not in APPROXIMATED
)


def normalise(name: str, legacy: bool = False) -> str:
    """Grafana's name for a reducer: a singlestat's valueName (`legacy`) or a stat's
    calc, as reduce() takes it; an unknown one is lastNotNull."""
    if legacy and name in ALIASES:
        return ALIASES[name]
    if name in _REDUCERS or name in _WITH_GAPS or _percentile(name) is not None:
        return name
    return ALIASES.get(name, DEFAULT)


def is_known(name: str) -> bool:
    """Whether reduce() computes `name` as Grafana does (not a stand-in)."""
    return name in NAMES or _percentile(name) is not None


def reduce(values: Sequence[float | None], name: str = DEFAULT) -> float | None:
    """`values` (oldest first, None and NaN for gaps) reduced by the reducer `name`;
    None when there is nothing to reduce. Unknown names reduce as lastNotNull."""
    numbers = [v for v in values if v is not None and not math.isnan(v)]
    if name == "last":
        return values[-1] if values else None
    if name == "first":
        return values[0] if values else None
    if name == "count":
        return float(len(numbers))
    if name == "allIsNull":
        return float(not numbers)
    if not numbers:
        return None
    quantile = _percentile(name)
    if quantile is not None:
        return _quantile(numbers, quantile)
    return _REDUCERS.get(normalise(name), _REDUCERS[DEFAULT])(numbers)


def _percentile(name: str) -> float | None:
    """Grafana's percentile calcs, "p1" to "p99", as a fraction."""
    digits = name.removeprefix("p")
    if name == digits or not digits.isdigit() or not 0 < int(digits) < 100:
        return None
    return int(digits) / 100


def _quantile(numbers: Values, quantile: float) -> float:
    """Linear interpolation between the closest ranks."""
    ordered = sorted(numbers)
    position = quantile * (len(ordered) - 1)
    low = math.floor(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)
