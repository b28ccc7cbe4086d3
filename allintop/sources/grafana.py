"""The few Grafana HTTP API calls `--grafana` makes, once, before the dashboard starts:
/api/search (the dashboards), /api/dashboards/uid/<uid> (one) and /api/datasources
(what the dashboard's references mean). A dashboard saved in schema v2 (Grafana 12
and later), which the classic API refuses, is read from Grafana's resource API,
/apis/dashboard.grafana.app/<version>/namespaces/<namespace>/dashboards/<uid>.
Queries then go through Grafana's datasource proxy with the ordinary Prometheus
client (see allintop.dashboard.grafana.datasources).

The token travels in the Authorization header only: no message here repeats a
request's headers, and Grafana's own answers are cleaned before they are shown.
No UI imports.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import httpx

from allintop.dashboard.grafana.datasources import GrafanaSource
from allintop.errors import AllintopError, ConfigError
from allintop.sources.connection import ConnectionSettings
from allintop.values.durations import parse_duration
from allintop.values.text import clean


class GrafanaError(AllintopError):
    """Grafana could not be asked, or refused."""

    title = "Grafana"


class GrafanaAPI:
    """A synchronous client for the calls above.

    Args:
        settings: the server's URL, timeout, TLS; `auth` the token (a string).
    """

    def __init__(self, settings: ConnectionSettings) -> None:
        token = settings.auth if isinstance(settings.auth, str) else None
        headers = {"Accept": "application/json", **settings.headers}
        if token is not None:
            headers["Authorization"] = f"Bearer {token}"
        self.url = settings.url
        self._client = httpx.Client(
            base_url=settings.url,
            headers=headers,
            timeout=settings.timeout,
            verify=settings.context if settings.context is not None else True,
        )

    def __enter__(self) -> GrafanaAPI:
        return self

    def __exit__(self, *exc: object) -> None:
        self._client.close()

    def search(self) -> list[Listed]:
        return listed(self._get("/api/search", {"type": "dash-db"}))

    def dashboard(self, uid: str) -> dict[str, Any]:
        """The classic API's answer ({"dashboard", "meta"}, the dashboard in it v1 or
        v2 JSON); where that API refuses it (a v2 dashboard on Grafana 12 and later),
        the resource the resource API answers ({"apiVersion", "kind", "spec"})."""
        path = f"/api/dashboards/uid/{quote(uid, safe='')}"
        response = self._request(path)
        if response.status_code != 200:
            found = self._resource(uid, _namespace(response.text))
            if found is None:
                self._check(path, response)  # the classic API's refusal, said
            document = found
        else:
            document = self._json(path, response)
        if not isinstance(document, dict):
            raise GrafanaError(f"Grafana's dashboard {uid} is not a JSON object")
        return document

    def _resource(self, uid: str, namespace: str) -> Any:
        """The dashboard as the resource API serves it, in the first schema version
        it has (v2, v2beta1, v2alpha1); None when it has none of them."""
        for version in RESOURCE_VERSIONS:
            path = f"/apis/{RESOURCE_GROUP}/{version}/namespaces/{namespace}/dashboards/{uid}"
            response = self._request(quote(path, safe="/"))
            if response.status_code == 200:
                return self._json(path, response)
            if response.status_code in (401, 403):
                self._check(path, response)
        return None

    def datasources(self) -> list[GrafanaSource]:
        return sources(self._get("/api/datasources"))

    def _get(self, path: str, params: dict[str, str] | None = None) -> Any:
        response = self._request(path, params)
        self._check(path, response)
        return self._json(path, response)

    def _request(self, path: str, params: dict[str, str] | None = None) -> httpx.Response:
        try:
            return self._client.get(path, params=params)
        except httpx.HTTPError as error:
            reason = clean(str(error) or type(error).__name__, 200)
            raise GrafanaError(
                f"cannot reach Grafana at {self.url}: {reason}",
                hint="check --grafana's URL; is Grafana running there?",
            ) from None

    def _check(self, path: str, response: httpx.Response) -> None:
        """Nothing for a 200; else the error that says what Grafana answered."""
        if response.status_code in (401, 403):
            raise ConfigError(
                f"Grafana at {self.url} refused the token (HTTP {response.status_code}: "
                f"{_message(response)})",
                hint="give a service account token in $GRAFANA_TOKEN or --grafana-token-file "
                "FILE, with the Viewer role at least",
            )
        if response.status_code != 200:
            raise GrafanaError(
                f"Grafana at {self.url} answered {path} with HTTP {response.status_code}: "
                f"{_message(response)}",
                hint="is --grafana's URL Grafana's own (with its sub-path, if any)?",
            )

    def _json(self, path: str, response: httpx.Response) -> Any:
        try:
            return response.json()
        except ValueError:
            raise GrafanaError(
                f"Grafana at {self.url} did not answer {path} with JSON",
                hint="is --grafana's URL Grafana's own (with its sub-path, if any)?",
            ) from None


RESOURCE_GROUP = "dashboard.grafana.app"
#: The resource API's versions that hold a v2 dashboard as it was saved, newest first.
RESOURCE_VERSIONS = ("v2", "v2beta1", "v2alpha1")
#: The namespace of a single-organisation Grafana (Grafana Cloud's is "stacks-<id>").
DEFAULT_NAMESPACE = "default"


def _namespace(message: str) -> str:
    """The namespace the classic API's refusal names (it points at the resource API's
    path), else the default one."""
    found = re.search(r"/namespaces/([a-z0-9][a-z0-9-]*)/", message)
    return found[1] if found else DEFAULT_NAMESPACE


def _message(response: httpx.Response) -> str:
    """Grafana's own words ({"message": ...}), cleaned, or a few of the body's."""
    try:
        body = response.json()
    except ValueError:
        return clean(" ".join(response.text.split()), 80) or "no message"
    message = body.get("message") if isinstance(body, dict) else None
    return clean(str(message), 120) if message else "no message"


@dataclass(frozen=True)
class Listed:
    """One dashboard as /api/search lists it."""

    uid: str
    title: str
    folder: str = ""


def listed(document: object) -> list[Listed]:
    """/api/search's answer as dashboards (folders and other hits left out)."""
    if not isinstance(document, list):
        raise ConfigError("Grafana's /api/search did not answer with a list")
    return [
        Listed(
            str(hit.get("uid", "")), str(hit.get("title", "")), str(hit.get("folderTitle") or "")
        )
        for hit in document
        if isinstance(hit, dict) and hit.get("type", "dash-db") == "dash-db"
    ]


def sources(document: object) -> list[GrafanaSource]:
    """/api/datasources' answer."""
    if not isinstance(document, list):
        raise ConfigError("Grafana's /api/datasources did not answer with a list")
    return [
        GrafanaSource(
            str(item.get("uid", "")),
            str(item.get("name", "")),
            str(item.get("type", "")),
            bool(item.get("isDefault", False)),
            _time_interval(item.get("jsonData")),
        )
        for item in document
        if isinstance(item, dict)
    ]


def _time_interval(settings: object) -> float | None:
    """A datasource's "Scrape interval" setting (jsonData.timeInterval), in seconds;
    None when it has none, or none that reads as a duration."""
    text = settings.get("timeInterval") if isinstance(settings, dict) else None
    if not isinstance(text, str) or not text.strip():
        return None
    try:
        seconds = parse_duration(text)
    except ValueError:
        return None
    return seconds or None


def choose(dashboards: Sequence[Listed], wanted: str) -> Listed:
    """The dashboard whose uid is `wanted`, else the one titled so (case-insensitive);
    ConfigError when none is, or several are (listing them)."""
    for hit in dashboards:
        if hit.uid == wanted:
            return hit
    matches = [hit for hit in dashboards if hit.title.casefold() == wanted.casefold()]
    if len(matches) == 1:
        return matches[0]
    if not matches:
        raise ConfigError(
            f"--dashboard {wanted}: the Grafana server has no dashboard with that uid or title",
            hint="list them with --list",
        )
    raise ConfigError(
        f"--dashboard {wanted}: {len(matches)} dashboards have that title",
        hint="give its uid: "
        + "; ".join(f"{hit.uid} ({hit.folder or 'General'})" for hit in matches),
    )
