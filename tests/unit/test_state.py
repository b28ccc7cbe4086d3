"""The dashboard's state (allintop.live.state), reduced from reports without Textual: the
health verdict's transitions, alerts going stale, rules and targets becoming panel
markers, and silences."""

from __future__ import annotations

from allintop.dashboard.model import Query
from allintop.errors import HTTPStatusError, QueryError, RequestTimeout, Unreachable
from allintop.live import schedule
from allintop.live import state as reduce
from allintop.live.reports import AlertsState, QueryState, SeriesView
from allintop.live.state import DashboardState, Verdict
from allintop.sources.answers import (
    Alert,
    AlertRule,
    ManagedAlert,
    RuleGroup,
    StatusReport,
    Target,
)
from allintop.values.thresholds import Status

REQUESTS = "sum(rate(allin_http_requests_total[1m]))"
NODE = 'node_load1{job="node"}'
PANELS = (
    Query(title="Requests", expr=REQUESTS),
    Query(title="Load", expr=NODE, alerts=("HostBusy",)),
)


def _state(bindings: tuple[str, ...] = ("default", "default")) -> DashboardState:
    return reduce.configure(
        DashboardState(),
        PANELS,
        [p.expr for p in PANELS],
        bindings,
        several=len(set(bindings)) > 1,
    )


def _value(index: int, value: float = 1.0, at: float = 100.0) -> QueryState:
    series = (SeriesView("", {}, value, Status.OK),)
    return QueryState(index, at, series=series, total=1, status=Status.OK)


def _failed(index: int, error: Exception, at: float = 100.0) -> QueryState:
    return QueryState(index, at, error=error, reason="failed")  # type: ignore[arg-type]


def _verdict(
    state: DashboardState,
    at: float,
    *,
    paused: bool = False,
    polling: bool = False,
    waiting: bool = False,
    refresh: float = 5.0,
) -> Verdict:
    return reduce.verdict(
        state, paused=paused, polling=polling, waiting=waiting, refresh=refresh, monotonic=at
    )


def _tick(
    state: DashboardState,
    panels: list[QueryState],
    *,
    alerts: AlertsState | None = None,
    now: float = 100.0,
    mono: float = 10.0,
) -> DashboardState:
    return reduce.take_tick(
        state, panels, alerts, alerts_due=alerts is None, now=now, monotonic=mono
    )


def _alert(name: str, state: str = "firing", **labels: str) -> Alert:
    return Alert(name, state, {"alertname": name, **labels}, {}, 50.0, 1.0)


def _target(job: str, health: str = "down", datasource: str = "", error: str = "") -> Target:
    return Target(
        job, f"{job}:9100", f"http://{job}:9100/metrics", health, 90.0, 0.01, error, 1.0,
        datasource=datasource,
    )  # fmt: skip


def _rule(name: str, query: str) -> AlertRule:
    return AlertRule(name, query, 0.0, {}, {}, "inactive", "ok", "", ())


# -- the verdict --


def test_connecting_until_the_first_value_then_live() -> None:
    state = _state()
    assert _verdict(state, 0.0) == Verdict("connecting", "dim")
    state = _tick(state, [_value(0), _value(1)], mono=10.0)
    assert state.last_ok == 100.0 and state.ok_at == 10.0
    assert _verdict(state, 11.0) == Verdict("live", "success")


def test_paused_wins_over_everything() -> None:
    state = _tick(_state(), [_failed(0, Unreachable("down")), _failed(1, Unreachable("down"))])
    assert _verdict(state, 11.0, paused=True) == Verdict("paused", "warning")


def test_overdue_while_queries_are_out_then_stale_when_none_are() -> None:
    state = _tick(_state(), [_value(0), _value(1)], mono=10.0)
    # 5 s refresh + 1 s grace: at 16.5 the answer is late only if one is awaited.
    assert _verdict(state, 16.5, waiting=True).word == "overdue 1s"
    assert _verdict(state, 16.5, waiting=False).word == "live"
    # More than twice the interval (and 2 s) past it: stale, whatever is out.
    assert _verdict(state, 10.0 + 5 + 13, waiting=False) == Verdict("stale", "warning")


def test_every_panel_unreachable_says_so_with_a_retry_countdown() -> None:
    state = _tick(_state(), [_value(0), _value(1)])
    down = [_failed(0, Unreachable("connection refused")), _failed(1, Unreachable("refused"))]
    state = _tick(state, down)
    assert state.last_error == "connection refused"
    assert _verdict(state, 20.0) == Verdict("unreachable", "error")
    state = schedule.count_failures(state, down)
    state = schedule.retry_at(state, 28.0)
    assert _verdict(state, 20.0).word == "unreachable · retry in 8s"
    assert _verdict(state, 20.0, polling=True).word == "unreachable · retrying"
    assert _verdict(state, 29.0).word == "unreachable · retrying"
    assert state.status_line == "connection refused"


def test_a_panel_no_longer_asked_does_not_hide_that_the_server_is_down() -> None:
    # Panel 1 scrolled far off (or its row collapsed): its last value is stale and
    # says nothing of the server now.
    state = _tick(_state(), [_value(0), _value(1)])
    state = reduce.ask(state, frozenset({0}))
    state = _tick(state, [_failed(0, Unreachable("connection refused"))])
    assert _verdict(state, 20.0) == Verdict("unreachable", "error")
    assert state.query(1) is not None  # kept, for when it is shown again


def test_with_no_panel_asked_the_alerts_answer_is_the_health() -> None:
    state = reduce.ask(_state(), frozenset())
    state = _tick(state, [], alerts=AlertsState(100.0, ()))
    assert _verdict(state, 11.0) == Verdict("live", "success")
    state = _tick(state, [], alerts=AlertsState(105.0, error=Unreachable("refused")))
    assert _verdict(state, 16.0).word == "unreachable"
    assert state.status_line == "refused"
    state = _tick(state, [], alerts=AlertsState(110.0, ()), mono=20.0)
    assert _verdict(state, 21.0).word == "live"


def test_a_server_error_is_error_not_unreachable_and_has_no_countdown() -> None:
    error = HTTPStatusError(502, "bad gateway")
    state = _tick(_state(), [_failed(0, error), _failed(1, error)])
    state = schedule.retry_at(schedule.count_failures(state, [_failed(0, error)]), 30.0)
    assert state.failures == 0 and state.retry_at is None
    assert _verdict(state, 20.0) == Verdict("error", "error")


def test_one_fresh_value_clears_the_error() -> None:
    down = [_failed(0, Unreachable("refused")), _failed(1, Unreachable("refused"))]
    state = _tick(_state(), down)
    state = reduce.take_late(state, _value(0, at=105.0), now=105.0, monotonic=15.0)
    assert state.last_error is None and state.last_ok == 105.0
    assert _verdict(state, 15.5).word == "live"


def test_a_query_error_on_one_panel_is_not_a_server_verdict() -> None:
    bad = QueryError("bad_data", "parse error", 400)
    state = _tick(_state(), [_failed(0, bad), _value(1)])
    assert state.last_error is None and state.status_line is None
    assert _verdict(state, 11.0).word == "live"


def test_one_datasource_failing_while_another_answers_is_trouble_not_an_error() -> None:
    state = _state(("eu", "us"))
    state = _tick(state, [_value(0), _failed(1, RequestTimeout("no answer in 10s"))])
    assert state.last_error is None
    assert state.trouble == "us: timeout: no answer in 10s"
    assert state.status_line == state.trouble
    assert _verdict(state, 11.0).word == "live"
    state = reduce.take_late(state, _value(1), now=101.0, monotonic=11.0)
    assert state.trouble is None


# -- alerts --


def test_alerts_replace_the_list_and_a_failure_marks_it_stale() -> None:
    firing = AlertsState(100.0, (_alert("HostBusy"), _alert("HostBusy", instance="b")))
    state = _tick(_state(), [_value(0)], alerts=firing)
    assert [(a.name, a.count) for a in state.active] == [("HostBusy", 2)]
    assert state.alerts_as_of == 100.0 and state.alerts_error is None
    failed = AlertsState(105.0, error=Unreachable("connection \x1b[31mrefused"))
    state = _tick(state, [_value(0)], alerts=failed, now=105.0)
    # The list stays, said to be stale since its time; the message is cleaned.
    assert [a.name for a in state.active] == ["HostBusy"]
    assert state.alerts_as_of == 100.0
    assert state.alerts_error is not None and "\x1b" not in state.alerts_error
    # A tick that asked and got nothing in time.
    state = _tick(_state(), [_value(0)], alerts=None)
    assert state.alerts_error == reduce.NO_ANSWER


def test_panel_markers_from_the_panels_own_alerts_then_from_the_rules() -> None:
    alerts = AlertsState(100.0, (_alert("HostBusy"), _alert("HighErrorRate", "pending")))
    state = _tick(_state(), [_value(0)], alerts=alerts)
    assert [a.name for a in state.markers(1)] == ["HostBusy"]
    assert state.markers(0) == []  # no rules known yet: nothing ties it to HighErrorRate
    rules = (RuleGroup("g", "f", 1.0, (_rule("HighErrorRate", REQUESTS),)),)
    state = reduce.take_status(state, StatusReport(rules=rules))
    assert state.rules_loaded and state.rules_error is None
    assert [(a.name, a.state) for a in state.markers(0)] == [("HighErrorRate", "pending")]


def test_the_alert_map_is_kept_while_only_the_rules_states_change() -> None:
    rule = _rule("HighErrorRate", REQUESTS)
    state = reduce.take_status(_state(), StatusReport(rules=(RuleGroup("g", "f", 1, (rule,)),)))
    firing = AlertRule(
        rule.name, rule.query, 0.0, {}, {}, "firing", "ok", "", (_alert("HighErrorRate"),)
    )
    again = reduce.take_status(state, StatusReport(rules=(RuleGroup("g", "f", 1, (firing,)),)))
    assert again.alert_map is state.alert_map  # not worked out again
    assert again.rule_groups[0].rules[0].state == "firing"


def test_a_rules_error_is_kept_with_the_rules_known_before() -> None:
    rules = (RuleGroup("g", "f", 1.0, (_rule("HighErrorRate", REQUESTS),)),)
    state = reduce.take_status(_state(), StatusReport(rules=rules))
    state = reduce.take_status(state, StatusReport(rules_error=Unreachable("refused")))
    assert not state.rules_loaded and state.rules_error == "refused"
    assert state.alert_map[0] == ("HighErrorRate",)


def test_silences_mark_alerts_silenced_and_an_alertmanager_failure_is_said() -> None:
    busy = _alert("HostBusy", instance="a")
    state = _tick(_state(), [_value(0)], alerts=AlertsState(100.0, (busy,)))
    assert not state.is_silenced("HostBusy")
    managed = (ManagedAlert(dict(busy.labels), "suppressed", ("s1",), ()),)
    state = reduce.take_status(state, StatusReport(managed=managed, silences=()))
    assert state.is_silenced("HostBusy") and state.alertmanager_error is None
    state = reduce.take_status(state, StatusReport(managed_error=Unreachable("am down")))
    assert state.alertmanager_error == "am down"
    assert state.is_silenced("HostBusy")  # what it said last still holds


# -- targets --


def test_down_targets_mark_the_panels_that_read_their_job() -> None:
    report = StatusReport(
        targets=(_target("node", error="refused"), _target("api", "up")), health={"default": None}
    )
    state = reduce.take_status(_state(), report)
    assert state.targets_loaded and dict(state.health) == {"default": None}
    assert [t.job for t in state.down_for(1)] == ["node"]
    # sum(rate(allin_http_requests_total)) names no job: no down target is blamed
    # for it, as the value it shows may well come from jobs that are up.
    assert state.down_for(0) == ()
    # A new fetch: same jobs down, newer error text shown, no parse again.
    newer = StatusReport(targets=(_target("node", error="timeout"), _target("api", "up")))
    again = reduce.take_status(state, newer)
    assert again.reads is state.reads
    assert again.down_for(1)[0].last_error == "timeout"
    up = StatusReport(targets=(_target("node", "up"), _target("api", "up")))
    assert reduce.take_status(again, up).down == {}


def test_with_several_datasources_a_panel_sees_only_its_own_targets() -> None:
    state = _state(("eu", "us"))
    report = StatusReport(targets=(_target("node", datasource="eu"),))
    state = reduce.take_status(state, report)
    assert [t.datasource for t in state.down_for(1)] == []  # panel 1 queries "us"
    swapped = reduce.take_status(_state(("us", "eu")), report)
    assert [t.datasource for t in swapped.down_for(1)] == ["eu"]


def test_alerts_unavailable_names_the_datasources_without_their_own_alerts() -> None:
    state = reduce.take_status(_state(("eu", "vm")), StatusReport(no_alerts=frozenset({"vm"})))
    assert state.alerts_unavailable() == "alerts not available from vm"
    single = reduce.take_status(_state(("vm", "vm")), StatusReport(no_alerts=frozenset({"vm"})))
    assert single.alerts_unavailable() == "alerts not available from this datasource"


# -- configuration --


def test_a_new_configuration_keeps_what_the_servers_said_but_not_the_panels() -> None:
    state = _tick(_state(), [_value(0), _value(1)], alerts=AlertsState(100.0, (_alert("X"),)))
    moved = reduce.configure(state, PANELS[:1], [REQUESTS], ["default"], several=False)
    assert moved.query(0) is None and moved.alerts == state.alerts and moved.last_ok == 100.0
    kept = reduce.configure(
        state, PANELS, [p.expr for p in PANELS], ["default"] * 2, several=False, keep_panels=True
    )
    assert kept.query(1) == state.query(1)


def test_other_servers_forget_everything_but_the_configuration() -> None:
    state = _tick(_state(), [_value(0)], alerts=AlertsState(100.0, (_alert("X"),)))
    state = reduce.take_status(state, StatusReport(targets=(_target("node"),)))
    fresh = reduce.forget_status(state)
    assert fresh.queries == state.queries and fresh.exprs == state.exprs
    assert fresh.alerts == () and fresh.targets == () and fresh.down == {}
    assert fresh.last_ok is None and _verdict(fresh, 50.0).word == "connecting"
    assert fresh.alert_map[1] == ("HostBusy",)
