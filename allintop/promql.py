"""PromQL helpers on a real parser (promql_parser): validation, metric names, layout.

Only `interpolate` (and `variables_used`) work on text: Grafana-style template
variables are substituted into the expression text before it is parsed, as Grafana
does. Everything that looks at PromQL itself goes through the parser's AST.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Mapping

import promql_parser

# Grafana's three variable syntaxes: ${var} (optionally ${var:format}), [[var]], $var.
# A name is a word, as in Grafana: "$job_name" is the variable "job_name", not "job".
_VARIABLE = re.compile(
    r"\$\{(?P<braced>\w+)(?::[^}]*)?\}|\[\[(?P<bracketed>\w+)\]\]|\$(?P<plain>\w+)"
)
# Values that mean "every value": used inside =~ matchers, so they become a regex.
_ALL_VALUES = frozenset({"all", "All", "$__all"})
_ALL_REGEX = ".*"


def interpolate(expr: str, values: Mapping[str, str]) -> str:
    """Replace $var, ${var} and [[var]] with their values; "all" becomes ".*".

    Unknown variables stay as written. Substitution is one pass: a value that itself
    contains "$x" is not expanded again.
    """

    def replace(match: re.Match[str]) -> str:
        name = match["braced"] or match["bracketed"] or match["plain"]
        if name not in values:
            return match[0]
        value = values[name]
        return _ALL_REGEX if value in _ALL_VALUES else value

    return _VARIABLE.sub(replace, expr)


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
    names = (m["braced"] or m["bracketed"] or m["plain"] for m in _VARIABLE.finditer(expr))
    return frozenset(name for name in names if not name.isdigit())


# Grafana's built-in variables, which imported dashboards use (rate(x[$__rate_interval])).
BUILTIN_VARIABLES = frozenset(
    {"__interval", "__interval_ms", "__rate_interval", "__range", "__range_s", "__range_ms"}
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
        "__range": f"{range_ms}ms",
        "__range_s": str(range_ms // 1000),
        "__range_ms": str(range_ms),
    }


@functools.lru_cache(maxsize=1024)
def parse_error(expr: str) -> str | None:
    """None when `expr` parses as PromQL, else the parser's own message."""
    try:
        promql_parser.parse(expr)
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
    promql_parser.walk(promql_parser.parse(expr), visit)
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
    return promql_parser.parse(expr).prettify()


_LABEL_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def parse_label_values(query: str) -> tuple[str | None, str]:
    """Split a Grafana variable query `label_values([selector,] label)`.

    Returns (selector or None, label). The selector part is checked with the PromQL
    parser and must be a plain series selector. Raises ValueError otherwise.
    """
    text = query.strip()
    if not (text.startswith("label_values(") and text.endswith(")")):
        raise ValueError(
            f"unsupported variable query {query!r}: write label_values(metric, label) "
            f"or label_values(label)"
        )
    inner = text[len("label_values(") : -1]
    # The label is the last argument and a label name has no commas, while the
    # selector may ({a="1",b="2"}): split at the last comma only.
    selector, _, label = inner.rpartition(",")
    label = label.strip()
    if not _LABEL_NAME.fullmatch(label):
        raise ValueError(f"variable query {query!r}: {label!r} is not a label name")
    if not selector.strip():
        return None, label
    try:
        parsed = promql_parser.parse(selector)
    except ValueError as error:
        raise ValueError(f"variable query {query!r}: {error}") from None
    if not isinstance(parsed, promql_parser.VectorSelector):
        raise ValueError(
            f"variable query {query!r}: the first argument must be a series selector "
            f'such as allin_http_requests_total or up{{job="x"}}'
        )
    return selector.strip(), label


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

    promql_parser.walk(promql_parser.parse(expr), visit)
    return found


def with_windows(expr: str, window: str) -> str:
    """`expr` with every range selector's window set to `window` (e.g. "20s").

    The demo and the tests shorten the seed's `[5m]` rule windows with it, so an
    alert clears seconds after its cause does, not five minutes later. The new
    selector is built by the parser from the old one's own printed form.
    """

    def visit(node: promql_parser.Expr) -> promql_parser.Expr | None:
        if isinstance(node, promql_parser.MatrixSelector):
            return promql_parser.parse(f"{node.vector_selector}[{window}]")
        return None

    return str(promql_parser.transform(promql_parser.parse(expr), visit))


def returns_vector(expr: str) -> bool:
    """Whether `expr` evaluates to an instant vector (not a scalar, string or range)."""
    return _is_vector(promql_parser.parse(expr))


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
