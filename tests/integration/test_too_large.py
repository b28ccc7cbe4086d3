"""A history answer too big to hold (a panel of 50,000 series): read up to a cap and
dropped, the panel's sparklines fill from the ticks, and it is not asked again.
Against the real demo stack, through the fault proxy's synthesized 50k-series answer."""

from __future__ import annotations

import time

import pytest

from allintop.dashboard import templating
from allintop.dashboard.loading import load_text
from allintop.errors import TooLarge
from allintop.live import fetching
from allintop.live.poller import Poller
from allintop.sources.prometheus import PrometheusClient
from tests.faultproxy import FaultProxy, huge

pytestmark = pytest.mark.stack

MB = 1024 * 1024
HUGE_METRIC = "allin_http_requests_total"
DASHBOARD = f"""\
rows:
  - title: Scale
    panels:
      - {{title: Everything, expr: 'sum by (route) (rate({HUGE_METRIC}[1m]))'}}
      - {{title: Connections, expr: sum(allin_active_connections)}}
"""


async def test_range_answer_over_the_cap_is_too_large(stack):
    with FaultProxy(stack.prometheus_url) as proxy:
        proxy.route(huge(50_000), query=HUGE_METRIC)
        async with PrometheusClient(proxy.url) as client:
            now = time.time()
            expr = f"rate({HUGE_METRIC}[1m])"
            with pytest.raises(TooLarge) as caught:
                await client.query_range(expr, now - 60, now, 15, max_bytes=MB)
            assert caught.value.message.endswith("is over 1 MB")
            assert caught.value.short == "too large"
            whole = await client.query_range(expr, now - 60, now, 15)
            assert len(whole.series) == 50_000  # no cap: read as before


async def test_a_capped_answer_under_the_cap_is_the_same_answer(stack):
    # Prometheus compresses its answers: the capped read decompresses them the same way.
    async with PrometheusClient(stack.prometheus_url) as client:
        end = float(int(time.time()))
        expr = "allin_http_requests_total"
        capped = await client.query_range(expr, end - 120, end, 5, max_bytes=16 * MB)
        plain = await client.query_range(expr, end - 120, end, 5)
        assert len(capped.series) > 10
        assert capped.series == plain.series


async def test_a_too_large_history_is_skipped_and_not_asked_again(stack, monkeypatch):
    monkeypatch.setattr(fetching, "MAX_BACKFILL_BYTES", MB)
    dashboard = load_text(DASHBOARD, "scale.yaml")
    with FaultProxy(stack.prometheus_url) as proxy:
        proxy.route(huge(50_000, label="route"), query=HUGE_METRIC)
        async with PrometheusClient(proxy.url) as client:
            p = Poller(
                client, dashboard.queries, templating.exprs(dashboard, {}), step=1.0, range_=300.0
            )
            try:
                filled = await p.backfill(time.time())
                # No error for the big panel (its values come from the ticks), and the
                # small one still has its history.
                assert [s.error for s in filled.panels] == [None, None]
                assert any(v is not None for v in filled.panels[1].history)
                asked = proxy.asked(HUGE_METRIC)
                again = await p.backfill(time.time() + 1)
                assert [s.error for s in again.panels] == [None, None]
                assert proxy.asked(HUGE_METRIC) == asked  # not asked again
                tick = await p.tick(time.time() + 2, budget=30.0)
                big = tick.panels[0]
                assert big.error is None and big.total == 50_000
            finally:
                await p.aclose()
