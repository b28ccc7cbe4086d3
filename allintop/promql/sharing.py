"""Query planning: split panel expressions into shared leaf queries plus client-side math.

Why: a dashboard asks Prometheus the same questions many times over. P50, P95 and P99
each evaluate the same `sum by (le) (rate(...[5m]))` over every bucket series; Success
Rate and Cache Hit Rate repeat their sub-queries. `plan()` reads each panel's PromQL
with promql_parser (never with regexes), cuts it into LEAF queries that are sent to
Prometheus once per refresh however many panels use them, and keeps a small
evaluation tree per panel that rebuilds the panel's result from the leaves' results.

It only cuts where the result is provably Prometheus' own:

- `histogram_quantile(<number>, <agg> by (le, ...) (...))`: the bucket vector is the
  leaf, the quantile is computed here (allintop.promql.quantiles, Prometheus' algorithm);
- `+ - * / %` between operands that are statically label-free and single-valued
  (number literals; `sum(...)`, `avg(...)`, `max(...)` ... without by/without;
  `scalar(...)`; quantiles over a `by (le)` leaf; and combinations of these): with no
  labels on either side, vector matching is trivial, so the arithmetic is plain IEEE
  arithmetic on two numbers, and an empty side gives an empty result, as in
  Prometheus;
- a bare label-free operand (a panel that is just `sum(...)`) is its own leaf;
- anything else (comparisons, `bool`, set operators, on()/ignoring()/group_x, labelled
  vectors, `^`, unknown syntax) is one leaf: the panel's expression as written.

Leaves are the AST printed back by promql_parser, kept only if the print parses back to
the same tree (the printer does not re-escape quotes in label values, for one).

Pure: no network, no Textual; the poller sends the leaves and calls `evaluate`.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import promql_parser

from allintop.promql.parse import parse
from allintop.promql.quantiles import divide, histogram_quantile

__all__ = [
    "Arithmetic",
    "EvaluationError",
    "Leaf",
    "Literal",
    "Negate",
    "Node",
    "QueryPlan",
    "Plan",
    "Quantile",
    "plan",
    "plan_panel",
]

LabeledValue = tuple[Mapping[str, str], float]
Samples = list[tuple[dict[str, str], float]]
SeriesPoints = tuple[Mapping[str, str], Sequence[float], Sequence[float]]

# Aggregations whose result, without by/without, is one sample with no labels (or none).
LABEL_FREE_AGGREGATIONS = frozenset(
    {"sum", "avg", "min", "max", "count", "group", "stddev", "stdvar"}
)


class EvaluationError(ValueError):
    """Client-side evaluation failed where Prometheus would have failed the query too."""


def _modulo(a: float, b: float) -> float:
    # Go's math.Mod is C's fmod (sign of the dividend, exact); NaN where fmod has a
    # domain error (x % 0, Inf % y). Python's `%` takes the divisor's sign instead.
    try:
        return math.fmod(a, b)
    except ValueError:
        return math.nan


# `^` is left to the server: Go's math.Pow is not correctly rounded, so Python's pow
# can differ from it in the last bits, and "provably the same" would not hold.
ARITHMETIC: Mapping[str, Callable[[float, float], float]] = {
    "+": lambda a, b: a + b,
    "-": lambda a, b: a - b,
    "*": lambda a, b: a * b,
    "/": divide,
    "%": _modulo,
}


# --- the evaluation tree --------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Leaf:
    """A query sent to Prometheus as is."""

    expr: str


@dataclass(frozen=True, slots=True)
class Literal:
    value: float


@dataclass(frozen=True, slots=True)
class Negate:
    operand: Node


@dataclass(frozen=True, slots=True)
class Arithmetic:
    op: str
    lhs: Node
    rhs: Node


@dataclass(frozen=True, slots=True)
class Quantile:
    """histogram_quantile(q, buckets) with the bucket vector fetched as a leaf."""

    q: float
    buckets: Leaf


Node = Leaf | Literal | Negate | Arithmetic | Quantile


def _leaves_of(node: Node) -> Iterable[str]:
    match node:
        case Leaf(expr):
            yield expr
        case Quantile(_, Leaf(expr)):
            yield expr
        case Negate(operand):
            yield from _leaves_of(operand)
        case Arithmetic(_, lhs, rhs):
            yield from _leaves_of(lhs)
            yield from _leaves_of(rhs)


def _single(node: Node, results: Mapping[str, Sequence[LabeledValue]]) -> float | None:
    """The value of a label-free node, or None for an empty vector."""
    match node:
        case Literal(value):
            return value
        case Leaf(expr):
            return _only(results.get(expr, ()), expr)
        case Quantile(q, Leaf(expr)):
            return _only(histogram_quantile(q, results.get(expr, ())), expr)
        case Negate(operand):
            inner = _single(operand, results)
            return None if inner is None else -inner
        case Arithmetic(op, lhs, rhs):
            a, b = _single(lhs, results), _single(rhs, results)
            return None if a is None or b is None else ARITHMETIC[op](a, b)
    raise TypeError(f"not a label-free node: {node!r}")


def _only(samples: Sequence[LabeledValue], expr: str) -> float | None:
    if len(samples) > 1:  # the planner only picks single-valued leaves: never seen
        raise EvaluationError(f"{expr} returned {len(samples)} series where one was expected")
    return samples[0][1] if samples else None


# --- plans ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class QueryPlan:
    """How one panel's result is computed from leaf results.

    Attributes:
        expr: the panel's expression as given.
        root: the evaluation tree; a bare `Leaf` when the panel is one query as is.
        leaves: the leaf queries it needs, distinct, in order of first use.
    """

    expr: str
    root: Node
    leaves: tuple[str, ...] = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "leaves", tuple(dict.fromkeys(_leaves_of(self.root))))

    @property
    def whole(self) -> str | None:
        """The one leaf whose result is the panel's result unchanged, if it is one."""
        return self.root.expr if isinstance(self.root, Leaf) else None

    def evaluate(self, results: Mapping[str, Sequence[LabeledValue]]) -> Samples:
        """The panel's samples at one time, from its leaves' samples at that time.

        Raises:
            EvaluationError: where Prometheus would have failed the query.
        """
        root = self.root
        if isinstance(root, Leaf):
            return [(dict(labels), value) for labels, value in results.get(root.expr, ())]
        if isinstance(root, Quantile):
            try:
                return histogram_quantile(root.q, results.get(root.buckets.expr, ()))
            except ValueError as exc:
                raise EvaluationError(str(exc)) from exc
        value = _single(root, results)
        return [] if value is None else [({}, value)]

    def evaluate_range(
        self, series: Mapping[str, Iterable[SeriesPoints]], times: Sequence[float], step: float
    ) -> list[SeriesPoints]:
        """The panel's series over `times` from its leaves' range results.

        Each time is evaluated like an instant query, from the leaves' points at that
        time (times are matched on the `step` grid, so float noise does not matter).
        """
        # Grid indexes count from the first time: the times need not be multiples of
        # `step` (a backfill's grid ends at the refresh grid), and t / step half-way
        # between two integers would round two neighbouring points onto one index.
        origin = times[0] if times else 0.0
        points = {leaf: _by_step(series.get(leaf, ()), step, origin) for leaf in self.leaves}
        out: dict[tuple[tuple[str, str], ...], tuple[dict[str, str], list[float], list[float]]]
        out = {}
        for t in times:
            index = round((t - origin) / step)
            instant = {leaf: points[leaf].get(index, ()) for leaf in self.leaves}
            for labels, value in self.evaluate(instant):
                key = tuple(sorted(labels.items()))
                entry = out.setdefault(key, (labels, [], []))
                entry[1].append(t)
                entry[2].append(value)
        return [(labels, times_, values) for labels, times_, values in out.values()]


def _by_step(
    series: Iterable[SeriesPoints], step: float, origin: float = 0.0
) -> dict[int, list[LabeledValue]]:
    points: dict[int, list[LabeledValue]] = {}
    for labels, timestamps, values in series:
        for t, v in zip(timestamps, values, strict=False):
            points.setdefault(round((t - origin) / step), []).append((labels, v))
    return points


@dataclass(frozen=True, slots=True)
class Plan:
    """The leaf queries a dashboard needs and, per panel, how to rebuild its result.

    Attributes:
        panels: one plan per expression, in the order given.
        leaves: every distinct leaf query, in order of first use.
        users: for each leaf, the indexes of the panels that need it.
    """

    panels: tuple[QueryPlan, ...]
    leaves: tuple[str, ...]
    users: Mapping[str, tuple[int, ...]]

    def leaves_of(self, panels: Collection[int]) -> tuple[str, ...]:
        """The leaves `panels` (indexes) need, each once, in the order of `leaves`."""
        wanted = {leaf for index in panels for leaf in self.panels[index].leaves}
        return tuple(leaf for leaf in self.leaves if leaf in wanted)


def plan(exprs: Sequence[str], whole: Collection[int] = ()) -> Plan:
    """Plan every panel and share their leaves (see the module docstring).

    Args:
        exprs: the panels' expressions, template variables filled in.
        whole: indexes of panels to send as one query regardless (the poller's way
            back when a split query fails where the whole one may not).
    """
    panels = tuple(
        QueryPlan(expr, Leaf(expr)) if index in whole else plan_panel(expr)
        for index, expr in enumerate(exprs)
    )
    users: dict[str, list[int]] = {}
    for index, panel in enumerate(panels):
        for leaf in panel.leaves:
            users.setdefault(leaf, []).append(index)
    return Plan(panels, tuple(users), {leaf: tuple(ix) for leaf, ix in users.items()})


def plan_panel(expr: str) -> QueryPlan:
    """One panel's plan; its whole expression as one leaf wherever a split is not safe."""
    try:
        ast = parse(expr)
    except Exception:  # its own error message comes from Prometheus, as before
        return QueryPlan(expr, Leaf(expr))
    root = _label_free(ast) or _quantile(ast, grouped=True)
    return QueryPlan(expr, root or Leaf(expr))


# --- reading the AST ------------------------------------------------------------------


def _label_free(node: Any) -> Node | None:
    """A tree for `node` if its result is provably one unlabelled value (or nothing)."""
    match node:
        case promql_parser.NumberLiteral():
            return Literal(float(node.val))
        case promql_parser.ParenExpr():
            return _label_free(node.expr)
        case promql_parser.UnaryExpr():  # the parser only builds unary minus
            operand = _label_free(node.expr)
            return None if operand is None else Negate(operand)
        case promql_parser.AggregateExpr() if _unlabelled_aggregation(node):
            return _leaf(node)
        case promql_parser.Call() if node.func.name == "scalar":
            return _leaf(node)
        case promql_parser.Call():
            return _quantile(node, grouped=False)
        case promql_parser.BinaryExpr() if _plain_arithmetic(node):
            lhs, rhs = _label_free(node.lhs), _label_free(node.rhs)
            if lhs is None or rhs is None:
                return None
            return Arithmetic(str(node.op), lhs, rhs)
    return None


def _unlabelled_aggregation(node: Any) -> bool:
    modifier = node.modifier
    no_grouping = modifier is None or (
        modifier.type == promql_parser.AggModifierType.By and not modifier.labels
    )
    return str(node.op) in LABEL_FREE_AGGREGATIONS and node.param is None and no_grouping


def _plain_arithmetic(node: Any) -> bool:
    # Any modifier (bool, on(), ignoring(), group_left/right) changes matching or
    # results: those stay on the server.
    return str(node.op) in ARITHMETIC and node.modifier is None


def _quantile(node: Any, *, grouped: bool) -> Quantile | None:
    """histogram_quantile(<number>, <agg> by (le...) (...)) with the buckets as a leaf.

    `grouped` allows other labels next to `le` in by(): the result then has one
    labelled series per group, so it may only be a panel's whole result, never an
    operand of arithmetic.
    """
    if not isinstance(node, promql_parser.Call) or node.func.name != "histogram_quantile":
        return None
    q, buckets = node.args
    while isinstance(buckets, promql_parser.ParenExpr):
        buckets = buckets.expr
    if not isinstance(q, promql_parser.NumberLiteral) or not _bucket_vector(buckets, grouped):
        return None
    leaf = _leaf(buckets)
    return None if leaf is None else Quantile(float(q.val), leaf)


def _bucket_vector(node: Any, grouped: bool) -> bool:
    """`<agg> by (le[, ...]) (...)`: its groups are known, and it has no __name__."""
    if not isinstance(node, promql_parser.AggregateExpr):
        return False
    modifier = node.modifier
    if str(node.op) not in LABEL_FREE_AGGREGATIONS or node.param is not None or modifier is None:
        return False
    labels = list(modifier.labels)
    by = modifier.type == promql_parser.AggModifierType.By
    return by and "le" in labels and (grouped or set(labels) == {"le"})


def _leaf(node: Any) -> Leaf | None:
    """The node printed back as a query, if the print provably means the same tree."""
    text = str(node)
    try:
        same = repr(parse(text)) == repr(node)
    except Exception:
        same = False
    return Leaf(text) if same else None
