"""Grafana's Prometheus variable queries taken apart: label_values, label_names,
metrics and query_result, checked with the parser.

Asking a datasource for the options they stand for is allintop.live.variables'.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Literal

import promql_parser

from allintop.promql.interpolate import interpolate
from allintop.promql.parse import parse, parse_error
from allintop.promql.variable_values import is_plain_reference, variables_used

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
    written = label.strip()
    label = _unquoted(written)
    quoted = label != written
    if not quoted and not _LABEL_NAME.fullmatch(label) and not is_plain_reference(label):
        raise ValueError(f"variable query {query!r}: {label!r} is not a label name")
    found = _selector(query, selector.strip()) if selector.strip() else None
    return VariableQuery("label_values", selector=found, label=label)


def _unquoted(label: str) -> str:
    """A UTF-8 label name written quoted, as PromQL writes it ("http.route"), unquoted."""
    if len(label) >= 2 and label[0] == label[-1] == '"':
        try:
            found = json.loads(label)
        except ValueError:
            return label
        return str(found) if isinstance(found, str) and found else label
    return label


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
