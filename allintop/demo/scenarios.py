"""The demo backend's scenarios: pure data, plus the small functions that read it.

A scenario says what the synthetic AllIN backend looks like: request rate, latency
distributions, error shares, cache hit ratio, CPU, memory, event-loop lag. The values
are placed against the seed's "Performance Targets" table and its six alert rules:

- ``healthy``: every target met with margin, no alert rule true (not even per series);
- ``degraded``: every table row between its target and its alert threshold;
- ``incident``: every alert threshold broken, and all six rules true.

Latencies are given as a quantile function (knots of (probability, seconds), linear in
between), so the P50/P95/P99 a scenario produces can be read off its data; the backend
turns them into histogram bucket counts with :func:`bucket_probabilities`.
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Sequence
from dataclasses import dataclass

from allintop.errors import ConfigError

GIB = 1024**3

# Histogram bucket bounds (seconds). The HTTP ones put a bound on every latency
# threshold of the seed (50/100/200/500 ms, 1 s, 2 s) so quantiles near a threshold
# are interpolated inside a narrow bucket, not across a wide one.
HTTP_BUCKETS: tuple[float, ...] = (
    0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.15, 0.2, 0.3, 0.5,
    0.75, 1.0, 1.5, 2.0, 3.0, 5.0, 10.0,
)  # fmt: skip
DB_BUCKETS: tuple[float, ...] = (
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.0, 5.0, 10.0,
)  # fmt: skip
SOCIAL_BUCKETS: tuple[float, ...] = (0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
# prom-client's default buckets for nodejs_gc_duration_seconds.
GC_BUCKETS: tuple[float, ...] = (0.001, 0.01, 0.1, 1.0, 2.0, 5.0)


@dataclass(frozen=True)
class Distribution:
    """A latency distribution given by its quantile function.

    ``knots`` are (probability, seconds) pairs, strictly increasing in both, from
    probability 0 (the fastest value) to 1 (the slowest); in between the quantile
    function is linear, so the CDF is piecewise linear too.
    """

    knots: tuple[tuple[float, float], ...]

    def __post_init__(self) -> None:
        probs = [p for p, _ in self.knots]
        values = [v for _, v in self.knots]
        if probs[0] != 0.0 or probs[-1] != 1.0:
            raise ValueError("knots must start at probability 0 and end at 1")
        if any(b <= a for a, b in zip(probs, probs[1:], strict=False)) or any(
            b <= a for a, b in zip(values, values[1:], strict=False)
        ):
            raise ValueError("knots must be strictly increasing")

    def quantile(self, p: float) -> float:
        """The value below which a fraction ``p`` of observations falls."""
        probs = [k[0] for k in self.knots]
        i = min(max(bisect.bisect_right(probs, p), 1), len(probs) - 1)
        (p0, v0), (p1, v1) = self.knots[i - 1], self.knots[i]
        return v0 + (v1 - v0) * (p - p0) / (p1 - p0)

    def cdf(self, x: float) -> float:
        """The fraction of observations at or below ``x`` seconds."""
        values = [k[1] for k in self.knots]
        if x <= values[0]:
            return 0.0
        if x >= values[-1]:
            return 1.0
        i = bisect.bisect_right(values, x)
        (p0, v0), (p1, v1) = self.knots[i - 1], self.knots[i]
        return p0 + (p1 - p0) * (x - v0) / (v1 - v0)

    @property
    def mean(self) -> float:
        # Linear quantile function: each segment contributes its width times its midpoint.
        return sum(
            (p1 - p0) * (v0 + v1) / 2
            for (p0, v0), (p1, v1) in zip(self.knots, self.knots[1:], strict=False)
        )


def dist(*knots: tuple[float, float]) -> Distribution:
    return Distribution(tuple(knots))


@dataclass(frozen=True)
class LagProfile:
    """Node.js event-loop lag gauges, in seconds."""

    mean: float
    p50: float
    p95: float
    p99: float


@dataclass(frozen=True)
class Scenario:
    name: str
    description: str
    request_rate: float  # HTTP requests per second, all routes together
    http_latency: Distribution
    client_error_share: float  # 4xx share of requests
    server_error_share: float  # 5xx share of requests
    active_connections: float
    cache_rate: float  # cache lookups per second, all cache types together
    cache_hit_ratio: float
    db_rate: float  # queries per second
    db_latency: Distribution
    db_error_share: float
    social_rate: float  # third-party API calls per second
    social_latency: Distribution
    social_error_share: float
    oauth_rate: float  # OAuth operations per second
    oauth_failure_share: float
    cpu_fraction: float  # CPU seconds per second; x100 is the seed's "CPU Usage" %
    resident_memory_bytes: float
    heap_fraction: float  # heap bytes as a fraction of resident memory
    eventloop_lag: LagProfile
    gc_rate: float  # GC runs per second, all kinds together
    gc_latency: Distribution  # of a "major" collection; other kinds are scaled down

    @property
    def success_share(self) -> float:
        return 1.0 - self.client_error_share - self.server_error_share


HEALTHY = Scenario(
    name="healthy",
    description="every performance target met with margin, no alert rule true",
    request_rate=25.0,
    # P50 20 ms (<50), P95 80 ms (<200), P99 250 ms (<1000).
    http_latency=dist((0, 0.002), (0.5, 0.020), (0.95, 0.080), (0.99, 0.250), (1, 0.450)),
    client_error_share=0.003,
    # No 5xx at all: the seed's HighErrorRate is per series, and a sparse series'
    # rate over a young window is noisy; zero can never cross 0.05/s.
    server_error_share=0.0,
    active_connections=40,
    cache_rate=60.0,
    cache_hit_ratio=0.96,
    db_rate=40.0,
    db_latency=dist((0, 0.0005), (0.5, 0.003), (0.95, 0.015), (0.99, 0.040), (1, 0.120)),
    db_error_share=0.0005,
    social_rate=3.0,
    social_latency=dist((0, 0.060), (0.5, 0.200), (0.95, 0.600), (0.99, 1.2), (1, 2.0)),
    social_error_share=0.005,
    oauth_rate=0.8,
    oauth_failure_share=0.005,
    cpu_fraction=0.30,
    resident_memory_bytes=350 * 1024**2,
    heap_fraction=0.55,
    eventloop_lag=LagProfile(mean=0.004, p50=0.003, p95=0.012, p99=0.025),
    gc_rate=3.0,
    gc_latency=dist((0, 0.002), (0.5, 0.010), (0.95, 0.040), (1, 0.080)),
)

DEGRADED = Scenario(
    name="degraded",
    description="every performance target missed, no table alert threshold reached",
    request_rate=25.0,
    # P50 65 ms (50-100), P95 300 ms (200-500), P99 1.4 s (1-2 s); P95 per series
    # stays far under SlowResponseTime's 1 s. The P95 knot sits on a bucket bound:
    # Prometheus spreads a bucket's count evenly, and a knot inside the wide
    # 300-500 ms bucket would read as ~450 ms.
    http_latency=dist(
        (0, 0.005),
        (0.5, 0.065),
        (0.9, 0.200),
        (0.95, 0.300),
        (0.975, 0.600),
        (0.99, 1.4),
        (1, 3.0),
    ),
    client_error_share=0.020,  # mostly 429 rate limiting: success ~97.7 %
    # 0.3 % 5xx of 25 req/s is 0.075/s spread over all routes: the busiest route's
    # series stays near 0.026/s, under HighErrorRate's 0.05/s per series.
    server_error_share=0.003,
    active_connections=140,
    cache_rate=60.0,
    cache_hit_ratio=0.75,
    db_rate=40.0,
    db_latency=dist((0, 0.001), (0.5, 0.025), (0.95, 0.250), (0.99, 0.700), (1, 1.5)),
    db_error_share=0.01,
    social_rate=3.0,
    social_latency=dist((0, 0.100), (0.5, 0.500), (0.95, 1.8), (0.99, 3.5), (1, 6.0)),
    social_error_share=0.04,
    oauth_rate=0.8,
    oauth_failure_share=0.04,
    cpu_fraction=0.77,
    # 1.25 GiB: over the table's 1 GB target, under its 1.5 GB alert threshold. Note
    # the seed's HighMemoryUsage rule fires at 1 GiB, so it fires here too.
    resident_memory_bytes=1.25 * GIB,
    heap_fraction=0.65,
    eventloop_lag=LagProfile(mean=0.030, p50=0.025, p95=0.070, p99=0.090),
    gc_rate=4.0,
    gc_latency=dist((0, 0.005), (0.5, 0.040), (0.95, 0.150), (1, 0.400)),
)

INCIDENT = Scenario(
    name="incident",
    description="every alert threshold broken: all six alert rules fire",
    request_rate=40.0,
    # P50 350 ms (>100), P95 3 s (>500 ms and >1 s), P99 6 s (>2 s); below the
    # largest finite bucket (10 s) so quantiles stay interpolated.
    http_latency=dist(
        (0, 0.050), (0.5, 0.350), (0.8, 0.900), (0.9, 1.8), (0.95, 3.0), (0.99, 6.0), (1, 9.0)
    ),
    client_error_share=0.04,
    # 12 % 5xx of 40 req/s: every route's 5xx series is far over 0.05/s.
    server_error_share=0.12,
    active_connections=400,
    cache_rate=60.0,
    cache_hit_ratio=0.30,
    db_rate=40.0,
    # DB P99 4 s per series (>2 s): SlowDatabaseQueries.
    db_latency=dist((0, 0.005), (0.5, 0.150), (0.9, 1.0), (0.97, 2.8), (0.99, 4.0), (1, 8.0)),
    db_error_share=0.08,
    social_rate=3.0,
    social_latency=dist((0, 0.300), (0.5, 2.0), (0.95, 6.0), (1, 9.5)),
    social_error_share=0.25,
    oauth_rate=0.8,
    oauth_failure_share=0.20,
    cpu_fraction=0.94,
    resident_memory_bytes=1.8 * GIB,  # >1.5 GB (either unit) and >1 GiB
    heap_fraction=0.80,
    eventloop_lag=LagProfile(mean=0.090, p50=0.080, p95=0.180, p99=0.300),
    gc_rate=6.0,
    gc_latency=dist((0, 0.020), (0.5, 0.150), (0.95, 0.600), (1, 1.5)),
)

SCENARIOS: dict[str, Scenario] = {s.name: s for s in (HEALTHY, DEGRADED, INCIDENT)}


def scenario_names() -> list[str]:
    return list(SCENARIOS)


def get_scenario(name: str) -> Scenario:
    """The scenario called ``name``; a ConfigError naming the valid ones otherwise."""
    try:
        return SCENARIOS[name]
    except KeyError:
        valid = ", ".join(SCENARIOS)
        raise ConfigError(f"unknown demo scenario {name!r}", f"use one of: {valid}") from None


def bucket_probabilities(
    distribution: Distribution, bounds: Sequence[float], scale: float = 1.0
) -> list[float]:
    """The share of observations in each bucket (non-cumulative, +Inf last).

    ``scale`` multiplies every latency (the backend's slow drift), which is the same
    as dividing the bucket bounds by it.
    """
    cumulative = [distribution.cdf(b / scale) for b in bounds] + [1.0]
    return [hi - lo for lo, hi in zip([0.0, *cumulative], cumulative, strict=False)]


def bucket_quantile(q: float, bounds: Sequence[float], counts: Sequence[float]) -> float:
    """Prometheus' histogram_quantile over non-cumulative ``counts`` (+Inf last).

    Used to check scenarios offline against the numbers Prometheus will compute:
    linear interpolation inside the bucket, the lowest bucket starting at 0, and the
    highest finite bound when the rank falls into +Inf.
    """
    total = sum(counts)
    if total <= 0:
        return math.nan
    rank = q * total
    seen = 0.0
    lower = 0.0
    for bound, count in zip([*bounds, math.inf], counts, strict=True):
        if seen + count >= rank and count > 0:
            if math.isinf(bound):
                return bounds[-1]
            return lower + (bound - lower) * (rank - seen) / count
        seen += count
        lower = bound
    return bounds[-1]
