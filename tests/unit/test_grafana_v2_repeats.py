"""Grafana's schema v2 repeats and query options, carried into the classic shape:
a layout item's repeat (direction, maxPerRow), a row's and a tab's, placed by the
classic repeat expansion; a panel's queryOptions interval and maxDataPoints."""

from __future__ import annotations

from typing import Any

from allintop.dashboard.grafana import convert as grafana
from allintop.dashboard.model import Dashboard
from allintop.dashboard.repeats import expand


def _element(title: str, expr: str, **options: Any) -> dict[str, Any]:
    """A v2beta1 stat element over one Prometheus query, with its queryOptions."""
    query = {
        "kind": "PanelQuery",
        "spec": {
            "refId": "A",
            "query": {"kind": "DataQuery", "group": "prometheus", "spec": {"expr": expr}},
        },
    }
    return {
        "kind": "Panel",
        "spec": {
            "title": title,
            "data": {
                "kind": "QueryGroup",
                "spec": {"queries": [query], "queryOptions": options},
            },
            "vizConfig": {"kind": "VizConfig", "group": "stat", "spec": {"options": {}}},
        },
    }


def _item(name: str, x: int = 0, y: int = 0, w: int = 12, h: int = 4, **spec: Any) -> dict:
    return {
        "kind": "GridLayoutItem",
        "spec": {"x": x, "y": y, "width": w, "height": h, "element": {"name": name}, **spec},
    }


def _grid(*items: dict[str, Any]) -> dict[str, Any]:
    return {"kind": "GridLayout", "spec": {"items": list(items)}}


#: A custom variable with three values, all picked.
INSTANCES = {
    "kind": "CustomVariable",
    "spec": {
        "name": "instance",
        "query": "a,b,c",
        "current": {"text": ["a", "b", "c"], "value": ["a", "b", "c"]},
        "options": [{"text": v, "value": v} for v in "abc"],
        "multi": True,
        "includeAll": False,
    },
}


def _load(elements: dict[str, Any], layout: dict[str, Any]) -> grafana.Converted:
    document = {
        "apiVersion": "dashboard.grafana.app/v2beta1",
        "kind": "Dashboard",
        "metadata": {"name": "repeats"},
        "spec": {
            "title": "Repeats",
            "elements": elements,
            "layout": layout,
            "variables": [INSTANCES],
        },
    }
    return grafana.from_file(document, "repeats.json")


def _expanded(converted: grafana.Converted) -> Dashboard:
    return expand(converted.dashboard, {"instance": ("a", "b", "c")}, {})


def _per_instance() -> dict[str, Any]:
    return {
        "cpu": _element("CPU $instance", 'rate(cpu{instance="$instance"}[1m])'),
        "mem": _element("Memory", "mem"),
    }


def test_a_panels_query_options_are_its_queries_interval_and_max_points() -> None:
    elements = {"a": _element("A", "rate(x[$__interval])", interval="30s", maxDataPoints=200)}
    (query,) = _load(elements, _grid(_item("a"))).dashboard.queries
    assert (query.min_interval, query.max_points) == (30, 200)


def test_a_panel_without_query_options_keeps_the_defaults() -> None:
    (query,) = _load({"a": _element("A", "up")}, _grid(_item("a"))).dashboard.queries
    assert (query.min_interval, query.max_points) == (None, None)


def test_a_repeated_grid_item_is_copied_side_by_side_per_value() -> None:
    repeat = {"mode": "variable", "value": "instance", "direction": "h", "maxPerRow": 2}
    layout = _grid(_item("cpu", w=24, repeat=repeat), _item("mem", y=4, w=24))
    converted = _load(_per_instance(), layout)
    assert not [n for n in converted.dropped if "repeat" in n]  # no longer "shown once"
    (row,) = _expanded(converted).rows
    # maxPerRow 2: two copies a line, half the width; the third on the next line;
    # the panel below moves down by the line the copies added.
    assert [(t.title, t.x, t.y, t.width) for t in row.layout] == [
        ("CPU a", 0, 0, 12),
        ("CPU b", 12, 0, 12),
        ("CPU c", 0, 4, 12),
        ("Memory", 0, 8, 24),
    ]
    assert [q.expr for q in row.queries][:3] == [f'rate(cpu{{instance="{v}"}}[1m])' for v in "abc"]


def test_a_vertical_repeat_stacks_its_copies() -> None:
    repeat = {"mode": "variable", "value": "instance", "direction": "v"}
    converted = _load(_per_instance(), _grid(_item("cpu", w=8, h=3, repeat=repeat)))
    (row,) = _expanded(converted).rows
    assert [(t.title, t.x, t.y, t.width) for t in row.layout] == [
        ("CPU a", 0, 0, 8),
        ("CPU b", 0, 3, 8),
        ("CPU c", 0, 6, 8),
    ]


def test_an_auto_grid_items_repeat_copies_it_side_by_side() -> None:
    items = [
        {
            "kind": "AutoGridLayoutItem",
            "spec": {
                "element": {"name": "cpu"},
                "repeat": {"mode": "variable", "value": "instance"},
            },
        }
    ]
    layout = {"kind": "AutoGridLayout", "spec": {"items": items}}
    (row,) = _expanded(_load(_per_instance(), layout)).rows
    assert [t.title for t in row.layout] == ["CPU a", "CPU b", "CPU c"]


def test_a_repeated_row_is_the_row_once_per_value() -> None:
    row = {
        "kind": "RowsLayoutRow",
        "spec": {
            "title": "Host $instance",
            "repeat": {"mode": "variable", "value": "instance"},
            "layout": _grid(_item("cpu")),
        },
    }
    layout = {"kind": "RowsLayout", "spec": {"rows": [row]}}
    converted = _load(_per_instance(), layout)
    assert converted.dashboard.rows[0].repeat == "instance"
    rows = _expanded(converted).rows
    assert [(r.title, [t.title for t in r.layout]) for r in rows] == [
        ("Host a", ["CPU a"]),
        ("Host b", ["CPU b"]),
        ("Host c", ["CPU c"]),
    ]


def test_a_v2alpha1_grid_row_repeats_too() -> None:
    grid_row = {
        "kind": "GridLayoutRow",
        "spec": {
            "y": 4,
            "title": "Host $instance",
            "repeat": {"mode": "variable", "value": "instance"},
            "elements": [_item("cpu")],
        },
    }
    layout = _grid(_item("mem"), grid_row)
    rows = _expanded(_load(_per_instance(), layout)).rows
    assert [r.title for r in rows] == ["Repeats", "Host a", "Host b", "Host c"]


def test_a_repeated_tab_of_one_grid_repeats_its_row() -> None:
    tab = {
        "kind": "TabsLayoutTab",
        "spec": {
            "title": "Host $instance",
            "repeat": {"mode": "variable", "value": "instance"},
            "layout": _grid(_item("cpu")),
        },
    }
    layout = {"kind": "TabsLayout", "spec": {"tabs": [tab]}}
    converted = _load(_per_instance(), layout)
    assert converted.dashboard.rows[0].repeat == "instance"


def test_a_repeat_around_several_rows_is_said_and_shown_once() -> None:
    inner = {
        "kind": "RowsLayout",
        "spec": {
            "rows": [
                {"kind": "RowsLayoutRow", "spec": {"title": t, "layout": _grid(_item(n))}}
                for t, n in (("One", "cpu"), ("Two", "mem"))
            ]
        },
    }
    row = {
        "kind": "RowsLayoutRow",
        "spec": {"title": "Outer", "repeat": {"value": "instance"}, "layout": inner},
    }
    converted = _load(_per_instance(), {"kind": "RowsLayout", "spec": {"rows": [row]}})
    assert "row Outer: repeated by $instance around rows or tabs: shown once" in (converted.dropped)
    assert [r.repeat for r in converted.dashboard.rows] == [None, None]


def test_a_repeat_mode_other_than_variable_is_said() -> None:
    repeat = {"mode": "label", "value": "instance"}
    converted = _load(_per_instance(), _grid(_item("cpu", repeat=repeat)))
    assert "CPU $instance: repeated by label: shown once" in converted.dropped
    assert converted.dashboard.rows[0].layout[0].repeat is None
