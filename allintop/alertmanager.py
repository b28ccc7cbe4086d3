"""Alertmanager's v2 API: which alerts are silenced or inhibited.

Prometheus knows whether an alert fires; only Alertmanager knows whether someone
has silenced it. The dashboard shows both, so a silenced fire is not mistaken for
a new one. Imported only when an Alertmanager is configured.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from allintop.model import ManagedAlert
from allintop.prometheus import BadResponse, HTTPAPIClient, HTTPStatusError, _labels
from allintop.text import clean


def _managed(raw: Mapping[str, Any]) -> ManagedAlert:
    status = raw.get("status") or {}
    return ManagedAlert(
        labels=_labels(raw.get("labels")),
        state=str(status.get("state", "")),
        silenced_by=tuple(str(s) for s in status.get("silencedBy") or ()),
        inhibited_by=tuple(str(s) for s in status.get("inhibitedBy") or ()),
    )


class AlertmanagerClient(HTTPAPIClient):
    service = "Alertmanager"
    url_hint = "is Alertmanager running there? set it with --alertmanager or in panels.yaml"

    async def alerts(self) -> tuple[ManagedAlert, ...]:
        response = await self._send("GET", "/api/v2/alerts")
        if response.status_code >= 400:
            raise HTTPStatusError(
                response.status_code,
                f"HTTP {response.status_code} {response.reason_phrase} from {self.host}",
            )
        try:
            return tuple(_managed(item) for item in json.loads(response.content))
        except (ValueError, TypeError, AttributeError) as exc:
            raise BadResponse(
                f"{self.host} did not answer with Alertmanager v2 JSON: {clean(repr(exc), 80)}"
            ) from exc
