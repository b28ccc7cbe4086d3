"""Where a Grafana dashboard puts its panels (allintop.dashboard.grafana.layout), on the
repository's own dashboards: the flat `panels` list cut at its rows (expanded,
collapsed, untitled, repeated) in grid order, and the legacy top-level `rows[]` with
their spans and heights."""

from __future__ import annotations

from allintop.dashboard import templating
from allintop.dashboard.loading import load_dashboard
from allintop.dashboard.model import Dashboard
from tests import corpus


def _load(name: str) -> Dashboard:
    return load_dashboard(corpus.own(name))


def _rows(dashboard: Dashboard) -> list[tuple[str, bool, list[tuple[str, int, int]]]]:
    """Each row: its title, whether collapsed, and its tiles' titles, widths, heights."""
    return [
        (row.title, row.collapsed, [(t.title, t.width, t.height) for t in row.layout])
        for row in dashboard.rows
    ]


def test_the_flat_panel_list_is_cut_at_its_rows_in_grid_order() -> None:
    assert _rows(_load("rows.json")) == [
        # Panels before the first row panel: a row named after the dashboard; "Beside
        # it" comes first in the file, but right of the other in the grid.
        ("Rows and repeats", False, [("Before any row", 8, 3), ("Beside it", 16, 3)]),
        ("Expanded", False, [("In the expanded row", 24, 6)]),
        # A collapsed row holds its own panels (in grid order too).
        ("Collapsed", True, [("Inside the collapsed row", 12, 5), ("Also inside", 12, 5)]),
        ("Rows and repeats", False, [("Under an untitled row", 4, 3)]),  # untitled
        ("Per instance: $instance", False, [("Up of $instance", 6, 4)]),
    ]


def test_panels_keep_their_grid_place_from_their_rows_top() -> None:
    places = [[(t.title, t.x, t.y) for t in row.layout] for row in _load("rows.json").rows]
    assert places[0] == [("Before any row", 0, 0), ("Beside it", 8, 0)]
    # The collapsed row's own panels: their y from the highest of them.
    assert places[2] == [("Inside the collapsed row", 0, 0), ("Also inside", 12, 0)]
    legacy = _load("legacy-rows.json")
    assert {(t.x, t.y) for row in legacy.rows for t in row.layout} == {(None, None)}


def test_a_repeated_row_and_panel_are_read_once_with_their_variable() -> None:
    # Read as written, with the variable they repeat for: the copies are made when the
    # picks are known (tests/unit/test_repeats.py); as read, one query selects them all.
    dashboard = _load("rows.json")
    row = dashboard.rows[-1]
    assert row.repeat == "instance"
    (tile,) = row.panels
    assert (tile.repeat, tile.repeat_direction, tile.max_per_row) == ("instance", "h", 4)
    (panel,) = row.queries
    assert panel.expr == 'up{instance=~"$instance"}'
    # The saved pick is All: one panel selects every instance.
    assert templating.exprs(dashboard, dashboard.variable_values())[-1] == 'up{instance=~".*"}'
    picks = dashboard.variable_values({"instance": ("a:9100", "b:9100")})
    assert templating.exprs(dashboard, picks)[-1] == 'up{instance=~"(a:9100|b:9100)"}'


def test_legacy_rows_keep_their_titles_spans_heights_and_collapse() -> None:
    assert _rows(_load("legacy-rows.json")) == [
        # span counts 12ths, the row's height ("250px") 30-pixel grid rows.
        (
            "Overview",
            False,
            [
                ("Used swap", 6, 8),
                ("Load average", 6, 8),
                ("Cores", 4, 8),
                ("Targets online", 4, 8),
                ("WAL corruptions", 4, 8),
            ],
        ),
        ("Graphs", False, [("Memory", 12, 10), ("Success ratio", 12, 10)]),  # height 300
        ("Details", True, [("Versions", 24, 7), ("Notes", 24, 7)]),  # collapse: true
    ]


def test_legacy_panels_are_the_tile_kinds_of_their_successors() -> None:
    dashboard = _load("legacy-rows.json")
    kinds = [(t.title, t.kind) for row in dashboard.rows for t in row.layout]
    assert kinds == [
        ("Used swap", "stat"),  # singlestat
        ("Load average", "stat"),
        ("Cores", "stat"),
        ("Targets online", "stat"),
        ("WAL corruptions", "stat"),
        ("Memory", "timeseries"),  # graph
        ("Success ratio", "timeseries"),
        ("Versions", "table"),  # table-old
        ("Notes", "text"),
    ]
    notes = dashboard.rows[2].layout[1]
    assert notes.content == "Rows of the **old** layout, before Grafana 5."
    assert [p.title for p in dashboard.rows[1].queries] == [
        "Memory · resident",
        "Memory · virtual",
        "Success ratio",
    ]
    assert (dashboard.refresh, dashboard.range) == (10.0, 3 * 3600.0)
