"""Each panel's bookkeeping in the poller: its history, its last evaluation, its state.

The poller decides what to ask and when; what comes of it for one panel is kept
here: the values go into the panel's history (allintop.live.history), the last
successful evaluation is kept so that a tick no scrape has reached can carry it
forward, and the QueryState the UI draws is built from both: the series listed in
the panel's order (worst first when it has thresholds, else biggest first), the
headline series' sparkline, the status and why it is unknown. Pure logic: no
Textual, no network.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass

from allintop.dashboard.model import Query
from allintop.errors import PrometheusError
from allintop.live import native
from allintop.live.history import QueryHistory, label_key
from allintop.live.reports import QueryState, SeriesView, legend, worst
from allintop.promql.sharing import SeriesPoints
from allintop.sources.answers import Sample
from allintop.values.thresholds import Status, series_order, status_of


@dataclass(frozen=True, slots=True)
class Evaluated:
    """A panel's last successful evaluation, kept to carry it forward."""

    time: float
    samples: list[Sample]
    warnings: tuple[str, ...]
    native: bool = False


class QueryStates:
    """The panels' histories and last evaluations, and the states built from them.

    Args:
        panels: the panels, in display order (their indexes are the poller's).
        max_series: the most series a panel's history keeps.
    """

    def __init__(self, panels: Sequence[Query], max_series: int) -> None:
        self.panels = tuple(panels)
        self.max_series = max_series
        # Each panel's series order: worst first when it has thresholds.
        self._orders = [series_order(panel.thresholds) for panel in self.panels]
        self.capacity = 0
        self.histories: list[QueryHistory] = []
        self._latest: dict[int, Evaluated | None] = {}

    def reset(self, bucket: float, capacity: int) -> None:
        """Empty histories of `capacity` buckets `bucket` seconds wide; nothing
        evaluated yet."""
        self.capacity = capacity
        self.histories = [
            QueryHistory(bucket, capacity, self.max_series, order) for order in self._orders
        ]
        self._latest = dict.fromkeys(range(len(self.panels)))

    # -- what comes in --

    def evaluated(
        self, index: int, t: float, samples: list[Sample], warnings: tuple[str, ...]
    ) -> QueryState:
        """A tick's samples for the panel: sorted in its order, added to its history,
        kept to carry forward. Native histograms go in as their buckets."""
        natives = native.is_native(samples)
        self.sort(index, samples)
        self._put(index, t, samples, natives)
        return self._succeeded(index, t, samples, warnings, natives)

    def backfilled(
        self,
        index: int,
        end: float,
        series: Sequence[SeriesPoints],
        latest: list[Sample],
        warnings: tuple[str, ...],
        natives: bool = False,
    ) -> QueryState:
        """A backfill's series for the panel, ending at `end`: they replace its
        history; `latest`, those of its points at `end`, are its value now.
        `natives`: the series are native histograms' buckets."""
        self.histories[index].backfill(series, end)
        self.sort(index, latest)
        return self._succeeded(index, end, latest, warnings, natives)

    def failed(self, index: int, t: float, error: PrometheusError, *, gap: bool) -> QueryState:
        """The panel failed at `t`; `gap`: a tick's failure, a gap in its history."""
        if gap:
            self.histories[index].update(t, ())
        self._latest[index] = None
        history, newest = self._headline_history(index, None)
        return QueryState(
            index,
            t,
            history=history,
            newest=newest,
            version=self.histories[index].version,
            reason=f"{error.short}: {error.message}",
            error=error,
        )

    def carried(self, index: int, t: float) -> QueryState | None:
        """The panel's last evaluation carried forward to `t` (None: it has none)."""
        evaluated = self._latest[index]
        if evaluated is None:
            return None
        self._put(index, t, evaluated.samples, evaluated.native)
        return self._state(index, t, evaluated.samples, evaluated.warnings, evaluated.native)

    # -- reading --

    def fresh(self, panels: Collection[int], as_of: float) -> bool:
        """Whether each of `panels` was last evaluated, successfully, as of `as_of`."""
        latest = [self._latest[index] for index in panels]
        return all(e is not None and e.time == as_of for e in latest)

    def sort(self, index: int, samples: list[Sample]) -> None:
        """Sort `samples` in the panel's order, worst or biggest first; those of equal
        value by their labels, not as the answer listed them (which can change from
        one tick to the next, swapping them on screen)."""
        order = self._orders[index]
        samples.sort(key=lambda s: (order(s.value), label_key(s.labels)))

    # -- state building --

    def _put(self, index: int, t: float, samples: Sequence[Sample], natives: bool) -> None:
        values = (
            native.bucket_values(samples) if natives else [(s.labels, s.value) for s in samples]
        )
        self.histories[index].update(t, values)

    def _succeeded(
        self,
        index: int,
        t: float,
        samples: list[Sample],
        warnings: tuple[str, ...],
        natives: bool = False,
    ) -> QueryState:
        self._latest[index] = Evaluated(t, samples, warnings, natives)
        return self._state(index, t, samples, warnings, natives)

    def _headline_history(
        self, index: int, labels: Mapping[str, str] | None
    ) -> tuple[tuple[float | None, ...], int | None]:
        """The headline series' bucket values and its newest bucket's index."""
        history = self.histories[index]
        if labels is not None:
            return tuple(history.values(labels)), history.newest(labels)
        if history.series:
            first = next(iter(history.series.values()))
            return tuple(first.values()), first.newest
        return (None,) * self.capacity, None

    def _state(
        self,
        index: int,
        t: float,
        ordered: Sequence[Sample],
        warnings: Sequence[str],
        natives: bool = False,
    ) -> QueryState:
        """The panel's state from samples already sorted in the panel's order, worst or
        biggest first (every caller sorts once, before updating the history, which
        keeps the first series). Native histograms state no value (allintop.live.native):
        their buckets are in the history, for a heatmap."""
        if natives:
            return QueryState(
                index,
                t,
                history=(None,) * self.capacity,
                version=self.histories[index].version,
                reason=native.NATIVE_REASON,
                warnings=tuple(warnings),
                native=True,
            )
        panel = self.panels[index]
        views = tuple(
            SeriesView(
                legend(s.labels, panel.legend),
                s.labels,
                s.value,
                status_of(s.value, panel.thresholds),
            )
            for s in ordered[: panel.listed]
        )
        if not views:
            history, newest = self._headline_history(index, None)
            return QueryState(
                index,
                t,
                history=history,
                newest=newest,
                version=self.histories[index].version,
                reason="no data",
                warnings=tuple(warnings),
            )
        statuses = [status_of(s.value, panel.thresholds) for s in ordered]
        history, newest = self._headline_history(index, views[0].labels)
        return QueryState(
            index,
            t,
            series=views,
            total=len(ordered),
            history=history,
            newest=newest,
            version=self.histories[index].version,
            status=worst(statuses),
            reason="NaN" if worst(statuses) is Status.UNKNOWN else None,
            warnings=tuple(warnings),
        )
