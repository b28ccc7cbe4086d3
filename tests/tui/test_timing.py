"""Grafana's timing in the running dashboard, on a real Prometheus started for the
test (scraping itself every second): a 1 m dashboard shows values at its first tick,
not "no data" until the next minute; the rate window follows the scrape interval its
targets say and the cards' share of the width."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from textual.app import App

from allintop.dashboard.loading import load_text
from allintop.sources.prometheus import PrometheusClient
from allintop.ui.app import make_app
from allintop.ui.cards.stat import StatCard
from tests.tui.util import screen_text, wait_for

pytestmark = pytest.mark.stack

FRESH = """\
refresh: 1m
range: 1h
rows:
  - title: R
    panels:
      - {title: Prometheus up, expr: 'up{job="prometheus"}'}
      - {title: rate window, expr: 'vector($__rate_interval_ms)'}
"""


def _shown(app: App, title: str) -> str:
    card = next(c for c in app.query(StatCard) if c.target.title == title)
    return card.value_plain


async def test_a_1m_dashboard_on_a_fresh_prometheus_shows_values_at_its_first_tick(
    make_stack, tmp_path: Path
) -> None:
    log = tmp_path / "queries.log"
    fresh = make_stack(with_backend=False, scrape_self=True, with_rules=False, query_log=log)
    started = time.time()
    app = make_app(load_text(FRESH, "panels.yaml"), PrometheusClient(fresh.prometheus_url))
    async with app.run_test(size=(100, 30)) as pilot:
        # The first report is the first tick's: the next is a minute away. At the
        # minute's grid time before it, this Prometheus had scraped nothing.
        await wait_for(pilot, lambda: app.ticks >= 1, within=15, what="the first tick")
        assert _shown(app, "Prometheus up") == "1", screen_text(app)
        # The history's backfill beside it, asked as of the same time, keeps it.
        await wait_for(pilot, lambda: app.ticks >= 2, within=15, what="the backfill")
        assert _shown(app, "Prometheus up") == "1", screen_text(app)
        assert "no data" not in screen_text(app)
        # The targets say a 1 s scrape; two cards a line at 100 columns are half of
        # Grafana's 1800 pixels: 1 h / 900 = 4 s, + 1 s.
        await wait_for(
            pilot,
            lambda: _shown(app, "rate window") == "5000",
            within=15,
            what="the rate window of the learnt scrape interval",
        )
        # Learnt before the first poll: no query went with Grafana's default 15 s.
        sent = [json.loads(line)["params"]["query"] for line in log.read_text().splitlines()]
        windows = {query for query in sent if "vector(" in query}  # merged with others
        assert windows and all("vector(5000)" in query for query in windows), windows
        # One card a line at 30 columns: the whole 1800 pixels, 1 h / 1800 = 2 s; the
        # rate window is 4 x the scrape interval then.
        await pilot.resize_terminal(30, 30)
        await wait_for(
            pilot, lambda: _shown(app, "rate window") == "4000", within=15, what="a narrower one"
        )
        # `t`: 3 h, over the same 1800 pixels: 6 s, + 1 s.
        await pilot.press("t")
        await wait_for(
            pilot, lambda: _shown(app, "rate window") == "7000", within=15, what="another range"
        )
        assert time.time() - started < 60  # all before the 1 m refresh's second tick
