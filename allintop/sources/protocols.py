"""What the running dashboard asks of a server: Protocols at the seam between the live
logic and the clients.

The httpx clients (allintop.sources.prometheus, allintop.sources.alertmanager) are one
kind of each; the tests' in-process fakes, or another engine's client, can be another,
without the poller or the watcher importing the network. Each user names only what it
asks: the fetcher `Queries`, the poller `PollSource`, the status watcher `StatusSource`;
`QueryClient` is all of a datasource's client, as the datasources hold it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol, runtime_checkable

from allintop.sources.answers import (
    Alert,
    BuildInfo,
    InstantResult,
    ManagedAlert,
    RangeResult,
    RuleGroup,
    Silence,
    Target,
)


class Queries(Protocol):
    """Instant and range queries: what the fetcher sends."""

    async def query(
        self, expr: str, time: float | None = None, *, stats: bool = False
    ) -> InstantResult: ...

    async def query_range(
        self,
        expr: str,
        start: float,
        end: float,
        step: float,
        *,
        stats: bool = False,
        max_bytes: int | None = None,
    ) -> RangeResult: ...


class PollSource(Queries, Protocol):
    """What the poller asks on each tick: the queries, the active alerts, and the
    scrape targets (to time its ticks after their scrapes)."""

    async def alerts(self) -> tuple[Alert, ...]: ...

    async def targets(self) -> Sequence[Target]: ...


class StatusSource(Protocol):
    """What the status watcher asks now and then: rules, targets, the labels the
    server adds to alerts it sends, and which engine it is."""

    async def rules(self) -> tuple[RuleGroup, ...]: ...

    async def targets(self) -> tuple[Target, ...]: ...

    async def external_labels(self) -> dict[str, str]: ...

    async def buildinfo(self) -> BuildInfo: ...


class QueryClient(StatusSource, PollSource, Protocol):
    """A datasource's client: everything above, the lookups that fill a variable's
    options, and its host (for the header) and timeout (for a one-shot run's budget)."""

    @property
    def host(self) -> str: ...

    @property
    def timeout(self) -> float: ...

    async def label_values(
        self, label: str, match: str | Sequence[str] | None = None
    ) -> tuple[str, ...]: ...

    async def label_names(self, match: str | Sequence[str] | None = None) -> tuple[str, ...]: ...

    async def aclose(self) -> None: ...


class Alertmanager(Protocol):
    """What the status watcher asks of Alertmanager: the alerts it holds (silenced,
    inhibited or not) and the active silences."""

    async def alerts(self) -> tuple[ManagedAlert, ...]: ...

    async def silences(self) -> tuple[Silence, ...]: ...

    async def aclose(self) -> None: ...


@runtime_checkable
class Silencer(Protocol):
    """What the silence screens ask of Alertmanager: every silence, and making,
    extending and expiring one."""

    @property
    def host(self) -> str: ...

    async def all_silences(self) -> tuple[Silence, ...]: ...

    async def create_silence(self, silence: Silence) -> str: ...

    async def expire_silence(self, silence_id: str) -> None: ...
