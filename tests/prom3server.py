"""A fake Prometheus 3 on a real loopback socket: it replays the answer shapes of
Prometheus 3's HTTP API that Debian's Prometheus 2.42 cannot give (UTF-8 metric and
label names, `infos` beside warnings, `le` buckets written "1.0", its build info, the
`U__` escaped label-values path), for the tests of those shapes end to end.

Answers are canned: each query is answered by the first rule whose needle is in the
expression; a merged query (several leaves in one) is refused as a server may
refuse it, so the client asks each leaf alone, as it does then.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

VERSION = "3.1.0"


@dataclass
class Rule:
    """Series for queries containing `needle`: (labels, value) each; `infos` too."""

    needle: str
    series: Sequence[tuple[dict[str, str], float]]
    infos: Sequence[str] = ()


@dataclass
class Prometheus3:
    rules: list[Rule] = field(default_factory=list)
    label_values: dict[str, list[str]] = field(default_factory=dict)
    """By label name as Prometheus 3 knows it (unescaped: "http.route")."""
    paths: list[str] = field(default_factory=list)
    queries: list[str] = field(default_factory=list)


def _unescape(name: str) -> str:
    """Prometheus 3's reading of a `U__` escaped label name in a URL path."""
    if not name.startswith("U__"):
        return name
    out, rest = [], name[3:]
    while rest:
        if rest.startswith("__"):
            out.append("_")
            rest = rest[2:]
        elif rest.startswith("_"):
            code, _, rest = rest[1:].partition("_")
            out.append(chr(int(code, 16)))
        else:
            out.append(rest[0])
            rest = rest[1:]
    return "".join(out)


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
        split = urlsplit(self.path)
        self._route(split.path, parse_qs(split.query))

    def do_POST(self) -> None:  # noqa: N802
        length = int(self.headers.get("Content-Length", 0))
        form = parse_qs(self.rfile.read(length).decode())
        split = urlsplit(self.path)
        self._route(split.path, {**parse_qs(split.query), **form})

    def _route(self, path: str, params: dict[str, list[str]]) -> None:
        fake = self.server.fake
        fake.paths.append(path)
        now = time.time()
        if path == "/api/v1/status/buildinfo":
            self._ok({"version": VERSION, "revision": "fake", "branch": "HEAD"})
        elif path == "/api/v1/targets":
            self._ok({"activeTargets": [_target(now)], "droppedTargets": []})
        elif path == "/api/v1/rules":
            self._ok({"groups": []})
        elif path == "/api/v1/alerts":
            self._ok({"alerts": []})
        elif path.startswith("/api/v1/label/") and path.endswith("/values"):
            name = _unescape(path[len("/api/v1/label/") : -len("/values")])
            self._ok(fake.label_values.get(name, []))
        elif path in ("/api/v1/query", "/api/v1/query_range"):
            self._query(path, params, now)
        elif path == "/-/ready":
            self._send(200, b"Prometheus Server is Ready.\n", "text/plain")
        else:
            self._error(404, "not_found", f"no {path} here")

    def _query(self, path: str, params: dict[str, list[str]], now: float) -> None:
        fake = self.server.fake
        expr = params.get("query", [""])[0]
        fake.queries.append(expr)
        if "__allintop_leaf" in expr:
            self._error(400, "bad_data", "merged queries are not served here")
            return
        rule = next((r for r in fake.rules if r.needle in expr), None)
        series = rule.series if rule else ()
        extra = {"infos": list(rule.infos)} if rule and rule.infos else {}
        if path == "/api/v1/query":
            at = float(params.get("time", [now])[0])
            result = [{"metric": m, "value": [at, str(v)]} for m, v in series]
            self._ok({"resultType": "vector", "result": result}, **extra)
            return
        start, end = float(params["start"][0]), float(params["end"][0])
        step = float(params["step"][0])
        times = [start + k * step for k in range(int((end - start) / step) + 1)]
        result = [{"metric": m, "values": [[t, str(v)] for t in times]} for m, v in series]
        self._ok({"resultType": "matrix", "result": result}, **extra)

    def _ok(self, data: Any, **extra: Any) -> None:
        body = json.dumps({"status": "success", "data": data, **extra}).encode()
        self._send(200, body, "application/json")

    def _error(self, status: int, kind: str, message: str) -> None:
        body = json.dumps({"status": "error", "errorType": kind, "error": message}).encode()
        self._send(status, body, "application/json")

    def _send(self, status: int, body: bytes, kind: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


def _target(now: float) -> dict[str, Any]:
    stamp = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(now - 0.5)) + ".000Z"
    return {
        "labels": {"job": "otel", "instance": "app:8080"},
        "scrapePool": "otel",
        "scrapeUrl": "http://app:8080/metrics",
        "lastError": "",
        "lastScrape": stamp,
        "lastScrapeDuration": 0.002,
        "health": "up",
        "scrapeInterval": "1s",
        "scrapeTimeout": "1s",
    }


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    fake: Prometheus3


@contextmanager
def prometheus3(fake: Prometheus3) -> Iterator[str]:
    """Serve `fake` on 127.0.0.1:<free port>; yields its URL."""
    server = _Server(("127.0.0.1", 0), _Handler)
    server.fake = fake
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        host, port = server.server_address[:2]
        yield f"http://{host}:{port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
