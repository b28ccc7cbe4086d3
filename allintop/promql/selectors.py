"""Which series a query's selectors can reach, as far as one label says: what ties a
panel to a down scrape target (by its job) and to an alert rule (by the job both
select). Read with the parser's AST (allintop.promql.parse), never from the text.

A selector is a metric name and matcher groups (`{a="1" or b="2"}` has two); a group
without a matcher on the label leaves the label open.
"""

from __future__ import annotations

import functools

import promql_parser

from allintop.promql.parse import label_matches, parse

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
