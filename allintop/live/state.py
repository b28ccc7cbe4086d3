"""What the dashboard knows, as one value: each panel's latest state, the alerts,
rules, scrape targets and silences the servers reported, and the health verdict the
header shows.

`DashboardState` is frozen; the app keeps one and replaces it with what a reducer
returns for each report (`take_tick`, `take_late`, `take_status`, ...): report in,
new state out. Clocks are arguments, never read here, so every transition is tested
without Textual, a server or time passing. The app and its screens read the state;
none reaches into the others' attributes.

Panel-to-alert markers (which alert rules concern which panel, which down targets a
panel reads) are worked out when the configuration, the rules or the targets change,
not on every tick: they cost a PromQL parse per panel.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from types import MappingProxyType

from allintop.dashboard.model import Query
from allintop.live.alerting import (
    ActiveAlert,
    Suppression,
    down_targets,
    markers,
    panel_alert_map,
    summarize,
)
from allintop.live.alertmanagers import first_failure, take_suppressions, told
from allintop.live.reports import AlertsState, QueryState, server_error, server_side
from allintop.sources.answers import Alert, BuildInfo, RuleGroup, Silence, StatusReport, Target
from allintop.values.durations import format_since
from allintop.values.text import clean

#: Seconds past the refresh interval before the header calls the poll overdue.
OVERDUE_GRACE = 1.0
#: What a tick that asked for alerts says when no answer came within it.
NO_ANSWER = "no answer in time"


@dataclass(frozen=True, slots=True)
class Verdict:
    """The header's word and how it is shown: "success", "warning", "error" or "dim"."""

    word: str
    level: str


@dataclass(frozen=True, slots=True)
class DashboardState:
    """Everything the dashboard shows besides its configuration's own text.

    The configuration part (`panels`, `exprs`, `bindings`, `several`) is what the
    markers are computed from; `configure` replaces it.
    """

    # -- the configuration the markers are for --
    queries: tuple[Query, ...] = ()
    exprs: tuple[str, ...] = ()
    bindings: tuple[str, ...] = ()  # each panel's datasource
    several: bool = False  # more than one datasource: targets are matched by theirs

    # -- panels --
    states: Mapping[int, QueryState] = field(default_factory=lambda: MappingProxyType({}))
    asked: frozenset[int] | None = None
    """The panels asked on each tick (None: all): the others' states are stale, and
    say nothing of the server's health now."""

    # -- alerts (with every tick) --
    alerts: tuple[Alert, ...] = ()
    alerts_as_of: float | None = None  # wall clock, when the list last came in
    alerts_error: str | None = None  # why it has not since (a stale list is still shown)
    active: tuple[ActiveAlert, ...] = ()

    # -- rules, targets, silences (on their own schedule) --
    rule_groups: tuple[RuleGroup, ...] = ()
    rules_loaded: bool = False
    rules_error: str | None = None
    targets: tuple[Target, ...] = ()
    targets_loaded: bool = False
    targets_error: str | None = None
    health: Mapping[str, str | None] = field(default_factory=lambda: MappingProxyType({}))
    """Each datasource's answer to the last targets request: None if it answered."""
    no_alerts: frozenset[str] = frozenset()
    """Datasources that serve no alerts of their own (VictoriaMetrics without vmalert)."""
    suppression: Suppression = field(default_factory=Suppression)
    """The default datasource's Alertmanager's, over the alerts bar's alerts."""
    alertmanager_error: str | None = None
    suppressions: Mapping[str, Suppression] = field(default_factory=lambda: MappingProxyType({}))
    """Each datasource's Alertmanager's, by datasource name, over its rules' alerts."""

    # -- markers, per panel index --
    alert_map: Mapping[int, tuple[str, ...]] = field(default_factory=lambda: MappingProxyType({}))
    down: Mapping[int, tuple[Target, ...]] = field(default_factory=lambda: MappingProxyType({}))
    down_jobs: frozenset[str] = frozenset()  # the jobs with a target down
    reads: Mapping[int, frozenset[str]] = field(default_factory=lambda: MappingProxyType({}))
    """Which of `down_jobs` each panel's expression may read."""

    # -- health --
    last_ok: float | None = None  # wall clock, the latest fresh value
    ok_at: float = 0.0  # monotonic, when last_ok was set
    last_error: str | None = None  # every panel fails for a reason of the server's
    last_error_word: str = "unreachable"  # or "error": what the header says then
    trouble: str | None = None  # datasources failing while others answer
    # Kept by allintop.live.schedule, read by the verdict:
    failures: int = 0  # polls in a row that found Prometheus unreachable
    retry_at: float | None = None  # monotonic, the next poll while backing off
    builds: Mapping[str, BuildInfo] = field(default_factory=lambda: MappingProxyType({}))
    """Each datasource's server version, once learnt (allintop.live.versions)."""

    # -- reading --

    def query(self, index: int) -> QueryState | None:
        """The panel's latest state (None before its first answer)."""
        return self.states.get(index)

    def current(self) -> dict[int, QueryState]:
        """The states of the panels asked on each tick, by index."""
        asked = self.asked
        return {i: s for i, s in self.states.items() if asked is None or i in asked}

    def markers(self, index: int) -> list[ActiveAlert]:
        """The active alerts whose rules concern the panel, in the bar's order: those
        it lists itself, or those on series its query may read."""
        names = self.alert_map.get(index, ())
        listed = index >= len(self.exprs) or bool(self.queries[index].alerts)
        return markers(names, self.active, None if listed else self.exprs[index])

    def down_for(self, index: int) -> tuple[Target, ...]:
        """Scrape targets that are down and that the panel's expression reads."""
        return self.down.get(index, ())

    def is_silenced(self, alert_name: str) -> bool:
        return any(a.name == alert_name and a.silenced for a in self.active)

    def silences_of(self, alert_name: str) -> tuple[Silence, ...]:
        """The active silences that match some instance of the alert."""
        found = (s for a in self.active if a.name == alert_name for s in a.silences)
        return tuple(dict.fromkeys(found))

    def suppression_of(self, datasource: str) -> Suppression:
        """What the datasource's Alertmanager says ("": the default's); nothing is
        silenced for a datasource that names no Alertmanager."""
        if not datasource:
            return self.suppression
        return self.suppressions.get(datasource, Suppression())

    def alerts_of(self, datasource: str) -> tuple[Alert, ...]:
        """The datasource's current alerts, as its rules list them ("": the bar's)."""
        if not datasource:
            return self.alerts
        rules = (r for g in self.rule_groups for r in g.rules if r.datasource == datasource)
        return tuple(a for r in rules for a in r.alerts)

    @property
    def status_line(self) -> str | None:
        """What the line under the header says, if anything."""
        return self.last_error or self.trouble

    def alerts_unavailable(self) -> str | None:
        """Why the alerts bar cannot show some datasources' alerts, or None."""
        used = list(dict.fromkeys(self.bindings))
        without = [name for name in used if name in self.no_alerts]
        if not without:
            return None
        if len(used) == 1:
            return "alerts not available from this datasource"
        return f"alerts not available from {', '.join(without)}"


# -- configuration --


def configure(
    state: DashboardState,
    panels: Sequence[Query],
    exprs: Sequence[str],
    bindings: Sequence[str],
    *,
    several: bool,
    keep_panels: bool = False,
) -> DashboardState:
    """A new configuration (start, reload, variables, context): the markers worked
    out again for it; the panels' states kept only if `keep_panels` (same panels,
    other queries: the old values stay until the new ones come)."""
    state = replace(
        state,
        queries=tuple(panels),
        exprs=tuple(exprs),
        bindings=tuple(bindings),
        several=several,
        states=state.states if keep_panels else MappingProxyType({}),
    )
    return _with_down(_with_alert_map(state), again=True)


def ask(state: DashboardState, panels: frozenset[int] | None) -> DashboardState:
    """Only `panels` are asked from now on (None: all): a collapsed row's, or those
    scrolled far off screen, are not; their last states stay, but do not count for
    the verdict."""
    return replace(state, asked=panels)


def forget_status(state: DashboardState) -> DashboardState:
    """Other servers: nothing they said is known yet (the configuration stays)."""
    fresh = DashboardState(
        queries=state.queries, exprs=state.exprs, bindings=state.bindings, several=state.several
    )
    return _with_alert_map(fresh)


def _with_alert_map(state: DashboardState) -> DashboardState:
    """Which alert rules concern which panel: the panels' own `alerts:` until the
    rules are known, then also the rules whose expressions read the same metrics."""
    rules = [rule for group in state.rule_groups for rule in group.rules]
    if rules:
        alert_map = panel_alert_map(state.queries, state.exprs, rules)
    else:
        alert_map = {i: panel.alerts for i, panel in enumerate(state.queries)}
    return replace(state, alert_map=MappingProxyType(dict(alert_map)))


def _with_down(state: DashboardState, *, again: bool = False) -> DashboardState:
    """Each panel's down targets: those of its datasource whose job its query names.

    Which jobs a panel reads takes a parse of its expression: worked out again only
    when the set of down jobs changes (or `again`, for a new configuration), not for
    every targets fetch, whose scrape times and errors change each time.
    """
    down_jobs = frozenset(t.job for t in state.targets if t.health == "down")
    reads = state.reads
    if again or down_jobs != state.down_jobs:
        one_each = list({t.job: t for t in state.targets if t.health == "down"}.values())
        reads = MappingProxyType(
            {
                index: frozenset(t.job for t in found)
                for index, expr in enumerate(state.exprs)
                if (found := down_targets(expr, one_each))
            }
        )
    down: dict[int, tuple[Target, ...]] = {}
    for index, jobs in reads.items():
        source = state.bindings[index] if index < len(state.bindings) else None
        matched = tuple(
            t
            for t in state.targets
            if t.health == "down"
            and t.job in jobs
            and (not state.several or t.datasource == source)
        )
        if matched:
            down[index] = matched
    return replace(state, down=MappingProxyType(down), down_jobs=down_jobs, reads=reads)


def _rule_queries(groups: Sequence[RuleGroup]) -> tuple[tuple[str, str], ...]:
    """What the alert map depends on: each rule's name and expression (not its state)."""
    return tuple((rule.name, rule.query) for group in groups for rule in group.rules)


# -- reports --


def take_tick(
    state: DashboardState,
    panels: Sequence[QueryState],
    alerts: AlertsState | None,
    *,
    alerts_due: bool,
    now: float,
    monotonic: float,
) -> DashboardState:
    """A tick's (or backfill's) panel states and alerts. `alerts_due`: the tick asked
    for alerts, so no answer means the list is stale."""
    state = _with_states(state, panels)
    if alerts is not None:
        state = take_alerts(state, alerts)
    elif alerts_due:
        state = replace(state, alerts_error=NO_ANSWER)
    if state.asked is not None and not state.asked and alerts is not None:
        # No panel is asked (every row collapsed): the alerts answer is the health.
        return _judge_alerts(state, alerts, now=now, monotonic=monotonic)
    return judge(state, panels, now=now, monotonic=monotonic)


def _judge_alerts(
    state: DashboardState, alerts: AlertsState, *, now: float, monotonic: float
) -> DashboardState:
    error = alerts.error
    if error is None:
        return replace(state, last_error=None, last_ok=now, ok_at=monotonic)
    if not server_side(error):
        return state
    word = "unreachable" if error.short in ("unreachable", "timeout") else "error"
    return replace(state, last_error=clean(error.message, 200), last_error_word=word)


def take_late(
    state: DashboardState, panel: QueryState, *, now: float, monotonic: float
) -> DashboardState:
    """One panel's answer that came after its tick."""
    return judge(_with_states(state, [panel]), [panel], now=now, monotonic=monotonic)


def _with_states(state: DashboardState, panels: Sequence[QueryState]) -> DashboardState:
    if not panels:
        return state
    states = dict(state.states)
    states.update((panel.index, panel) for panel in panels)
    return replace(state, states=MappingProxyType(states))


def take_alerts(state: DashboardState, alerts: AlertsState) -> DashboardState:
    """New alerts replace the list; a failure keeps it, marked stale since then."""
    if alerts.error is not None:
        return replace(state, alerts_error=clean(alerts.error.message, 120))
    state = replace(state, alerts=alerts.alerts, alerts_as_of=alerts.time, alerts_error=None)
    return _with_active(state)


def _with_active(state: DashboardState) -> DashboardState:
    suppression = state.suppression
    return replace(state, active=tuple(summarize(state.alerts, suppression, suppression.covering)))


def take_status(state: DashboardState, report: StatusReport) -> DashboardState:
    """Rules, targets, silences: what the status watcher brought (None: not asked)."""
    if report.rules is not None or report.rules_error is not None:
        state = replace(
            state,
            rules_loaded=report.rules is not None,
            rules_error=report.rules_error.message if report.rules_error else None,
        )
        if report.rules is not None:
            rules_before = _rule_queries(state.rule_groups)
            state = replace(state, rule_groups=report.rules)
            if _rule_queries(report.rules) != rules_before:
                state = _with_alert_map(state)
    if report.targets is not None or report.targets_error is not None:
        state = replace(
            state,
            targets_loaded=report.targets is not None,
            targets_error=report.targets_error.message if report.targets_error else None,
            targets=report.targets or (),
            health=MappingProxyType(dict(report.health)),
        )
        state = _with_down(state)
    if report.no_alerts is not None:
        state = replace(state, no_alerts=report.no_alerts)
    if report.builds is not None and report.builds != state.builds:
        state = replace(state, builds=MappingProxyType(dict(report.builds)))
    return _with_active(_take_alertmanager(state, report))


def _take_alertmanager(state: DashboardState, report: StatusReport) -> DashboardState:
    """Silences, silenced alerts and external labels; a failure is said, not hidden."""
    suppression = told(state.suppression, report)
    if suppression is not state.suppression:
        state = replace(state, suppression=suppression)
    if report.alertmanagers is not None:
        said = take_suppressions(state.suppressions, report.alertmanagers)
        state = replace(state, suppressions=said)
    failed = report.managed_error or report.silences_error or first_failure(report)
    if failed is not None:
        return replace(state, alertmanager_error=clean(failed.message, 120))
    if report.managed is not None or report.alertmanagers is not None:
        return replace(state, alertmanager_error=None)
    return state


# -- health --


def judge(
    state: DashboardState, arrived: Sequence[QueryState], *, now: float, monotonic: float
) -> DashboardState:
    """The verdict after states arrive, on time or late: every panel failing for a
    reason of the server's names it on the status line; any fresh value means live."""
    error = server_error(list(state.current().values()))
    if error is not None:
        word = "unreachable" if error.short in ("unreachable", "timeout") else "error"
        state = replace(state, last_error=clean(error.message, 200), last_error_word=word)
    elif any(panel.error is None for panel in arrived):
        state = replace(state, last_error=None, last_ok=now, ok_at=monotonic)
    return replace(state, trouble=None if error is not None else _trouble(state))


def _trouble(state: DashboardState) -> str | None:
    """Datasources whose every panel fails for a reason of the server's, named with
    the reason: their panels are grey, the others carry on."""
    if len(set(state.bindings)) < 2:
        return None
    troubles = []
    for name in dict.fromkeys(state.bindings):
        states = [
            panel
            for index, panel in state.current().items()
            if index < len(state.bindings) and state.bindings[index] == name
        ]
        failed = server_error(states)
        if failed is not None:
            troubles.append(f"{name}: {failed.short}: {failed.message}")
    return clean("   ".join(troubles), 300) if troubles else None


def verdict(
    state: DashboardState,
    *,
    paused: bool,
    polling: bool,
    waiting: bool,
    refresh: float,
    monotonic: float,
) -> Verdict:
    """The header's word: paused, error / unreachable (with the retry countdown),
    connecting, overdue, stale or live.

    `polling`: a poll is running; `waiting`: queries are out and unanswered (a poll,
    or its late stragglers).
    """
    if paused:
        return Verdict("paused", "warning")
    if state.last_error is not None:
        return Verdict(state.last_error_word + _retry_word(state, polling, monotonic), "error")
    if state.last_ok is None:
        return Verdict("connecting", "dim")
    late = monotonic - state.ok_at - refresh
    if late > OVERDUE_GRACE and waiting:
        # A hung Prometheus: nothing is wrong yet, but nothing is new either.
        return Verdict(f"overdue {format_since(late)}", "warning")
    if late > 2 * refresh + 2:
        return Verdict("stale", "warning")
    return Verdict("live", "success")


def _retry_word(state: DashboardState, polling: bool, monotonic: float) -> str:
    """ " · retry in 8s" while polls back off from an unreachable Prometheus."""
    if state.retry_at is None or state.last_error_word != "unreachable":
        return ""
    left = state.retry_at - monotonic
    if polling or left <= 0:
        return " · retrying"
    return f" · retry in {format_since(math.ceil(left))}"
