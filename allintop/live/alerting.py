"""What is firing, in what order, and which panels it concerns.

Pure logic over the client's dataclasses: the alerts bar's order (firing before
pending, critical before warning before info), the panel <-> alert rule mapping
(the panel's `alerts:` list, else the rules that read a metric the panel reads),
Alertmanager's silences joined onto Prometheus' alerts, and the scrape targets a
panel depends on. No Textual, no network.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from allintop.dashboard.model import Query
from allintop.live.history import label_key
from allintop.promql.parse import may_select, metric_names
from allintop.promql.selectors import may_overlap, names_label
from allintop.sources.answers import (
    Alert,
    AlertRule,
    ManagedAlert,
    RuleGroup,
    Silence,
    SilenceMatcher,
    Target,
)
from allintop.values.text import tidy_numbers

STATE_ORDER = {"firing": 0, "pending": 1, "inactive": 2}
SEVERITY_ORDER = {"critical": 0, "error": 0, "warning": 1, "info": 2}


@dataclass(frozen=True, slots=True)
class ActiveAlert:
    """One alert name in one state: what the bar and the panel markers show."""

    name: str
    state: str  # firing or pending
    severity: str
    since: float | None  # the earliest instance's start
    count: int  # instances (series) in this state
    silenced: bool = False  # every instance silenced or inhibited in Alertmanager
    silences: tuple[Silence, ...] = ()  # the active silences that match its instances
    jobs: frozenset[str] = frozenset()  # its instances' job labels ("": one has none)

    @property
    def sort_key(self) -> tuple[int, int, str]:
        return (
            STATE_ORDER.get(self.state, 3),
            SEVERITY_ORDER.get(self.severity, 3),
            self.name,
        )


def matcher_matches(matcher: SilenceMatcher, labels: Mapping[str, str]) -> bool:
    """Alertmanager's rule: a missing label is the empty string; regexes are anchored
    (Go RE2; a pattern Python cannot read matches nothing, as Alertmanager would have
    refused to store it)."""
    value = labels.get(matcher.name, "")
    if matcher.is_regex:
        try:
            found = re.fullmatch(matcher.value, value) is not None
        except re.error:
            return False
    else:
        found = value == matcher.value
    return found == matcher.is_equal


def silence_matches(silence: Silence, labels: Mapping[str, str]) -> bool:
    return bool(silence.matchers) and all(matcher_matches(m, labels) for m in silence.matchers)


@dataclass(frozen=True, slots=True)
class Suppression:
    """What Alertmanager says is silenced or inhibited, applied to Prometheus' alerts.

    Prometheus' /api/v1/alerts lists an alert without the server's external labels,
    which it adds only when it sends the alert to Alertmanager; so every question is
    asked about the labels as Alertmanager sees them (`external` under the alert's
    own). An alert is suppressed when Alertmanager holds it silenced or inhibited, or
    when an active silence's matchers match it: the latter also covers a pending
    alert, which Alertmanager has not received yet.
    """

    managed: tuple[ManagedAlert, ...] = ()
    silences: tuple[Silence, ...] = ()
    external: Mapping[str, str] = field(default_factory=dict)

    def __call__(self, labels: Mapping[str, str]) -> bool:
        seen = {**self.external, **labels}
        key = label_key(seen)
        held = any((a.silenced or a.inhibited) and label_key(a.labels) == key for a in self.managed)
        return held or any(silence_matches(s, seen) for s in self.silences)

    def covering(self, labels: Mapping[str, str]) -> tuple[Silence, ...]:
        """The active silences whose matchers match an alert with these labels: who
        silenced it, until when and why."""
        seen = {**self.external, **labels}
        return tuple(s for s in self.silences if silence_matches(s, seen))


def summarize(
    alerts: Iterable[Alert],
    suppressed: Callable[[Mapping[str, str]], bool] = lambda labels: False,
    covering: Callable[[Mapping[str, str]], tuple[Silence, ...]] = lambda labels: (),
) -> list[ActiveAlert]:
    """Group alert instances by (name, state); silenced groups sort after live ones.

    `suppressed` says whether an instance (by its labels) is silenced or inhibited:
    a Suppression, built from what Alertmanager says; `covering`, the silences that
    match it (its `covering`).
    """
    groups: dict[tuple[str, str], list[Alert]] = {}
    for alert in alerts:
        if alert.state in ("firing", "pending"):
            groups.setdefault((alert.name, alert.state), []).append(alert)
    out = []
    for (name, state), members in groups.items():
        starts = [a.active_since for a in members if a.active_since is not None]
        out.append(
            ActiveAlert(
                name=name,
                state=state,
                severity=_worst_severity(a.severity for a in members),
                since=min(starts) if starts else None,
                count=len(members),
                silenced=all(suppressed(a.labels) for a in members),
                silences=tuple(dict.fromkeys(s for a in members for s in covering(a.labels))),
                jobs=frozenset(a.labels.get("job", "") for a in members),
            )
        )
    return sorted(out, key=lambda a: (a.silenced, a.sort_key))


def _worst_severity(severities: Iterable[str]) -> str:
    return min(severities, key=lambda s: SEVERITY_ORDER.get(s, 3), default="")


def rules_for_panel(panel: Query, expr: str, rules: Sequence[AlertRule]) -> tuple[str, ...]:
    """The alert names that mark `panel`: its `alerts:` list, else the rules that read
    a metric it reads with a job it may read too (a rule on `x{job="api"}` does not
    concern a panel on `x{job="node"}`)."""
    if panel.alerts:
        return panel.alerts
    try:
        wanted = metric_names(expr)
    except ValueError:
        return ()
    names = []
    for rule in rules:
        try:
            if wanted & metric_names(rule.query) and may_overlap(expr, rule.query, "job"):
                names.append(rule.name)
        except ValueError:
            continue  # a rule in a dialect our parser does not know: no mapping
    return tuple(dict.fromkeys(names))


def markers(
    names: Sequence[str], active: Sequence[ActiveAlert], expr: str | None = None
) -> list[ActiveAlert]:
    """The active alerts among a panel's alert names, most urgent first.

    With the panel's `expr` (its rules were found by the metrics they share), an
    alert whose every instance has a job the panel's selectors leave out is not its:
    `up == 0` firing for job "api" does not concern a panel on `up{job="node"}`.
    """
    wanted = set(names)
    return [a for a in active if a.name in wanted and (expr is None or _may_read(expr, a))]


def _may_read(expr: str, alert: ActiveAlert) -> bool:
    try:
        return any(not job or may_select(expr, "job", job) for job in alert.jobs or {""})
    except ValueError:
        return True  # a panel the parser cannot read: its rules matched it before


def down_targets(expr: str, targets: Sequence[Target]) -> list[Target]:
    """Scrape targets that are down and whose job the panel's selectors ask for.

    A query that names no job (`sum(rate(x[5m]))`) is not tied to any target: which
    jobs export its metrics is not known, and blaming every down target put "db
    down" under panels showing good values from other jobs. A query the parser
    cannot read (another dialect) is not tied either: nothing says which job it reads.
    """
    down = []
    for target in targets:
        if target.health != "down":
            continue
        try:
            if names_label(expr, "job", target.job):
                down.append(target)
        except ValueError:
            continue
    return down


def rule_rows(groups: Sequence[RuleGroup]) -> list[AlertRule]:
    """Every alerting rule, firing first, then pending, then inactive; by severity, name."""
    rules = [rule for group in groups for rule in group.rules]
    return sorted(
        rules,
        key=lambda r: (
            STATE_ORDER.get(r.state, 3),
            SEVERITY_ORDER.get(r.severity, 3),
            r.name,
        ),
    )


def panel_alert_map(
    panels: Sequence[Query], exprs: Sequence[str], rules: Sequence[AlertRule]
) -> Mapping[int, tuple[str, ...]]:
    pairs = enumerate(zip(panels, exprs, strict=True))
    return {i: rules_for_panel(panel, expr, rules) for i, (panel, expr) in pairs}


def scrape_error_summary(error: str) -> str:
    """The cause in Prometheus' scrape error, e.g. "connection refused" out of
    `Get "http://h:7000/metrics": dial tcp h:7000: connect: connection refused`."""
    if " connect: " in error:
        return error.rsplit(" connect: ", 1)[1]
    if "context deadline exceeded" in error:
        return "scrape timed out"
    if "server returned HTTP status" in error:
        return error[error.index("server returned HTTP status") + len("server returned ") :]
    return error


def rule_description(rule: AlertRule) -> tuple[str, bool]:
    """(description, rendered): an active instance's own, else the rule's template."""
    for alert in rule.alerts:
        if alert.annotations.get("description"):
            return tidy_numbers(alert.annotations["description"]), True
    return rule.annotations.get("description", ""), False
