"""Each datasource's Alertmanager: the one its alerts are sent to, where a silence of
them is created and whose silences say whether they are silenced.

A datasource names its Alertmanager in the config (`alertmanager:`); --alertmanager
names the default datasource's. A datasource that names none has none: its alerts
are not silenced from here (silencing them on another datasource's Alertmanager would
silence nothing). No UI imports.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator, Mapping
from dataclasses import replace
from types import MappingProxyType

from allintop.errors import PrometheusError
from allintop.live.alerting import Suppression
from allintop.sources.answers import AlertRule, Silence, StatusReport
from allintop.sources.protocols import Alertmanager


class Alertmanagers(Mapping[str, Alertmanager]):
    """The Alertmanager clients by datasource name (only the datasources naming one).

    Args:
        clients: each datasource's Alertmanager client, by datasource name.
        default: the default datasource's name: what a rule or alert that records no
            datasource (one client, unnamed) came from.
    """

    def __init__(self, clients: Mapping[str, Alertmanager], default: str) -> None:
        self._clients = dict(clients)
        self.default = default

    @classmethod
    def of(
        cls,
        given: Mapping[str, Alertmanager] | Alertmanager | None,
        default: str,
    ) -> Alertmanagers:
        """From what the app or the watcher is given: a mapping by datasource, or one
        client (the default datasource's), or none."""
        if isinstance(given, Alertmanagers):
            return given
        if given is None:
            return cls({}, default)
        if isinstance(given, Mapping):
            return cls(given, default)
        return cls({default: given}, default)

    def __getitem__(self, name: str) -> Alertmanager:
        return self._clients[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._clients)

    def __len__(self) -> int:
        return len(self._clients)

    def of_datasource(self, name: str) -> Alertmanager | None:
        """The Alertmanager of the datasource `name` ("" the default's); None when
        that datasource names none."""
        return self._clients.get(name or self.default)

    async def aclose(self) -> None:
        # Two datasources may share one client: each is closed once.
        unique = {id(client): client for client in self._clients.values()}
        await asyncio.gather(*(client.aclose() for client in unique.values()))


def take_suppressions(
    known: Mapping[str, Suppression], said: Mapping[str, StatusReport]
) -> Mapping[str, Suppression]:
    """Each datasource's Alertmanager's answer (`said`, by datasource name) over what
    it said before (`known`); what was not asked this time stays."""
    found = dict(known)
    for name, report in said.items():
        found[name] = told(found.get(name, Suppression()), report)
    return MappingProxyType(found)


def told(suppression: Suppression, report: StatusReport) -> Suppression:
    """`suppression` with what an Alertmanager's `report` says (silenced alerts,
    silences, external labels); what it did not say stays, and an answer that changes
    nothing gives back `suppression` itself."""
    if report.managed is not None:
        suppression = replace(suppression, managed=report.managed)
    if report.silences is not None:
        suppression = replace(suppression, silences=report.silences)
    if report.external is not None:
        suppression = replace(suppression, external=report.external)
    return suppression


def first_failure(report: StatusReport) -> PrometheusError | None:
    """Why the first datasource's Alertmanager that could not be asked was not."""
    for said in (report.alertmanagers or {}).values():
        failed = said.managed_error or said.silences_error
        if failed is not None:
            return failed
    return None


def rule_silenced(suppression: Suppression, rule: AlertRule) -> bool:
    """Every firing or pending instance of the rule silenced or inhibited, as its
    datasource's Alertmanager (`suppression`) says."""
    live = [a for a in rule.alerts if a.state in ("firing", "pending")]
    return bool(live) and all(suppression(a.labels) for a in live)


def rule_silences(suppression: Suppression, rule: AlertRule) -> tuple[Silence, ...]:
    """The active silences of the rule's datasource's Alertmanager that match some
    instance of the rule: who silenced it, until when and why."""
    found = (s for a in rule.alerts for s in suppression.covering(a.labels))
    return tuple(dict.fromkeys(found))
