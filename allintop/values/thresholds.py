"""Targets and alert levels in the seed's notation ("<200", ">99", "<1GB"), and the
status (ok / warning / critical / unknown) a value has against them.

The semantics are the seed's "Performance Targets" table: a value that meets the alert
threshold is critical, one that meets the target is ok, anything between is a warning.
"""

from __future__ import annotations

import colorsys
import math
import operator
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Literal, cast

from allintop.values.units import convert, kind_of

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


# ---------------------------------------------------------------------------
# Grafana's colour steps as a target and an alert level

#: What a Grafana colour says: ok, warning, critical, or nothing (blue, purple, text,
#: grey), which reads as ok.
Tone = Literal["ok", "warning", "critical", "neutral"]

_TONE_NAMES: dict[str, Tone] = {
    "green": "ok",
    "ok": "ok",  # a legacy graph threshold's colorMode
    "yellow": "warning",
    "orange": "warning",
    "warning": "warning",
    "red": "critical",
    "critical": "critical",
}
_SHADES = ("super-light-", "light-", "semi-dark-", "dark-")
_RGB = re.compile(r"rgba?\(\s*(\d+)\s*,\s*(\d+)\s*,\s*(\d+)")


def tone_of(color: str | None) -> Tone:
    """What a Grafana colour means: a named one ("dark-red", "semi-dark-green",
    "orange"), or "#d44a3a" / "rgba(50, 172, 45, 0.97)" judged by its hue."""
    name = (color or "").strip().lower()
    for shade in _SHADES:
        name = name.removeprefix(shade)
    if name in _TONE_NAMES:
        return _TONE_NAMES[name]
    rgb = _rgb(name)
    return "neutral" if rgb is None else _hue_tone(*rgb)


def _rgb(color: str) -> tuple[float, float, float] | None:
    """ "#rgb", "#rrggbb" and "rgb(a)(r, g, b...)" as fractions; None otherwise."""
    match = _RGB.match(color)
    if match:
        red, green, blue = (min(255, int(part)) / 255 for part in match.groups())
        return red, green, blue
    digits = color.removeprefix("#")
    if not color.startswith("#") or len(digits) not in (3, 6):
        return None
    if len(digits) == 3:
        digits = "".join(d * 2 for d in digits)
    try:
        red, green, blue = (int(digits[i : i + 2], 16) / 255 for i in (0, 2, 4))
    except ValueError:
        return None
    return red, green, blue


def _hue_tone(red: float, green: float, blue: float) -> Tone:
    hue, saturation, value = colorsys.rgb_to_hsv(red, green, blue)
    if saturation < 0.25 or value < 0.2:
        return "neutral"  # white, greys, black: no verdict
    degrees = hue * 360
    if degrees < 18 or degrees >= 330:
        return "critical"
    if degrees < 70:
        return "warning"
    return "ok" if degrees < 170 else "neutral"


_SEVERITY = {"ok": 0, "neutral": 0, "warning": 1, "critical": 2}

Step = tuple[str, float | None]
"""One Grafana step: its colour, and the value it starts at (None: the base)."""


def from_steps(
    steps: Sequence[Step],
    mode: str = "absolute",
    minimum: float | None = None,
    maximum: float | None = None,
) -> tuple[Thresholds | None, str | None]:
    """Grafana's colour steps as a target and an alert level, and a note saying what
    was approximated (None: nothing was).

    Steps that run ok -> warning -> critical as the value rises become a "<" target and
    a ">=" alert level (green, orange 80, red 90: target "<80", alert ">=90"); steps
    that run the other way become a ">=" target and a "<" alert level (red, yellow 50,
    green 80: alert "<50", target ">=80"). `mode` "percentage" places the steps within
    `minimum`..`maximum` (default 0..100). Steps of a single colour: no thresholds.
    """
    levels = _levels(steps, mode, minimum, maximum)
    runs = _runs(levels)
    if len(runs) < 2:
        return None, None
    kept = _best_monotone(runs)
    rising = _SEVERITY[kept[1][0]] > _SEVERITY[kept[0][0]]
    thresholds = _rising(kept) if rising else _falling(kept)
    note = None
    if kept != runs or _SEVERITY[kept[0 if rising else -1][0]] != 0:
        note = f"colour steps {_describe(runs)} approximated as {_describe_thresholds(thresholds)}"
    return thresholds, note


def _levels(
    steps: Sequence[Step], mode: str, minimum: float | None, maximum: float | None
) -> list[tuple[Tone, float]]:
    """Each step's tone and start, in order of value, the base first (at -inf)."""
    low = 0.0 if minimum is None else minimum
    high = 100.0 if maximum is None else maximum
    levels = []
    for color, start in steps:
        if start is None:
            value = -math.inf
        elif mode == "percentage":
            value = low + (high - low) * start / 100
        else:
            value = start
        levels.append((tone_of(color), value))
    levels.sort(key=lambda level: level[1])  # stable: of equal values, the later wins
    return levels


def _runs(levels: list[tuple[Tone, float]]) -> list[tuple[Tone, float]]:
    """The steps where the severity changes (neutral counts as ok)."""
    runs: list[tuple[Tone, float]] = []
    for tone, start in levels:
        tone = "ok" if tone == "neutral" else tone
        if runs and runs[-1][1] == start:
            runs.pop()  # two steps at one value: Grafana shows the later
        if not runs or runs[-1][0] != tone:
            runs.append((tone, start))
    return runs


def _best_monotone(runs: list[tuple[Tone, float]]) -> list[tuple[Tone, float]]:
    """The runs, or the monotone part of them that stands for them best: from the base
    on, unless the first step starts at 0 or below, when the base colours negatives
    only (green, red from 0, green from 1: a 0/1 value is red at 0, green at 1)."""
    kept = _monotone(runs)
    if kept != runs and runs[1][1] <= 0 and len(runs) > 2:
        return _monotone([(runs[1][0], -math.inf), *runs[2:]])
    return kept


def _monotone(runs: list[tuple[Tone, float]]) -> list[tuple[Tone, float]]:
    """The longest start of `runs` whose severity only rises (or only falls)."""
    rising = _SEVERITY[runs[1][0]] > _SEVERITY[runs[0][0]]  # the first change decides
    kept = runs[:1]
    for tone, start in runs[1:]:
        step = _SEVERITY[tone] - _SEVERITY[kept[-1][0]]
        if (step > 0) != rising:
            break
        kept.append((tone, start))
    return kept


def _rising(runs: list[tuple[Tone, float]]) -> Thresholds:
    """ok below the first worse step, critical from the critical one."""
    target = next((start for tone, start in runs if tone != "ok"), None)
    alert = next((start for tone, start in runs if tone == "critical"), None)
    return Thresholds(
        target=None if target is None or runs[0][0] != "ok" else _threshold("<", target),
        alert=None if alert is None else _threshold(">=", alert),
    )


def _falling(runs: list[tuple[Tone, float]]) -> Thresholds:
    """critical below the first better step, ok from the ok one."""
    alert = next((start for tone, start in runs if tone != "critical"), None)
    target = next((start for tone, start in runs if tone == "ok"), None)
    return Thresholds(
        target=None if target is None else _threshold(">=", target),
        alert=None if alert is None or runs[0][0] != "critical" else _threshold("<", alert),
    )


def _threshold(op: Op, value: float) -> Threshold:
    return Threshold(op=op, value=float(value), text=f"{op}{_number_text(value)}")


def _number_text(value: float) -> str:
    """A number as short as it reads back exactly: 80.0 -> "80", 0.85 -> "0.85"."""
    text = repr(float(value))
    return text.removesuffix(".0")


def _describe(runs: list[tuple[Tone, float]]) -> str:
    return ", ".join(
        tone if start == -math.inf else f"{tone} from {_number_text(start)}" for tone, start in runs
    )


def _describe_thresholds(thresholds: Thresholds) -> str:
    parts = [
        f"{name} {threshold.text}"
        for name, threshold in (("target", thresholds.target), ("alert", thresholds.alert))
        if threshold is not None
    ]
    return ", ".join(parts) or "none"
