"""Prometheus 3's names and versions, read offline: UTF-8 names through the parser,
the planner, legends and variable queries; the label-values path's `U__` escaping;
what a server's version says it lacks."""

from __future__ import annotations

from allintop.live.reports import legend
from allintop.live.versions import version_note
from allintop.promql.interpolate import interpolate
from allintop.promql.parse import metric_names, prettify
from allintop.promql.sharing import Leaf, plan_panel
from allintop.promql.variable_queries import parse_variable_query
from allintop.sources.answers import BuildInfo
from allintop.sources.prometheus import escaped_label_name

UTF8 = 'sum by ("http.route") (rate({"http.server.requests", "http.method"="$method"}[5m]))'


def test_utf8_names_parse_interpolate_and_are_found() -> None:
    expr = interpolate(UTF8, {"method": "GET"})
    assert expr == UTF8.replace("$method", "GET")
    assert metric_names(expr) == {"http.server.requests"}


def test_the_planner_never_sends_a_print_that_loses_the_quotes() -> None:
    # promql-parser prints "http.route" unquoted: the expression goes as written.
    expr = interpolate(UTF8, {"method": "GET"})
    assert plan_panel(expr).root == Leaf(expr)
    assert prettify(expr) == expr


def test_a_legend_names_series_by_a_utf8_label_as_grafana_does() -> None:
    labels = {"http.route": "/api/posts", "job": "otel"}
    assert legend(labels, "{{http.route}} ({{ job }})") == "/api/posts (otel)"
    assert legend(labels, "{{missing.label}}") == ""


def test_label_values_takes_a_quoted_utf8_label() -> None:
    query = parse_variable_query('label_values({"http.server.requests"}, "http.route")')
    assert query.label == "http.route" and query.selector == '{"http.server.requests"}'
    assert parse_variable_query("label_values(up, job)").label == "job"


def test_the_label_values_path_escapes_what_is_not_a_legacy_name() -> None:
    assert escaped_label_name("job") == "job"
    assert escaped_label_name("http.route") == "U__http_2e_route"
    assert escaped_label_name("a_b.c") == "U__a__b_2e_c"
    assert escaped_label_name("1a") == "U___31_a"
    assert escaped_label_name("héllo") == "U__h_e9_llo"


def test_a_prometheus_2_is_said_to_lack_prometheus_3s_answers() -> None:
    old = version_note(BuildInfo("2.42.0+ds"))
    assert old.startswith("Prometheus 2.42.0+ds: no UTF-8") and "native-histograms" in old
    assert version_note(BuildInfo("3.1.0")) == "Prometheus 3.1.0"
    assert version_note(BuildInfo("2.42.0"), short=True) == "Prometheus 2.42.0"
    assert "unknown" in version_note(BuildInfo(""))
    assert version_note(None) == ""
