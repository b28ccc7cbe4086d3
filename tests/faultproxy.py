"""A fault-injecting HTTP proxy in front of a real Prometheus, switchable at runtime.

    with FaultProxy(stack.prometheus_url) as proxy:
        client = PrometheusClient(proxy.url)
        proxy.route(TOO_MANY_SAMPLES, query="allin_process_heap_bytes")  # one panel
        proxy.route(slow(3.0))                                  # everything slow
        proxy.refuse()                                          # nobody listening
        proxy.passthrough()                                     # all healthy again

Unlike tests/faultserver.py (one canned reply, for the client's unit-level tests),
this one forwards to the real Prometheus and breaks only what a rule matches, so a
dashboard can run against it with one panel broken while the others keep working.

Rules match on the request path (a prefix, e.g. ``/api/v1/alerts``) and/or on a
substring of the PromQL the request carries (``query=`` or ``match[]=``, in the URL or
the form body); the newest matching rule wins, no match is pass-through. Faults:

- canned replies: `UNAVAILABLE` (503), `TOO_MANY_SAMPLES` (422) and `BAD_DATA` (400),
  each with Prometheus' JSON error; `BAD_GATEWAY` (502, nginx's HTML page),
  `UNAUTHORIZED` (401, nginx's HTML page), `LOGIN_PAGE` (200, an SSO login page);
- `MALFORMED_JSON`: the real answer, cut in half;
- `slow(delay)`: hold the request `delay` seconds (or until the rule is removed),
  then forward it;
- `RESET`: close the connection with a TCP RST instead of answering;
- `REFUSE` / `refuse()`: stop listening (and drop open connections), so connections
  are refused; `listen()` / `passthrough()` listens again on the same port;
- rewrites of the real answer: `escapes()` (terminal escape sequences and Rich
  markup in label values of query results, and in an extra alert, alert rule and
  scrape targets on /api/v1/alerts, /rules, /targets), `NAN` / `POS_INF` / `NEG_INF`
  (every value replaced),
  `huge(n)` (a synthesized n-series answer instead of the real one).

Merged queries: a client may send several queries as one expression,
``label_replace(<q0>, "L", "0", "", "") or label_replace(<q1>, "L", "1", "", "") ...``,
and split the answer by label L. Rules then match each part: a rewrite applies to the
matching part's series only; any other fault to the whole request, as a real server
fails or delays the whole query when one part does.

When Prometheus itself cannot be reached the proxy answers 502 with nginx's page,
as a real reverse proxy does. Every request is logged in `proxy.seen`.
"""

from __future__ import annotations

import contextlib
import functools
import json
import socket
import struct
import threading
import time
from collections import deque
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any, Self
from urllib.parse import parse_qs, urlsplit

import httpx
import promql_parser

# --- payloads -------------------------------------------------------------------------

CLEAR_SCREEN_RED = "\x1b[2J\x1b[31mred"  # clear the screen, then paint in red
BELL = "ding\x07"
OSC52_CLIPBOARD = "\x1b]52;c;cm0gLXJmIH4K\x07"  # put "rm -rf ~\n" in the clipboard
MARKUP_BOLD = "[bold red]x[/]"
MARKUP_LINK = "[link=http://evil]y[/link]"
#: The label values `escapes()` injects, the first one on the top series.
EVIL_VALUES: tuple[str, ...] = (
    f"{MARKUP_BOLD} {MARKUP_LINK}",
    CLEAR_SCREEN_RED,
    BELL,
    OSC52_CLIPBOARD,
)
#: The name of the firing alert `escapes()` adds on /api/v1/alerts.
EVIL_ALERT_NAME = f"Pwn{CLEAR_SCREEN_RED}{BELL}"
CONTROL_CHARS = ("\x1b", "\x07", "\x9b", "\x9d")  # ESC, BEL, C1 CSI and OSC

NGINX_502 = (
    b"<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n"
    b"<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx/1.22.1</center>\r\n"
    b"</body>\r\n</html>\r\n"
)
NGINX_401 = (
    b"<html>\r\n<head><title>401 Authorization Required</title></head>\r\n<body>\r\n"
    b"<center><h1>401 Authorization Required</h1></center>\r\n"
    b"<hr><center>nginx/1.22.1</center>\r\n</body>\r\n</html>\r\n"
)
LOGIN_HTML = (
    b"<!DOCTYPE html><html lang=en><head><meta charset=utf-8>"
    b"<title>Sign in - Example Corp SSO</title></head><body><form method=post action=/login>"
    b"<input name=user><input name=password type=password><button>Sign in</button>"
    b"</form></body></html>"
)


def _prometheus_error(error_type: str, error: str) -> bytes:
    return json.dumps({"status": "error", "errorType": error_type, "error": error}).encode()


# --- faults -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Fault:
    """What the proxy does with a request a rule matches (see the presets below)."""

    kind: str
    status: int = 200
    body: bytes = b""
    content_type: str = "application/json"
    delay: float = 0.0
    value: str = ""
    label: str = ""
    payloads: tuple[str, ...] = ()
    count: int = 0

    def __str__(self) -> str:
        return self.kind if self.kind != "reply" else f"reply {self.status}"


PASS = Fault("pass")
UNAVAILABLE = Fault(
    "reply", 503, _prometheus_error("unavailable", "too many concurrent queries, try again")
)
BAD_DATA = Fault(
    "reply",
    400,
    _prometheus_error(
        "bad_data", 'invalid parameter "query": 1:1: parse error: unknown function with name "x"'
    ),
)
TOO_MANY_SAMPLES = Fault(
    "reply",
    422,
    _prometheus_error(
        "execution", "query processing would load too many samples into memory in query execution"
    ),
)
BAD_GATEWAY = Fault("reply", 502, NGINX_502, "text/html")
UNAUTHORIZED = Fault("reply", 401, NGINX_401, "text/html")
LOGIN_PAGE = Fault("reply", 200, LOGIN_HTML, "text/html; charset=utf-8")
MALFORMED_JSON = Fault("truncate")
RESET = Fault("reset")
REFUSE = Fault("refuse")
NAN = Fault("value", value="NaN")
POS_INF = Fault("value", value="+Inf")
NEG_INF = Fault("value", value="-Inf")


def slow(delay: float) -> Fault:
    """Hold each request `delay` seconds (less if the rule goes away), then forward it."""
    return Fault("slow", delay=delay)


def escapes(label: str = "route", payloads: tuple[str, ...] = EVIL_VALUES) -> Fault:
    """Query results get one extra series per payload, with `label` set to it (the
    first payload on the top series); /api/v1/alerts gets a firing alert, /api/v1/rules
    a group with that alert's rule, /api/v1/targets two targets, all carrying them in
    every text field (names, labels, annotations, errors, URLs, even state/health)."""
    return Fault("escapes", label=label, payloads=payloads)


def huge(count: int = 50_000, label: str = "instance") -> Fault:
    """Answer with `count` synthesized series (`<label>="host-NNNNN"`, value = N), so
    the top one is host-<count-1>; a range query gets one point per series, at its end."""
    return Fault("huge", count=count, label=label)


@dataclass
class Rule:
    fault: Fault
    path: str | None = None
    query: str | None = None
    hits: int = 0

    def matches(self, path: str, expr: str) -> bool:
        if self.path is not None and not path.startswith(self.path):
            return False
        return self.query is None or self.query in expr


@dataclass(frozen=True)
class Seen:
    """One request the proxy handled."""

    time: float
    method: str
    path: str
    expr: str
    fault: str
    status: int | None  # None: no answer (reset, dropped)


# --- rewriting ------------------------------------------------------------------------

QUERY_PATHS = ("/api/v1/query", "/api/v1/query_range")


def _set_values(data: dict[str, Any], value: str) -> None:
    kind, result = data.get("resultType"), data.get("result")
    if kind == "vector":
        for item in result:
            item["value"][1] = value
    elif kind == "matrix":
        for item in result:
            for point in item.get("values") or ():
                point[1] = value
    elif kind == "scalar":
        result[1] = value


def _inject(data: dict[str, Any], fault: Fault) -> None:
    result = data.get("result")
    if data.get("resultType") not in ("vector", "matrix") or not result:
        return
    template = result[0]
    extra = []
    for rank, payload in enumerate(fault.payloads):
        item = json.loads(json.dumps(template))
        item["metric"] = {**item.get("metric", {}), fault.label: payload}
        # Far above the real values, in payload order: the first one is the top series.
        bump = 1e6 * (len(fault.payloads) - rank)
        for point in [item["value"]] if "value" in item else item.get("values") or ():
            with contextlib.suppress(ValueError):
                point[1] = repr(float(point[1]) + bump)
        extra.append(item)
    data["result"] = extra + result[1:]


def _now_rfc3339() -> str:
    return datetime.now(UTC).isoformat().replace("+00:00", "Z")


def _evil_alert(values: tuple[str, ...]) -> dict[str, Any]:
    labels = {"alertname": EVIL_ALERT_NAME, "severity": values[0]}
    labels |= {f"evil{i}": v for i, v in enumerate(values)}
    labels[f"name{values[1]}"] = "a label name is text from the server too"
    return {
        "labels": labels,
        "annotations": {"summary": " ".join(values), "description": values[-1]},
        "state": "firing",
        "activeAt": _now_rfc3339(),
        "value": "1e+00",
    }


def _evil_group(values: tuple[str, ...]) -> dict[str, Any]:
    """A rule group with a firing rule carrying `values` everywhere text goes (its
    query reads allin_active_connections, so it marks panels that read that too), and
    one whose state and health are not words Prometheus uses."""
    alert = _evil_alert(values)
    firing = {
        "type": "alerting",
        "name": EVIL_ALERT_NAME,
        "query": f'allin_active_connections{{job="{values[1]}"}} > 1e9',
        "duration": 0,
        "labels": {k: v for k, v in alert["labels"].items() if k != "alertname"},
        "annotations": alert["annotations"],
        "alerts": [alert],
        "health": "ok",
        "lastError": values[1],
        "state": "firing",
    }
    odd = {**firing, "name": f"Odd{values[2]}", "state": f"firing{values[1]}"}
    odd |= {"health": f"ok{values[2]}", "alerts": []}
    return {"name": f"evil{values[1]}", "file": f"/etc/{values[2]}.yml", "interval": 1,
            "rules": [firing, odd]}  # fmt: skip


def _evil_targets(values: tuple[str, ...]) -> list[dict[str, Any]]:
    """A down target whose labels, URL and error carry `values`, and one whose health
    is not a word Prometheus uses."""
    down = {
        "discoveredLabels": {"__address__": values[1]},
        "labels": {"job": f"evil{values[1]}", "instance": values[0]},
        "scrapePool": f"evil{values[1]}",
        "scrapeUrl": f"http://evil/{values[-1]}",
        "globalUrl": f"http://evil/{values[-1]}",
        "lastError": f'Get "http://evil/": dial tcp: connect: {values[1]} {values[0]}',
        "lastScrape": _now_rfc3339(),
        "lastScrapeDuration": 0.001,
        "health": "down",
        "scrapeInterval": "1s",
        "scrapeTimeout": "1s",
    }
    odd = {**down, "labels": {"job": f"odd{values[2]}", "instance": values[-1]}}
    odd["health"] = f"up{values[1]}"
    return [down, odd]


@functools.lru_cache(maxsize=4)
def _huge_items(
    count: int, label: str, matrix: bool, extra: tuple[tuple[str, str], ...] = ()
) -> tuple[bytes, bytes]:
    """`count` series as the inside of a JSON result array, around a time placeholder,
    built once: the proxy runs in the test's process, so building them every tick
    would hold the GIL against the app under test."""
    placeholder = "@T@"
    point = [placeholder, "@V@"]
    metric = {"__name__": "allin_huge", label: "host-@N@", **dict(extra)}
    item = {"metric": metric, "values" if matrix else "value": [point] if matrix else point}
    one = json.dumps(item, separators=(",", ":")).replace(f'"{placeholder}"', placeholder)
    items = ",".join(one.replace("@N@", f"{i:05d}").replace("@V@", str(i)) for i in range(count))
    return items.encode(), placeholder.encode()


def _huge_at(path: str, params: Mapping[str, str]) -> bytes:
    matrix = path.startswith("/api/v1/query_range")
    return repr(
        float((params.get("end") if matrix else params.get("time")) or time.time())
    ).encode()


def _huge(path: str, params: Mapping[str, str], count: int, label: str) -> bytes:
    matrix = path.startswith("/api/v1/query_range")
    items, placeholder = _huge_items(count, label, matrix)
    kind = "matrix" if matrix else "vector"
    head, tail = json.dumps(
        {"status": "success", "data": {"resultType": kind, "result": []}}
    ).split("[]")
    body = (
        head.encode()
        + b"["
        + items.replace(placeholder, _huge_at(path, params))
        + b"]"
        + tail.encode()
    )
    return body


def _rewrite(body: bytes, path: str, fault: Fault) -> bytes:
    """Apply a value or label rewrite to a successful Prometheus answer."""
    try:
        answer = json.loads(body)
    except ValueError:
        return body
    if not isinstance(answer, dict) or answer.get("status") != "success":
        return body
    data = answer.get("data")
    if not isinstance(data, dict):
        return body
    values = fault.payloads or EVIL_VALUES
    if fault.kind == "escapes" and path.startswith("/api/v1/alerts"):
        data["alerts"] = [*(data.get("alerts") or []), _evil_alert(values)]
    elif fault.kind == "escapes" and path.startswith("/api/v1/rules"):
        data["groups"] = [*(data.get("groups") or []), _evil_group(values)]
    elif fault.kind == "escapes" and path.startswith("/api/v1/targets"):
        data["activeTargets"] = [*(data.get("activeTargets") or []), *_evil_targets(values)]
    elif path.startswith(QUERY_PATHS):
        if fault.kind == "value":
            _set_values(data, fault.value)
        elif fault.kind == "escapes":
            _inject(data, fault)
    return json.dumps(answer).encode()


# --- merged queries ---------------------------------------------------------------------

REWRITES = ("value", "escapes", "huge")


def merged_parts(expr: str) -> tuple[str, list[tuple[str, str]]] | None:
    """A client may send many queries as one: ``label_replace(<q0>, "L", "0", "", "")
    or label_replace(<q1>, "L", "1", "", "") or ...``, splitting the answer by label L.
    For such an expression: (L, [(tag, query text), ...]); else None. Read with
    promql_parser, as the app reads PromQL."""
    try:
        node = promql_parser.parse(expr)
    except Exception:  # not PromQL we can read: not merged
        return None
    calls: list[Any] = []

    def walk(node: Any) -> bool:
        if isinstance(node, promql_parser.BinaryExpr) and str(node.op) == "or":
            return walk(node.lhs) and walk(node.rhs)
        calls.append(node)
        return isinstance(node, promql_parser.Call) and node.func.name == "label_replace"

    if not walk(node) or len(calls) < 2:
        return None
    label = calls[0].args[1].val
    parts = []
    for call in calls:
        args = call.args
        if len(args) != 5 or args[1].val != label or args[3].val != "" or args[4].val != "":
            return None
        parts.append((str(args[2].val), str(args[0])))
    return label, parts


@dataclass(frozen=True)
class Decision:
    """What to do with one request: `whole` applies to all of it; in a merged query
    (see merged_parts), `parts` maps a part's tag (label `label`) to its rewrite."""

    whole: Fault = PASS
    label: str = ""
    parts: Mapping[str, Fault] = field(default_factory=dict)

    def __str__(self) -> str:
        if not self.parts:
            return str(self.whole)
        rewrites = ",".join(f"{tag}:{fault}" for tag, fault in sorted(self.parts.items()))
        return f"{self.whole} merged[{rewrites}]"


def _rewrite_parts(body: bytes, path: str, params: Mapping[str, str], decision: Decision) -> bytes:
    """Apply each part's rewrite to that part's series of a merged answer only."""
    try:
        answer = json.loads(body)
        data = answer["data"]
        result, kind = data["result"], data["resultType"]
    except (ValueError, KeyError, TypeError):
        return body
    if kind not in ("vector", "matrix"):
        return body
    spliced: list[bytes] = []
    for tag, fault in decision.parts.items():
        mine = [item for item in result if item.get("metric", {}).get(decision.label) == tag]
        others = [item for item in result if item.get("metric", {}).get(decision.label) != tag]
        part = {"resultType": kind, "result": mine}
        if fault.kind == "value":
            _set_values(part, fault.value)
        elif fault.kind == "escapes":
            _inject(part, fault)
        elif fault.kind == "huge":
            extra = ((decision.label, tag),)
            items, placeholder = _huge_items(fault.count, fault.label, kind == "matrix", extra)
            spliced.append(items.replace(placeholder, _huge_at(path, params)))
            part["result"] = []
        result = others + part["result"]
    data["result"] = result + (["@SPLICE@"] if spliced else [])
    text = json.dumps(answer).encode()
    return text.replace(b'"@SPLICE@"', b",".join(spliced)) if spliced else text


# --- the server -----------------------------------------------------------------------

_HOP_BY_HOP = {
    "connection", "keep-alive", "proxy-connection", "transfer-encoding", "te", "trailer",
    "upgrade", "host", "content-length", "accept-encoding", "content-encoding",
}  # fmt: skip


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as real proxies do
    server: _Server

    def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
        self._handle(b"")

    def do_POST(self) -> None:  # noqa: N802
        self._handle(self.rfile.read(int(self.headers.get("Content-Length") or 0)))

    def log_message(self, *args: object) -> None:
        pass

    def _handle(self, body: bytes) -> None:
        proxy = self.server.proxy
        url = urlsplit(self.path)
        params = {k: v[0] for k, v in parse_qs(url.query).items()}
        if self.headers.get("Content-Type", "").startswith("application/x-www-form-urlencoded"):
            params |= {k: v[0] for k, v in parse_qs(body.decode("utf-8", "replace")).items()}
        expr = params.get("query") or params.get("match[]") or ""
        decision = proxy.decide(url.path, expr)
        proxy.received.append(expr)
        status: int | None = None
        try:
            status = self._serve(decision, url.path, params, body)
        finally:
            proxy.seen.append(
                Seen(time.time(), self.command, url.path, expr, str(decision), status)
            )

    def _serve(
        self, decision: Decision, path: str, params: Mapping[str, str], body: bytes
    ) -> int | None:
        fault = decision.whole
        if fault.kind == "reset":
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.close_connection = True
            return None
        if fault.kind == "reply":
            return self._reply(fault.status, fault.body, fault.content_type)
        if fault.kind == "huge" and path.startswith(QUERY_PATHS):
            return self._reply(
                200, _huge(path, params, fault.count, fault.label), "application/json"
            )
        if fault.kind == "slow":
            self.server.proxy.hold(fault)
        status, content, content_type = self.server.proxy.forward(self.command, self.path, body, {
            k: v for k, v in self.headers.items() if k.lower() not in _HOP_BY_HOP
        })  # fmt: skip
        if status == 200 and fault.kind in ("value", "escapes"):
            content = _rewrite(content, path, fault)
        elif status == 200 and fault.kind == "truncate":
            content = content[: max(len(content) // 2, 1)]
        elif status == 200 and decision.parts:
            content = _rewrite_parts(content, path, params, decision)
        return self._reply(status, content, content_type)

    def _reply(self, status: int, body: bytes, content_type: str) -> int:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
        return status


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False  # refuse() must not wait for keep-alive connections
    allow_reuse_address = True
    proxy: FaultProxy

    def __init__(self, address: tuple[str, int], proxy: FaultProxy) -> None:
        self.proxy = proxy
        self.connections: set[socket.socket] = set()
        self._conn_lock = threading.Lock()
        super().__init__(address, _Handler)

    def process_request(self, request: Any, client_address: Any) -> None:
        with self._conn_lock:
            self.connections.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request: Any) -> None:
        with self._conn_lock:
            self.connections.discard(request)
        super().shutdown_request(request)

    def drop_connections(self) -> None:
        """Close every open (keep-alive) connection, as a process that went away does."""
        with self._conn_lock:
            connections = list(self.connections)
        for conn in connections:
            with contextlib.suppress(OSError):
                conn.shutdown(socket.SHUT_RDWR)

    def handle_error(self, request: Any, client_address: Any) -> None:
        import sys

        error = sys.exc_info()[1]
        if isinstance(error, OSError):  # the client gave up (timeout, reset): expected
            return
        self.proxy.errors.append(error)
        super().handle_error(request, client_address)


class FaultProxy:
    """A proxy on 127.0.0.1:<free port> forwarding to `upstream`; see the module doc.

    Args:
        upstream: the real Prometheus, e.g. ``http://127.0.0.1:9090``.
        port: the port to listen on (0: a free one, kept across refuse()/listen()).
    """

    def __init__(self, upstream: str, *, port: int = 0) -> None:
        self.upstream = upstream.rstrip("/")
        self.host = "127.0.0.1"
        self.port = port
        self.rules: list[Rule] = []
        self.seen: deque[Seen] = deque(maxlen=20_000)
        # Each request's query as it arrives: `seen` has it once it is answered, which
        # for a huge answer the client stopped reading can be a while later.
        self.received: deque[str] = deque(maxlen=20_000)
        self.errors: list[BaseException | None] = []  # unexpected errors in the proxy itself
        self._lock = threading.Condition()
        self._generation = 0  # bumped on every rule change; wakes held requests
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self._client = httpx.Client(base_url=self.upstream, timeout=30.0)

    # -- lifecycle --

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def listening(self) -> bool:
        return self._server is not None

    def start(self) -> Self:
        self.listen()
        return self

    def stop(self) -> None:
        with self._lock:
            self.rules.clear()
            self._generation += 1
            self._lock.notify_all()
        self.refuse()
        self._client.close()

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def listen(self) -> None:
        """Listen (again) on the same port."""
        if self._server is not None:
            return
        server = _Server((self.host, self.port), self)
        self.port = server.server_address[1]
        self._server = server
        self._thread = threading.Thread(
            target=server.serve_forever, args=(0.05,), name=f"faultproxy:{self.port}", daemon=True
        )
        self._thread.start()

    def refuse(self) -> None:
        """Stop listening and drop open connections: new connections are refused."""
        server, thread = self._server, self._thread
        self._server = self._thread = None
        if server is None:
            return
        server.shutdown()
        server.drop_connections()
        server.server_close()
        if thread is not None:
            thread.join(timeout=5)

    # -- rules --

    def route(self, fault: Fault, *, path: str | None = None, query: str | None = None) -> Rule:
        """Add a rule (newest wins). `REFUSE` applies to the whole proxy: it stops listening."""
        if fault.kind == "refuse":
            if path is not None or query is not None:
                raise ValueError("REFUSE is proxy-wide: it takes no path or query")
            self.refuse()
        rule = Rule(fault, path, query)
        with self._lock:
            self.rules.insert(0, rule)
            self._generation += 1
            self._lock.notify_all()
        return rule

    def set(self, fault: Fault, *, path: str | None = None, query: str | None = None) -> Rule:
        """Replace every rule by this one."""
        self.passthrough()
        return self.route(fault, path=path, query=query)

    def remove(self, rule: Rule) -> None:
        with self._lock:
            if rule in self.rules:
                self.rules.remove(rule)
            self._generation += 1
            self._lock.notify_all()
        if rule.fault.kind == "refuse" and not any(r.fault.kind == "refuse" for r in self.rules):
            self.listen()

    def passthrough(self) -> None:
        """Drop every rule (held requests go on at once) and listen again if refused."""
        with self._lock:
            self.rules.clear()
            self._generation += 1
            self._lock.notify_all()
        self.listen()

    def decide(self, path: str, expr: str) -> Decision:
        """The newest matching rule's fault; in a merged query (see merged_parts), rules
        match its parts: a matching rewrite applies to that part's series only, any
        other fault to the whole request (as a real server fails or delays a query
        when one of its parts does)."""
        parts = merged_parts(expr) if path.startswith(QUERY_PATHS) and " or " in expr else None
        with self._lock:
            if parts is None:
                for rule in self.rules:
                    if rule.fault.kind != "refuse" and rule.matches(path, expr):
                        rule.hits += 1
                        return Decision(rule.fault)
                return Decision()
            label, leaves = parts
            whole, rewrites = PASS, {}
            for rule in self.rules:
                if rule.fault.kind == "refuse" or (rule.path and not path.startswith(rule.path)):
                    continue
                tags = [tag for tag, leaf in leaves if rule.query is None or rule.query in leaf]
                if not tags:
                    continue
                rule.hits += 1
                if rule.fault.kind in REWRITES:
                    for tag in tags:
                        rewrites.setdefault(tag, rule.fault)
                elif whole is PASS:
                    whole = rule.fault
            return Decision(whole, label, rewrites)

    def asked(self, query: str) -> int:
        """How many requests that mention `query` have arrived (answered or not)."""
        return sum(1 for expr in list(self.received) if query in expr)

    def hits(self, fault: Fault | str | None = None, *, query: str | None = None) -> int:
        """How many requests were served with `fault` (any fault when None)."""
        name = str(fault) if fault is not None else None
        return sum(
            1
            for seen in list(self.seen)
            if (name is None or seen.fault == name) and (query is None or query in seen.expr)
        )

    # -- used by the handler --

    def hold(self, fault: Fault) -> None:
        """Wait `fault.delay` seconds, or until the rules change and `fault` is gone."""
        deadline = time.monotonic() + fault.delay
        with self._lock:
            while (left := deadline - time.monotonic()) > 0:
                generation = self._generation
                self._lock.wait(left)
                if self._generation != generation and not any(r.fault is fault for r in self.rules):
                    return

    def forward(
        self, method: str, target: str, body: bytes, headers: Mapping[str, str]
    ) -> tuple[int, bytes, str]:
        try:
            response = self._client.request(method, target, content=body, headers=headers)
        except (httpx.HTTPError, RuntimeError):  # RuntimeError: stop() closed the client
            return 502, NGINX_502, "text/html"
        return (
            response.status_code,
            response.content,
            response.headers.get("content-type", "application/octet-stream"),
        )


@contextlib.contextmanager
def fault_proxy(upstream: str) -> Iterator[FaultProxy]:
    """A started FaultProxy, always stopped afterwards."""
    proxy = FaultProxy(upstream).start()
    try:
        yield proxy
    finally:
        proxy.stop()


__all__ = [
    "BAD_DATA",
    "BAD_GATEWAY",
    "BELL",
    "CLEAR_SCREEN_RED",
    "CONTROL_CHARS",
    "EVIL_ALERT_NAME",
    "EVIL_VALUES",
    "LOGIN_PAGE",
    "MALFORMED_JSON",
    "MARKUP_BOLD",
    "MARKUP_LINK",
    "NAN",
    "NEG_INF",
    "OSC52_CLIPBOARD",
    "PASS",
    "POS_INF",
    "REFUSE",
    "RESET",
    "TOO_MANY_SAMPLES",
    "UNAUTHORIZED",
    "UNAVAILABLE",
    "Decision",
    "Fault",
    "FaultProxy",
    "Rule",
    "Seen",
    "escapes",
    "fault_proxy",
    "huge",
    "merged_parts",
    "slow",
]
