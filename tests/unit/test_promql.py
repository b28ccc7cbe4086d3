"""PromQL read with the parser (allintop.promql.parse), and template variables filled in
(allintop.promql.interpolate, allintop.promql.variable_values)."""

from __future__ import annotations

import pytest

from allintop.promql.interpolate import interpolate
from allintop.promql.intervals import Intervals
from allintop.promql.parse import metric_names, parse_error, prettify
from allintop.promql.sharing import plan_panel
from allintop.promql.variable_values import BUILTIN_VARIABLES, builtin_values, variables_used


@pytest.mark.parametrize(
    ("expr", "values", "expected"),
    [
        ('up{job=~"$job"}', {"job": "api"}, 'up{job=~"api"}'),
        ('up{job=~"${job}"}', {"job": "api"}, 'up{job=~"api"}'),
        ('up{job=~"${job:regex}"}', {"job": "api"}, 'up{job=~"api"}'),
        ('up{job=~"[[job]]"}', {"job": "api"}, 'up{job=~"api"}'),
        ('up{job=~"$job"}', {"job": "all"}, 'up{job=~".*"}'),
        ('up{job=~"$job"}', {"job": "All"}, 'up{job=~".*"}'),
        ('up{job=~"$job"}', {"job": "$__all"}, 'up{job=~".*"}'),
        ('up{job=~"$job"}', {}, 'up{job=~"$job"}'),  # unknown: left as is
        ('up{job=~"$job_name"}', {"job": "api"}, 'up{job=~"$job_name"}'),  # a longer name
        ('up{job=~"${job}_x"}', {"job": "api"}, 'up{job=~"api_x"}'),  # braces delimit it
        (
            'rate(x{a="$a", b="[[b]]"}[$__rate_interval])',
            {"a": "1", "b": "2", "__rate_interval": "1m"},
            'rate(x{a="1", b="2"}[1m])',
        ),
        ('up{a="$a"} + up{a="$a"}', {"a": "z"}, 'up{a="z"} + up{a="z"}'),
        ('up{a="$a"}', {"a": "$b", "b": "no"}, 'up{a="$b"}'),  # one pass, no re-expansion
        ('up{path=~"/api/.*$"}', {"a": "1"}, 'up{path=~"/api/.*$"}'),  # a regex anchor
        ("up", {"job": "api"}, "up"),
    ],
)
def test_interpolate(expr: str, values: dict[str, str], expected: str) -> None:
    assert interpolate(expr, values) == expected


@pytest.mark.parametrize(
    ("expr", "names"),
    [
        ('up{job=~"$job"}', {"job"}),
        ('x{a="${a}", b="[[b]]", c="$c"}[$__rate_interval]', {"a", "b", "c", "__rate_interval"}),
        ('up{path=~"^/v1$|^/v2$"}', set()),
        ("up", set()),
    ],
)
def test_variables_used(expr: str, names: set[str]) -> None:
    assert variables_used(expr) == names


def test_builtin_values_cover_grafana_builtins_and_parse() -> None:
    values = builtin_values(900, Intervals(interval=18, rate=19))
    assert set(values) == BUILTIN_VARIABLES
    assert values["__range"] == "900000ms"
    assert values["__range_s"] == "900"
    assert values["__range_ms"] == "900000"
    assert values["__interval"] == "18000ms"
    assert values["__interval_ms"] == "18000"
    assert values["__rate_interval"] == "19000ms"
    assert values["__rate_interval_ms"] == "19000"
    # No chart, no datasource known: 900 s over 200 points, at least 15 s; 4 x 15 s.
    assert builtin_values(900)["__rate_interval"] == "60000ms"
    expr = "rate(x[$__rate_interval]) * $__range_s + $__interval_ms"
    assert parse_error(interpolate(expr, values)) is None


@pytest.mark.parametrize(
    "expr",
    [
        "up",
        "sum(rate(allin_http_requests_total[1m]))",
        "histogram_quantile(0.95, sum by (le) (rate(x_bucket[5m]))) * 1000",
        'sum(rate(x{status_code=~"2.."}[5m])) / sum(rate(x[5m])) * 100',
        "max_over_time(rate(x[1m])[10m:30s])",
        "x offset 5m",
        '{__name__="up"}',
        "foo[5m]",
    ],
)
def test_parse_error_none_for_valid(expr: str) -> None:
    assert parse_error(expr) is None


@pytest.mark.parametrize(
    ("expr", "message"),
    [
        ("", "no expression"),
        ("sum(", "unclosed left parenthesis"),
        ("foo{", "inside braces"),
        ("rate(foo)", "expected type matrix"),
        ("histogram_quantile(0.9)", "argument"),
        ("nosuchfn(x)", "unknown function"),
        ("a +", "invalid promql"),
        ("{}", "at least one non-empty matcher"),
        ("foo[$__rate_interval]", "unexpected character"),
    ],
)
def test_parse_error_gives_the_parsers_message(expr: str, message: str) -> None:
    error = parse_error(expr)
    assert error is not None
    assert message in error


@pytest.mark.parametrize(
    ("expr", "names"),
    [
        ("up", {"up"}),
        ("42", set()),
        ('{__name__="up"}', {"up"}),
        ('{__name__="up", job="x"}', {"up"}),
        ('{__name__=~"up|down"}', set()),  # a regex names no particular metric
        ('{__name__="a" or __name__="b"}', {"a", "b"}),
        ("a + b * on(x) group_left c", {"a", "b", "c"}),
        ("a / ignoring(le) b > bool 3", {"a", "b"}),
        ("-a", {"a"}),
        ("(a)", {"a"}),
        ("sum by (le) (rate(a_bucket[5m]))", {"a_bucket"}),
        ("histogram_quantile(0.99, sum by (le) (rate(x_bucket[5m]))) * 1000", {"x_bucket"}),
        ("topk(3, a) and on() b unless c", {"a", "b", "c"}),
        ('label_replace(a, "x", "$1", "y", "(.*)")', {"a"}),
        ('count_values("v", a)', {"a"}),
        ("quantile(scalar(a), b)", {"a", "b"}),
        ("max_over_time(rate(a[1m])[10m:30s])", {"a"}),  # subquery
        ("avg_over_time((a - b)[5m:])", {"a", "b"}),
        ("a offset 5m @ start()", {"a"}),
        (
            "rate(allin_cache_hits_total[5m]) / (rate(allin_cache_hits_total[5m])"
            " + rate(allin_cache_misses_total[5m])) * 100",
            {"allin_cache_hits_total", "allin_cache_misses_total"},
        ),
        ("absent(a) or vector(0)", {"a"}),
    ],
)
def test_metric_names(expr: str, names: set[str]) -> None:
    assert metric_names(expr) == frozenset(names)


def test_metric_names_raises_on_bad_expr() -> None:
    with pytest.raises(ValueError):
        metric_names("sum(")


def test_prettify_lays_out_long_exprs() -> None:
    pretty = prettify(
        'sum(rate(allin_http_requests_total{job=~".*",status_code=~"2.."}[5m]))'
        ' / sum(rate(allin_http_requests_total{job=~".*"}[5m])) * 100'
    )
    assert pretty.splitlines()[0].strip().startswith("sum(rate(")
    assert "\n" in pretty
    assert parse_error(pretty) is None  # still the same expression
    assert metric_names(pretty) == {"allin_http_requests_total"}


def test_prettify_raises_on_bad_expr() -> None:
    with pytest.raises(ValueError):
        prettify("sum(")


def test_capture_references_are_not_template_variables():
    from allintop.promql.variable_values import variables_used

    assert variables_used('label_replace(up{job=~"$job"}, "a", "$1", "b", "(.*)")') == {"job"}


def test_may_select_follows_job_matchers():
    from allintop.promql.parse import may_select

    assert may_select('rate(x{job=~"api|web"}[5m])', "job", "api")
    assert not may_select('rate(x{job=~"api|web"}[5m])', "job", "db")
    assert not may_select('x{job="a"}', "job", "ab")  # regexes and values are anchored
    assert may_select("sum(x)", "job", "anything")
    assert may_select('x{job!="a"} / y{job="b"}', "job", "b")
    assert not may_select('x{job!~"b.*"}', "job", "backend")


def test_with_windows_rewrites_every_range_and_nothing_else():
    from allintop.promql.parse import metric_names, with_windows

    seed = (
        "rate(allin_cache_hits_total[5m]) / (rate(allin_cache_hits_total[5m])"
        ' + rate(allin_cache_misses_total{cache_type=~"a|b"}[5m])) < 0.5'
    )
    out = with_windows(seed, "20s")
    assert "[5m]" not in out and out.count("[20s]") == 3
    assert 'cache_type=~"a|b"' in out and out.endswith("< 0.5")
    assert metric_names(out) == metric_names(seed)


def test_returns_vector():
    from allintop.promql.parse import returns_vector

    for vector in ("up", "sum(rate(x[5m]))", "(up)", "-up", "up * 2", "2 * up", "rate(x[1m])"):
        assert returns_vector(vector), vector
    for other in (
        "1",
        "scalar(up)",
        "time()",
        '"s"',
        "up[5m]",
        "1 + 2",
        "max_over_time(up[5m:])[1m:]",
    ):
        assert not returns_vector(other), other


@pytest.mark.parametrize("expr", ["rate(x[1e400])", "x offset 1e400"])
def test_the_parsers_panics_are_parse_errors(expr: str) -> None:
    # promql_parser panics on some huge durations, and a panic is a BaseException that
    # no `except Exception` catches: one panel like that took the dashboard down.
    assert parse_error(expr)
    with pytest.raises(ValueError):
        metric_names(expr)
    assert plan_panel(expr).leaves == (expr,)  # sent whole: Prometheus says what is wrong


def test_names_label_needs_a_matcher_on_the_label():
    from allintop.promql.selectors import names_label

    assert names_label('rate(x{job=~"api|web"}[5m])', "job", "api")
    assert not names_label('rate(x{job=~"api|web"}[5m])', "job", "db")
    assert not names_label("sum(x)", "job", "anything")  # names no job
    assert names_label('x{job!="a"} / y', "job", "b")
    assert not names_label('x{job="a"} / y', "job", "b")  # y names no job


def test_may_overlap_compares_the_job_of_the_metrics_both_read():
    from allintop.promql.selectors import may_overlap

    assert not may_overlap('x{job="node"}', 'rate(x{job="api"}[5m]) > 1', "job")
    assert may_overlap("sum(x)", 'rate(x{job="api"}[5m]) > 1', "job")
    assert may_overlap('x{job=~"api|web"}', 'x{job="api"}', "job")
    assert not may_overlap('x{job=~"db|web"}', 'x{job="api"}', "job")
    assert not may_overlap('x{job!="api"}', 'x{job="api"}', "job")
    assert may_overlap('x{job=~"a.*"}', 'x{job=~"ap.*"}', "job")  # open regexes: may
    assert not may_overlap('x{job="api"}', 'y{job="api"}', "job")  # no metric in common
    assert may_overlap('x{job="node"} / y{job="api"}', 'y{job="api"}', "job")
