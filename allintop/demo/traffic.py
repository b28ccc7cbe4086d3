"""Synthetic AllIN traffic: the seed's ``allin_*`` metrics, driven by a scenario.

Nothing here loops per simulated request. Each tick turns "this many requests of this
kind, with this latency distribution" into integer bucket increments: the expected
count of every bucket is added to a running remainder and its integer part is taken
(:class:`Spreader`). The cost of a tick depends on the number of series, not on the
request rate, and over any window the histograms follow the scenario's distribution
closely, so per-series quantiles and rates are as stable as the aggregated ones.

Movement comes from slow, bounded random walks (:class:`Wander`) on the rate, the
latency scale and the gauges: values move, but stay on their scenario's side of every
threshold.
"""

from __future__ import annotations

import random
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field

from prometheus_client import Counter

from allintop.demo.metrics import BatchedHistogram, build_metrics
from allintop.demo.native import BOUNDS as NATIVE_BOUNDS
from allintop.demo.scenarios import (
    DB_BUCKETS,
    GC_BUCKETS,
    HTTP_BUCKETS,
    SOCIAL_BUCKETS,
    Distribution,
    Scenario,
    bucket_probabilities,
)


@dataclass(frozen=True)
class Route:
    method: str
    path: str
    weight: float  # share of all requests
    ok_code: str
    client_error_code: str
    server_error_code: str


# Weights sum to 1. The busiest route carries 30 %: in `degraded` its 5xx series stays
# under HighErrorRate's 0.05/s (see scenarios.DEGRADED).
ROUTES: tuple[Route, ...] = (
    Route("GET", "/health", 0.15, "200", "429", "503"),
    Route("GET", "/api/posts", 0.30, "200", "404", "500"),
    Route("POST", "/api/posts", 0.10, "201", "400", "500"),
    Route("POST", "/api/auth/login", 0.10, "200", "401", "500"),
    Route("GET", "/api/users/me", 0.15, "200", "401", "500"),
    Route("POST", "/api/social/publish", 0.12, "201", "429", "502"),
    Route("GET", "/api/analytics/overview", 0.08, "200", "403", "504"),
)
CACHE_TYPES: dict[str, float] = {"redis": 0.6, "memory": 0.3, "session": 0.1}
DB_OPERATIONS: dict[str, float] = {"select": 0.6, "insert": 0.15, "update": 0.2, "delete": 0.05}
DB_TABLES: dict[str, float] = {"users": 0.3, "posts": 0.4, "social_accounts": 0.2, "sessions": 0.1}
PLATFORMS: dict[str, float] = {"twitter": 0.4, "linkedin": 0.3, "facebook": 0.2, "instagram": 0.1}
SOCIAL_ENDPOINTS: dict[str, float] = {"publish": 0.4, "profile": 0.3, "analytics": 0.3}
OAUTH_OPERATIONS: dict[str, float] = {"authorize": 0.3, "callback": 0.3, "refresh": 0.4}
# GC kind -> (share of runs, duration relative to a major collection).
GC_KINDS: dict[str, tuple[float, float]] = {
    "minor": (0.70, 0.2),
    "incremental": (0.15, 0.4),
    "weakcb": (0.05, 0.1),
    "major": (0.10, 1.0),
}


class Spreader:
    """Turns fractional expected counts into integer increments without losing any.

    Each key keeps the remainder of what it was owed; it starts at a random value so
    that sparse series don't all tick over on the same tick.
    """

    def __init__(self, rng: random.Random) -> None:
        self._rng = rng
        self._carry: dict[object, float] = {}

    def take(self, key: object, expected: float) -> int:
        owed = self._carry.get(key)
        if owed is None:
            owed = self._rng.random()
        owed += expected
        whole = int(owed)
        self._carry[key] = owed - whole
        return whole


@dataclass
class Wander:
    """A bounded, mean-reverting random walk around 1.0 (a multiplier)."""

    spread: float  # the walk stays within 1 +- spread
    rng: random.Random
    value: float = 1.0

    def step(self) -> float:
        # At ~10 steps/s: a ~10 s time constant and a stationary spread of about a
        # third of the bound, so the bound is reached now and then but not held.
        pull = (1.0 - self.value) * 0.01
        noise = self.rng.gauss(0.0, self.spread * 0.04)
        low, high = 1.0 - self.spread, 1.0 + self.spread
        self.value = min(high, max(low, self.value + pull + noise))
        return self.value


@dataclass
class _Drift:
    """The slow random walks shared by all series of a tick."""

    rng: random.Random
    rate: Wander = field(init=False)
    latency: Wander = field(init=False)
    cache: Wander = field(init=False)
    cpu: Wander = field(init=False)
    memory: Wander = field(init=False)
    lag: Wander = field(init=False)
    connections: Wander = field(init=False)

    def __post_init__(self) -> None:
        # Spreads are what the scenarios' margins were checked against
        # (scenarios.bucket_probabilities with scale 0.9 and 1.1).
        self.rate = Wander(0.2, self.rng)
        self.latency = Wander(0.1, self.rng)
        self.cache = Wander(0.02, self.rng)
        self.cpu = Wander(0.03, self.rng)
        self.memory = Wander(0.03, self.rng)
        self.lag = Wander(0.1, self.rng)
        self.connections = Wander(0.15, self.rng)

    def step(self) -> None:
        for walk in (
            self.rate,
            self.latency,
            self.cache,
            self.cpu,
            self.memory,
            self.lag,
            self.connections,
        ):
            walk.step()


class Traffic:
    """Drives :class:`Metrics` from the current scenario, one tick at a time.

    ``lock`` is held during a tick; hold it while exposing the metrics so that a scrape
    never sees a histogram's count ahead of its request counter.
    """

    def __init__(self, scenario: Scenario, seed: int | None = None) -> None:
        self.metrics = build_metrics()
        self.scenario = scenario  # swapped whole by the HTTP handler: no lock needed
        self.lock = threading.Lock()
        self._rng = random.Random(seed)
        self._spreader = Spreader(self._rng)
        self._drift = _Drift(self._rng)
        self._touch_all_series()

    def tick(self, dt: float, drift_steps: int = 1) -> None:
        """Advances the traffic by ``dt`` seconds.

        The random walks take ``drift_steps`` steps: 1 per live tick (~10/s); a
        history generated in large ticks passes more, so it moves like live data.
        """
        scenario = self.scenario
        with self.lock:
            for _ in range(drift_steps):
                self._drift.step()
            self._http(scenario, dt)
            self._cache(scenario, dt)
            self._db(scenario, dt)
            self._social(scenario, dt)
            self._oauth(scenario, dt)
            self._process(scenario, dt)

    # -- per metric group -----------------------------------------------------------

    def _http(self, s: Scenario, dt: float) -> None:
        probs = self._probs(s.http_latency, HTTP_BUCKETS)
        native = self._probs(s.http_latency, NATIVE_BOUNDS)
        mean = s.http_latency.mean * self._drift.latency.value
        classes = (
            (s.success_share, "ok_code"),
            (s.client_error_share, "client_error_code"),
            (s.server_error_share, "server_error_code"),
        )
        for route in ROUTES:
            requests = s.request_rate * self._drift.rate.value * route.weight * dt
            self._observe_native((route.method, route.path), native, requests, mean)
            for share, code_field in classes:
                if share <= 0:
                    continue
                labels = (route.method, route.path, getattr(route, code_field))
                n = self._observe(self.metrics.http_duration, labels, probs, requests * share, mean)
                if n:
                    self.metrics.http_requests.labels(*labels).inc(n)

    def _cache(self, s: Scenario, dt: float) -> None:
        hit_ratio = min(1.0, s.cache_hit_ratio * self._drift.cache.value)
        for cache_type, weight in CACHE_TYPES.items():
            lookups = s.cache_rate * self._drift.rate.value * weight * dt
            hits = self._spreader.take(("hit", cache_type), lookups * hit_ratio)
            misses = self._spreader.take(("miss", cache_type), lookups * (1 - hit_ratio))
            if hits:
                self.metrics.cache_hits.labels(cache_type).inc(hits)
            if misses:
                self.metrics.cache_misses.labels(cache_type).inc(misses)

    def _db(self, s: Scenario, dt: float) -> None:
        probs = self._probs(s.db_latency, DB_BUCKETS)
        mean = s.db_latency.mean * self._drift.latency.value
        for op, op_weight in DB_OPERATIONS.items():
            for table, table_weight in DB_TABLES.items():
                queries = s.db_rate * self._drift.rate.value * op_weight * table_weight * dt
                n = self._observe(self.metrics.db_duration, (op, table), probs, queries, mean)
                self._split(self.metrics.db_queries, (op, table), n, s.db_error_share)

    def _social(self, s: Scenario, dt: float) -> None:
        probs = self._probs(s.social_latency, SOCIAL_BUCKETS)
        mean = s.social_latency.mean * self._drift.latency.value
        for platform, p_weight in PLATFORMS.items():
            for endpoint, e_weight in SOCIAL_ENDPOINTS.items():
                calls = s.social_rate * p_weight * e_weight * dt
                labels = (platform, endpoint)
                n = self._observe(self.metrics.social_duration, labels, probs, calls, mean)
                self._split(self.metrics.social_calls, labels, n, s.social_error_share)

    def _oauth(self, s: Scenario, dt: float) -> None:
        for platform, p_weight in PLATFORMS.items():
            for operation, o_weight in OAUTH_OPERATIONS.items():
                n = self._spreader.take(
                    ("oauth", platform, operation), s.oauth_rate * p_weight * o_weight * dt
                )
                self._split(
                    self.metrics.oauth_operations, (platform, operation), n, s.oauth_failure_share
                )

    def _process(self, s: Scenario, dt: float) -> None:
        m, drift = self.metrics, self._drift
        m.cpu_seconds.inc(s.cpu_fraction * drift.cpu.value * dt)
        memory = s.resident_memory_bytes * drift.memory.value
        m.resident_memory.set(round(memory))
        m.heap.set(round(memory * s.heap_fraction))
        m.active_connections.set(round(s.active_connections * drift.connections.value))
        lag = s.eventloop_lag
        m.lag.set(lag.mean * drift.lag.value)
        m.lag_p50.set(lag.p50 * drift.lag.value)
        m.lag_p95.set(lag.p95 * drift.lag.value)
        m.lag_p99.set(lag.p99 * drift.lag.value)
        for kind, (share, relative) in GC_KINDS.items():
            probs = bucket_probabilities(s.gc_latency, GC_BUCKETS, relative * drift.latency.value)
            mean = s.gc_latency.mean * relative * drift.latency.value
            self._observe(m.gc_duration, (kind,), probs, s.gc_rate * share * dt, mean)

    # -- helpers ----------------------------------------------------------------------

    def _probs(self, distribution: Distribution, bounds: Sequence[float]) -> list[float]:
        return bucket_probabilities(distribution, bounds, self._drift.latency.value)

    def _observe(
        self,
        histogram: BatchedHistogram,
        labels: tuple[str, ...],
        probs: Sequence[float],
        expected: float,
        mean: float,
    ) -> int:
        """Adds ``expected`` observations spread over the buckets; returns how many."""
        counts = [
            self._spreader.take((histogram.name, labels, i), expected * p)
            for i, p in enumerate(probs)
        ]
        n = sum(counts)
        if n:
            histogram.add(labels, counts, n * mean)
        return n

    def _observe_native(
        self, labels: tuple[str, ...], probs: Sequence[float], expected: float, mean: float
    ) -> None:
        """The same latencies into the native histogram's exponential buckets."""
        histogram = self.metrics.http_native
        take = self._spreader.take
        counts = [take((histogram.name, labels, i), expected * p) for i, p in enumerate(probs)]
        n = sum(counts)
        if n:
            histogram.add(labels, counts, n * mean)

    def _split(self, counter: Counter, labels: tuple[str, ...], n: int, error_share: float) -> None:
        """Counts ``n`` events as success or error (``status`` is the last label)."""
        if not n:
            return
        errors = self._spreader.take((counter, labels, "error"), n * error_share)
        errors = min(errors, n)
        if n - errors:
            counter.labels(*labels, "success").inc(n - errors)
        if errors:
            counter.labels(*labels, "error").inc(errors)

    def _touch_all_series(self) -> None:
        """Expose every series from the first scrape (at zero), as a real app would
        once it has served each route: queries then return 0, not "no data"."""
        m = self.metrics
        for route in ROUTES:
            for code in (route.ok_code, route.client_error_code, route.server_error_code):
                labels = (route.method, route.path, code)
                m.http_duration.touch(labels)
                m.http_requests.labels(*labels)
            m.http_native.touch((route.method, route.path))
        for cache_type in CACHE_TYPES:
            m.cache_hits.labels(cache_type)
            m.cache_misses.labels(cache_type)
        for op in DB_OPERATIONS:
            for table in DB_TABLES:
                m.db_duration.touch((op, table))
                for status in ("success", "error"):
                    m.db_queries.labels(op, table, status)
        for platform in PLATFORMS:
            for endpoint in SOCIAL_ENDPOINTS:
                m.social_duration.touch((platform, endpoint))
                for status in ("success", "error"):
                    m.social_calls.labels(platform, endpoint, status)
            for operation in OAUTH_OPERATIONS:
                for status in ("success", "error"):
                    m.oauth_operations.labels(platform, operation, status)
        for kind in GC_KINDS:
            m.gc_duration.touch((kind,))
