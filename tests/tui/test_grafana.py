"""`allintop --grafana URL`: list a Grafana server's dashboards, open one (its
Prometheus targets as panels) and query through Grafana's datasource proxy. No Grafana
can be installed here: a stand-in (tests/grafanastub.py) serves exactly the documented
endpoints in front of a real Prometheus. The token must never show: not on screen, in
a screenshot, in errors or in any output."""

from __future__ import annotations

import copy
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from allintop.cli.parser import build_parser
from allintop.cli.setup import resolve
from allintop.ui.app import DashboardApp, make_app
from tests import corpus
from tests.grafanastub import GrafanaStub
from tests.helpers import prom_query, wait_until
from tests.tui.util import screen_text, wait_for

pytestmark = pytest.mark.stack

ROOT = Path(__file__).resolve().parents[2]
# Dashboards of Prometheus' own metrics, by uid on the stand-in: the repository's own,
# and a real one by other people (the public corpus; served when it is there).
SELF = {"prom-self": "prometheus-self.json", "prom2stats": "prometheus-2-stats-grafana7.json"}
TOKEN = "glsa_Zx81secretTOKENvalue_4f2a"

MINE = {
    "title": "Mixed bag",
    "refresh": "5s",
    "time": {"from": "now-30m", "to": "now"},
    "templating": {
        "list": [
            {"name": "datasource", "type": "datasource", "query": "prometheus", "current": {}},
        ]
    },
    "panels": [
        {"type": "row", "title": "Head", "gridPos": {"x": 0, "y": 0, "w": 24, "h": 1}},
        {
            "type": "stat",
            "title": "Head series",
            "gridPos": {"x": 0, "y": 1, "w": 8, "h": 4},
            "datasource": {"type": "prometheus", "uid": "${datasource}"},
            "fieldConfig": {"defaults": {"unit": "short"}},
            "targets": [{"refId": "A", "expr": 'prometheus_tsdb_head_series{job="prometheus"}'}],
        },
        {
            "type": "timeseries",
            "title": "Resident memory",
            "gridPos": {"x": 8, "y": 1, "w": 8, "h": 4},
            "datasource": "Prometheus",
            "fieldConfig": {"defaults": {"unit": "bytes"}},
            "targets": [
                {
                    "refId": "A",
                    "expr": 'process_resident_memory_bytes{job="prometheus"}',
                    "legendFormat": "{{instance}}",
                }
            ],
        },
        {
            "type": "logs",
            "title": "Errors in the logs",
            "gridPos": {"x": 16, "y": 1, "w": 8, "h": 4},
            "datasource": {"type": "loki", "uid": "loki-uid"},
            "targets": [{"refId": "A", "expr": '{job="api"} |= "error"'}],
        },
        {
            "type": "stat",
            "title": "Doubled",
            "gridPos": {"x": 0, "y": 5, "w": 8, "h": 4},
            "datasource": {"type": "__expr__", "uid": "__expr__"},
            "targets": [{"refId": "B", "type": "math", "expression": "$A * 2"}],
        },
    ],
}


@pytest.fixture
def grafana(node_stack) -> Iterator[GrafanaStub]:
    # Ten seconds of scrapes: an instant query at the last refresh-grid time (up to 5 s
    # ago) must not fall before a just-started server's first one.
    wait_until(
        lambda: prom_query(
            node_stack.prometheus_url, 'count_over_time(up{job="prometheus"}[1m]) >= 10'
        ),
        timeout=30,
        what="ten scrapes",
    )
    with GrafanaStub(TOKEN) as stub:
        stub.add_datasource(
            "prom-uid", "Prometheus", "prometheus", node_stack.prometheus_url, default=True
        )
        stub.add_datasource("loki-uid", "Loki", "loki", "http://127.0.0.1:9")
        own = json.loads(corpus.own(SELF["prom-self"]).read_text())
        stub.add_dashboard(own, uid="prom-self", folder="Ops")
        if corpus.directory() is not None:
            stats = json.loads(corpus.path(SELF["prom2stats"]).read_text())
            stub.add_dashboard(stats, uid="prom2stats", folder="Ops")
        stub.add_dashboard(copy.deepcopy(MINE), uid="mixed-bag")
        stub.add_dashboard({**MINE, "title": "Twin"}, uid="twin-1", folder="A")
        stub.add_dashboard({**MINE, "title": "Twin"}, uid="twin-2", folder="B")
        yield stub


def allintop(*args: str, token: str | None = TOKEN) -> subprocess.CompletedProcess[str]:
    environ = {k: v for k, v in os.environ.items() if k != "GRAFANA_TOKEN"}
    if token is not None:
        environ["GRAFANA_TOKEN"] = token
    return subprocess.run(
        [sys.executable, "-m", "allintop", *args],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=ROOT,
        env=environ,
    )


def _no_token(*outputs: str) -> None:
    for output in outputs:
        assert TOKEN not in output and TOKEN[5:15] not in output


def test_list_shows_each_dashboard_and_exits_0(grafana: GrafanaStub) -> None:
    result = allintop("--grafana", grafana.url, "--list")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].split() == ["UID", "TITLE", "FOLDER"]
    assert any(line.split()[0] == "prom-self" and "Prometheus self" in line for line in lines)
    assert any(line.startswith("twin-2") and line.rstrip().endswith("B") for line in lines)
    assert {r.path for r in grafana.seen} == {"/api/search"}
    assert all(r.authorized for r in grafana.seen)
    _no_token(result.stdout, result.stderr)


def test_without_the_token_or_with_a_wrong_one_the_error_says_so_and_not_the_token(
    grafana: GrafanaStub, tmp_path: Path
) -> None:
    missing = allintop("--grafana", grafana.url, "--list", token=None)
    assert missing.returncode == 64
    assert "$GRAFANA_TOKEN is not set" in missing.stderr
    wrong = allintop("--grafana", grafana.url, "--list", token=TOKEN + "x")
    assert wrong.returncode == 64
    assert "refused the token (HTTP 401: Unauthorized)" in wrong.stderr
    assert "Traceback" not in wrong.stderr
    _no_token(wrong.stdout, wrong.stderr)
    # A token file others can read works, with ssh's warning, and is never echoed.
    token_file = tmp_path / "token"
    token_file.write_text(TOKEN + "\n")
    token_file.chmod(0o644)
    from_file = allintop(
        "--grafana", grafana.url, "--grafana-token-file", str(token_file), "--list", token=None
    )
    assert from_file.returncode == 0, from_file.stderr
    assert f"{token_file} is readable by other users" in from_file.stderr
    _no_token(from_file.stdout, from_file.stderr)


def test_an_ambiguous_title_lists_the_matches(grafana: GrafanaStub) -> None:
    result = allintop("check", "--grafana", grafana.url, "--dashboard", "twin")
    assert result.returncode == 64
    assert "2 dashboards have that title" in result.stderr
    assert "twin-1 (A)" in result.stderr and "twin-2 (B)" in result.stderr


def test_once_opens_by_title_and_names_what_is_not_supported(grafana: GrafanaStub) -> None:
    result = allintop("once", "--json", "--grafana", grafana.url, "--dashboard", "Mixed bag")
    assert result.returncode == 0, result.stdout + result.stderr
    panels = {p["title"]: p for row in json.loads(result.stdout)["rows"] for p in row["panels"]}
    assert list(panels) == ["Head series", "Resident memory"]
    assert all(p["value"] is not None for p in panels.values())
    assert "not shown (not supported here)" in result.stderr
    assert "Errors in the logs: datasource 'Loki' is loki: not supported" in result.stderr
    assert "Doubled: a server-side expression (__expr__): not supported" in result.stderr
    proxied = [r.path for r in grafana.seen if r.path.startswith("/api/datasources/proxy/")]
    assert proxied and all(
        p.startswith("/api/datasources/proxy/uid/prom-uid/api/v1/") for p in proxied
    )
    _no_token(result.stdout, result.stderr)


def _app(grafana: GrafanaStub, wanted: str) -> DashboardApp:
    """The app as the command line builds it for --grafana URL --dashboard WANTED."""
    environ = {"GRAFANA_TOKEN": TOKEN}
    args = build_parser().parse_args(["--grafana", grafana.url, "--dashboard", wanted])
    launch = resolve(args, environ)
    return make_app(launch.dashboard, launch.datasources(), refresh=1.0)


@pytest.mark.parametrize(
    ("uid", "title"), [("prom-self", "Prometheus self"), ("prom2stats", "Prometheus 2.0 Stats")]
)
async def test_a_real_dashboard_shows_values_through_the_proxy_and_never_the_token(
    grafana: GrafanaStub, tmp_path: Path, uid: str, title: str
) -> None:
    corpus.dashboard(SELF[uid])  # the public corpus' is skipped without it
    app = _app(grafana, uid)
    async with app.run_test(size=(140, 50)) as pilot:
        panels = app.dashboard.queries
        # Each tile's queries (one panel each), in Grafana's grid order: a panel of
        # several targets is one tile over them.
        tiles = [panels[shown.indexes.start : shown.indexes.stop] for shown in app.board.panels]
        titles = [queries[0].title for queries in tiles]
        assert titles[:2] == ["Samples Appended", "Scrape Duration"]
        memory = next(q for q in tiles if q[0].title.startswith("Memory Profile"))
        assert "Memory Profile · virtual memory" in [panel.title for panel in memory]
        assert memory[0].unit == "bytes"
        named = ("Samples Appended", "Head Chunks", "Blocks Loaded")
        wanted = [i for i, panel in enumerate(panels) if panel.title in named]
        await wait_for(
            pilot,
            lambda: all(
                (state := app.state.query(i)) is not None and state.value is not None
                for i in wanted
            ),
            within=30,
            what="values through Grafana's proxy",
        )
        text = screen_text(app)
        assert title in text or "Samples Appended" in text
        # What `s` and --screenshot write: the screen as SVG.
        _no_token(text, app.export_screenshot())
        _no_token(*(f"{n.title} {n.message}" for n in app.notifications))
    proxied = [r for r in grafana.seen if r.path.startswith("/api/datasources/proxy/uid/prom-uid/")]
    assert {"/api/v1/query", "/api/v1/query_range"} <= {
        r.path.removeprefix("/api/datasources/proxy/uid/prom-uid") for r in proxied
    }
    assert all(r.authorized for r in grafana.seen)
