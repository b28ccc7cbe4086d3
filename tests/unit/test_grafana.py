"""A Grafana dashboard's Prometheus targets as panels (allintop.dashboard.grafana.convert): rows and
grid order, units, legends, and the five ways a dashboard names its datasource."""

from __future__ import annotations

import json

import pytest

from allintop.dashboard import templating
from allintop.dashboard.datasource import Auth
from allintop.dashboard.grafana import convert as grafana
from allintop.dashboard.grafana.datasources import GrafanaSource
from allintop.errors import ConfigError
from allintop.sources.grafana import Listed, choose
from tests import corpus

AUTH = Auth(kind="bearer", secret_env="GRAFANA_TOKEN")
SERVER = [
    GrafanaSource("p1", "Prom EU", "prometheus", is_default=True),
    GrafanaSource("p2", "Prom US", "prometheus"),
    GrafanaSource("l1", "Loki", "loki"),
]


def _panel(title: str, x: int, y: int, datasource: object, **extra: object) -> dict:
    target = {"refId": "A", "expr": "up", **extra.pop("target", {})}  # type: ignore[dict-item]
    return {
        "type": "timeseries",
        "title": title,
        "gridPos": {"x": x, "y": y, "w": 6, "h": 4},
        "datasource": datasource,
        "targets": [target],
        **extra,
    }


def _convert(board: dict) -> grafana.Converted:
    return grafana.convert({"dashboard": board}, SERVER, "https://g.example/grafana/", AUTH)


def test_references_in_every_form_map_to_the_servers_datasources() -> None:
    board = {
        "title": "Refs",
        "templating": {"list": [{"name": "ds", "type": "datasource", "current": {"value": "p2"}}]},
        "panels": [
            _panel("by name", 0, 0, "Prom US"),
            _panel("by uid", 6, 0, {"type": "prometheus", "uid": "p1"}),
            _panel("by variable", 12, 0, {"type": "prometheus", "uid": "${ds}"}),
            _panel("by import input", 18, 0, "${DS_PROMETHEUS}"),
            _panel("default", 0, 4, None),
            _panel("loki", 6, 4, {"type": "loki", "uid": "l1"}),
            _panel("gone", 12, 4, {"type": "prometheus", "uid": "nope"}),
            _panel("math", 18, 4, {"type": "__expr__", "uid": "__expr__"}),
        ],
    }
    converted = _convert(board)
    chosen = {p.title: p.datasource for p in converted.dashboard.queries}
    assert chosen == {
        "by name": "Prom-US",
        "by uid": "Prom-EU",
        "by variable": "Prom-US",
        "by import input": "Prom-EU",
        "default": "Prom-EU",
    }
    sources = converted.dashboard.sources
    assert sources["Prom-US"].url == "https://g.example/grafana/api/datasources/proxy/uid/p2"
    assert sources["Prom-US"].auth == AUTH and converted.dashboard.datasource.name == "Prom-EU"
    assert converted.unsupported == (
        "loki: datasource 'Loki' is loki: not supported",
        "gone: datasource 'nope' is not on the Grafana server",
        "math: a server-side expression (__expr__): not supported",
    )


def test_rows_grid_order_units_and_legends() -> None:
    board = {
        "title": "Layout",
        "refresh": "10s",
        "time": {"from": "now-1h"},
        "panels": [
            {"type": "row", "title": "Second", "gridPos": {"x": 0, "y": 10}},
            _panel("late", 0, 11, None),
            _panel("right", 12, 0, None, fieldConfig={"defaults": {"unit": "percent"}}),
            _panel(
                "left",
                0,
                0,
                None,
                fieldConfig={"defaults": {"unit": "decbytes"}},
                target={"legendFormat": "{{job}}", "expr": "rate(x[$__rate_interval])"},
            ),
        ],
    }
    dashboard = _convert(board).dashboard
    assert [(r.title, [p.title for p in r.queries]) for r in dashboard.rows] == [
        ("Layout", ["left", "right"]),
        ("Second", ["late"]),
    ]
    left, right = dashboard.rows[0].queries
    assert (left.unit, left.legend, right.unit) == ("decbytes", "{{job}}", "percent")
    # Grafana's built-in stays a reference, filled in for the range and intervals
    # queried with: 4 x 15 s, Grafana's default scrape interval.
    assert left.expr == "rate(x[$__rate_interval])"
    assert templating.exprs(dashboard, {})[0] == "rate(x[60000ms])"
    assert (dashboard.refresh, dashboard.range) == (10.0, 3600.0)


# The repository's own, and one of the public corpus (skipped without it).
@pytest.mark.parametrize("name", ["legacy-rows.json", "docker-containers-dockprom.json"])
def test_a_legacy_rows_dashboard_keeps_its_rows(name: str) -> None:
    board = json.loads(corpus.dashboard(name).read_text())
    server = [GrafanaSource("p", "Prometheus", "prometheus", is_default=True)]
    dashboard = grafana.convert(board, server, "http://g", AUTH).dashboard
    assert len(dashboard.rows) > 1 and dashboard.queries
    assert set(dashboard.sources) == {"Prometheus"}


def _every_reference() -> dict:
    return json.loads(corpus.own("datasources.json").read_text())


def test_every_form_of_reference_in_a_dashboard_on_a_server() -> None:
    server = [
        GrafanaSource("prom-eu", "Prom EU", "prometheus", is_default=True),
        GrafanaSource("prom-us", "Prom US", "prometheus"),
        GrafanaSource("loki-uid", "Loki", "loki"),
    ]
    converted = grafana.convert(_every_reference(), server, "https://g.example", AUTH)
    chosen = [(p.title, p.datasource) for p in converted.dashboard.queries]
    assert chosen == [
        ("by name", "Prom-US"),
        ("by uid", "Prom-EU"),
        ("by variable", "Prom-US"),  # $datasource's current value: prom-us
        ("by braced variable", "Prom-US"),
        ("by import input", "Prom-EU"),  # no such variable: the default
        ("null", "Prom-EU"),
        ("absent", "Prom-EU"),
        ("the word default", "Prom-EU"),
        ("by type only", "Prom-EU"),
        ("on the target", "Prom-US"),  # the target's own, not the panel's (Loki)
        ("mixed · A", "Prom-US"),
        ("mixed · B", "Prom-EU"),  # a target of a mixed panel naming none: the default
        ("math · A", "Prom-EU"),
    ]
    assert converted.unsupported == (
        "gone: datasource 'nope' is not on the Grafana server",
        "mixed: datasource 'Loki' is loki: not supported",
        "math: a server-side expression (__expr__): not supported",
        "loki by type: datasource 'Loki' is loki: not supported",
        "loki by name: datasource 'Loki' is loki: not supported",
        "loki by variable: datasource 'Loki' is loki: not supported",
    )
    assert set(converted.dashboard.sources) == {"Prom-EU", "Prom-US"}
    assert converted.dashboard.datasource.name == "Prom-EU"


def test_every_form_of_reference_in_a_file_is_the_default_datasource() -> None:
    converted = grafana.from_file(_every_reference(), "datasources.json")
    assert {p.datasource for p in converted.dashboard.queries} == {None}
    assert len(converted.dashboard.queries) == 14  # "gone" too: no server to lack it
    assert converted.unsupported == (
        "mixed: datasource 'loki-uid' is loki: not supported",
        "math: a server-side expression (__expr__): not supported",
        "loki by type: datasource 'loki-uid' is loki: not supported",
        "loki by name: datasource 'Loki' is loki: not supported",  # by its name
        "loki by variable: datasource '${logs}' is loki: not supported",  # a loki variable
    )
    assert converted.dashboard.datasources == {}


def test_choose_by_uid_or_title_and_an_ambiguous_title_lists_the_matches() -> None:
    listed = [
        Listed("a", "Nodes", "Ops"),
        Listed("b", "Nodes", "Dev"),
        Listed("c", "API", ""),
    ]
    assert choose(listed, "b").uid == "b"
    assert choose(listed, "api").uid == "c"
    with pytest.raises(ConfigError) as caught:
        choose(listed, "Nodes")
    assert caught.value.hint == "give its uid: a (Ops); b (Dev)"
    with pytest.raises(ConfigError, match="no dashboard with that uid or title"):
        choose(listed, "nope")


def test_a_dashboard_without_prometheus_targets_is_a_clear_error() -> None:
    with pytest.raises(ConfigError, match="has no Prometheus target allintop can show"):
        _convert({"title": "Logs", "panels": [_panel("l", 0, 0, {"uid": "l1", "type": "loki"})]})
