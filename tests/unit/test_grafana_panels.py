"""Each Grafana panel type as the tile it is drawn as, and each form a dashboard's JSON
comes in (plain, "export for sharing", the HTTP API's answer), on the repository's own
dashboards (tests/fixtures/grafana), checked by value."""

from __future__ import annotations

import json

from allintop.dashboard.grafana import convert as grafana
from allintop.dashboard.grafana import documents
from allintop.dashboard.loading import load_dashboard
from allintop.dashboard.model import Dashboard, Panel
from tests import corpus


def _load(name: str) -> Dashboard:
    return load_dashboard(corpus.own(name))


def _tiles(dashboard: Dashboard) -> dict[str, Panel]:
    return {tile.title: tile for row in dashboard.rows for tile in row.layout}


def test_every_panel_type_is_the_tile_kind_it_is_drawn_as() -> None:
    dashboard = _load("panels.json")
    kinds = [(t.title, t.kind, t.first, t.count) for t in dashboard.rows[0].layout]
    assert kinds == [  # in grid order: top to bottom, then left to right
        ("Up targets", "stat", 0, 1),
        ("CPU busy", "gauge", 1, 1),
        ("Memory used", "bargauge", 2, 1),
        ("Read me", "text", 3, 0),
        ("Request rate", "timeseries", 3, 2),
        ("Versions", "table", 5, 2),
        ("Latency buckets", "heatmap", 7, 1),
        ("Share by code", "other", 8, 1),
        ("Shared panel", "other", 9, 0),
        ("Error lines", "other", 9, 0),
    ]
    tiles = _tiles(dashboard)
    assert tiles["Read me"].content == "# On call\nPage **#backend** when errors rise."
    assert [tiles[t].note for t in ("Share by code", "Shared panel", "Error lines")] == [
        "a piechart panel",
        "a untyped panel",
        "a logs panel",
    ]
    assert (dashboard.title, dashboard.refresh, dashboard.range) == (
        "Every panel kind",
        30.0,
        6 * 3600.0,
    )


def test_a_panels_targets_are_its_queries_each_titled_by_its_legend() -> None:
    dashboard = _load("panels.json")
    assert [(p.title, p.legend, p.unit) for p in dashboard.queries[3:7]] == [
        ("Request rate · {{job}}", "{{job}}", "reqps"),
        ("Request rate · total", "total", "reqps"),
        ("Versions · A", None, ""),  # no legend: its refId
        ("Versions · B", None, ""),
    ]
    up = dashboard.queries[0]
    assert (up.title, up.expr, up.unit, up.legend) == ("Up targets", "count(up == 1)", "", None)
    # A table or a bar gauge draws every series; a stat card or a chart names a few.
    assert [p.listed for p in dashboard.queries] == [50] * 9  # every kind lists every series


def test_what_cannot_be_drawn_or_queried_is_named() -> None:
    dashboard = _load("panels.json")
    assert dashboard.notice == (
        "not shown (not supported here): "
        "Shared panel: a untyped panel without queries: not supported; "
        "Error lines: datasource 'loki' is loki: not supported"
    )
    converted = grafana.from_file(json.loads(corpus.own("panels.json").read_text()), "p.json")
    reports = {r.title: r for _, reports in converted.layout for r in reports}
    assert reports["Request rate"].dropped == ("hidden queries C: left out",)
    assert reports["Request rate"].status == "partly"
    assert reports["Versions"].dropped == ()  # a table's merge is what its table does
    assert reports["Share by code"].status == "not supported"
    assert reports["Share by code"].dropped == (
        "a piechart panel: not drawn in the terminal, its queries listed",
    )
    assert reports["Error lines"].unsupported == ("datasource 'loki' is loki: not supported",)


def test_an_export_for_sharing_is_read_as_grafanas_import_makes_it() -> None:
    dashboard = _load("export.json")
    variables = {v.name: v for v in dashboard.variables}
    assert variables["label"].default == "job"  # ${VAR_LABEL}, from __inputs
    samples, by_label = dashboard.queries
    assert samples.datasource is None  # ${DS_PROMETHEUS}: the default datasource
    assert by_label.datasource is None  # {"uid": "${DS_PROMETHEUS}"} likewise
    assert by_label.expr == 'sum by ($label) (up{$label=~"$value"})'
    tile = _tiles(dashboard)["Samples"]
    assert (tile.reducer, [(m.kind, m.value, m.text) for m in tile.mappings]) == (
        "max",
        [("value", "0", "None")],  # Grafana 7's mapping {"type": 1}
    )
    assert dashboard.notice is None


def test_the_http_apis_answer_is_read_as_its_dashboard() -> None:
    document = json.loads(corpus.own("api-answer.json").read_text())
    assert documents.is_dashboard(document) and set(document) == {"dashboard", "meta"}
    dashboard = _load("api-answer.json")
    assert dashboard.title == "From the HTTP API"
    assert [(p.title, p.expr, p.unit) for p in dashboard.queries] == [
        ("Head series", "prometheus_tsdb_head_series", ""),
        ("Scrape duration", "scrape_duration_seconds", "s"),
    ]
    assert (dashboard.refresh, dashboard.range) == (5.0, 900.0)


def test_what_is_a_dashboard_is_told_by_its_keys() -> None:
    assert documents.is_dashboard({"panels": []})
    assert documents.is_dashboard({"rows": []})
    assert documents.is_dashboard({"dashboard": {"panels": []}, "meta": {}})
    assert not documents.is_dashboard({"dashboard": {"panels": []}})  # no meta
    assert not documents.is_dashboard({"panels": {}})
    assert not documents.is_dashboard(["panels"])


def test_junk_where_an_object_is_expected_is_read_as_nothing() -> None:
    board = {
        "title": "Junk",
        "templating": "x",
        "time": [],
        "annotations": 3,
        "panels": [
            {"type": "stat", "title": "P", "gridPos": "top", "targets": [{"expr": "up"}]},
            {"type": "stat", "title": "Q", "gridPos": {"x": "a", "y": None}, "options": 1,
             "fieldConfig": [], "targets": [{"expr": "up"}]},
        ],
    }  # fmt: skip
    converted = grafana.from_file(board, "junk.json")
    assert [p.title for p in converted.dashboard.queries] == ["P", "Q"]
    assert converted.dashboard.variables == ()
