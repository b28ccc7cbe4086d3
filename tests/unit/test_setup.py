"""What `resolve` makes of a command line (allintop.cli.setup): the Launch every command
runs on, read without starting anything. -c is given throughout, so no server is
asked which dashboard fits it."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from allintop.cli.parser import build_parser
from allintop.cli.setup import Launch, resolve
from allintop.errors import ConfigError
from tests.faultserver import closed_port

CONFIG = """\
datasources:
  main: {url: "http://prom-a:9090", headers: {X-Team: a}}
  other: {url: "http://prom-b:9090"}
variables:
  job: {values: [api, web]}
rows:
  - title: R
    panels:
      - {title: Up, expr: 'up{job="$job"}'}
      - {title: Other up, expr: 'up', datasource: other}
"""


@pytest.fixture
def config(tmp_path: Path) -> Path:
    path = tmp_path / "panels.yaml"
    path.write_text(CONFIG)
    path.chmod(0o600)
    return path


def _resolve(tmp_path: Path, *argv: str, **environ: str) -> Launch:
    # XDG_CONFIG_HOME: no user config of the one running the tests.
    args = build_parser().parse_args(list(argv))
    return resolve(args, {"XDG_CONFIG_HOME": str(tmp_path / "xdg"), **environ})


def test_the_command_line_reaches_the_default_datasource_and_headers_reach_all(
    tmp_path: Path, config: Path
) -> None:
    launch = _resolve(
        tmp_path, "-c", str(config), "--url", "prom-c:9090", "--header", "X-Scope: t1", "once"
    )
    assert list(launch.connections) == ["main", "other"]
    assert launch.connection.url == "http://prom-c:9090"
    assert launch.connections["other"].url == "http://prom-b:9090"
    assert dict(launch.connection.headers) == {"X-Team": "a", "X-Scope": "t1"}
    assert dict(launch.connections["other"].headers) == {"X-Scope": "t1"}
    assert launch.notices == ("--url has no scheme: using http://prom-c:9090",)
    assert launch.alertmanager is None and launch.contexts is None


def test_the_environment_gives_the_url_and_the_token(tmp_path: Path, config: Path) -> None:
    launch = _resolve(
        tmp_path,
        "-c",
        str(config),
        PROMETHEUS_URL="https://prom-d",
        ALLINTOP_BEARER_TOKEN="s3cret",
    )
    assert launch.connection.url == "https://prom-d"
    assert launch.connection.auth == "s3cret"
    assert launch.connections["other"].auth is None  # the token is the default's only


def test_refresh_range_and_variables_are_the_launchs(tmp_path: Path, config: Path) -> None:
    launch = _resolve(
        tmp_path, "-c", str(config), "--refresh", "2s", "--range", "1h", "--var", "job=web"
    )
    assert (launch.refresh, launch.range_) == (2.0, 3600.0)
    assert launch.variables == {"job": "web"}
    timed = launch.timed()
    assert (timed.refresh, timed.range) == (2.0, 3600.0)
    assert launch.dashboard.refresh != 2.0  # the app takes --refresh as given


def test_a_variable_the_dashboard_lacks_is_a_config_error(tmp_path: Path, config: Path) -> None:
    with pytest.raises(ConfigError, match="has no variable 'nope'"):
        _resolve(tmp_path, "-c", str(config), "--var", "nope=1")


def test_the_screenshot_is_checked_only_where_the_dashboard_is_shown(
    tmp_path: Path, config: Path
) -> None:
    unwritable = str(tmp_path / "missing" / "shot.svg")
    with pytest.raises(ConfigError, match="--screenshot"):
        _resolve(tmp_path, "-c", str(config), "--screenshot", unwritable)
    assert (
        _resolve(tmp_path, "-c", str(config), "--screenshot", unwritable, "once").screenshot is None
    )
    shot = tmp_path / "shot.svg"
    assert _resolve(tmp_path, "-c", str(config), "--screenshot", str(shot)).screenshot == shot


def test_the_demo_is_moved_onto_its_stack_keeping_the_settings(
    tmp_path: Path, config: Path
) -> None:
    launch = _resolve(tmp_path, "-c", str(config), "demo", "--header", "X-Scope: t1")
    on_stack = launch.on("http://127.0.0.1:4321", "http://127.0.0.1:4322")
    assert on_stack.connection.url == "http://127.0.0.1:4321"
    assert on_stack.connection.headers == launch.connection.headers
    assert on_stack.connections["other"] == launch.connections["other"]
    assert on_stack.alertmanager is not None
    assert on_stack.alertmanager.url == "http://127.0.0.1:4322"
    # An Alertmanager named on the command line stays the one asked.
    named = _resolve(tmp_path, "-c", str(config), "demo", "--alertmanager", "http://am:9093")
    assert named.on("http://127.0.0.1:4321", "http://127.0.0.1:4322").alertmanager is not None
    assert named.on("http://127.0.0.1:4321", "http://127.0.0.1:4322").alertmanager.url == (
        "http://am:9093"
    )


def test_the_demo_takes_no_context(tmp_path: Path, config: Path) -> None:
    with pytest.raises(ConfigError, match="--context does not apply to demo"):
        _resolve(tmp_path, "demo", "--context", "prod")


async def test_the_clients_are_made_from_the_launch(tmp_path: Path, config: Path) -> None:
    launch = _resolve(tmp_path, "-c", str(config), "--alertmanager", "http://am:9093")
    datasources = launch.datasources()
    assert datasources.default == "main"
    assert [datasources[name].url for name in datasources] == [
        "http://prom-a:9090",
        "http://prom-b:9090",
    ]
    alertmanager = launch.alertmanager_client()
    assert alertmanager is not None
    await datasources.aclose()
    await alertmanager.aclose()


def test_without_any_config_the_dashboard_command_leaves_the_choice_to_the_app(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # No config anywhere: the live dashboard starts on the AllIN overview and asks
    # the server once it runs; `once` and `check` (choose_later unset) ask at once.
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("HOME", str(tmp_path))
    closed = f"http://127.0.0.1:{closed_port()}"
    environ = {"XDG_CONFIG_HOME": str(tmp_path / "xdg")}
    launch = resolve(build_parser().parse_args(["--url", closed]), environ, choose_later=True)
    assert launch.choose is not None
    assert launch.dashboard.title == "AllIN Platform Overview"
    # The server cannot be asked: the AllIN overview stays, as `pick` keeps it.
    assert asyncio.run(launch.choose()) is launch.dashboard
    named = build_parser().parse_args(["-c", "allin-overview", "--url", closed])
    assert resolve(named, environ, choose_later=True).choose is None
    assert resolve(build_parser().parse_args(["--url", closed]), environ).choose is None
