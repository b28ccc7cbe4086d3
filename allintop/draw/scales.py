"""A value scale that holds still: rescaled only when the data leaves it.

A sparkline or chart scaled to exactly its data's lowest and highest value redraws
every row whenever one of them moves a little, which on a live series is most ticks.
Here the card keeps the scale it drew with while the data stays inside it and still
fills a fair share of it (`FILL`); only data leaving it, or shrinking far inside it,
rescales. Data that left it gets some headroom on the side it left by (`HEADROOM`), so
a rising series does not rescale again at the next tick; a first scale, one for
data that shrank, or one after a flat scale (a first value, then its history), fits
the data, as a scale without memory would. A rescale redraws
every row: rare, by design.

A flat series (one value, give or take float noise) gets a flat scale, which the
sparkline draws as a low line. Pure: no Textual, no network.
"""

from __future__ import annotations

from dataclasses import dataclass

#: A spread below this share of the values' size is float noise, not a change: a
#: constant rate computed as 0.2 and 0.20000000000000004 is flat (as on the card).
FLAT = 1e-9
#: Room added beyond the data on the side it left the scale by, as a share of its span.
HEADROOM = 0.1
#: The share of the scale the data must still span for the scale to be kept.
FILL = 0.5


def is_flat(low: float, high: float) -> bool:
    """True when values from `low` to `high` are one value, give or take rounding."""
    return high - low <= FLAT * max(abs(low), abs(high))


@dataclass(frozen=True, slots=True)
class Scale:
    """The values drawn from the bottom (`low`) to the top (`high`)."""

    low: float
    high: float

    @property
    def flat(self) -> bool:
        """Whether it is one value: its data is drawn as a low line."""
        return is_flat(self.low, self.high)

    def holds(self, low: float, high: float) -> bool:
        """Whether data from `low` to `high` is inside it and fills enough of it."""
        if not self.low <= low <= high <= self.high:
            return False
        if self.flat:
            return True
        return high - low >= FILL * (self.high - self.low)

    def share(self, value: float) -> float:
        """Where `value` lies on it: 0 at the bottom, 1 at the top (0 on a flat scale)."""
        if self.flat:
            return 0.0
        return min(max((value - self.low) / (self.high - self.low), 0.0), 1.0)


def steady_scale(previous: Scale | None, low: float, high: float) -> Scale:
    """The scale for data from `low` to `high`: `previous` while it holds them, else
    one around them, with headroom where they left `previous` (never below zero for
    data that is not)."""
    return held(previous, low, high, _around(low, high, previous))


def held(previous: Scale | None, low: float, high: float, fresh: Scale) -> Scale:
    """`previous` while it holds data from `low` to `high`, else `fresh` (a scale
    made for them with its own headroom: a chart's axis with its margin)."""
    if previous is not None and previous.holds(low, high):
        return previous
    return fresh


def _around(low: float, high: float, previous: Scale | None) -> Scale:
    # A flat scale says nothing of where the data goes: a lone first value's, before
    # its history comes in, is left as a first scale is, fitting the data.
    if is_flat(low, high) or previous is None or previous.flat:
        return Scale(low, high)
    room = (high - low) * HEADROOM
    bottom = low - room if low < previous.low else low
    if low >= 0 > bottom:
        bottom = 0.0
    return Scale(bottom, high + room if high > previous.high else high)
