"""Several named datasources: one Prometheus API client each, and a default.

A dashboard's panels each query one datasource (a Prometheus, VictoriaMetrics,
Thanos or Mimir, each with its own URL, credentials, headers and TLS); panels that
name none query the default. Every client has its own connection pool, so a slow or
dead datasource holds up only its own panels. A context of the user config is one
such set, with its dashboard (`Setup`); the dashboard switches between them through
`ContextSwitch`. No UI imports.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

from allintop.dashboard.datasource import DEFAULT_DATASOURCE
from allintop.dashboard.model import Dashboard
from allintop.sources.protocols import Alertmanager, QueryClient


class Datasources(Mapping[str, QueryClient]):
    """The clients by datasource name, in the order the config lists them.

    Args:
        clients: each datasource's client, by name (at least one).
        default: the name of the one that panels naming none query.
    """

    def __init__(self, clients: Mapping[str, QueryClient], default: str) -> None:
        if default not in clients:
            raise ValueError(f"no client for the default datasource {default!r}")
        self._clients = dict(clients)
        self.default = default

    @classmethod
    def single(cls, client: QueryClient, name: str) -> Datasources:
        """One datasource: how a dashboard with one Prometheus is run."""
        return cls({name: client}, name)

    def __getitem__(self, name: str) -> QueryClient:
        return self._clients[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._clients)

    def __len__(self) -> int:
        return len(self._clients)

    @property
    def client(self) -> QueryClient:
        """The default datasource's client."""
        return self._clients[self.default]

    def describe(self, names: list[str] | tuple[str, ...]) -> str:
        """How the header names the datasources in use: the host of a lone one (its
        name too if it has one), else the names."""
        used = list(dict.fromkeys(names)) or [self.default]
        if len(used) == 1:
            host = self._clients[used[0]].host
            return host if used[0] == DEFAULT_DATASOURCE else f"{used[0]} {host}"
        return " + ".join(used)

    async def aclose(self) -> None:
        await asyncio.gather(*(client.aclose() for client in self._clients.values()))


@dataclass(frozen=True)
class Setup:
    """What the dashboard runs on: a dashboard, its datasources' clients, Alertmanager,
    and what the user should be told about how they were read (warnings)."""

    dashboard: Dashboard
    datasources: Datasources
    alertmanager: Mapping[str, Alertmanager] | Alertmanager | None = None
    """Each datasource's Alertmanager by datasource name (allintop.live.alertmanagers),
    or one: the default datasource's."""
    notices: tuple[str, ...] = ()


@dataclass(frozen=True)
class ContextSwitch:
    """The user config's contexts, for switching among them live.

    Args:
        names: the contexts, in the user config's order.
        open: the Setup of a context by name, given the dashboard file shown now (kept
            when neither the context nor -c names one); raises AllintopError when
            it cannot be set up (a missing token, a dashboard naming a datasource
            the context lacks).
    """

    names: tuple[str, ...]
    open: Callable[[str, Path | None], Setup]
