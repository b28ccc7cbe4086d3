"""The bundled panels.yaml reproduces the seed's Grafana overview (MONITORING-SETUP.md)."""

from __future__ import annotations

from pathlib import Path

import pytest

from allintop.dashboard.loading import bundled_default_path, load_dashboard
from allintop.dashboard.model import Dashboard, Query
from allintop.promql.interpolate import interpolate
from allintop.promql.parse import metric_names, parse_error

ROOT = Path(__file__).resolve().parents[2]

# The seed's three rows. P50 and P99 are not in its Grafana row but are in its targets
# table, so the default file shows them too.
SEED_ROWS = {
    "Request Metrics": [
        "Requests/sec",
        "Success Rate",
        "P50 Response Time",
        "P95 Response Time",
        "P99 Response Time",
        "Active Connections",
    ],
    "System Health": ["CPU Usage", "Memory Usage", "Event Loop Lag", "Heap Usage"],
    "Application Metrics": ["Cache Hit Rate", "DB Query P99", "OAuth Success Rate"],
}

# The "Performance Targets" table, row by row, in its own notation.
SEED_TARGETS = {
    "P50 Response Time": ("<50", ">100", "ms"),
    "P95 Response Time": ("<200", ">500", "ms"),
    "P99 Response Time": ("<1000", ">2000", "ms"),
    "Success Rate": (">99", "<95", "%"),
    "Cache Hit Rate": (">90", "<50", "%"),
    "CPU Usage": ("<70", ">85", "%"),
    "Memory Usage": ("<1GB", ">1.5GB", "MB"),
    "Event Loop Lag": ("<50", ">100", "ms"),
}

# The seed's six alert rules, the panel each marks, and the metric its expr uses.
SEED_ALERTS = {
    "HighErrorRate": ("Success Rate", "allin_http_requests_total"),
    "SlowResponseTime": ("P95 Response Time", "allin_http_request_duration_seconds_bucket"),
    "HighMemoryUsage": ("Memory Usage", "allin_process_resident_memory_bytes"),
    "HighEventLoopLag": ("Event Loop Lag", "allin_nodejs_eventloop_lag_p95_seconds"),
    "LowCacheHitRate": ("Cache Hit Rate", "allin_cache_hits_total"),
    "SlowDatabaseQueries": ("DB Query P99", "allin_db_query_duration_seconds_bucket"),
}


@pytest.fixture(scope="module")
def dashboard() -> Dashboard:
    return load_dashboard(bundled_default_path())


@pytest.fixture(scope="module")
def panels(dashboard: Dashboard) -> dict[str, Query]:
    return {panel.title: panel for panel in dashboard.queries}


def test_bundled_file_is_in_the_package() -> None:
    path = bundled_default_path()
    assert path.is_file()
    assert path.name == "panels.yaml"
    assert path.parent.name == "allintop"


def test_root_panels_yaml_is_the_same_file() -> None:
    root = ROOT / "panels.yaml"
    assert root.is_symlink(), "the repo root panels.yaml should link to allintop/panels.yaml"
    assert root.resolve() == (ROOT / "allintop" / "panels.yaml").resolve()
    assert root.read_bytes() == bundled_default_path().read_bytes()


def test_settings(dashboard: Dashboard) -> None:
    assert dashboard.title == "AllIN Platform Overview"
    assert dashboard.datasource.url == "http://localhost:9090"
    assert dashboard.refresh == 5.0
    assert dashboard.range == 15 * 60.0
    (job,) = dashboard.variables
    assert (job.name, job.query, job.default) == (
        "job",
        "label_values(allin_http_requests_total, job)",
        "all",
    )


def test_seed_rows_and_panels(dashboard: Dashboard) -> None:
    assert {row.title: [panel.title for panel in row.queries] for row in dashboard.rows} == (
        SEED_ROWS
    )


@pytest.mark.parametrize(("title", "row"), [(t, r) for r, ts in SEED_ROWS.items() for t in ts])
def test_every_expr_parses_with_the_job_variable(
    panels: dict[str, Query], title: str, row: str
) -> None:
    expr = panels[title].expr
    assert 'job=~"$job"' in expr
    for value in ("all", "allin-backend"):
        assert parse_error(interpolate(expr, {"job": value})) is None


@pytest.mark.parametrize(
    ("title", "target", "alert", "unit"), [(t, *v) for t, v in SEED_TARGETS.items()]
)
def test_performance_targets_verbatim(
    panels: dict[str, Query], title: str, target: str, alert: str, unit: str
) -> None:
    panel = panels[title]
    assert panel.unit == unit
    assert panel.thresholds is not None
    assert panel.thresholds.target is not None and panel.thresholds.alert is not None
    assert panel.thresholds.target.text == target
    assert panel.thresholds.alert.text == alert


def test_memory_targets_are_converted_to_the_panel_unit(panels: dict[str, Query]) -> None:
    thresholds = panels["Memory Usage"].thresholds
    assert thresholds is not None and thresholds.target and thresholds.alert
    assert (thresholds.target.value, thresholds.alert.value) == (1024.0, 1536.0)


def test_no_thresholds_beyond_the_targets_table(panels: dict[str, Query]) -> None:
    with_thresholds = {title for title, panel in panels.items() if panel.thresholds}
    assert with_thresholds == set(SEED_TARGETS)


@pytest.mark.parametrize(("rule", "title", "metric"), [(r, *v) for r, v in SEED_ALERTS.items()])
def test_seed_alert_rules_mark_their_panel(
    panels: dict[str, Query], rule: str, title: str, metric: str
) -> None:
    assert rule in panels[title].alerts
    assert metric in metric_names(interpolate(panels[title].expr, {"job": "all"}))


def test_every_alert_mapped_once(panels: dict[str, Query]) -> None:
    mapped = [rule for panel in panels.values() for rule in panel.alerts]
    assert sorted(mapped) == sorted(SEED_ALERTS)


@pytest.mark.parametrize(
    ("title", "fragment"),
    [
        ("Requests/sec", "sum(rate(allin_http_requests_total{"),
        ("P50 Response Time", "histogram_quantile(0.50, sum by (le)"),
        ("P95 Response Time", "histogram_quantile(0.95, sum by (le)"),
        ("P99 Response Time", "histogram_quantile(0.99, sum by (le)"),
        ("DB Query P99", "histogram_quantile(0.99, sum by (le)"),
        ("Success Rate", "/ sum(rate(allin_http_requests_total{"),
        ("OAuth Success Rate", "/ sum(rate(allin_oauth_operations_total{"),
        ("Cache Hit Rate", "/ (sum(rate(allin_cache_hits_total{"),
    ],
)
def test_aggregates_are_the_correct_forms(
    panels: dict[str, Query], title: str, fragment: str
) -> None:
    assert fragment in panels[title].expr


def test_changes_from_the_seed_are_explained_in_comments() -> None:
    text = bundled_default_path().read_text(encoding="utf-8")
    assert text.count("# Seed:") >= 4
    assert "sum by (le)" in text
