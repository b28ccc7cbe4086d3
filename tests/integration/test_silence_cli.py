"""`allintop silence add|ls|expire` as scripts run it: real processes, a real
Alertmanager (the demo's), and exit codes 0 done, 2 refused, 3 unreachable, 64 bad
command line, 69 no Alertmanager configured."""

from __future__ import annotations

import time

import httpx
import pytest

from tests.faultserver import Reply, closed_port, fault_server, url_of
from tests.helpers import run_allintop

FAST_RULES = {"rule_for": "1s", "rule_interval": "1s", "rule_window": "15s"}


def _firing(prometheus_url: str, name: str, within: float = 40) -> None:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        alerts = httpx.get(f"{prometheus_url}/api/v1/alerts", timeout=5).json()["data"]["alerts"]
        if any(a["labels"]["alertname"] == name and a["state"] == "firing" for a in alerts):
            return
        time.sleep(0.5)
    raise AssertionError(f"{name} did not fire within {within}s")


@pytest.mark.stack
def test_add_ls_and_expire_against_alertmanager(make_stack):
    demo = make_stack("incident", with_alertmanager=True, **FAST_RULES)
    _firing(demo.prometheus_url, "HighErrorRate")
    where = ("--url", demo.prometheus_url, "--alertmanager", demo.alertmanager_url)
    env = {"USER": "ops-bot"}

    added = run_allintop(
        "silence", "add", "alertname=HighErrorRate", "--duration", "1h",
        "--comment", "deploy in progress", *where, env=env,
    )  # fmt: skip
    assert added.returncode == 0, added.stderr
    silence_id = added.stdout.strip()
    assert len(silence_id) == 36  # a UUID, for the script to keep
    assert "it silences" in added.stderr and "HighErrorRate" in added.stderr
    held = httpx.get(f"{demo.alertmanager_url}/api/v2/silence/{silence_id}", timeout=5).json()
    assert held["status"]["state"] == "active"
    assert held["createdBy"] == "ops-bot" and held["comment"] == "deploy in progress"
    assert held["matchers"][0]["name"] == "alertname"

    # A matcher that matches nothing now: made all the same, with a warning.
    nothing = run_allintop(
        "silence", "add", 'job=~"no-such-job.*"', "--comment", "later",
        "--author", "me", *where, env=env,
    )  # fmt: skip
    assert nothing.returncode == 0, nothing.stderr
    assert "warning: it matches no alert firing or pending now" in nothing.stderr

    listed = run_allintop("silence", "ls", *where, env=env)
    assert listed.returncode == 0, listed.stderr
    assert silence_id in listed.stdout and "deploy in progress" in listed.stdout
    assert 'alertname="HighErrorRate"' in listed.stdout and "ops-bot" in listed.stdout

    expired = run_allintop("silence", "expire", silence_id, *where, env=env)
    assert expired.returncode == 0, expired.stderr
    held = httpx.get(f"{demo.alertmanager_url}/api/v2/silence/{silence_id}", timeout=5).json()
    assert held["status"]["state"] == "expired"
    assert silence_id not in run_allintop("silence", "ls", *where, env=env).stdout
    assert silence_id in run_allintop("silence", "ls", "--all", *where, env=env).stdout

    # Alertmanager refuses: its own message, exit 2.
    bad = run_allintop("silence", "add", 'alertname=~"("', "--comment", "x", *where, env=env)
    assert bad.returncode == 2
    assert "HTTP 400" in bad.stderr and "invalid regular expression" in bad.stderr
    gone = run_allintop(
        "silence", "expire", "00000000-0000-0000-0000-000000000000", *where, env=env
    )
    assert gone.returncode == 2 and "silence not found" in gone.stderr
    assert "Traceback" not in bad.stderr + gone.stderr


def test_a_read_only_alertmanager_is_said_with_exit_2(tmp_path):
    # A proxy in front of Alertmanager that lets only reads through.
    refused = Reply(status=403, body=b"writes are not allowed here\n", content_type="text/plain")
    with fault_server(refused) as server:
        # The Alertmanager URL from the config's datasource, as the dashboard reads it.
        config = tmp_path / "panels.yaml"
        config.write_text(
            f"datasource:\n  url: http://127.0.0.1:{closed_port()}\n"
            f"  alertmanager: {url_of(server)}\n"
            "rows:\n  - title: A\n    panels:\n      - title: Up\n        expr: up\n"
        )
        result = run_allintop(
            "silence", "add", "alertname=X", "--comment", "x", "-c", str(config),
            env={"USER": "me"},
        )  # fmt: skip
        assert result.returncode == 2
        assert "forbidden" in result.stderr and "read-only" in result.stderr
        assert "writes are not allowed here" in result.stderr
        assert "/api/v2/silences" in server.requests


def test_the_alertmanager_of_the_datasource_named(tmp_path):
    refused = Reply(status=403, body=b"forbidden\n", content_type="text/plain")
    with fault_server(refused) as server:
        config = tmp_path / "panels.yaml"
        config.write_text(
            "datasources:\n"
            f"  eu:\n    url: http://127.0.0.1:{closed_port()}\n    default: true\n"
            f"    alertmanager: http://127.0.0.1:{closed_port()}\n"
            f"  us:\n    url: http://127.0.0.1:{closed_port()}\n"
            f"    alertmanager: {url_of(server)}\n"
            "rows:\n  - title: A\n    panels:\n      - title: Up\n        expr: up\n"
        )
        eu = run_allintop("silence", "ls", "-c", str(config), env={})
        assert eu.returncode == 3 and "cannot connect" in eu.stderr
        us = run_allintop("silence", "ls", "-c", str(config), "--datasource", "us", env={})
        assert us.returncode == 2, us.stderr  # a read it forbids: refused, not unreachable
        assert "HTTP 403" in us.stderr
        assert server.requests == ["/api/v2/silences"]


def test_unreachable_alertmanager_is_exit_3():
    where = ("--alertmanager", f"http://127.0.0.1:{closed_port()}")
    result = run_allintop("silence", "ls", *where, env={})
    assert result.returncode == 3
    assert "cannot connect" in result.stderr and "Traceback" not in result.stderr


def test_no_alertmanager_configured_is_exit_69():
    result = run_allintop("silence", "ls", env={})
    assert result.returncode == 69
    assert "no Alertmanager configured" in result.stderr and "--alertmanager" in result.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("add", "alertname=X"), "--comment"),
        (("add", "alertname=X", "--comment", "x", "--duration", "soon"), "not a duration"),
        (("add", "=nothing", "--comment", "x"), "not a matcher"),
        (("add", 'job=~".*"', "--comment", "x"), "must not match the empty string"),
        (("add", "alertname=X", "--comment", " "), "a comment is required"),
        (("expire",), "ID"),
        (("frobnicate",), "invalid choice"),
    ],
)
def test_a_bad_silence_command_line_is_exit_64(args, message):
    where = ("--alertmanager", f"http://127.0.0.1:{closed_port()}")
    result = run_allintop("silence", *args, *where, env={"USER": "me"})
    assert result.returncode == 64, result.stderr
    assert message in result.stderr and "Traceback" not in result.stderr
