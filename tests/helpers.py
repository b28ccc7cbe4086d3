"""Small helpers shared by the tests: waiting on conditions, querying Prometheus."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, TypeVar

import httpx

T = TypeVar("T")

ROOT = Path(__file__).resolve().parents[1]


def run_allintop(
    *args: str, env: Mapping[str, str] | None = None, cwd: Path = ROOT, timeout: float = 60.0
) -> subprocess.CompletedProcess[str]:
    """`python -m allintop ARGS` as a user runs it, its output captured.

    With `env`, the process sees only PATH, HOME and `env`: no credentials or URLs
    from the environment the tests run in.
    """
    environ = None if env is None else {"PATH": "/usr/bin:/bin", "HOME": str(ROOT), **env}
    return subprocess.run(
        [sys.executable, "-m", "allintop", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd=cwd,
        env=environ,
    )


# The seed's six alert rules (MONITORING-SETUP.md), by name: the spec the shipped
# alerts.yml and every alert test are checked against.
SEED_RULES = frozenset(
    {
        "HighErrorRate",
        "SlowResponseTime",
        "HighMemoryUsage",
        "HighEventLoopLag",
        "LowCacheHitRate",
        "SlowDatabaseQueries",
    }
)


def wait_until(
    predicate: Callable[[], T],
    timeout: float = 10.0,
    interval: float = 0.2,
    what: str | None = None,
) -> T:
    """Calls ``predicate`` until it returns something truthy, and returns that.

    An exception from the predicate (a connection refused while a server starts, an
    assert) counts as "not yet". After ``timeout`` seconds: AssertionError naming
    ``what`` and the last falsy value or exception, so a failure says what was seen.
    """
    deadline = time.monotonic() + timeout
    last: object = None
    while True:
        try:
            result = predicate()
        except Exception as exc:  # any failure means "not yet"
            last = exc
        else:
            if result:
                return result
            last = result
        if time.monotonic() >= deadline:
            name = what or getattr(predicate, "__name__", repr(predicate))
            raise AssertionError(f"timed out after {timeout}s waiting for {name}; last: {last!r}")
        time.sleep(interval)


def prom_query(prometheus_url: str, expr: str, at: float | None = None) -> list[dict[str, Any]]:
    """The result of an instant query (plain httpx, independent of allintop's client),
    now or at the Unix time `at`."""
    params = {"query": expr} | ({} if at is None else {"time": str(at)})
    response = httpx.get(f"{prometheus_url}/api/v1/query", params=params, timeout=5.0)
    response.raise_for_status()
    body = response.json()
    assert body["status"] == "success", body
    return body["data"]["result"]


def prom_scalar(prometheus_url: str, expr: str) -> float | None:
    """The value of a query expected to return at most one series (None if none)."""
    result = prom_query(prometheus_url, expr)
    assert len(result) <= 1, f"{expr} returned {len(result)} series"
    return float(result[0]["value"][1]) if result else None


def prom_api(prometheus_url: str, path: str) -> Any:
    """The ``data`` of a GET on the Prometheus HTTP API, e.g. ``alerts`` or ``rules``."""
    response = httpx.get(f"{prometheus_url}/api/v1/{path}", timeout=5.0)
    response.raise_for_status()
    return response.json()["data"]
