"""The dashboard's widgets: the alerts bar and the panel cards.

Every text that came from Prometheus (label values, error messages, alert names)
goes through `allintop.text.clean` and is shown as `rich.text.Text`, never parsed as
markup. Updates touch only what changed, and never the layout: a tick repaints
values and sparklines, it does not recompose.
"""

from __future__ import annotations

import os
import time
from collections.abc import Sequence
from dataclasses import dataclass

from rich.text import Text
from textual.app import ComposeResult
from textual.widget import Widget
from textual.widgets import Static

from allintop.alerting import ActiveAlert, scrape_error_summary
from allintop.config import Panel
from allintop.errors import PrometheusError, QueryError
from allintop.model import Target
from allintop.poller import PanelState
from allintop.text import clean
from allintop.thresholds import Status
from allintop.ui.sparkline import TimeSparkline
from allintop.ui.theme import themed
from allintop.units import format_since, format_value

STATUS_CLASSES = {status: f"-{status.value}" for status in Status}


def no_colour() -> bool:
    """NO_COLOR (set by --no-color too): https://no-color.org, any value counts."""
    return "NO_COLOR" in os.environ


MARKS = {"firing": "▲", "pending": "△"}
BAR_STYLES = {"firing": "bold $background on $error", "pending": "bold $background on $warning"}


# Without colour (NO_COLOR, --no-color) the status must still be read: in words.
STATUS_WORDS = {Status.WARNING: "warn", Status.CRITICAL: "CRIT"}


def value_text(
    state: PanelState | None, panel: Panel, down: Sequence[Target] = (), words: bool = False
) -> Text:
    """The headline: value and unit, or why there is none; with `words`, a status word
    for a value that is not ok."""
    if state is None:
        return Text("…", style="dim")
    if state.error is not None:
        return Text(clean(error_headline(state.error), 60), style="italic")
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


def error_headline(error: PrometheusError) -> str:
    """What failed, in the value line's few columns: "timeout", "HTTP 502",
    "query error: bad_data"; the cause goes on the line below."""
    if isinstance(error, QueryError) and error.error_type:
        return f"{error.short}: {error.error_type}"
    return error.short


def error_cause(error: PrometheusError) -> str:
    return error.error if isinstance(error, QueryError) else error.message


def alert_text(alert: ActiveAlert, now: float) -> Text:
    """`▲ HighErrorRate 3m` for a panel marker."""
    since = f" {format_since(now - alert.since)}" if alert.since is not None else ""
    silenced = " (silenced)" if alert.silenced else ""
    return Text(f"{MARKS.get(alert.state, '•')} {clean(alert.name)}{since}{silenced}")


def detail_text(
    state: PanelState | None,
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
        return Text(clean(error_cause(state.error), width), style="italic")
    if down:
        target = down[0]
        cause = scrape_error_summary(target.last_error) or "no scrape"
        return Text(clean(f"{target.job} down: {cause}", width))
    if state is not None and state.warnings:
        # Before the top series: a partial answer (Thanos' partial_response, a
        # store down) must not pass for a whole one.
        return Text(clean("warning: " + state.warnings[0], width), style="italic")
    if state is None or not state.series:
        return Text("")
    if state.total > 1:
        name = clean(state.series[0].name, max(width - 6, 8))
        return Text.assemble((name, ""), (f" +{state.total - 1}", "dim"))
    return Text("")


class PanelCard(Widget, can_focus=True):
    """One panel: title, current value with unit, sparkline, detail line.

    The status (ok / warning / critical / unknown / plain) and any alert on the panel
    (-firing / -pending) are CSS classes, so the colours live in the stylesheet and
    follow the theme.
    """

    def __init__(self, panel: Panel, index: int) -> None:
        super().__init__(id=f"panel-{index}", classes="-unknown")
        self.panel = panel
        self.index = index
        self.state: PanelState | None = None
        self.alerts: tuple[ActiveAlert, ...] = ()
        self.down: tuple[Target, ...] = ()
        self.now = 0.0
        # Held, not queried: a tick touches these for every panel.
        self._value = Static(value_text(None, panel), classes="value", markup=False)
        self._spark = TimeSparkline(classes="spark")
        self._detail = Static("", classes="detail", markup=False)

    def compose(self) -> ComposeResult:
        yield Static(Text(clean(self.panel.title), no_wrap=True), classes="title", markup=False)
        yield self._value
        yield self._spark
        yield self._detail

    def show(self, state: PanelState) -> None:
        """Apply a tick's state; untouched parts are not repainted."""
        previous = self.state
        self.state = state
        if previous is None or previous.status is not state.status:
            shown = self.shown_status(state)
            for status, css in STATUS_CLASSES.items():
                self.set_class(status == shown, css)
            self.set_class(shown == "plain", "-plain")
        self._texts()
        if self._spark.data != state.history:
            self._spark.data = state.history

    def mark(self, alerts: Sequence[ActiveAlert], down: Sequence[Target], now: float) -> None:
        """Show the alerts on this panel and the down targets it reads."""
        alerts, down = tuple(alerts), tuple(down)
        if alerts == self.alerts and down == self.down and (not alerts or now - self.now < 1):
            return
        self.alerts, self.down, self.now = alerts, down, now
        live = [a for a in alerts if not a.silenced]
        self.set_class(any(a.state == "firing" for a in live), "-firing")
        self.set_class(bool(live) and all(a.state == "pending" for a in live), "-pending")
        self._texts()

    def _texts(self) -> None:
        value = self._value
        new_value = value_text(self.state, self.panel, self.down, no_colour())
        if new_value != value.content:
            value.update(new_value, layout=False)
        detail = self._detail
        width = max(self.size.width - 2, 10)
        new_detail = detail_text(self.state, width, self.alerts, self.down, self.now)
        if new_detail != detail.content:
            detail.update(new_detail, layout=False)

    def shown_status(self, state: PanelState) -> Status | str:
        """The colour class: a value with no thresholds to judge it is plain, not green."""
        if self.panel.thresholds is None and state.status is Status.OK:
            return "plain"
        return state.status

    @property
    def value_plain(self) -> str:
        """What the value line shows, as plain text (tests read it)."""
        return value_text(self.state, self.panel, self.down, no_colour()).plain

    @property
    def detail_plain(self) -> str:
        return detail_text(self.state, 200, self.alerts, self.down, self.now).plain


class RowTitle(Static):
    """A row's title bar."""


@dataclass(frozen=True, slots=True)
class Staleness:
    """The alert list could not be fetched: shown as of `as_of`, and why."""

    as_of: float | None
    reason: str


class AlertsBar(Static):
    """Firing and pending alerts under the header; hidden when there is nothing to say.

    Live alerts come first, as many as fit; what does not fit is counted, and
    silenced ones are always counted at the end, so they are never mistaken for
    gone nor for new. When the list cannot be fetched, the last one stays, marked
    stale, with its times frozen at when it was true; when Alertmanager cannot be
    asked, the bar says that silences are unknown.
    """

    def show(
        self,
        alerts: Sequence[ActiveAlert],
        now: float,
        *,
        stale: Staleness | None = None,
        alertmanager: str | None = None,
        unavailable: str | None = None,
    ) -> None:
        """`unavailable`: why some datasource's alerts cannot be shown (an engine
        that serves none, such as VictoriaMetrics without vmalert)."""
        visible = bool(alerts or stale or alertmanager or unavailable)
        if self.display != visible:
            self.display = visible  # shows or hides: a layout change
        if not visible:
            return
        if stale is not None and stale.as_of is not None:
            now = stale.as_of  # "since" as it was then, not counting on from stale data
        text = Text(no_wrap=True, overflow="ellipsis")
        if stale is not None:
            text.append(" STALE ", style=themed(self, "bold $background on $warning"))
            if stale.as_of is not None:
                when = time.strftime("%H:%M:%S", time.localtime(stale.as_of))
                said = f" alerts as of {when}: {clean(stale.reason, 80)}   "
            else:
                said = f" alerts unknown: {clean(stale.reason, 80)}   "
            text.append(said, style="bold")
        live = [a for a in alerts if not a.silenced]
        silenced = [a for a in alerts if a.silenced]
        tail = Text(f" {len(silenced)} silenced: ", style="dim") if silenced else Text()
        if silenced:
            tail.append(", ".join(clean(a.name) for a in silenced), style="dim")
        if alertmanager is not None:
            tail.append(f"  silences unknown: {clean(alertmanager, 80)}", style="italic")
        if unavailable is not None:
            tail.append(f"  {clean(unavailable, 80)}", style="italic")
        room = max(self.size.width, 40) - len(tail.plain) - 12
        for shown, alert in enumerate(live):
            chip = self._chip(alert, now)
            if text.cell_len + chip.cell_len > room and shown:
                text.append(f" +{len(live) - shown} more ", style="bold")
                break
            text.append_text(chip)
        text.append_text(tail)
        self.update(text, layout=False)

    def _chip(self, alert: ActiveAlert, now: float) -> Text:
        chip = Text()
        chip.append(f" {alert.state.upper()} ", style=themed(self, BAR_STYLES[alert.state]))
        chip.append(f" {clean(alert.name)}", style="bold")
        if alert.severity:
            chip.append(f" {clean(alert.severity)}")
        if alert.since is not None:
            chip.append(f" {format_since(now - alert.since)}", style="dim")
        if alert.count > 1:
            chip.append(f" ×{alert.count}", style="dim")
        chip.append("   ")
        return chip
