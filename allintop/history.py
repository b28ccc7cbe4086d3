"""Bounded per-series history on a fixed time grid, for sparklines.

Points sit at grid times `k * step` (the poller aligns its query times to the same
grid), so a backfill from one range query and the instant values of later ticks line
up, and a missed tick or a series that vanished for a while shows as a gap (None).
Pure logic: no Textual, no network.
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Iterable, Mapping, Sequence

LabelKey = tuple[tuple[str, str], ...]


def label_key(labels: Mapping[str, str]) -> LabelKey:
    """A hashable identity for a series' label set."""
    return tuple(sorted(labels.items()))


def value_order(value: float) -> tuple[int, float]:
    """Sort key for series: biggest value first, NaN last."""
    return (1, 0.0) if math.isnan(value) else (0, -value)


def _finite(value: float | None) -> float | None:
    # Sparklines cannot draw NaN or ±Inf: they are gaps in the history, while the
    # panel's current value still shows them as such.
    return value if value is not None and math.isfinite(value) else None


class SeriesHistory:
    """The last `capacity` grid points of one series, oldest first."""

    __slots__ = ("_last", "_values", "capacity", "step")

    def __init__(self, step: float, capacity: int) -> None:
        self.step = step
        self.capacity = capacity
        self._values: deque[float | None] = deque(maxlen=capacity)
        self._last: int | None = None  # grid index of the newest point

    def _index(self, t: float) -> int:
        return round(t / self.step)

    def put(self, t: float, value: float | None) -> None:
        """Record `value` at time `t`; grid points skipped since the last put become gaps."""
        index = self._index(t)
        if self._last is not None:
            if index < self._last:
                return  # a late answer for a point already superseded
            if index == self._last:
                self._values[-1] = _finite(value)
                return
            self._values.extend([None] * min(index - self._last - 1, self.capacity))
        self._values.append(_finite(value))
        self._last = index

    def backfill(
        self,
        timestamps: Sequence[float],
        values: Sequence[float],
        end: float,
        spacing: float | None = None,
    ) -> None:
        """Replace the history by a range query's points up to grid time `end`.

        A range query `spacing` seconds apart (coarser than the grid: a sparkline has
        far fewer columns than a 1s grid has points) fills the grid points up to the
        next one with its value; a missing point stays a gap of that width.
        """
        span = max(round((spacing or self.step) / self.step), 1)
        last = self._index(end)
        first = last - self.capacity + 1
        filled: list[float | None] = [None] * self.capacity
        for t, value in zip(timestamps, values, strict=False):
            start = self._index(t) - first
            for i in range(max(start, 0), min(start + span, self.capacity)):
                filled[i] = _finite(value)
        self._values.clear()
        self._values.extend(filled)
        self._last = last

    def values(self) -> list[float | None]:
        """Exactly `capacity` points ending at the newest, padded with gaps on the left."""
        pad = self.capacity - len(self._values)
        return [None] * pad + list(self._values)

    def points(self) -> list[tuple[float, float | None]]:
        """`values()` with each point's grid time (`index * step`), oldest first.

        Empty until the first put or backfill: before that no point has a time.
        """
        if self._last is None:
            return []
        first = self._last - self.capacity + 1
        return [((first + k) * self.step, value) for k, value in enumerate(self.values())]

    @property
    def latest(self) -> float | None:
        return self._values[-1] if self._values else None

    def is_empty(self) -> bool:
        return all(v is None for v in self._values)


class PanelHistory:
    """Histories of a panel's series, capped at `max_series` (the top ones by value)."""

    def __init__(self, step: float, capacity: int, max_series: int = 50) -> None:
        self.step = step
        self.capacity = capacity
        self.max_series = max_series
        self.series: dict[LabelKey, SeriesHistory] = {}

    def _new(self) -> SeriesHistory:
        return SeriesHistory(self.step, self.capacity)

    def backfill(
        self,
        series: Iterable[tuple[Mapping[str, str], Sequence[float], Sequence[float]]],
        end: float,
        spacing: float | None = None,
    ) -> None:
        """Replace every history; of many series, keep those with the biggest last value."""
        self.series.clear()
        kept = sorted(series, key=_last_value_order)[: self.max_series]
        for labels, timestamps, values in kept:
            history = self._new()
            history.backfill(timestamps, values, end, spacing)
            self.series[label_key(labels)] = history

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

    def values(self, labels: Mapping[str, str]) -> list[float | None]:
        history = self.series.get(label_key(labels))
        return history.values() if history else [None] * self.capacity


def _last_value_order(
    series: tuple[Mapping[str, str], Sequence[float], Sequence[float]],
) -> tuple[int, float]:
    """Biggest last value first; empty and NaN series last."""
    values = series[2]
    return value_order(values[-1] if values else math.nan)
