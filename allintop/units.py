"""Durations and values as people read and write them: "15m", "180 ms", "99.2 %", "1.50 GB".

Pure functions, no I/O. Values arrive in a panel's unit (the unit its PromQL produces);
formatting may pick a larger or smaller display unit (2500 ms -> "2.50 s") but never
changes what the number means.
"""

from __future__ import annotations

import math
import re

# Duration suffixes Prometheus understands, largest first (parse_duration insists on
# this order, as Prometheus does: "1h30m" but not "30m1h").
_DURATION_UNITS: dict[str, float] = {
    "y": 365 * 86400.0,
    "w": 7 * 86400.0,
    "d": 86400.0,
    "h": 3600.0,
    "m": 60.0,
    "s": 1.0,
    "ms": 0.001,
}
_DURATION_PART = re.compile(r"(\d+(?:\.\d+)?)(ms|y|w|d|h|m|s)")
_BARE_NUMBER = re.compile(r"\d+(?:\.\d+)?")
_DURATION_EXAMPLES = 'write it like "5s", "15m", "1h30m", "500ms" or "2d"'


def parse_duration(text: str) -> float:
    """Parse a duration such as "5s", "1h30m" or "500ms" into seconds.

    A bare number ("30", "0.5") is seconds. Raises ValueError saying what is wrong.
    """
    cleaned = str(text).strip()
    if not cleaned:
        raise ValueError(f"empty duration: {_DURATION_EXAMPLES}")
    if cleaned.startswith("-"):
        raise ValueError(f"duration {cleaned!r} is negative: durations must be 0 or more")
    if _BARE_NUMBER.fullmatch(cleaned):
        return float(cleaned)
    total = 0.0
    position = 0
    last_rank = -1
    ranks = list(_DURATION_UNITS)
    for match in _DURATION_PART.finditer(cleaned):
        if match.start() != position:
            break  # a gap between parts means stray text: reported below
        number, suffix = match.groups()
        rank = ranks.index(suffix)
        if rank <= last_rank:
            raise ValueError(
                f"duration {cleaned!r}: units must go from largest to smallest, each once "
                f'(e.g. "1h30m")'
            )
        last_rank = rank
        total += float(number) * _DURATION_UNITS[suffix]
        position = match.end()
    if position != len(cleaned) or position == 0:
        raise ValueError(f"not a duration: {cleaned!r}; {_DURATION_EXAMPLES}")
    return total


def format_duration(seconds: float) -> str:
    """Format seconds compactly ("15m", "1h30m", "500ms"); parse_duration reads it back.

    Precision is one millisecond (finer fractions are rounded). Raises ValueError for a
    negative or non-finite value, which no duration can express.
    """
    if not math.isfinite(seconds) or seconds < 0:
        raise ValueError(f"cannot format {seconds!r} as a duration")
    millis = round(seconds * 1000)
    if millis == 0:
        return "0s"
    parts: list[str] = []
    # Weeks and years are left out on purpose: "14d" reads better than "2w". Below two
    # days it is hours, as ranges are spoken of: "24h", "36h", not "1d", "1d12h".
    sizes = (("h", 3_600_000), ("m", 60_000), ("s", 1000))
    if millis >= 2 * 86_400_000:
        sizes = (("d", 86_400_000), *sizes)
    for suffix, size in sizes:
        count, millis = divmod(millis, size)
        if count:
            parts.append(f"{count}{suffix}")
    if millis:
        parts.append(f"{millis}ms")
    return "".join(parts)


def format_since(seconds: float) -> str:
    """How long something has lasted, to two units at most: "12s", "3m", "2h5m", "3d4h".

    Truncates (a 59.9 s old alert is "59s"); negative ages from clock skew show as "0s".
    """
    if not math.isfinite(seconds):
        return "?"
    whole = max(0, int(seconds))
    if whole < 60:
        return f"{whole}s"
    if whole < 3600:
        return f"{whole // 60}m"
    if whole < 86400:
        hours, rest = divmod(whole, 3600)
        return f"{hours}h{rest // 60}m" if rest >= 60 else f"{hours}h"
    days, rest = divmod(whole, 86400)
    return f"{days}d{rest // 3600}h" if rest >= 3600 else f"{days}d"


# ---------------------------------------------------------------------------
# Values


def format_value(value: float | None, unit: str, decimals: int | None = None) -> tuple[str, str]:
    """Format a panel value for display: returns (number text, unit text).

    `unit` is the panel's unit; the unit text may be a scaled one ("ms" -> "s").
    `decimals` forces a fixed number of decimals after any scaling.
    """
    if value is None:
        return "no data", ""
    if math.isnan(value):
        return "NaN", _base_display_unit(unit)
    if math.isinf(value):
        return ("+Inf" if value > 0 else "-Inf"), _base_display_unit(unit)
    if unit == "%":
        return _format_percent(value, decimals), "%"
    scaled, display_unit = _scale(value, unit)
    if decimals is not None:
        return _fixed_with_suffix(scaled, decimals), display_unit
    if unit == "MB" and display_unit != "MB":
        return _fixed(scaled, 2), display_unit  # GB / TB: always two decimals
    # Whole numbers stay whole ("42" connections), unless scaled: 1000 ms is "1.00 s".
    return _significant(scaled, whole=display_unit == unit), display_unit


def _base_display_unit(unit: str) -> str:
    return "B" if unit == "bytes" else unit


def _scale(value: float, unit: str) -> tuple[float, str]:
    """Pick the display unit and scale the value into it."""
    magnitude = abs(value)
    if unit == "ms":
        return (value / 1000, "s") if magnitude >= 1000 else (value, "ms")
    if unit == "s":
        return (value * 1000, "ms") if 0 < magnitude < 1 else (value, "s")
    if unit == "bytes":
        return _scale_binary(value, ("B", "KiB", "MiB", "GiB", "TiB", "PiB"))
    if unit == "MB":
        # The seed's "MB" are bytes / 1024 / 1024, so the next step up is 1024 MB.
        return _scale_binary(value, ("MB", "GB", "TB"))
    return value, unit


def _scale_binary(value: float, names: tuple[str, ...]) -> tuple[float, str]:
    index = 0
    # Move up while the value would still read as 1024 or more after rounding.
    while index < len(names) - 1 and abs(float(_round_significant(value, 3))) >= 1024:
        value /= 1024
        index += 1
    return value, names[index]


def _format_percent(value: float, decimals: int | None) -> str:
    places = 1 if decimals is None else decimals
    text = _fixed(value, places)
    if value < 100 <= float(text):
        # A not-quite-100 % must never read as 100: truncate at one more decimal
        # (or at the forced count) instead of rounding up.
        places = 2 if decimals is None else decimals
        return _fixed(math.floor(value * 10**places) / 10**places, places)
    if decimals is None and value != 0 and float(text) == 0:
        return _significant(value, 2)  # 0.004 % is not "0.0"
    return text


_SUFFIXES = ((1.0, ""), (1e3, "k"), (1e6, "M"), (1e9, "G"), (1e12, "T"), (1e15, "P"))


def _significant(value: float, digits: int = 3, whole: bool = True) -> str:
    """A generic number: whole numbers below 10,000 as they are (if `whole`), others to
    `digits` significant digits, from 10,000 up with k/M/G/T/P suffixes (12.3k)."""
    if whole and value == int(value) and abs(value) < 10_000:
        return str(int(value))
    if abs(value) < 10_000:
        text = _round_significant(value, digits)
        if abs(float(text)) < 10_000:
            return text
    for size, suffix in _SUFFIXES[1:]:
        text = _round_significant(value / size, digits)
        if abs(float(text)) < 1000:
            return text + suffix
    return f"{value:.{digits - 1}e}"  # beyond peta: no suffix left that reads better


def _round_significant(value: float, digits: int) -> str:
    if value == 0:
        return "0"
    magnitude = abs(value)
    if magnitude < 1e-4:
        return _clean_zero(f"{value:.{digits - 1}e}")  # truly tiny: scientific is clearer
    exponent = math.floor(math.log10(magnitude))
    places = max(0, digits - 1 - exponent)
    text = f"{value:.{places}f}"
    if places > 0 and abs(float(text)) >= 10 ** (exponent + 1):
        text = f"{value:.{places - 1}f}"  # 9.996 rounded up to 10.00: keep 3 digits, 10.0
    return _clean_zero(text)


def _fixed_with_suffix(value: float, places: int) -> str:
    """A forced number of decimals, still with k/M/G suffixes from 10,000 up."""
    for size, suffix in _SUFFIXES:
        text = _fixed(value / size, places)
        if abs(float(text)) < (10_000 if size == 1 else 1000):
            return text + suffix
    return f"{value:.{max(0, places)}e}"


def _fixed(value: float, places: int) -> str:
    return _clean_zero(f"{value:.{max(0, places)}f}")


def _clean_zero(text: str) -> str:
    """Drop the sign of a rounded zero: "-0.0" says nothing that "0.0" doesn't."""
    if text.startswith("-") and float(text) == 0:
        return text[1:]
    return text


# ---------------------------------------------------------------------------
# Conversions between compatible units (used for thresholds written with a suffix)

# Each family maps a unit name to its size in the family's base unit. The seed's
# "MB"/"GB" are binary (its memory panel divides bytes by 1024 twice), like KiB/MiB.
_FAMILIES: tuple[dict[str, float], ...] = (
    {"us": 1e-6, "µs": 1e-6, "ms": 1e-3, "s": 1.0, "m": 60.0, "min": 60.0, "h": 3600.0},
    {
        "bytes": 1.0,
        "B": 1.0,
        "KB": 1024.0,
        "KiB": 1024.0,
        "MB": 1024.0**2,
        "MiB": 1024.0**2,
        "GB": 1024.0**3,
        "GiB": 1024.0**3,
        "TB": 1024.0**4,
        "TiB": 1024.0**4,
    },
)


def convert(value: float, from_unit: str, to_unit: str) -> float:
    """Express `value` given in `from_unit` in `to_unit` ("1 GB" in "MB" -> 1024.0).

    Identical units always convert (factor 1). Raises ValueError when the units measure
    different things (ms vs MB) or either one is unknown.
    """
    if from_unit == to_unit:
        return value
    for family in _FAMILIES:
        if from_unit in family and to_unit in family:
            return value * family[from_unit] / family[to_unit]
    to_text = f'"{to_unit}"' if to_unit else "no unit"
    raise ValueError(f'"{from_unit}" cannot be converted to {to_text}')
