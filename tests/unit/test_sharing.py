"""The query planner: what is shared, what is computed here, and what stays whole."""

from __future__ import annotations

import math

import promql_parser
import pytest

from allintop.dashboard.loading import bundled_default_path, load_dashboard
from allintop.promql.interpolate import interpolate
from allintop.promql.sharing import (
    Arithmetic,
    EvaluationError,
    Leaf,
    Quantile,
    plan,
    plan_panel,
)

BUCKETS = 'sum by (le) (rate(x_bucket{job=~".*"}[5m]))'
PRINTED_BUCKETS = 'sum by (le)(rate(x_bucket{job=~".*"}[5m]))'


def _default_exprs() -> list[str]:
    dashboard = load_dashboard(bundled_default_path())
    return [interpolate(p.expr, {"job": "all"}) for p in dashboard.queries]


def _titles() -> list[str]:
    return [p.title for p in load_dashboard(bundled_default_path()).queries]


def _buckets(counts: list[float]) -> list[tuple[dict[str, str], float]]:
    bounds = ["0.1", "0.5", "1", "+Inf"]
    return [({"le": le}, c) for le, c in zip(bounds, counts, strict=True)]


# --- what shares ------------------------------------------------------------------------


def test_the_three_latency_quantiles_share_one_bucket_query():
    p = plan(_default_exprs())
    titles = _titles()
    shared = [leaf for leaf, users in p.users.items() if len(users) > 1]
    assert len(shared) == 1
    assert "allin_http_request_duration_seconds_bucket" in shared[0]
    assert [titles[i] for i in p.users[shared[0]]] == [
        "P50 Response Time",
        "P95 Response Time",
        "P99 Response Time",
    ]


def test_default_dashboard_leaves_are_label_free_sub_queries():
    p = plan(_default_exprs())
    # 13 panels: 12 of them are computed here from 14 leaves; Requests/sec and
    # Active Connections are a bare leaf each. The P50/P95/P99 trio asks once.
    assert len(p.panels) == 13
    assert len(p.leaves) == 14
    assert all(not leaf.startswith("histogram_quantile") for leaf in p.leaves)
    cache = p.panels[_titles().index("Cache Hit Rate")]
    # sum(rate(hits)) appears twice in the expression and is asked once.
    assert len(cache.leaves) == 2
    assert isinstance(cache.root, Arithmetic)


def test_identical_sub_queries_are_shared_across_panels_whatever_their_spacing():
    p = plan(["sum( rate(a[5m]) ) * 100", "sum(rate(a[5m])) / sum(rate(b[5m]))"])
    assert p.leaves == ("sum(rate(a{}[5m]))", "sum(rate(b{}[5m]))")
    assert p.users["sum(rate(a{}[5m]))"] == (0, 1)


def test_same_whole_expression_in_two_panels_is_one_leaf():
    expr = "rate(a[5m]) > 1"
    p = plan([expr, expr])
    assert p.leaves == (expr,)
    assert p.users[expr] == (0, 1)


# --- client-side evaluation ---------------------------------------------------------------


def test_ratio_is_computed_from_its_two_sums():
    panel = plan_panel("sum(a) / sum(b) * 100")
    assert panel.leaves == ("sum(a{})", "sum(b{})")
    assert panel.evaluate({"sum(a{})": [({}, 3.0)], "sum(b{})": [({}, 4.0)]}) == [({}, 75.0)]


def test_quantile_times_literal():
    panel = plan_panel(f"histogram_quantile(0.5, {BUCKETS}) * 1000")
    assert panel.leaves == (PRINTED_BUCKETS,)
    out = panel.evaluate({PRINTED_BUCKETS: _buckets([10, 30, 40, 40])})
    assert out == [({}, pytest.approx(300.0))]


def test_an_empty_operand_gives_an_empty_result():
    panel = plan_panel("sum(a) / sum(b)")
    assert panel.evaluate({"sum(a{})": [], "sum(b{})": [({}, 4.0)]}) == []
    quantile = plan_panel(f"histogram_quantile(0.5, {BUCKETS}) * 1000")
    assert quantile.evaluate({PRINTED_BUCKETS: []}) == []


@pytest.mark.parametrize(
    ("expr", "expected"),
    [
        ("1 + 2", 3.0),
        ("2 * (3 - 1)", 4.0),
        ("-(1) + 5", 4.0),
        ("1 / 0", math.inf),
        ("-1 / 0", -math.inf),
        ("0 / 0", math.nan),
        ("5 % -3", 2.0),  # Go's Mod keeps the dividend's sign
        ("-5 % 3", -2.0),
        ("1 % 0", math.nan),
        ("Inf % 2", math.nan),
        ("NaN + 1", math.nan),
    ],
)
def test_literal_only_expressions_need_no_query(expr, expected):
    panel = plan_panel(expr)
    assert panel.leaves == ()
    [(labels, value)] = panel.evaluate({})
    assert labels == {}
    assert value == expected or (math.isnan(value) and math.isnan(expected))


def test_division_by_a_zero_sum_is_ieee():
    panel = plan_panel("sum(a) / sum(b)")
    [(_, value)] = panel.evaluate({"sum(a{})": [({}, 1.0)], "sum(b{})": [({}, 0.0)]})
    assert value == math.inf


@pytest.mark.parametrize(
    "expr",
    [
        "scalar(sum(a)) * 2",
        "-sum(a) + 1",
        "sum by () (a) / 2",
        "avg(a) - min(b) + max(c) * count(d) / group(e) + stddev(f) + stdvar(g)",
    ],
)
def test_label_free_operands_are_split(expr):
    panel = plan_panel(expr)
    assert panel.whole is None
    assert panel.leaves


def test_grouped_quantile_is_computed_here_with_its_labels():
    expr = "histogram_quantile(0.5, sum by (le, route) (rate(x_bucket[5m])))"
    panel = plan_panel(expr)
    assert isinstance(panel.root, Quantile)
    leaf = panel.leaves[0]
    vector = [({"route": "/a", **labels}, v) for labels, v in _buckets([10, 30, 40, 40])]
    vector += [({"route": "/b", **labels}, v) for labels, v in _buckets([0, 0, 10, 10])]
    out = {labels["route"]: v for labels, v in panel.evaluate({leaf: vector})}
    assert out == {"/a": pytest.approx(0.3), "/b": pytest.approx(0.75)}


def test_a_label_free_leaf_answering_two_series_is_an_error():
    panel = plan_panel("sum(a) / sum(b)")
    with pytest.raises(EvaluationError):
        panel.evaluate({"sum(a{})": [({}, 1.0), ({}, 2.0)], "sum(b{})": [({}, 1.0)]})


# --- what falls back to one whole query -------------------------------------------------


@pytest.mark.parametrize(
    "expr",
    [
        "sum(a) > bool 1",  # comparison with bool
        "sum(a) > 1",  # comparison filters
        "sum(a) / on() sum(b)",  # matching modifiers
        "sum(a) / ignoring(x) sum(b)",
        "sum(a) and sum(b)",  # set operators
        "sum(a) or vector(0)",
        "sum(a) ^ 2",  # Go's Pow is not Python's pow to the last bit
        "rate(a[5m]) * 100",  # a labelled vector
        "sum by (x) (a) / sum(b)",
        "sum without () (a) * 2",
        "topk(3, a) * 2",  # keeps labels
        'count_values("v", a) * 2',
        "quantile(0.5, a) * 2",  # a parameter: not in the allow-list
        "time() - max(a)",  # time() is the server's
        "histogram_quantile(0.9, sum by (le, route) (rate(x_bucket[5m]))) * 1000",
        "histogram_quantile(scalar(q), sum by (le) (x))",  # q not a literal
        "histogram_quantile(0.9, rate(x_bucket[5m]))",  # not an aggregation by le
        "histogram_quantile(0.9, sum by (route) (x_bucket))",  # no le in by()
        "histogram_quantile(0.9, sum without (route) (x_bucket))",
        "rate(a[5m])",
        'label_replace(sum(a), "x", "y", "", "")',
    ],
)
def test_falls_back_to_the_whole_expression(expr):
    panel = plan_panel(expr)
    assert panel.root == Leaf(expr)
    assert panel.whole == expr
    assert panel.leaves == (expr,)


def test_a_leaf_whose_print_does_not_parse_back_keeps_the_expression_whole():
    # promql_parser prints label values without re-escaping their quotes.
    expr = r'sum(a{x="say \"hi\""}) / sum(b)'
    assert plan_panel(expr).root == Leaf(expr)


def test_unparsable_expressions_are_sent_as_written():
    assert plan_panel("sum(rate(a[5m]) / $unknown").root == Leaf("sum(rate(a[5m]) / $unknown")


def test_whole_forces_panels_unsplit():
    exprs = ["sum(a) * 2", "sum(a) / sum(b)"]
    p = plan(exprs, whole={1})
    assert p.panels[0].leaves == ("sum(a{})",)
    assert p.panels[1].root == Leaf("sum(a) / sum(b)")


def test_printed_leaves_parse_back_to_the_same_tree():
    exprs = _default_exprs() + [
        'scalar(sum(rate(a{x=~"a|b", y!="c"}[90s] offset 1m))) / max(b @ 100)',
        f"histogram_quantile(0.99, {BUCKETS}) - histogram_quantile(0.5, {BUCKETS})",
    ]
    p = plan(exprs)
    for leaf in p.leaves:
        tree = promql_parser.parse(leaf)
        assert str(tree) == leaf
        assert repr(promql_parser.parse(str(tree))) == repr(tree)


# --- range evaluation ---------------------------------------------------------------------


def test_evaluate_range_computes_each_step_from_the_leaves_points():
    panel = plan_panel("sum(a) / sum(b) * 100")
    series = {
        "sum(a{})": [({}, (10.0, 11.0, 12.0), (1.0, 2.0, 3.0))],
        # b has no point at 11: no result there, as Prometheus would give none.
        "sum(b{})": [({}, (10.0, 12.0000001), (4.0, 4.0))],
    }
    out = panel.evaluate_range(series, [10.0, 11.0, 12.0], step=1.0)
    assert out == [({}, [10.0, 12.0], [25.0, 75.0])]


def test_evaluate_range_of_literals_fills_every_step():
    out = plan_panel("2 * 21").evaluate_range({}, [0.0, 5.0, 10.0], step=5.0)
    assert out == [({}, [0.0, 5.0, 10.0], [42.0, 42.0, 42.0])]


# --- purity -------------------------------------------------------------------------------
