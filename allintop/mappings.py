"""Value mappings: a number shown as a word ("1" -> "UP", 0..50 -> "low", NaN -> "n/a"),
as Grafana's value / range / special mappings (and the legacy valueMaps, rangeMaps)
do. Pure: no Textual, no network."""

from __future__ import annotations

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
