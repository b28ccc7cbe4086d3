"""Bounded per-series history at display resolution, for sparklines and the zoom chart.

A history holds a fixed number of time buckets over the dashboard range, about as many
as a chart has columns (`DISPLAY_POINTS`), each `bucket_width(step, range)` seconds
wide: a whole number of refresh steps, so the grid of ticks and the grid of buckets
line up, and a backfill from one range query (its points one bucket apart) and the
instant values of later ticks land in the same buckets. Each bucket keeps the lowest,
highest and last value put in it, so a one-tick spike survives however many ticks a
bucket spans. Memory and per-tick cost depend on the number of buckets, never on
range / refresh (24 hours at 1 s is 200 buckets, not 86,400 points).

A bucket no value reached is a gap (None): a scrape outage longer than a bucket shows.
Every change bumps a version, from one counter for all histories, so a widget compares
one number to know whether its sparkline changed, not a tuple of points.
Pure logic: no Textual, no network.
"""

from __future__ import annotations

import itertools
import math
from array import array
from collections.abc import Callable, Iterable, Mapping, Sequence

from allintop.values.thresholds import value_order

__all__ = [
    "DISPLAY_POINTS",
    "LabelKey",
    "QueryHistory",
    "SeriesHistory",
    "bucket_count",
    "bucket_width",
    "label_key",
    "value_order",
]

LabelKey = tuple[tuple[str, str], ...]
Order = Callable[[float], tuple[int, float]]

#: Buckets over the range: about a wide zoom chart's columns, and what the backfill
#: asks Prometheus for (points one bucket apart).
DISPLAY_POINTS = 200

#: Where a time sits in its bucket is rounded by this share of a bucket, so that a
#: range answer's millisecond timestamps (109.9996 for 110) fall where they belong.
_SLACK = 1e-3

_VERSIONS = itertools.count(1)
_NAN_BYTES = array("d", [math.nan]).tobytes()


def bucket_width(step: float, range_: float, points: int = DISPLAY_POINTS) -> float:
    """Seconds per bucket: max(step, range / points), rounded up to whole steps."""
    return step * max(math.ceil(range_ / step / points - _SLACK), 1)


def bucket_count(step: float, range_: float, points: int = DISPLAY_POINTS) -> int:
    """How many buckets cover `range_` (at least two, so a line has two ends)."""
    return max(math.ceil(range_ / bucket_width(step, range_, points) - _SLACK), 2)


def label_key(labels: Mapping[str, str]) -> LabelKey:
    """A hashable identity for a series' label set."""
    return tuple(sorted(labels.items()))


def _finite(value: float | None) -> float | None:
    # Sparklines cannot draw NaN or ±Inf: they are gaps in the history, while the
    # panel's current value still shows them as such.
    return value if value is not None and math.isfinite(value) else None


class SeriesHistory:
    """The last `capacity` buckets of one series, `step` seconds each, oldest first.

    The buckets live in three arrays of C doubles (lowest, highest, last; NaN for a
    gap) and one byte each for their direction, newest at the end: about 6 KB for 200
    buckets where tuples of floats took 22 KB (a stat keeps up to 50 series). A new
    bucket shifts them (a memmove).
    """

    __slots__ = (
        "_high",
        "_held",
        "_last",
        "_latest",
        "_low",
        "_rising",
        "capacity",
        "step",
        "version",
    )

    def __init__(self, step: float, capacity: int) -> None:
        self.step = step
        self.capacity = capacity
        self._last: int | None = None  # index of the newest bucket
        self._clear()
        self.version = next(_VERSIONS)

    def _clear(self) -> None:
        """Every bucket a gap, none held."""
        self._low = _gaps(self.capacity)
        self._high = _gaps(self.capacity)
        self._latest = _gaps(self.capacity)
        self._rising = bytearray(self.capacity)
        self._held = 0

    def _index(self, t: float) -> int:
        return math.floor(t / self.step + _SLACK)

    def put(self, t: float, value: float | None) -> None:
        """Record `value` at time `t`; buckets skipped since the last put become gaps.

        A gap (None, NaN) in a bucket that already has a value leaves it as it is.
        """
        index = self._index(t)
        value = _finite(value)
        if self._last is not None:
            if index < self._last:
                return  # a late answer for a bucket already closed
            if index == self._last:
                if value is not None:
                    self._merge(self.capacity - 1, value)
                    self.version = next(_VERSIONS)
                return
            self._shift(min(index - self._last, self.capacity))
        else:
            self._shift(1)
        if value is not None:
            self._low[-1] = self._high[-1] = self._latest[-1] = value
        self._last = index
        self.version = next(_VERSIONS)

    def _shift(self, by: int) -> None:
        """`by` new buckets at the end, gaps; the oldest `by` dropped."""
        keep = self.capacity - by
        for column in (self._low, self._high, self._latest):
            column[:keep] = column[by:]
            column[keep:] = _gaps(by)
        self._rising[:keep] = self._rising[by:]
        self._rising[keep:] = bytes(by)
        self._held = min(self._held + by, self.capacity)

    def _merge(self, slot: int, value: float) -> None:
        """`value` into bucket `slot`: its lowest, highest and last, and whether the
        highest came after the lowest."""
        high = self._high[slot]
        if math.isnan(high):
            self._low[slot] = self._high[slot] = value
            self._rising[slot] = 0
        elif value > high:
            self._high[slot] = value
            self._rising[slot] = 1
        elif value < self._low[slot]:
            self._low[slot] = value
            self._rising[slot] = 0
        self._latest[slot] = value

    def backfill(self, timestamps: Sequence[float], values: Sequence[float], end: float) -> None:
        """Replace the history by a range query's points up to time `end`."""
        last = self._index(end)
        first = last - self.capacity + 1
        self._clear()
        self._held = self.capacity
        for t, raw in zip(timestamps, values, strict=False):
            slot, value = self._index(t) - first, _finite(raw)
            if value is not None and 0 <= slot < self.capacity:
                self._merge(slot, value)
        self._last = last
        self.version = next(_VERSIONS)

    def values(self) -> list[float | None]:
        """Each bucket's highest value, exactly `capacity` of them ending at the newest,
        padded with gaps on the left (what a sparkline draws)."""
        return [None if high != high else high for high in self._high]  # NaN != NaN

    def points(self) -> list[tuple[float, float | None]]:
        """The buckets as timed points for a chart, oldest first: a bucket whose lowest
        and highest differ gives both, in the order they came, so dips and spikes are
        drawn; a gap is one (time, None). Empty until the first put or backfill."""
        if self._last is None:
            return []
        step = self.step
        first = self._last - self.capacity + 1
        out: list[tuple[float, float | None]] = []
        for k, (low, high, rising) in enumerate(
            zip(self._low, self._high, self._rising, strict=True)
        ):
            t = (first + k) * step
            if high != high:  # NaN: a gap
                out.append((t, None))
            elif low == high:
                out.append((t, high))
            else:
                a, b = (low, high) if rising else (high, low)
                out += [(t, a), (t + step / 2, b)]
        return out

    @property
    def newest(self) -> int | None:
        """The index of the newest bucket (it starts at `newest * step` seconds);
        None until the first put or backfill. `values()` ends with it."""
        return self._last

    @property
    def held(self) -> int:
        """How many buckets are held in memory: never more than `capacity`."""
        return self._held

    @property
    def latest(self) -> float | None:
        """The last value put in the newest bucket."""
        latest = self._latest[-1]
        return None if latest != latest else latest

    def is_empty(self) -> bool:
        return all(high != high for high in self._high)


def _gaps(count: int) -> array[float]:
    """`count` gaps: NaN, as no finite value put in a bucket can be."""
    return array("d", _NAN_BYTES * count)


class QueryHistory:
    """Histories of a panel's series, capped at `max_series`, the first ones in `order`
    (the panel's: worst first when it has thresholds, else biggest first)."""

    def __init__(
        self, step: float, capacity: int, max_series: int = 50, order: Order = value_order
    ) -> None:
        self.step = step
        self.capacity = capacity
        self.max_series = max_series
        self.order = order
        self.series: dict[LabelKey, SeriesHistory] = {}
        self.version = next(_VERSIONS)

    def _new(self) -> SeriesHistory:
        return SeriesHistory(self.step, self.capacity)

    def backfill(
        self,
        series: Iterable[tuple[Mapping[str, str], Sequence[float], Sequence[float]]],
        end: float,
    ) -> None:
        """Replace every history; of many series, keep the first ones by last value."""
        self.series.clear()
        kept = sorted(series, key=self._last_value_order)[: self.max_series]
        for labels, timestamps, values in kept:
            history = self._new()
            history.backfill(timestamps, values, end)
            self.series[label_key(labels)] = history
        self.version = next(_VERSIONS)

    def _last_value_order(
        self, series: tuple[Mapping[str, str], Sequence[float], Sequence[float]]
    ) -> tuple[tuple[int, float], LabelKey]:
        labels, _, values = series
        return self.order(values[-1] if values else math.nan), label_key(labels)

    def update(self, t: float, samples: Sequence[tuple[Mapping[str, str], float]]) -> None:
        """Add one tick's values (`samples` sorted most important first).

        When the cap is reached, a new series takes the place of one that is gone from
        this tick: with series churn (pods replaced, say) the gone ones would otherwise
        hold their places, as gaps, for a whole range, and the new top series would
        have no sparkline until then.
        """
        keys = [(label_key(labels), value) for labels, value in samples]
        seen = {key for key, _ in keys}
        gone = [key for key in self.series if key not in seen]
        for key, value in keys:
            history = self.series.get(key)
            if history is None:
                if len(self.series) >= self.max_series:
                    if not gone:
                        continue
                    del self.series[gone.pop()]
                history = self.series[key] = self._new()
            history.put(t, value)
        for key in gone:
            history = self.series.get(key)
            if history is None:
                continue
            history.put(t, None)
            if history.is_empty():
                del self.series[key]
        self.version = next(_VERSIONS)

    def values(self, labels: Mapping[str, str]) -> list[float | None]:
        history = self.series.get(label_key(labels))
        return history.values() if history else [None] * self.capacity

    def newest(self, labels: Mapping[str, str]) -> int | None:
        """The index of the newest bucket of the series of `labels` (None: none)."""
        history = self.series.get(label_key(labels))
        return history.newest if history else None

    def ranked(self) -> list[tuple[LabelKey, SeriesHistory]]:
        """The series in the panel's order by their latest value, gaps last; those of
        equal value by their labels, so that they never swap places between ticks."""
        return sorted(
            self.series.items(),
            key=lambda item: (item[1].latest is None, self.order(item[1].latest or 0.0), item[0]),
        )
