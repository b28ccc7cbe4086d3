"""Template variable values escaped for where they land (allintop.promql.interpolate):
no picked value can change what a query means."""

from __future__ import annotations

import re

import promql_parser
import pytest
from hypothesis import assume, example, given
from hypothesis import strategies as st

from allintop.promql.interpolate import interpolate, interpolate_text
from allintop.promql.parse import parse_error, regex_quote
from allintop.promql.variable_values import AllOf, AsWritten, Value

NASTY = 'a"b|c.*'

# Values that are no literal value but "every value": they stay the .* regex.
ALL_VALUES = {"all", "All", "$__all"}


def job_matchers(expr: str) -> list[promql_parser.Matcher]:
    """Every matcher on the label "job" (or the metric name), in every selector."""
    found: list[promql_parser.Matcher] = []

    def visit(node: promql_parser.Expr) -> None:
        if isinstance(node, promql_parser.VectorSelector):
            groups = [node.matchers.matchers, *node.matchers.or_matchers]
            found.extend(m for g in groups for m in g if m.name in ("job", "__name__"))

    promql_parser.walk(promql_parser.parse(expr), visit)
    return found


def selects(matcher: promql_parser.Matcher, value: str) -> bool:
    """Whether `matcher` selects a series whose label is `value`, as Prometheus
    decides it: equality, or a regex anchored at both ends."""
    op = matcher.op
    if op in (promql_parser.MatchOp.Equal, promql_parser.MatchOp.NotEqual):
        hit = matcher.value == value
    else:
        hit = re.fullmatch(matcher.value, value, re.DOTALL) is not None
    return hit if op in (promql_parser.MatchOp.Equal, promql_parser.MatchOp.Re) else not hit


@pytest.mark.parametrize(
    ("expr", "expected"),
    [
        ('up{job=~"$v"}', r'up{job=~"a\"b\\|c\\.\\*"}'),
        ('up{job!~"${v}"}', r'up{job!~"a\"b\\|c\\.\\*"}'),
        ('up{job="[[v]]"}', r'up{job="a\"b|c.*"}'),
        ('up{job!="$v"}', r'up{job!="a\"b|c.*"}'),
        # The string's own quotes: ' is escaped in a single-quoted string, " is not.
        ("up{job='$v'}", "up{job='a\"b|c.*'}"),
        ("up{job=~'$v'}", r"""up{job=~'a"b\\|c\\.\\*'}"""),
        # Inside a longer regex only the value is quoted, not the pattern around it.
        ('up{job=~"$v-.*"}', r'up{job=~"a\"b\\|c\\.\\*-.*"}'),
        ('{__name__=~"$v"}', r'{__name__=~"a\"b\\|c\\.\\*"}'),
        ('up{a="1" or job=~"$v"}', r'up{a="1" or job=~"a\"b\\|c\\.\\*"}'),
        # A string argument is a string: escaped, not regex-quoted.
        (
            'label_replace(up, "d", "$v", "s", "(.*)")',
            r'label_replace(up, "d", "a\"b|c.*", "s", "(.*)")',
        ),
        ('count_values("$v", up)', r'count_values("a\"b|c.*", up)'),
    ],
)
def test_a_value_is_escaped_for_the_string_it_lands_in(expr: str, expected: str) -> None:
    assert interpolate(expr, {"v": NASTY}) == expected


def test_a_raw_string_takes_a_regex_escape_for_a_backtick_and_no_other() -> None:
    assert interpolate("up{job=~`$v`}", {"v": "a`b.c"}) == r"up{job=~`a\x60b\.c`}"
    assert interpolate("up{job=`$v`}", {"v": 'a"b'}) == 'up{job=`a"b`}'
    # A raw string cannot hold a backtick at all: the reference stays, selecting nothing.
    assert interpolate("up{job=`$v`}", {"v": "a`b"}) == "up{job=`$v`}"


@pytest.mark.parametrize(
    ("expr", "values", "expected"),
    [
        # Durations and numbers cannot hold an identifier: they go in as written,
        # and the strings of the same expression are still escaped.
        (
            'rate(x{job=~"$v"}[$__rate_interval])',
            {"v": NASTY, "__rate_interval": "60000ms"},
            r'rate(x{job=~"a\"b\\|c\\.\\*"}[60000ms])',
        ),
        ('topk($n, x{job=~"$v"})', {"v": "1.5", "n": "5"}, r'topk(5, x{job=~"1\\.5"})'),
        ('x{job=~"$v"} offset $o', {"v": "a.b", "o": "1h"}, r'x{job=~"a\\.b"} offset 1h'),
        # Names are PromQL text, as in Grafana.
        (
            '${m}_total{job=~"$v"} > $t',
            {"m": "foo", "v": "a.b", "t": "2"},
            r'foo_total{job=~"a\\.b"} > 2',
        ),
        ('sum by ($l) (up{job="$v"})', {"l": "job", "v": "x"}, 'sum by (job) (up{job="x"})'),
        # "All" is every value, wherever it lands.
        ('up{job=~"$v|x"}', {"v": "all"}, 'up{job=~".*|x"}'),
        # An expression that does not parse gets the values as written: Prometheus
        # then reports the expression's own error.
        ('up{job=~"$v"', {"v": NASTY}, 'up{job=~"a"b|c.*"'),
    ],
)
def test_values_outside_strings_go_in_as_written(
    expr: str, values: dict[str, str], expected: str
) -> None:
    assert interpolate(expr, values) == expected


def test_an_identifier_in_the_expression_is_not_mistaken_for_a_reference() -> None:
    # The stand-ins the parser sees must not collide with the expression's own names.
    expr = 'allintopvar00000z{job=~"$v"} + allintopvar00001z'
    assert interpolate(expr, {"v": "a.b"}) == r'allintopvar00000z{job=~"a\\.b"} + allintopvar00001z'


def test_regex_quote_is_gos_quote_meta() -> None:
    assert regex_quote(r"\.+*?()|[]{}^$") == r"\\\.\+\*\?\(\)\|\[\]\{\}\^\$"
    assert regex_quote("a-b c/d#e\n") == "a-b c/d#e\n"  # RE2 rejects escaped letters


TEMPLATES = [
    'up{job=~"$v"}',
    'up{job!~"$v"}',
    'up{job="$v"}',
    'up{job!="$v"}',
    "up{job='${v}'}",
    "up{job=~'[[v]]'}",
    'sum(rate(up{a="1" or job=~"$v"}[5m]))',
    '{__name__=~"$v"}',
]


@given(
    template=st.sampled_from(TEMPLATES),
    value=st.text(),
    other=st.text(alphabet="ab\"|.*\\\n'$", max_size=6),
)
@example(template=TEMPLATES[0], value=NASTY, other="a")
@example(template=TEMPLATES[0], value=NASTY, other='a"b|c')
@example(template=TEMPLATES[0], value="\\", other="\\\\")
@example(template=TEMPLATES[4], value="'\n\"", other="")
def test_any_value_parses_and_selects_exactly_itself(template: str, value: str, other: str) -> None:
    # An empty regex as a selector's only matcher is no query at all.
    assume(value not in ALL_VALUES and (value or "__name__" not in template))
    expr = interpolate(template, {"v": value})
    assert parse_error(expr) is None, expr
    (matcher,) = [m for m in job_matchers(expr) if m.name in ("job", "__name__")]
    positive = matcher.op in (promql_parser.MatchOp.Equal, promql_parser.MatchOp.Re)
    assert selects(matcher, value) is positive
    for near in (other, value + other, other + value, value[:-1], value * 2):
        if near != value:
            assert selects(matcher, near) is not positive, (expr, near)


# -- several values, All, and Grafana's formats ---------------------------------------

HOSTS = ("a.b:9100", 'c"d')


@pytest.mark.parametrize(
    ("expr", "value", "expected"),
    [
        # Several values are Grafana's (a|b), each regex-quoted, then string-escaped.
        ('up{instance=~"$v"}', HOSTS, r'up{instance=~"(a\\.b:9100|c\"d)"}'),
        ("up{instance=~'$v'}", HOSTS, r"""up{instance=~'(a\\.b:9100|c"d)'}"""),
        ("up{instance=~`$v`}", HOSTS, r"up{instance=~`(a\.b:9100|c" + '"' + "d)`}"),
        # One value of several is that value, as a single pick is.
        ('up{instance=~"$v"}', ("a.b",), r'up{instance=~"a\\.b"}'),
        ('up{instance="$v"}', ("a.b",), 'up{instance="a.b"}'),
        # Under = several values are still Grafana's (a|b), which selects nothing.
        ('up{instance="$v"}', ("a", "b"), 'up{instance="(a|b)"}'),
        # All: every value of the label, or the options listed, or .*.
        ('up{instance=~"$v"}', AllOf(), 'up{instance=~".*"}'),
        ('up{instance=~"$v"}', AllOf(("x.y", "z")), r'up{instance=~"(x\\.y|z)"}'),
        # Text that goes in as written: a regex stays one, and still cannot end its string.
        ('up{device=~"$v"}', AsWritten("sd[a-z]+|nvme.+"), 'up{device=~"sd[a-z]+|nvme.+"}'),
        ('up{device=~"$v"}', AsWritten('x"} or vector(1)'), r'up{device=~"x\"} or vector(1)"}'),
        ('up{device="$v"}', AsWritten("a.b"), 'up{device="a.b"}'),
        ("sum by ($v) (up)", AsWritten("job"), "sum by (job) (up)"),
    ],
)
def test_several_values_all_and_text_as_written(expr: str, value: Value, expected: str) -> None:
    assert interpolate(expr, {"v": value}) == expected
    # (promql-parser reads escapes in a raw string, which Prometheus does not.)
    assert "`" in expected or parse_error(expected) is None


@pytest.mark.parametrize(
    ("reference", "expected"),
    [
        ("${v:regex}", r"(a\\.b|c\"d)"),
        ("${v:pipe}", r"a.b|c\"d"),
        ("${v:csv}", r"a.b,c\"d"),
        ("${v:raw}", r"a.b,c\"d"),
        ("${v:text}", r"a.b + c\"d"),
        ("${v:glob}", r"{a.b,c\"d}"),
        ("${v:json}", r"[\"a.b\", \"c\\\"d\"]"),
        ("${v:doublequote}", r"\"a.b\",\"c\\\"d\""),
        ("${v:singlequote}", r"'a.b','c\"d'"),
        ("${v:sqlstring}", r"'a.b','c\"d'"),
        ("[[v:csv]]", r"a.b,c\"d"),
        ("${v:nosuchformat}", r"(a\\.b|c\"d)"),  # Grafana's own default, as $v
    ],
)
def test_a_format_writes_the_values_as_grafana_does_then_string_escapes(
    reference: str, expected: str
) -> None:
    expr = f'up{{instance=~"{reference}"}}'
    written = interpolate(expr, {"v": ("a.b", 'c"d')})
    assert written == f'up{{instance=~"{expected}"}}'
    assert parse_error(written) is None  # nothing ended the string early


@pytest.mark.parametrize(
    ("expr", "value", "expected"),
    [
        (
            'label_replace(up, "l", "${v:csv}", "", "")',
            ("a", "b"),
            'label_replace(up, "l", "a,b", "", "")',
        ),
        ("sum by (${v:csv}) (up)", ("job", "instance"), "sum by (job,instance) (up)"),
        ('up{job=~"${v:pipe}"}', AllOf(), 'up{job=~".*"}'),
        ('up{job=~"${v:csv}"}', AsWritten(".+"), 'up{job=~".+"}'),  # an allValue, always
        ('up{job=~"${v:regex}"}', "a.b", r'up{job=~"a\\.b"}'),
        ('up{job="${v:regex}"}', "a.b", r'up{job="a\\.b"}'),  # asked for: quoted anyway
        ('up{job=~"${v:raw}"}', "a.b", 'up{job=~"a.b"}'),  # asked for: not quoted
    ],
)
def test_formats_outside_regexes_and_for_all(expr: str, value: Value, expected: str) -> None:
    assert interpolate(expr, {"v": value}) == expected


def test_a_value_in_a_number_or_duration_is_written_by_its_format_too() -> None:
    values: dict[str, Value] = {"q": ("0.5",), "w": AsWritten("5m")}
    assert interpolate('histogram_quantile($q, rate(x{le=~"$q"}[$w]))', values) == (
        r'histogram_quantile(0.5, rate(x{le=~"0\\.5"}[5m]))'
    )


def test_text_shows_several_values_and_all_as_a_person_reads_them() -> None:
    values: dict[str, Value] = {"a": ("x", "y"), "b": AllOf(("p",)), "c": AsWritten(".*")}
    assert interpolate_text("$a / ${b} / [[c]] / ${a:csv} / $d", values) == (
        "x + y / All / .* / x,y / $d"
    )


@given(
    values=st.lists(st.text(min_size=1), min_size=2, max_size=4, unique=True),
    other=st.text(max_size=6),
)
@example(values=["a.b", "a|b"], other="axb")
@example(values=['"', "\\"], other="")
def test_several_values_select_exactly_themselves(values: list[str], other: str) -> None:
    assume(not set(values) & ALL_VALUES)
    expr = interpolate('up{job=~"$v"}', {"v": tuple(values)})
    assert parse_error(expr) is None, expr
    (matcher,) = job_matchers(expr)
    for value in values:
        assert selects(matcher, value), (expr, value)
    if other not in values:
        assert not selects(matcher, other), (expr, other)
