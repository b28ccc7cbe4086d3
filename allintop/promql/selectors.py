"""Which series a query's selectors can reach, as far as one label says: what ties a
panel to a down scrape target (by its job) and to an alert rule (by the job both
select). Read with the parser's AST (allintop.promql.parse), never from the text.

A selector is a metric name and matcher groups (`{a="1" or b="2"}` has two); a group
without a matcher on the label leaves the label open.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence

import promql_parser

from allintop.promql.parse import label_matches, parse, selector_names

#: A regex that is only literal alternatives (`api|web`), as Grafana writes a
#: multi-value variable: the values it can match are those alternatives.
_LITERALS = re.compile(r"[\w\-:/ @]+(\|[\w\-:/ @]+)*")

Group = tuple[tuple[promql_parser.MatchOp, str], ...]  # one group's matchers on the label


def _selectors(expr: str) -> list[promql_parser.VectorSelector]:
    found: list[promql_parser.VectorSelector] = []

    def visit(node: promql_parser.Expr) -> None:
        if isinstance(node, promql_parser.VectorSelector):
            found.append(node)

    promql_parser.walk(parse(expr), visit)  # inside matrix selectors and subqueries too
    return found


def _groups(selector: promql_parser.VectorSelector, label: str) -> list[Group]:
    groups = [selector.matchers.matchers, *selector.matchers.or_matchers]
    return [tuple((m.op, m.value) for m in group if m.name == label) for group in groups]


@functools.lru_cache(maxsize=4096)
def names_label(expr: str, label: str, value: str) -> bool:
    """Whether some selector in `expr` asks for `label` and lets `value` through.

    Unlike `may_select`, a selector without a matcher on the label does not count: a
    panel on `sum(rate(x[5m]))` names no job, so a down target of job "db" is not
    said to be what it reads (raises ValueError if `expr` does not parse)."""
    return any(
        group and all(label_matches(op, pattern, value) for op, pattern in group)
        for selector in _selectors(expr)
        for group in _groups(selector, label)
    )


def _values(group: Group) -> set[str] | None:
    """The only values `group` can match (None: any number of them)."""
    found: set[str] | None = None
    for op, pattern in group:
        if op == promql_parser.MatchOp.Equal:
            these = {pattern}
        elif op == promql_parser.MatchOp.Re and _LITERALS.fullmatch(pattern):
            these = set(pattern.split("|"))
        else:
            continue
        found = these if found is None else found & these
    return found


def _compatible(a: Group, b: Group) -> bool:
    """Whether one value of the label can pass both groups' matchers. Decided when
    either group lists the values it can match; otherwise assumed (two open regexes)."""
    for group in (a, b):
        values = _values(group)
        if values is not None:
            both = (*a, *b)
            return any(all(label_matches(op, p, v) for op, p in both) for v in values)
    return True


@functools.lru_cache(maxsize=4096)
def may_overlap(first: str, second: str, label: str) -> bool:
    """Whether `first` and `second` can read a same series, judged by its metric name
    and `label`: some metric both select, with matchers on `label` that some one value
    passes on both sides. `rate(x{job="api"}[5m])` and `x{job="node"}` cannot;
    `x{job="api"}` and `sum(x)` can. Raises ValueError if either does not parse."""
    ours = _by_metric(_selectors(first), label)
    theirs = _by_metric(_selectors(second), label)
    return any(
        _compatible(a, b)
        for name in ours.keys() & theirs.keys()
        for a in ours[name]
        for b in theirs[name]
    )


def _by_metric(
    selectors: Sequence[promql_parser.VectorSelector], label: str
) -> dict[str, list[Group]]:
    out: dict[str, list[Group]] = {}
    for selector in selectors:
        for name in selector_names(selector):
            out.setdefault(name, []).extend(_groups(selector, label))
    return out
