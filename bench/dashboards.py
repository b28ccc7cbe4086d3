"""The dashboards the bench runs: the bundled default, 200 generated panels, one
panel of 5,000 series, and Node Exporter Full (a real Grafana dashboard file).

The generated panels are variations of the seed's queries (the same metrics, with
other label matchers, windows, quantiles and *_over_time functions), so that they are
200 distinct queries of the kinds a real dashboard has, not one query 200 times. Each
candidate is checked against the running Prometheus and kept only if it returns data,
so that every card can show a number (the first-paint check waits for that).
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from allintop.dashboard import templating
from allintop.dashboard.loading import bundled_default_path, load_dashboard
from allintop.promql.interpolate import interpolate
from bench.exporter import JOB, METRIC
from tests import corpus

J = 'job=~"$job"'
# Node Exporter Full (grafana.com 1860), newest, of the public Grafana corpus the tests
# read (outside the repository: tests/corpus.py), run as it is against Debian's
# node-exporter; its variables, each set to this label of node_uname_info.
NODE_FULL = "node-exporter-full-latest.json"
NODE_VARIABLES = {"job": "job", "nodename": "nodename", "node": "instance"}
ROUTES = {
    "health": "/health",
    "posts": "/api/posts",
    "login": "/api/auth/login",
    "me": "/api/users/me",
    "publish": "/api/social/publish",
    "analytics": "/api/analytics/overview",
}
QUANTILES = {"p50": 0.5, "p75": 0.75, "p90": 0.9, "p95": 0.95, "p99": 0.99}
DB_OPERATIONS = ("select", "insert", "update", "delete")
DB_TABLES = ("users", "posts", "social_accounts", "sessions")
CACHES = ("redis", "memory", "session")
PLATFORMS = ("twitter", "linkedin", "facebook", "instagram")
OAUTH_OPERATIONS = ("authorize", "callback", "refresh")
SOCIAL_ENDPOINTS = ("publish", "profile", "analytics")
GAUGES = {
    "conns": "allin_active_connections",
    "rss": "allin_process_resident_memory_bytes",
    "heap": "allin_process_heap_bytes",
    "lag50": "allin_nodejs_eventloop_lag_p50_seconds",
    "lag95": "allin_nodejs_eventloop_lag_p95_seconds",
    "lag99": "allin_nodejs_eventloop_lag_p99_seconds",
    "lag": "allin_nodejs_eventloop_lag_seconds",
}
OVER_TIME = {
    "avg": "avg_over_time({m}[{w}])",
    "max": "max_over_time({m}[{w}])",
    "min": "min_over_time({m}[{w}])",
    "q90": "quantile_over_time(0.9, {m}[{w}])",
}

PANELS_PER_ROW = 10
TITLE_WIDTH = 16  # cards are >= 20 columns: bar, padding and 18 characters


@dataclass(frozen=True)
class Candidate:
    title: str
    expr: str


def _quantile(q: float, metric: str, matchers: str, window: str = "5m") -> str:
    return (
        f"histogram_quantile({q}, sum by (le) (rate({metric}{{{J}, {matchers}}}[{window}]))) * 1000"
    )


def _families() -> list[Iterator[Candidate]]:
    """Candidate panels by family; the dashboard takes them round-robin."""

    def requests() -> Iterator[Candidate]:
        for (short, route), window in itertools.product(ROUTES.items(), ("1m", "2m", "5m")):
            yield Candidate(
                f"rps {short} {window}",
                f'sum(rate(allin_http_requests_total{{{J}, route="{route}"}}[{window}]))',
            )

    def status_classes() -> Iterator[Candidate]:
        for (short, route), cls in itertools.product(ROUTES.items(), ("2", "4", "5")):
            yield Candidate(
                f"{cls}xx {short}",
                f'sum(rate(allin_http_requests_total{{{J}, route="{route}", '
                f'status_code=~"{cls}.."}}[5m]))',
            )

    def route_latency() -> Iterator[Candidate]:
        for (name, q), (short, route) in itertools.product(QUANTILES.items(), ROUTES.items()):
            yield Candidate(
                f"{name} {short}",
                _quantile(q, "allin_http_request_duration_seconds_bucket", f'route="{route}"'),
            )
        for (name, q), method in itertools.product(QUANTILES.items(), ("GET", "POST")):
            yield Candidate(
                f"{name} {method}",
                _quantile(q, "allin_http_request_duration_seconds_bucket", f'method="{method}"'),
            )

    def db() -> Iterator[Candidate]:
        for name, q in QUANTILES.items():
            for op in DB_OPERATIONS:
                yield Candidate(
                    f"db {name} {op}",
                    _quantile(q, "allin_db_query_duration_seconds_bucket", f'operation="{op}"'),
                )
            for table in DB_TABLES:
                yield Candidate(
                    f"db {name} {table}",
                    _quantile(q, "allin_db_query_duration_seconds_bucket", f'table="{table}"'),
                )
        for op, table in itertools.product(DB_OPERATIONS, DB_TABLES):
            yield Candidate(
                f"qps {op[:3]} {table}",
                f'sum(rate(allin_db_queries_total{{{J}, operation="{op}", table="{table}"}}[1m]))',
            )
        for table in DB_TABLES:
            yield Candidate(
                f"db err% {table}",
                f'sum(rate(allin_db_queries_total{{{J}, table="{table}", status="error"}}[5m]))'
                f' / sum(rate(allin_db_queries_total{{{J}, table="{table}"}}[5m])) * 100',
            )

    def app() -> Iterator[Candidate]:
        for cache, window in itertools.product(CACHES, ("1m", "5m")):
            m = f'{{{J}, cache_type="{cache}"}}[{window}]'
            yield Candidate(
                f"hit% {cache} {window}",
                f"sum(rate(allin_cache_hits_total{m})) / (sum(rate(allin_cache_hits_total{m}))"
                f" + sum(rate(allin_cache_misses_total{m}))) * 100",
            )
        for platform, op in itertools.product(PLATFORMS, OAUTH_OPERATIONS):
            m = f'{J}, platform="{platform}", operation="{op}"'
            yield Candidate(
                f"oauth {platform[:4]} {op[:4]}",
                f'sum(rate(allin_oauth_operations_total{{{m}, status="success"}}[5m]))'
                f" / sum(rate(allin_oauth_operations_total{{{m}}}[5m])) * 100",
            )
        for platform, endpoint in itertools.product(PLATFORMS, SOCIAL_ENDPOINTS):
            yield Candidate(
                f"api {platform[:4]} {endpoint[:4]}",
                f'sum(rate(allin_social_api_calls_total{{{J}, platform="{platform}", '
                f'endpoint="{endpoint}"}}[5m]))',
            )
        for platform, name in itertools.product(PLATFORMS, ("p50", "p95", "p99")):
            yield Candidate(
                f"api {name} {platform[:4]}",
                _quantile(
                    QUANTILES[name],
                    "allin_social_api_duration_seconds_bucket",
                    f'platform="{platform}"',
                ),
            )

    def gauges() -> Iterator[Candidate]:
        for window, (fname, template), (gname, metric) in itertools.product(
            ("1m", "5m"), OVER_TIME.items(), GAUGES.items()
        ):
            inner = template.format(m=f"{metric}{{{J}}}", w=window)
            yield Candidate(f"{gname} {fname} {window}", f"max({inner})")
        for window in ("1m", "2m", "5m", "10m"):
            yield Candidate(
                f"cpu% {window}",
                f"max(rate(allin_process_cpu_seconds_total{{{J}}}[{window}])) * 100",
            )

    def multi_series() -> Iterator[Candidate]:
        for by in ("route", "status_code", "method"):
            yield Candidate(
                f"rps by {by}",
                f"sum by ({by}) (rate(allin_http_requests_total{{{J}}}[5m]))",
            )
        for by in ("operation", "table"):
            yield Candidate(
                f"db p95 by {by[:5]}",
                "histogram_quantile(0.95, sum by (le, "
                f"{by}) (rate(allin_db_query_duration_seconds_bucket{{{J}}}[5m]))) * 1000",
            )
        yield Candidate(
            "gc p99 by kind",
            "histogram_quantile(0.99, sum by (le, kind) "
            f"(rate(allin_nodejs_gc_duration_seconds_bucket{{{J}}}[5m]))) * 1000",
        )
        for k in (3, 5):
            yield Candidate(
                f"top{k} routes",
                f"topk({k}, sum by (route) (rate(allin_http_requests_total{{{J}}}[5m])))",
            )
        for by in ("platform", "endpoint"):
            yield Candidate(
                f"api by {by[:8]}",
                f"sum by ({by}) (rate(allin_social_api_calls_total{{{J}}}[5m]))",
            )

    return [
        requests(),
        route_latency(),
        db(),
        app(),
        gauges(),
        status_classes(),
        multi_series(),
    ]


def candidates() -> Iterator[Candidate]:
    """Every candidate once, round-robin across the families, so every screenful has a
    mix of cheap gauges and expensive histogram quantiles."""
    seen: set[str] = set()
    for group in itertools.zip_longest(*_families()):
        for candidate in group:
            if candidate is not None and candidate.expr not in seen:
                seen.add(candidate.expr)
                yield candidate


def write_dashboard(path: Path, title: str, panels: Iterable[Candidate]) -> Path:
    panels = list(panels)
    rows = []
    for start in range(0, len(panels), PANELS_PER_ROW):
        chunk = panels[start : start + PANELS_PER_ROW]
        rows.append(
            {
                "title": f"{title} {start // PANELS_PER_ROW + 1}",
                "panels": [{"title": p.title, "expr": p.expr} for p in chunk],
            }
        )
    document = {
        "title": title,
        "refresh": "5s",
        "range": "15m",
        "variables": {
            "job": {"query": "label_values(allin_http_requests_total, job)", "default": "all"}
        },
        "rows": rows,
    }
    path.write_text(yaml.safe_dump(document, sort_keys=False, width=1000))
    load_dashboard(path)  # the dashboard must be valid: fail here, not in the terminal
    return path


def generated(
    path: Path, count: int, has_data: Callable[[str], bool]
) -> tuple[Path, dict[str, int]]:
    """A dashboard of `count` distinct panels that all return data now.

    `has_data(expr)` runs the (interpolated) expression against Prometheus.
    """
    chosen: list[Candidate] = []
    tried = 0
    for candidate in candidates():
        if len(chosen) == count:
            break
        tried += 1
        if has_data(interpolate(candidate.expr, {"job": "all"})):
            number = f"{len(chosen) + 1:03d}"
            title = f"{number} {candidate.title}"[:TITLE_WIDTH].rstrip()
            chosen.append(Candidate(title, candidate.expr))
    if len(chosen) < count:
        raise RuntimeError(f"only {len(chosen)} of {tried} generated panels return data")
    write_dashboard(path, "Generated", chosen)
    return path, {"panels": len(chosen), "candidates_tried": tried, "dropped": tried - count}


def series_dashboard(path: Path, count: int) -> Path:
    """One panel whose query returns every series (`count` of them) of the exporter."""
    return write_dashboard(
        path, "Series", [Candidate(f"{count} series", f'{METRIC}{{job="{JOB}"}}')]
    )


def default_path() -> Path:
    return bundled_default_path()


def titles(path: Path) -> list[str]:
    """The panel titles of a dashboard, as the cards show them."""
    return [panel.title for panel in load_dashboard(path).queries]


def refresh(path: Path) -> float:
    """The dashboard's own refresh, in seconds."""
    return load_dashboard(path).refresh


def node_full_path() -> Path | None:
    """Node Exporter Full, when the public Grafana corpus is there; else None."""
    found = corpus.directory()
    path = None if found is None else found / NODE_FULL
    return path if path is not None and path.is_file() else None


def titles_with_data(
    path: Path, values: Mapping[str, str], answer: Callable[[str], list[dict[str, Any]]]
) -> list[str]:
    """The titles of the cards whose query answers now, with finite numbers only: the
    cards a first paint can wait for on a dashboard not made for this server (Node
    Exporter Full has panels for collectors the exporter does not run)."""
    dashboard = load_dashboard(path)
    exprs = templating.exprs(dashboard, dashboard.variable_values(values))
    return [
        panel.title
        for panel, expr in zip(dashboard.queries, exprs, strict=True)
        if (samples := answer(expr)) and all(math.isfinite(float(s["value"][1])) for s in samples)
    ]
