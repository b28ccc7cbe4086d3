"""The seed's metrics ("Available Metrics"), as the demo backend exposes them: their
names, help texts, labels and buckets.

Counters and gauges are prometheus_client's own; the histograms are
:class:`BatchedHistogram`, which takes a whole tick's bucket counts at once, since the
traffic (allintop.demo.traffic) never loops per simulated request.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from prometheus_client import CollectorRegistry, Counter, Gauge, disable_created_metrics
from prometheus_client.metrics_core import HistogramMetricFamily, Metric
from prometheus_client.registry import Collector
from prometheus_client.utils import floatToGoString

from allintop.demo.native import NativeHistogram
from allintop.demo.scenarios import DB_BUCKETS, GC_BUCKETS, HTTP_BUCKETS, SOCIAL_BUCKETS


@dataclass
class _HistogramSeries:
    counts: list[int]  # non-cumulative, +Inf last
    total: float = 0.0


class BatchedHistogram(Collector):
    """A histogram that takes a whole tick's bucket counts at once.

    prometheus_client's Histogram only has observe(value); this keeps the same
    exposition (``_bucket``/``_count``/``_sum``, no ``_created``) without a call per
    observation.
    """

    def __init__(
        self,
        name: str,
        documentation: str,
        labelnames: Sequence[str],
        buckets: Sequence[float],
        registry: CollectorRegistry,
    ) -> None:
        self.name = name
        self.documentation = documentation
        self.labelnames = tuple(labelnames)
        self.buckets = tuple(buckets)
        self._series: dict[tuple[str, ...], _HistogramSeries] = {}
        self._lock = threading.Lock()
        registry.register(self)

    def touch(self, labelvalues: tuple[str, ...]) -> None:
        """Create the series with zero counts, so it is exposed before its first event."""
        with self._lock:
            self._ensure(labelvalues)

    def add(self, labelvalues: tuple[str, ...], counts: Sequence[int], total: float) -> None:
        with self._lock:
            series = self._ensure(labelvalues)
            for i, count in enumerate(counts):
                series.counts[i] += count
            series.total += total

    def _ensure(self, labelvalues: tuple[str, ...]) -> _HistogramSeries:
        series = self._series.get(labelvalues)
        if series is None:
            series = self._series[labelvalues] = _HistogramSeries([0] * (len(self.buckets) + 1))
        return series

    def describe(self) -> Iterator[Metric]:
        yield HistogramMetricFamily(self.name, self.documentation, labels=self.labelnames)

    def collect(self) -> Iterator[Metric]:
        family = HistogramMetricFamily(self.name, self.documentation, labels=self.labelnames)
        with self._lock:
            snapshot = [(values, list(s.counts), s.total) for values, s in self._series.items()]
        bounds = [floatToGoString(b) for b in self.buckets] + ["+Inf"]
        for values, counts, total in snapshot:
            cumulative, running = [], 0
            for bound, count in zip(bounds, counts, strict=True):
                running += count
                cumulative.append((bound, running))
            family.add_metric(list(values), cumulative, sum_value=total)
        yield family


@dataclass
class Metrics:
    """The seed's "Available Metrics", with its names and labels."""

    registry: CollectorRegistry
    http_duration: BatchedHistogram
    http_requests: Counter
    active_connections: Gauge
    cache_hits: Counter
    cache_misses: Counter
    db_duration: BatchedHistogram
    db_queries: Counter
    oauth_operations: Counter
    social_calls: Counter
    social_duration: BatchedHistogram
    cpu_seconds: Counter
    resident_memory: Gauge
    heap: Gauge
    lag: Gauge
    lag_p50: Gauge
    lag_p95: Gauge
    lag_p99: Gauge
    gc_duration: BatchedHistogram
    http_native: NativeHistogram


def build_metrics() -> Metrics:
    # The Node.js prom-client the seed uses exposes no `_created` series; neither do we
    # (this switch is process-wide in prometheus_client: call it in the backend only).
    disable_created_metrics()
    r = CollectorRegistry()
    return Metrics(
        registry=r,
        http_duration=BatchedHistogram(
            "allin_http_request_duration_seconds",
            "Duration of HTTP requests in seconds",
            ("method", "route", "status_code"),
            HTTP_BUCKETS,
            r,
        ),
        http_requests=Counter(
            "allin_http_requests_total",
            "Total number of HTTP requests",
            ("method", "route", "status_code"),
            registry=r,
        ),
        active_connections=Gauge(
            "allin_active_connections", "Number of active connections", registry=r
        ),
        cache_hits=Counter(
            "allin_cache_hits_total", "Total number of cache hits", ("cache_type",), registry=r
        ),
        cache_misses=Counter(
            "allin_cache_misses_total", "Total number of cache misses", ("cache_type",), registry=r
        ),
        db_duration=BatchedHistogram(
            "allin_db_query_duration_seconds",
            "Duration of database queries in seconds",
            ("operation", "table"),
            DB_BUCKETS,
            r,
        ),
        db_queries=Counter(
            "allin_db_queries_total",
            "Total number of database queries",
            ("operation", "table", "status"),
            registry=r,
        ),
        oauth_operations=Counter(
            "allin_oauth_operations_total",
            "Total number of OAuth operations",
            ("platform", "operation", "status"),
            registry=r,
        ),
        social_calls=Counter(
            "allin_social_api_calls_total",
            "Total number of social media API calls",
            ("platform", "endpoint", "status"),
            registry=r,
        ),
        social_duration=BatchedHistogram(
            "allin_social_api_duration_seconds",
            "Duration of social media API calls in seconds",
            ("platform", "endpoint"),
            SOCIAL_BUCKETS,
            r,
        ),
        cpu_seconds=Counter(
            "allin_process_cpu_seconds_total",
            "Total user and system CPU time spent in seconds",
            registry=r,
        ),
        resident_memory=Gauge(
            "allin_process_resident_memory_bytes", "Resident memory size in bytes", registry=r
        ),
        heap=Gauge("allin_process_heap_bytes", "Process heap size in bytes", registry=r),
        lag=Gauge("allin_nodejs_eventloop_lag_seconds", "Lag of event loop in seconds", registry=r),
        lag_p50=Gauge(
            "allin_nodejs_eventloop_lag_p50_seconds",
            "The 50th percentile of the recorded event loop delays",
            registry=r,
        ),
        lag_p95=Gauge(
            "allin_nodejs_eventloop_lag_p95_seconds",
            "The 95th percentile of the recorded event loop delays",
            registry=r,
        ),
        lag_p99=Gauge(
            "allin_nodejs_eventloop_lag_p99_seconds",
            "The 99th percentile of the recorded event loop delays",
            registry=r,
        ),
        gc_duration=BatchedHistogram(
            "allin_nodejs_gc_duration_seconds",
            "Garbage collection duration by kind",
            ("kind",),
            GC_BUCKETS,
            r,
        ),
        http_native=NativeHistogram(
            "allin_http_request_duration_native_seconds",
            "Duration of HTTP requests in seconds, in a native histogram",
            ("method", "route"),
            r,
        ),
    )
