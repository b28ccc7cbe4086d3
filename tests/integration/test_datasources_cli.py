"""Several datasources from the command line: --datasource, datasource variables,
and `once` / `check` querying each panel's own datasource (real processes)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.faultserver import closed_port

ROOT = Path(__file__).resolve().parents[2]


def allintop(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "allintop", *args],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=ROOT,
    )


def _config(tmp_path: Path, live: str) -> Path:
    path = tmp_path / "panels.yaml"
    path.write_text(
        f"""\
datasources:
  dead: "http://127.0.0.1:{closed_port()}"
  live: "{live}"
variables:
  where: {{type: datasource}}
rows:
  - title: Default
    panels:
      - {{title: Up, expr: 'vector(1)'}}
  - title: Chosen
    panels:
      - {{title: Chosen up, expr: 'vector(1)', datasource: $where}}
  - title: Live
    datasource: live
    panels:
      - {{title: Live up, expr: 'vector(1)'}}
"""
    )
    return path


def _values(result: subprocess.CompletedProcess[str]) -> dict[str, object]:
    document = json.loads(result.stdout)
    return {p["title"]: p["value"] for row in document["rows"] for p in row["panels"]}


@pytest.mark.stack
def test_each_panel_queries_its_own_datasource_and_datasource_picks_the_default(
    stack, tmp_path
) -> None:
    path = str(_config(tmp_path, stack.prometheus_url))
    first = allintop("once", "--json", "-c", path)
    assert first.returncode == 3  # the default, "dead", cannot be reached
    assert _values(first) == {"Up": None, "Chosen up": None, "Live up": 1.0}

    switched = allintop("once", "--json", "-c", path, "--datasource", "live")
    assert switched.returncode == 0, switched.stderr
    assert _values(switched) == {"Up": 1.0, "Chosen up": 1.0, "Live up": 1.0}

    chosen = allintop("once", "--json", "-c", path, "--var", "where=live")
    assert _values(chosen) == {"Up": None, "Chosen up": 1.0, "Live up": 1.0}


def test_unknown_datasource_names_are_usage_errors(tmp_path) -> None:
    path = str(_config(tmp_path, "http://127.0.0.1:9"))
    result = allintop("once", "-c", path, "--datasource", "europe")
    assert result.returncode == 64
    assert "has no datasource 'europe'" in result.stderr and "dead, live" in result.stderr
    result = allintop("once", "-c", path, "--var", "where=europe")
    assert result.returncode == 64
    assert "not one of the datasources $where chooses from" in result.stderr
    assert "Traceback" not in result.stderr
