"""The demo AllIN backend: a real HTTP server exporting the seed's ``allin_*`` metrics.

Run it as::

    python -m allintop.demo.backend --host 127.0.0.1 --port 7000 --scenario healthy

Endpoints:

- ``GET /metrics``: the Prometheus text exposition of the synthetic metrics, or the
  protobuf one when the scrape asks for it (Prometheus ingesting native histograms;
  allintop.demo.native);
- ``GET /health``: ``{"status": "ok", "scenario": ...}``;
- ``GET /scenario``: the current scenario and the available ones;
- ``POST /scenario``: switch scenario while running; the name comes from the query
  (``?name=incident``), a form body (``name=incident``), a JSON body
  (``{"name": "incident"}``) or a plain-text body (``incident``).

``--port 0`` binds a free port; the chosen one is printed, and written to
``--ready-file`` (once the socket is bound) for launchers such as DemoStack.
``--history-file F --history-seconds N --history-job J`` first fast-forwards N seconds
of past traffic and writes it to F as OpenMetrics (labelled job=J and
instance=HOST:PORT) for ``promtool tsdb create-blocks-from openmetrics``; see
allintop.demo.history for why.

The process exits cleanly on SIGTERM/SIGINT, and by itself when its parent process
dies (it polls getppid; ``--parent-pid`` names the parent to watch), so a crashed
dashboard never leaves it behind.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import sys
import threading
import time
from dataclasses import dataclass
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import FrameType
from urllib.parse import parse_qs, urlsplit

from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from allintop.demo import protobuf
from allintop.demo.history import write_history
from allintop.demo.native import exposition
from allintop.demo.scenarios import get_scenario, scenario_names
from allintop.demo.traffic import Traffic
from allintop.errors import ConfigError

TICK_SECONDS = 0.1
PARENT_POLL_SECONDS = 0.5
MAX_TICK_SECONDS = 1.0  # after a suspend, don't replay minutes of traffic in one tick


@dataclass(frozen=True)
class BackendOptions:
    host: str = "127.0.0.1"
    port: int = 0
    scenario: str = "healthy"
    ready_file: Path | None = None
    tick_seconds: float = TICK_SECONDS
    history_file: Path | None = None
    history_seconds: float = 0.0
    history_job: str = "backend-api-dev"
    parent_pid: int | None = None  # exit when our parent is no longer this process


class BackendServer(ThreadingHTTPServer):
    daemon_threads = True  # a stuck client never blocks shutdown

    def __init__(self, address: tuple[str, int], traffic: Traffic) -> None:
        super().__init__(address, BackendHandler)
        self.traffic = traffic


class BackendHandler(BaseHTTPRequestHandler):
    server: BackendServer
    server_version = "allintop-demo-backend"

    def do_GET(self) -> None:
        path = urlsplit(self.path).path
        if path == "/metrics":
            traffic = self.server.traffic
            # Prometheus asks for protobuf first when it ingests native histograms.
            binary = protobuf.wants_protobuf(self.headers.get("Accept", ""))
            with traffic.lock:  # a consistent snapshot: no half-applied tick
                registry = traffic.metrics.registry
                body = exposition(registry) if binary else generate_latest(registry)
            kind = protobuf.CONTENT_TYPE if binary else CONTENT_TYPE_LATEST
            self._send(HTTPStatus.OK, body, kind)
        elif path == "/health":
            self._json(HTTPStatus.OK, {"status": "ok", "scenario": self._scenario()})
        elif path == "/scenario":
            self._json(HTTPStatus.OK, {"scenario": self._scenario(), "available": scenario_names()})
        else:
            self._json(HTTPStatus.NOT_FOUND, {"error": f"no such endpoint: {path}"})

    def do_POST(self) -> None:
        split = urlsplit(self.path)
        if split.path != "/scenario":
            self._json(HTTPStatus.NOT_FOUND, {"error": f"no such endpoint: {split.path}"})
            return
        name = scenario_from_request(split.query, self._body(), self.headers.get_content_type())
        if not name:
            self._json(HTTPStatus.BAD_REQUEST, {"error": "missing scenario name (name=...)"})
            return
        try:
            self.server.traffic.scenario = get_scenario(name)
        except ConfigError as exc:
            self._json(HTTPStatus.BAD_REQUEST, {"error": exc.message, "hint": exc.hint})
            return
        self._json(HTTPStatus.OK, {"scenario": name})

    def _scenario(self) -> str:
        return self.server.traffic.scenario.name

    def _body(self) -> bytes:
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(min(length, 64 * 1024)) if length > 0 else b""

    def _json(self, status: HTTPStatus, payload: dict[str, object]) -> None:
        self._send(status, json.dumps(payload).encode() + b"\n", "application/json")

    def _send(self, status: HTTPStatus, body: bytes, content_type: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 (stdlib name)
        # One line per scrape each second would only fill the log; errors still go
        # through log_error -> here, so keep those.
        if args and str(args[0]).startswith(("code 4", "code 5")):
            super().log_message(format, *args)


def scenario_from_request(query: str, body: bytes, content_type: str) -> str | None:
    """The scenario name of a POST /scenario, from the query or any simple body."""
    names = parse_qs(query).get("name")
    if names:
        return names[0].strip()
    text = body.decode("utf-8", errors="replace").strip()
    if not text:
        return None
    if content_type == "application/json" or text.startswith("{"):
        try:
            value = json.loads(text).get("name")
        except (ValueError, AttributeError):
            return None
        return str(value).strip() if value else None
    form = parse_qs(text).get("name")
    return form[0].strip() if form else text


def drive(traffic: Traffic, stop: threading.Event, tick_seconds: float) -> None:
    """Ticks the synthetic traffic until ``stop`` is set."""
    last = time.monotonic()
    while not stop.wait(tick_seconds):
        now = time.monotonic()
        traffic.tick(min(now - last, MAX_TICK_SECONDS))
        last = now


def write_ready_file(path: Path, port: int) -> None:
    # Write then rename: a launcher polling for the file never reads it half-written.
    tmp = path.with_suffix(".tmp")
    tmp.write_text(f"{port}\n")
    os.replace(tmp, path)


def run(options: BackendOptions) -> int:
    traffic = Traffic(get_scenario(options.scenario))
    server = BackendServer((options.host, options.port), traffic)
    port = server.server_address[1]
    if options.history_file is not None and options.history_seconds > 0:
        # Before serving: the live counters must continue from the history's last values.
        labels = {"job": options.history_job, "instance": f"{options.host}:{port}"}
        write_history(
            traffic,
            options.history_file,
            seconds=options.history_seconds,
            end=time.time(),
            extra_labels=labels,
            live_tick_seconds=options.tick_seconds,
        )
    stop = threading.Event()

    def on_signal(signum: int, frame: FrameType | None) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    threads = [
        threading.Thread(target=server.serve_forever, name="http", daemon=True),
        threading.Thread(
            target=drive, args=(traffic, stop, options.tick_seconds), name="traffic", daemon=True
        ),
    ]
    for thread in threads:
        thread.start()
    print(
        f"allintop demo backend on http://{options.host}:{port}/metrics "
        f"(scenario {options.scenario})",
        flush=True,
    )
    if options.ready_file is not None:
        write_ready_file(options.ready_file, port)
    # A launcher passes its pid: reading getppid() here could already see the re-parent
    # if the launcher died during our ~0.2 s of imports.
    parent = options.parent_pid if options.parent_pid is not None else os.getppid()
    # The main thread only waits: signal handlers run here, and it notices when the
    # parent died (we were re-parented) without relying on the parent to tell us.
    while not stop.wait(PARENT_POLL_SECONDS):
        if os.getppid() != parent:
            print("parent process exited; stopping", file=sys.stderr, flush=True)
            break
    stop.set()
    server.shutdown()
    server.server_close()
    return 0


def parse_args(argv: list[str] | None = None) -> BackendOptions:
    parser = argparse.ArgumentParser(
        prog="python -m allintop.demo.backend",
        description="Synthetic AllIN backend exporting the seed's allin_* metrics.",
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default: loopback)")
    parser.add_argument("--port", type=int, default=0, help="port to bind; 0 picks a free one")
    parser.add_argument("--scenario", default="healthy", choices=scenario_names())
    parser.add_argument("--ready-file", type=Path, help="write the bound port here once listening")
    parser.add_argument("--history-file", type=Path, help="write synthetic past traffic here")
    parser.add_argument(
        "--history-seconds", type=float, default=900.0, help="how much past traffic to write"
    )
    parser.add_argument(
        "--history-job", default="backend-api-dev", help="job label of the history samples"
    )
    parser.add_argument(
        "--parent-pid", type=int, help="exit when this process is no longer our parent"
    )
    args = parser.parse_args(argv)
    return BackendOptions(
        host=args.host,
        port=args.port,
        scenario=args.scenario,
        ready_file=args.ready_file,
        history_file=args.history_file,
        history_seconds=args.history_seconds,
        history_job=args.history_job,
        parent_pid=args.parent_pid,
    )


def main(argv: list[str] | None = None) -> int:
    options = parse_args(argv)
    try:
        return run(options)
    except OSError as exc:  # typically: the port is taken
        print(f"cannot listen on {options.host}:{options.port}: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
