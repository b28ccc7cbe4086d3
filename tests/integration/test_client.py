"""Our async client against a real Prometheus, cross-checked with an independent client."""

from __future__ import annotations

import math
import time
from datetime import UTC, datetime

import pytest
from prometheus_api_client import PrometheusConnect

from allintop.dashboard.loading import bundled_default_path, load_dashboard
from allintop.errors import QueryError, RequestTimeout
from allintop.promql.interpolate import interpolate
from allintop.sources.prometheus import PrometheusClient
from tests.helpers import SEED_RULES

pytestmark = pytest.mark.stack

JOB = "backend-api-dev"


def _same(a: float, b: float) -> bool:
    if math.isnan(a) or math.isnan(b):
        return math.isnan(a) and math.isnan(b)
    return a == b or math.isclose(a, b, rel_tol=1e-12)


@pytest.fixture
async def client(stack):
    async with PrometheusClient(stack.prometheus_url, timeout=5) as c:
        yield c


@pytest.fixture
def reference(stack) -> PrometheusConnect:
    return PrometheusConnect(url=stack.prometheus_url, disable_ssl=True)


async def test_vector_has_labels_and_float_values(client):
    result = await client.query(f'allin_active_connections{{job="{JOB}"}}')
    assert result.kind == "vector"
    (sample,) = result.samples
    assert sample.labels["job"] == JOB
    assert sample.labels["__name__"] == "allin_active_connections"
    assert isinstance(sample.value, float) and sample.value >= 0


async def test_scalar_nan_and_inf(client):
    scalar = await client.query("scalar(sum(up))")
    assert scalar.kind == "scalar" and scalar.samples[0].value >= 1
    nan = await client.query("0/0")
    assert math.isnan(nan.samples[0].value)
    inf = await client.query("1/0")
    assert inf.samples[0].value == math.inf
    minus = await client.query("-1/0")
    assert minus.samples[0].value == -math.inf


async def test_range_query_returns_a_matrix_on_the_step_grid(client):
    # The demo's imported history covers the window even right after start-up.
    end = math.floor(time.time())
    result = await client.query_range(f'allin_active_connections{{job="{JOB}"}}', end - 20, end, 2)
    (series,) = result.series
    assert series.labels["job"] == JOB
    assert series.timestamps[0] == end - 20 and series.timestamps[-1] <= end
    times = series.timestamps
    steps = {round(b - a, 3) for a, b in zip(times[:-1], times[1:], strict=True)}
    assert steps == {2.0}
    assert all(v >= 0 for v in series.values)


async def test_bad_promql_is_a_typed_error_with_prometheus_message(client):
    with pytest.raises(QueryError) as info:
        await client.query("sum(rate(allin_http_requests_total[5m])")
    assert info.value.error_type == "bad_data"
    assert "parse error" in info.value.error
    assert info.value.status == 400


async def test_instant_query_of_a_range_vector_is_explained(client):
    with pytest.raises(QueryError, match="range vector"):
        await client.query("allin_active_connections[1m]")


async def test_timeout_from_a_real_server(stack):
    # A microsecond budget: the real server cannot answer in time.
    async with PrometheusClient(stack.prometheus_url, timeout=1e-6) as c:
        with pytest.raises(RequestTimeout):
            await c.query("up")


async def test_state_endpoints(client):
    info = await client.buildinfo()
    assert info.version.split(".")[0] in {"2", "3"}
    targets = await client.targets()
    backend = [t for t in targets if t.job == JOB]
    assert backend and backend[0].health == "up" and backend[0].scrape_interval == 1.0
    groups = await client.rules()
    names = {r.name for g in groups for r in g.rules}
    assert names == SEED_RULES
    assert isinstance(await client.alerts(), tuple)
    assert await client.ready()
    assert JOB in await client.label_values("job")


def _default_exprs() -> list[str]:
    dashboard = load_dashboard(bundled_default_path())
    return [interpolate(p.expr, {"job": "all"}) for p in dashboard.queries]


async def test_instant_values_match_the_reference_client(client, reference):
    at = math.floor(time.time()) - 1
    for expr in [*_default_exprs(), "0/0", "1/0", f'allin_http_requests_total{{job="{JOB}"}}']:
        ours = await client.query(expr, at)
        theirs = reference.custom_query(expr, params={"time": at})
        if theirs and not isinstance(theirs[0], dict):
            theirs = [{"metric": {}, "value": theirs}]  # a scalar answer is [time, value]
        expected = {tuple(sorted(r["metric"].items())): float(r["value"][1]) for r in theirs}
        got = {tuple(sorted(s.labels.items())): s.value for s in ours.samples}
        assert got.keys() == expected.keys(), expr
        for key, value in expected.items():
            assert _same(got[key], value), (expr, key, got[key], value)


async def test_range_values_match_the_reference_client(client, reference):
    end = math.floor(time.time()) - 1
    start = end - 60
    for expr in _default_exprs():
        ours = await client.query_range(expr, start, end, 5)
        theirs = reference.custom_query_range(
            expr,
            start_time=datetime.fromtimestamp(start, UTC),
            end_time=datetime.fromtimestamp(end, UTC),
            step="5",
        )
        expected = {
            tuple(sorted(r["metric"].items())): [(float(t), float(v)) for t, v in r["values"]]
            for r in theirs
        }
        got = {
            tuple(sorted(s.labels.items())): list(zip(s.timestamps, s.values, strict=True))
            for s in ours.series
        }
        assert got.keys() == expected.keys(), expr
        for key, points in expected.items():
            assert len(got[key]) == len(points)
            for (t1, v1), (t2, v2) in zip(got[key], points, strict=True):
                assert t1 == t2 and _same(v1, v2), (expr, t1, v1, v2)
