"""Explore's pure parts: the tokens of a half-typed query, what the cursor is on and
what completes it, where a syntax error is, and the past queries' file."""

from __future__ import annotations

from pathlib import Path

import pytest

from allintop.live.past_queries import MAX_QUERIES, PastQueries, Recall, state_dir
from allintop.promql.complete import (
    AGGREGATIONS,
    FUNCTIONS,
    Context,
    apply,
    candidates,
    context_at,
    first_metric,
)
from allintop.promql.parse import parse_error
from allintop.promql.syntax import problem
from allintop.promql.tokens import one_line, tokens

METRICS = ["allin_http_requests_total", "allin_http_request_duration_seconds_bucket", "up"]


def test_tokens_survive_unfinished_text():
    found = tokens('sum by (job) (rate(up{job="pro')
    assert [t.kind for t in found][-3:] == ["name", "operator", "string"]
    assert found[-1].closed is False and found[-1].body == "pro"
    closed = tokens('up{a="x\\"y"} # a comment')
    assert [t.text for t in closed] == ["up", "{", "a", "=", '"x\\"y"', "}"]
    assert [t.kind for t in tokens("rate(x[5m]) >= 1.5e3")] == [
        "name", "open", "name", "open", "number", "close", "close", "operator", "number",
    ]  # fmt: skip


def test_a_query_of_several_lines_goes_on_one_as_written():
    text = 'sum by (job) (  # per job\n  rate(up{job="a b"}[5m])\n)'
    assert one_line(text) == 'sum by (job) ( rate(up{job="a b"}[5m]) )'
    assert parse_error(one_line(text)) is None
    assert one_line("up") == "up"


@pytest.mark.parametrize(
    ("text", "place", "prefix", "metric", "label"),
    [
        ("rate(allin_http_req", "name", "allin_http_req", "", ""),
        ("allin", "name", "allin", "", ""),
        ("up{", "label", "", "up", ""),
        ('up{job="api", inst', "label", "inst", "up", ""),
        ('up{job=~"a|b",', "label", "", "up", ""),
        ("up{job=", "value", "", "up", "job"),
        ('up{job="pro', "value", "pro", "up", "job"),
        ("up{job!~'pro", "value", "pro", "up", "job"),
        ("sum by (jo", "label", "jo", "", ""),
        ("sum(rate(allin_x[1m])) by (", "label", "", "allin_x", ""),
        ("sum by (route) (rate(allin_x[1m])) / on(", "label", "", "allin_x", ""),
    ],
)
def test_the_place_under_the_cursor(text, place, prefix, metric, label):
    context = context_at(text, len(text))
    assert context is not None
    assert (context.place, context.prefix, context.metric, context.label) == (
        place,
        prefix,
        metric,
        label,
    )


@pytest.mark.parametrize("text", ["rate(x[5", "up ", "1 + 2", 'up{job="a"}', 'up{job="a"} or '])
def test_nothing_to_complete(text):
    assert context_at(text, len(text)) is None


def test_the_cursor_not_at_the_end_completes_what_is_before_it():
    text = "rate(allin_ht[1m])"
    context = context_at(text, 13)
    assert context == Context("name", "allin_ht", 5)
    assert apply(text, 13, context, METRICS[0]) == (
        "rate(allin_http_requests_total[1m])",
        30,
    )


def test_candidates_start_with_the_prefix_first_then_contain_it():
    context = Context("name", "rat", 0)
    offered = candidates(context, ["ratio_metric", "x_rate_y"])
    assert offered[:2] == ["rate", "ratio_metric"]
    assert offered.index("irate") > offered.index("ratio_metric")
    assert "x_rate_y" in offered
    # Metric names are offered with the functions; labels and values only what fits.
    assert candidates(Context("name", "allin_http_req", 0), METRICS) == METRICS[:2][::-1]
    assert candidates(Context("label", "", 3, "up"), ["job", "instance"]) == ["instance", "job"]
    assert len(candidates(Context("name", "", 0), [f"m{k}" for k in range(500)])) == 50


def test_a_completion_is_put_in_as_promql_writes_it():
    text = "histo"
    assert apply(text, 5, context_at(text, 5), "histogram_quantile") == (
        "histogram_quantile(",
        19,
    )
    text = "up{job="
    assert apply(text, 7, context_at(text, 7), 'a"b') == ('up{job="a\\"b"', 13)
    text = 'up{job="pr"}'  # the closing quote typed already: not doubled
    assert apply(text, 10, context_at(text, 10), "prometheus") == ('up{job="prometheus"}', 19)
    text = "up{inst"
    assert apply(text, 7, context_at(text, 7), "instance") == ("up{instance", 11)


def test_every_function_offered_is_one_the_parser_knows():
    for name in (*FUNCTIONS, *AGGREGATIONS):
        message = parse_error(f"{name}()") or ""
        assert "unknown function" not in message, name


def test_first_metric_skips_functions_labels_and_keywords():
    assert first_metric('sum by (job) (rate(allin_x{code="500"}[1m]))') == "allin_x"
    assert first_metric("sum by (jo") == ""


@pytest.mark.parametrize(
    ("text", "caret"),
    [
        ("rate(up[5m]) +* 3", "rate(up[5m]) +^* 3"),
        ("up{job=}", "up{job=^}"),
        ("up }", "up ^}"),
        ("foo(up)", "^foo(up)"),
        ("rate(up[5m]) 3", "rate(up[5m]) ^3"),
        ("sum(rate(x[5m]) by (a)", "sum(rate(x[5m]) by (a)^"),  # unclosed: at the end
        ("rate(up[5x])", "rate(up[^5x])"),
        # Inside parentheses the parser says "unclosed" first: still found.
        ("sum by (a) (rate(x[1m]) +* 2)", "sum by (a) (rate(x[1m]) +^* 2)"),
        # Only unfinished: the caret at the end, not on the label list.
        ("sum by (route)", "sum by (route)^"),
        ('sum(rate(x{a="b', 'sum(rate(x{a="b^'),
    ],
)
def test_a_syntax_error_is_placed_where_the_parser_stops(text, caret):
    found = problem(text)
    assert found is not None and found.message == parse_error(text)
    assert text[: found.offset] + "^" + text[found.offset :] == caret


def test_a_valid_query_has_no_problem_and_positions_count_lines():
    assert problem('sum by (job) (rate(up{job="a"}[5m]))') is None
    found = problem("sum(\n  rate(up[5m]) +* 3)")
    assert found is not None and found.position("sum(\n  rate(up[5m]) +* 3)") == (2, 17)


# -- the past queries' file --


def test_state_dir_follows_xdg(tmp_path: Path):
    assert state_dir({"XDG_STATE_HOME": str(tmp_path)}) == tmp_path / "allintop"
    assert state_dir({"XDG_STATE_HOME": "relative"}, home=tmp_path) == (
        tmp_path / ".local/state/allintop"
    )
    assert state_dir({}, home=tmp_path) == tmp_path / ".local/state/allintop"


def test_past_queries_are_kept_across_runs_newest_last(tmp_path: Path):
    path = tmp_path / "state" / "allintop" / "explore_history"
    past = PastQueries(path)
    assert past.queries == [] and past.error is None
    past.add("up")
    past.add('sum by (job) (up{job="a"})')
    past.add("multi\nline")
    past.add('"quoted"')
    past.add("up")  # again: moved to the newest, not kept twice
    past.add("   ")  # nothing typed: nothing kept
    again = PastQueries(path)
    assert again.queries == ['sum by (job) (up{job="a"})', "multi\nline", '"quoted"', "up"]
    assert len(path.read_text().splitlines()) == 4


def test_past_queries_keep_the_newest_and_survive_a_bad_file(tmp_path: Path):
    path = tmp_path / "h"
    past = PastQueries(path)
    for k in range(MAX_QUERIES + 20):
        past.add(f"q{k}")
    assert len(PastQueries(path).queries) == MAX_QUERIES
    assert PastQueries(path).queries[0] == "q20"
    path.write_bytes(b"up\n\xff\xfe junk\n\n")
    assert PastQueries(path).queries[0] == "up"  # a bad byte costs that line's text only
    blocked = tmp_path / "a-file"
    blocked.write_text("")
    unwritable = PastQueries(blocked / "h")  # its directory is a file
    unwritable.add("up")
    assert unwritable.error is not None and "a-file" in unwritable.error
    assert unwritable.queries == ["up"]  # still recalled in this run


def test_recall_walks_back_and_returns_to_what_was_typed(tmp_path: Path):
    past = PastQueries(tmp_path / "h")
    for query in ("one", "two", "three"):
        past.add(query)
    recall = Recall(past)
    assert recall.newer() is None
    assert recall.older("typ") == "three"
    assert recall.older("three") == "two"
    assert recall.older("two") == "one"
    assert recall.older("one") is None  # the oldest: stays
    assert recall.newer() == "two"
    assert recall.newer() == "three"
    assert recall.newer() == "typ"  # back to the text typed before the first Up
    assert Recall(PastQueries(tmp_path / "none")).older("x") is None


def test_the_caret_stays_under_its_place_on_a_long_query():
    from allintop.ui.screens.explore_prompt import caret_text

    query = "sum(" + "x + " * 40 + "+* 1)"
    found = problem(query)
    assert found is not None
    lines = caret_text(query, found.position(query), found.message, 40).plain.split("\n")
    assert all(len(line) <= 40 for line in lines[:2])
    at = lines[1].index("^")
    assert lines[0][at] == "*"  # the window of the query holds the place
    assert lines[0].startswith("…")
    # A short one keeps the message beside the caret.
    short = caret_text("up }", (1, 4), "unexpected right brace '}'", 80).plain.split("\n")
    assert short == ["up }", "   ^ unexpected right brace '}' (line 1, column 4)"]
    evil = caret_text("up{a=\x1b[2J}", (1, 9), "m", 80).plain
    assert "\x1b" not in evil
