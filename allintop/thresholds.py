"""Targets and alert levels in the seed's notation ("<200", ">99", "<1GB"), and the
status (ok / warning / critical / unknown) a value has against them.

The semantics are the seed's "Performance Targets" table: a value that meets the alert
threshold is critical, one that meets the target is ok, anything between is a warning.
"""

from __future__ import annotations

import math
import operator
import re
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import Literal, cast

from allintop.units import convert, kind_of

Op = Literal["<", "<=", ">", ">="]

_COMPARE: dict[str, Callable[[float, float], bool]] = {
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
}
# An operator, a number, and optionally a unit suffix ("<1GB", ">= 99 %", "<1.5e3").
_NOTATION = re.compile(
    r"(?P<op><=|>=|<|>)\s*(?P<number>[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)\s*(?P<suffix>.*)"
)
_EXAMPLES = 'write an operator and a number, e.g. "<200", ">=99" or "<1GB"'


class UnitMismatchError(ValueError):
    """A threshold's unit suffix cannot be converted to its panel's unit."""


class Status(StrEnum):
    """How a value stands against its panel's thresholds (also the CSS class suffix)."""

    OK = "ok"
    WARNING = "warning"
    CRITICAL = "critical"
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class Threshold:
    """One comparison, e.g. "< 200": `value` is in the panel's unit, `text` as written."""

    op: Op
    value: float
    text: str

    def met_by(self, value: float) -> bool:
        """True when `value` satisfies the comparison (never for NaN)."""
        return _COMPARE[self.op](value, self.value)

    @property
    def lower_is_better(self) -> bool:
        """True for "<"/"<=" (as a target: the value should stay below)."""
        return self.op in ("<", "<=")


@dataclass(frozen=True)
class Thresholds:
    """A panel's target (ok when met) and alert level (critical when met)."""

    target: Threshold | None = None
    alert: Threshold | None = None


def parse_threshold(text: str, unit: str = "") -> Threshold:
    """Parse "<200", ">= 99", "<1GB" into a Threshold in the panel's `unit`.

    A unit suffix is converted to the panel's unit ("<1GB" with unit "MB" -> 1024.0,
    "<10MB/s" with unit "B/s" -> 10485760.0, "<1Gbit/s" with unit "Mbit/s" -> 1000.0);
    a suffix that cannot be (e.g. "ms" on a "%" panel) raises ValueError, as does bad
    notation ("200", "<<5", "<abc").
    """
    written = str(text).strip()
    match = _NOTATION.fullmatch(written)
    if match is None:
        raise ValueError(_notation_problem(written))
    number = float(match["number"])
    suffix = match["suffix"].strip()
    if suffix:
        number = _in_panel_unit(number, suffix, unit, written)
    return Threshold(op=cast(Op, match["op"]), value=number, text=written)


def _notation_problem(written: str) -> str:
    """Say what is wrong with a threshold that does not match the notation."""
    if not written:
        return f"empty threshold: {_EXAMPLES}"
    if written[0] not in "<>":
        return f'threshold "{written}" has no comparison operator: {_EXAMPLES}'
    return f'threshold "{written}" needs a number after the operator: {_EXAMPLES}'


def _in_panel_unit(number: float, suffix: str, unit: str, written: str) -> float:
    try:
        return convert(number, suffix, unit)
    except ValueError:
        unit_text = f'"{unit}"' if unit else "none"
        raise UnitMismatchError(
            f'threshold "{written}" is in "{suffix}" but the panel\'s unit is {unit_text}'
            f"{_kinds(suffix, unit)}: write it without a unit, in the panel's unit, or set "
            f"a compatible unit"
        ) from None


def _kinds(suffix: str, unit: str) -> str:
    """Why two known units do not convert: '; "MB" is a size, "MB/s" a data rate'."""
    suffix_kind, unit_kind = kind_of(suffix), kind_of(unit)
    if suffix_kind is None or unit_kind is None:
        return ""
    return f'; "{suffix}" is {suffix_kind}, "{unit}" {unit_kind}'


def make_thresholds(target: str | None, alert: str | None, unit: str = "") -> Thresholds:
    """Parse a target/alert pair and check that they make sense together.

    The alert level must lie on the other side of the target ("<200" with ">500"),
    so that no value is both on target and alerting. Raises ValueError otherwise.
    """
    parsed_target = None if target is None else parse_threshold(target, unit)
    parsed_alert = None if alert is None else parse_threshold(alert, unit)
    if parsed_target is not None and parsed_alert is not None:
        _check_consistent(parsed_target, parsed_alert)
    return Thresholds(target=parsed_target, alert=parsed_alert)


def _check_consistent(target: Threshold, alert: Threshold) -> None:
    if target.lower_is_better == alert.lower_is_better:
        side = "below" if target.lower_is_better else "above"
        raise ValueError(
            f'target "{target.text}" and alert "{alert.text}" point the same way (both '
            f"{side}): the alert level should be on the other side of the target, "
            f'e.g. target "<200" with alert ">500"'
        )
    # Opposite directions: they overlap when the alert level lies inside the target
    # range, or they touch and both include the shared value.
    touch_inclusive = target.op.endswith("=") and alert.op.endswith("=")
    overlap = alert.value < target.value if target.lower_is_better else alert.value > target.value
    if overlap or (alert.value == target.value and touch_inclusive):
        raise ValueError(
            f'target "{target.text}" and alert "{alert.text}" overlap: some values would be '
            f"both on target and alerting; move the alert level beyond the target"
        )


def status_of(value: float | None, thresholds: Thresholds | None) -> Status:
    """The status of `value`: alert met -> CRITICAL, else target met -> OK, else WARNING.

    With only a target: OK when met, else WARNING. With only an alert: CRITICAL when
    met, else OK. Without thresholds any number is OK. None and NaN are UNKNOWN;
    infinities compare as numbers.
    """
    if value is None or math.isnan(value):
        return Status.UNKNOWN
    if thresholds is None:
        return Status.OK
    if thresholds.alert is not None and thresholds.alert.met_by(value):
        return Status.CRITICAL
    if thresholds.target is None or thresholds.target.met_by(value):
        return Status.OK
    return Status.WARNING


def value_order(value: float) -> tuple[int, float]:
    """Sort key for series: biggest value first, NaN last."""
    return (1, 0.0) if math.isnan(value) else (0, -value)


# Worst first: critical, warning, ok, and NaN (no verdict) last.
_RANK = {Status.CRITICAL: 0, Status.WARNING: 1, Status.OK: 2, Status.UNKNOWN: 3}


def high_is_bad(thresholds: Thresholds) -> bool:
    """Which way a value gets worse: up for a "<200" target or a ">500" alert level."""
    if thresholds.target is not None:
        return thresholds.target.lower_is_better
    return thresholds.alert is not None and not thresholds.alert.lower_is_better


def series_order(thresholds: Thresholds | None) -> Callable[[float], tuple[int, float]]:
    """The sort key a panel's series are ranked by, most important first.

    Without thresholds, the biggest value. With them, the worst: by status (critical,
    warning, ok, NaN), then by value in the direction that gets worse, so a ">99"
    success rate split by route leads with its lowest route, which is also the one
    the panel is coloured by, and the history cap and the zoom legend keep it.
    """
    if thresholds is None or (thresholds.target is None and thresholds.alert is None):
        return value_order
    sign = -1.0 if high_is_bad(thresholds) else 1.0

    def worst_first(value: float) -> tuple[int, float]:
        status = status_of(value, thresholds)
        if status is Status.UNKNOWN:
            return (_RANK[status], 0.0)
        return (_RANK[status], sign * value)

    return worst_first
