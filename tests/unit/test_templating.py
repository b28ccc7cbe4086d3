"""Template variables at run time (allintop.dashboard.templating): what a pick is written as,
where a query variable's options come from, and chained refresh."""

from __future__ import annotations

from dataclasses import replace

import pytest

from allintop.dashboard import templating
from allintop.dashboard.loading import load_text
from allintop.dashboard.model import Variable
from allintop.dashboard.templating import (
    auto_interval,
    dependents,
    depends,
    filtered,
    kept,
    multi_pick,
    needed_at_start,
    ordered,
    query_values,
    refresh_order,
)
from allintop.errors import QueryError
from allintop.live import variables as live_variables
from allintop.live.variables import fetch_options, refresh, sample_line
from allintop.promql.interpolate import interpolate
from allintop.promql.variable_values import AsWritten
from allintop.sources.answers import Sample
from tests.fakeprom import FakePrometheus, FakeSeries

RANGE = 900.0


def values(variables, picks, options=None):
    return query_values(variables, picks, options or {}, range_=RANGE)


# -- what a pick is written as --------------------------------------------------------

JOB = Variable("job", query="label_values(up, job)", include_all=True)
FILTERED = Variable("job", query="label_values(up, job)", include_all=True, regex="/api-.*/")
ANY = Variable("job", query="label_values(up, job)", include_all=True, all_value=".+")


@pytest.mark.parametrize(
    ("variable", "options", "written"),
    [
        # Every value of a label: .*, whatever the options were.
        (JOB, ("api", "web"), 'up{job=~".*"}'),
        # A filtered query's All is its options, once they are known...
        (FILTERED, ("api-1", "api-2"), 'up{job=~"(api-1|api-2)"}'),
        # ...and .* until then.
        (FILTERED, None, 'up{job=~".*"}'),
        # allValue, as written.
        (ANY, ("api",), 'up{job=~".+"}'),
        # A custom list's All is the list.
        (
            Variable("job", values=("a.b", "c"), kind="custom", include_all=True),
            None,
            r'up{job=~"(a\\.b|c)"}',
        ),
    ],
)
def test_all_is_every_option_or_its_all_value(variable, options, written) -> None:
    options = {} if options is None else {"job": options}
    filled = values([variable], {"job": "all"}, options)
    assert interpolate('up{job=~"$job"}', filled) == written


def test_a_hand_written_single_value_is_a_regex_a_picked_label_value_a_literal() -> None:
    disks = Variable("disks", values=("sd[a-z]+|nvme.+",), default="sd[a-z]+|nvme.+", kind="custom")
    box = Variable("filter", default="api.*", kind="textbox")
    multi = Variable("hosts", values=("a.b", "c"), kind="custom", multi=True)
    picks = {"disks": disks.default, "filter": "api.*", "hosts": ("a.b",), "job": "a.b"}
    filled = values([disks, box, multi, JOB], picks)
    assert filled["disks"] == AsWritten("sd[a-z]+|nvme.+")
    assert filled["filter"] == AsWritten("api.*")
    assert filled["hosts"] == "a.b"  # several on offer: a value, quoted as Grafana does
    expr = 'x{d=~"$disks", f=~"$filter", h=~"$hosts", j=~"$job"}'
    assert (
        interpolate(expr, filled) == r'x{d=~"sd[a-z]+|nvme.+", f=~"api.*", h=~"a\\.b", j=~"a\\.b"}'
    )


def test_grafanas_built_ins_and_an_auto_interval_are_filled_in() -> None:
    step = Variable("step", values=("1m", "1h"), kind="interval", auto=True, auto_count=30)
    filled = values([step], {"step": "auto"})
    assert filled["__rate_interval"] == "60000ms"
    assert filled["__range_s"] == "900"
    assert filled["step"] == filled["__auto_interval_step"] == "30s"  # 15m in 30 steps
    assert values([step], {"step": "1h"})["step"] == "1h"
    assert interpolate("rate(x[$step]) * $__range_s", filled) == "rate(x[30s]) * 900"


@pytest.mark.parametrize(
    ("range_", "count", "minimum", "expected"),
    [
        (900, 30, "10s", "30s"),
        (900, 300, "1m", "1m"),  # 3 s rounds to 2 s, below the minimum
        (7 * 86400, 300, "1m", "30m"),  # 2016 s rounds to 30 m, as Grafana's does
        (3600, 30, "bogus", "2m"),
    ],
)
def test_auto_interval_rounds_as_grafana_does(range_, count, minimum, expected) -> None:
    assert auto_interval(range_, count, minimum) == expected


def test_picks_of_names_that_are_no_variable_pass_through() -> None:
    assert values([], {"job": "api"})["job"] == "api"


# -- where options come from ----------------------------------------------------------


def fake() -> FakePrometheus:
    def up(job: str, instance: str, **more: str) -> FakeSeries:
        return FakeSeries({"job": job, "instance": instance, **more}, 1.0)

    return FakePrometheus(
        metrics={
            "up": [up("api", "a:9100"), up("api", "b:9100"), up("node", "n:9100", env="x")],
            "node_load1": [up("node", "n:9100")],
            "prometheus_engine_seconds": [
                FakeSeries({"quantile": q, "slice": "inner"}, 0.1) for q in ("0.99", "0.5", "0.9")
            ],
        }
    )


async def test_label_values_with_the_variables_it_uses_filled_in() -> None:
    node = Variable("node", query='label_values(up{job="$job"}, instance)')
    assert await fetch_options(node, {"job": "api"}, fake()) == ("a:9100", "b:9100")
    assert await fetch_options(node, {"job": "node"}, fake()) == ("n:9100",)
    # The label itself may be a variable (fusakla's $custom_label_name constant).
    named = Variable("v", query="label_values(up, $label)")
    assert await fetch_options(named, {"label": "job"}, fake()) == ("api", "node")


async def test_label_names_and_metrics() -> None:
    names = Variable("l", query='label_names(up{job="node"})')
    assert await fetch_options(names, {}, fake()) == ("__name__", "env", "instance", "job")
    metrics = Variable("m", query="metrics(^node_|^up$)")
    assert await fetch_options(metrics, {}, fake()) == ("node_load1", "up")


async def test_query_result_lines_filtered_by_a_regex_as_fusaklas_quantile() -> None:
    quantile = Variable(
        "quantile",
        query="query_result(prometheus_engine_seconds)",
        regex='/quantile="([^"]+)"/',
        sort="alphabetical",
    )
    assert await fetch_options(quantile, {}, fake()) == ("0.5", "0.9", "0.99")


def test_a_query_result_line_is_written_as_grafanas() -> None:
    sample = Sample({"__name__": "x", "a": "1", "b": "q"}, 0.25, 1700000000.5)
    assert sample_line(sample) == 'x{a="1",b="q"} 0.25 1700000000500'
    assert sample_line(Sample({}, 3.0, 1.0)) == "{} 3 1000"
    assert sample_line(Sample({}, 1e-05, 1.0)) == "{} 0.00001 1000"


@pytest.mark.parametrize(
    ("regex", "expected"),
    [
        (None, ("a:9100", "b:9090", "a:9100-x")),
        ("/(.*):9100/", ("a",)),  # the first group; each once
        ("/^(?<text>[ab]):(?<value>\\d+)$/", ("9100", "9090")),  # JavaScript's named groups
        ("/B:/i", ("b:9090",)),
        ("a:9100", ("a:9100",)),  # a bare pattern matches whole options
        ("/(x)?a:9100$/", ()),  # a group that took no part: nothing to keep
    ],
)
def test_a_regex_filters_options_as_grafanas(regex, expected) -> None:
    assert filtered(["a:9100", "b:9090", "a:9100-x", "a:9100"], regex) == expected


def test_a_broken_regex_says_why() -> None:
    with pytest.raises(ValueError, match="regex"):
        filtered(["a"], "/(/")


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ("none", ["b10", "B2", "a1", "b9"]),
        ("alphabetical", ["B2", "a1", "b10", "b9"]),
        ("alphabetical-desc", ["b9", "b10", "a1", "B2"]),
        ("alphabetical-ci", ["a1", "b10", "B2", "b9"]),
        ("numerical", ["a1", "B2", "b9", "b10"]),
        ("natural", ["a1", "B2", "b9", "b10"]),
        ("natural-desc", ["b10", "b9", "B2", "a1"]),
    ],
)
def test_options_in_grafanas_orders(sort, expected) -> None:
    assert list(ordered(["b10", "B2", "a1", "b9"], sort)) == expected


# -- chained variables ----------------------------------------------------------------

CHAIN = (
    Variable("node", query='label_values(up{job="$job"}, instance)'),  # before its parent
    Variable("job", query="label_values(up, job)"),
    Variable("other", values=("x",), kind="custom"),
    Variable("port", query='query_result(up{instance="$node"})', regex="/:(\\d+)/"),
)


def test_dependents_follow_the_chain_and_nothing_else() -> None:
    assert dependents(CHAIN, {"job"}) == {"node", "port"}
    assert dependents(CHAIN, {"node"}) == {"port"}
    assert dependents(CHAIN, {"other"}) == set()
    assert depends(CHAIN[3]) == {"node"}


def test_each_is_asked_after_those_it_depends_on() -> None:
    assert refresh_order(CHAIN, {"job", "node", "port"}) == ("job", "node", "port")
    loop = (
        Variable("a", query='label_values(up{x="$b"}, a)'),
        Variable("b", query='label_values(up{x="$a"}, b)'),
    )
    assert refresh_order(loop, {"a", "b"}) == ("a", "b")  # a cycle: dashboard order


@pytest.mark.parametrize(
    ("variable", "pick", "options", "expected"),
    [
        (Variable("v"), "b", ("a", "b"), "b"),
        (Variable("v"), "gone", ("a", "b"), "a"),
        (Variable("v", include_all=True), "gone", ("a", "b"), "all"),
        (Variable("v", include_all=True), "all", ("a", "b"), "all"),
        (Variable("v", multi=True), ("b", "gone"), ("a", "b"), ("b",)),
        (Variable("v", multi=True), ("gone",), ("a", "b"), ("a",)),
        (Variable("v"), "", ("a", "b"), "a"),  # not known yet: the first
        (Variable("v"), "kept", (), "kept"),  # no options: nothing to go by
        (Variable("v", kind="textbox"), "typed", ("a",), "typed"),
    ],
)
def test_a_pick_is_kept_where_it_is_still_an_option(variable, pick, options, expected) -> None:
    assert kept(variable, pick, options) == expected


@pytest.mark.parametrize(
    ("before", "ticked", "include_all", "expected"),
    [
        ("all", ["all", "a"], True, ("a",)),  # a value ticked: All goes
        (("a",), ["a", "all"], True, "all"),  # All ticked: the values go
        (("a",), ["a", "b"], True, ("a", "b")),
        (("a",), [], True, "all"),
        (("a",), [], False, ("a",)),  # nothing ticked, no All: the pick stays
    ],
)
def test_ticking_several(before, ticked, include_all, expected) -> None:
    assert multi_pick(before, ticked, include_all) == expected


async def test_a_new_job_asks_its_chain_again_and_moves_picks_that_are_gone() -> None:
    picks = {"job": "api", "node": "b:9100", "port": "9100", "other": "x"}
    refreshed = await refresh(
        CHAIN,
        {**picks, "job": "node"},
        {},
        dependents(CHAIN, {"job"}),
        fake(),
        range_=RANGE,
    )
    assert refreshed.options == {"node": ("n:9100",), "port": ("9100",)}
    assert refreshed.picks == {"job": "node", "node": "n:9100", "port": "9100", "other": "x"}
    assert refreshed.problems == ()


async def test_a_variable_that_cannot_be_asked_keeps_its_pick_and_says_why() -> None:
    class Refusing(FakePrometheus):
        async def label_values(self, label, selector=None):
            raise QueryError("bad_data", "no such label", 400)

    refreshed = await refresh(
        CHAIN, {"job": "api", "node": "b"}, {}, {"node"}, Refusing(), range_=RANGE
    )
    assert refreshed.picks["node"] == "b"
    assert "node" not in refreshed.options
    (problem,) = refreshed.problems
    assert problem.startswith("node: ") and "no such label" in problem


async def test_at_start_only_what_a_pick_needs_is_asked() -> None:
    quantile = Variable("q", query="query_result(prometheus_engine_seconds)", regex='/"([^"]+)"/')
    hosts = Variable("h", query="label_values(up, instance)", include_all=True, regex="/(.*):/")
    variables = (JOB, quantile, hosts, Variable("free", include_all=True))
    picks = {"job": "all", "q": "", "h": "all", "free": "all"}
    assert needed_at_start(variables, picks) == ("q", "h")
    assert needed_at_start(variables, {**picks, "q": "0.5", "h": "a"}) == ()
    # All of an unfiltered label_values is `.*` in a query, but a repeat over it makes a
    # copy per option: they are asked at start.
    assert needed_at_start(variables, picks, repeated={"job"}) == ("job", "q", "h")
    settled = await live_variables.at_start(variables, picks, fake(), range_=RANGE)
    assert settled.picks["q"] == "0.99"  # the first option, as it came
    assert settled.options["h"] == ("a", "b", "n")
    filled = values(variables, settled.picks, settled.options)
    assert interpolate('up{instance=~"$h:.*"}', filled) == 'up{instance=~"(a|b|n):.*"}'


async def test_a_variable_left_without_a_value_says_so() -> None:
    quantile = Variable("q", query="query_result(no_such_metric)", regex='/"([^"]+)"/')
    settled = await live_variables.at_start([quantile], {"q": ""}, fake(), range_=RANGE)
    assert settled.picks == {"q": ""}
    assert settled.problems == ("q: its query found no options, so it has no value",)


# -- titles --

TITLED = """\
variables:
  job: {values: [api, web, db], multi: true, include_all: true, all_value: ".*", default: all}
  env: {type: custom, values: [prod, dev], default: prod}
rows:
  - title: "Jobs: $job in ${env}"
    panels:
      - {title: "Load of ${job:csv}", expr: 'up{job=~"$job"}', kind: stat}
      - {title: "Costs in $", expr: 'up', kind: stat}
"""


def _titles(dashboard) -> list[str]:
    row = dashboard.rows[0]
    return [row.title, *(p.title for p in row.panels), *(q.title for q in row.queries)]


def test_titles_say_the_picks_as_grafana_shows_them() -> None:
    dashboard = load_text(TITLED, "x.yaml")

    def titled(picks):
        values = templating.title_values(
            dashboard.variables, dashboard.variable_values(picks), {}, range_=900
        )
        return _titles(templating.titled(dashboard, values))

    # All is "All" in a title, though its allValue is ".*" in the query; a format
    # writes the options as Grafana does; an unknown "$" stays as written.
    assert titled({}) == [
        "Jobs: All in prod",
        "Load of api,web,db",
        "Costs in $",
        "Load of api,web,db",
        "Costs in $",
    ]
    assert titled({"job": ("api", "db"), "env": "dev"})[:2] == [
        "Jobs: api + db in dev",
        "Load of api,db",
    ]


def test_a_dashboard_whose_titles_name_no_variable_is_itself() -> None:
    dashboard = load_text(TITLED.replace("$job in ${env}", "all"), "x.yaml")
    plain = replace(dashboard, rows=(replace(dashboard.rows[0], panels=(), queries=()),))
    assert templating.titled(plain, {"job": "api"}) is plain
