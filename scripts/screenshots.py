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
from allintop.ui.app import make_app
from allintop.ui.widgets import PanelCard

OUT = Path(__file__).resolve().parent.parent / "screenshots"
SIZE = (120, 34)


async def _capture(url: str, path: Path, settle: float) -> None:
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
        app.save_screenshot(str(path))
    print(f"wrote {path}", file=sys.stderr)


def main() -> int:
    OUT.mkdir(exist_ok=True)
    for scenario, settle in (("healthy", 20.0), ("incident", 30.0)):
        with DemoStack(scenario, rule_for="5s", rule_interval="1s") as stack:
            stack.start()
            asyncio.run(_capture(stack.prometheus_url, OUT / f"dashboard-{scenario}.svg", settle))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
