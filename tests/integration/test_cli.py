"""The command line as a user runs it: real processes, real exit codes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import venv
from pathlib import Path

import pytest

from tests.faultserver import closed_port
from tests.helpers import run_allintop

ROOT = Path(__file__).resolve().parents[2]


def allintop(*args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    return run_allintop(*args, timeout=timeout)


def test_help_lists_every_command():
    result = allintop("--help")
    assert result.returncode == 0
    for command in ("demo", "once", "check"):
        assert command in result.stdout
    for option in ("--url", "--refresh", "--range", "--var", "--config", "--insecure"):
        assert option in result.stdout


def test_version():
    result = allintop("--version")
    assert result.returncode == 0
    assert result.stdout.startswith("allintop ")


def test_broken_config_is_one_clear_error_with_exit_code_64(tmp_path):
    bad = tmp_path / "panels.yaml"
    bad.write_text("rows:\n  - title: A\n    panels:\n      - title: X\n        exprr: up\n")
    result = allintop("once", "-c", str(bad))
    assert result.returncode == 64
    assert f"{bad}:5" in result.stderr
    assert "exprr" in result.stderr and "did you mean" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--refresh", "5 minutes"), "--refresh"),
        (("--var", "novalue"), "NAME=VALUE"),
        (("--frobnicate",), "unrecognized arguments"),
    ],
)
def test_bad_command_line_is_exit_code_64(args, message):
    result = allintop("once", *args)
    assert result.returncode == 64
    assert message in result.stderr
    assert "Traceback" not in result.stderr


def test_once_against_unreachable_prometheus_exits_3():
    result = allintop("once", "--url", f"http://127.0.0.1:{closed_port()}")
    assert result.returncode == 3
    assert "connection refused" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(
    ("url", "said"),
    [
        ("http://127.0.0.1:99999", "port out of range"),
        ("http://[::1", "cannot be read"),
        ("ftp://127.0.0.1:21", "speaks http and https"),
        ("http://:9090", "names no host"),
    ],
)
@pytest.mark.parametrize("command", [(), ("once",)])
def test_a_url_that_names_no_server_is_a_usage_error(url, said, command):
    result = allintop(*command, "--url", url, timeout=30)
    assert result.returncode == 64, result.stderr
    assert said in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.stack
def test_once_into_a_pipe_its_reader_closed_ends_quietly(stack):
    read, write = os.pipe()
    process = subprocess.Popen(
        [sys.executable, "-m", "allintop", "once", "--json", "--url", stack.prometheus_url],
        stdout=write,
        stderr=subprocess.PIPE,
        cwd=ROOT,
    )
    os.close(write)
    os.close(read)  # `| head` gone before anything is written
    _, err = process.communicate(timeout=60)
    assert process.returncode == 141, err
    assert b"Traceback" not in err and b"Exception" not in err


@pytest.mark.stack
def test_once_on_healthy_stack_is_ok(stack):
    result = allintop("once", "--url", stack.prometheus_url)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "P95 Response Time" in result.stdout and " ms " in result.stdout
    data = json.loads(allintop("once", "--json", "--url", stack.prometheus_url).stdout)
    panels = [p for row in data["rows"] for p in row["panels"]]
    assert len(panels) == 13
    assert all(isinstance(p["value"], float) for p in panels)
    assert {p["status"] for p in panels if p["title"] != "DB Query P99"} == {"ok"}


@pytest.mark.stack
def test_once_on_incident_exits_2(make_stack):
    incident = make_stack("incident")
    result = allintop("once", "--url", incident.prometheus_url)
    assert result.returncode == 2, result.stdout
    assert "critical" in result.stdout


@pytest.mark.stack
def test_check_reports_each_failing_expression_with_its_line(stack, tmp_path):
    panels = tmp_path / "panels.yaml"
    panels.write_text(
        "rows:\n"
        "  - title: A\n"
        "    panels:\n"
        "      - title: fine\n"
        "        expr: up\n"
        "      - title: bad regex\n"
        '        expr: label_replace(up, "a", "$1", "job", "(")\n'
    )
    result = allintop("check", "-c", str(panels), "--url", stack.prometheus_url)
    assert result.returncode == 2
    assert f"{panels}:6: bad regex:" in result.stdout
    assert "1 rejected" in result.stdout
    good = allintop("check", "--url", stack.prometheus_url)
    assert good.returncode == 0, good.stdout
    assert "queries, all run and return data" in good.stdout


def test_check_on_a_grafana_json_counts_its_queries_and_names_no_line(stack, tmp_path):
    """A Grafana panel may have several queries, and JSON has no lines to point to."""
    target = {"datasource": {"type": "prometheus"}, "refId": "A"}
    panel = {
        "type": "timeseries",
        "title": "Requests",
        "gridPos": {"x": 0, "y": 0, "w": 12, "h": 8},
        "targets": [
            {**target, "expr": "up", "legendFormat": "up"},
            {**target, "refId": "B", "expr": "no_such_metric_anywhere", "legendFormat": "none"},
        ],
    }
    dashboard = tmp_path / "grafana.json"
    dashboard.write_text(json.dumps({"title": "Two queries", "panels": [panel]}))
    result = allintop("check", "-c", str(dashboard), "--url", stack.prometheus_url)
    assert result.returncode == 1, result.stdout + result.stderr
    assert f"{dashboard}: Requests · none: no data" in result.stdout
    assert f"{dashboard}:0" not in result.stdout
    assert result.stdout.rstrip().endswith(f"{dashboard}: 2 queries, 1 without data")


def test_pip_install_into_an_empty_venv(tmp_path):
    target = tmp_path / "venv"
    venv.create(target, with_pip=True)
    python = target / "bin" / "python"
    install = subprocess.run(
        [str(python), "-m", "pip", "install", "--quiet", str(ROOT)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert install.returncode == 0, install.stderr[-2000:]
    helped = subprocess.run(
        [str(target / "bin" / "allintop"), "--help"], capture_output=True, text=True
    )
    assert helped.returncode == 0 and "demo" in helped.stdout
    version = subprocess.run(
        [str(python), "-m", "allintop", "--version"], capture_output=True, text=True
    )
    assert version.returncode == 0 and "allintop" in version.stdout
    # The bundled dashboards ship inside the wheel.
    code = (
        "from allintop.dashboard.loading import load\n"
        "print(load(None).rows[0].title)\n"
        "print(load('prometheus-overview').rows[0].title)\n"
    )
    check = subprocess.run([str(python), "-c", code], capture_output=True, text=True, cwd=tmp_path)
    assert check.stdout.split() == ["Request", "Metrics", "Scrape", "Targets"], check.stderr


def test_common_options_work_before_and_after_the_command():
    port = closed_port()
    for args in (
        ("--url", f"http://127.0.0.1:{port}", "once"),
        ("once", "--url", f"http://127.0.0.1:{port}"),
    ):
        result = allintop(*args)
        assert result.returncode == 3, args
        assert f"127.0.0.1:{port}" in result.stderr, args
