"""Redo screenshots/*.svg: the dashboard on the real demo stack, healthy and incident.

Run with `make screenshots`. Each scenario gets its own demo stack; the app runs
headless at a fixed size and is captured once every panel shows a value.
"""

from __future__ import annotations

import asyncio
import sys
import time
from pathlib import Path

from allintop import config
from allintop.demo.stack import DemoStack
from allintop.prometheus import PrometheusClient
from allintop.ui.app import DashboardApp, make_app
from allintop.ui.widgets import PanelCard

OUT = Path(__file__).resolve().parent.parent / "screenshots"
SIZE = (120, 34)


def _save(app: DashboardApp, name: str) -> None:
    path = OUT / f"{name}.svg"
    app.save_screenshot(str(path))
    print(f"wrote {path}", file=sys.stderr)


async def _capture(url: str, scenario: str, settle: float) -> None:
    dashboard = config.load_dashboard(config.bundled_default_path())
    app = make_app(dashboard, PrometheusClient(url), refresh=1.0)
    async with app.run_test(size=SIZE) as pilot:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            cards = list(app.query(PanelCard))
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


def main() -> int:
    OUT.mkdir(exist_ok=True)
    for scenario, settle in (("healthy", 10.0), ("incident", 15.0)):
        with DemoStack(scenario, rule_for="5s", rule_interval="1s") as stack:
            asyncio.run(_capture(stack.prometheus_url, scenario, settle))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
