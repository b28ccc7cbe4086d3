"""Durations as people read and write them: "15m", "1h30m", "500ms", and how long
something has lasted ("2h5m").

Pure functions, no I/O. parse_duration reads Prometheus' syntax (largest unit first)
and bare seconds; format_duration writes what it reads back.
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
    sizes: tuple[tuple[str, int], ...] = (("h", 3_600_000), ("m", 60_000), ("s", 1000))
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


def format_left(seconds: float) -> str:
    """How long is left, as format_since says it, rounded up to the unit shown: a
    silence made a moment ago for 2h has "2h" left, not "1h59m"."""
    if not math.isfinite(seconds):
        return "?"
    if seconds <= 0:
        return "0s"
    unit = 1 if seconds < 60 else 60 if seconds < 86400 else 3600
    return format_since(math.ceil(seconds / unit) * unit)
