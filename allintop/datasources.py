"""Several named datasources: one Prometheus API client each, and a default.

A dashboard's panels each query one datasource (a Prometheus, VictoriaMetrics,
Thanos or Mimir, each with its own URL, credentials, headers and TLS); panels that
name none query the default. Every client has its own connection pool, so a slow or
dead datasource holds up only its own panels. No UI imports.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator, Mapping

from allintop.config import DEFAULT_DATASOURCE
from allintop.prometheus import PrometheusClient


class Datasources(Mapping[str, PrometheusClient]):
    """The clients by datasource name, in the order the config lists them.

    Args:
        clients: each datasource's client, by name (at least one).
        default: the name of the one that panels naming none query.
    """

    def __init__(self, clients: Mapping[str, PrometheusClient], default: str) -> None:
        if default not in clients:
            raise ValueError(f"no client for the default datasource {default!r}")
        self._clients = dict(clients)
        self.default = default

    @classmethod
    def single(cls, client: PrometheusClient, name: str) -> Datasources:
        """One datasource: how a dashboard with one Prometheus is run."""
        return cls({name: client}, name)

    def __getitem__(self, name: str) -> PrometheusClient:
        return self._clients[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._clients)

    def __len__(self) -> int:
        return len(self._clients)

    @property
    def client(self) -> PrometheusClient:
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
