"""A stand-in for a Grafana server (none can be installed on the test machines): exactly
the documented endpoints `allintop --grafana` uses, in front of real Prometheus servers.

    with GrafanaStub(token="glsa_secret") as grafana:
        grafana.add_datasource("prom-uid", "Prometheus", "prometheus", stack.prometheus_url)
        grafana.add_dashboard(json.loads(path.read_text()), uid="stats", folder="Ops")

Endpoints, as Grafana's HTTP API documents them:

- GET /api/search: the dashboards (uid, title, type "dash-db", folderTitle, url);
- GET /api/dashboards/uid/<uid>: {"dashboard": ..., "meta": ...}, or 404;
- GET /api/datasources: each datasource's id, uid, name, type, url, isDefault;
- GET /apis/dashboard.grafana.app/<version>/namespaces/default/dashboards/<uid>: a
  schema v2 dashboard (Grafana 12 and later) as the resource it is saved as, in its
  own version only (another version, or a classic dashboard: Kubernetes' 404 Status);
  the classic API refuses such a dashboard (HTTP 406 pointing at that path), or, where
  added so, answers with it as its "dashboard";
- GET/POST /api/datasources/proxy/uid/<uid>/<path>: forwarded to that datasource's
  server (the real Prometheus), its answer passed back as it is.

Every request needs `Authorization: Bearer <token>`; without it (or with another
token) the answer is Grafana's 401 JSON. Anything else is a 404. Every request is kept
in `seen` (method, path, whether the token was right).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote, urlsplit

import httpx

from tests.loopback import LoopbackServer, QuietHandler

PROXY = "/api/datasources/proxy/uid/"
RESOURCES = "/apis/dashboard.grafana.app/"
NOT_FOUND = {
    "kind": "Status",
    "apiVersion": "v1",
    "status": "Failure",
    "reason": "NotFound",
    "code": 404,
}
UNAUTHORIZED = {
    "extra": None,
    "message": "Unauthorized",
    "messageId": "auth.unauthorized",
    "statusCode": 401,
    "traceID": "",
}


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    authorized: bool


class _Handler(QuietHandler):
    def _handle(self, method: str) -> None:
        stub = self.server.owner
        parts = urlsplit(self.path)
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        authorized = self.headers.get("Authorization") == f"Bearer {stub.token}"
        stub.seen.append(Request(method, parts.path, authorized))
        if not authorized:
            return self._json(401, UNAUTHORIZED)
        if parts.path.startswith(PROXY):
            uid, _, rest = parts.path[len(PROXY) :].partition("/")
            return self._proxy(method, unquote(uid), rest, parts.query, body)
        if method != "GET":
            return self._json(404, {"message": "Not found"})
        if parts.path == "/api/search":
            return self._json(200, stub.search())
        if parts.path == "/api/datasources":
            return self._json(200, stub.datasources)
        if parts.path.startswith("/api/dashboards/uid/"):
            uid = unquote(parts.path[len("/api/dashboards/uid/") :])
            if uid in stub.refused:
                return self._json(406, stub.refused[uid])
            if uid not in stub.dashboards:
                return self._json(404, {"message": "Dashboard not found"})
            return self._json(200, stub.dashboards[uid])
        if parts.path.startswith(RESOURCES):
            return self._resource(unquote(parts.path[len(RESOURCES) :]))
        return self._json(404, {"message": "Not found"})

    def _resource(self, rest: str) -> None:
        """<version>/namespaces/<namespace>/dashboards/<uid> of the resource API."""
        version, _, rest = rest.partition("/namespaces/default/dashboards/")
        resource = self.server.owner.resources.get(rest)
        if resource is None or resource["apiVersion"] != f"dashboard.grafana.app/{version}":
            return self._json(404, NOT_FOUND)
        return self._json(200, resource)

    def _proxy(self, method: str, uid: str, rest: str, query: str, body: bytes) -> None:
        upstream = self.server.owner.upstreams.get(uid)
        if upstream is None:
            return self._json(404, {"message": "Unable to find datasource"})
        headers = {"Content-Type": self.headers.get("Content-Type", "")} if body else {}
        target = f"{upstream}/{rest}" + (f"?{query}" if query else "")
        try:
            answer = httpx.request(method, target, content=body, headers=headers, timeout=30.0)
        except httpx.HTTPError:
            return self._json(502, {"message": "Bad Gateway"})
        kind = answer.headers.get("content-type", "application/json")
        self._reply(answer.status_code, answer.content, kind)

    def _json(self, status: int, document: Any) -> None:
        self._reply(status, json.dumps(document).encode(), "application/json")


class GrafanaStub(LoopbackServer):
    """The stand-in on 127.0.0.1:<free port>."""

    handler = _Handler

    def __init__(self, token: str) -> None:
        super().__init__()
        self.token = token
        self.dashboards: dict[str, dict[str, Any]] = {}
        self.folders: dict[str, str] = {}
        self.datasources: list[dict[str, Any]] = []
        self.upstreams: dict[str, str] = {}
        self.seen: list[Request] = []
        self.resources: dict[str, dict[str, Any]] = {}  # schema v2 dashboards, by uid
        self.refused: dict[str, dict[str, Any]] = {}  # the classic API's 406, by uid

    @property
    def url(self) -> str:
        return self.base_url

    def add_datasource(
        self, uid: str, name: str, kind: str, upstream: str, *, default: bool = False
    ) -> None:
        self.datasources.append(
            {
                "id": len(self.datasources) + 1,
                "uid": uid,
                "orgId": 1,
                "name": name,
                "type": kind,
                "access": "proxy",
                "url": upstream,
                "isDefault": default,
            }
        )
        self.upstreams[uid] = upstream.rstrip("/")

    def add_dashboard(self, dashboard: dict[str, Any], *, uid: str, folder: str = "") -> None:
        board = {**dashboard, "uid": uid}
        meta = {"slug": uid, "folderTitle": folder or "General", "canEdit": False}
        self.dashboards[uid] = {"dashboard": board, "meta": meta}
        self.folders[uid] = folder

    def add_v2_dashboard(
        self, resource: dict[str, Any], *, uid: str, folder: str = "", classic: bool = False
    ) -> None:
        """A schema v2 dashboard, served by the resource API; the classic API refuses
        it, or (`classic`) answers with it as its "dashboard"."""
        resource = {**resource, "metadata": {**resource.get("metadata", {}), "name": uid}}
        self.resources[uid] = resource
        meta = {"slug": uid, "folderTitle": folder or "General", "canEdit": False}
        self.dashboards[uid] = {"dashboard": resource, "meta": meta}
        self.folders[uid] = folder
        if not classic:
            version = resource["apiVersion"].rpartition("/")[2]
            path = f"{RESOURCES}{version}/namespaces/default/dashboards/{uid}"
            self.refused[uid] = {
                "message": f"dashboard api version not supported, use {path} instead",
                "statusCode": 406,
            }

    def search(self) -> list[dict[str, Any]]:
        return [
            {
                "uid": uid,
                "title": _title(document["dashboard"]),
                "type": "dash-db",
                "url": f"/d/{uid}",
                "folderTitle": self.folders[uid] or None,
                "tags": [],
            }
            for uid, document in self.dashboards.items()
        ]


def _title(dashboard: dict[str, Any]) -> str:
    """A classic dashboard's title, or a v2 resource's (in its spec)."""
    return dashboard.get("title") or dashboard.get("spec", {}).get("title", "")
