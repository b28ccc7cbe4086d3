"""Polling several datasources: one Poller per datasource, one report for the UI.

Each datasource's panels are planned, shared and merged among themselves only (a
query is never merged across datasources: they are different servers), polled on
that datasource's own client, concurrently with the others, and each panel's state
goes back to the UI under its index on the whole dashboard. A datasource that fails
or is slow fails or delays only its own panels. With one datasource this is one
Poller, passed through. No Textual imports.
"""

from __future__ import annotations

import asyncio
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, replace

from allintop.dashboard.model import Query
from allintop.errors import PrometheusError, from_datasource
from allintop.live.history import QueryHistory
from allintop.live.poller import Poller, Sink
from allintop.live.reports import AlertsState, TickReport
from allintop.sources.answers import Alert, RuleGroup
from allintop.sources.protocols import PollSource


@dataclass(frozen=True, slots=True)
class _Part:
    """One datasource's poller and where its panels sit on the dashboard."""

    name: str
    indices: tuple[int, ...]  # the dashboard index of each of its panels, in order
    poller: Poller


class FanOut:
    """The dashboard's Poller over several datasources (see the module docstring).

    Args:
        clients: each datasource's client, by name.
        panels: every panel, in display order.
        exprs: each panel's expression, variables filled in.
        bindings: each panel's datasource name (a key of `clients`).
        step, range_, max_series, alerts, merge: as Poller's.
    """

    def __init__(
        self,
        clients: Mapping[str, PollSource],
        panels: Sequence[Query],
        exprs: Sequence[str],
        bindings: Sequence[str],
        *,
        step: float,
        range_: float,
        max_series: int = 50,
        alerts: bool = True,
        merge: bool = True,
    ) -> None:
        groups: dict[str, list[int]] = {}
        for index, name in enumerate(bindings):
            groups.setdefault(name, []).append(index)
        self.bindings = tuple(bindings)
        self.max_series = max_series
        self.want_alerts = alerts
        self.parts = tuple(
            _Part(
                name,
                tuple(indices),
                Poller(
                    clients[name],
                    [panels[i] for i in indices],
                    [exprs[i] for i in indices],
                    step=step,
                    range_=range_,
                    max_series=max_series,
                    alerts=alerts,
                    merge=merge,
                ),
            )
            for name, indices in groups.items()
        )
        self.step = step
        self.range = range_
        # Each datasource's last alert list: one that cannot be asked keeps its last.
        self._alerts: dict[str, tuple[Alert, ...]] = {}

    # -- what the UI reads --

    @property
    def busy(self) -> bool:
        return any(part.poller.busy for part in self.parts)

    @property
    def capacity(self) -> int:
        return self.parts[0].poller.capacity

    @property
    def bucket(self) -> float:
        """Seconds per history bucket (see allintop.live.history)."""
        return self.parts[0].poller.bucket

    @property
    def histories(self) -> list[QueryHistory]:
        """Each panel's history, by its dashboard index."""
        found: dict[int, QueryHistory] = {}
        for part in self.parts:
            found.update(zip(part.indices, part.poller.histories, strict=True))
        return [found[index] for index in range(len(self.bindings))]

    @property
    def queries(self) -> dict[str, list[int]]:
        """Each datasource's leaf queries, named "datasource: leaf" when several."""
        out: dict[str, list[int]] = {}
        for part in self.parts:
            prefix = f"{part.name}: " if len(self.parts) > 1 else ""
            for leaf, users in part.poller.queries.items():
                out[prefix + leaf] = [part.indices[i] for i in users]
        return out

    # -- driving it --

    def configure(self, step: float, range_: float) -> None:
        self.step, self.range = step, range_
        for part in self.parts:
            part.poller.configure(step, range_)

    def reset_tick(self) -> None:
        for part in self.parts:
            part.poller.reset_tick()

    def learn_rules(self, groups: Sequence[RuleGroup]) -> None:
        """Every datasource's rule groups: each part asks for alerts when any of them
        can have changed (more often than its own alone would need, never less)."""
        for part in self.parts:
            part.poller.learn_rules(groups)

    def set_active(self, panels: Collection[int] | None) -> None:
        """Ask only `panels` (dashboard indexes; None: all) on each tick."""
        for part in self.parts:
            part.poller.set_active(None if panels is None else _local(part, panels))

    async def backfill(self, now: float, only: Collection[int] | None = None) -> TickReport:
        """The panels shown (or `only` these, dashboard indexes) backfilled; a
        datasource with none of `only` is not asked."""
        parts = [p for p in self.parts if only is None or _local(p, only)]
        reports = await asyncio.gather(
            *(p.poller.backfill(now, None if only is None else _local(p, only)) for p in parts)
        )
        if not reports:
            return TickReport(now)
        return self._merge(reports, parts)

    async def tick(self, now: float, *, budget: float, sink: Sink | None = None) -> TickReport:
        reports = await asyncio.gather(
            *(
                part.poller.tick(now, budget=budget, sink=self._sink(part, sink))
                for part in self.parts
            )
        )
        return self._merge(reports, self.parts)

    async def aclose(self) -> None:
        await asyncio.gather(*(part.poller.aclose() for part in self.parts))

    # -- putting the datasources' answers together --

    @staticmethod
    def _sink(part: _Part, sink: Sink | None) -> Sink | None:
        if sink is None:
            return None
        return lambda state: sink(replace(state, index=part.indices[state.index]))

    def _merge(self, reports: Sequence[TickReport], parts: Sequence[_Part]) -> TickReport:
        merged = TickReport(
            reports[0].time,
            alerts_asked=any(r.alerts_asked for r in reports),
            skipped=all(r.skipped for r in reports),
            carried=all(r.carried for r in reports),
        )
        for part, report in zip(parts, reports, strict=True):
            merged.panels += [
                replace(state, index=part.indices[state.index]) for state in report.panels
            ]
        merged.panels.sort(key=lambda state: state.index)
        merged.alerts = self._merge_alerts(reports, parts)
        return merged

    def _merge_alerts(
        self, reports: Sequence[TickReport], parts: Sequence[_Part]
    ) -> AlertsState | None:
        """Every datasource's alerts as one list; when one could not be asked, its
        last list stands in and the error (naming it, if there are several) says so."""
        answered = [(p, r.alerts) for p, r in zip(parts, reports, strict=True) if r.alerts]
        if not answered:
            return None
        error: PrometheusError | None = None
        for part, state in answered:
            if state.error is None:
                self._alerts[part.name] = state.alerts
            elif error is None and len(self.parts) > 1:
                error = from_datasource(state.error, part.name)
        if len(self.parts) == 1:
            return answered[0][1]
        alerts = tuple(alert for part in self.parts for alert in self._alerts.get(part.name, ()))
        return AlertsState(answered[0][1].time, alerts, error)


def _local(part: _Part, panels: Collection[int]) -> list[int]:
    """The part's own indexes of those of `panels` (dashboard indexes) it polls."""
    wanted = set(panels)
    return [local for local, index in enumerate(part.indices) if index in wanted]
