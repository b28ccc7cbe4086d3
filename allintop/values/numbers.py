"""Numbers as the cards write them: three significant digits, whole numbers whole,
k/M/G/T/P from 10,000 up ("12.3k"), or a fixed count of decimals; never "-0".

Pure functions, the digits only: allintop.values.units picks the unit around them.
"""

from __future__ import annotations

import math

_SUFFIXES = ((1.0, ""), (1e3, "k"), (1e6, "M"), (1e9, "G"), (1e12, "T"), (1e15, "P"))


def significant(value: float, digits: int = 3, whole: bool = True) -> str:
    """A generic number: whole numbers below 10,000 as they are (if `whole`), others to
    `digits` significant digits, from 10,000 up with k/M/G/T/P suffixes (12.3k)."""
    if whole and value == int(value) and abs(value) < 10_000:
        return str(int(value))
    if abs(value) < 10_000:
        text = round_significant(value, digits)
        if abs(float(text)) < 10_000:
            return text
    for size, suffix in _SUFFIXES[1:]:
        text = round_significant(value / size, digits)
        if abs(float(text)) < 1000:
            return text + suffix
    return f"{value:.{digits - 1}e}"  # beyond peta: no suffix left that reads better


def round_significant(value: float, digits: int) -> str:
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


def fixed_with_suffix(value: float, places: int) -> str:
    """A forced number of decimals, still with k/M/G suffixes from 10,000 up."""
    for size, suffix in _SUFFIXES:
        text = fixed(value / size, places)
        if abs(float(text)) < (10_000 if size == 1 else 1000):
            return text + suffix
    return f"{value:.{max(0, places)}e}"


def fixed(value: float, places: int) -> str:
    """`value` with `places` decimals, no suffix."""
    return _clean_zero(f"{value:.{max(0, places)}f}")


def _clean_zero(text: str) -> str:
    """Drop the sign of a rounded zero: "-0.0" says nothing that "0.0" doesn't."""
    if text.startswith("-") and float(text) == 0:
        return text[1:]
    return text
