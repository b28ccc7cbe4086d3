"""The zoom chart's arithmetic: gaps, decimation, value and time axes, series names
and colours.

Pure functions of numbers, label sets and RGB triples, so that they are tested
without a terminal and imported without plotext or Textual; `allintop.ui.screens.zoom_chart`
draws with them.
"""

from __future__ import annotations

import math
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from allintop.draw.scales import is_flat
from allintop.values.thresholds import Threshold
from allintop.values.units import display_unit, unit_text

RGB = tuple[int, int, int]
Points = Sequence[tuple[float, float | None]]

#: How far from the data a target or alert level may lie and still stretch the value
#: axis to be drawn: this many times the data's own span, or this share of the data's
#: size (a 97 ms latency shows its 200 ms target, a 100 MB process not its 1 GB
#: one). Further away the data would be flattened to a line, so the level is only
#: named in the legend, with where it lies.
LEVEL_REACH = 4.0
LEVEL_SHARE = 1.5
#: And a level past a drawn one is drawn too if it widens the axis by at most this.
LEVEL_MORE = 0.5
#: Room above and below what the chart shows, as a share of its span.
MARGIN = 0.08
#: A constant series is drawn this far up the axis (a share of its height): a low
#: line, as on the card, not one across the middle that looks like a level.
FLAT_AT = 0.25
#: Series colours after the theme's own (primary, accent, secondary): distinct hues,
#: none of them the green and red that mean "target" and "alert".
EXTRA_COLOURS: tuple[RGB, ...] = (
    (0, 160, 230),
    (245, 130, 48),
    (170, 90, 230),
    (70, 220, 220),
    (240, 80, 200),
    (200, 200, 60),
    (250, 170, 200),
    (150, 110, 60),
    (130, 150, 255),
    (255, 215, 140),
)
_SUFFIXES = ((1e12, "T"), (1e9, "G"), (1e6, "M"), (1e3, "k"))
#: Candidate spacings of the time axis, in seconds.
TIME_STEPS = (1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600)
#: Series colours fainter than this on the chart's background are not used.
MIN_CONTRAST = 2.5


def segments(points: Points) -> list[tuple[list[float], list[float]]]:
    """Split a series at its gaps: each run of values is drawn as its own line."""
    runs: list[tuple[list[float], list[float]]] = []
    xs: list[float] = []
    ys: list[float] = []
    for t, value in points:
        if value is None:
            if xs:
                runs.append((xs, ys))
                xs, ys = [], []
            continue
        xs.append(t)
        ys.append(value)
    if xs:
        runs.append((xs, ys))
    return runs


def decimate(points: Points, buckets: int) -> list[tuple[float, float | None]]:
    """At most four points per bucket: its first, lowest, highest and last (M4).

    A chart cannot show more points than it has dots across; these four per dot
    column draw the same picture as all of them, spikes and the newest point
    included. An all-gap bucket stays a gap.
    """
    count = len(points)
    if buckets <= 0 or count <= 4 * buckets:
        return list(points)
    out: list[tuple[float, float | None]] = []
    for bucket in range(buckets):
        chunk = points[count * bucket // buckets : count * (bucket + 1) // buckets]
        present = [(t, v) for t, v in chunk if v is not None]
        if not present:
            if chunk:
                out.append((chunk[0][0], None))
            continue
        low = min(present, key=_value)
        high = max(present, key=_value)
        out.extend(sorted({present[0], low, high, present[-1]}))
    return out


def _value(point: tuple[float, float]) -> float:
    return point[1]


def nice_step(span: float, count: int) -> float:
    """A round spacing (1, 2, 2.5 or 5 times a power of ten) giving about `count` ticks."""
    raw = span / max(count, 1)
    if raw <= 0 or not math.isfinite(raw):
        return 1.0
    power = 10 ** math.floor(math.log10(raw))
    return float(min((m * power for m in (1, 2, 2.5, 5, 10)), key=lambda s: abs(math.log(s / raw))))


@dataclass(frozen=True, slots=True)
class Level:
    """A target or alert level: drawn as a line, or named with where it lies."""

    kind: str  # "target" or "alert"
    threshold: Threshold
    color: RGB
    place: str = ""  # "" drawn; "above" or "below" the chart


def value_range(
    values: Iterable[float], levels: Sequence[float]
) -> tuple[float, float, list[bool]]:
    """The value axis: the data and the levels within reach of it, with a margin.

    Returns (bottom, top, drawn) with `drawn[i]` saying whether `levels[i]` is on the
    axis. An axis for values that are never negative does not go below zero.
    """
    data = [v for v in values if math.isfinite(v)]
    if not data:
        data = list(levels) or [0.0, 1.0]
    low, high = min(data), max(data)
    # All zero (no errors, say): any level is worth showing against it.
    reach = max(LEVEL_REACH * (high - low), LEVEL_SHARE * max(abs(low), abs(high))) or math.inf
    drawn = [low - reach <= v <= high + reach for v in levels]
    shown = [v for v, ok in zip(levels, drawn, strict=True) if ok]
    low, high = min([low, *shown]), max([high, *shown])
    if shown:
        # Once a level stretched the axis, one a little further costs little: a CPU
        # at 30 % with its 70 % target drawn shows the 85 % alert too.
        nearest = sorted(range(len(levels)), key=lambda i: max(levels[i] - high, low - levels[i]))
        for i in nearest:
            v = levels[i]
            if not drawn[i] and max(high, v) - min(low, v) <= (1 + LEVEL_MORE) * (high - low):
                drawn[i] = True
                low, high = min(low, v), max(high, v)
    if is_flat(low, high):
        # A constant series (float noise around one included): a low line. Zero lies
        # on the floor of a 0 to 1 axis; anything else a quarter of the way up.
        height = abs(high) * MARGIN / FLAT_AT or 1.0
        bottom = max(low - height * FLAT_AT, 0.0 if low >= 0 else -math.inf)
        return bottom, bottom + height, drawn
    margin = (high - low) * MARGIN
    bottom, top = low - margin, high + margin
    if low >= 0 > bottom:
        bottom = 0.0
    return bottom, top, drawn


@dataclass(frozen=True, slots=True)
class AxisScale:
    """How the value axis writes a panel value: times `factor`, then `suffix`, `unit`."""

    factor: float = 1.0
    suffix: str = ""  # "k", "M": big plain numbers as the panels write them
    unit: str = ""  # the display unit ("MiB" on a bytes panel), "" for none


PLAIN = AxisScale()


def axis_scale(bottom: float, top: float, unit: str) -> AxisScale:
    """One display unit for the whole axis: the one its biggest value is shown in.

    A bytes axis up to 110 MiB is in MiB, a ms axis up to 1500 ms in s, a plain one up
    to 40,000 in thousands ("k").
    """
    biggest = max(abs(bottom), abs(top))
    display, factor = display_unit(biggest, unit)
    suffix = ""
    # An unscaled unit (ours, or a Grafana id such as reqps) counts in thousands.
    if display == unit_text(unit) and display != "%" and biggest * factor >= 10_000:
        size, suffix = next((s, n) for s, n in _SUFFIXES if biggest * factor >= s)
        factor /= size
    return AxisScale(factor, suffix, display)


def value_ticks(bottom: float, top: float, count: int, scale: AxisScale = PLAIN) -> list[float]:
    """About `count` ticks within the axis, round in the unit they are shown in.

    The ticks are panel values (where to draw them); `scale` is how they are shown,
    so that a bytes axis has ticks at 25 MiB, 50 MiB, not at 25,000,000 bytes.
    """
    factor = scale.factor
    step = nice_step((top - bottom) * factor, count)
    first = math.ceil(bottom * factor / step - 1e-9)
    last = math.floor(top * factor / step + 1e-9)
    return [k * step / factor for k in range(first, last + 1)]


def value_labels(ticks: Sequence[float], scale: AxisScale = PLAIN) -> list[str]:
    """Tick labels in the axis's one unit, all with the decimals the step needs
    ("0.0 s", "0.5 s"; "25 MiB"; "97.5 %")."""
    factor = scale.factor
    step = min((b - a for a, b in zip(ticks, ticks[1:], strict=False)), default=1.0) * factor
    places = 0
    while places < 6 and abs(round(step, places) - step) > abs(step) * 1e-6:
        places += 1
    unit_text = f" {scale.unit}" if scale.unit else ""
    labels = []
    for tick in ticks:
        text = f"{tick * factor:.{places}f}"
        if text.startswith("-") and float(text) == 0:
            text = text[1:]
        labels.append(text + scale.suffix + unit_text)
    return labels


def value_axis(bottom: float, top: float, count: int, unit: str) -> tuple[list[float], list[str]]:
    """About `count` ticks for a value axis in the panel's `unit`, and their labels."""
    scale = axis_scale(bottom, top, unit)
    ticks = value_ticks(bottom, top, count, scale)
    return ticks, value_labels(ticks, scale)


def time_ticks(start: float, end: float, count: int) -> tuple[list[float], list[str]]:
    """Clock-time ticks (HH:MM, or HH:MM:SS below a minute's spacing), local time."""
    span = end - start
    spacing = next((s for s in TIME_STEPS if span / s <= max(count, 1)), TIME_STEPS[-1])
    fmt = "%H:%M" if spacing % 60 == 0 else "%H:%M:%S"
    # Round in local time, not UTC, at the offset each tick itself has: across a DST
    # change the range has two, and 06:00 is 06:00 on either side of it. No offset
    # lasts less than a spacing (at most 6 h), so a sample at every one finds them all.
    steps = int(span // spacing) + 1
    offsets = {_utc_offset(t) for t in [start + k * spacing for k in range(steps)] + [end]}
    ticks = sorted(
        t
        for offset in offsets
        for t in _round_times(start, end, spacing, offset)
        if _utc_offset(t) == offset
    )
    return ticks, [time.strftime(fmt, time.localtime(t)) for t in ticks]


def _utc_offset(t: float) -> int:
    return time.localtime(t).tm_gmtoff


def _round_times(start: float, end: float, spacing: int, offset: int) -> list[float]:
    """The times in [start, end] that are whole `spacing`s in a zone `offset` from UTC."""
    first = math.ceil((start + offset) / spacing) * spacing - offset
    return [first + k * spacing for k in range(int((end + 1e-6 - first) // spacing) + 1)]


def _luminance(colour: RGB) -> float:
    def linear(channel: int) -> float:
        c = channel / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (linear(c) for c in colour)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: RGB, b: RGB) -> float:
    """The WCAG contrast ratio of two colours (1 to 21)."""
    light, dark = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def distinct_colours(theme: Sequence[RGB], background: RGB) -> list[RGB]:
    """Series colours: the theme's own (primary, accent, secondary), then fixed hues.

    Colours too close to one already taken, or too faint on the chart's background
    (the theme's surface), are skipped.
    """
    distinct: list[RGB] = []
    for colour in [*theme, *EXTRA_COLOURS]:
        if contrast(colour, background) < MIN_CONTRAST:
            continue
        if all(sum(abs(a - b) for a, b in zip(colour, c, strict=True)) > 60 for c in distinct):
            distinct.append(colour)
    return distinct or list(EXTRA_COLOURS)


@dataclass(frozen=True, slots=True)
class Mark:
    """Something marked on a chart's time axis: an annotation (a line at `start`, and
    at `end` too for a region) or, `shade`, a span shaded across the chart (an alert
    pending or firing)."""

    start: float
    end: float
    color: RGB
    shade: bool = False


def mark_cells(marks: Sequence[Mark], start: float, end: float, columns: int) -> dict[int, Mark]:
    """The columns of a chart `columns` cells wide over [start, end] that marks fall
    in: a moment's one column, a region's every one from its start to its end; where
    two fall in one, the later mark."""
    if columns <= 0 or end <= start:
        return {}
    span = end - start
    found: dict[int, Mark] = {}
    for mark in marks:
        if mark.end < start or mark.start > end:
            continue
        first = round((max(mark.start, start) - start) / span * (columns - 1))
        last = round((min(mark.end, end) - start) / span * (columns - 1))
        for column in range(first, last + 1):
            found[column] = mark
    return found
