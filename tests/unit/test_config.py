"""panels.yaml read into the dashboard model: a good file by value, the defaults, and
what is kept as written (allintop.dashboard.loading, allintop.dashboard.panels_yaml)."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from allintop.dashboard.datasource import Auth, Datasource
from allintop.dashboard.loading import load_dashboard, load_text
from allintop.dashboard.model import Dashboard, Query, Row, Variable
from allintop.values.thresholds import Threshold, Thresholds
from tests.unit.config_files import PANEL, write

GOOD = """\
title: Test board
datasource:
  url: https://prom.example:9090
  timeout: 3s
  headers: {X-Scope-OrgID: team-a}
  auth: {kind: bearer, token_env: PROM_TOKEN}
  insecure: true
  alertmanager: http://am.example:9093
refresh: 10s
range: 1h
variables:
  job: {query: 'label_values(up, job)', default: all}
  interval: {values: [1m, 5m]}
rows:
  - title: Requests
    panels:
      - title: Rate
        expr: sum(rate(http_requests_total{job=~"$job"}[$interval]))
        unit: req/s
        decimals: 1
        legend: "{{route}}"
        alerts: [HighErrorRate, SlowResponseTime]
      - title: P95
        expr: histogram_quantile(0.95, sum by (le) (rate(x_bucket[5m]))) * 1000
        unit: ms
        thresholds: {target: "<200", alert: ">500"}
  - title: Memory
    panels:
      - title: RSS
        expr: process_resident_memory_bytes / 1024 / 1024
        unit: MB
        thresholds:
          target: "<1GB"
          alert: ">1.5GB"
"""


def test_good_file_round_trips_into_dataclasses(tmp_path: Path) -> None:
    path = write(tmp_path, GOOD)
    dashboard = load_dashboard(path)
    assert dashboard == Dashboard(
        source=str(path),
        source_path=path,
        datasource=Datasource(
            url="https://prom.example:9090",
            timeout=3.0,
            headers={"X-Scope-OrgID": "team-a"},
            auth=Auth(kind="bearer", username=None, secret_env="PROM_TOKEN", secret_file=None),
            ca_file=None,
            insecure=True,
            alertmanager="http://am.example:9093",
        ),
        refresh=10.0,
        range=3600.0,
        variables=(
            # As before there were kinds: a query and a list both offer "all".
            Variable(name="job", query="label_values(up, job)", default="all", include_all=True),
            Variable(
                name="interval",
                values=("1m", "5m"),
                default="1m",
                kind="custom",
                include_all=True,
            ),
        ),
        rows=(
            Row(
                title="Requests",
                queries=(
                    Query(
                        title="Rate",
                        expr='sum(rate(http_requests_total{job=~"$job"}[$interval]))',
                        unit="req/s",
                        decimals=1,
                        alerts=("HighErrorRate", "SlowResponseTime"),
                        legend="{{route}}",
                        line=17,
                    ),
                    Query(
                        title="P95",
                        expr="histogram_quantile(0.95, sum by (le) (rate(x_bucket[5m]))) * 1000",
                        unit="ms",
                        thresholds=Thresholds(
                            target=Threshold("<", 200.0, "<200"),
                            alert=Threshold(">", 500.0, ">500"),
                        ),
                        line=23,
                    ),
                ),
            ),
            Row(
                title="Memory",
                queries=(
                    Query(
                        title="RSS",
                        expr="process_resident_memory_bytes / 1024 / 1024",
                        unit="MB",
                        thresholds=Thresholds(
                            target=Threshold("<", 1024.0, "<1GB"),
                            alert=Threshold(">", 1536.0, ">1.5GB"),
                        ),
                        line=29,
                    ),
                ),
            ),
        ),
        title="Test board",
    )
    assert [panel.title for panel in dashboard.queries] == ["Rate", "P95", "RSS"]


def test_minimal_file_gets_the_defaults() -> None:
    dashboard = load_text(PANEL, "mini.yaml")
    assert dashboard.refresh == 5.0
    assert dashboard.range == 900.0
    assert dashboard.datasource == Datasource()
    assert dashboard.datasource.url is None  # the CLI falls back to $PROMETHEUS_URL
    assert dashboard.variables == ()
    assert dashboard.title is None
    assert dashboard.queries == (Query(title="A", expr="up", line=4),)


def test_model_is_frozen() -> None:
    dashboard = load_text(PANEL, "mini.yaml")
    with pytest.raises(AttributeError):
        dashboard.refresh = 1.0  # type: ignore[misc]
    with pytest.raises(TypeError):
        dashboard.datasource.headers["X"] = "y"  # type: ignore[index]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("refresh: 30\n", 30.0),  # a bare number is seconds
        ("refresh: 1.5\n", 1.5),
        ("refresh: 500ms\n", 0.5),
        ("refresh: 1m\nrange: 1m\n", 60.0),  # range == refresh is fine
    ],
)
def test_durations(text: str, expected: float) -> None:
    assert load_text(text + PANEL, "x.yaml").refresh == expected


def test_text_fields_keep_what_was_written() -> None:
    text = "rows:\n  - title: 2024\n    panels:\n      - {title: yes, expr: 1, unit: 010}\n"
    panel = load_text(text, "x.yaml").queries[0]
    assert (panel.title, panel.expr, panel.unit) == ("yes", "1", "010")
    assert load_text(text, "x.yaml").rows[0].title == "2024"


def test_yaml_merge_keys_apply_panel_defaults() -> None:
    text = """\
    rows:
      - title: R
        panels:
          - &ms {title: A, expr: up, unit: ms}
          - <<: *ms
            title: B
    """
    panels = load_text(textwrap.dedent(text), "x.yaml").queries
    assert [(p.title, p.unit) for p in panels] == [("A", "ms"), ("B", "ms")]


def test_datasource_shorthand_url() -> None:
    dashboard = load_text("datasource: http://localhost:9090\n" + PANEL, "x.yaml")
    assert dashboard.datasource.url == "http://localhost:9090"


def test_an_expression_the_parser_rejects_still_loads_for_prometheus_to_judge() -> None:
    # One broken panel must not keep the dashboard from starting: the panel is sent
    # as written and shows Prometheus' message (with its position) instead.
    text = (
        "rows:\n  - title: R\n    panels:\n"
        "      - title: Broken\n        expr: sum(rate(x[5m])\n"
        "      - title: Fine\n        expr: up\n"
    )
    dashboard = load_text(text, "x.yaml")
    assert [p.expr for p in dashboard.queries] == ["sum(rate(x[5m])", "up"]
    assert dashboard.queries[0].line == 4
