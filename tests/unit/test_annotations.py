"""Annotation queries: read from Grafana's classic JSON, schema v2 and panels.yaml
(with file:line errors), written back by import-grafana, and a range answer turned
into events, regions and alert spans as Grafana's Prometheus datasource does."""

from __future__ import annotations

import json
from typing import Any

import pytest

from allintop.dashboard.annotations import DEFAULT_STEP, Annotation
from allintop.dashboard.grafana import convert as grafana
from allintop.dashboard.grafana import to_yaml
from allintop.dashboard.loading import load_dashboard, load_text
from allintop.draw.chart import Mark, mark_cells
from allintop.errors import ConfigError
from allintop.live.annotations import (
    Event,
    alert_spans,
    alerts_expr,
    events,
    filled,
    query_step,
)
from allintop.promql.parse import parse
from allintop.sources.answers import RangeResult, Series
from tests import corpus

PANELS = """
rows:
  - title: R
    panels:
      - title: Up
        expr: up
"""


def _yaml(block: str) -> str:
    return block + PANELS


# -- reading --


def test_a_grafana_files_prometheus_annotations_are_read_and_the_rest_said() -> None:
    converted = to_yaml.convert(corpus.own("annotations.json").read_text(), "a.json")
    found = {a.name: a for a in converted.dashboard.annotations}
    assert list(found) == ["Error alert active", "Firing", "Switched off"]
    active = found["Error alert active"]
    assert active.step == 15.0 and active.use_value_for_time and active.color == "orange"
    assert active.title_format == "{{alertname}} went active"
    assert active.text_format == "severity {{severity}}"
    assert active.tag_keys == ("alertname", "severity")
    assert found["Firing"].color == "#ff00ff" and found["Firing"].tag_keys == ("severity",)
    assert not found["Switched off"].enable and found["Switched off"].step == DEFAULT_STEP
    dropped = " ".join(converted.dropped)
    assert "'Annotations & Alerts': Grafana's built-in annotations" in dropped
    assert "'Deploy logs': datasource 'loki-uid' is loki: not supported" in dropped
    report = to_yaml.report(converted)
    assert "dashboard: annotation 'Deploy logs'" in report


def test_import_grafana_writes_the_annotations_block_that_loads_back(tmp_path) -> None:
    converted = to_yaml.convert(corpus.own("annotations.json").read_text(), "a.json")
    path = tmp_path / "panels.yaml"
    path.write_text(to_yaml.to_yaml(converted, "a.json"))
    loaded = load_dashboard(path)

    def kept(a: Annotation) -> tuple[object, ...]:
        return (a.name, a.expr, a.step, a.title_format, a.text_format, a.tag_keys, a.color)

    assert [kept(a) for a in loaded.annotations] == [
        kept(a) for a in converted.dashboard.annotations
    ]
    assert [a.enable for a in loaded.annotations] == [True, True, False]
    assert loaded.annotations[0].use_value_for_time


def test_an_expressionless_annotation_is_left_out_and_said() -> None:
    board: dict[str, Any] = json.loads(corpus.own("annotations.json").read_text())
    board["annotations"]["list"] = [{"name": "Empty", "datasource": "Prometheus"}]
    converted = grafana.from_file(board, "a.json")
    assert converted.dashboard.annotations == ()
    assert "annotation 'Empty': no PromQL expression (expr): not shown" in converted.dropped


def _v2(annotations: list[dict[str, Any]]) -> dict[str, Any]:
    element = {
        "kind": "Panel",
        "spec": {
            "title": "Up",
            "data": {
                "kind": "QueryGroup",
                "spec": {
                    "queries": [
                        {
                            "kind": "PanelQuery",
                            "spec": {
                                "refId": "A",
                                "query": {
                                    "kind": "DataQuery",
                                    "group": "prometheus",
                                    "spec": {"expr": "up"},
                                },
                            },
                        }
                    ]
                },
            },
            "vizConfig": {"kind": "VizConfig", "group": "stat", "spec": {}},
        },
    }
    item = {
        "kind": "GridLayoutItem",
        "spec": {"x": 0, "y": 0, "width": 12, "height": 4, "element": {"name": "up"}},
    }
    return {
        "apiVersion": "dashboard.grafana.app/v2beta1",
        "kind": "Dashboard",
        "metadata": {"name": "unit"},
        "spec": {
            "title": "Unit",
            "elements": {"up": element},
            "layout": {"kind": "GridLayout", "spec": {"items": [item]}},
            "annotations": annotations,
        },
    }


def test_v2_annotation_queries_in_both_forms() -> None:
    builtin = {
        "kind": "AnnotationQuery",
        "spec": {
            "builtIn": True,
            "enable": True,
            "name": "Annotations & Alerts",
            "query": {
                "kind": "DataQuery",
                "group": "grafana",
                "datasource": {"name": "-- Grafana --"},
            },
        },
    }
    beta = {
        "kind": "AnnotationQuery",
        "spec": {
            "enable": True,
            "hide": True,
            "iconColor": "blue",
            "name": "Restarts",
            "query": {
                "kind": "DataQuery",
                "group": "prometheus",
                "datasource": {"name": "prom-uid"},
                "spec": {"expr": "changes(process_start_time_seconds[5m]) > 0"},
            },
            "legacyOptions": {"titleFormat": "{{job}}", "tagKeys": "job", "step": "30s"},
        },
    }
    alpha = {
        "kind": "AnnotationQuery",
        "spec": {
            "enable": False,
            "name": "Old form",
            "datasource": {"type": "prometheus", "uid": "prom-uid"},
            "query": {"kind": "prometheus", "spec": {"expr": "up == 0", "useValueForTime": True}},
        },
    }
    loki = {
        "kind": "AnnotationQuery",
        "spec": {
            "name": "Logs",
            "query": {"kind": "DataQuery", "group": "loki", "spec": {"expr": '{job="x"}'}},
        },
    }
    converted = grafana.from_file(_v2([builtin, beta, alpha, loki]), "v2.json")
    restarts, old = converted.dashboard.annotations
    assert restarts == Annotation(
        name="Restarts",
        expr="changes(process_start_time_seconds[5m]) > 0",
        datasource="default",
        step=30.0,
        title_format="{{job}}",
        tag_keys=("job",),
        hide=True,
        color="blue",
    )
    assert old.name == "Old form" and old.use_value_for_time and not old.enable
    dropped = " ".join(converted.dropped)
    assert "'Annotations & Alerts': Grafana's built-in" in dropped
    assert "'Logs': datasource" in dropped and "loki" in dropped


def test_panels_yaml_annotations_are_read_with_their_lines() -> None:
    text = _yaml(
        """variables:
  job: {values: [api, web], default: api}
annotations:
  - name: Restarts
    expr: changes(process_start_time_seconds{job="$job"}[5m]) > 0
    step: 30s
    title_format: "{{job}} restarted"
    tag_keys: job, instance
    color: orange
  - name: Deploys
    expr: deploy_timestamp_seconds * 1000
    use_value_for_time: true
    enable: false
    hide: true
    tag_keys: [service]
"""
    )
    dashboard = load_text(text, "panels.yaml")
    restarts, deploys = dashboard.annotations
    assert (restarts.line, restarts.step, restarts.color) == (4, 30.0, "orange")
    assert restarts.tag_keys == ("job", "instance") and restarts.datasource is None
    assert deploys.use_value_for_time and not deploys.enable and deploys.hide
    assert (deploys.tag_keys, deploys.step, deploys.color) == (("service",), 60.0, "red")
    # Filled with the picks when asked; one not enabled is not asked.
    (asked,) = filled(dashboard, dashboard.variable_values(), dashboard.range)
    assert asked.expr == 'changes(process_start_time_seconds{job="api"}[5m]) > 0'


BAD = {
    "not a list": ("annotations: {name: x}\n", 1, "expected a list"),
    "no expr": ("annotations:\n  - name: x\n", 2, 'missing key "expr"'),
    "unknown key": (
        "annotations:\n  - name: x\n    expr: up\n    titleFormat: y\n",
        4,
        'unknown key "titleFormat"',
    ),
    "bad step": ("annotations:\n  - name: x\n    expr: up\n    step: soon\n", 4, "step"),
    "bad flag": (
        "annotations:\n  - name: x\n    expr: up\n    enable: maybe\n",
        4,
        "true or false",
    ),
    "unknown variable": ('annotations:\n  - name: x\n    expr: up{job="$nope"}\n', 3, "$nope"),
    "unknown datasource": (
        "annotations:\n  - name: x\n    expr: up\n    datasource: prod\n",
        4,
        'unknown datasource "prod"',
    ),
    "same name twice": (
        "annotations:\n  - {name: x, expr: up}\n  - {name: x, expr: up}\n",
        3,
        'a second annotation named "x"',
    ),
}


@pytest.mark.parametrize(("text", "line", "message"), list(BAD.values()), ids=list(BAD))
def test_bad_annotations_say_where(text: str, line: int, message: str) -> None:
    with pytest.raises(ConfigError) as caught:
        load_text(_yaml(text), "panels.yaml")
    assert caught.value.message.startswith(f"panels.yaml:{line}: "), caught.value.message
    assert message in caught.value.message


# -- range answers into events and spans --


def _series(labels: dict[str, str], points: list[tuple[float, float]]) -> Series:
    return Series(labels, tuple(t for t, _ in points), tuple(v for _, v in points))


def test_points_above_zero_are_events_and_contiguous_ones_a_region() -> None:
    annotation = Annotation(
        "Restarts",
        "x",
        title_format="{{job}} restarted",
        text_format="on {{instance}}",
        tag_keys=("job", "missing", "instance"),
        color="orange",
    )
    labels = {"__name__": "x", "job": "api", "instance": "h:1"}
    points = [(0, 1), (60, 1), (120, 1), (180, 0), (240, 2), (300, float("nan")), (360, -1)]
    found = events(annotation, RangeResult((_series(labels, points),)), 60)
    assert found == [
        Event("Restarts", 0, 120, "api restarted", "on h:1", ("api", "h:1"), "orange"),
        Event("Restarts", 240, 240, "api restarted", "on h:1", ("api", "h:1"), "orange"),
    ]
    assert found[0].region and not found[1].region


def test_a_gap_longer_than_the_step_splits_a_region_and_no_title_format_names_the_labels() -> None:
    annotation = Annotation("A", "x")
    labels = {"__name__": "x", "job": "api"}
    found = events(annotation, RangeResult((_series(labels, [(0, 1), (30, 1), (100, 1)]),)), 30)
    assert [(e.start, e.end) for e in found] == [(0, 30), (100, 100)]
    assert found[0].title == "job=api" and found[0].text == "" and found[0].tags == ()


def test_use_value_for_time_takes_each_value_as_milliseconds() -> None:
    annotation = Annotation("Deploys", "x", use_value_for_time=True, title_format="{{svc}}")
    series = (
        _series({"svc": "a"}, [(0, 5_000_000.0), (60, 5_000_000.0)]),
        _series({"svc": "b"}, [(0, 9_000_000.0)]),
    )
    found = events(annotation, RangeResult(series), 60)
    assert [(e.start, e.end, e.title) for e in found] == [(5000, 5000, "a"), (9000, 9000, "b")]


def test_alert_spans_by_alert_and_state_with_instances_merged() -> None:
    firing = {"alertname": "High", "alertstate": "firing"}
    result = RangeResult(
        (
            _series({**firing, "instance": "a"}, [(100, 1), (115, 1), (130, 1)]),
            _series({**firing, "instance": "b"}, [(125, 1), (140, 1)]),
            _series({"alertname": "High", "alertstate": "pending"}, [(70, 1), (85, 1)]),
            _series({**firing, "instance": "c"}, [(400, 1)]),
        )
    )
    spans = alert_spans(result, 15)
    assert [(s.name, s.state, s.start, s.end) for s in spans] == [
        ("High", "pending", 70, 85),
        ("High", "firing", 100, 140),
        ("High", "firing", 400, 400),
    ]


def test_the_alerts_query_matches_each_name_literally_and_parses() -> None:
    expr = alerts_expr(["High.Rate", 'Quote"d', "High.Rate"])
    parse(expr)
    assert expr == 'ALERTS{alertname=~"High\\\\.Rate|Quote\\"d"}'


def test_a_long_range_asks_at_most_the_points_prometheus_allows() -> None:
    assert query_step(60, 0, 3600) == 60
    assert query_step(1, 0, 30 * 86400) == 30 * 86400 / 10_000


def test_marks_fall_in_the_columns_of_their_times() -> None:
    moment, region = Mark(50, 50, (1, 2, 3)), Mark(80, 100, (4, 5, 6))
    outside = Mark(200, 300, (7, 8, 9))
    cells = mark_cells([moment, region, outside], 0, 100, 11)
    assert cells == {5: moment, 8: region, 9: region, 10: region}
    assert mark_cells([moment], 0, 0, 11) == {} and mark_cells([moment], 0, 100, 0) == {}
