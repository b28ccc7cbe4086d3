"""Rules, scrape targets and Alertmanager state: fetched as often as they are needed.

Alert *states* come with every tick (one /api/v1/alerts request, in the poller).
The rest changes rarely or matters only on one screen, so it is fetched on its own
schedule: rules once a minute (or every tick while the alerts screen is open),
targets every few seconds (every tick on the targets screen), Alertmanager's
silences with each call when one is configured. No Textual imports.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import TYPE_CHECKING

from allintop.model import ManagedAlert, RuleGroup, Silence, Target
from allintop.prometheus import PrometheusClient, PrometheusError

if TYPE_CHECKING:
    from allintop.alertmanager import AlertmanagerClient

RULES_EVERY = 60.0
TARGETS_EVERY = 5.0


@dataclass(frozen=True, slots=True)
class StatusReport:
    """What one fetch brought; None means "not fetched this time", not "empty"."""

    rules: tuple[RuleGroup, ...] | None = None
    rules_error: PrometheusError | None = None
    targets: tuple[Target, ...] | None = None
    targets_error: PrometheusError | None = None
    managed: tuple[ManagedAlert, ...] | None = None
    managed_error: PrometheusError | None = None
    silences: tuple[Silence, ...] | None = None
    silences_error: PrometheusError | None = None
    external: dict[str, str] | None = None
    external_error: PrometheusError | None = None


class StatusWatcher:
    def __init__(
        self,
        client: PrometheusClient,
        alertmanager: AlertmanagerClient | None = None,
        *,
        rules_every: float = RULES_EVERY,
        targets_every: float = TARGETS_EVERY,
    ) -> None:
        self.client = client
        self.alertmanager = alertmanager
        self.rules_every = rules_every
        self.targets_every = targets_every
        self._rules_at: float | None = None
        self._targets_at: float | None = None

    def _due(self, last: float | None, every: float, now: float, wanted: bool) -> bool:
        return wanted or last is None or now - last >= every

    async def fetch(
        self, now: float, *, want_rules: bool = False, want_targets: bool = False
    ) -> StatusReport:
        """What is due at `now`, a monotonic time: only its differences are used, so a
        stepped wall clock must not be passed (it would hold fetches back for hours)."""
        jobs: dict[str, asyncio.Future[object]] = {}
        if self._due(self._rules_at, self.rules_every, now, want_rules):
            self._rules_at = now
            jobs["rules"] = asyncio.ensure_future(self.client.rules())
            if self.alertmanager is not None:
                # Silences are matched on the labels Alertmanager sees: these too.
                jobs["external"] = asyncio.ensure_future(self.client.external_labels())
        if self._due(self._targets_at, self.targets_every, now, want_targets):
            self._targets_at = now
            jobs["targets"] = asyncio.ensure_future(self.client.targets())
        if self.alertmanager is not None:
            jobs["managed"] = asyncio.ensure_future(self.alertmanager.alerts())
            jobs["silences"] = asyncio.ensure_future(self.alertmanager.silences())
        if not jobs:
            return StatusReport()
        await asyncio.wait(jobs.values())
        found: dict[str, object] = {}
        for name, job in jobs.items():
            error = job.exception()
            if isinstance(error, PrometheusError):
                found[f"{name}_error"] = error
            elif error is not None:
                raise error
            else:
                found[name] = job.result()
        return StatusReport(**found)  # type: ignore[arg-type]

    async def aclose(self) -> None:
        if self.alertmanager is not None:
            await self.alertmanager.aclose()
