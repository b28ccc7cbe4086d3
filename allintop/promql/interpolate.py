"""Template variables filled into PromQL (and into plain text), each value written
for where it lands, so that no value can change what a query means.

Grafana-style variables are substituted into the expression text before it is parsed,
as Grafana does; where each value lands (a regex matcher, a string, and in which
quotes) is still learnt from the parser's AST.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import promql_parser

from allintop.promql.parse import parse, promql_string
from allintop.promql.variable_values import (
    Reference,
    Value,
    formatted,
    references,
    replace_references,
    shown,
)


def interpolate(expr: str, values: Mapping[str, Value]) -> str:
    """Replace $var, ${var}, [[var]] (and ${var:format}) with their values.

    Each value is written for where it lands, so that no value can change what the
    query means: inside an `=~`/`!~` matcher it is regex-quoted (a literal `a.b|c`
    matches only itself) and string-escaped; inside an `=`/`!=` matcher or any other
    string it is string-escaped (for the string's own quotes). Several values are
    Grafana's `(a|b)` of regex-quoted values, wherever they land; All is its options
    so, else `.*`; an AsWritten value is only string-escaped. A `:format` (regex,
    pipe, csv, raw, text, json, glob, doublequote, singlequote, sqlstring) writes the
    values as Grafana does, and only string-escapes the result. Elsewhere (a metric
    name, a duration, a number) a value is PromQL text, as in Grafana, and goes in as
    written; so does every value when the expression does not parse, and Prometheus
    then says what is wrong with it.

    Unknown variables stay as written. Substitution is one pass: a value that itself
    contains "$x" is not expanded again.
    """
    spots = [_Spot(ref, values[ref.name]) for ref in references(expr) if ref.name in values]
    if not spots:
        return expr
    places = _places(expr, spots)
    return _splice(expr, spots, [_written(spot, places.get(i)) for i, spot in enumerate(spots)])


def interpolate_text(
    text: str, values: Mapping[str, Value], default_format: str | None = None
) -> str:
    """$var, ${var} and [[var]] in plain text, not PromQL (a row's title, a variable's
    regex): each replaced by its value in its own format, else `default_format`,
    else as it is shown (several joined by " + "); unknown variables stay as
    written."""

    def value(ref: Reference) -> str:
        if ref.name not in values:
            return ref.text
        fmt = ref.format or default_format
        return formatted(values[ref.name], fmt, regex=False) if fmt else shown(values[ref.name])

    return replace_references(text, value)


@dataclass(frozen=True, slots=True)
class _Spot:
    """One variable reference in an expression, and the value it stands for."""

    ref: Reference
    value: Value


@dataclass(frozen=True, slots=True)
class _Place:
    """Where a reference lands: in a regex matcher or a plain string, and which quote
    (`"`, `'` or a backtick) that string is written in."""

    regex: bool
    quote: str


def _quote_escaped(value: str, quote: str) -> str | None:
    """`value` escaped for the inside of a PromQL string in `quote`; None when it
    cannot be written there (a backtick in a raw string, which has no escapes)."""
    if quote == '"':
        return promql_string(value)
    if quote == "'":
        return "".join("\\'" if c == "'" else c if c == '"' else promql_string(c) for c in value)
    return None if "`" in value else value


def _written(spot: _Spot, place: _Place | None) -> str:
    """The text that replaces one reference."""
    value = formatted(spot.value, spot.ref.format, regex=place is not None and place.regex)
    if place is None:
        return value
    if place.regex and place.quote == "`":
        value = value.replace("`", "\\x60")  # RE2's escape; a raw string has none
    escaped = _quote_escaped(value, place.quote)
    # A value a raw string cannot hold selects nothing rather than ending the string.
    return spot.ref.text if escaped is None else escaped


def _splice(expr: str, spots: list[_Spot], texts: list[str]) -> str:
    parts: list[str] = []
    at = 0
    for spot, text in zip(spots, texts, strict=True):
        parts += [expr[at : spot.ref.start], text]
        at = spot.ref.end
    parts.append(expr[at:])
    return "".join(parts)


def _places(expr: str, spots: list[_Spot]) -> dict[int, _Place]:
    """Where each reference lands, found by the parser: each one is replaced by a
    unique identifier (which parses as a string's content, a metric or a label name),
    and the AST says which matchers and strings hold which identifier.

    A reference in a duration or number position cannot hold an identifier: when the
    expression does not parse so, references whose values are durations or numbers
    (which hold nothing that could end a string) stand as "1", a number that is also a
    duration, and then get their identifier back one by one where the expression
    still parses. A reference found in no string is a name or such: written as is.
    """
    prefix = "allintopvar"
    while prefix in expr:
        prefix += "x"
    marks = [f"{prefix}{i:05d}z" for i in range(len(spots))]

    def tree(texts: list[str]) -> promql_parser.Expr | None:
        try:
            return parse(_splice(expr, spots, texts))
        except ValueError:
            return None

    texts = list(marks)
    parsed = tree(texts)
    if parsed is None:
        literal = [
            i
            for i, spot in enumerate(spots)
            if _is_literal(formatted(spot.value, spot.ref.format, regex=False))
        ]
        for i in literal:
            texts[i] = "1"  # not the value: the parser panics on some huge durations
        if (parsed := tree(texts)) is None:
            return {}
        for i in literal:
            marked = [marks[i] if j == i else text for j, text in enumerate(texts)]
            if (again := tree(marked)) is not None:
                texts, parsed = marked, again
    found = _marks_in_strings(parsed, marks)
    quotes = _quotes(expr, spots, texts, found)
    return {i: _Place(regex, quotes[i]) for i, regex in found.items()}


def _is_literal(value: str) -> bool:
    """Whether `value` is one PromQL duration or number, nothing more."""
    try:
        return isinstance(parse(value), promql_parser.NumberLiteral)
    except ValueError:
        return False


def _marks_in_strings(tree: promql_parser.Expr, marks: list[str]) -> dict[int, bool]:
    """Each mark found in a matcher's value or a string literal: whether in a regex."""
    found: dict[int, bool] = {}

    def note(text: str, regex: bool) -> None:
        for i, mark in enumerate(marks):
            if mark in text:
                found[i] = regex

    def visit(node: promql_parser.Expr) -> None:
        if isinstance(node, promql_parser.VectorSelector):
            groups = [node.matchers.matchers, *node.matchers.or_matchers]
            for matcher in (m for group in groups for m in group):
                regex = matcher.op in (promql_parser.MatchOp.Re, promql_parser.MatchOp.NotRe)
                note(matcher.value, regex)
        elif isinstance(node, promql_parser.StringLiteral):
            note(node.val, False)

    promql_parser.walk(tree, visit)
    return found


def _quotes(
    expr: str, spots: list[_Spot], texts: list[str], found: Mapping[int, bool]
) -> dict[int, str]:
    """The quote of the string each found mark is in, asked of the parser: a mark
    followed by an escaped `"` parses only in a double-quoted string, by an escaped `'`
    only in a single-quoted one; in a raw (backtick) string, neither."""
    quotes: dict[int, str] = {}

    def parses_with(indexes: Iterable[int], escape: str) -> bool:
        probe = list(texts)
        for i in indexes:
            probe[i] += escape
        try:
            parse(_splice(expr, spots, probe))
        except ValueError:
            return False
        return True

    if found and parses_with(found, '\\"'):  # the usual case: all double-quoted
        return dict.fromkeys(found, '"')
    for i in found:
        if parses_with([i], '\\"'):
            quotes[i] = '"'
        elif parses_with([i], "\\'"):
            quotes[i] = "'"
        else:
            quotes[i] = "`"
    return quotes
