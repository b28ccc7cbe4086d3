"""PromQL read and written with a real parser (promql_parser): validation, the metric
names a query selects, what it returns, its layout; and PromQL's string and regex
quoting.

Everything that looks at PromQL itself goes through the parser's AST. Template
variables are substituted into the text before it is parsed (allintop.promql.interpolate),
as Grafana does.
"""

from __future__ import annotations

import functools
import json
import re

import promql_parser


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


# Go's regexp.QuoteMeta escapes exactly these; RE2 rejects escapes of other letters.
_REGEX_SPECIAL = frozenset("\\.+*?()|[]{}^$")


def regex_quote(value: str) -> str:
    """`value` as a regex that matches exactly itself (Go's regexp.QuoteMeta)."""
    return "".join("\\" + c if c in _REGEX_SPECIAL else c for c in value)


def promql_string(value: str) -> str:
    """`value` escaped for the inside of a double-quoted PromQL string.

    PromQL strings take Go's escapes, and JSON's (backslash, quote, \\n, \\uXXXX) are
    among them.
    """
    return json.dumps(value, ensure_ascii=False)[1:-1]


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
            names.update(selector_names(node))

    # walk() visits the selector inside matrix selectors and subqueries too.
    promql_parser.walk(parse(expr), visit)
    return frozenset(names)


def selector_names(selector: promql_parser.VectorSelector) -> set[str]:
    names = {selector.name} if selector.name else set()
    groups = [selector.matchers.matchers, *selector.matchers.or_matchers]
    for group in groups:
        for matcher in group:
            if matcher.name == "__name__" and matcher.op == promql_parser.MatchOp.Equal:
                names.add(matcher.value)
    return names


def prettify(expr: str) -> str:
    """The parser's multi-line layout of `expr` (raises ValueError if it does not parse);
    `expr` as written where the layout would not mean the same (the printer leaves
    UTF-8 label names such as "http.route" unquoted)."""
    tree = parse(expr)
    pretty = str(tree.prettify())
    try:
        same = repr(parse(pretty)) == repr(tree)
    except ValueError:
        same = False
    return pretty if same else expr


def label_matches(op: promql_parser.MatchOp, pattern: str, value: str) -> bool:
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


@functools.lru_cache(maxsize=4096)
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
            if all(label_matches(m.op, m.value, value) for m in matchers):
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
        # The stub types the members as Any: compare to a ValueType.
        vector: promql_parser.ValueType = promql_parser.ValueType.Vector
        return node.func.return_type == vector
    if isinstance(node, promql_parser.ParenExpr | promql_parser.UnaryExpr):
        return _is_vector(node.expr)
    if isinstance(node, promql_parser.BinaryExpr):
        return _is_vector(node.lhs) or _is_vector(node.rhs)
    return False  # number and string literals, range vectors, subqueries
