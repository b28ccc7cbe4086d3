"""`once` lists each series of a panel of several, as the stat shows one value each;
its exit status is the worst of every series."""

from __future__ import annotations

import asyncio
import io
import json
from pathlib import Path

from allintop.cli.commands.snapshot import run_once
from allintop.dashboard.loading import load_dashboard
from allintop.live.datasources import Datasources
from tests.fakeprom import FakePrometheus, FakeSeries, target
from tests.fast.fakeapp import DASHBOARD


def _run(tmp_path: Path, *, as_json: bool, failing: bool = False) -> tuple[int, str]:
    path = tmp_path / "panels.yaml"
    path.write_text(DASHBOARD)
    dashboard = load_dashboard(path)
    # Every value constant: `once` asks at the wall clock's time.
    login = 82.5 if failing else 99.7  # one route of three fails: the worst decides
    routes = [("/", 99.95), ("/api", 99.9), ("/login", login)]
    fake = FakePrometheus(
        metrics={
            "route:success_ratio:percent": [FakeSeries({"route": r}, v) for r, v in routes],
            "service:latency_p95:ms": [FakeSeries({}, 120.0)],
            "service:requests:rate": [FakeSeries({}, 850.0)],
            "service:queue_depth": [FakeSeries({}, 12.0)],
            "host:memory:bytes": [FakeSeries({}, 6.2 * 2**30)],
            "host:cpu:percent": [FakeSeries({}, 35.0)],
        },
        target_list=[target("api")],
    )
    sources = Datasources({dashboard.datasource.name: fake}, dashboard.datasource.name)
    out = io.StringIO()
    code = asyncio.run(run_once(dashboard, sources, {}, as_json=as_json, out=out))
    return code, out.getvalue()


def test_once_json_lists_every_series_with_its_own_status(tmp_path: Path) -> None:
    code, out = _run(tmp_path, as_json=True, failing=True)
    panels = [p for row in json.loads(out)["rows"] for p in row["panels"]]
    success = next(p for p in panels if p["title"] == "Success Rate")
    by_route = {s["labels"]["route"]: (s["value"], s["status"]) for s in success["series"]}
    assert by_route == {
        "/login": (82.5, "critical"),
        "/api": (99.9, "ok"),
        "/": (99.95, "ok"),
    }
    # The keys scripts read are still there, as they were.
    assert success["value"] == 82.5 and success["total_series"] == 3
    assert success["status"] == "critical"
    assert code == 2  # the worst series: critical


def test_once_table_lists_each_series_under_its_panel(tmp_path: Path) -> None:
    code, out = _run(tmp_path, as_json=False)
    lines = out.splitlines()
    at = next(i for i, line in enumerate(lines) if line.strip().startswith("Success Rate"))
    assert "3 series" in lines[at]
    listed = lines[at + 1 : at + 4]
    for route, value in (("/", "99.95 %"), ("/api", "99.9 %"), ("/login", "99.7 %")):
        assert any(line.split()[0] == route and value in line for line in listed), listed
    assert "more" not in out
    assert code == 0
