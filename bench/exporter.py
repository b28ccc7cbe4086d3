"""A tiny exporter with one gauge of many series, for the "one panel, 5,000 series" run
and the soak's series churn.

    python -m bench.exporter --series 5000 --ready-file F [--parent-pid P] [--churn S]

Serves `bench_series_value{series="00042"}` (values wander with time, so every
scrape is new data) on a free loopback port; with `--churn S`, every S seconds the
odd-numbered half of the series disappears and as many new ones appear (their names
carry the generation: `00043-g7`), as pods replaced by a deploy do. It writes the
port to the ready file once listening, and exits when the parent process goes away
(besides the SIGTERM that PR_SET_PDEATHSIG sends, a belt for when the bench is killed
outright).
"""

from __future__ import annotations

import argparse
import math
import os
import signal
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

from prometheus_client import CollectorRegistry, start_http_server
from prometheus_client.metrics_core import GaugeMetricFamily

METRIC = "bench_series_value"
JOB = "bench-series"


class ManySeries:
    """A collector of `count` series whose values move a little on every scrape."""

    def __init__(self, count: int, churn: float = 0.0) -> None:
        self.names = [f"{i:05d}" for i in range(count)]
        self.churn = churn

    def collect(self) -> Iterator[GaugeMetricFamily]:
        now = time.time()
        generation = int(now // self.churn) if self.churn > 0 else 0
        family = GaugeMetricFamily(METRIC, "A bench gauge with many series", labels=["series"])
        for i, name in enumerate(self.names):
            if self.churn > 0 and i % 2:
                name = f"{name}-g{generation}"
            family.add_metric([name], 100.0 + 50.0 * math.sin(now / 30.0 + i))
        yield family


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.exporter")
    parser.add_argument("--series", type=int, default=5000)
    parser.add_argument("--ready-file", type=Path, required=True)
    parser.add_argument("--parent-pid", type=int, default=None)
    parser.add_argument("--churn", type=float, default=0.0, help="replace half every S seconds")
    args = parser.parse_args(argv)

    registry = CollectorRegistry(auto_describe=False)
    registry.register(ManySeries(args.series, args.churn))
    server, _thread = start_http_server(0, addr="127.0.0.1", registry=registry)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    partial = args.ready_file.with_suffix(".partial")
    partial.write_text(str(server.server_port))
    os.replace(partial, args.ready_file)  # the reader never sees an empty file
    while not stop.wait(0.5):
        if args.parent_pid is not None and os.getppid() != args.parent_pid:
            break
    server.shutdown()
    return 0


if __name__ == "__main__":
    sys.exit(main())
