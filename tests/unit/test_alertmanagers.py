"""Each datasource's Alertmanager (allintop.live.alertmanagers): which one a datasource's
alert is silenced on, as the command line and the config name them, and whose
silences say that a datasource's rule is silenced."""

from __future__ import annotations

import asyncio
from pathlib import Path

from allintop.cli.parser import build_parser
from allintop.cli.setup import alertmanager_only, resolve
from allintop.live.alertmanagers import Alertmanagers, rule_silenced, rule_silences
from allintop.live.state import DashboardState, take_status
from allintop.sources.alertmanager import AlertmanagerClient
from allintop.sources.answers import Alert, AlertRule, Silence, SilenceMatcher, StatusReport
from allintop.sources.connection import ConnectionSettings

CONFIG = """\
datasources:
  main: {url: "http://prom-a:9090", headers: {X-Team: a}}
  paging: {url: "http://prom-b:9090", alertmanager: "http://am-b:9093", headers: {X-Team: b}}
  quiet: {url: "http://prom-c:9090"}
rows:
  - title: R
    panels:
      - {title: Up, expr: up}
"""


def _launch(tmp_path: Path, *argv: str):
    path = tmp_path / "panels.yaml"
    path.write_text(CONFIG)
    path.chmod(0o600)
    args = build_parser().parse_args(["-c", str(path), *argv, "once"])
    return resolve(args, {"XDG_CONFIG_HOME": str(tmp_path / "xdg")})


def _hosts(managers: Alertmanagers) -> dict[str, str]:
    return {
        name: client.host
        for name, client in managers.items()
        if isinstance(client, AlertmanagerClient)
    }


def test_each_datasource_naming_one_has_its_alertmanager_and_the_flag_is_the_defaults(
    tmp_path: Path,
) -> None:
    launch = _launch(tmp_path, "--alertmanager", "http://am-a:9093")
    assert launch.alertmanager is not None and launch.alertmanager.url == "http://am-a:9093"
    [(name, paging)] = launch.other_alertmanagers.items()
    # Reached with paging's own settings, not the default's.
    assert name == "paging" and paging.url == "http://am-b:9093"
    assert dict(paging.headers) == {"X-Team": "b"}
    managers = launch.alertmanager_clients()
    try:
        assert set(managers) == {"main", "paging"}
        assert managers.of_datasource("paging") is managers["paging"]
        assert managers.of_datasource("main") is managers["main"]
        assert managers.of_datasource("") is managers["main"]  # a rule naming none: the default
        assert managers.of_datasource("quiet") is None  # names none: none, not another's
        assert "am-b" in _hosts(managers)["paging"] and "am-a" in _hosts(managers)["main"]
    finally:
        asyncio.run(managers.aclose())


def test_without_the_flag_the_default_has_none_and_one_client_is_the_defaults(
    tmp_path: Path,
) -> None:
    launch = _launch(tmp_path)
    managers = launch.alertmanager_clients()
    try:
        assert list(managers) == ["paging"] and managers.of_datasource("main") is None
    finally:
        asyncio.run(managers.aclose())
    one = AlertmanagerClient(ConnectionSettings.make("http://am:9093"))
    try:
        single = Alertmanagers.of(one, "main")
        assert single.of_datasource("main") is one and single.of_datasource("") is one
        assert single.of_datasource("paging") is None
        assert Alertmanagers.of(None, "main").of_datasource("main") is None
    finally:
        asyncio.run(one.aclose())


def _rule(datasource: str) -> AlertRule:
    labels = {"alertname": "Down", "job": "api"}
    alert = Alert("Down", "firing", labels, {}, 100.0, 1.0, datasource)
    return AlertRule("Down", "up == 0", 0.0, {}, {}, "firing", "ok", "", (alert,), datasource)


def test_a_rule_is_silenced_only_by_its_own_datasources_alertmanager() -> None:
    silence = Silence("s1", (SilenceMatcher("alertname", "Down"),), "ann", "on it", 9e9)
    report = StatusReport(alertmanagers={"paging": StatusReport(silences=(silence,), managed=())})
    state = take_status(DashboardState(), report)
    paging, main = _rule("paging"), _rule("main")
    assert rule_silenced(state.suppression_of("paging"), paging)
    assert rule_silences(state.suppression_of("paging"), paging) == (silence,)
    assert not rule_silenced(state.suppression_of("main"), main)
    assert rule_silences(state.suppression_of("main"), main) == ()
    # The alerts bar's (the default datasource's, from the report's own fields): none.
    assert not state.suppression.silences and state.alertmanager_error is None
    assert state.alerts_of("paging") == ()  # no rules known yet


def test_silence_on_another_datasource_takes_its_alertmanager(tmp_path: Path) -> None:
    path = tmp_path / "panels.yaml"
    path.write_text(CONFIG)
    path.chmod(0o600)
    argv = ["-c", str(path), "silence", "ls", "--datasource", "paging"]
    launch = alertmanager_only(build_parser().parse_args(argv), {"XDG_CONFIG_HOME": str(tmp_path)})
    assert launch.alertmanager is not None and launch.alertmanager.url == "http://am-b:9093"
    argv[-1] = "quiet"  # names none: none (exit 69), not the default's
    launch = alertmanager_only(build_parser().parse_args(argv), {"XDG_CONFIG_HOME": str(tmp_path)})
    assert launch.alertmanager is None
