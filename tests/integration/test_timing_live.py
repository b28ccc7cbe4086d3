"""Grafana's timing against a real Prometheus (scraping every second): `once` asks with
the $__rate_interval Grafana would compute, from the scrape interval the targets say,
the datasource's setting or the panel's min interval; and Prometheus' own query log
shows the window it was sent."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from tests.helpers import run_allintop

WINDOWS = """\
refresh: 1m
range: 1h
rows:
  - title: R
    panels:
      - {title: rate window, expr: vector($__rate_interval_ms)}
      - {title: interval, expr: vector($__interval_ms)}
      - {title: min interval, interval: 10s, expr: vector($__rate_interval_ms)}
      - {title: points, max_data_points: 60, expr: vector($__rate_interval_ms)}
"""


def _values(panels: Path, url: str) -> list[float]:
    run = run_allintop("once", "--json", "-c", str(panels), "--url", url, env={})
    assert run.returncode == 0, run.stdout + run.stderr
    return [card["value"] for card in json.loads(run.stdout)["rows"][0]["panels"]]


@pytest.mark.stack
def test_once_computes_grafanas_windows_from_the_scrape_interval_the_targets_say(
    stack, tmp_path: Path
) -> None:
    panels = tmp_path / "panels.yaml"
    panels.write_text(WINDOWS)
    # 1 h over 200 points: 18 s; + the 1 s scrape; a 10 s min interval stands for the
    # scrape interval (max(18 + 10, 40)); 60 points: 60 s, + 1 s.
    assert _values(panels, stack.prometheus_url) == [19_000, 18_000, 40_000, 61_000]


@pytest.mark.stack
def test_once_takes_the_datasources_scrape_interval_setting_over_its_targets(
    stack, tmp_path: Path
) -> None:
    panels = tmp_path / "panels.yaml"
    setting = f"datasource: {{url: {stack.prometheus_url!r}, scrape_interval: 30s}}\n"
    panels.write_text(setting + WINDOWS)
    run = run_allintop("once", "--json", "-c", str(panels), env={})
    assert run.returncode == 0, run.stdout + run.stderr
    values = [card["value"] for card in json.loads(run.stdout)["rows"][0]["panels"]]
    # At least the 30 s set, and 4 x 30 s; the panel's own 10 s min interval is its own.
    assert values == [120_000, 30_000, 40_000, 120_000]


def test_prometheus_is_sent_the_computed_rate_window(make_stack, tmp_path: Path) -> None:
    log = tmp_path / "queries.log"
    fresh = make_stack(history=0, with_rules=False, query_log=log)
    panels = tmp_path / "panels.yaml"
    panels.write_text(
        "refresh: 1m\nrange: 1h\nrows:\n  - title: R\n    panels:\n"
        "      - title: requests\n"
        "        expr: sum(rate(allin_http_requests_total[$__rate_interval]))\n"
    )
    run = run_allintop("once", "-c", str(panels), "--url", fresh.prometheus_url, env={})
    # (A second-old Prometheus may have too few samples for a value: not the point.)
    assert "Traceback" not in run.stderr, run.stderr
    sent = [json.loads(line)["params"]["query"] for line in log.read_text().splitlines()]
    windows = {m for query in sent for m in re.findall(r"\[([^\]]+)\]", query)}
    assert windows == {"19s"}, sent  # 3600 / 200 + the 1 s scrape, not 4 x the 1 m refresh
