"""What Explore asks a datasource: the names to complete a query with, and the query
itself over the dashboard's range, cut at the dashboard's series cap.

The names are cached per client, so reopening Explore completes at once: metric
names for METRIC_NAMES_TTL, label names and values per metric for the session (they
are asked for only when a query names that metric). No Textual: the Explore screen
runs these in its workers.
"""

from __future__ import annotations

import asyncio
import functools
import math
import time
import weakref
from collections.abc import Callable
from dataclasses import dataclass, field

from allintop.live.fetching import MAX_BACKFILL_BYTES
from allintop.promql.parse import promql_string
from allintop.sources.answers import Labels, Sample, Series
from allintop.sources.protocols import QueryClient

#: Metric names are asked for again after this many seconds.
METRIC_NAMES_TTL = 300.0
#: Points a query's range is cut into at most: about what a wide chart can show.
MAX_POINTS = 400


def selector(metric: str) -> str:
    """The `match[]` that selects a metric's series (`{__name__="m"}`: any name)."""
    return '{__name__="' + promql_string(metric) + '"}'


@dataclass
class Names:
    """The names a datasource has answered with so far."""

    metrics: tuple[str, ...] = ()
    metrics_at: float = -math.inf
    labels: dict[str, tuple[str, ...]] = field(default_factory=dict)
    """Label names by metric ("": every series')."""
    values: dict[tuple[str, str], tuple[str, ...]] = field(default_factory=dict)
    """Label values by (metric, label)."""


#: Each client's names, by the client's id, with a reference that tells whether the
#: client is still that one (clients need not be hashable: the tests' fakes are not).
_NAMES: dict[int, tuple[Callable[[], object], Names]] = {}


def names_of(client: QueryClient) -> Names:
    """The cache of `client`'s names (dropped when the client is)."""
    key = id(client)
    entry = _NAMES.get(key)
    if entry is not None and entry[0]() is client:
        return entry[1]
    names = Names()
    reference: Callable[[], object]
    try:
        reference = weakref.ref(client, lambda _gone: _NAMES.pop(key, None))
    except TypeError:  # no weak references to it: held for the session
        reference = functools.partial(lambda kept: kept, client)
    _NAMES[key] = (reference, names)
    return names


async def metric_names(client: QueryClient, monotonic: float | None = None) -> tuple[str, ...]:
    """Every metric name the server has (/api/v1/label/__name__/values), cached."""
    names = names_of(client)
    now = time.monotonic() if monotonic is None else monotonic
    if now - names.metrics_at >= METRIC_NAMES_TTL:
        names.metrics = await client.label_values("__name__")
        names.metrics_at = now
    return names.metrics


async def label_names(client: QueryClient, metric: str) -> tuple[str, ...]:
    """The label names of `metric`'s series ("": of every series), cached."""
    names = names_of(client)
    if metric not in names.labels:
        found = await client.label_names(selector(metric) if metric else None)
        names.labels[metric] = tuple(n for n in found if n != "__name__")
    return names.labels[metric]


async def label_values(client: QueryClient, metric: str, label: str) -> tuple[str, ...]:
    """`label`'s values among `metric`'s series ("": among every series), cached."""
    names = names_of(client)
    key = (metric, label)
    if key not in names.values:
        names.values[key] = await client.label_values(label, selector(metric) if metric else None)
    return names.values[key]


@dataclass(frozen=True)
class Explored:
    """A query's answer as Explore shows it.

    Args:
        series: the range's series, at most the cap, highest last value first.
        values: the instant values at the range's end, at most the cap, highest first.
        total: the series there were before the cut (the larger of the two answers).
        warnings: what the server warned about (and Prometheus 3's infos).
        start, end, step: the range asked for.
    """

    series: tuple[Series, ...]
    values: tuple[Sample, ...]
    total: int
    warnings: tuple[str, ...]
    start: float
    end: float
    step: float

    @property
    def cut(self) -> bool:
        return self.total > max(len(self.series), len(self.values))


def step_for(range_: float) -> float:
    """A whole number of seconds that cuts the range into at most MAX_POINTS."""
    return float(max(math.ceil(range_ / MAX_POINTS), 1))


def _last(series: Series) -> float:
    finite = [v for v in series.values if not math.isnan(v)]
    return finite[-1] if finite else -math.inf


def _highest(value: float) -> float:
    return -math.inf if math.isnan(value) else value


async def run(
    client: QueryClient, expr: str, range_: float, cap: int, now: float | None = None
) -> Explored:
    """`expr` over the last `range_` seconds and at their end, each cut at `cap`
    series (PrometheusError when the server refuses it)."""
    end = time.time() if now is None else now
    step = step_for(range_)
    start = end - range_
    ranged, instant = await asyncio.gather(
        client.query_range(expr, start, end, step, max_bytes=MAX_BACKFILL_BYTES),
        client.query(expr, end),
    )
    series = sorted(ranged.series, key=_last, reverse=True)
    values = sorted(instant.samples, key=lambda s: _highest(s.value), reverse=True)
    warnings = tuple(dict.fromkeys((*ranged.warnings, *ranged.infos, *instant.warnings)))
    return Explored(
        tuple(series[:cap]),
        tuple(values[:cap]),
        max(len(series), len(values)),
        warnings,
        start,
        end,
        step,
    )


def selector_text(labels: Labels) -> str:
    """A series as PromQL writes it: `name{label="value", ...}`."""
    name = labels.get("__name__", "")
    pairs = [f'{k}="{promql_string(v)}"' for k, v in sorted(labels.items()) if k != "__name__"]
    return f"{name}{{{', '.join(pairs)}}}" if pairs or not name else name
