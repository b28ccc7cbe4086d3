"""Grafana dashboards loaded as they are with `-c FILE.json`: the repository's own
(tests/fixtures/grafana), the bundled ones, and real ones by other people (the public
corpus, skipped without it). Every one loads, every non-row panel is shown or named as
not supported, every PromQL target parses once its variables are filled in, and
import-grafana writes a panels.yaml that loads back as the same panels."""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from allintop.dashboard.datasource import Datasource
from allintop.dashboard.grafana import to_yaml as grafana_import
from allintop.dashboard.grafana.convert import Converted
from allintop.dashboard.grafana.panels import PanelReport
from allintop.dashboard.loading import load_dashboard, load_text
from allintop.dashboard.model import Dashboard, Panel, Query, Row, Variable
from allintop.dashboard.panels_yaml.variables import placeholder_values
from allintop.errors import ConfigError
from allintop.promql.interpolate import interpolate
from allintop.promql.parse import parse
from allintop.values.mappings import ValueMapping
from allintop.values.thresholds import make_thresholds
from tests import corpus

OWN = sorted(corpus.OWN.glob("*.json"))
# The Grafana dashboards that ship in the package: held to the same checks.
BUNDLED = sorted((corpus.ROOT / "allintop" / "dashboards").glob("*.json"))
# Every dashboard, by "tier/name": the public corpus' are found when the test runs.
LOCAL = {f"own/{p.name}": p for p in OWN} | {f"bundled/{p.name}": p for p in BUNDLED}
ALL_FILES = [*LOCAL, *(f"corpus/{name}" for name in corpus.names())]


def _path(key: str) -> Path:
    return LOCAL[key] if key in LOCAL else corpus.path(key.removeprefix("corpus/"))


def test_the_repositorys_own_dashboards_are_there() -> None:
    assert [p.name for p in OWN] == [
        "annotations.json",
        "api-answer.json",
        "datasources.json",
        "export.json",
        "fieldconfig.json",
        "grid.json",
        "legacy-rows.json",
        "node.json",
        "panels.json",
        "prometheus-self.json",
        "rows.json",
        "variables.json",
    ]
    assert BUNDLED, "the bundled Grafana dashboard is missing"


def test_the_public_corpus_is_all_there() -> None:
    found = sorted(corpus.require().glob("*.json"))
    assert len(found) >= 10, f"the Grafana corpus is incomplete: {found}"


def _non_row_panels(board: Mapping[str, Any]) -> Iterator[Mapping[str, Any]]:
    """Every non-row panel: in legacy rows[], top-level, or inside a collapsed row."""
    for row in board.get("rows") or []:
        yield from row.get("panels") or []
    for panel in board.get("panels") or []:
        if panel.get("type") == "row":
            yield from panel.get("panels") or []
        else:
            yield panel


@pytest.mark.parametrize("key", ALL_FILES)
def test_every_non_row_panel_is_shown_or_named(key: str) -> None:
    path = _path(key)
    document = json.loads(path.read_text())
    board = document.get("dashboard", document)  # the HTTP API's answer holds it
    dashboard = load_dashboard(path)
    tiles = [tile for row in dashboard.rows for tile in row.layout]
    shown = [tile.title or "untitled" for tile in tiles]
    notice = dashboard.notice or ""
    grafana_panels = list(_non_row_panels(board))
    assert grafana_panels
    # One tile per Grafana panel, but for those none of whose queries can be shown.
    assert len(tiles) <= len(grafana_panels)
    missing = len(grafana_panels) - len(tiles)
    assert missing <= notice.count(": ") + (len(grafana_panels) if "more" in notice else 0)
    for grafana_panel in grafana_panels:
        title = str(grafana_panel.get("title") or "untitled")
        assert title in shown or (
            f"{title}: " in notice or "more" in notice  # the notice lists 8, then a count
        ), f"{path.name}: panel {title!r} is neither shown nor named as not supported"
    assert dashboard.source_path == path
    assert dashboard.datasources == {}  # every Prometheus reference is the default one
    assert dashboard.datasource.url is None  # --url / $PROMETHEUS_URL / the default


@pytest.mark.parametrize("key", ALL_FILES)
def test_every_promql_target_parses_after_expansion(key: str) -> None:
    dashboard = load_dashboard(_path(key))
    values = placeholder_values(dashboard.variables)
    for panel in (p for row in dashboard.rows for p in row.queries):
        parse(interpolate(panel.expr, values))


BOARD = {
    "title": "Small",
    "panels": [
        {
            "type": "stat",
            "title": "Up",
            "datasource": {"type": "prometheus", "uid": "${DS_PROMETHEUS}"},
            "fieldConfig": {"defaults": {"unit": "bytes"}},
            "targets": [{"refId": "A", "expr": "up", "legendFormat": "{{job}}"}],
        },
        {
            "type": "logs",
            "title": "Logs",
            "datasource": {"type": "loki", "uid": "loki-uid"},
            "targets": [{"refId": "A", "expr": '{job="api"}'}],
        },
        {
            "type": "timeseries",
            "title": "By name",
            "datasource": "Loki",
            "targets": [{"refId": "A", "expr": '{job="api"}'}],
        },
    ],
}


def _write(tmp_path: Path, document: object, name: str = "board.json") -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(document))
    return path


@pytest.mark.parametrize(
    "document",
    [BOARD, {"dashboard": BOARD, "meta": {"slug": "small"}}],
    ids=["plain", "http-api"],
)
def test_a_dashboard_is_told_by_content_not_by_name(tmp_path: Path, document: object) -> None:
    dashboard = load_dashboard(_write(tmp_path, document, "board.yaml"))
    (panel,) = [p for row in dashboard.rows for p in row.queries]
    assert (panel.title, panel.expr, panel.unit, panel.legend) == ("Up", "up", "bytes", "{{job}}")
    assert panel.datasource is None  # ${DS_PROMETHEUS}: the default datasource
    assert dashboard.notice is not None
    assert "Logs: datasource 'loki-uid' is loki: not supported" in dashboard.notice
    assert "By name: datasource 'Loki' is loki: not supported" in dashboard.notice


def test_json_that_is_no_dashboard_is_one_clear_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="JSON but neither a Grafana dashboard"):
        load_dashboard(_write(tmp_path, {"status": "success", "data": []}))


def test_broken_json_says_where(tmp_path: Path) -> None:
    path = tmp_path / "board.json"
    path.write_text('{"panels": [\n  {"title": }\n]}')
    with pytest.raises(ConfigError, match=r"not valid JSON: .*line 2"):
        load_dashboard(path)


def test_a_panels_yaml_written_as_json_is_still_a_panels_yaml(tmp_path: Path) -> None:
    document = {"rows": [{"title": "R", "panels": [{"title": "Up", "expr": "up"}]}]}
    dashboard = load_dashboard(_write(tmp_path, document))
    assert dashboard.rows[0].queries[0].expr == "up"
    assert dashboard.notice is None


def _shown(dashboard: Dashboard) -> list[tuple[object, ...]]:
    """Each row as it is drawn: title, collapse, tiles and panels (where in the file
    they are left out: the two are different files)."""
    return [
        (
            row.title,
            row.collapsed,
            tuple(replace(tile, line=0) for tile in row.layout),
            tuple(replace(panel, line=0) for panel in row.queries),
        )
        for row in dashboard.rows
    ]


@pytest.mark.parametrize("key", ALL_FILES)
def test_import_grafana_output_loads_back_as_the_same_panels(key: str) -> None:
    path = _path(key)
    converted = grafana_import.convert(path.read_text(), str(path))
    text = grafana_import.to_yaml(converted, path.name)
    back = load_text(text, "imported.yaml")
    as_is = load_dashboard(path)
    assert _shown(back) == _shown(as_is)
    assert any(row.panels for row in back.rows)  # kinds and widths are carried over
    assert (back.title, back.refresh, back.range) == (as_is.title, as_is.refresh, as_is.range)
    assert back.variables == as_is.variables  # every kind, and all of each
    # Every panel left out or cut down says so, in a comment over where it would be.
    for _, reports in converted.layout:
        for report in reports:
            if report.status != "converted":  # (comments are single-spaced lines)
                title = " ".join(report.title.split())
                assert f"# Grafana panel {title!r}: {report.status}" in text


def _converted(rows: tuple[Row, ...], variables: tuple[Variable, ...] = ()) -> Converted:
    """A conversion of `rows`, each tile one Grafana panel, to write out."""
    dashboard = Dashboard("x.json", Datasource(), 5.0, 900.0, variables, rows, "Board")
    layout = tuple(
        (
            row.title,
            tuple(
                PanelReport(
                    tile.title, row.queries[tile.first : tile.first + tile.count], panel=tile
                )
                for tile in row.layout
            ),
        )
        for row in rows
    )
    return Converted(dashboard, layout=layout)


HOSTILE = 'a "b"\n- c: d\t# e \\ {f} [g] 😀'


def test_every_tile_key_is_written_and_read_back() -> None:
    panel = Query(HOSTILE, "up", unit="ms", decimals=1, alerts=(HOSTILE,))
    panel = replace(panel, thresholds=make_thresholds("<200", ">500", "ms"))
    queries = (
        replace(panel, title=f"{HOSTILE} · {{{{job}}}}", legend="{{job}}"),
        replace(panel, title=f"{HOSTILE} · B", expr='sum(x{a="\\""})'),
        replace(panel, title="Mine", expr="z"),
    )
    mappings = (
        ValueMapping("value", HOSTILE, value="1", color="dark-red"),
        ValueMapping("value", "", value=HOSTILE, color="#00ff00"),
        ValueMapping("range", "low", low=None, high=1e-05),
        ValueMapping("range", "any", low=None, high=None),
        ValueMapping("special", "n/a", special="null+nan"),
    )
    tiles = (
        Panel(
            HOSTILE,
            kind="gauge",
            first=0,
            count=1,
            width=7,
            height=9,
            reducer="mean",
            mappings=mappings,
            graph=False,
            min=-0.5,
            max=1e300,
            x=17,
            y=40,
            repeat="job",
            repeat_direction="v",
            max_per_row=3,
        ),
        Panel(HOSTILE, kind="timeseries", first=1, count=3, width=24),
        Panel("", kind="text", first=4, count=0, content=HOSTILE + "\n\n# Title\n"),
        Panel("Pie", kind="other", first=4, count=1, note="a piechart panel"),
        Panel("Plain", first=5, count=1),
    )
    panels = (
        replace(panel, listed=50),  # a gauge's query lists each series: its bars
        *queries,
        replace(panel, title="Pie"),
        replace(panel, title="Plain"),
    )
    rows = (Row(HOSTILE, panels, panels=tiles, collapsed=True, repeat="job"),)
    jobs = (Variable("job", values=("a", "b"), kind="custom", multi=True, default=("a",)),)
    text = grafana_import.to_yaml(_converted(rows, jobs), "x.json")
    back = load_text(text, "back.yaml")
    assert _shown(back) == [(HOSTILE, True, tiles, panels)]
    assert back.rows[0].repeat == "job"
    assert "reducer" not in text.split("Plain")[-1]  # the defaults are not written
    assert "queries:" not in text.split("Pie")[-1]  # one query is expr:


def test_a_percentile_reducer_is_written_and_loads_back() -> None:
    tile = Panel("P", reducer="p95")
    rows = (Row("R", (Query("P", "up"),), panels=(tile,)),)
    text = grafana_import.to_yaml(_converted(rows), "x.json")
    assert "reducer: p95\n" in text and "unknown here" not in text
    (row,) = load_text(text, "back.yaml").rows
    assert row.panels[0].reducer == "p95"


def test_what_cannot_be_written_is_a_comment_and_the_default() -> None:
    mapping = ValueMapping("value", "", value="1")  # shows nothing: panels.yaml refuses it
    tile = Panel("Odd", reducer="percentile95", mappings=(mapping,), width=6)
    rows = (Row("R", (Query("Odd", "up"),), panels=(tile,)),)
    text = grafana_import.to_yaml(_converted(rows), "x.json")
    assert "      # Grafana panel 'Odd': partly\n" in text
    assert "#   reducer 'percentile95': unknown here, lastNotNull used\n" in text
    assert "#   value mapping value '1': nothing to show\n" in text
    (row,) = load_text(text, "back.yaml").rows
    assert row.panels == (Panel("Odd", width=6, line=row.panels[0].line),)
    lines = grafana_import.report(_converted(rows)).splitlines()
    assert lines[1] == (
        "  partly         Odd: reducer 'percentile95': unknown here, lastNotNull used; "
        "value mapping value '1': nothing to show"
    )
    assert lines[-1] == "0 converted, 1 partly, 0 not supported"


def test_the_report_names_each_panel_once_with_its_status() -> None:
    path = corpus.own("panels.json")
    lines = grafana_import.report(grafana_import.convert(path.read_text(), str(path))).splitlines()
    assert lines == [
        "== Every panel kind",
        "  converted      Up targets",
        "  converted      CPU busy",
        "  converted      Memory used",
        "  converted      Read me",
        "  partly         Request rate: hidden queries C: left out",
        "  converted      Versions",
        "  converted      Latency buckets",
        "  not supported  Share by code: a piechart panel: not drawn in the terminal, "
        "its queries listed",
        "  not supported  Shared panel: a untyped panel without queries: not supported; "
        "a untyped panel: not drawn in the terminal, its queries listed",
        "  not supported  Error lines: datasource 'loki' is loki: not supported; "
        "a logs panel: not drawn in the terminal, its queries listed",
        "6 converted, 1 partly, 3 not supported",
    ]
    board = json.loads(path.read_text())
    assert sum(1 for line in lines if line.startswith("  ")) == len(list(_non_row_panels(board)))


def test_the_report_of_a_real_dashboard_names_each_panel_once() -> None:
    path = corpus.path("prometheus2-fusakla-3681.json")
    text = grafana_import.report(grafana_import.convert(path.read_text(), str(path)))
    lines = text.splitlines()
    assert "== Main info" in lines
    assert "  converted      Number of time series" in lines
    assert lines.count("  converted      untitled") == 2  # its two text panels
    assert "  converted      Build, uptime and runtime instance info" in lines
    board = json.loads(path.read_text())
    counted = sum(1 for line in lines if line.startswith("  "))
    assert counted == len(list(_non_row_panels(board))) == 44
    assert lines[-1].endswith("not supported")


def test_import_grafana_refuses_what_is_no_dashboard(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="JSON but not a Grafana dashboard"):
        grafana_import.convert('{"a": 1}', "x.json")
    with pytest.raises(ConfigError, match="not valid JSON"):
        grafana_import.convert("rows:\n  - title: R\n", "panels.yaml")


def test_nothing_in_the_file_changes_the_yaml_structure() -> None:
    hostile = 'CPU "busy"\n- title: injected\n# not a comment: 😀 \u2028 [x]'
    board = {
        "title": hostile,
        "panels": [
            {
                "type": "stat",
                "title": hostile,
                "fieldConfig": {"defaults": {"mappings": [{"type": "value"}]}},
                "targets": [{"refId": "A", "expr": 'up{job="a\\"b"}', "legendFormat": hostile}],
            }
        ],
    }
    converted = grafana_import.convert(json.dumps(board), "hostile.json")
    back = load_text(grafana_import.to_yaml(converted, "hostile.json"), "back.yaml")
    (panel,) = back.rows[0].queries
    assert (back.title, panel.title, panel.legend) == (hostile, hostile, hostile)
    assert panel.expr == 'up{job="a\\"b"}'


def test_a_tables_merge_is_carried_stacking_and_other_transformations_are_named() -> None:
    board = {
        "title": "T",
        "panels": [
            {
                "type": "table",
                "title": "Joined",
                "transformations": [{"id": "merge", "options": {}}],
                "targets": [{"refId": "A", "expr": "up"}, {"refId": "B", "expr": "up * 2"}],
            },
            {
                "type": "timeseries",
                "title": "Stacked",
                "fieldConfig": {"defaults": {"custom": {"stacking": {"mode": "normal"}}}},
                "transformations": [{"id": "organize"}],
                "targets": [{"refId": "A", "expr": "up"}],
            },
            {"type": "graph", "title": "Old", "stack": True, "targets": [{"expr": "up"}]},
        ],
    }
    lines = grafana_import.report(grafana_import.convert(json.dumps(board), "t.json"))
    assert "  converted      Joined" in lines.splitlines()
    assert (
        "  partly         Stacked: transformations organize: panels.yaml has none; "
        "stacking: the series are drawn unstacked"
    ) in lines.splitlines()
    assert "  partly         Old: stacking: the series are drawn unstacked" in lines.splitlines()
