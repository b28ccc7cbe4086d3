"""The dashboard allintop picks with no config: the generic Prometheus overview on a
server without the AllIN metrics, the AllIN overview on one with them (real
Prometheus, real node-exporter, the real command line)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.faultserver import closed_port
from tests.helpers import wait_until

pytestmark = pytest.mark.stack

ROOT = Path(__file__).resolve().parents[2]
NOTICE = "none of the AllIN metrics: showing the generic Prometheus overview"


def allintop_without_config(
    tmp_path: Path, *args: str, **extra_env: str
) -> subprocess.CompletedProcess[str]:
    """allintop as run from an empty directory by a user with no config anywhere."""
    cwd, home = tmp_path / "cwd", tmp_path / "home"
    cwd.mkdir(exist_ok=True)
    home.mkdir(exist_ok=True)
    drop = ("ALLINTOP_CONFIG", "PROMETHEUS_URL", "XDG_CONFIG_HOME")
    env = {k: v for k, v in os.environ.items() if k not in drop}
    env |= {"HOME": str(home), "XDG_CONFIG_HOME": str(home / ".config"), "PYTHONPATH": str(ROOT)}
    return subprocess.run(
        [sys.executable, "-m", "allintop", *args],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=cwd,
        env=env | extra_env,
    )


def panels(output: str) -> list[dict]:
    return [panel for row in json.loads(output)["rows"] for panel in row["panels"]]


def test_a_server_without_allin_metrics_gets_the_generic_overview(node_stack, tmp_path):
    def once() -> subprocess.CompletedProcess[str] | None:
        run = allintop_without_config(
            tmp_path, "once", "--json", "--url", node_stack.prometheus_url
        )
        shown = panels(run.stdout)
        with_values = [p for p in shown if isinstance(p["value"], float)]
        # The dashboard queries at its 5s refresh grid, so a Prometheus that started
        # seconds ago may have nothing there yet: wait until most panels have values.
        return run if len(with_values) >= len(shown) - 1 else None

    result = wait_until(once, timeout=30, what="most panels to have values")
    # 3 is a panel without a value, which the wait allows one of (the machine's CPU
    # may be busy); never a usage, config or setup error.
    assert result.returncode in (0, 1, 2, 3), result.stderr
    assert NOTICE in result.stderr
    assert "-c FILE" in result.stderr and "$ALLINTOP_CONFIG" in result.stderr
    rows = [row["title"] for row in json.loads(result.stdout)["rows"]]
    assert rows == ["Scrape Targets", "Prometheus", "Node"]  # node-exporter is there
    shown = panels(result.stdout)
    titles = {panel["title"] for panel in shown}
    assert {
        "Targets Up per job",
        "Scrape Duration per job",
        "Head Series",
        "CPU Busy",
        "Root FS Used",
    } <= titles
    assert "Rule Failures" not in titles  # no rules loaded: nothing it could show
    up = next(p for p in shown if p["title"] == "Targets Up per job")
    assert {s["labels"]["job"]: s["value"] for s in up["series"]} == {"node": 1, "prometheus": 1}


def test_the_dashboard_chooses_once_it_runs_and_says_so_on_stderr(node_stack, tmp_path):
    # The live dashboard asks the server once it is up (its frame on screen); what
    # it chose is still said on stderr, for after it is gone.
    shot = tmp_path / "shot.svg"
    result = allintop_without_config(
        tmp_path, "--url", node_stack.prometheus_url, "--screenshot", str(shot)
    )
    assert result.returncode == 0, result.stderr
    assert NOTICE in result.stderr and "Traceback" not in result.stderr
    svg = shot.read_text()
    assert "Targets&#160;Up" in svg and "CPU&#160;Busy" in svg  # the generic's panels
    assert "Requests/sec" not in svg


def test_check_says_which_dashboard_it_checks(node_stack, tmp_path):
    result = allintop_without_config(tmp_path, "check", "--url", node_stack.prometheus_url)
    assert result.returncode == 0, result.stdout + result.stderr
    assert NOTICE in result.stderr
    assert "queries, all run and return data" in result.stdout


def test_a_config_that_was_given_is_shown_even_so(node_stack, tmp_path):
    result = allintop_without_config(
        tmp_path,
        "once",
        "--json",
        "--url",
        node_stack.prometheus_url,
        ALLINTOP_CONFIG=str(ROOT / "panels.yaml"),
    )
    assert NOTICE not in result.stderr
    assert json.loads(result.stdout)["rows"][0]["title"] == "Request Metrics"


def test_a_server_with_the_allin_metrics_keeps_the_allin_overview(stack, tmp_path):
    result = allintop_without_config(tmp_path, "once", "--json", "--url", stack.prometheus_url)
    assert result.returncode == 0, result.stderr
    assert NOTICE not in result.stderr and result.stderr == ""
    rows = [row["title"] for row in json.loads(result.stdout)["rows"]]
    assert rows == ["Request Metrics", "System Health", "Application Metrics"]


def test_an_unreachable_server_keeps_the_allin_overview(tmp_path):
    url = f"http://127.0.0.1:{closed_port()}"
    result = allintop_without_config(tmp_path, "once", "--url", url)
    assert result.returncode == 3
    assert NOTICE not in result.stderr
    assert "connection refused" in result.stderr and "Traceback" not in result.stderr
