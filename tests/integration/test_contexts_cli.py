"""Contexts from the command line: --context picks one of the user config's,
default_context when none is named; errors are exit 64 with file:line (real
processes; the `once` run queries the real demo Prometheus)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.faultserver import closed_port

ROOT = Path(__file__).resolve().parents[2]


def allintop(xdg: Path, *args: str) -> subprocess.CompletedProcess[str]:
    environ = {**os.environ, "XDG_CONFIG_HOME": str(xdg)}
    for name in ("ALLINTOP_CONFIG", "PROMETHEUS_URL"):
        environ.pop(name, None)
    return subprocess.run(
        [sys.executable, "-m", "allintop", *args],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=ROOT,
        env=environ,
    )


def _user_config(tmp_path: Path, text: str) -> Path:
    directory = tmp_path / "allintop"
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / "config.yaml"
    path.write_text(text)
    path.chmod(0o644)
    return path


ONE_PANEL = """\
rows:
  - title: R
    panels:
      - {title: Up, expr: 'count(allin_http_requests_total)'}  # has history from the start
"""


@pytest.mark.stack
def test_context_picks_the_servers_and_default_context_applies_without_it(stack, tmp_path) -> None:
    (tmp_path / "allintop").mkdir()
    (tmp_path / "allintop" / "one.yaml").write_text(ONE_PANEL)
    _user_config(
        tmp_path,
        f"""\
default_context: dead
contexts:
  live:
    dashboard: one.yaml
    datasource: "{stack.prometheus_url}"
  dead:
    dashboard: one.yaml
    datasource: "http://127.0.0.1:{closed_port()}"
""",
    )
    live = allintop(tmp_path, "once", "--json", "--context", "live")
    assert live.returncode == 0, live.stderr
    panels = [p for row in json.loads(live.stdout)["rows"] for p in row["panels"]]
    assert [p["title"] for p in panels] == ["Up"] and panels[0]["value"] >= 1
    dead = allintop(tmp_path, "once")  # default_context: the dead server
    assert dead.returncode == 3 and "connection refused" in dead.stdout + dead.stderr


def test_an_unknown_context_is_a_usage_error_naming_the_known_ones(tmp_path) -> None:
    _user_config(tmp_path, "contexts:\n  eu: {datasource: http://eu:9090}\n")
    result = allintop(tmp_path, "check", "--context", "us")
    assert result.returncode == 64
    assert "has no context 'us'" in result.stderr and "its contexts: eu" in result.stderr
    assert "Traceback" not in result.stderr


def test_context_without_a_user_config_says_where_it_goes(tmp_path) -> None:
    result = allintop(tmp_path, "check", "--context", "eu")
    assert result.returncode == 64
    assert f"{tmp_path}/allintop/config.yaml does not exist" in result.stderr


def test_a_broken_user_config_is_file_line_and_exit_64(tmp_path) -> None:
    path = _user_config(tmp_path, "contexts:\n  eu:\n    datasource: {url: http://eu, token: x}\n")
    result = allintop(tmp_path, "check")
    assert result.returncode == 64
    assert f'{path}:3: contexts.eu.datasource: inline secret "token"' in result.stderr


def test_a_user_config_others_can_change_is_warned_about(tmp_path) -> None:
    (tmp_path / "allintop").mkdir()
    (tmp_path / "allintop" / "one.yaml").write_text(ONE_PANEL)
    path = _user_config(
        tmp_path,
        f"contexts:\n  x: {{dashboard: one.yaml, datasource: 'http://127.0.0.1:{closed_port()}'}}\n",
    )
    path.chmod(0o664)
    result = allintop(tmp_path, "once", "--context", "x")
    assert f"warning: the config {path} is writable by other users" in result.stderr
    assert result.returncode == 3
