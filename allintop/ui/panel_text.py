"""What a panel's lines say, as Rich Text: the headline (value and unit, or why there
is none), the detail line under it, and an alert's marker.

The cards draw these, and the zoom screen's headline reads the same words. Every text
that came from Prometheus (label values, error messages, alert names) goes through
`allintop.values.text.clean` and is shown as Text, never parsed as markup.
"""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text

from allintop.dashboard.model import Query
from allintop.live.alerting import ActiveAlert, scrape_error_summary
from allintop.live.reports import QueryState
from allintop.sources.answers import Target
from allintop.values.durations import format_since
from allintop.values.text import clean
from allintop.values.thresholds import Status
from allintop.values.units import format_value

#: An alert's marker: firing, pending.
MARKS = {"firing": "▲", "pending": "△"}

#: Without colour (NO_COLOR, --no-color) the status must still be read: in words.
STATUS_WORDS = {Status.WARNING: "warn", Status.CRITICAL: "CRIT"}


def value_text(
    state: QueryState | None, panel: Query, down: Sequence[Target] = (), words: bool = False
) -> Text:
    """The headline: value and unit, or why there is none; with `words`, a status word
    for a value that is not ok."""
    if state is None:
        return Text("…", style="dim")
    if state.error is not None:
        return Text(clean(state.error.headline, 60), style="italic")
    if state.value is None:
        if down:
            return Text("target down", style="italic")
        return Text(clean(state.reason or "no data", 60), style="italic")
    number, unit = format_value(state.value, panel.unit, panel.decimals)
    text = Text(number, style="bold")
    if unit:
        text.append(" " + unit)
    if words and state.status in STATUS_WORDS and panel.thresholds is not None:
        text.append(f" {STATUS_WORDS[state.status]}", style="bold reverse")
    return text


def alert_text(alert: ActiveAlert, now: float) -> Text:
    """`▲ HighErrorRate 3m` for a panel marker."""
    since = f" {format_since(now - alert.since)}" if alert.since is not None else ""
    silenced = " (silenced)" if alert.silenced else ""
    return Text(f"{MARKS.get(alert.state, '•')} {clean(alert.name)}{since}{silenced}")


def detail_text(
    state: QueryState | None,
    width: int,
    alerts: Sequence[ActiveAlert] = (),
    down: Sequence[Target] = (),
    now: float = 0.0,
) -> Text:
    """The line under the value, most urgent first: an alert on this panel, why its
    query failed, a down target it reads, a warning in the server's answer, the top
    series of a multi-series panel."""
    if alerts:
        text = alert_text(alerts[0], now)
        if len(alerts) > 1:
            text.append(f" +{len(alerts) - 1}")
        return text
    if state is not None and state.error is not None:
        return Text(clean(state.error.cause, width), style="italic")
    if down:
        target = down[0]
        cause = scrape_error_summary(target.last_error) or "no scrape"
        return Text(clean(f"{target.job} down: {cause}", width))
    if state is not None and state.warnings:
        # Before the top series: a partial answer (Thanos' partial_response, a
        # store down) must not pass for a whole one.
        said = state.warnings[0]
        # Prometheus 3's infos come prefixed "info: " (allintop.live.evaluation).
        shown = said if said.startswith("info: ") else "warning: " + said
        return Text(clean(shown, width), style="italic")
    if state is None or not state.series:
        return Text("")
    if state.total > 1:
        name = clean(state.series[0].name, max(width - 6, 8))
        return Text.assemble((name, ""), (f" +{state.total - 1}", "dim"))
    return Text("")
