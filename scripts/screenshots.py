"""Redo screenshots/*.svg: the dashboard on the real demo stack, healthy and incident,
and two Grafana dashboards run as they are.

Run with `make screenshots`. Each scenario gets its own demo stack; the app runs
headless at a fixed size and is captured once every panel shows a value:

- dashboard-healthy, dashboard-incident, alerts, zoom-p95: the bundled AllIN overview;
- allin-grafana: the same overview as a Grafana export
  (allintop/dashboards/allin-overview-grafana.json) on the healthy demo stack; its
  datasource says the demo history's 10 s step as its scrape interval (Grafana's
  datasource setting), so the charts' $__rate_interval spans two of its samples:
  with the live 1 s scrapes' it would cover none before the stack started;
- node-exporter-full: the 2025 Node Exporter Full (from ../shared/fixtures/grafana,
  outside the repository: skipped, saying so, when it is not there) against Debian's
  node exporter, its variables set to that exporter's.
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
from collections.abc import Mapping, Sequence
from pathlib import Path

import httpx
from textual.widget import Widget

from allintop.dashboard.loading import bundled_default_path, load_dashboard
from allintop.demo.configs import NODE_JOB
from allintop.demo.history import DEFAULT_STEP_SECONDS, scraped_as_history
from allintop.demo.stack import DemoStack
from allintop.sources.prometheus import PrometheusClient
from allintop.ui.app import DashboardApp, make_app
from allintop.ui.cards.body import BodyCard
from allintop.ui.cards.stat import StatCard

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "screenshots"
SIZE = (120, 34)

ALLIN_GRAFANA = ROOT / "allintop" / "dashboards" / "allin-overview-grafana.json"
ALLIN_GRAFANA_SIZE = (160, 50)
FIXTURES = ROOT.parent / "shared" / "fixtures" / "grafana"
NODE_EXPORTER_FULL = FIXTURES / "node-exporter-full-latest.json"
NODE_SIZE = (200, 60)
# Its variables, and the label of the exporter's node_uname_info each is set to (as
# tests/integration/test_grafana_live.py does).
NODE_VARIABLES = {"job": "job", "nodename": "nodename", "node": "instance"}
# The exporter has only the history since the stack started, and the dashboard's own
# range is 24h: the charts are drawn over 5 minutes, and taken once half is filled.
# Its refresh (1m) would make $__rate_interval 4m, and its rate() charts climb for
# those four minutes of a new server: refreshed every 5 s, they climb for one.
NODE_RANGE = 300.0
NODE_REFRESH = 5.0
NODE_FILLED = 0.5
# Kinds whose picture is their history (a stat only with its sparkline).
CHARTS = ("timeseries", "heatmap")


def _save(app: DashboardApp, name: str) -> None:
    path = OUT / f"{name}.svg"
    app.save_screenshot(str(path))
    print(f"wrote {path}", file=sys.stderr)


async def _capture(url: str, scenario: str, settle: float) -> None:
    dashboard = load_dashboard(bundled_default_path())
    app = make_app(dashboard, PrometheusClient(url), refresh=1.0)
    async with app.run_test(size=SIZE) as pilot:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            cards = list(app.query(StatCard))
            if all(c.state is not None and c.state.value is not None for c in cards):
                break
            await pilot.pause(0.2)
        await pilot.pause(settle)
        _save(app, f"dashboard-{scenario}")
        if scenario != "incident":
            return
        await pilot.press("a")
        await pilot.pause(2)
        _save(app, "alerts")
        await pilot.press("escape")
        await pilot.press("right", "right", "right", "enter")  # P95 Response Time
        await pilot.pause(3)
        _save(app, "zoom-p95")


def _filled(history: Sequence[float | None]) -> float:
    return sum(v is not None for v in history) / len(history) if history else 0.0


def _on_screen(widget: Widget) -> bool:
    """Drawn in the last update (not in a collapsed row, not scrolled away)."""
    return widget.is_on_screen and widget.region.area > 0


def _waiting(app: DashboardApp, filled: float) -> list[str]:
    """The titles of the tiles on screen without their values yet, or whose chart or
    sparkline has less than `filled` of its points; ["(nothing drawn yet)"] before
    the first screen update."""
    waiting, drawn = [], 0
    for card in app.query(StatCard):
        if not _on_screen(card):
            continue
        drawn += 1
        state, tile = card.state, getattr(card, "tile", None)
        graph = tile is None or tile.graph
        if state is None or state.value is None or (graph and _filled(state.history) < filled):
            waiting.append(card.target.title)
    for widget in app.query(BodyCard):
        if not _on_screen(widget) or not widget.queries:
            continue
        drawn += 1
        # Every query answered, one at least with data (the exporter may lack one of
        # a panel's metrics, as this one lacks IRQ pressure), and a chart filled.
        states = [widget.states.get(k) for k in range(len(widget.queries))]
        answered = [s for s in states if s is not None]
        if (
            len(answered) < len(states)
            or not any(s.series for s in answered)
            or (widget.panel.kind in CHARTS and _filled(answered[0].history) < filled)
        ):
            waiting.append(widget.panel.title)
    return waiting if drawn else ["(nothing drawn yet)"]


async def _capture_grafana(
    path: Path,
    url: str,
    name: str,
    size: tuple[int, int],
    *,
    variables: Mapping[str, str] | None = None,
    range_: float | None = None,
    refresh: float | None = None,
    filled: float = 0.5,
    wait: float = 60.0,
    scrape_interval: float | None = None,
) -> None:
    """A Grafana dashboard file, as `allintop -c FILE` runs it (its datasources set
    to `scrape_interval`, if given), captured once every tile on screen has its
    values and its chart (or `wait` seconds have passed, saying which tiles are
    still without)."""
    dashboard = load_dashboard(path)
    if scrape_interval is not None:
        dashboard = scraped_as_history(dashboard, scrape_interval)
    app = make_app(
        dashboard, PrometheusClient(url), variables=variables, range_=range_, refresh=refresh
    )
    async with app.run_test(size=size) as pilot:
        deadline = time.monotonic() + wait
        while (waiting := _waiting(app, filled)) and time.monotonic() < deadline:
            await pilot.pause(0.5)
        if waiting:
            print(f"{name}: still without data after {wait:.0f} s: {waiting}", file=sys.stderr)
        await pilot.pause(2)  # the last answers painted
        _save(app, name)


def _node_variables(url: str) -> dict[str, str]:
    """The dashboard's variables, set to the node exporter's own labels."""
    response = httpx.get(
        f"{url}/api/v1/query", params={"query": f'node_uname_info{{job="{NODE_JOB}"}}'}
    )
    response.raise_for_status()
    (uname,) = response.json()["data"]["result"]
    return {name: uname["metric"][label] for name, label in NODE_VARIABLES.items()}


def main() -> int:
    OUT.mkdir(exist_ok=True)
    for scenario, settle in (("healthy", 10.0), ("incident", 15.0)):
        with DemoStack(scenario, rule_for="5s", rule_interval="1s") as stack:
            asyncio.run(_capture(stack.prometheus_url, scenario, settle))
            if scenario == "healthy":
                asyncio.run(
                    _capture_grafana(
                        ALLIN_GRAFANA,
                        stack.prometheus_url,
                        "allin-grafana",
                        ALLIN_GRAFANA_SIZE,
                        scrape_interval=DEFAULT_STEP_SECONDS,
                    )
                )
    if not NODE_EXPORTER_FULL.is_file():
        print(
            f"skipped node-exporter-full.svg: no {NODE_EXPORTER_FULL} "
            "(the shared Grafana fixtures, outside the repository)",
            file=sys.stderr,
        )
        return 0
    json.loads(NODE_EXPORTER_FULL.read_text())  # a broken fixture fails here, not mid-run
    with DemoStack(with_backend=False, with_node_exporter=True, with_rules=False) as stack:
        asyncio.run(
            _capture_grafana(
                NODE_EXPORTER_FULL,
                stack.prometheus_url,
                "node-exporter-full",
                NODE_SIZE,
                variables=_node_variables(stack.prometheus_url),
                range_=NODE_RANGE,
                refresh=NODE_REFRESH,
                filled=NODE_FILLED,
                wait=NODE_RANGE * NODE_FILLED + 60,
            )
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
