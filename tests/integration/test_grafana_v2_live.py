"""`allintop --grafana` with schema v2 dashboards (Grafana 12 and later), from a
stand-in Grafana (tests/grafanastub.py) over a real socket in front of the demo's
real Prometheus: a dashboard the classic API refuses is read from the resource API
(/apis/dashboard.grafana.app/...), one the classic API answers with its v2 JSON is
read from that answer; both show values through Grafana's datasource proxy.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from allintop.demo.stack import DemoStack
from tests.grafanastub import GrafanaStub

pytestmark = pytest.mark.stack

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures" / "grafana-v2"
TOKEN = "glsa_v2_test_token_0123456789"


@pytest.fixture
def grafana(stack: DemoStack) -> Iterator[GrafanaStub]:
    with GrafanaStub(TOKEN) as stub:
        # The fixtures name their datasource by the uid "prometheus".
        stub.add_datasource("prometheus", "Prometheus", "prometheus", stack.prometheus_url)
        allin = json.loads((FIXTURES / "allin-overview-v2beta1.json").read_text())
        stub.add_v2_dashboard(allin, uid="allin-v2", folder="AllIN")
        tabs = json.loads((FIXTURES / "tabs-layout-v2beta1.json").read_text())
        stub.add_v2_dashboard(tabs, uid="tabs-v2", classic=True)
        yield stub


def _once(grafana: GrafanaStub, wanted: str) -> subprocess.CompletedProcess[str]:
    environ = {**os.environ, "GRAFANA_TOKEN": TOKEN}
    return subprocess.run(
        [sys.executable, "-m", "allintop", "once", "--json"]
        + ["--grafana", grafana.url, "--dashboard", wanted],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=ROOT,
        env=environ,
    )


def _panels(output: str) -> dict[str, object]:
    rows = json.loads(output)["rows"]
    return {panel["title"]: panel["value"] for row in rows for panel in row["panels"]}


def test_a_v2_dashboard_the_classic_api_refuses_is_read_from_the_resource_api(
    grafana: GrafanaStub,
) -> None:
    result = _once(grafana, "AllIN Platform Overview")
    assert result.returncode in (0, 1, 2, 3), result.stderr  # 3: a panel without a value
    values = _panels(result.stdout)
    assert {"Requests/sec", "CPU Usage", "Cache Hit Rate"} <= set(values)
    assert values["Requests/sec"] is not None and values["CPU Usage"] is not None
    paths = [request.path for request in grafana.seen]
    assert "/api/dashboards/uid/allin-v2" in paths
    assert "/apis/dashboard.grafana.app/v2beta1/namespaces/default/dashboards/allin-v2" in paths
    assert any(path.startswith("/api/datasources/proxy/uid/prometheus/") for path in paths)
    assert TOKEN not in result.stdout + result.stderr


def test_a_v2_dashboard_the_classic_api_answers_is_read_from_its_answer(
    grafana: GrafanaStub,
) -> None:
    result = _once(grafana, "tabs-v2")
    assert result.returncode in (0, 1, 2, 3), result.stderr  # 3: a panel without a value
    values = _panels(result.stdout)
    assert set(values) == {"Requests/sec", "P95 Response Time", "CPU Usage", "Event Loop Lag"}
    assert values["Requests/sec"] is not None
    assert not [r.path for r in grafana.seen if r.path.startswith("/apis/")]


def test_a_dashboard_neither_api_has_says_what_grafana_answered(grafana: GrafanaStub) -> None:
    grafana.resources.pop("allin-v2")
    result = _once(grafana, "allin-v2")
    assert result.returncode == 3, result.stderr
    assert "HTTP 406" in result.stderr and "Traceback" not in result.stderr
