"""A variable value with quotes and regex metacharacters in it selects exactly the series
with that label value, on a real Prometheus (`allintop once --var`)."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Gauge, generate_latest

from allintop.demo.stack import DemoStack
from tests.faultserver import Reply, fault_server, url_of
from tests.helpers import prom_query, wait_until

ROOT = Path(__file__).resolve().parents[2]

NASTY = 'a"b|c.*'
# Each decoy is what the value selects when it is not quoted for its place: the
# alternation's sides, what ".*" matches, and the value with more after it.
SERIES = {NASTY: 1.0, 'a"b': 2.0, "cx": 3.0, 'a"b|c.*x': 4.0}

PANELS = """\
refresh: 1s
variables:
  name: {default: all}
rows:
  - title: Probe
    panels:
      - title: regex
        expr: allintop_probe{name=~"$name"}
      - title: equal
        expr: allintop_probe{name="${name}"}
      - title: others
        expr: count(allintop_probe{name!~"[[name]]"})
"""


@pytest.fixture(scope="module")
def probe() -> Iterator[str]:
    """An exporter with one series per value of SERIES (prometheus_client's own
    exposition), served on a free loopback port."""
    registry = CollectorRegistry()
    gauge = Gauge("allintop_probe", "series with awkward label values", ["name"], registry=registry)
    for name, value in SERIES.items():
        gauge.labels(name=name).set(value)
    page = Reply(body=generate_latest(registry), content_type=CONTENT_TYPE_LATEST)
    with fault_server(page) as server:
        yield url_of(server).removeprefix("http://")


@pytest.fixture(scope="module")
def prometheus(probe: str) -> Iterator[str]:
    scrape = {"job_name": "probe", "static_configs": [{"targets": [probe]}]}
    demo = DemoStack(with_rules=False, history=0, extra_scrape_configs=[scrape])
    demo.start(timeout=60)
    try:
        url = demo.prometheus_url
        # `once` asks at the last whole refresh (1s) before now: the samples must be
        # older than that.
        wait_until(
            lambda: len(prom_query(url, "allintop_probe offset 2s")) == len(SERIES),
            timeout=30,
            what="Prometheus to scrape the probe",
        )
        yield url
    finally:
        demo.stop()


def once(prometheus: str, panels: Path, value: str) -> dict[str, dict[str, Any]]:
    result = subprocess.run(
        [sys.executable, "-m", "allintop", "once", "--json", "-c", str(panels)]
        + ["--url", prometheus, "--var", f"name={value}"],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=ROOT,
    )
    assert result.stdout, result.stderr
    document = json.loads(result.stdout)
    return {p["title"]: p for row in document["rows"] for p in row["panels"]}


def names(panel: dict[str, Any]) -> set[str]:
    return {series["labels"]["name"] for series in panel["series"]}


@pytest.mark.stack
def test_a_value_with_quotes_and_regex_characters_selects_exactly_itself(
    prometheus: str, tmp_path: Path
) -> None:
    panels = tmp_path / "panels.yaml"
    panels.write_text(PANELS)
    found = once(prometheus, panels, NASTY)
    for title in ("regex", "equal"):
        assert found[title]["reason"] in ("", None), found[title]
        assert names(found[title]) == {NASTY}, title
        assert found[title]["value"] == SERIES[NASTY]
    assert found["others"]["value"] == len(SERIES) - 1  # every series but that one


@pytest.mark.stack
def test_all_still_selects_every_value(prometheus: str, tmp_path: Path) -> None:
    panels = tmp_path / "panels.yaml"
    panels.write_text(PANELS)
    found = once(prometheus, panels, "all")
    assert names(found["regex"]) == set(SERIES)
