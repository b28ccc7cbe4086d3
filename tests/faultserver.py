"""A real HTTP server on a free loopback port that answers with fault shapes a real
Prometheus cannot be made to produce (proxy pages, broken JSON, stalls, resets)."""

from __future__ import annotations

import socket
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Reply:
    status: int = 200
    body: bytes = b""
    content_type: str = "application/json"
    delay: float = 0.0
    reset: bool = False  # close the connection without an answer
    headers: dict[str, str] = field(default_factory=dict)


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def _answer(self) -> None:
        self.server.requests.append(self.path)
        reply = self.server.reply
        if reply.delay:
            time.sleep(reply.delay)
        if reply.reset:
            self.connection.setsockopt(
                socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00"
            )
            self.close_connection = True
            return
        self.send_response(reply.status)
        self.send_header("Content-Type", reply.content_type)
        self.send_header("Content-Length", str(len(reply.body)))
        for name, value in reply.headers.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(reply.body)

    def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
        self._answer()

    def do_POST(self) -> None:  # noqa: N802
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        self._answer()

    def log_message(self, *args: object) -> None:
        pass


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    reply: Reply
    requests: list[str]

    def handle_error(self, request: Any, client_address: Any) -> None:
        # A client that hangs up mid-answer (one dropping a too-large answer, a
        # timeout) is a shape the tests cause on purpose: not worth a traceback.
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


@contextmanager
def fault_server(reply: Reply | None = None) -> Iterator[_Server]:
    """Serve `reply` (changeable via `server.reply`) on 127.0.0.1:<free port>."""
    server = _Server(("127.0.0.1", 0), _Handler)
    server.reply = reply or Reply()
    server.requests = []
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def url_of(server: _Server) -> str:
    host, port = server.server_address[:2]
    return f"http://{host}:{port}"


def closed_port() -> int:
    """A loopback port nobody listens on (bound, then released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]
