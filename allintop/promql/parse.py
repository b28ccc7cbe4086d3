"""PromQL helpers on a real parser (promql_parser): validation, metric names, layout.

Only `interpolate` (and `variables_used`) work on text: Grafana-style template
variables are substituted into the expression text before it is parsed, as Grafana
does; where each value lands (a regex matcher, a string) is still learnt from the
parser's AST. Everything that looks at PromQL itself goes through the parser's AST.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Literal

import promql_parser

# Grafana's three variable syntaxes: ${var} and ${var:format}, [[var]] and
# [[var:format]], and $var. A name is a word, as in Grafana: "$job_name" is the
# variable "job_name", not "job".
_VARIABLE = re.compile(
    r"\$\{(?P<braced>\w+)(?::(?P<braced_format>[^}]*))?\}"
    r"|\[\[(?P<bracketed>\w+)(?::(?P<bracketed_format>[^\]]*))?\]\]"
    r"|\$(?P<plain>\w+)"
)
# Values that mean "every value" (Grafana's "All"): see AllOf.
ALL_VALUES = frozenset({"all", "All", "$__all"})
_ALL_REGEX = ".*"


@dataclass(frozen=True, slots=True)
class AllOf:
    """A variable's "All" (without an allValue): every one of its `options`, written as
    several values are; with none listed, ".*", every value of the label (as the
    strings "all", "All" and "$__all" are)."""

    options: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class AsWritten:
    """A value that is PromQL text by intent, such as a regex a dashboard's author
    wrote as a custom variable's option or allValue (`nvme.+|sd[a-z]`), or typed in
    a textbox: in a regex matcher it stays a regex (as Grafana writes the single
    value of such a variable); it is still string-escaped, so it cannot end its
    string."""

    text: str


#: What a variable stands for in a query: one value (a literal), several (a
#: multi-value pick), All, or text that goes in as written.
Value = str | tuple[str, ...] | AllOf | AsWritten


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
    spots = [
        _Spot(match.start(), match.end(), match[0], values[name], _format(match))
        for match in _VARIABLE.finditer(expr)
        if (name := _name(match)) in values
    ]
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

    def value(match: re.Match[str]) -> str:
        name = _name(match)
        if name not in values:
            return match[0]
        fmt = _format(match) or default_format
        return _formatted(values[name], fmt, regex=False) if fmt else shown(values[name])

    return _VARIABLE.sub(value, text)


def shown(value: Value) -> str:
    """A value as a person reads it: "a + b" for several, "All" for All."""
    if isinstance(value, AllOf):
        return "All"
    if isinstance(value, AsWritten):
        return value.text
    return value if isinstance(value, str) else " + ".join(value)


def _name(match: re.Match[str]) -> str:
    return str(match["braced"] or match["bracketed"] or match["plain"])


def _format(match: re.Match[str]) -> str | None:
    return match["braced_format"] or match["bracketed_format"] or None


@dataclass(frozen=True, slots=True)
class _Spot:
    """One variable reference in an expression, and the value it stands for."""

    start: int
    end: int
    text: str  # as written: "$job", "${job}", "[[job]]"
    value: Value
    format: str | None = None  # "csv" of ${job:csv}


@dataclass(frozen=True, slots=True)
class _Place:
    """Where a reference lands: in a regex matcher or a plain string, and which quote
    (`"`, `'` or a backtick) that string is written in."""

    regex: bool
    quote: str


# Go's regexp.QuoteMeta escapes exactly these; RE2 rejects escapes of other letters.
_REGEX_SPECIAL = frozenset("\\.+*?()|[]{}^$")


def regex_quote(value: str) -> str:
    """`value` as a regex that matches exactly itself (Go's regexp.QuoteMeta)."""
    return "".join("\\" + c if c in _REGEX_SPECIAL else c for c in value)


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
    value = _formatted(spot.value, spot.format, regex=place is not None and place.regex)
    if place is None:
        return value
    if place.regex and place.quote == "`":
        value = value.replace("`", "\\x60")  # RE2's escape; a raw string has none
    escaped = _quote_escaped(value, place.quote)
    # A value a raw string cannot hold selects nothing rather than ending the string.
    return spot.text if escaped is None else escaped


def _formatted(value: Value, fmt: str | None, *, regex: bool) -> str:
    """What a reference stands for before string escaping: in `fmt` if it names one of
    Grafana's formats, else as Grafana's Prometheus datasource writes it, regex-quoted
    where it lands in a regex (`regex`)."""
    if isinstance(value, AsWritten):
        return value.text
    if isinstance(value, str) and value in ALL_VALUES:
        value = AllOf()
    if isinstance(value, AllOf):
        if fmt == "text":
            return "All"
        if not value.options:
            return _ALL_REGEX
        value = value.options
    listed = (value,) if isinstance(value, str) else value
    writer = _FORMATS.get(fmt or "")
    if writer is not None:
        return writer(listed)
    if len(listed) == 1:
        return regex_quote(listed[0]) if regex else listed[0]
    return _regex_format(listed)


def _regex_format(values: tuple[str, ...]) -> str:
    quoted = [regex_quote(value) for value in values]
    return quoted[0] if len(quoted) == 1 else "(" + "|".join(quoted) + ")"


def _glob_format(values: tuple[str, ...]) -> str:
    return values[0] if len(values) == 1 else "{" + ",".join(values) + "}"


def _json_format(values: tuple[str, ...]) -> str:
    return json.dumps(values[0] if len(values) == 1 else list(values), ensure_ascii=False)


def _quoted_format(quote: str, double: bool = False) -> Callable[[tuple[str, ...]], str]:
    def write(values: tuple[str, ...]) -> str:
        escape = quote + quote if double else "\\" + quote
        return ",".join(quote + value.replace(quote, escape) + quote for value in values)

    return write


# Grafana's variable formats (${var:csv}), for lists of values; "text" is as shown.
_FORMATS: Mapping[str, Callable[[tuple[str, ...]], str]] = {
    "regex": _regex_format,
    "pipe": "|".join,
    "csv": ",".join,
    "raw": ",".join,
    "text": " + ".join,
    "glob": _glob_format,
    "json": _json_format,
    "doublequote": _quoted_format('"'),
    "singlequote": _quoted_format("'"),
    "sqlstring": _quoted_format("'", double=True),
}
FORMATS = frozenset(_FORMATS)


def _splice(expr: str, spots: list[_Spot], texts: list[str]) -> str:
    parts: list[str] = []
    at = 0
    for spot, text in zip(spots, texts, strict=True):
        parts += [expr[at : spot.start], text]
        at = spot.end
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
            if _is_literal(_formatted(spot.value, spot.format, regex=False))
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


def parse(text: str) -> promql_parser.Expr:
    """promql_parser.parse, with its internal panics (some huge durations) turned into
    the ValueError every other parse error is. Every parse in allintop goes through
    here: a panic is a BaseException, which no `except Exception` would catch."""
    try:
        return promql_parser.parse(text)
    except ValueError:
        raise
    except BaseException as error:  # pyo3's PanicException derives from BaseException
        if type(error).__name__ != "PanicException":
            raise
        raise ValueError(str(error)) from None


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


def promql_string(value: str) -> str:
    """`value` escaped for the inside of a double-quoted PromQL string.

    PromQL strings take Go's escapes, and JSON's (backslash, quote, \\n, \\uXXXX) are
    among them.
    """
    return json.dumps(value, ensure_ascii=False)[1:-1]


def variables_used(expr: str) -> frozenset[str]:
    """The names of the template variables `expr` refers to, in any of the three forms.

    All-digit names are not variables: "$1" is label_replace's capture reference.
    """
    names = (_name(match) for match in _VARIABLE.finditer(expr))
    return frozenset(name for name in names if not name.isdigit())


# Grafana's built-in variables, which imported dashboards use (rate(x[$__rate_interval])).
BUILTIN_VARIABLES = frozenset(
    {
        "__interval",
        "__interval_ms",
        "__rate_interval",
        "__rate_interval_ms",
        "__range",
        "__range_s",
        "__range_ms",
    }
)


def builtin_values(range_seconds: float, step_seconds: float) -> dict[str, str]:
    """Values for Grafana's built-in variables, for a dashboard range and refresh step.

    $__rate_interval follows Grafana's rule of thumb: at least four steps, and at
    least 1m so that a 15s scrape interval still gives rate() enough samples.
    """
    step_ms = max(1, round(step_seconds * 1000))
    range_ms = max(1, round(range_seconds * 1000))
    rate_ms = max(4 * step_ms, 60_000)
    return {
        "__interval": f"{step_ms}ms",
        "__interval_ms": str(step_ms),
        "__rate_interval": f"{rate_ms}ms",
        "__rate_interval_ms": str(rate_ms),
        "__range": f"{range_ms}ms",
        "__range_s": str(range_ms // 1000),
        "__range_ms": str(range_ms),
    }


@functools.lru_cache(maxsize=1024)
def parse_error(expr: str) -> str | None:
    """None when `expr` parses as PromQL, else the parser's own message."""
    try:
        parse(expr)
    except ValueError as error:
        return str(error)
    return None


@functools.lru_cache(maxsize=1024)
def metric_names(expr: str) -> frozenset[str]:
    """Every metric name `expr` selects, anywhere in it (raises ValueError if it does
    not parse).

    Names come from selectors (`foo{...}`) and from `__name__="foo"` matchers. A regex
    `__name__=~"..."` matcher names no particular metric, so it adds nothing.
    """
    names: set[str] = set()

    def visit(node: promql_parser.Expr) -> None:
        if isinstance(node, promql_parser.VectorSelector):
            names.update(_selector_names(node))

    # walk() visits the selector inside matrix selectors and subqueries too.
    promql_parser.walk(parse(expr), visit)
    return frozenset(names)


def _selector_names(selector: promql_parser.VectorSelector) -> set[str]:
    names = {selector.name} if selector.name else set()
    groups = [selector.matchers.matchers, *selector.matchers.or_matchers]
    for group in groups:
        for matcher in group:
            if matcher.name == "__name__" and matcher.op == promql_parser.MatchOp.Equal:
                names.add(matcher.value)
    return names


def prettify(expr: str) -> str:
    """The parser's multi-line layout of `expr` (raises ValueError if it does not parse)."""
    return parse(expr).prettify()


_LABEL_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")

#: The functions of Grafana's Prometheus variable queries.
QUERY_FUNCTIONS = ("label_values", "label_names", "metrics", "query_result")
QueryFunction = Literal["label_values", "label_names", "metrics", "query_result"]


@dataclass(frozen=True, slots=True)
class VariableQuery:
    """A Grafana Prometheus variable query, taken apart (variables not yet filled).

    `label_values([selector,] label)`: the label's values; `label_names([selector])`:
    label names; `metrics(regex)`: metric names the regex finds; `query_result(expr)`:
    one line per sample of an instant query, as Grafana writes it.
    """

    function: QueryFunction
    selector: str | None = None
    """label_values' and label_names' series selector (None: every series)."""
    label: str = ""
    """label_values' label: a name, or a variable reference ("$name_label")."""
    argument: str = ""
    """metrics' regex, query_result's PromQL."""


_QUERY_HINT = (
    "write label_values(metric, label), label_values(label), label_names(), "
    "metrics(regex) or query_result(promql)"
)


def parse_variable_query(query: str) -> VariableQuery:
    """Take a variable query apart; ValueError (saying why) when it is none of
    Grafana's four, or its selector is no series selector."""
    text = query.strip()
    function, paren, rest = text.partition("(")
    function = function.strip()
    if not paren or not rest.endswith(")") or function not in QUERY_FUNCTIONS:
        raise ValueError(f"unsupported variable query {query!r}: {_QUERY_HINT}")
    inner = rest[:-1].strip()
    if function == "label_values":
        return _label_values(query, inner)
    if function == "label_names":
        return VariableQuery("label_names", selector=_selector(query, inner) if inner else None)
    if not inner:
        raise ValueError(f"variable query {query!r}: {function}() needs an argument")
    if function == "query_result":
        _check_with_placeholders(query, inner)
        return VariableQuery("query_result", argument=inner)
    return VariableQuery("metrics", argument=inner)


def _label_values(query: str, inner: str) -> VariableQuery:
    # The label is the last argument and a label name has no commas, while the
    # selector may ({a="1",b="2"}): split at the last comma only.
    selector, _, label = inner.rpartition(",")
    label = label.strip()
    reference = _VARIABLE.fullmatch(label)
    if not _LABEL_NAME.fullmatch(label) and (reference is None or _format(reference)):
        raise ValueError(f"variable query {query!r}: {label!r} is not a label name")
    found = _selector(query, selector.strip()) if selector.strip() else None
    return VariableQuery("label_values", selector=found, label=label)


def _selector(query: str, selector: str) -> str:
    """`selector`, once checked with the parser to be a plain series selector (its
    variables standing for a name, which fits wherever they may be)."""
    names = variables_used(selector)
    try:
        parsed = parse(interpolate(selector, dict.fromkeys(names, "x")))
    except ValueError as error:
        raise ValueError(f"variable query {query!r}: {error}") from None
    if not isinstance(parsed, promql_parser.VectorSelector):
        raise ValueError(
            f"variable query {query!r}: the selector must be a series selector "
            f'such as allin_http_requests_total or up{{job="x"}}'
        )
    return selector


def _check_with_placeholders(query: str, expr: str) -> None:
    """ValueError when `expr` does not parse whatever its variables are: tried with
    each standing for a number (which also fits strings and durations), then for a
    name."""
    names = variables_used(expr)
    for placeholder in ("1", "x"):
        error = parse_error(interpolate(expr, dict.fromkeys(names, placeholder)))
        if error is None:
            return
    raise ValueError(f"variable query {query!r}: {error}")


def _matches(op: promql_parser.MatchOp, pattern: str, value: str) -> bool:
    if op == promql_parser.MatchOp.Equal:
        return value == pattern
    if op == promql_parser.MatchOp.NotEqual:
        return value != pattern
    try:
        # Prometheus anchors label regexes at both ends.
        found = re.fullmatch(pattern, value) is not None
    except re.error:
        return True  # a pattern Python cannot read: assume it may match
    return found if op == promql_parser.MatchOp.Re else not found


def may_select(expr: str, label: str, value: str) -> bool:
    """Whether some selector in `expr` can select series whose `label` is `value`.

    Used to tie a panel to scrape targets: a panel on `{job=~"api|web"}` is affected
    by a down target of job "api", not by one of job "db". A selector that does not
    constrain the label can select any value.
    """
    found = False

    def visit(node: promql_parser.Expr) -> bool | None:
        nonlocal found
        if isinstance(node, promql_parser.VectorSelector):
            matchers = [m for m in node.matchers.matchers if m.name == label]
            if all(_matches(m.op, m.value, value) for m in matchers):
                found = True
                return False  # one selector is enough
        return None

    promql_parser.walk(parse(expr), visit)
    return found


def with_windows(expr: str, window: str) -> str:
    """`expr` with every range selector's window set to `window` (e.g. "20s").

    The demo and the tests shorten the seed's `[5m]` rule windows with it, so an
    alert clears seconds after its cause does, not five minutes later. The new
    selector is built by the parser from the old one's own printed form.
    """

    def visit(node: promql_parser.Expr) -> promql_parser.Expr | None:
        if isinstance(node, promql_parser.MatrixSelector):
            return parse(f"{node.vector_selector}[{window}]")
        return None

    return str(promql_parser.transform(parse(expr), visit))


def returns_vector(expr: str) -> bool:
    """Whether `expr` evaluates to an instant vector (not a scalar, string or range)."""
    return _is_vector(parse(expr))


def _is_vector(node: promql_parser.Expr) -> bool:
    if isinstance(node, promql_parser.VectorSelector | promql_parser.AggregateExpr):
        return True
    if isinstance(node, promql_parser.Call):
        return node.func.return_type == promql_parser.ValueType.Vector
    if isinstance(node, promql_parser.ParenExpr | promql_parser.UnaryExpr):
        return _is_vector(node.expr)
    if isinstance(node, promql_parser.BinaryExpr):
        return _is_vector(node.lhs) or _is_vector(node.rhs)
    return False  # number and string literals, range vectors, subqueries
