"""The words and levels a drawing of a panel's values carries: a value as its panel
shows it (a value mapping's text, else number and unit), and the threshold levels
drawn across a chart or marked on a bar.
"""

from __future__ import annotations

from collections.abc import Sequence

from allintop.dashboard.model import Query
from allintop.values.mappings import ValueMapping, mapped
from allintop.values.text import clean
from allintop.values.units import format_value


def formatted(value: float | None, panel: Query, mappings: Sequence[ValueMapping] = ()) -> str:
    """A value as its panel shows it: a value mapping's text, else number and unit
    ("—" for none). Without `mappings` (an axis label), always the number."""
    mapping = mapped(value, mappings)
    if mapping is not None and mapping.text:
        return clean(mapping.text, 40)
    if value is None:
        return "—"
    number, unit = format_value(value, panel.unit, panel.decimals)
    return f"{number} {unit}".strip()


def levels(panel: Query) -> list[float]:
    """The panel's target and alert levels, those it has, in that order."""
    thresholds = panel.thresholds
    if thresholds is None:
        return []
    return [t.value for t in (thresholds.target, thresholds.alert) if t is not None]
