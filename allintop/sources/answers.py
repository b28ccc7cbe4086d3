"""The data that monitoring APIs answer with: plain frozen dataclasses.

The client modules (prometheus, alertmanager) build them; the pure logic (poller
state, alerting, history) and the UI read them. Nothing here imports httpx or
Textual, so the logic that uses them stays testable on its own.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from allintop.errors import PrometheusError

Labels = Mapping[str, str]


@dataclass(frozen=True, slots=True)
class HistogramBucket:
    """One bucket of a native histogram: its bounds, which of them are in it, and its
    count (a rate, after rate())."""

    boundary: int
    """Prometheus' boundary rule: 0 open left, 1 open right, 2 open both, 3 closed both."""
    lower: float
    upper: float
    count: float


@dataclass(frozen=True, slots=True)
class NativeHistogram:
    """A native histogram's value at one time, as the query API gives it: no single
    number stands for it, so a Sample carrying one has the value NaN."""

    count: float
    sum: float
    buckets: tuple[HistogramBucket, ...] = ()


@dataclass(frozen=True, slots=True)
class Sample:
    """One value of an instant vector (or the scalar, with no labels)."""

    labels: Labels
    value: float
    timestamp: float
    histogram: NativeHistogram | None = None
    """The native histogram the sample is, if it is one (then `value` is NaN)."""


@dataclass(frozen=True, slots=True)
class Series:
    """One series of a range result: parallel timestamps and values."""

    labels: Labels
    timestamps: tuple[float, ...]
    values: tuple[float, ...]
    histograms: tuple[NativeHistogram | None, ...] = ()
    """Parallel to `timestamps` when the series has native histogram points (their
    values are NaN); empty when it has none."""


@dataclass(frozen=True, slots=True)
class InstantResult:
    kind: Literal["vector", "scalar", "string"]
    samples: tuple[Sample, ...]
    warnings: tuple[str, ...] = ()
    stats: Mapping[str, Any] | None = None
    infos: tuple[str, ...] = ()
    """Prometheus 3's `infos`: notes on the query, shown as its warnings are."""


@dataclass(frozen=True, slots=True)
class RangeResult:
    series: tuple[Series, ...]
    warnings: tuple[str, ...] = ()
    stats: Mapping[str, Any] | None = None
    infos: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Alert:
    """An active (pending or firing) alert, from /api/v1/alerts or inside a rule."""

    name: str
    state: str
    labels: Labels
    annotations: Labels
    active_since: float | None
    value: float
    datasource: str = ""  # the name of the datasource whose rule it is (from its rules)

    @property
    def severity(self) -> str:
        return self.labels.get("severity", "")


@dataclass(frozen=True, slots=True)
class AlertRule:
    name: str
    query: str
    duration: float
    labels: Labels
    annotations: Labels
    state: str  # firing, pending or inactive
    health: str
    last_error: str
    alerts: tuple[Alert, ...]
    datasource: str = ""  # the name of the datasource whose rules list it

    @property
    def severity(self) -> str:
        return self.labels.get("severity", "")


@dataclass(frozen=True, slots=True)
class RuleGroup:
    name: str
    file: str
    interval: float
    rules: tuple[AlertRule, ...]
    last_evaluation: float | None = None  # when its latest evaluation began (epoch s)
    evaluation_time: float = 0.0  # how long that evaluation took (s)


@dataclass(frozen=True, slots=True)
class Target:
    job: str
    instance: str
    scrape_url: str
    health: str  # up, down or unknown
    last_scrape: float | None
    last_scrape_duration: float
    last_error: str
    scrape_interval: float | None
    labels: Labels = field(default_factory=dict)
    datasource: str = ""  # the name of the datasource that scrapes it, when several


@dataclass(frozen=True, slots=True)
class BuildInfo:
    version: str
    revision: str = ""


@dataclass(frozen=True, slots=True)
class ManagedAlert:
    """An alert as Alertmanager holds it."""

    labels: Mapping[str, str]
    state: str  # active, suppressed or unprocessed
    silenced_by: tuple[str, ...]
    inhibited_by: tuple[str, ...]

    @property
    def silenced(self) -> bool:
        return bool(self.silenced_by)

    @property
    def inhibited(self) -> bool:
        return bool(self.inhibited_by)


@dataclass(frozen=True, slots=True)
class SilenceMatcher:
    """One matcher of an Alertmanager silence: `name` =, !=, =~ or !~ `value`."""

    name: str
    value: str
    is_regex: bool = False
    is_equal: bool = True


@dataclass(frozen=True, slots=True)
class Silence:
    """An Alertmanager silence: while active, the alerts its matchers match are silenced."""

    id: str
    matchers: tuple[SilenceMatcher, ...]
    created_by: str = ""
    comment: str = ""
    ends_at: float | None = None
    state: str = "active"  # or pending (starts later) or expired
    starts_at: float | None = None


@dataclass(frozen=True, slots=True)
class StatusReport:
    """What one fetch of rules, targets and silences brought (allintop.live.watch); None
    means "not fetched this time", not "empty"."""

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
    health: Mapping[str, str | None] = field(default_factory=dict)
    """Each datasource asked for targets: None when it answered, else why not."""
    no_alerts: frozenset[str] | None = None
    """The datasources known to serve no alerts of their own (None: not learnt now)."""
    builds: Mapping[str, BuildInfo] | None = None
    """Each datasource's build info, as far as learnt (None: nothing new)."""
    alertmanagers: Mapping[str, StatusReport] | None = None
    """Each datasource with an Alertmanager: what its Alertmanager said (`managed`,
    `silences`) and its own external labels; the default's is also the above."""
