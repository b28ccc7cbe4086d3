"""What a poll produces: each panel's state, the alerts, and the tick's report.

Pure data and the few judgements made on it (a series' name from the panel's legend
template, whether an error is the server's, a multi-series panel's worst status),
shared by the poller that builds them and the state and screens that read them.
No Textual, no network.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from allintop.errors import PrometheusError, QueryError
from allintop.sources.answers import Alert
from allintop.values.thresholds import Status

# Grafana's legend placeholder: any label name between the braces, UTF-8 ones
# ("http.route") too, as its own pattern takes them.
_PLACEHOLDER = re.compile(r"\{\{\s*(.+?)\s*\}\}")


def legend(labels: Mapping[str, str], template: str | None) -> str:
    """A series' name: the panel's `{{label}}` template, else its labels, minus __name__.

    A label the series does not have is empty, as in Grafana.
    """
    if template:
        return _PLACEHOLDER.sub(lambda m: labels.get(m.group(1), ""), template)
    shown = {k: v for k, v in labels.items() if k != "__name__"}
    return ", ".join(f"{k}={v}" for k, v in sorted(shown.items()))


@dataclass(frozen=True, slots=True)
class SeriesView:
    name: str
    labels: Mapping[str, str]
    value: float
    status: Status


@dataclass(frozen=True, slots=True)
class QueryState:
    """What a panel shows after a tick: pure data for the widget."""

    index: int
    time: float
    series: tuple[SeriesView, ...] = ()
    total: int = 0
    history: tuple[float | None, ...] = ()
    """The headline series' sparkline: each bucket's highest value, oldest first."""
    newest: int | None = None
    """The index of `history`'s last bucket on the wall-clock grid (it starts at
    `newest` times the bucket width): where the buckets lie in time, for a column grid
    (allintop.draw.columns). None: no value was ever kept."""
    version: int = 0
    """The history's version: a new number whenever `history` may have changed."""
    status: Status = Status.UNKNOWN
    reason: str | None = None  # why the status is unknown: "no data", "query error: ..."
    error: PrometheusError | None = None
    warnings: tuple[str, ...] = ()
    native: bool = False
    """The answer is native histograms: no value, their buckets in the history (for a
    heatmap); `reason` says what to query instead (allintop.live.native)."""

    @property
    def value(self) -> float | None:
        return self.series[0].value if self.series else None


@dataclass(frozen=True, slots=True)
class AlertsState:
    time: float
    alerts: tuple[Alert, ...] = ()
    error: PrometheusError | None = None


@dataclass(slots=True)
class TickReport:
    """What one tick (or backfill) produced; `panels` holds those that arrived in budget."""

    time: float
    panels: list[QueryState] = field(default_factory=list)
    alerts: AlertsState | None = None
    alerts_asked: bool = False
    """The alerts were asked (no answer then means the list shown is stale); a tick
    asks only when a rule evaluation can have changed them (allintop.live.alert_cadence)."""
    skipped: bool = False
    carried: bool = False
    """No query was sent: no scrape since the last evaluation, values carried forward."""


def server_side(error: PrometheusError) -> bool:
    """Whether `error` is the server's (down, slow, a proxy's error page, not Prometheus'
    JSON, Prometheus unavailable) rather than the query's (bad_data, execution)."""
    if isinstance(error, QueryError):
        return error.status == 503 or error.error_type == "unavailable"
    return True


def server_error(states: Sequence[QueryState]) -> PrometheusError | None:
    """The error when every panel failed for a reason of the server's, else None."""
    errors = [state.error for state in states]
    if errors and all(e is not None and server_side(e) for e in errors):
        return errors[0]
    return None


_SEVERITY = {Status.CRITICAL: 3, Status.WARNING: 2, Status.OK: 1, Status.UNKNOWN: 0}


def worst(statuses: Sequence[Status]) -> Status:
    """The status a multi-series panel shows: its worst series, so nothing hides."""
    return max(statuses, key=_SEVERITY.__getitem__, default=Status.UNKNOWN)
