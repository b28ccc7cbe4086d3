"""Alertmanager's v2 API: which alerts are silenced or inhibited.

Prometheus knows whether an alert fires; only Alertmanager knows whether someone
has silenced it. The dashboard shows both, so a silenced fire is not mistaken for
a new one. Imported only when an Alertmanager is configured.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any, TypeVar

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


def _silence(raw: Mapping[str, Any]) -> Silence | None:
    """An active silence, None for an expired or pending one."""
    if (raw.get("status") or {}).get("state") != "active":
        return None
    ends = raw.get("endsAt")
    return Silence(
        id=str(raw.get("id", "")),
        matchers=tuple(_matcher(m) for m in raw.get("matchers") or ()),
        created_by=str(raw.get("createdBy", "")),
        comment=str(raw.get("comment", "")),
        ends_at=datetime.fromisoformat(str(ends)).timestamp() if ends else None,
    )


class AlertmanagerClient(HTTPAPIClient):
    service = "Alertmanager"
    url_hint = "is Alertmanager running there? set it with --alertmanager or in panels.yaml"

    async def alerts(self) -> tuple[ManagedAlert, ...]:
        """Every alert Alertmanager holds, with whether it is silenced or inhibited."""
        items = await self._json("/api/v2/alerts")
        return self._decode_v2(lambda: tuple(_managed(item) for item in items))

    async def silences(self) -> tuple[Silence, ...]:
        """The active silences (expired and future ones are left out)."""
        items = await self._json("/api/v2/silences")
        found = self._decode_v2(lambda: tuple(_silence(item) for item in items))
        return tuple(silence for silence in found if silence is not None)

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
