"""`allintop once -c dashboard.json`: a Grafana dashboard file, as it is, against the
real demo stack's Prometheus; and `allintop import-grafana`. On the repository's own
dashboards, and on real ones of the public corpus (skipped without it)."""

from __future__ import annotations

from pathlib import Path

import pytest

from allintop.dashboard.loading import load_dashboard
from tests import corpus
from tests.helpers import run_allintop


@pytest.mark.stack
@pytest.mark.parametrize(
    ("name", "shown"),
    [
        ("prometheus-self.json", ("== Prometheus self", "Samples Appended", "Memory Profile")),
        ("prometheus-2-stats-grafana7.json", ("== Prometheus 2.0 Stats", "Samples Appended")),
        ("prometheus2-fusakla-3681.json", ("== Main info", "== Resources", "Build, uptime")),
    ],
)
def test_once_runs_a_grafana_dashboard_file(stack, name: str, shown: tuple[str, ...]) -> None:
    path = corpus.dashboard(name)
    result = run_allintop("once", "-c", str(path), "--url", stack.prometheus_url)
    assert result.returncode in (0, 1, 2, 3), result.stderr
    assert "Traceback" not in result.stderr + result.stdout
    for text in shown:  # its rows and panels
        assert text in result.stdout
    if name.startswith("prometheus2-fusakla"):
        # Every panel is shown (its text panels as tiles), the $quantile ones too (the
        # demo's Prometheus has no quantiles to offer: Prometheus says so of them).
        assert "not supported" not in result.stderr
        assert "$quantile quantile of HTTP request duration per handler" in result.stdout


def test_json_that_is_no_dashboard_exits_64(tmp_path: Path) -> None:
    path = tmp_path / "answer.json"
    path.write_text('{"status": "success", "data": {"result": []}}')
    result = run_allintop("once", "-c", str(path), "--url", "http://127.0.0.1:9")
    assert result.returncode == 64
    assert "JSON but neither a Grafana dashboard nor a panels.yaml" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(
    ("name", "variable"),
    [("node.json", "ds_prometheus"), ("node-exporter-full-2022-graph.json", "DS_PROMETHEUS")],
)
def test_import_grafana_writes_a_panels_yaml_that_runs_the_same(
    tmp_path: Path, name: str, variable: str
) -> None:
    source = corpus.dashboard(name)
    out = tmp_path / "panels.yaml"
    result = run_allintop("import-grafana", str(source), "-o", str(out))
    assert result.returncode == 0, result.stderr
    assert result.stdout == ""
    text = out.read_text()

    assert f"# Not carried over: variable {variable} (datasource)" in text
    assert '- {special: "null", text: "N/A"}' in text  # its singlestats' value mappings

    back, as_is = load_dashboard(out), load_dashboard(source)
    assert [r.title for r in back.rows] == [r.title for r in as_is.rows]
    assert [p.expr for r in back.rows for p in r.queries] == [
        p.expr for r in as_is.rows for p in r.queries
    ]
    assert [(t.kind, t.width, t.count, t.mappings) for r in back.rows for t in r.layout] == [
        (t.kind, t.width, t.count, t.mappings) for r in as_is.rows for t in r.layout
    ]
    assert [p.thresholds for p in back.queries] == [p.thresholds for p in as_is.queries]


@pytest.mark.parametrize("name", ["panels.json", "docker-prometheus-monitoring-179.json"])
def test_import_grafana_report_and_errors(name: str) -> None:
    source = corpus.dashboard(name)
    result = run_allintop("import-grafana", str(source), "--report")
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[-1].endswith("not supported")
    assert "rows:" not in result.stdout  # the report alone, without -o
    missing = run_allintop("import-grafana", str(corpus.OWN / "no-such.json"))
    assert missing.returncode == 64
    assert "cannot read" in missing.stderr
    assert "Traceback" not in missing.stderr


@pytest.mark.parametrize("name", corpus.v2_names())
def test_import_grafana_converts_the_public_v2_dashboards(tmp_path: Path, name: str) -> None:
    """Grafana 12's schema v2: the public ones (skipped, in one line, without them)."""
    _converts_v2(corpus.v2_path(name), tmp_path)


@pytest.mark.parametrize("name", corpus.v2_own())
def test_import_grafana_converts_the_own_v2_dashboards(tmp_path: Path, name: str) -> None:
    _converts_v2(corpus.OWN_V2 / name, tmp_path)


def _converts_v2(source: Path, tmp_path: Path) -> None:
    """--report lists its panels, none not supported; the panels.yaml written loads
    back with the same rows, tabs and queries as the file itself."""
    report = run_allintop("import-grafana", str(source), "--report")
    assert report.returncode == 0, report.stderr
    assert report.stdout.splitlines()[-1].endswith(" 0 not supported")
    assert "== " in report.stdout
    if load_dashboard(source).tabs:  # each row says its tab
        assert "  (tab " in report.stdout
    out = tmp_path / "panels.yaml"
    written = run_allintop("import-grafana", str(source), "-o", str(out))
    assert written.returncode == 0, written.stderr
    back, as_is = load_dashboard(out), load_dashboard(source)
    assert [r.title for r in back.rows] == [r.title for r in as_is.rows]
    assert back.tabs == as_is.tabs
    assert [q.expr for q in back.queries] == [q.expr for q in as_is.queries]
