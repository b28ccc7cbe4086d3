"""The demo backend and its scenarios, checked against the seed with a real Prometheus.

The target table is evaluated with the correct aggregate forms (``sum by (le)``
before ``histogram_quantile``, sums before dividing); the six alert rules are
evaluated exactly as the seed writes them (per series).
"""

from __future__ import annotations

import math
import operator
import os
import signal
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from allintop.demo.configs import load_rules
from allintop.demo.scenarios import (
    DB_BUCKETS,
    GIB,
    HTTP_BUCKETS,
    SCENARIOS,
    bucket_probabilities,
    bucket_quantile,
)
from tests.helpers import SEED_RULES, prom_api, prom_query, prom_scalar, wait_until

pytestmark = pytest.mark.stack

GB = 1e9

HTTP_LABELS = frozenset({"method", "route", "status_code"})
# The seed's "Available Metrics": name -> (kind, labels).
SEED_METRICS: dict[str, tuple[str, frozenset[str]]] = {
    "allin_http_request_duration_seconds": ("histogram", HTTP_LABELS),
    "allin_http_requests_total": ("counter", HTTP_LABELS),
    "allin_active_connections": ("gauge", frozenset()),
    "allin_cache_hits_total": ("counter", frozenset({"cache_type"})),
    "allin_cache_misses_total": ("counter", frozenset({"cache_type"})),
    "allin_db_query_duration_seconds": ("histogram", frozenset({"operation", "table"})),
    "allin_db_queries_total": ("counter", frozenset({"operation", "table", "status"})),
    "allin_oauth_operations_total": ("counter", frozenset({"platform", "operation", "status"})),
    "allin_social_api_calls_total": ("counter", frozenset({"platform", "endpoint", "status"})),
    "allin_social_api_duration_seconds": ("histogram", frozenset({"platform", "endpoint"})),
    "allin_process_cpu_seconds_total": ("counter", frozenset()),
    "allin_process_resident_memory_bytes": ("gauge", frozenset()),
    "allin_process_heap_bytes": ("gauge", frozenset()),
    "allin_nodejs_eventloop_lag_seconds": ("gauge", frozenset()),
    "allin_nodejs_eventloop_lag_p50_seconds": ("gauge", frozenset()),
    "allin_nodejs_eventloop_lag_p95_seconds": ("gauge", frozenset()),
    "allin_nodejs_eventloop_lag_p99_seconds": ("gauge", frozenset()),
    "allin_nodejs_gc_duration_seconds": ("histogram", frozenset({"kind"})),
}  # fmt: skip


def _quantile(q: float) -> str:
    return (
        f"histogram_quantile({q}, sum by (le) "
        "(rate(allin_http_request_duration_seconds_bucket[5m]))) * 1000"
    )


@dataclass(frozen=True)
class Row:
    """A row of the seed's "Performance Targets" table, as PromQL and bands."""

    name: str
    expr: str
    target: Callable[[float], bool]  # met: the healthy side
    alert: Callable[[float], bool]  # broken: the alert side


def below(limit: float) -> Callable[[float], bool]:
    return lambda v: operator.lt(v, limit)


def above(limit: float) -> Callable[[float], bool]:
    return lambda v: operator.gt(v, limit)


# Memory bands use the strict reading of each unit: "<1GB" as <1e9 bytes, ">1.5GB" as
# >1.5 GiB, so every scenario is on its side under either reading.
TARGET_TABLE: tuple[Row, ...] = (
    Row("P50 ms", _quantile(0.5), below(50), above(100)),
    Row("P95 ms", _quantile(0.95), below(200), above(500)),
    Row("P99 ms", _quantile(0.99), below(1000), above(2000)),
    Row(
        "success %",
        'sum(rate(allin_http_requests_total{status_code=~"2.."}[5m]))'
        " / sum(rate(allin_http_requests_total[5m])) * 100",
        above(99),
        below(95),
    ),
    Row(
        "cache hit %",
        "sum(rate(allin_cache_hits_total[5m])) / (sum(rate(allin_cache_hits_total[5m]))"
        " + sum(rate(allin_cache_misses_total[5m]))) * 100",
        above(90),
        below(50),
    ),
    Row("CPU %", "rate(allin_process_cpu_seconds_total[5m]) * 100", below(70), above(85)),
    Row("memory B", "allin_process_resident_memory_bytes", below(GB), above(1.5 * GIB)),
    Row("lag ms", "allin_nodejs_eventloop_lag_p95_seconds * 1000", below(50), above(100)),
)

RULES: dict[str, str] = {r["alert"]: r["expr"] for r in load_rules()["groups"][0]["rules"]}


def read_table(prometheus_url: str) -> dict[str, float]:
    values = {row.name: prom_scalar(prometheus_url, row.expr) for row in TARGET_TABLE}
    missing = [name for name, v in values.items() if v is None or math.isnan(v)]
    assert not missing, f"no data yet for {missing}"
    return values  # type: ignore[return-value]


def rows_failing(values: dict[str, float], check: Callable[[Row, float], bool]) -> dict[str, float]:
    return {row.name: values[row.name] for row in TARGET_TABLE if not check(row, values[row.name])}


# -- the backend alone --------------------------------------------------------------------


@pytest.fixture
def backend(tmp_path: Path) -> Iterator[str]:
    """A demo backend process on its own (no Prometheus); yields its base URL."""
    ready = tmp_path / "port"
    command = [sys.executable, "-m", "allintop.demo.backend", "--port", "0"]
    process = subprocess.Popen([*command, "--ready-file", str(ready)])
    try:
        wait_until(ready.exists, timeout=10, what="the backend to listen")
        yield f"http://127.0.0.1:{ready.read_text().strip()}"
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_metrics_expose_every_seed_metric_with_its_labels(backend: str) -> None:
    text = httpx.get(f"{backend}/metrics").text
    samples = {
        sample.name: frozenset(sample.labels)
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }
    for name, (kind, labels) in SEED_METRICS.items():
        if kind == "histogram":
            assert samples.get(f"{name}_bucket") == labels | {"le"}, name
            assert samples.get(f"{name}_sum") == labels, name
            assert samples.get(f"{name}_count") == labels, name
        else:
            assert samples.get(name) == labels, name
    assert not [n for n in samples if n.endswith("_created")], "created series are disabled"
    assert all(n.startswith("allin_") for n in samples)


def test_health_endpoint(backend: str) -> None:
    response = httpx.get(f"{backend}/health")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "scenario": "healthy"}


def test_scenario_switches_while_running(backend: str) -> None:
    def scenario() -> str:
        return httpx.get(f"{backend}/scenario").json()["scenario"]

    def memory() -> float:
        text = httpx.get(f"{backend}/metrics").text
        return next(
            s.value
            for f in text_string_to_metric_families(text)
            for s in f.samples
            if s.name == "allin_process_resident_memory_bytes"
        )

    assert scenario() == "healthy"
    assert memory() < GB
    assert httpx.post(f"{backend}/scenario", data={"name": "incident"}).status_code == 200
    assert scenario() == "incident"
    wait_until(lambda: memory() > 1.5 * GIB, timeout=5, what="incident memory")
    # The other accepted spellings of the request: query, JSON, plain text.
    assert httpx.post(f"{backend}/scenario?name=degraded").json() == {"scenario": "degraded"}
    assert httpx.post(f"{backend}/scenario", json={"name": "healthy"}).status_code == 200
    assert httpx.post(f"{backend}/scenario", content=b"incident").status_code == 200
    assert scenario() == "incident"

    bad = httpx.post(f"{backend}/scenario", data={"name": "meltdown"})
    assert bad.status_code == 400
    assert "healthy, degraded, incident" in bad.json()["hint"]
    assert scenario() == "incident"
    assert httpx.post(f"{backend}/scenario").status_code == 400


def test_backend_exits_on_sigterm(tmp_path: Path) -> None:
    ready = tmp_path / "port"
    process = subprocess.Popen(
        [sys.executable, "-m", "allintop.demo.backend", "--port", "0", "--ready-file", str(ready)]
    )
    try:
        wait_until(ready.exists, timeout=10)
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=5) == 0
    finally:
        process.kill()
        process.wait()


# Starts a backend without any die-with-parent help, waits until it listens, prints its
# pid, then waits to be killed: the backend must notice on its own that its parent died.
ORPHANING_PARENT = """
import pathlib, subprocess, sys, time
ready = pathlib.Path(sys.argv[1])
args = ["--port", "0", "--ready-file", str(ready)]
child = subprocess.Popen(
    [sys.executable, "-m", "allintop.demo.backend", *args], stdout=subprocess.DEVNULL
)
while not ready.exists():
    time.sleep(0.05)
print(child.pid, flush=True)
time.sleep(60)
"""


def test_backend_exits_when_its_parent_dies(tmp_path: Path) -> None:
    parent = subprocess.Popen(
        [sys.executable, "-c", ORPHANING_PARENT, str(tmp_path / "port")],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert parent.stdout is not None
    pid = int(parent.stdout.readline())
    parent.kill()
    parent.wait()
    try:
        wait_until(lambda: not _running(pid), timeout=5, what=f"backend {pid} to exit")
    finally:
        if _running(pid):
            os.kill(pid, signal.SIGKILL)


def _running(pid: int) -> bool:
    """True while ``pid`` exists and is not a zombie (an orphan's zombie may linger
    when PID 1 does not reap)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


# -- scenarios offline: what Prometheus will compute from the buckets ------------------


@pytest.mark.parametrize("scale", [0.9, 1.0, 1.1])  # the backend's latency drift bounds
def test_scenario_quantiles_sit_in_their_bands(scale: float) -> None:
    bands = {
        "healthy": [(0, 50), (0, 200), (0, 1000)],
        "degraded": [(50, 100), (200, 500), (1000, 2000)],
        # P95 beyond SlowResponseTime's 1 s, not only the table's 500 ms.
        "incident": [(100, math.inf), (1000, math.inf), (2000, math.inf)],
    }
    for name, scenario in SCENARIOS.items():
        probs = bucket_probabilities(scenario.http_latency, HTTP_BUCKETS, scale)
        for q, (low, high) in zip((0.5, 0.95, 0.99), bands[name], strict=True):
            ms = bucket_quantile(q, HTTP_BUCKETS, probs) * 1000
            assert low * 1.1 < ms < high * 0.9, (name, q, ms)  # a 10 % margin
        db_p99 = bucket_quantile(
            0.99, DB_BUCKETS, bucket_probabilities(scenario.db_latency, DB_BUCKETS, scale)
        )
        assert (db_p99 > 2.5) == (name == "incident"), (name, db_p99)


# -- scenarios through a real Prometheus -------------------------------------------------


def test_healthy_meets_every_target_and_no_rule_is_true(stack) -> None:
    values = wait_until(lambda: read_table(stack.prometheus_url), timeout=15)
    assert rows_failing(values, lambda row, v: row.target(v)) == {}, values
    for alert, expr in RULES.items():
        assert prom_query(stack.prometheus_url, expr) == [], f"{alert} is true under healthy"
    assert prom_api(stack.prometheus_url, "alerts")["alerts"] == []


def test_degraded_sits_between_target_and_alert(make_stack) -> None:
    degraded = make_stack("degraded", with_rules=False)
    values = wait_until(lambda: read_table(degraded.prometheus_url), timeout=15)
    between = rows_failing(values, lambda row, v: not row.target(v) and not row.alert(v))
    assert between == {}, values


def test_incident_breaks_every_threshold_and_fires_all_six_rules(make_stack) -> None:
    incident = make_stack("incident", rule_for="2s", rule_interval="1s")
    values = wait_until(lambda: read_table(incident.prometheus_url), timeout=15)
    assert rows_failing(values, lambda row, v: row.alert(v)) == {}, values
    # The seed's rules, per series as written: each has at least one series true.
    for alert, expr in RULES.items():
        assert prom_query(incident.prometheus_url, expr), f"{alert} is not true under incident"

    def firing() -> set[str]:
        alerts = prom_api(incident.prometheus_url, "alerts")["alerts"]
        return {a["labels"]["alertname"] for a in alerts if a["state"] == "firing"}

    assert wait_until(lambda: firing() >= set(RULES), timeout=15, what="six rules firing")
    assert set(RULES) == SEED_RULES


# The seed's alert rules (MONITORING-SETUP.md, "Recommended Alerts"), as the spec the
# shipped alerts.yml is checked against: name -> (expr, for, severity).
SEED_RULE_SPEC = {
    "HighErrorRate": (
        'rate(allin_http_requests_total{status_code=~"5.."}[5m]) > 0.05',
        "2m",
        "critical",
    ),
    "SlowResponseTime": (
        "histogram_quantile(0.95, rate(allin_http_request_duration_seconds_bucket[5m])) > 1",
        "5m",
        "warning",
    ),
    "HighMemoryUsage": ("allin_process_resident_memory_bytes > 1073741824", "5m", "warning"),
    "HighEventLoopLag": ("allin_nodejs_eventloop_lag_p95_seconds > 0.1", "2m", "warning"),
    "LowCacheHitRate": (
        "rate(allin_cache_hits_total[5m]) / (rate(allin_cache_hits_total[5m])"
        " + rate(allin_cache_misses_total[5m])) < 0.5",
        "10m",
        "info",
    ),
    "SlowDatabaseQueries": (
        "histogram_quantile(0.99, rate(allin_db_query_duration_seconds_bucket[5m])) > 2",
        "5m",
        "warning",
    ),
}


def test_rules_file_is_the_seeds_verbatim() -> None:
    (group,) = load_rules()["groups"]
    assert (group["name"], group["interval"]) == ("allin-platform-alerts", "30s")
    shipped = {r["alert"]: (r["expr"], r["for"], r["labels"]["severity"]) for r in group["rules"]}
    assert shipped == SEED_RULE_SPEC
    assert set(shipped) == SEED_RULES
    assert all(
        r["annotations"]["summary"] and r["annotations"]["description"] for r in group["rules"]
    )
