"""One native histogram in the demo backend, and the registry in the protobuf exposition.

`allin_http_request_duration_native_seconds` observes the same HTTP latencies as the
classic `allin_http_request_duration_seconds`, in exponential buckets (schema 2: each
bound 2^(1/4) times the one before). The text format cannot carry native buckets, so
there it is what client_golang writes for a native-only histogram: its count and sum
(and the +Inf bucket). A scrape that asks for protobuf (Prometheus with
`--enable-feature=native-histograms`) gets it with its buckets, and every other
family of the registry with it (allintop.demo.protobuf).
"""

from __future__ import annotations

import threading
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

from prometheus_client import CollectorRegistry
from prometheus_client.metrics_core import HistogramMetricFamily, Metric
from prometheus_client.registry import Collector

from allintop.demo import protobuf

#: Each bucket's bound is 2^(2^-SCHEMA) = 1.19 times the one before.
SCHEMA = 2
#: client_golang's default: only an observation of exactly 0 falls in the zero bucket.
ZERO_THRESHOLD = 2.0**-128
#: The bucket indexes the demo's latencies span: 2^(-36/4) = 2 ms up to 2^(16/4) = 16 s.
LOWEST, HIGHEST = -36, 16


def upper_bound(index: int, schema: int = SCHEMA) -> float:
    """The upper bound of positive bucket `index`: 2^(index * 2^-schema)."""
    return float(2.0 ** (index / 2**schema))


#: The bounds the traffic spreads observations over (allintop.demo.scenarios'
#: bucket_probabilities), lowest first; what falls above goes to the bucket after.
BOUNDS: tuple[float, ...] = tuple(upper_bound(i) for i in range(LOWEST, HIGHEST + 1))


@dataclass
class _Series:
    buckets: dict[int, int] = field(default_factory=dict)
    count: int = 0
    total: float = 0.0


class NativeFamily(HistogramMetricFamily):
    """A histogram family that also carries its native buckets, for the protobuf."""

    def __init__(self, name: str, documentation: str, labels: Sequence[str]) -> None:
        super().__init__(name, documentation, labels=labels)
        self.native: list[tuple[dict[str, str], int, float, protobuf.Native]] = []


class NativeHistogram(Collector):
    """A native histogram that takes a tick's counts at once, as BatchedHistogram
    does for the classic ones: `counts[k]` observations at or below BOUNDS[k] (and
    above the bound before), the last for anything above the highest bound."""

    def __init__(
        self,
        name: str,
        documentation: str,
        labelnames: Sequence[str],
        registry: CollectorRegistry,
    ) -> None:
        self.name = name
        self.documentation = documentation
        self.labelnames = tuple(labelnames)
        self._series: dict[tuple[str, ...], _Series] = {}
        self._lock = threading.Lock()
        registry.register(self)

    def touch(self, labelvalues: tuple[str, ...]) -> None:
        with self._lock:
            self._series.setdefault(labelvalues, _Series())

    def add(self, labelvalues: tuple[str, ...], counts: Sequence[int], total: float) -> None:
        with self._lock:
            series = self._series.setdefault(labelvalues, _Series())
            for k, n in enumerate(counts):
                if n:
                    index = LOWEST + k
                    series.buckets[index] = series.buckets.get(index, 0) + n
                    series.count += n
            series.total += total

    def describe(self) -> Iterator[Metric]:
        yield HistogramMetricFamily(self.name, self.documentation, labels=self.labelnames)

    def collect(self) -> Iterator[Metric]:
        family = NativeFamily(self.name, self.documentation, self.labelnames)
        with self._lock:
            snapshot = [(v, dict(s.buckets), s.count, s.total) for v, s in self._series.items()]
        for values, buckets, count, total in snapshot:
            family.add_metric(list(values), [("+Inf", count)], sum_value=total)
            native = protobuf.Native(SCHEMA, ZERO_THRESHOLD, 0, buckets)
            labels = dict(zip(self.labelnames, values, strict=True))
            family.native.append((labels, count, total, native))
        yield family


# --- the registry as protobuf -------------------------------------------------------------


def exposition(registry: CollectorRegistry) -> bytes:
    """Every family of `registry` as the delimited protobuf stream."""
    return protobuf.delimited(_family(f) for f in registry.collect())


def _family(found: Metric) -> bytes:
    if isinstance(found, NativeFamily):
        metrics = [
            protobuf.metric(labels, protobuf.histogram(count, total, native=native))
            for labels, count, total, native in found.native
        ]
        return protobuf.family(found.name, found.documentation, protobuf.HISTOGRAM, metrics)
    if found.type == "histogram":
        return protobuf.family(found.name, found.documentation, protobuf.HISTOGRAM, _classic(found))
    kind = {"counter": protobuf.COUNTER, "gauge": protobuf.GAUGE}.get(found.type, protobuf.UNTYPED)
    # A counter's series is named with _total (prometheus_client's family name is not).
    name = found.samples[0].name if found.samples else found.name
    metrics = [protobuf.metric(s.labels, protobuf.value(kind, s.value)) for s in found.samples]
    return protobuf.family(name, found.documentation, kind, metrics)


@dataclass
class _Classic:
    labels: dict[str, str]
    buckets: list[tuple[float, float]] = field(default_factory=list)
    count: float = 0.0
    total: float = 0.0


def _classic(found: Metric) -> list[bytes]:
    """A classic histogram's series: cumulative buckets, count and sum per label set."""
    series: dict[tuple[tuple[str, str], ...], _Classic] = {}
    for sample in found.samples:
        labels = {k: v for k, v in sample.labels.items() if k != "le"}
        entry = series.setdefault(tuple(sorted(labels.items())), _Classic(labels))
        if sample.name.endswith("_bucket"):
            entry.buckets.append((float(sample.labels["le"]), sample.value))
        elif sample.name.endswith("_count"):
            entry.count = sample.value
        elif sample.name.endswith("_sum"):
            entry.total = sample.value
    return [
        protobuf.metric(e.labels, protobuf.histogram(e.count, e.total, e.buckets))
        for e in series.values()
    ]
