"""Grafana's schema v2 (allintop.dashboard.grafana.v2): elements and both query forms,
every layout kind and their nesting, the variable kinds, timeSettings, hidden
queries, conditional rendering; on the repository's own fixtures (one per layout
kind), small dashboards written here, and the public ones (skipped without them)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from allintop.dashboard.datasource import Auth
from allintop.dashboard.grafana import convert as grafana
from allintop.dashboard.grafana.datasources import GrafanaSource
from allintop.dashboard.grafana.v2.conditions import NEVER, settle
from allintop.dashboard.loading import load_dashboard, load_text
from allintop.dashboard.model import ALL, Condition, Dashboard, ShownWhen, Tab
from allintop.errors import ConfigError
from tests import corpus


def _own(name: str) -> Dashboard:
    return load_dashboard(corpus.OWN_V2 / name)


def _element(title: str, expr: str, kind: str = "stat", **query: Any) -> dict[str, Any]:
    """A v2beta1 Panel element over one Prometheus query."""
    spec = {"refId": "A", "hidden": query.pop("hidden", False)}
    spec["query"] = {
        "kind": "DataQuery",
        "group": query.pop("group", "prometheus"),
        "version": "v0",
        "spec": {"expr": expr, **query},
    }
    return {
        "kind": "Panel",
        "spec": {
            "title": title,
            "data": {
                "kind": "QueryGroup",
                "spec": {"queries": [{"kind": "PanelQuery", "spec": spec}]},
            },
            "vizConfig": {"kind": "VizConfig", "group": kind, "spec": {"options": {}}},
        },
    }


def _item(name: str, x: int = 0, y: int = 0, w: int = 12, h: int = 4) -> dict[str, Any]:
    return {
        "kind": "GridLayoutItem",
        "spec": {"x": x, "y": y, "width": w, "height": h, "element": {"name": name}},
    }


def _resource(elements: dict[str, Any], layout: dict[str, Any], **spec: Any) -> dict[str, Any]:
    return {
        "apiVersion": "dashboard.grafana.app/v2beta1",
        "kind": "Dashboard",
        "metadata": {"name": "unit"},
        "spec": {"title": "Unit", "elements": elements, "layout": layout, **spec},
    }


def _from(document: dict[str, Any]) -> grafana.Converted:
    return grafana.from_file(document, "unit.json")


def test_a_grid_places_each_element_by_its_item() -> None:
    dashboard = _own("grid-layout-v2.json")
    (row,) = dashboard.rows
    assert row.title == "Grid layout" and dashboard.tabs == ()
    assert [(t.title, t.width, t.height) for t in row.layout] == [
        ("Requests/sec", 6, 4),
        ("Success Rate", 6, 4),
        ("CPU Usage", 12, 4),
        ("Requests/sec by status", 24, 8),
    ]
    assert [t.kind for t in row.layout] == ["stat", "stat", "gauge", "timeseries"]
    # The hidden query B of Requests/sec is left out.
    assert [q.expr for q in row.queries][
        0
    ] == 'sum(rate(allin_http_requests_total{job=~"$job"}[1m]))'
    assert "sum(allin_active_connections)" not in [q.expr for q in row.queries]
    assert row.queries[0].unit == "reqps"  # its fieldConfig, read by the classic reader


def test_hidden_queries_are_said_in_the_report() -> None:
    document = json.loads((corpus.OWN_V2 / "grid-layout-v2.json").read_text())
    converted = _from(document)
    (first, *_) = converted.layout[0][1]
    assert first.title == "Requests/sec" and "hidden queries B: left out" in first.dropped


def test_rows_fold_and_read_the_v2alpha1_query_form() -> None:
    dashboard = _own("rows-layout-v2alpha1.json")
    assert [(r.title, r.collapsed) for r in dashboard.rows] == [
        ("Traffic", False),
        ("System", True),  # "kind": "Row", the v2beta1 name, folds as well
        ("Production only", False),
    ]
    assert dashboard.rows[0].queries[0].expr.startswith("sum(rate(allin_http_requests_total")
    assert dashboard.rows[2].shown_when == ShownWhen((Condition("env", "equals", "prod"),))


def test_tabs_hold_their_rows_and_the_header_titles_come_from_them() -> None:
    dashboard = _own("tabs-layout-v2beta1.json")
    assert dashboard.tabs == (Tab("Traffic", (0,)), Tab("Runtime", (1,)))
    assert [r.title for r in dashboard.rows] == ["Traffic", "Runtime"]  # a grid in a tab
    assert [r.tab for r in dashboard.rows] == ["Traffic", "Runtime"]
    assert dashboard.shown_rows(1, {}) == (1,)


def test_an_auto_grid_flows_its_items_into_its_columns() -> None:
    (row,) = _own("auto-grid-layout-v2beta1.json").rows
    # maxColumnCount 2, rowHeightMode short: two a line, half the width each.
    assert [(t.width, t.height) for t in row.layout] == [(12, 5)] * 5


def test_an_auto_grid_of_fewer_items_than_columns_shares_the_width() -> None:
    elements = {"a": _element("A", "up"), "b": _element("B", "up")}
    items = [{"kind": "AutoGridLayoutItem", "spec": {"element": {"name": n}}} for n in "ab"]
    layout = {"kind": "AutoGridLayout", "spec": {"maxColumnCount": 4, "items": items}}
    (row,) = _from(_resource(elements, layout)).dashboard.rows
    assert [(t.width, t.height) for t in row.layout] == [(12, 8), (12, 8)]


def test_nested_layouts_flatten_into_titled_rows_and_tabs() -> None:
    dashboard = _own("nested-layouts-v2beta1.json")
    assert [t.title for t in dashboard.tabs] == ["Service", "Runtime / CPU", "Runtime / Memory"]
    assert [r.title for r in dashboard.rows] == ["Traffic", "Backends / Database", "CPU", "Memory"]
    assert dashboard.tabs[0].rows == (0, 1)


def test_the_allin_overview_in_v2_is_the_classic_ones_panels_by_tab() -> None:
    v2 = _own("allin-overview-v2beta1.json")
    classic = load_dashboard(
        Path(__file__).resolve().parents[2] / "allintop/dashboards/allin-overview-grafana.json"
    )
    assert [q.expr for q in v2.queries] == [q.expr for q in classic.queries]
    assert [t.title for t in v2.tabs] == ["Requests", "System", "Application"]
    assert [r.title for r in v2.rows] == [r.title for r in classic.rows]
    assert (v2.refresh, v2.range) == (5.0, 15 * 60.0)  # its timeSettings
    (job,) = v2.variables
    assert (job.kind, job.query, job.multi, job.default) == (
        "query",
        "label_values(allin_http_requests_total, job)",
        True,
        ALL,
    )
    assert job.sort == "alphabetical"


def test_time_settings_give_the_range_and_refresh() -> None:
    elements = {"a": _element("A", "up")}
    layout = {"kind": "GridLayout", "spec": {"items": [_item("a")]}}
    time = {"from": "now-3h", "to": "now", "autoRefresh": "30s"}
    dashboard = _from(_resource(elements, layout, timeSettings=time)).dashboard
    assert (dashboard.range, dashboard.refresh) == (3 * 3600.0, 30.0)


def test_a_query_of_another_datasource_kind_is_not_supported() -> None:
    elements = {"a": _element("A", "up"), "b": _element("Logs", '{job=~".+"}', group="loki")}
    layout = {"kind": "GridLayout", "spec": {"items": [_item("a"), _item("b", x=12)]}}
    converted = _from(_resource(elements, layout))
    assert [t.title for t in converted.dashboard.rows[0].layout] == ["A"]
    assert any("is loki: not supported" in line for line in converted.unsupported)


def test_an_element_the_layout_does_not_place_and_a_missing_one_are_said() -> None:
    elements = {"a": _element("A", "up"), "lost": _element("Lost", "up")}
    layout = {"kind": "GridLayout", "spec": {"items": [_item("a"), _item("gone")]}}
    converted = _from(_resource(elements, layout))
    assert "elements not in the layout: lost: not shown" in converted.dropped
    assert "Unit: no element gone: not shown" in converted.dropped


def test_a_dashboard_without_a_prometheus_query_is_a_config_error() -> None:
    elements = {"a": _element("Logs", "{}", group="loki")}
    layout = {"kind": "GridLayout", "spec": {"items": [_item("a")]}}
    with pytest.raises(ConfigError, match="no Prometheus target"):
        _from(_resource(elements, layout))


def test_from_a_grafana_server_a_v2_query_names_its_datasource_by_uid() -> None:
    elements = {"a": _element("A", "up")}
    elements["a"]["spec"]["data"]["spec"]["queries"][0]["spec"]["query"]["datasource"] = {
        "name": "p2"
    }
    layout = {"kind": "GridLayout", "spec": {"items": [_item("a")]}}
    server = [
        GrafanaSource("p1", "Prom EU", "prometheus", is_default=True),
        GrafanaSource("p2", "Prom US", "prometheus"),
    ]
    auth = Auth(kind="bearer", secret_env="GRAFANA_TOKEN")
    converted = grafana.convert(_resource(elements, layout), server, "https://g.example", auth)
    dashboard = converted.dashboard
    assert dashboard.queries[0].datasource == "Prom-US"
    assert dashboard.source == "Grafana dashboard unit"


@pytest.mark.parametrize(
    ("operator", "value", "picks", "held"),
    [
        ("equals", "prod", {"env": "prod"}, True),
        ("equals", "prod", {"env": "staging"}, False),
        ("notEquals", "prod", {"env": "staging"}, True),
        ("matches", "^pro", {"env": "prod"}, True),
        ("notMatches", "^pro", {"env": "prod"}, False),
        ("includes", "a", {"env": ("a", "b")}, True),
        ("excludes", "a", {"env": ("b",)}, True),
        ("includes", "a", {"env": ALL}, True),
        ("equals", "x", {}, False),
    ],
)
def test_a_variable_condition(operator: str, value: str, picks: dict, held: bool) -> None:
    assert Condition("env", operator, value).holds(picks) is held


def test_a_group_of_conditions_and_its_visibility() -> None:
    a, b = Condition("x", "equals", "1"), Condition("y", "equals", "1")
    assert not ShownWhen((a, b)).holds({"x": "1", "y": "2"})
    assert ShownWhen((a, b), any=True).holds({"x": "1", "y": "2"})
    assert not ShownWhen((a,), hide=True).holds({"x": "1"})


def test_the_public_complete_example_keeps_its_variable_condition() -> None:
    document = json.loads(corpus.v2_path("grafana-testdata-v2beta1-complete.json").read_text())
    converted = _from(document)
    dashboard = converted.dashboard
    (row,) = dashboard.rows
    # Its condition is on group_by, a GroupByVariable allintop does not carry: settled
    # by the value it was saved with ("instance"), the row is shown.
    assert row.shown_when is None
    assert (dashboard.refresh, dashboard.range) == (10.0, 6 * 3600.0)
    kinds = {v.name: v.kind for v in dashboard.variables}
    assert kinds == {
        "prometheus_query": "query",
        "text_var": "textbox",
        "constant_var": "constant",
        "interval": "interval",
        "custom_var": "custom",
    }
    said = "\n".join(converted.dropped)
    assert "variable group_by (groupby)" in said and "variable filters (adhoc)" in said
    assert "conditional rendering by Data, TimeRangeSize: not honoured" in said
    assert dashboard.shown_rows(0, dashboard.variable_values()) == (0,)


def test_the_public_tabs_example_drops_its_empty_tabs() -> None:
    document = json.loads(corpus.v2_path("grafatui-v2-tabs-layout.json").read_text())
    converted = _from(document)
    assert converted.dashboard.tabs == (Tab("Overview", (0,)), Tab("Details / Memory", (1,)))
    assert "tab Empty: nothing allintop shows: left out" in converted.dropped


def test_a_library_panel_is_named_as_not_supported() -> None:
    elements = {
        "a": _element("A", "up"),
        "lib": {"kind": "LibraryPanel", "spec": {"title": "Shared"}},
    }
    layout = {"kind": "GridLayout", "spec": {"items": [_item("a"), _item("lib", x=12)]}}
    converted = _from(_resource(elements, layout))
    assert "Shared: a library panel without queries: not supported" in converted.unsupported


def test_a_v2_spec_on_its_own_is_read_too() -> None:
    elements = {"a": _element("A", "up")}
    layout = {"kind": "GridLayout", "spec": {"items": [_item("a")]}}
    spec = _resource(elements, layout)["spec"]
    assert [q.expr for q in _from(spec).dashboard.queries] == ["up"]


PANELS_YAML_TABS = """
title: Tabbed
rows:
  - title: Before
    panels: [{title: A, expr: up}]
  - title: Traffic
    tab: Service
    panels: [{title: B, expr: up}]
  - title: More traffic
    panels: [{title: C, expr: up}]
  - title: Memory
    tab: Runtime
    panels: [{title: D, expr: up}]
"""


def test_panels_yaml_rows_name_their_tab() -> None:
    dashboard = load_text(PANELS_YAML_TABS, "tabs.yaml")
    # The rows before the first named tab are on one titled as the dashboard; a row
    # naming none is on the previous row's.
    assert dashboard.tabs == (Tab("Tabbed", (0,)), Tab("Service", (1, 2)), Tab("Runtime", (3,)))
    untabbed = load_text(PANELS_YAML_TABS.replace("    tab: ", "    # tab: "), "plain.yaml")
    assert untabbed.tabs == () and untabbed.shown_rows(0, {}) == (0, 1, 2, 3)


def test_an_empty_tab_key_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match="tab"):
        load_text(PANELS_YAML_TABS.replace("tab: Service", 'tab: ""'), "bad.yaml")


@pytest.mark.parametrize(
    ("any_", "hide", "saved", "settled"),
    [
        (False, False, "a", "kept"),  # the settled one holds: the carried one decides
        (False, False, "b", "never"),  # it fails: all-of can never hold
        (True, False, "a", "always"),  # it holds: any-of always does
        (True, False, "b", "kept"),
        (False, True, "b", "always"),  # hidden when all hold: they never do
    ],
)
def test_a_condition_on_a_variable_not_carried_is_settled_by_its_saved_pick(
    any_: bool, hide: bool, saved: str, settled: str
) -> None:
    carried, fixed = Condition("env", "equals", "prod"), Condition("gb", "equals", "a")
    when = ShownWhen((carried, fixed), any=any_, hide=hide)
    result = settle(when, {"env"}, {"gb": saved})
    expected = {"kept": ShownWhen((carried,), any=any_, hide=hide), "always": None, "never": NEVER}
    assert result == expected[settled]


def test_v2alpha1_rows_inside_a_grid_are_rows() -> None:
    elements = {n: _element(n.upper(), "up") for n in "abc"}
    grid_row = {
        "kind": "GridLayoutRow",
        "spec": {
            "y": 4,
            "title": "Inner",
            "collapsed": True,
            "elements": [_item("b"), _item("c", x=12)],
        },
    }
    layout = {"kind": "GridLayout", "spec": {"items": [_item("a"), grid_row]}}
    dashboard = _from(_resource(elements, layout)).dashboard
    assert [(r.title, r.collapsed, [t.title for t in r.layout]) for r in dashboard.rows] == [
        ("Unit", False, ["A"]),
        ("Inner", True, ["B", "C"]),
    ]
