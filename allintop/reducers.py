"""How a series becomes the one number a stat or gauge shows: Grafana's reducers
(lastNotNull, last, mean, max, min, sum, ...). Pure: no Textual, no network."""

from __future__ import annotations

import math
from collections.abc import Sequence

DEFAULT = "lastNotNull"


def reduce(values: Sequence[float | None], name: str = DEFAULT) -> float | None:
    """`values` (oldest first, None and NaN for gaps) reduced by the reducer `name`;
    None when there is nothing to reduce."""
    finite = [v for v in values if v is not None and not math.isnan(v)]
    if name == "last":
        return values[-1] if values else None
    if not finite:
        return None
    if name == "mean":
        return sum(finite) / len(finite)
    if name == "max":
        return max(finite)
    if name == "min":
        return min(finite)
    if name == "sum":
        return sum(finite)
    return finite[-1]
