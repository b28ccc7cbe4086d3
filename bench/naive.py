"""The naive client: what common terminal dashboards do on every refresh.

    python -m bench.naive --url URL -c panels.yaml --refresh 1 [--range 900]
        [--width 100] [--sequential] [--duration S] [--out ticks.jsonl]

grafterm, sampler and most Grafana-in-a-terminal tools redraw each graph from
scratch: on every tick, every panel sends a full `query_range` over the whole
dashboard range (here `end` = now, `start` = now - range, `step` = range / width, e.g.
15m / 100 = 9 s), all panels at once (grafterm runs one goroutine per widget; sampler
one per component) and parse every point. There is no history kept between ticks and
no sharing between panels. `--sequential` sends the panels one after another instead.

It draws nothing: the bench compares what it costs Prometheus (and the client's own
CPU for fetching and parsing), not its pictures. A tick that overruns the refresh
interval makes the next one start late, never two at once (like a Go time.Ticker,
missed ticks are dropped).

One JSON line per tick goes to --out: {"start", "end", "panels", "ok", "with_data",
"errors", "series", "points"} (times are unix seconds). It runs until SIGTERM or
--duration.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import signal
import sys
import time
from pathlib import Path
from typing import Any, TextIO

import httpx

from allintop.dashboard.loading import load_dashboard
from allintop.promql.interpolate import interpolate


async def fetch(
    client: httpx.AsyncClient, expr: str, start: float, end: float, step: float
) -> tuple[bool, int, int]:
    """(ok, series, points) of one query_range, parsed to floats as a drawing tool would."""
    try:
        response = await client.get(
            "/api/v1/query_range",
            params={"query": expr, "start": start, "end": end, "step": step},
        )
        body: dict[str, Any] = response.json()
    except (httpx.HTTPError, ValueError):
        return False, 0, 0
    if body.get("status") != "success":
        return False, 0, 0
    series = body["data"]["result"]
    points = 0
    for one in series:
        values = [float(v) for _, v in one["values"]]
        points += len(values)
    return True, len(series), points


async def run(args: argparse.Namespace, out: TextIO) -> int:
    dashboard = load_dashboard(args.config)
    variables = {v.name: v.default for v in dashboard.variables}
    exprs = [interpolate(p.expr, variables) for p in dashboard.queries]
    step = args.range / args.width
    # SIGTERM ends it at once, even in the middle of a tick (whole lines only are
    # written, and the bench reads its /proc figures before stopping it).
    task = asyncio.current_task()
    assert task is not None
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, task.cancel)
    deadline = time.time() + args.duration if args.duration else float("inf")
    # One kept-alive connection per panel: no reconnecting on every tick.
    limits = httpx.Limits(
        max_connections=max(len(exprs), 1), max_keepalive_connections=max(len(exprs), 1)
    )
    async with httpx.AsyncClient(base_url=args.url, timeout=60.0, limits=limits) as client:
        next_tick = time.time()
        while next_tick < deadline:
            await asyncio.sleep(max(0.0, next_tick - time.time()))
            end = time.time()
            start = end - args.range
            if args.sequential:
                results = [await fetch(client, e, start, end, step) for e in exprs]
            else:
                results = await asyncio.gather(*(fetch(client, e, start, end, step) for e in exprs))
            done = time.time()
            line = {
                "start": end,
                "end": done,
                "panels": len(exprs),
                "ok": sum(1 for ok, _, _ in results if ok),
                "with_data": sum(1 for ok, n, _ in results if ok and n > 0),
                "errors": sum(1 for ok, _, _ in results if not ok),
                "series": sum(n for _, n, _ in results),
                "points": sum(p for _, _, p in results),
            }
            out.write(json.dumps(line) + "\n")
            next_tick += args.refresh
            while next_tick <= time.time():  # dropped ticks, as time.Ticker does
                next_tick += args.refresh
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.naive", description=__doc__)
    parser.add_argument("--url", required=True)
    parser.add_argument("-c", "--config", type=Path, required=True)
    parser.add_argument("--refresh", type=float, default=5.0, help="seconds between ticks")
    parser.add_argument("--range", type=float, default=900.0, help="seconds of history")
    parser.add_argument("--width", type=int, default=100, help="points per graph")
    parser.add_argument("--sequential", action="store_true", help="one panel after another")
    parser.add_argument("--duration", type=float, default=0.0, help="stop after S seconds")
    parser.add_argument("--out", type=Path, help="JSON lines, one per tick (default stdout)")
    args = parser.parse_args(argv)
    with contextlib.ExitStack() as files:
        # Line-buffered: the bench reads the ticks while the client runs.
        out = sys.stdout if args.out is None else files.enter_context(open(args.out, "a", 1))
        try:
            return asyncio.run(run(args, out))
        except (asyncio.CancelledError, KeyboardInterrupt):
            return 0


if __name__ == "__main__":
    sys.exit(main())
