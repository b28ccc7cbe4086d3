"""A gateway in front of a real Prometheus as Thanos and Mimir put one: the API under a
path prefix, and a tenant header required on every request.

    with TenantProxy(stack.prometheus_url, prefix="/prometheus") as proxy:
        client = PrometheusClient(proxy.url, headers={"X-Scope-OrgID": "team-a"})
        proxy.warnings = ("partial response: store eu-2 unreachable",)

A request outside the prefix is a 404; one without the header gets Mimir's answer,
HTTP 401 with the text "no org id". Query answers can carry `warnings` (as Thanos
sends with partial responses); every request is kept in `seen` (path and the
form / query parameters).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit

import httpx

from tests.loopback import LoopbackServer, QuietHandler

TENANT = "X-Scope-OrgID"


@dataclass(frozen=True)
class Request:
    method: str
    path: str  # without the prefix
    params: dict[str, list[str]]
    tenant: str | None


class _Handler(QuietHandler):
    def _handle(self, method: str) -> None:
        proxy = self.server.owner
        parts = urlsplit(self.path)
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        params = parse_qs(parts.query) | parse_qs(body.decode("utf-8", "replace"))
        if not parts.path.startswith(proxy.prefix + "/"):
            return self._reply(404, b"404 page not found\n", "text/plain")
        path = parts.path[len(proxy.prefix) :]
        tenant = self.headers.get(TENANT)
        proxy.seen.append(Request(method, path, params, tenant))
        if not tenant:
            return self._reply(401, b"no org id\n", "text/plain; charset=utf-8")
        target = path + (f"?{parts.query}" if parts.query else "")
        headers = {"Content-Type": self.headers.get("Content-Type", "")} if body else {}
        try:
            answer = proxy.client.request(method, target, content=body, headers=headers)
        except httpx.HTTPError:
            return self._reply(502, b"upstream unreachable\n", "text/plain")
        content = answer.content
        if proxy.warnings and path.startswith("/api/v1/query") and answer.status_code == 200:
            document = json.loads(content)
            document["warnings"] = list(proxy.warnings)
            content = json.dumps(document).encode()
        kind = answer.headers.get("content-type", "application/json")
        return self._reply(answer.status_code, content, kind)


class TenantProxy(LoopbackServer):
    """The gateway on 127.0.0.1:<free port>; `url` includes the prefix."""

    handler = _Handler

    def __init__(self, upstream: str, *, prefix: str = "/prometheus") -> None:
        super().__init__()
        self.prefix = prefix.rstrip("/")
        self.client = httpx.Client(base_url=upstream.rstrip("/"), timeout=30.0)
        self.seen: list[Request] = []
        self.warnings: tuple[str, ...] = ()

    @property
    def url(self) -> str:
        return self.base_url + self.prefix

    def stop(self) -> None:
        super().stop()
        self.client.close()

    def paths(self) -> set[str]:
        return {request.path for request in self.seen}
