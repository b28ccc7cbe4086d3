"""One merged query per tick gives every panel the value separate queries give."""

from __future__ import annotations

import math

import pytest

from allintop.dashboard.loading import bundled_default_path, load_dashboard
from allintop.live.poller import Poller
from allintop.promql.interpolate import interpolate
from allintop.sources import merging
from allintop.sources.prometheus import PrometheusClient

pytestmark = pytest.mark.stack


def _default():
    dashboard = load_dashboard(bundled_default_path())
    return dashboard, [interpolate(p.expr, {"job": "all"}) for p in dashboard.queries]


def _close(a: float | None, b: float | None) -> bool:
    if a is None or b is None:
        return a is b
    if math.isnan(a) or math.isnan(b):
        return math.isnan(a) and math.isnan(b)
    return math.isclose(a, b, rel_tol=1e-9)


async def test_merged_answer_equals_each_leaf_alone(stack):
    dashboard, exprs = _default()
    async with PrometheusClient(stack.prometheus_url) as client:
        poller = Poller(client, dashboard.queries, exprs, step=1.0, range_=60.0)
        leaves = poller.fetcher.mergeable(list(poller.plan.leaves))
        assert len(leaves) >= 10
        at = math.floor((await client.query("time()")).samples[0].value) - 1
        merged = merging.split_instant(await client.query(merging.merged(leaves), at), leaves)
        for leaf in leaves:
            alone = await client.query(leaf, at)
            expected = {tuple(sorted(s.labels.items())): s.value for s in alone.samples}
            got = {tuple(sorted(s.labels.items())): s.value for s in merged[leaf].samples}
            assert got.keys() == expected.keys(), leaf
            assert all(_close(got[k], v) for k, v in expected.items()), leaf


async def test_poller_values_are_the_same_merged_or_not(stack):
    dashboard, exprs = _default()
    async with PrometheusClient(stack.prometheus_url) as client:
        merged = Poller(client, dashboard.queries, exprs, step=1.0, range_=60.0, alerts=False)
        alone = Poller(
            client, dashboard.queries, exprs, step=1.0, range_=60.0, alerts=False, merge=False
        )
        now = (await client.query("time()")).samples[0].value - 2
        a = {s.index: s.value for s in (await merged.tick(now, budget=10)).panels}
        b = {s.index: s.value for s in (await alone.tick(now, budget=10)).panels}
        assert a.keys() == b.keys() == set(range(len(exprs)))
        assert all(_close(a[i], b[i]) for i in a), (a, b)
        assert merged.merge  # nothing made it give up merging
        fill_a = await merged.backfill(now)
        fill_b = await alone.backfill(now)
        for x, y in zip(fill_a.panels, fill_b.panels, strict=True):
            assert all(_close(p, q) for p, q in zip(x.history, y.history, strict=True))
