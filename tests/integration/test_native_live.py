"""Native histograms for real: Debian's Prometheus 2.42 with
`--enable-feature=native-histograms` scraping the demo backend's native histogram in
the protobuf exposition. A panel over them never shows a number that is not in
Prometheus' answer; histogram_quantile over them shows its value; a heatmap draws
their buckets; `once` does not call such a panel OK."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from prometheus_api_client import PrometheusConnect

from allintop.dashboard.loading import load_dashboard
from allintop.live.native import NATIVE_REASON
from allintop.sources.prometheus import PrometheusClient
from allintop.ui.app import make_app
from allintop.ui.cards.chart import ChartCard
from allintop.ui.cards.heatmap import HeatmapCard
from allintop.ui.cards.stat import StatCard
from allintop.ui.screens.zoom import ZoomScreen
from tests.helpers import prom_query, run_allintop, wait_until
from tests.tui.util import screen_text, wait_for

pytestmark = pytest.mark.stack

NATIVE = "allin_http_request_duration_native_seconds"
RATE = f"sum(rate({NATIVE}[1m]))"
QUANTILE = f"histogram_quantile(0.9, {RATE})"
COUNT = f"histogram_count({RATE})"
PANELS = f"""
refresh: 1s
range: 1m
rows:
  - title: Native
    panels:
      - title: Native rate
        expr: {RATE}
      - title: Native p90
        expr: {QUANTILE}
        unit: s
      - title: Native p90 by le
        expr: histogram_quantile(0.9, sum by (le) (rate({NATIVE}[1m])))
        unit: s
      - title: Native count
        expr: {COUNT}
        unit: req/s
      - title: Native buckets
        kind: heatmap
        expr: {RATE}
      - title: Native chart
        kind: timeseries
        expr: {RATE}
"""


@pytest.fixture(scope="module")
def native_stack():
    """A private stack whose Prometheus ingests native histograms (protobuf scrapes),
    returned once rate() over the native histogram has an answer."""
    from allintop.demo.stack import DemoStack

    demo = DemoStack(history=0, with_rules=False, features=("native-histograms",))
    demo.start(timeout=60)
    try:
        wait_until(
            lambda: any("histogram" in r for r in prom_query(demo.prometheus_url, RATE)),
            timeout=30,
            what="a native histogram rate",
        )
        yield demo
    finally:
        demo.stop()


def _panels(tmp_path: Path) -> Path:
    path = tmp_path / "panels.yaml"
    path.write_text(PANELS)
    return path


def test_prometheus_ingests_the_backends_native_histogram(native_stack):
    [found] = prom_query(native_stack.prometheus_url, RATE)
    _, histogram = found["histogram"]
    assert float(histogram["count"]) > 0
    rules = {rule for rule, *_ in histogram["buckets"]}
    assert rules <= {0, 1, 2, 3} and len(histogram["buckets"]) > 5
    # The classic histograms and counters beside it still arrive (the whole registry
    # travels in protobuf now).
    assert prom_query(native_stack.prometheus_url, "sum(rate(allin_http_requests_total[1m]))")


async def test_our_client_reads_the_histogram_and_the_quantile_as_prometheus_does(native_stack):
    at = time.time()
    async with PrometheusClient(native_stack.prometheus_url) as client:
        [sample] = (await client.query(RATE, time=at)).samples
        [quantile] = (await client.query(QUANTILE, time=at)).samples
    assert sample.histogram is not None and sample.histogram.count > 0
    assert sum(b.count for b in sample.histogram.buckets) == pytest.approx(sample.histogram.count)
    reference = PrometheusConnect(native_stack.prometheus_url, disable_ssl=True)
    [theirs] = reference.custom_query(QUANTILE, params={"time": at})
    assert quantile.value == float(theirs["value"][1])


def test_once_says_native_histogram_and_never_ok_with_a_made_up_value(native_stack, tmp_path):
    result = run_allintop(
        "once", "--json", "--url", native_stack.prometheus_url, "-c", str(_panels(tmp_path))
    )
    assert result.returncode == 3, result.stdout + result.stderr  # UNKNOWN, not OK
    panels = {p["title"]: p for p in json.loads(result.stdout)["rows"][0]["panels"]}
    native = panels["Native rate"]
    assert native["value"] is None and native["status"] == "unknown"
    assert native["reason"] == NATIVE_REASON and native["series"] == []
    p90 = panels["Native p90"]
    assert p90["status"] == "ok" and 0 < p90["value"] < 10
    # Written for classic buckets (by le): split client-side, then asked whole at once.
    by_le = panels["Native p90 by le"]
    assert by_le["status"] == "ok" and by_le["value"] == pytest.approx(p90["value"], rel=0.2)
    count = panels["Native count"]
    assert count["status"] == "ok" and count["value"] > 0
    table = run_allintop(
        "once", "--url", native_stack.prometheus_url, "-c", str(_panels(tmp_path))
    ).stdout
    line = next(row for row in table.splitlines() if "Native rate" in row)
    assert "native histogram: use histogram_quantile" in line and "unknown" in line


async def test_a_heatmap_draws_the_buckets_and_a_chart_says_why_it_does_not(native_stack, tmp_path):
    dashboard = load_dashboard(_panels(tmp_path))
    app = make_app(dashboard, PrometheusClient(native_stack.prometheus_url), refresh=1.0)
    async with app.run_test(size=(120, 40)) as pilot:
        heat = next(c for c in app.query(HeatmapCard) if c.panel.title == "Native buckets")
        await wait_for(
            pilot,
            lambda: any(set(line) & set("░▒▓█") for line in heat.body_plain()),
            within=30,
            what="shaded buckets",
        )
        lines = heat.body_plain()
        assert len(lines) >= 3, lines
        # Labelled by their bounds (2 ms ... 16 s), highest on top.
        bounds = [float(line.split()[0]) for line in lines]
        assert bounds == sorted(bounds, reverse=True) and all(0 < b < 20 for b in bounds)
        text = "\n".join(lines)
        assert "native histogram" not in text
        chart = next(c for c in app.query(ChartCard) if c.panel.title == "Native chart")
        await wait_for(pilot, lambda: "native histogram" in " ".join(chart.body_plain()))
        stat = next(c for c in app.query(StatCard) if c.target.title == "Native rate")
        assert stat.value_plain.startswith("native histogram")
        p90 = next(c for c in app.query(StatCard) if c.target.title == "Native p90")
        await wait_for(pilot, lambda: p90.value_plain.endswith("ms"), what="the p90 in ms")
        # Zoomed, the stat draws no bucket as a line: it says what to query instead.
        index = next(i for i, q in enumerate(app.dashboard.queries) if q.title == "Native rate")
        app.push_screen(ZoomScreen(app, index))
        await wait_for(
            pilot,
            lambda: isinstance(app.screen, ZoomScreen) and "native histogram" in screen_text(app),
            what="the zoom's reason",
        )
        assert app.screen.data.lines == []
        app.pop_screen()
        # The targets screen says what this Prometheus 2 lacks, rather than failing.
        await pilot.press("g")
        await wait_for(
            pilot,
            lambda: "Prometheus 2.42" in screen_text(app) and "no UTF-8" in screen_text(app),
            what="the server's version and what it lacks",
        )
