"""What a new user hit from the command line, against real servers.

Basic auth against a Prometheus that demands it (bcrypt users in --web.config.file),
monitoring-plugin exit codes for `once` and `check`, the messages for refused
credentials and for a server that is not Prometheus, and URLs as people type them.
"""

from __future__ import annotations

import contextlib
import functools
import http.server
import json
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from allintop.cli.exits import exit_code
from allintop.dashboard.loading import bundled_default_path, load_dashboard
from allintop.sources.prometheus import PrometheusClient
from allintop.values.thresholds import Status
from tests.faultproxy import BAD_GATEWAY, fault_proxy
from tests.faultserver import closed_port
from tests.helpers import run_allintop
from tests.secured import secured_prometheus

ROOT = Path(__file__).resolve().parents[2]
USER, PASSWORD = "admin", "correct horse battery staple"

ONE_PANEL = """\
datasource:
  auth: {{username: {user}, password_{source}: {where}}}
rows:
  - title: R
    panels:
      - title: One
        expr: vector(1)
"""


def allintop(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return run_allintop(*args, env=env or {})


@pytest.fixture(scope="module")
def secured(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with secured_prometheus(tmp_path_factory.mktemp("secured"), {USER: PASSWORD}) as url:
        yield url


def _panels(tmp_path: Path, source: str, where: str) -> Path:
    path = tmp_path / "panels.yaml"
    path.write_text(ONE_PANEL.format(user=USER, source=source, where=where))
    return path


# -- 2 and 6: basic auth, and what a refusal says ---------------------------------------


def test_basic_auth_from_the_config_env_is_sent_as_basic_auth(secured, tmp_path):
    panels = _panels(tmp_path, "env", "PROM_PASSWORD")
    result = allintop("once", "--json", "-c", str(panels), "--url", secured,
                      env={"PROM_PASSWORD": PASSWORD})  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["rows"][0]["panels"][0]["value"] == 1.0


def test_basic_auth_from_the_config_file_is_sent_as_basic_auth(secured, tmp_path):
    secret = tmp_path / "password"
    secret.write_text(PASSWORD + "\n")
    panels = _panels(tmp_path, "file", str(secret))
    result = allintop("once", "-c", str(panels), "--url", secured)
    assert result.returncode == 0, result.stderr


def test_basic_auth_from_the_command_line(secured, tmp_path):
    panels = _panels(tmp_path, "env", "UNSET_HERE")
    # The command line wins over the config's auth.
    result = allintop("once", "-c", str(panels), "--url", secured, "--basic-auth-user", USER,
                      env={"ALLINTOP_PASSWORD": PASSWORD})  # fmt: skip
    assert result.returncode == 0, result.stderr


def test_a_wrong_password_says_it_was_sent_and_refused(secured, tmp_path):
    panels = _panels(tmp_path, "env", "PROM_PASSWORD")
    result = allintop("once", "-c", str(panels), "--url", secured,
                      env={"PROM_PASSWORD": "wrong"})  # fmt: skip
    assert result.returncode == 3
    assert "credentials were sent and refused" in result.stderr
    assert "wrong" not in result.stderr and PASSWORD not in result.stderr


def test_no_credentials_names_the_options_that_exist(secured, tmp_path):
    result = allintop("once", "--url", secured)
    assert result.returncode == 3
    assert "HTTP 401" in result.stderr
    for option in ("--bearer-token-file", "--basic-auth-user", "$ALLINTOP_PASSWORD", "auth:"):
        assert option in result.stderr
    assert "--auth-env" not in result.stderr and "--auth-file" not in result.stderr
    assert "sent and refused" not in result.stderr


# -- 10: URLs as people type them ------------------------------------------------------


@pytest.mark.stack
def test_a_url_without_a_scheme_is_taken_as_http_and_said(stack):
    hostport = stack.prometheus_url.removeprefix("http://")
    result = allintop("once", "--url", hostport)
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"--url has no scheme: using http://{hostport}" in result.stderr


def test_credentials_in_the_url_work_with_a_warning_and_are_never_shown(secured, tmp_path):
    panels = tmp_path / "panels.yaml"
    panels.write_text(
        "rows:\n  - title: R\n    panels:\n      - title: One\n        expr: vector(1)\n"
    )
    with_credentials = secured.replace("http://", f"http://{USER}:{PASSWORD.replace(' ', '%20')}@")
    result = allintop("once", "-c", str(panels), "--url", with_credentials)
    assert result.returncode == 0, result.stderr
    assert "warning: --url carries credentials" in result.stderr
    assert "correct horse" not in result.stdout + result.stderr
    # Nor in an error, when the server cannot be reached.
    port = closed_port()
    down = allintop("once", "--url", f"http://{USER}:hunter2@127.0.0.1:{port}")
    assert down.returncode == 3
    assert f"127.0.0.1:{port}" in down.stderr and "hunter2" not in down.stderr
    client = PrometheusClient(f"http://{USER}:hunter2@127.0.0.1:{port}/prefix")
    assert client.url == f"http://127.0.0.1:{port}/prefix" and "hunter2" not in client.host


# -- 3: exit codes and why a panel is unknown -----------------------------------------


def test_exit_codes_rank_critical_then_unknown_then_warning():
    ok, warn, crit, unknown = Status.OK, Status.WARNING, Status.CRITICAL, Status.UNKNOWN
    assert exit_code([ok, ok]) == 0
    assert exit_code([ok, warn]) == 1
    assert exit_code([warn, unknown]) == 3
    assert exit_code([unknown, crit, warn]) == 2
    assert exit_code([]) == 3


def test_once_on_a_prometheus_without_the_metrics_is_unknown_and_says_why(secured, tmp_path):
    # The AllIN overview against a Prometheus that has none of its metrics.
    result = allintop("once", "--json", "-c", str(bundled_default_path()), "--url", secured,
                      "--basic-auth-user", USER, env={"ALLINTOP_PASSWORD": PASSWORD})  # fmt: skip
    assert result.returncode == 3, result.stdout + result.stderr
    data = json.loads(result.stdout)
    assert data["exit_code"] == 3
    panels = [p for row in data["rows"] for p in row["panels"]]
    assert len(panels) == len(load_dashboard(bundled_default_path()).queries)
    for panel in panels:
        assert panel["status"] == "unknown"
        assert panel["reason"].startswith("no data: the server has no series named allin_"), panel


@pytest.mark.stack
def test_once_and_check_on_missing_metrics_and_errors(stack, tmp_path):
    panels = tmp_path / "panels.yaml"
    panels.write_text(
        "rows:\n  - title: R\n    panels:\n"
        "      - title: fine\n        expr: count(allin_http_requests_total)\n"
        "      - title: missing\n        expr: sum(rate(no_such_metric_total[1m]))\n"
    )
    once = allintop("once", "--json", "-c", str(panels), "--url", stack.prometheus_url)
    assert once.returncode == 3, once.stdout + once.stderr
    rows = json.loads(once.stdout)["rows"][0]["panels"]
    assert rows[0]["status"] == "ok" and rows[1]["status"] == "unknown"
    assert rows[1]["reason"] == "no data: the server has no series named no_such_metric_total"
    check = allintop("check", "-c", str(panels), "--url", stack.prometheus_url)
    assert check.returncode == 1, check.stdout
    assert f"{panels}:6: missing: no data: the server has no series named no_such_metric_total" in (
        check.stdout
    )
    assert "1 without data" in check.stdout


@pytest.mark.stack
def test_once_takes_refresh_and_range_from_the_command_line_over_the_file(stack, tmp_path):
    panels = tmp_path / "panels.yaml"
    panels.write_text(
        "refresh: 1m\nrange: 1h\nrows:\n  - title: R\n    panels:\n"
        "      - title: rate window\n        expr: vector($__rate_interval_ms)\n"
        "      - title: range\n        expr: vector($__range_s)\n"
    )

    def values(*options: str) -> list[float]:
        run = allintop("once", "--json", "-c", str(panels), "--url", stack.prometheus_url, *options)
        assert run.returncode == 0, run.stdout + run.stderr
        return [card["value"] for card in json.loads(run.stdout)["rows"][0]["panels"]]

    # Grafana's, for the 1 s scrape interval the stack's targets say: the file's hour
    # over 200 points is 18 s, + 1 s; the refresh has nothing to do with it.
    assert values() == [19_000, 3600]
    assert values("--refresh", "5s", "--range", "15m") == [5_500, 900]  # 4.5 s + 1 s


@pytest.mark.stack
def test_check_fails_on_an_expression_that_does_not_parse_with_its_position(stack, tmp_path):
    panels = tmp_path / "panels.yaml"
    panels.write_text(
        "rows:\n  - title: R\n    panels:\n"
        "      - title: fine\n        expr: count(allin_http_requests_total)\n"
        "      - title: unclosed\n        expr: sum(rate(up[1m])\n"
    )
    check = allintop("check", "-c", str(panels), "--url", stack.prometheus_url)
    assert check.returncode == 2, check.stdout + check.stderr
    assert f"{panels}:6: unclosed:" in check.stdout
    assert "1:17: parse error: unclosed left parenthesis" in check.stdout
    assert "1 rejected" in check.stdout
    # And `once` still shows the rest: one broken panel does not stop it.
    once = allintop("once", "--json", "-c", str(panels), "--url", stack.prometheus_url)
    rows = json.loads(once.stdout)["rows"][0]["panels"]
    assert rows[0]["status"] == "ok" and "parse error" in rows[1]["reason"]


# -- 9: the same fault, the same code; a server that is not Prometheus ----------------


@pytest.mark.stack
def test_a_proxy_error_page_is_unknown_for_once_and_check_alike(stack):
    with fault_proxy(stack.prometheus_url) as proxy:
        proxy.route(BAD_GATEWAY)
        once = allintop("once", "--url", proxy.url)
        check = allintop("check", "--url", proxy.url)
    assert once.returncode == check.returncode == 3, (once.stderr, check.stderr)
    assert "HTTP 502" in once.stderr and "HTTP 502" in check.stderr


@contextlib.contextmanager
def file_server(root: Path) -> Iterator[str]:
    """Python's http.server on a free loopback port: GET serves files, POST is 501."""
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(root))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def test_a_file_server_is_named_as_not_a_prometheus_api(tmp_path):
    with file_server(tmp_path) as url:
        result = allintop("once", "--url", url)
    assert result.returncode == 3
    assert "HTTP 501" in result.stderr
    assert "is the URL a Prometheus API" in result.stderr
    assert "Traceback" not in result.stderr
