"""Values in their units as people read them: "180 ms", "99.2 %", "1.50 GB", "3.34 MiB/s".

Pure functions, no I/O (durations as such are allintop.values.durations, the digits
allintop.values.numbers). Values arrive in a panel's unit (the unit its PromQL produces);
formatting may pick a larger or smaller display unit (2500 ms -> "2.50 s",
3500000 B/s -> "3.34 MiB/s") but never changes what the number means.

Sizes and byte rates are binary, as the seed's "MB" is (its memory panel divides bytes
by 1024 twice): 1 MB = 1 MiB = 1024 KiB, 1 MB/s = 1024 KB/s. Bit rates are decimal, as
link speeds are quoted: 1 Gbit/s = 1000 Mbit/s = 10^9 bit/s = 125,000,000 B/s.
"""

from __future__ import annotations

import math
from datetime import datetime

from allintop.values import unit_ids
from allintop.values.numbers import fixed, fixed_with_suffix, round_significant, significant
from allintop.values.text import clean
from allintop.values.unit_ids import UnitId

# ---------------------------------------------------------------------------
# Units of size and rate

_IEC_BYTES = ("B", "KiB", "MiB", "GiB", "TiB", "PiB")
_SEED_BYTES = ("B", "KB", "MB", "GB", "TB", "PB")  # binary too: the seed's MB is a MiB
_BITS = ("bit", "kbit", "Mbit", "Gbit", "Tbit", "Pbit")


def _per_second(names: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(f"{name}/s" for name in names)


# The units a value moves up through as it grows, smallest first, and the step between
# them. A panel's unit starts on its own rung and only ever moves up: "MB" shows as
# MB, GB, TB, never as KB.
_LADDERS: tuple[tuple[tuple[str, ...], float], ...] = (
    (_IEC_BYTES, 1024.0),  # first: a panel in "bytes" or "B" shows KiB, MiB, ...
    (_SEED_BYTES, 1024.0),
    (_per_second(_IEC_BYTES), 1024.0),
    (_per_second(_SEED_BYTES), 1024.0),
    (_per_second(_BITS), 1000.0),
)


def _rungs() -> dict[str, tuple[tuple[str, ...], float]]:
    """Each unit's way up: the names from its own rung on, and the step."""
    rungs: dict[str, tuple[tuple[str, ...], float]] = {}
    for names, step in _LADDERS:
        for rung, name in enumerate(names):
            rungs.setdefault(name, (names[rung:], step))  # the first ladder wins ("B")
    return rungs


_RUNGS = _rungs()
# Units in the seed's style (MB, GB/s): scaled up, they show two decimals ("1.50 GB").
_SEED_STYLE = frozenset(_SEED_BYTES[1:] + _per_second(_SEED_BYTES)[1:])

# Other spellings of the units above, and the name shown for them.
_ALIASES: dict[str, str] = {
    "bytes": "B",
    "bytes/s": "B/s",
    "bits/s": "bit/s",
    "Bps": "B/s",
    "bps": "bit/s",
    **{f"{name}ps": f"{name}/s" for name in _SEED_BYTES[1:]},  # "MBps" is "MB/s"
    **{f"{name[:-3]}bps": f"{name}/s" for name in _BITS[1:]},  # "Mbps" is "Mbit/s"
}


def _canonical(unit: str) -> str:
    """The name a unit is shown with ("bytes" -> "B", "Mbps" -> "Mbit/s")."""
    return _ALIASES.get(unit, unit)


# ---------------------------------------------------------------------------
# Grafana's unit ids (the table is allintop.values.unit_ids)


def _is_own(unit: str) -> bool:
    """Whether allintop formats `unit` itself: its own units, and the Grafana ids that
    are spelled like them ("ms", "bytes", "Bps")."""
    return unit in ("", "%", "ms", "s") or _canonical(unit) in _RUNGS


def _grafana(unit: str) -> UnitId | None:
    return None if _is_own(unit) else unit_ids.lookup(unit)


def is_known(unit: str) -> bool:
    """Whether `unit` is one allintop scales or names: its own units and Grafana's ids.
    Any other unit is still shown, as the number followed by the unit's name."""
    return _is_own(unit) or _grafana(unit) is not None or kind_of(unit) is not None


def unit_text(unit: str) -> str:
    """The text shown after a number in `unit` when it is not scaled (for NaN, say):
    "percentunit" -> "%", "decbytes" -> "B", "kbytes" -> "KiB", "ms" -> "ms"."""
    unit = clean(unit)  # a unit is a file's text: shown, never a terminal control
    grafana = _grafana(unit)
    if grafana is None:
        return _canonical(unit)
    if grafana.kind in ("si", "iec", "time"):
        return _ladder(grafana)[0][0]
    return _symbol(grafana)


_TIME_NAMES = tuple(name for name, _ in unit_ids.TIME_RUNGS)
_TIME_SIZES = tuple(size for _, size in unit_ids.TIME_RUNGS)


def _ladder(grafana: UnitId) -> tuple[tuple[str, ...], float]:
    """The names a scaled Grafana id moves up through, from its own, and the step."""
    if grafana.kind == "iec":
        prefixes = unit_ids.IEC_PREFIXES[grafana.rung :]
        return tuple(p + grafana.symbol for p in prefixes), 1024.0
    if grafana.kind == "time":
        return _TIME_NAMES[_TIME_NAMES.index(grafana.symbol) :], 0.0
    prefixes = unit_ids.SI_PREFIXES[unit_ids.SI_BASE + grafana.rung :]
    return tuple(p + grafana.symbol for p in prefixes), 1000.0


def _scale_grafana(value: float, grafana: UnitId) -> tuple[float, str, float]:
    """A scaled Grafana id's value in its display unit: (value, unit, factor)."""
    names, step = _ladder(grafana)
    if grafana.kind != "time":
        scaled, shown = _scale_up(value, names, step)
        return scaled, shown, step ** -names.index(shown)
    # Durations move up through rungs of different sizes: 90 min is "1.50 hour".
    sizes = _TIME_SIZES[len(_TIME_SIZES) - len(names) :]
    rung = 0
    while (
        rung + 1 < len(names)
        # The ratio first: value * sizes[0] overflows for a value near the float limit.
        and abs(float(round_significant(value * (sizes[0] / sizes[rung + 1]), 3))) >= 1
    ):
        rung += 1
    factor = sizes[0] / sizes[rung]
    return value * factor, names[rung], factor


def _format_grafana(value: float, grafana: UnitId, decimals: int | None) -> tuple[str, str]:
    """A finite value in a Grafana unit id, as Grafana shows it (in allintop's number
    style: three significant digits, k/M/G from 10,000 up)."""
    value *= grafana.scale
    kind = grafana.kind
    if kind == "percent":
        return _format_percent(value, decimals), "%"
    if kind in ("si", "iec", "time"):
        scaled, shown, _ = _scale_grafana(value, grafana)
        if decimals is not None:
            return fixed_with_suffix(scaled, decimals), shown
        return significant(scaled, whole=shown == _ladder(grafana)[0][0]), shown
    if kind in ("duration", "hms", "dhms"):
        return _clock(value, kind, decimals), ""
    if kind == "bool":
        yes, _, no = grafana.symbol.partition("|")
        return (yes if value else no), ""
    if kind == "date":
        return _iso_time(value), ""
    if kind == "hex":
        return f"{'-' if value < 0 else ''}{grafana.symbol}{round(abs(value)):X}", ""
    if kind == "sci":
        return f"{value:.{2 if decimals is None else decimals}e}", ""
    number = _generic(value, decimals)
    if kind == "currency":
        sign = "-" if number.startswith("-") else ""
        return f"{sign}{grafana.symbol}{number.removeprefix('-')}", ""
    return number, grafana.symbol


def _grafana_display(value: float, grafana: UnitId) -> tuple[str, float]:
    """display_unit for a Grafana id: the unit an axis of values near `value` is in."""
    if grafana.kind in ("si", "iec", "time"):
        _, shown, factor = _scale_grafana(value * grafana.scale, grafana)
        return shown, factor * grafana.scale
    if grafana.kind in ("duration", "hms", "dhms"):
        return "s", grafana.scale
    return _symbol(grafana), grafana.scale


def _symbol(grafana: UnitId) -> str:
    """What follows a number of an unscaled Grafana id ("°C"; "" for a yes/no)."""
    if grafana.kind == "percent":
        return "%"
    return grafana.symbol if grafana.kind == "plain" else ""


def _generic(value: float, decimals: int | None) -> str:
    return significant(value) if decimals is None else fixed_with_suffix(value, decimals)


def _clock(seconds: float, kind: str, decimals: int | None) -> str:
    """A duration as a clock: "03:04:05" (hms), "2 d 03:04:05" (dhms), and, for
    Grafana's dtdurations, "2 days 03:04:05", or "250 ms" / "12.5 s" under a minute."""
    sign = "-" if seconds < 0 else ""
    seconds = abs(seconds)
    if kind == "duration" and seconds < 60:
        if seconds < 1 and seconds != 0:
            return sign + _generic(seconds * 1000, decimals) + " ms"
        return sign + _generic(seconds, decimals) + " s"
    whole = int(seconds)
    days, rest = divmod(whole, 86400) if kind != "hms" else (0, whole)
    hours, rest = divmod(rest, 3600)
    clock = f"{hours:02d}:{rest // 60:02d}:{rest % 60:02d}"
    if not days:
        return sign + clock
    if kind == "dhms":
        return f"{sign}{days} d {clock}"
    return f"{sign}{days} day{'s' if days != 1 else ''} {clock}"


# Below this a date value is taken as epoch seconds, from it as milliseconds (Grafana
# expects milliseconds; Prometheus' *_time_seconds metrics are seconds). 1e11 s is
# the year 5138, 1e11 ms is 1973.
_EPOCH_MS_FROM = 1e11


def _iso_time(value: float) -> str:
    """An epoch time as Grafana's ISO format, "2024-05-01 12:01:05", local time."""
    seconds = value / 1000 if abs(value) >= _EPOCH_MS_FROM else value
    try:
        return datetime.fromtimestamp(seconds).strftime("%Y-%m-%d %H:%M:%S")
    except (OverflowError, OSError, ValueError):
        return significant(value)  # beyond any calendar: the number itself


# ---------------------------------------------------------------------------
# Values


def format_value(value: float | None, unit: str, decimals: int | None = None) -> tuple[str, str]:
    """Format a panel value for display: returns (number text, unit text).

    `unit` is the panel's unit; the unit text may be a scaled one ("ms" -> "s").
    `decimals` forces a fixed number of decimals after any scaling.
    """
    unit = clean(unit)  # a unit is a file's text: shown, never a terminal control
    if value is None:
        return "no data", ""
    if math.isnan(value):
        return "NaN", unit_text(unit)
    if math.isinf(value):
        return ("+Inf" if value > 0 else "-Inf"), unit_text(unit)
    grafana = _grafana(unit)
    if grafana is not None:
        return _format_grafana(value, grafana, decimals)
    if unit == "%":
        return _format_percent(value, decimals), "%"
    scaled, display_unit = _scale(value, unit)
    if decimals is not None:
        return fixed_with_suffix(scaled, decimals), display_unit
    own = _canonical(unit)
    if own in _SEED_STYLE and display_unit != own and abs(scaled) < 10_000:
        return fixed(scaled, 2), display_unit  # GB / TB: always two decimals
    # Whole numbers stay whole ("42" connections), unless scaled: 1000 ms is "1.00 s".
    return significant(scaled, whole=display_unit == own), display_unit


def display_unit(value: float, unit: str) -> tuple[str, float]:
    """The unit format_value shows `value` in, and what one `unit` is in it.

    (2500, "ms") -> ("s", 0.001); (5e6, "B/s") -> ("MiB/s", 1/1024**2); a unit that is
    never scaled comes back as it is (made safe to show), with 1.0.
    """
    unit = clean(unit)
    if not math.isfinite(value):
        return unit_text(unit), 1.0
    grafana = _grafana(unit)
    if grafana is not None:
        return _grafana_display(value, grafana)
    if unit == "%":
        return "%", 1.0
    shown = _scale(value, unit)[1]
    return shown, convert(1.0, unit, shown)


def _scale(value: float, unit: str) -> tuple[float, str]:
    """Pick the display unit and scale the value into it."""
    magnitude = abs(value)
    if unit == "ms":
        if magnitude >= 60_000:
            return _long_duration(value / 1000)
        return (value / 1000, "s") if magnitude >= 1000 else (value, "ms")
    if unit == "s":
        if magnitude >= 60:
            return _long_duration(value)
        return (value * 1000, "ms") if 0 < magnitude < 1 else (value, "s")
    own = _canonical(unit)
    if own in _RUNGS:
        return _scale_up(value, *_RUNGS[own])
    return value, unit


# A minute and more of seconds reads better in the unit it is spoken of in: an
# uptime of 3418.9 s is "57.0 min", as Grafana shows it.
_LONG_DURATIONS = (("day", 86400.0), ("hour", 3600.0), ("min", 60.0))


def _long_duration(seconds: float) -> tuple[float, str]:
    name, size = next((n, s) for n, s in _LONG_DURATIONS if abs(seconds) >= s)
    return seconds / size, name


def _scale_up(value: float, names: tuple[str, ...], step: float) -> tuple[float, str]:
    index = 0
    # Move up while the value would still read as a whole step or more after rounding
    # (1023.9 B is "1.00 KiB", not "1024 B").
    while index < len(names) - 1 and abs(float(round_significant(value, 3))) >= step:
        value /= step
        index += 1
    return value, names[index]


def _format_percent(value: float, decimals: int | None) -> str:
    if abs(value) >= 10_000:
        # A ratio multiplied by 100 twice, say: still a number that fits the card
        # ("1.23M"), not hundreds of digits.
        return significant(value) if decimals is None else fixed_with_suffix(value, decimals)
    places = 1 if decimals is None else decimals
    text = fixed(value, places)
    if value < 100 <= float(text):
        # A not-quite-100 % must never read as 100: truncate at one more decimal
        # (or at the forced count) instead of rounding up.
        places = 2 if decimals is None else decimals
        return fixed(math.floor(value * 10**places) / 10**places, places)
    if decimals is None and value != 0 and float(text) == 0:
        return significant(value, 2)  # 0.004 % is not "0.0"
    return text


# ---------------------------------------------------------------------------
# Conversions between compatible units (used for thresholds written with a suffix)


def _sizes(names: tuple[str, ...], step: float, base: float = 1.0) -> dict[str, float]:
    return {name: base * step**rung for rung, name in enumerate(names)}


# Each family maps a unit name to its size in the family's base unit, with what the
# family measures (for error messages). Sizes and byte rates are binary, bit rates
# decimal: see the module's docstring.
_FAMILIES: tuple[tuple[str, dict[str, float]], ...] = (
    (
        "a duration",
        {
            **{"us": 1e-6, "µs": 1e-6, "ms": 1e-3, "s": 1.0, "m": 60.0, "min": 60.0, "h": 3600.0},
            **{"ns": 1e-9, "hour": 3600.0, "d": 86400.0, "day": 86400.0, "week": 604800.0},
            # Grafana's duration and clock ids: their values are seconds (or ms)
            **{"dtdurations": 1.0, "dthms": 1.0, "dtdhms": 1.0, "clocks": 1.0},
            **{"dtdurationms": 1e-3, "clockms": 1e-3, "timeticks": 0.01},
        },
    ),
    (
        "a size",
        {
            **_sizes(_IEC_BYTES, 1024.0),
            **_sizes(_SEED_BYTES, 1024.0),
            # Grafana's ids: IEC (kbytes is KiB) and metric (deckbytes is 1000 B)
            **_sizes(("bytes", "kbytes", "mbytes", "gbytes", "tbytes", "pbytes"), 1024.0),
            **_sizes(("decbytes", "deckbytes", "decmbytes", "decgbytes", "dectbytes"), 1000.0),
            **{"bits": 1 / 8, "decbits": 1 / 8},
        },
    ),
    (
        "a data rate",
        {
            **_sizes(_per_second(_IEC_BYTES), 1024.0),
            **_sizes(_per_second(_SEED_BYTES), 1024.0),
            **_sizes(_per_second(_BITS), 1000.0, base=1 / 8),  # eight bits to a byte
            **_sizes(("binBps", "KiBs", "MiBs", "GiBs", "TiBs", "PiBs"), 1024.0),
            **_sizes(("Bps", "KBs", "MBs", "GBs", "TBs", "PBs"), 1000.0),
            **_sizes(("bps", "Kbits", "Mbits", "Gbits", "Tbits", "Pbits"), 1000.0, base=1 / 8),
            **_sizes(("binbps", "Kibits", "Mibits", "Gibits", "Tibits"), 1024.0, base=1 / 8),
        },
    ),
)
# Percentages convert among themselves only ("<80%" on a 0..1 panel is 0.8); they are
# no kind of quantity (kind_of("%") is None), so they stay out of the families.
_RATIOS = {"%": 1.0, "percent": 1.0, "percentunit": 100.0}


def kind_of(unit: str) -> str | None:
    """What a unit measures ("a duration", "a size", "a data rate"), None if unknown."""
    own = _canonical(unit)
    return next((kind for kind, family in _FAMILIES if own in family), None)


def convert(value: float, from_unit: str, to_unit: str) -> float:
    """Express `value` given in `from_unit` in `to_unit` ("1 GB" in "MB" -> 1024.0).

    Identical units always convert (factor 1), as do spellings of one unit ("bytes",
    "B"). Raises ValueError when the units measure different things (ms vs MB, MB vs
    MB/s) or either one is unknown.
    """
    if from_unit == to_unit:
        return value
    if from_unit in _RATIOS and to_unit in _RATIOS:
        return value * _RATIOS[from_unit] / _RATIOS[to_unit]
    source, target = _canonical(from_unit), _canonical(to_unit)
    for _, family in _FAMILIES:
        if source in family and target in family:
            return value * family[source] / family[target]
    to_text = f'"{to_unit}"' if to_unit else "no unit"
    raise ValueError(f'"{from_unit}" cannot be converted to {to_text}')
