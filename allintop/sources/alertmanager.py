"""Alertmanager's v2 API: which alerts are silenced or inhibited, and silences made,
extended and expired.

Prometheus knows whether an alert fires; only Alertmanager knows whether someone
has silenced it. The dashboard shows both, so a silenced fire is not mistaken for
a new one. Imported only when an Alertmanager is configured.

A write Alertmanager refuses is a `SilenceRefused` that carries its own words: a
400's message (a bad regular expression, a matcher that matches everything) and a
403 (an Alertmanager behind a read-only proxy) are said as they are, not as
"HTTP error".
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any, TypeVar
from urllib.parse import quote

import httpx

from allintop.errors import BadResponse, HTTPStatusError
from allintop.sources.answers import ManagedAlert, Silence, SilenceMatcher
from allintop.sources.decoding import labels
from allintop.sources.http_api import HTTPAPIClient
from allintop.values.text import clean

T = TypeVar("T")


def _managed(raw: Mapping[str, Any]) -> ManagedAlert:
    status = raw.get("status") or {}
    return ManagedAlert(
        labels=labels(raw.get("labels")),
        state=str(status.get("state", "")),
        silenced_by=tuple(str(s) for s in status.get("silencedBy") or ()),
        inhibited_by=tuple(str(s) for s in status.get("inhibitedBy") or ()),
    )


def _matcher(raw: Mapping[str, Any]) -> SilenceMatcher:
    return SilenceMatcher(
        name=str(raw["name"]),
        value=str(raw.get("value", "")),
        is_regex=bool(raw.get("isRegex", False)),
        is_equal=bool(raw.get("isEqual", True)),  # absent before Alertmanager 0.22
    )


def _time(raw: object) -> float | None:
    return datetime.fromisoformat(str(raw)).timestamp() if raw else None


def _silence(raw: Mapping[str, Any]) -> Silence:
    return Silence(
        id=str(raw.get("id", "")),
        matchers=tuple(_matcher(m) for m in raw.get("matchers") or ()),
        created_by=str(raw.get("createdBy", "")),
        comment=str(raw.get("comment", "")),
        ends_at=_time(raw.get("endsAt")),
        state=str((raw.get("status") or {}).get("state", "")),
        starts_at=_time(raw.get("startsAt")),
    )


def rfc3339(seconds: float) -> str:
    """A Unix time as Alertmanager reads it (UTC, milliseconds)."""
    moment = datetime.fromtimestamp(seconds, UTC)
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def silence_body(silence: Silence) -> dict[str, Any]:
    """The v2 API's JSON for `silence`; with its id, an update of that silence."""
    body: dict[str, Any] = {
        "matchers": [
            {"name": m.name, "value": m.value, "isRegex": m.is_regex, "isEqual": m.is_equal}
            for m in silence.matchers
        ],
        "startsAt": rfc3339(silence.starts_at or 0),
        "endsAt": rfc3339(silence.ends_at or 0),
        "createdBy": silence.created_by,
        "comment": silence.comment,
    }
    if silence.id:
        body["id"] = silence.id
    return body


class SilenceRefused(HTTPStatusError):
    """Alertmanager answered a write with a 4xx or 5xx; the message is its own."""

    title = "Alertmanager refused"


class AlertmanagerClient(HTTPAPIClient):
    service = "Alertmanager"
    url_hint = "is Alertmanager running there? set it with --alertmanager or in panels.yaml"

    async def alerts(self) -> tuple[ManagedAlert, ...]:
        """Every alert Alertmanager holds, with whether it is silenced or inhibited."""
        items = await self._json("/api/v2/alerts")
        return self._decode_v2(lambda: tuple(_managed(item) for item in items))

    async def silences(self) -> tuple[Silence, ...]:
        """The active silences (expired and future ones are left out)."""
        return tuple(s for s in await self.all_silences() if s.state == "active")

    async def all_silences(self) -> tuple[Silence, ...]:
        """Every silence Alertmanager still holds: active, pending and expired."""
        items = await self._json("/api/v2/silences")
        return self._decode_v2(lambda: tuple(_silence(item) for item in items))

    async def create_silence(self, silence: Silence) -> str:
        """Create `silence` (or, with an id, update it: a new end extends it); its id."""
        response = await self._send("POST", "/api/v2/silences", json=silence_body(silence))
        self._refused(response, "silence")
        answer = self._decode_v2(lambda: json.loads(response.content)["silenceID"])
        return str(answer)

    async def expire_silence(self, silence_id: str) -> None:
        """End the silence `silence_id` now."""
        response = await self._send("DELETE", f"/api/v2/silence/{quote(silence_id, safe='')}")
        self._refused(response, f"silence {clean(silence_id, 60)}")

    def _refused(self, response: httpx.Response, what: str) -> None:
        """Raise SilenceRefused, in Alertmanager's words, for an answer that is no success."""
        status = response.status_code
        if status < 400:
            return
        said = _said(response)
        if status in (401, 403):
            hint = (
                "this Alertmanager is read-only for these credentials (or behind a "
                "proxy that allows only reading): ask for write access"
            )
            words = "forbidden" if status == 403 else "credentials refused"
            raise SilenceRefused(
                status, f"{self.host} refused the {what}: {words}" + _tail(said), hint=hint
            )
        if status == 404 or "not found" in said:
            raise SilenceRefused(status, f"{self.host} has no {what}" + _tail(said))
        raise SilenceRefused(
            status, f"{self.host} refused the {what} (HTTP {status})" + _tail(said)
        )

    async def _json(self, path: str) -> Any:
        response = await self._send("GET", path)
        if response.status_code == 401 and self.sends_credentials:
            raise HTTPStatusError(
                401, f"HTTP 401 from {self.host}: credentials were sent and refused"
            )
        if response.status_code >= 400:
            raise HTTPStatusError(
                response.status_code,
                f"HTTP {response.status_code} {response.reason_phrase} from {self.host}",
            )
        try:
            return json.loads(response.content)
        except ValueError as exc:
            raise BadResponse(f"{self.host} did not answer with Alertmanager v2 JSON") from exc

    def _decode_v2(self, decode: Callable[[], T]) -> T:
        try:
            return decode()
        except (ValueError, TypeError, AttributeError, KeyError) as exc:
            raise BadResponse(
                f"{self.host} did not answer with Alertmanager v2 JSON: {clean(repr(exc), 80)}"
            ) from exc


def _said(response: httpx.Response) -> str:
    """What Alertmanager said: a JSON string (its 400s), an error object, or text."""
    try:
        said = json.loads(response.content)
    except ValueError:
        said = response.text
    if isinstance(said, Mapping):
        said = said.get("message") or said.get("error") or ""
    return clean(str(said).strip(), 300)


def _tail(said: str) -> str:
    return f": {said}" if said else ""
