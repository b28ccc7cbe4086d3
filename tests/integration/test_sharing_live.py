"""Shared queries against the real demo stack: same numbers as Prometheus, less work.

Every comparison evaluates both sides at one explicit time a few seconds in the past,
so both see the same stored samples.
"""

from __future__ import annotations

import asyncio
import math
import time
from collections.abc import Iterable, Mapping
from typing import Any

import pytest

from allintop.dashboard.loading import bundled_default_path, load_dashboard
from allintop.promql.interpolate import interpolate
from allintop.promql.quantiles import histogram_quantile
from allintop.promql.sharing import plan
from allintop.sources.prometheus import PrometheusClient

pytestmark = pytest.mark.stack

REL = 1e-9
QUANTILES = (0.0, 0.5, 0.9, 0.95, 0.99, 1.0)
HTTP = "allin_http_request_duration_seconds_bucket"
BUCKET_VECTORS = {
    "summed by le": f"sum by (le) (rate({HTTP}[5m]))",
    "by le and route": f"sum by (le, route) (rate({HTTP}[5m]))",
    "every series": f"rate({HTTP}[5m])",
    "raw counters with __name__": HTTP,
    "db": "sum by (le) (rate(allin_db_query_duration_seconds_bucket[5m]))",
    "empty": "sum by (le) (rate(allin_no_such_histogram_bucket[5m]))",
    "only +Inf": f'sum by (le) (rate({HTTP}{{le="+Inf"}}[5m]))',
}

Vector = dict[tuple[tuple[str, str], ...], float]


def _at() -> float:
    """A whole second safely in the past: its scrapes are stored (on a loaded machine a
    1 s scrape can land seconds late, so not the last two)."""
    return float(int(time.time()) - 5)


def _vector(samples: Iterable[tuple[Mapping[str, str], float]]) -> Vector:
    return {tuple(sorted(labels.items())): value for labels, value in samples}


def _same(a: float, b: float) -> bool:
    if math.isnan(a) or math.isnan(b):
        return math.isnan(a) and math.isnan(b)
    return a == b or math.isclose(a, b, rel_tol=REL)


def _assert_same(ours: Mapping[Any, float], theirs: Mapping[Any, float], what: str) -> None:
    assert ours.keys() == theirs.keys(), what
    for key, value in ours.items():
        assert _same(value, theirs[key]), f"{what} {key}: ours {value}, Prometheus {theirs[key]}"


def _default_panels() -> list[tuple[str, str]]:
    dashboard = load_dashboard(bundled_default_path())
    return [(p.title, interpolate(p.expr, {"job": "all"})) for p in dashboard.queries]


@pytest.fixture
async def client(stack):
    async with PrometheusClient(stack.prometheus_url) as c:
        yield c


@pytest.mark.parametrize("name", list(BUCKET_VECTORS))
async def test_client_side_quantiles_equal_prometheus(client, name):
    vector, t = BUCKET_VECTORS[name], _at()
    buckets, *server = await asyncio.gather(
        client.query(vector, t),
        *(client.query(f"histogram_quantile({q}, {vector})", t) for q in QUANTILES),
    )
    samples = [(s.labels, s.value) for s in buckets.samples]
    for q, answer in zip(QUANTILES, server, strict=True):
        theirs = _vector((s.labels, s.value) for s in answer.samples)
        _assert_same(_vector(histogram_quantile(q, samples)), theirs, f"{name} q={q}")
    # The premises: these cases really are the edge cases they are named after.
    if name == "empty":
        assert samples == []
    elif name == "only +Inf":
        assert len(samples) == 1 and all(math.isnan(s.value) for s in server[1].samples)
    else:
        assert any(not math.isnan(s.value) for s in server[1].samples)


async def test_every_default_panel_through_the_plan_equals_prometheus(client):
    panels, t = _default_panels(), _at()
    p = plan([expr for _, expr in panels])
    leaves = await asyncio.gather(*(client.query(leaf, t) for leaf in p.leaves))
    results = {
        leaf: [(s.labels, s.value) for s in r.samples]
        for leaf, r in zip(p.leaves, leaves, strict=True)
    }
    whole = await asyncio.gather(*(client.query(expr, t) for _, expr in panels))
    for (title, _), panel, answer in zip(panels, p.panels, whole, strict=True):
        theirs = _vector((s.labels, s.value) for s in answer.samples)
        assert theirs, f"{title}: Prometheus has no value, the comparison would be empty"
        _assert_same(_vector(panel.evaluate(results)), theirs, title)


async def test_backfill_through_the_plan_equals_prometheus_range_queries(client):
    panels, end, step = _default_panels(), _at(), 1.0
    start = end - 59 * step
    p = plan([expr for _, expr in panels])
    leaves = await asyncio.gather(*(client.query_range(x, start, end, step) for x in p.leaves))
    series = {
        leaf: [(s.labels, s.timestamps, s.values) for s in r.series]
        for leaf, r in zip(p.leaves, leaves, strict=True)
    }
    whole = await asyncio.gather(
        *(client.query_range(expr, start, end, step) for _, expr in panels)
    )
    times = [start + k * step for k in range(60)]
    for (title, _), panel, answer in zip(panels, p.panels, whole, strict=True):
        ours = {
            (key, t): v
            for labels, ts, vs in panel.evaluate_range(series, times, step)
            for key in [tuple(sorted(labels.items()))]
            for t, v in zip(ts, vs, strict=True)
        }
        theirs = {
            (tuple(sorted(s.labels.items())), t): v
            for s in answer.series
            for t, v in zip(s.timestamps, s.values, strict=True)
        }
        assert len(theirs) >= 60, title
        _assert_same(ours, theirs, title)


async def test_one_refresh_examines_far_fewer_samples(client):
    panels, t = _default_panels(), _at()
    p = plan([expr for _, expr in panels])

    async def examined(expr: str) -> int:
        result = await client.query(expr, t, stats=True)
        assert result.stats is not None
        return int(result.stats["samples"]["totalQueryableSamples"])

    per_panel = await asyncio.gather(*(examined(expr) for _, expr in panels))
    per_leaf = await asyncio.gather(*(examined(leaf) for leaf in p.leaves))
    before, after = sum(per_panel), sum(per_leaf)
    p95 = per_panel[[title for title, _ in panels].index("P95 Response Time")]
    print(
        f"\nsamples examined by one refresh of the default dashboard at t={t:.0f}:"
        f"\n  before (one query per panel, {len(panels)} queries): {before:,}"
        f"\n  after  (the plan's leaves, {len(p.leaves)} queries):  {after:,}"
        f"\n  at a 1 s refresh: {before * 60 / 1e6:.2f} M/min -> {after * 60 / 1e6:.2f} M/min"
    )
    # P50, P95 and P99 cost as much as one of them, Cache Hit Rate asks hits once.
    assert after <= before - 2 * p95
    assert after * 60 <= 35e6
