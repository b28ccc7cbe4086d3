"""An in-process Prometheus API for the fast TUI tier: no server, no HTTP.

It is a QueryClient (allintop.sources.protocols: the queries, and the status calls
the app makes: rules, targets, build info...) and answers in Prometheus' own answer
shapes (InstantResult, RangeResult, Alert, RuleGroup, Target), so the whole app
(planner, merged queries, poller, history, cards, screens) runs as it does against a
real server. Expressions are read with promql-parser, as the app reads them; the fake
evaluates what a dashboard of recording-rule series sends: selectors, and the
`label_replace(...) or ...` the poller merges them into; and, for Grafana's own
dashboards, `rate(counter[range])` and a vector's arithmetic with a number. Each series' value is a
function of time, so the backfill and the ticks agree, and a test moves time with its
injected clock.
"""

from __future__ import annotations

import asyncio
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import promql_parser

from allintop.errors import PrometheusError, QueryError
from allintop.sources.answers import (
    Alert,
    AlertRule,
    BuildInfo,
    InstantResult,
    RangeResult,
    RuleGroup,
    Sample,
    Series,
    Target,
)

Value = Callable[[float], float | None] | float


@dataclass(frozen=True)
class FakeSeries:
    labels: Mapping[str, str]
    value: Value

    def at(self, t: float) -> float | None:
        return self.value(t) if callable(self.value) else self.value


@dataclass
class FakePrometheus:
    """A Prometheus whose series, alerts, rules and targets a test sets.

    `metrics`: series by metric name. Change any attribute between ticks (an
    incident starting, a target going down): the next request sees it.
    """

    metrics: dict[str, list[FakeSeries]] = field(default_factory=dict)
    alert_list: list[Alert] = field(default_factory=list)
    rule_groups: list[RuleGroup] = field(default_factory=list)
    target_list: list[Target] = field(default_factory=list)
    host: str = "prometheus.test:9090"
    timeout: float = 5.0
    requests: int = 0
    builds_asked: int = 0
    """How many times the build info was asked."""
    received: list[str] = field(default_factory=list)
    """Every expression asked, instant or range, in order."""
    gate: asyncio.Event | None = None
    """When set, queries wait for it: a tick held in flight."""
    fail: PrometheusError | None = None
    """When set, every call raises it (after the gate, if any): a server gone, or one
    that answers only errors. None (the default): every call answers."""

    # -- what the poller asks (PollSource) --

    async def query(
        self, expr: str, time: float | None = None, *, stats: bool = False
    ) -> InstantResult:
        self.received.append(expr)
        await self._arrive()
        t = 0.0 if time is None else time
        samples = tuple(
            Sample(labels, value, t)
            for labels, series in self._evaluate(expr)
            if (value := series.at(t)) is not None
        )
        return InstantResult("vector", samples)

    async def query_range(
        self,
        expr: str,
        start: float,
        end: float,
        step: float,
        *,
        stats: bool = False,
        max_bytes: int | None = None,
    ) -> RangeResult:
        self.received.append(expr)
        await self._arrive()
        count = int(math.floor((end - start) / step + 1e-9)) + 1
        times = [start + k * step for k in range(count)]
        out = []
        for labels, series in self._evaluate(expr):
            points = [(t, v) for t in times if (v := series.at(t)) is not None]
            if points:
                ts, vs = zip(*points, strict=True)
                out.append(Series(labels, tuple(ts), tuple(vs)))
        return RangeResult(tuple(out))

    async def alerts(self) -> tuple[Alert, ...]:
        await self._arrive()
        return tuple(self.alert_list)

    async def targets(self) -> tuple[Target, ...]:
        await self._held()
        return tuple(self.target_list)

    # -- what the status watcher and the variables ask besides --

    async def rules(self) -> tuple[RuleGroup, ...]:
        await self._held()
        return tuple(self.rule_groups)

    async def external_labels(self) -> dict[str, str]:
        self._failing()
        return {}

    async def buildinfo(self) -> BuildInfo:
        self.builds_asked += 1
        self._failing()
        return BuildInfo("3.0.0-fake")

    async def label_values(
        self, label: str, match: str | Sequence[str] | None = None
    ) -> tuple[str, ...]:
        self._failing()
        values = {labels.get(label, "") for labels in self._selected(match)}
        return tuple(sorted(value for value in values if value))

    async def label_names(self, match: str | Sequence[str] | None = None) -> tuple[str, ...]:
        self._failing()
        return tuple(sorted({name for labels in self._selected(match) for name in labels}))

    def _selected(self, match: str | Sequence[str] | None) -> list[dict[str, str]]:
        """The labels of the series that `match` (a selector, or several: any of them)
        selects; of every series if None."""
        selectors = [match] if isinstance(match, str) else list(match or ())
        if selectors:
            return [labels for selector in selectors for labels, _ in self._evaluate(selector)]
        return [
            {"__name__": name, **series.labels}
            for name, all_series in self.metrics.items()
            for series in all_series
        ]

    async def ready(self) -> bool:
        return True

    async def aclose(self) -> None:
        pass

    # -- evaluation --

    async def _arrive(self) -> None:
        self.requests += 1
        if self.gate is not None:
            await self.gate.wait()
        self._failing()

    async def _held(self) -> None:
        """A status call: held by the gate as queries are, not counted as one."""
        if self.gate is not None:
            await self.gate.wait()
        self._failing()

    def _failing(self) -> None:
        if self.fail is not None:
            raise self.fail.with_traceback(None)  # not the last raise's frames piling up

    def _evaluate(self, expr: str) -> list[tuple[dict[str, str], FakeSeries]]:
        try:
            node = promql_parser.parse(expr)
        except ValueError as exc:
            raise QueryError("bad_data", str(exc), 400) from None
        return self._node(node)

    def _node(self, node: Any) -> list[tuple[dict[str, str], FakeSeries]]:
        if isinstance(node, promql_parser.ParenExpr):
            return self._node(node.expr)
        if isinstance(node, promql_parser.BinaryExpr) and str(node.op) == "or":
            return self._node(node.lhs) + self._node(node.rhs)
        if isinstance(node, promql_parser.Call) and node.func.name == "label_replace":
            inner, name, value = node.args[0], node.args[1].val, node.args[2].val
            return [({**labels, name: value}, s) for labels, s in self._node(inner)]
        if isinstance(node, promql_parser.Call) and node.func.name in ("rate", "irate"):
            matrix = node.args[0]
            selected = self._node(matrix.vector_selector)
            return [(_unnamed(labels), _rate(s, matrix)) for labels, s in selected]
        if isinstance(node, promql_parser.BinaryExpr) and _ARITHMETIC.get(str(node.op)):
            return _arithmetic(node, self._node)
        if isinstance(node, promql_parser.VectorSelector):
            name = node.name or ""
            return [
                ({"__name__": name, **series.labels}, series)
                for series in self.metrics.get(name, [])
                if _matches(series.labels, node.matchers.matchers)
            ]
        kind = type(node).__name__
        raise QueryError("bad_data", f"the fake Prometheus cannot evaluate a {kind}", 400)


#: What `series <op> number` (or `number <op> series`) does to each value.
_ARITHMETIC: dict[str, Callable[[float, float], float]] = {
    "*": lambda a, b: a * b,
    "/": lambda a, b: a / b if b else math.nan,
    "+": lambda a, b: a + b,
    "-": lambda a, b: a - b,
}


def _unnamed(labels: Mapping[str, str]) -> dict[str, str]:
    """A function's or an operator's result loses the metric name, as in Prometheus."""
    return {k: v for k, v in labels.items() if k != "__name__"}


def _rate(series: FakeSeries, matrix: Any) -> FakeSeries:
    """rate(counter[range]): the counter's increase over the range per second (a test
    gives a counter as a function of time, `lambda t: 0.3 * t` for 0.3/s)."""
    seconds = matrix.range.total_seconds()

    def rate(t: float) -> float | None:
        now, before = series.at(t), series.at(t - seconds)
        return None if now is None or before is None else (now - before) / seconds

    return FakeSeries(series.labels, rate)


def _arithmetic(
    node: Any, evaluate: Callable[[Any], list[tuple[dict[str, str], FakeSeries]]]
) -> list[tuple[dict[str, str], FakeSeries]]:
    """A vector and a number (`x * 100`, `100 * x`): the operator on each value."""
    apply = _ARITHMETIC[str(node.op)]
    if isinstance(node.rhs, promql_parser.NumberLiteral):
        vector, number, flip = node.lhs, node.rhs.val, False
    elif isinstance(node.lhs, promql_parser.NumberLiteral):
        vector, number, flip = node.rhs, node.lhs.val, True
    else:
        raise QueryError("bad_data", "the fake Prometheus cannot evaluate vector math", 400)

    def each(series: FakeSeries) -> FakeSeries:
        def value(t: float) -> float | None:
            v = series.at(t)
            return None if v is None else apply(number, v) if flip else apply(v, number)

        return FakeSeries(series.labels, value)

    return [(_unnamed(labels), each(s)) for labels, s in evaluate(vector)]


def _matches(labels: Mapping[str, str], matchers: Sequence[Any]) -> bool:
    for matcher in matchers:
        if matcher.name == "__name__":
            continue
        value = labels.get(matcher.name, "")
        op = str(matcher.op)
        if (op == "MatchOp.Equal" and value != matcher.value) or (
            op == "MatchOp.NotEqual" and value == matcher.value
        ):
            return False
    return True


def firing(name: str, since: float, **labels: str) -> Alert:
    """A firing alert as /api/v1/alerts lists it."""
    return Alert(name, "firing", {"alertname": name, **labels}, {}, since, 1.0)


def rule_for(alert: Alert, query: str) -> RuleGroup:
    """The rule group /api/v1/rules gives for `alert`."""
    rule = AlertRule(
        alert.name, query, 60.0, dict(alert.labels), {}, alert.state, "ok", "", (alert,)
    )
    return RuleGroup("fake", "rules.yml", 15.0, (rule,))


def target(job: str, health: str = "up", error: str = "") -> Target:
    return Target(job, f"{job}:9100", f"http://{job}:9100/metrics", health, None, 0.01, error, 15.0)
