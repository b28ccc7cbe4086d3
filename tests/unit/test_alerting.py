"""The alert ordering, the panel <-> rule mapping and the scrape error summary."""

from allintop.dashboard.model import Query
from allintop.live.alerting import (
    Suppression,
    down_targets,
    matcher_matches,
    rules_for_panel,
    scrape_error_summary,
    summarize,
)
from allintop.sources.alertmanager import ManagedAlert
from allintop.sources.answers import Alert, AlertRule, Silence, SilenceMatcher, Target


def _alert(name, state, severity, since=100.0, **labels):
    labels = {"alertname": name, "severity": severity, **labels}
    return Alert(name, state, labels, {}, since, 1.0)


def _rule(name, query):
    return AlertRule(name, query, 0.0, {}, {}, "inactive", "ok", "", ())


def test_firing_before_pending_and_critical_before_warning_before_info():
    alerts = [
        _alert("Lag", "firing", "warning"),
        _alert("Cache", "firing", "info"),
        _alert("Errors", "pending", "critical"),
        _alert("Errors5xx", "firing", "critical"),
    ]
    order = [(a.name, a.state) for a in summarize(alerts)]
    assert order == [
        ("Errors5xx", "firing"),
        ("Lag", "firing"),
        ("Cache", "firing"),
        ("Errors", "pending"),
    ]


def test_instances_group_by_name_and_state_with_the_earliest_start():
    alerts = [
        _alert("E", "firing", "critical", since=50.0, route="/a"),
        _alert("E", "firing", "critical", since=20.0, route="/b"),
        _alert("E", "pending", "critical", since=90.0, route="/c"),
        _alert("Gone", "inactive", "critical"),
    ]
    firing, pending = summarize(alerts)
    assert (firing.count, firing.since) == (2, 20.0)
    assert (pending.state, pending.count) == ("pending", 1)


def test_silenced_groups_sort_after_live_ones():
    silenced = _alert("Mem", "firing", "critical", route="/x")
    loud = _alert("Lag", "firing", "warning")
    managed = [ManagedAlert(silenced.labels, "suppressed", ("s1",), ())]
    result = summarize([silenced, loud], Suppression(managed=tuple(managed)))
    assert [(a.name, a.silenced) for a in result] == [("Lag", False), ("Mem", True)]


def test_panel_alerts_list_wins_else_rules_sharing_a_metric():
    rules = [
        _rule("Slow", "histogram_quantile(0.95, rate(req_bucket[5m])) > 1"),
        _rule("Mem", "rss_bytes > 1e9"),
    ]
    listed = Query(title="P95", expr="x", alerts=("Custom",))
    assert rules_for_panel(listed, "x", rules) == ("Custom",)
    plain = Query(title="P95", expr="e")
    expr = "histogram_quantile(0.95, sum by (le) (rate(req_bucket[5m])))"
    assert rules_for_panel(plain, expr, rules) == ("Slow",)
    assert rules_for_panel(plain, "other_metric", rules) == ()


def _target(job, health, error=""):
    return Target(job, "h:1", "http://h:1/metrics", health, None, 0.0, error, 1.0)


def test_down_targets_follow_the_panels_job_matcher():
    targets = [_target("api", "down"), _target("db", "down"), _target("web", "up")]
    assert [t.job for t in down_targets('rate(x{job=~"api|web"}[5m])', targets)] == ["api"]
    # No job named: a down target is not what the panel reads (its value comes from
    # jobs that are up, or it says "no data").
    assert down_targets("sum(x)", targets) == []
    assert [t.job for t in down_targets('x{job!="api"} / y', targets)] == ["db"]
    assert down_targets("sum(x{", targets) == []  # unreadable: nothing to tie it to


def test_scrape_error_summary():
    refused = 'Get "http://h:7000/metrics": dial tcp h:7000: connect: connection refused'
    assert scrape_error_summary(refused) == "connection refused"
    assert scrape_error_summary('Get "u": context deadline exceeded') == "scrape timed out"
    assert scrape_error_summary("server returned HTTP status 500 Internal") == (
        "HTTP status 500 Internal"
    )
    assert scrape_error_summary("odd") == "odd"


# -- silences matched as Alertmanager matches -------------------------------------------


def _m(name: str, value: str, *, regex: bool = False, equal: bool = True) -> SilenceMatcher:
    return SilenceMatcher(name, value, regex, equal)


def test_matchers_follow_alertmanager_rules():
    labels = {"alertname": "HighErrorRate", "route": "/api/posts"}
    assert matcher_matches(_m("alertname", "HighErrorRate"), labels)
    assert matcher_matches(_m("route", "/api/.*", regex=True), labels)
    assert not matcher_matches(_m("route", "/api", regex=True), labels)  # anchored
    assert matcher_matches(_m("route", "/web", equal=False), labels)
    assert not matcher_matches(_m("route", "/api/.*", regex=True, equal=False), labels)
    assert matcher_matches(_m("missing", ""), labels)  # a missing label is ""
    assert not matcher_matches(_m("route", "(", regex=True), labels)  # unreadable regex


def test_suppression_sees_the_labels_alertmanager_sees():
    alert = {"alertname": "HighMemoryUsage", "severity": "warning"}
    silence = Silence("s1", (_m("alertname", "HighMemoryUsage"), _m("cluster", "eu-1")))
    assert not Suppression(silences=(silence,))(alert)
    assert Suppression(silences=(silence,), external={"cluster": "eu-1"})(alert)
    assert not Suppression(silences=(silence,), external={"cluster": "us-1"})(alert)
    # An alert's own label wins over an external one of the same name, as in Prometheus.
    assert not Suppression(silences=(silence,), external={"cluster": "eu-1"})(
        {**alert, "cluster": "us-1"}
    )
    # Alertmanager's own verdict, on the labels with the external ones added.
    held = ManagedAlert({**alert, "cluster": "eu-1"}, "suppressed", ("s9",), ())
    assert Suppression(managed=(held,), external={"cluster": "eu-1"})(alert)
    assert not Suppression(managed=(held,))(alert)
    assert not Suppression(silences=(Silence("empty", ()),))(alert)  # matches nothing
