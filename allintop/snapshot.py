"""`allintop once` and `allintop check`: the dashboard's queries without a screen.

`once` evaluates every panel once and prints a table (or JSON) with the same values,
units and statuses the dashboard shows; its exit code is the worst status, so it
serves scripts and cron checks. `check` validates every expression against the server.
"""

from __future__ import annotations

import json
import math
import sys
import time
from collections.abc import Mapping
from typing import TextIO

from allintop.config import Dashboard
from allintop.poller import PanelState, Poller, server_error, worst
from allintop.prometheus import PrometheusClient, PrometheusError
from allintop.text import clean
from allintop.thresholds import Status
from allintop.units import format_value

EXIT_CODES = {Status.OK: 0, Status.UNKNOWN: 0, Status.WARNING: 1, Status.CRITICAL: 2}
EXIT_UNREACHABLE = 3


async def snapshot(
    dashboard: Dashboard, client: PrometheusClient, variables: Mapping[str, str]
) -> list[PanelState]:
    """Every panel's state at one instant."""
    exprs = dashboard.exprs(dashboard.variable_values(variables))
    poller = Poller(
        client,
        dashboard.panels,
        exprs,
        step=dashboard.refresh,
        range_=dashboard.range,
        alerts=False,
    )
    report = await poller.tick(time.time(), budget=client.timeout + 1)
    await poller.aclose()
    return report.panels


def _json_value(value: float | None) -> float | str | None:
    # JSON has no NaN or Inf: say them as strings, as Prometheus does.
    if value is None or math.isfinite(value):
        return value
    return "NaN" if math.isnan(value) else ("+Inf" if value > 0 else "-Inf")


def _as_json(dashboard: Dashboard, states: list[PanelState]) -> str:
    by_index = {s.index: s for s in states}
    rows = []
    index = 0
    for row in dashboard.rows:
        panels = []
        for panel in row.panels:
            state = by_index.get(index)
            index += 1
            panels.append(
                {
                    "title": panel.title,
                    "unit": panel.unit,
                    "value": _json_value(state.value if state else None),
                    "status": (state.status if state else Status.UNKNOWN).value,
                    "reason": state.reason if state else "no answer in time",
                    "series": [
                        {"name": s.name, "labels": dict(s.labels), "value": _json_value(s.value)}
                        for s in (state.series if state else ())
                    ],
                    "total_series": state.total if state else 0,
                }
            )
        rows.append({"title": row.title, "panels": panels})
    return json.dumps({"time": time.time(), "rows": rows}, indent=2)


def _as_table(dashboard: Dashboard, states: list[PanelState]) -> str:
    by_index = {s.index: s for s in states}
    lines = []
    index = 0
    width = max((len(p.title) for p in dashboard.panels), default=10)
    for row in dashboard.rows:
        lines.append(f"== {clean(row.title)}")
        for panel in row.panels:
            state = by_index.get(index)
            index += 1
            if state is None or state.value is None:
                shown = clean(state.reason if state else "no answer in time", 100)
            else:
                number, unit = format_value(state.value, panel.unit, panel.decimals)
                shown = f"{number} {unit}".strip()
                if state.total > 1:
                    shown += f"  ({clean(state.series[0].name, 40)}, +{state.total - 1} more)"
            status = state.status.value if state else "unknown"
            lines.append(f"  {clean(panel.title):<{width}}  {shown:<24} {status}")
    return "\n".join(lines)


async def run_once(
    dashboard: Dashboard,
    client: PrometheusClient,
    variables: Mapping[str, str],
    *,
    as_json: bool = False,
    out: TextIO = sys.stdout,
) -> int:
    async with client:
        states = await snapshot(dashboard, client, variables)
    error = server_error(states)
    if error is not None:
        # One message, not the same one on every panel.
        print(f"allintop: {error}", file=sys.stderr)
        return EXIT_UNREACHABLE
    print(_as_json(dashboard, states) if as_json else _as_table(dashboard, states), file=out)
    return EXIT_CODES[worst([s.status for s in states])]


async def run_check(
    dashboard: Dashboard,
    client: PrometheusClient,
    variables: Mapping[str, str],
    out: TextIO = sys.stdout,
) -> int:
    """Evaluate every expr once; report each that the server rejects. Exit 0 when all run."""
    exprs = dashboard.exprs(dashboard.variable_values(variables))
    failures = 0
    async with client:
        for panel, expr in zip(dashboard.panels, exprs, strict=True):
            try:
                await client.query(expr)
            except PrometheusError as exc:
                if exc.short in ("unreachable", "timeout"):
                    print(f"allintop: {exc}", file=sys.stderr)
                    return EXIT_UNREACHABLE
                failures += 1
                print(f"{dashboard.source}:{panel.line}: {panel.title}: {exc}", file=out)
    print(
        f"{dashboard.source}: {len(dashboard.panels)} panels, "
        + ("all queries run" if not failures else f"{failures} failed"),
        file=out,
    )
    return 0 if not failures else 2
