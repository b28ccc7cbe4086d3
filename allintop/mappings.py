"""Value mappings: a number shown as a word ("1" -> "UP", 0..50 -> "low", NaN -> "n/a"),
as Grafana's value / range / special mappings (and the legacy valueMaps, rangeMaps)
do. Pure: no Textual, no network."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

MappingKind = Literal["value", "range", "special"]
#: What a "special" mapping matches, as Grafana names it.
SPECIALS = ("null", "nan", "null+nan", "true", "false", "empty")


@dataclass(frozen=True)
class ValueMapping:
    """One mapping: the value (as written), the range or the special case it matches,
    the text shown instead, and the colour it names (a Grafana colour, or None)."""

    kind: MappingKind
    text: str
    value: str | None = None  # kind "value": "1", "up"
    low: float | None = None  # kind "range": None is unbounded
    high: float | None = None
    special: str | None = None  # kind "special": one of SPECIALS
    color: str | None = None


def mapped(value: float | None, mappings: Sequence[ValueMapping]) -> ValueMapping | None:
    """The first mapping that matches `value` (None: no value), or None."""
    for mapping in mappings:
        if mapping.kind == "range" and value is not None and not math.isnan(value):
            if (mapping.low is None or value >= mapping.low) and (
                mapping.high is None or value <= mapping.high
            ):
                return mapping
        elif mapping.kind == "value" and value is not None and mapping.value is not None:
            try:
                if float(mapping.value) == value:
                    return mapping
            except ValueError:
                continue
        elif mapping.kind == "special" and _special(value, mapping.special):
            return mapping
    return None


def _special(value: float | None, special: str | None) -> bool:
    nan = value is not None and math.isnan(value)
    return {
        "null": value is None,
        "nan": nan,
        "null+nan": value is None or nan,
    }.get(special or "", False)
