"""panels.yaml's drawing keys: how a panel is drawn (kind, width, height, queries,
reducer, mappings...), and one clear error for each bad one."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from allintop.dashboard.loading import load_text
from allintop.dashboard.model import Panel
from allintop.dashboard.panels_yaml.rows import MAX_PANELS
from allintop.errors import ConfigError
from allintop.values import reducers
from allintop.values.mappings import ValueMapping
from tests.unit.config_files import PANEL

TILED = """\
rows:
  - title: R
    collapsed: true
    panels:
      - title: Up
        expr: up
      - title: Latency
        kind: timeseries
        width: 12
        height: 8
        unit: ms
        thresholds: {target: "<200"}
        queries:
          - {expr: 'p50', legend: "{{route}}"}
          - {expr: 'p95'}
          - {expr: 'p99', title: Worst, datasource: default}
      - title: Notes
        kind: text
        width: 24
        content: "# Read me\\nfirst"
      - title: Disk
        kind: gauge
        expr: disk_used
        reducer: mean
        graph: false
        min: 0
        max: 1e-5
        mappings:
          - {value: 1, text: UP, color: green}
          - {from: 0, to: 0.5, text: low}
          - {from: 0.5, text: high}
          - {special: nan, text: n/a}
      - title: Pie
        kind: other
        note: a piechart panel
"""


def test_drawing_keys_make_tiles_over_the_rows_panels() -> None:
    (row,) = load_text(TILED, "x.yaml").rows
    assert row.collapsed
    assert [(p.title, p.expr, p.unit, p.legend, p.datasource) for p in row.queries] == [
        ("Up", "up", "", None, None),
        ("Latency · {{route}}", "p50", "ms", "{{route}}", None),
        ("Latency · B", "p95", "ms", None, None),  # Grafana's refId, as its conversion
        ("Worst", "p99", "ms", None, "default"),
        ("Disk", "disk_used", "", None, None),
    ]
    assert all(p.thresholds is not None for p in row.queries[1:4])  # shared by the queries
    assert [p.line for p in row.queries] == [5, 14, 15, 16, 21]
    assert row.panels == (
        Panel("Up", first=0, count=1, line=5),
        Panel("Latency", kind="timeseries", first=1, count=3, width=12, height=8, line=7),
        Panel(
            "Notes", kind="text", first=4, count=0, width=24, content="# Read me\nfirst", line=17
        ),
        Panel(
            "Disk",
            kind="gauge",
            first=4,
            count=1,
            reducer="mean",
            graph=False,
            min=0.0,
            max=1e-5,  # YAML reads 1e-5 as text: it is still the number
            mappings=(
                ValueMapping("value", "UP", value="1", color="green"),
                ValueMapping("range", "low", low=0.0, high=0.5),
                ValueMapping("range", "high", low=0.5),
                ValueMapping("special", "n/a", special="nan"),
            ),
            line=21,
        ),
        Panel("Pie", kind="other", first=5, count=0, note="a piechart panel", line=33),
    )
    assert row.layout == row.panels


def test_plain_rows_get_no_tiles() -> None:
    text = PANEL.replace("  - title: R\n", "  - title: R\n    collapsed: true\n")
    (row,) = load_text(text, "x.yaml").rows
    assert row.panels == ()
    assert row.collapsed
    assert row.layout == (Panel("A", line=5),)
    assert load_text(PANEL, "x.yaml").rows[0].collapsed is False


def test_one_query_in_queries_is_the_panel_itself() -> None:
    text = PANEL.replace("        expr: up\n", "        queries: [{expr: up, legend: '{{job}}'}]\n")
    (row,) = load_text(text, "x.yaml").rows
    assert [(p.title, p.legend) for p in row.queries] == [("A", "{{job}}")]
    assert row.panels == (Panel("A", line=4),)  # queries: says it is a tile


def test_an_untitled_tile_names_its_queries_untitled() -> None:
    text = (
        "rows:\n  - title: R\n    panels:\n"
        "      - {title: '', width: 6, queries: [{expr: a}, {expr: b}]}\n"
        "      - {title: '', kind: text}\n"
    )
    (row,) = load_text(text, "x.yaml").rows
    assert [p.title for p in row.queries] == ["untitled · A", "untitled · B"]
    assert [t.title for t in row.panels] == ["", ""]


def test_a_repeated_row_keeps_its_tiles_and_collapse() -> None:
    text = """\
    datasources:
      eu: {url: http://eu:9090}
      us: {url: http://us:9090}
    variables:
      ds: {type: datasource, values: [eu, us]}
    rows:
      - title: Region $ds
        repeat: $ds
        collapsed: true
        panels:
          - {title: Up, kind: timeseries, expr: up}
    """
    rows = load_text(textwrap.dedent(text), "x.yaml").rows
    assert [(r.title, r.collapsed, r.panels[0].kind) for r in rows] == [
        ("Region eu", True, "timeseries"),
        ("Region us", True, "timeseries"),
    ]


def test_the_panel_limit_counts_queries() -> None:
    queries = "".join(f"          - expr: up{i}\n" for i in range(MAX_PANELS + 1))
    text = "rows:\n  - title: R\n    panels:\n      - title: A\n        queries:\n" + queries
    with pytest.raises(ConfigError, match=f"{MAX_PANELS + 1} panels: more than {MAX_PANELS}"):
        load_text(text, "x.yaml")


_TILE = "rows:\n  - title: R\n    panels:\n      - title: A\n"  # the panel's keys: line 5 on

# Each bad tile: (the panel's keys, line, words in the message, words in the hint).
BAD_PANELS = {
    "unknown kind": ("kind: guage\nexpr: up\n", 5, 'kind: unknown kind "guage"', '"gauge"'),
    "grafana kind name": ("kind: graph\nexpr: up\n", 5, 'unknown kind "graph"', "timeseries"),
    "kind nothing close": ("kind: zzz\nexpr: up\n", 5, "unknown kind", "stat, gauge"),
    "width zero": ("width: 0\nexpr: up\n", 5, "width: expected a whole number from 1 to 24", None),
    "width too wide": ("expr: up\nwidth: 25\n", 6, "from 1 to 24", "width: 12"),
    "width in words": ("width: half\nexpr: up\n", 5, "from 1 to 24", None),
    "width a fraction": ("width: 6.5\nexpr: up\n", 5, "from 1 to 24", None),
    "height zero": ("height: 0\nexpr: up\n", 5, "height: expected a whole number from 1", None),
    "repeat no variable": (
        "expr: up\nrepeat: $nope\n",
        6,
        'repeat takes a variable: "$nope"',
        None,
    ),
    "repeat direction": ("expr: up\nrepeat_direction: x\n", 6, 'unknown repeat_direction "x"', "v"),
    "max_per_row zero": ("expr: up\nmax_per_row: 0\n", 6, "from 1 to 24", None),
    "x past the grid": ("x: 24\nexpr: up\n", 5, "x: expected a whole number from 0 to 23", "x: 12"),
    "y negative": ("y: -1\nexpr: up\n", 5, "y: expected a whole number from 0", None),
    "x and width past the grid": (
        "expr: up\nwidth: 6\nx: 20\n",
        7,
        "x: x 20 + width 6 passes the grid's 24 columns",
        "0 to 18",
    ),
    "unknown reducer": ("reducer: lastNotNul\nexpr: up\n", 5, "unknown reducer", "lastNotNull"),
    # Grafana's "step" reducer is not computed here: refused, not quietly the last value.
    "reducer not computed": ("reducer: step\nexpr: up\n", 5, 'unknown reducer "step"', None),
    "graph not a boolean": ("graph: maybe\nexpr: up\n", 5, "graph: expected true or false", None),
    "min not a number": ("min: low\nexpr: up\n", 5, "min: expected a number", "e.g. 0"),
    "max not finite": ("max: .inf\nexpr: up\n", 5, "max: expected a number", None),
    "max below min": ("min: 10\nmax: 5\nexpr: up\n", 6, "max 5 is not above min 10", "min up"),
    "content on a stat": (
        "content: hi\nexpr: up\n",
        5,
        "content: only for kind: text; this panel is kind: stat",
        "kind: text",
    ),
    "note on a stat": ("note: hi\nexpr: up\n", 5, "note: only for kind: other", None),
    "text with a query": ("kind: text\nexpr: up\n", 6, "a text panel shows its content", "remove"),
    "expr and queries": (
        "expr: up\nqueries: [{expr: a}]\n",
        6,
        "expr: or queries:, not both",
        None,
    ),
    "no expr": ("kind: gauge\n", 4, 'missing key "expr"', "or several: queries:"),
    "null expr": ("expr:\nkind: gauge\n", 5, 'missing key "expr"', None),
    "queries empty": ("queries: []\n", 5, "queries: no queries", "legend"),
    "queries not a list": ("queries: up\n", 5, "queries: expected a list", "queries: [{expr"),
    "query without expr": (
        "queries:\n  - {legend: x}\n",
        6,
        'queries[0]: missing key "expr"',
        None,
    ),
    "query unknown key": (
        "queries:\n  - {expr: up, legnd: x}\n",
        6,
        'queries[0]: unknown key "legnd"',
        '"legend"',
    ),
    "query unknown variable": (
        "queries:\n  - {expr: 'up{job=\"$jb\"}'}\n",
        6,
        'queries[0].expr: unknown variable "$jb"',
        "variables:",
    ),
    "query unknown datasource": (
        "queries:\n  - {expr: up, datasource: nope}\n",
        6,
        'unknown datasource "nope"',
        None,
    ),
    "mappings not a list": ("mappings: {value: 1}\nexpr: up\n", 5, "expected a list", "text: UP"),
    "mapping two matches": (
        "expr: up\nmappings:\n  - {value: 1, from: 0, text: x}\n",
        7,
        "mappings[0]: a mapping matches by value:, from:/to: or special:; this has value and",
        "text: low",
    ),
    "mapping no match": ("expr: up\nmappings: [{text: x}]\n", 6, "this has none of these", None),
    "mapping shows nothing": ("expr: up\nmappings: [{value: 1}]\n", 6, "it has neither", "color:"),
    "mapping unknown special": (
        "expr: up\nmappings: [{special: nul, text: x}]\n",
        6,
        'mappings[0].special: unknown special value "nul"',
        '"null"',
    ),
    "mapping range upside down": (
        "expr: up\nmappings:\n  - {from: 5, to: 1, text: x}\n",
        7,
        "mappings[0].to: to 1 is below from 5",
        None,
    ),
    "mapping unknown key": (
        "expr: up\nmappings: [{value: 1, txt: x}]\n",
        6,
        'unknown key "txt"',
        '"text"',
    ),
    "mapping bound not a number": (
        "expr: up\nmappings: [{from: a, text: x}]\n",
        6,
        "mappings[0].from: expected a number",
        None,
    ),
}


@pytest.mark.parametrize(
    ("keys", "line", "message", "hint"), list(BAD_PANELS.values()), ids=list(BAD_PANELS)
)
def test_a_bad_tile_key_is_one_clear_error(
    keys: str, line: int, message: str, hint: str | None
) -> None:
    text = _TILE + textwrap.indent(keys, " " * 8)
    with pytest.raises(ConfigError) as caught:
        load_text(text, "x.yaml")
    error = caught.value
    assert error.message.startswith(f"x.yaml:{line}: rows[0].panels[0]"), error.message
    assert message in error.message
    if hint is not None:
        assert error.hint is not None and hint in error.hint, error.hint


def test_only_a_tile_may_be_untitled() -> None:
    with pytest.raises(ConfigError) as caught:
        load_text(PANEL.replace("title: A", "title: ''"), "x.yaml")
    assert caught.value.message == "x.yaml:4: rows[0].panels[0].title: must not be empty"
    assert caught.value.hint is not None and "title: Requests/sec" in caught.value.hint


def test_the_readmes_example_of_drawing_keys_loads() -> None:
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    section = readme.split("### How a panel is drawn", 1)[1]
    example = section.split("```yaml\n", 1)[1].split("```", 1)[0]
    (row,) = load_text(example, "README.md").rows
    assert [(t.kind, t.count) for t in row.panels] == [("timeseries", 2), ("gauge", 1), ("text", 0)]
    assert row.collapsed


@pytest.mark.parametrize(
    "text",
    [
        # a panel of 600 queries, merged into a second panel
        "rows:\n  - title: R\n    panels:\n      - &p\n        title: A\n        queries:\n"
        + "".join(f"          - {{expr: up{i}}}\n" for i in range(600))
        + "      - <<: *p\n",
        # a row of 600 panels, merged into a second row
        "rows:\n  - &r\n    title: R\n    panels:\n"
        + "".join(f"      - {{title: A{i}, expr: up}}\n" for i in range(600))
        + "  - <<: *r\n",
    ],
    ids=["merged panel", "merged row"],
)
def test_the_panel_limit_counts_what_merge_keys_repeat(text: str) -> None:
    with pytest.raises(ConfigError, match="1200 panels: more than 1000"):
        load_text(text, "x.yaml")


@pytest.mark.parametrize("name", ["p95", "p1", "stdDev", "avg", "last", "allIsNull"])
def test_a_tile_takes_every_reducer_that_is_computed(name: str) -> None:
    panel = f"      - title: T\n        reducer: {name}\n        expr: up\n"
    text = "rows:\n  - title: R\n    panels:\n" + panel
    (row,) = load_text(text, "x.yaml").rows
    assert row.panels[0].reducer == name
    assert reducers.is_known(name)


def test_a_tile_takes_its_place_in_the_grid() -> None:
    text = _TILE + "        expr: up\n        x: 18\n        y: 3\n        width: 2\n"
    text += "      - {title: B, expr: up, kind: gauge}\n"
    (row,) = load_text(text, "x.yaml").rows
    assert [(t.x, t.y, t.width) for t in row.panels] == [(18, 3, 2), (None, None, 0)]


def test_rows_and_panels_repeat_for_a_variable() -> None:
    text = (
        "variables: {host: {values: [a, b], multi: true}}\n"
        "rows:\n  - title: R $host\n    repeat: $host\n    panels:\n"
        "      - {title: A, expr: up, repeat: '${host}', repeat_direction: v, max_per_row: 2}\n"
    )
    (row,) = load_text(text, "x.yaml").rows
    assert row.repeat == "host"
    (tile,) = row.panels
    assert (tile.repeat, tile.repeat_direction, tile.max_per_row) == ("host", "v", 2)
