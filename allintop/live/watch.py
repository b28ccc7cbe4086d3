"""Rules, scrape targets and Alertmanager state: fetched as often as they are needed.

Alert *states* come with the ticks (the poller's /api/v1/alerts, after each rule
evaluation). The rest changes rarely or matters only on one screen, so it is fetched
on its own schedule: rules once a minute (every 5 s while a group has not been
evaluated yet, every tick while the alerts screen is open); targets every few
seconds, and no sooner than a scrape can have changed their health (a target's
health changes only when it is scraped: at a 1 m scrape interval, once a minute
rather than twelve times; every tick on the targets screen); Alertmanager's silences
with each call, of each datasource that names an Alertmanager. No Textual imports.

With several datasources each is asked for its own rules and targets; the targets
carry the name of the datasource that scrapes them, and a datasource that cannot be
asked is named in the error. Each datasource's build info is asked once: an engine
that is not Prometheus (VictoriaMetrics) and lists no alerting rules serves no
alerts of its own, which the dashboard says rather than show an empty list as if
nothing fired.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from dataclasses import replace
from typing import TypeVar

from allintop.dashboard.datasource import DEFAULT_DATASOURCE
from allintop.errors import PrometheusError, from_datasource
from allintop.live.alertmanagers import Alertmanagers
from allintop.live.scrapes import ScrapeSchedule
from allintop.sources.answers import (
    BuildInfo,
    RuleGroup,
    StatusReport,
    Target,
)
from allintop.sources.protocols import Alertmanager, StatusSource

RULES_EVERY = 60.0
#: How soon the rules are asked again while an alerting group has not been evaluated
#: yet (a Prometheus just started): the poller asks for alerts at every tick until
#: the rules say when their groups are evaluated.
RULES_UNSETTLED_EVERY = 5.0
TARGETS_EVERY = 5.0
#: The longest between two targets requests whatever their scrape schedule says.
TARGETS_AT_LEAST = 60.0

T = TypeVar("T")
#: Every datasource's rule groups (None: none answered), the first error, and the
#: datasources that serve no alerts of their own.
_Rules = tuple[tuple[RuleGroup, ...] | None, PrometheusError | None, frozenset[str]]
#: Every datasource's targets (None: none answered), the first error, each one's health.
_Targets = tuple[tuple[Target, ...] | None, PrometheusError | None, dict[str, str | None]]


class StatusWatcher:
    """Fetches rules, targets and silences when they are due.

    Args:
        clients: the datasources' clients by name (or one client: the default).
        alertmanager: each datasource's Alertmanager client, by datasource name (or
            one client: the default datasource's), for silences.
        default: the name of the default datasource.
    """

    def __init__(
        self,
        clients: Mapping[str, StatusSource] | StatusSource,
        alertmanager: Mapping[str, Alertmanager] | Alertmanager | None = None,
        *,
        default: str = DEFAULT_DATASOURCE,
        rules_every: float = RULES_EVERY,
        targets_every: float = TARGETS_EVERY,
    ) -> None:
        if not isinstance(clients, Mapping):
            clients = {default: clients}
        self.clients = dict(clients)
        self.client = self.clients.get(default) or next(iter(self.clients.values()))
        self.default = default if default in self.clients else next(iter(self.clients))
        self.alertmanagers = Alertmanagers.of(alertmanager, self.default)
        self._builds: dict[str, BuildInfo | None] = {}
        self._asking_builds: asyncio.Future[None] | None = None
        self.rules_every = rules_every
        self.targets_every = targets_every
        self._rules_at: float | None = None
        self._rules_unsettled = False  # an alerting group not evaluated yet
        self._targets_at: float | None = None
        self._targets_wall: float | None = None  # the same ask, by the wall clock
        self._scrapes: ScrapeSchedule | None = None  # as the last targets answer said

    def _due(self, last: float | None, every: float, now: float, wanted: bool) -> bool:
        return wanted or last is None or now - last >= every

    @property
    def alertmanager(self) -> Alertmanager | None:
        """The default datasource's Alertmanager."""
        return self.alertmanagers.of_datasource(self.default)

    def alertmanager_of(self, datasource: str) -> Alertmanager | None:
        """The Alertmanager of the datasource `datasource` ("": the default's)."""
        return self.alertmanagers.of_datasource(datasource)

    def _targets_due(self, now: float, wall: float | None, wanted: bool) -> bool:
        """Every `targets_every` seconds, if a scrape can have happened since the last
        ask (by the schedule the targets said; unknown: ask), and at least every
        TARGETS_AT_LEAST."""
        last, last_wall, scrapes = self._targets_at, self._targets_wall, self._scrapes
        if wanted or last is None:
            return True
        if now - last < self.targets_every:
            return False
        if wall is None or last_wall is None or scrapes is None:
            return True
        return now - last >= TARGETS_AT_LEAST or scrapes.scraped_between(last_wall, wall)

    async def fetch(
        self,
        now: float,
        *,
        wall: float | None = None,
        want_rules: bool = False,
        want_targets: bool = False,
    ) -> StatusReport:
        """What is due at `now`, a monotonic time: only its differences are used, so a
        stepped wall clock must not be passed (it would hold fetches back for hours).
        `wall`, the wall clock, places the asks among the server's scrapes."""
        rules: asyncio.Future[_Rules] | None = None
        targets: asyncio.Future[_Targets] | None = None
        every = self.rules_every
        if self._rules_unsettled:
            every = min(every, RULES_UNSETTLED_EVERY)
        rules_due = self._due(self._rules_at, every, now, want_rules)
        if rules_due:
            self._rules_at = now
            rules = asyncio.ensure_future(self._rules())
        if self._targets_due(now, wall, want_targets):
            self._targets_at, self._targets_wall = now, wall
            targets = asyncio.ensure_future(self._targets())
        managers = {
            name: asyncio.ensure_future(self._manager(name, manager, external=rules_due))
            for name, manager in self.alertmanagers.items()
            if name in self.clients
        }
        jobs = [job for job in (rules, targets, *managers.values()) if job is not None]
        if not jobs:
            return StatusReport()
        await asyncio.wait(jobs)
        groups, rules_error, no_alerts = _answer(rules) or (None, _error(rules), None)
        listed, targets_error, health = _answer(targets) or (None, _error(targets), {})
        said = {name: job.result() for name, job in managers.items()}
        default = said.get(self.default, StatusReport())
        return StatusReport(
            rules=groups,
            rules_error=rules_error,
            no_alerts=no_alerts,
            external=default.external,
            external_error=default.external_error,
            targets=listed,
            targets_error=targets_error,
            health=health,
            managed=default.managed,
            managed_error=default.managed_error,
            silences=default.silences,
            silences_error=default.silences_error,
            builds=self._known_builds(),
            alertmanagers=said or None,
        )

    async def _manager(self, name: str, manager: Alertmanager, *, external: bool) -> StatusReport:
        """What one datasource's Alertmanager holds (its alerts, its silences) and, when
        rules are due, the datasource's external labels: silences are matched on the
        labels Alertmanager sees."""
        labels = asyncio.ensure_future(self.clients[name].external_labels()) if external else None
        managed = asyncio.ensure_future(manager.alerts())
        silences = asyncio.ensure_future(manager.silences())
        await asyncio.wait([job for job in (labels, managed, silences) if job is not None])
        return StatusReport(
            external=_answer(labels),
            external_error=_error(labels),
            managed=_answer(managed),
            managed_error=_error(managed),
            silences=_answer(silences),
            silences_error=_error(silences),
        )

    async def _each(self, ask: str) -> dict[str, object]:
        """Every datasource's answer to `ask` (a client method), or its error."""
        names = list(self.clients)
        answers = await asyncio.gather(
            *(getattr(self.clients[name], ask)() for name in names), return_exceptions=True
        )
        for answer in answers:
            if isinstance(answer, BaseException) and not isinstance(answer, PrometheusError):
                raise answer
        return dict(zip(names, answers, strict=True))

    def _first_error(self, answers: Mapping[str, object]) -> PrometheusError | None:
        for name, answer in answers.items():
            if isinstance(answer, PrometheusError):
                return from_datasource(answer, name) if len(self.clients) > 1 else answer
        return None

    async def _targets(self) -> _Targets:
        """Every datasource's targets, each stamped with its datasource's name; the
        first error (None when every datasource answered); each one's health."""
        answers = await self._each("targets")
        await self._learn_builds()  # the targets screen says each server's version
        targets = tuple(
            replace(target, datasource=name)
            for name, answer in answers.items()
            if isinstance(answer, tuple)
            for target in answer
        )
        health = {
            name: answer.message if isinstance(answer, PrometheusError) else None
            for name, answer in answers.items()
        }
        error = self._first_error(answers)
        every_failed = all(isinstance(answer, PrometheusError) for answer in answers.values())
        # A datasource that did not answer: its scrapes are unknown, so ask on time.
        self._scrapes = None if error is not None else ScrapeSchedule.from_targets(targets)
        return (None if every_failed else targets), error, health

    async def _rules(self) -> _Rules:
        """Every datasource's rule groups, the first error, and the datasources that
        serve no alerts."""
        answers = await self._each("rules")
        await self._learn_builds()
        groups = tuple(
            _stamped(group, name)
            for name, answer in answers.items()
            if isinstance(answer, tuple)
            for group in answer
        )
        no_alerts = frozenset(
            name for name, answer in answers.items() if answer == () and self._not_prometheus(name)
        )
        error = self._first_error(answers)
        every_failed = all(isinstance(answer, PrometheusError) for answer in answers.values())
        self._rules_unsettled = any(g.rules and g.last_evaluation is None for g in groups)
        return (None if every_failed else groups), error, no_alerts

    async def _learn_builds(self) -> None:
        """Each datasource's build info, once it has answered (Prometheus says its
        version; VictoriaMetrics answers with nothing). The rules and the targets both
        wait for it: one asking serves both (they asked twice at every start)."""
        if self._asking_builds is None or self._asking_builds.done():
            if all(self._builds.get(name) is not None for name in self.clients):
                return
            self._asking_builds = asyncio.ensure_future(self._ask_builds())
        # Shielded: a caller cancelled (the app quitting) must not cancel the other's.
        await asyncio.shield(self._asking_builds)

    async def _ask_builds(self) -> None:
        missing = [name for name in self.clients if self._builds.get(name) is None]
        answers = await asyncio.gather(
            *(self.clients[name].buildinfo() for name in missing), return_exceptions=True
        )
        for name, answer in zip(missing, answers, strict=True):
            if isinstance(answer, BuildInfo):
                self._builds[name] = answer

    def _known_builds(self) -> dict[str, BuildInfo] | None:
        known = {name: build for name, build in self._builds.items() if build is not None}
        return known or None

    def _not_prometheus(self, name: str) -> bool:
        build = self._builds.get(name)
        return build is not None and not build.version

    async def aclose(self) -> None:
        await self.alertmanagers.aclose()


def _stamped(group: RuleGroup, datasource: str) -> RuleGroup:
    """The group with each rule and alert naming the datasource that listed it: a
    silence of it goes to that datasource's Alertmanager."""
    rules = tuple(
        replace(
            rule,
            datasource=datasource,
            alerts=tuple(replace(alert, datasource=datasource) for alert in rule.alerts),
        )
        for rule in group.rules
    )
    return replace(group, rules=rules)


def _answer(job: asyncio.Future[T] | None) -> T | None:
    """A finished job's answer; None if it was not sent or failed with a PrometheusError
    (see `_error`). Any other failure is raised: it is a bug, not the server's state."""
    if job is None or isinstance(job.exception(), PrometheusError):
        return None
    return job.result()


def _error(job: asyncio.Future[T] | None) -> PrometheusError | None:
    """Why a finished job brought no answer, if a server's error is why."""
    error = None if job is None else job.exception()
    return error if isinstance(error, PrometheusError) else None
