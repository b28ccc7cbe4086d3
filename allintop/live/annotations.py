"""Annotations and alert history over the range: what the zoom chart and the
time-series cards mark on their time axis.

Evaluated as Grafana's Prometheus datasource does: a range query of the
annotation's `expr` over the range at its `step`; each series' points with a value
above 0 are events, and events no more than a step apart are merged into one region
from the first to the last; the title, text and tags come from the series' labels.
The alert history is the `ALERTS` series of a panel's alerts over the range: the
spans during which each was pending or firing, merged the same way.

`events` and `alert_spans` are pure; `fetch_marks` asks through the client
Protocol (no httpx here), and the UI runs it in a worker.
"""

from __future__ import annotations

import asyncio
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace

from allintop.dashboard import templating
from allintop.dashboard.annotations import Annotation
from allintop.dashboard.model import Dashboard, Pick
from allintop.errors import PrometheusError
from allintop.live.reports import legend
from allintop.promql.interpolate import interpolate
from allintop.sources.answers import RangeResult
from allintop.sources.protocols import Queries

#: Points a range query may have (Prometheus refuses more than 11,000).
MAX_POINTS = 10_000
#: How often the marks are asked again while shown: they move slowly.
REFETCH_EVERY = 60.0
#: The ALERTS query's points over the range: a span is placed to within the range
#: over these (1 s over 15 minutes), finer than the zoom chart's columns.
ALERTS_POINTS = 900
#: A span that reaches this close to the end of the range asked, of an alert still
#: in its state, is still going on (two of Prometheus' usual rule intervals).
STILL_ON_WITHIN = 30.0


@dataclass(frozen=True, slots=True)
class Event:
    """One annotation event: a moment (`end` == `start`) or a region."""

    name: str  # the annotation's
    start: float
    end: float
    title: str
    text: str
    tags: tuple[str, ...]
    color: str

    @property
    def region(self) -> bool:
        return self.end > self.start


@dataclass(frozen=True, slots=True)
class AlertSpan:
    """A time during which an alert was pending or firing (one `state`)."""

    name: str
    state: str
    start: float
    end: float


@dataclass(frozen=True, slots=True)
class Marks:
    """What one fetch found: the events, the alert spans, and what failed."""

    events: tuple[Event, ...] = ()
    spans: tuple[AlertSpan, ...] = ()
    errors: tuple[str, ...] = field(default=())
    time: float = 0.0  # the range's end it was asked for


def query_step(step: float, start: float, end: float) -> float:
    """`step`, raised when the range would need more than MAX_POINTS of it."""
    return max(step, (end - start) / MAX_POINTS, 1.0)


def _merged(times: Sequence[float], step: float) -> list[tuple[float, float]]:
    """Sorted times as (first, last) runs: a time at most `step` after the run's last
    extends it (Grafana's rule)."""
    runs: list[tuple[float, float]] = []
    for moment in sorted(times):
        if runs and runs[-1][1] + step >= moment:
            runs[-1] = (runs[-1][0], moment)
        else:
            runs.append((moment, moment))
    return runs


def events(annotation: Annotation, result: RangeResult, step: float) -> list[Event]:
    """A range answer of `annotation`'s query (asked at `step`) as events, in time order.

    With `use_value_for_time`, each point's value is the event's time in
    milliseconds (every point is one); else a point is an event at its time when its
    value is above 0.
    """
    found: list[Event] = []
    for series in result.series:
        if annotation.use_value_for_time:
            times = [v / 1000 for v in series.values if math.isfinite(v)]
        else:
            pairs = zip(series.timestamps, series.values, strict=False)
            times = [t for t, v in pairs if v > 0]
        labels = series.labels
        title = legend(labels, annotation.title_format or None)
        text = legend(labels, annotation.text_format) if annotation.text_format else ""
        tags = tuple(labels[k] for k in annotation.tag_keys if labels.get(k))
        found += (
            Event(annotation.name, first, last, title, text, tags, annotation.color)
            for first, last in _merged(times, step)
        )
    # Several series of the same labels shown (an alert's instances): one event each.
    return sorted(dict.fromkeys(found), key=lambda event: (event.start, event.name, event.title))


def alert_spans(result: RangeResult, step: float) -> list[AlertSpan]:
    """The ALERTS series over a range (asked at `step`) as spans, by alert and state."""
    found: list[AlertSpan] = []
    for series in result.series:
        name = series.labels.get("alertname", "")
        state = series.labels.get("alertstate", "")
        if state not in ("pending", "firing"):
            continue
        times = [t for t, v in zip(series.timestamps, series.values, strict=False) if v > 0]
        found += (AlertSpan(name, state, a, b) for a, b in _merged(times, step))
    return _joined(found)


def _joined(spans: list[AlertSpan]) -> list[AlertSpan]:
    """Spans of one alert and state that overlap (several instances) as one."""
    out: list[AlertSpan] = []
    for span in sorted(spans, key=lambda s: (s.name, s.state, s.start)):
        last = out[-1] if out else None
        if last and (last.name, last.state) == (span.name, span.state) and span.start <= last.end:
            out[-1] = AlertSpan(span.name, span.state, last.start, max(last.end, span.end))
        else:
            out.append(span)
    return sorted(out, key=lambda s: s.start)


def alerts_expr(names: Sequence[str]) -> str:
    """The ALERTS selector for these alert names (each matched literally)."""
    pattern = "|".join(re.escape(name) for name in sorted(set(names)))
    quoted = pattern.replace("\\", "\\\\").replace('"', '\\"')
    return f'ALERTS{{alertname=~"{quoted}"}}'


def filled(dashboard: Dashboard, picks: Mapping[str, Pick], range_: float) -> list[Annotation]:
    """The dashboard's enabled annotations, their variables filled in with `picks`."""
    values = templating.query_values(dashboard.variables, picks, {}, range_=range_)
    return [
        replace(annotation, expr=interpolate(annotation.expr, values))
        for annotation in dashboard.annotations
        if annotation.enable
    ]


async def fetch_marks(
    clients: Mapping[str, Queries],
    default: str,
    annotations: Sequence[Annotation],
    alert_names: Sequence[str],
    start: float,
    end: float,
    alerts_from: str | None = None,
) -> Marks:
    """Every annotation's events and the alerts' spans between `start` and `end`,
    each asked of its datasource (the default one when it names none, or one not
    known; the alerts of `alerts_from`, the panel's); one that fails is said in
    `errors`, the others still shown."""

    async def one(annotation: Annotation) -> list[Event] | str:
        name = annotation.datasource if annotation.datasource in clients else default
        step = query_step(annotation.step, start, end)
        try:
            result = await clients[name or default].query_range(annotation.expr, start, end, step)
        except PrometheusError as error:
            return f"annotation {annotation.name}: {error.message}"
        return events(annotation, result, step)

    async def history() -> list[AlertSpan] | str:
        if not alert_names:
            return []
        step = query_step((end - start) / ALERTS_POINTS, start, end)
        try:
            source = clients[alerts_from or default] if alerts_from in clients else clients[default]
            result = await source.query_range(alerts_expr(alert_names), start, end, step)
        except PrometheusError as error:
            return f"alert history: {error.message}"
        return alert_spans(result, step)

    answers = await asyncio.gather(history(), *(one(a) for a in annotations))
    errors = tuple(a for a in answers if isinstance(a, str))
    spans = answers[0] if isinstance(answers[0], list) else []
    found = [e for a in answers[1:] if isinstance(a, list) for e in a if isinstance(e, Event)]
    found = sorted(dict.fromkeys(found), key=lambda event: (event.start, event.name, event.title))
    return Marks(tuple(found), tuple(s for s in spans if isinstance(s, AlertSpan)), errors, end)
