"""The dashboard's widgets: the alerts bar and the panel cards.

Every text that came from Prometheus (label values, error messages, alert names)
goes through `allintop.values.text.clean` and is shown as `rich.text.Text`, never parsed as
markup. Updates touch only what changed, and never the layout: a tick repaints the
lines of a card that changed, it does not recompose.
"""

from __future__ import annotations

import os
import time
from collections.abc import Sequence
from dataclasses import dataclass

from rich.console import Console
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual import events
from textual.cache import LRUCache
from textual.dom import NoScreen
from textual.errors import NoWidget
from textual.geometry import Region
from textual.message import Message
from textual.strip import Strip
from textual.widget import Widget
from textual.widgets import Static

from allintop.dashboard.model import Panel
from allintop.draw.sparkline import render_lines
from allintop.errors import PrometheusError, QueryError
from allintop.live.alerting import ActiveAlert, scrape_error_summary
from allintop.live.reports import PanelState
from allintop.sources.answers import Target
from allintop.ui.theme import themed
from allintop.values.durations import format_since
from allintop.values.text import clean
from allintop.values.thresholds import Status
from allintop.values.units import format_value

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
    """One panel, drawn by itself line by line: title, current value with unit,
    sparkline rows, detail line.

    One widget, not five: a tick stores the state (`show`), works out which lines it
    changes, and refreshes only those; the texts and block characters are made in
    `render_line`, when Textual paints a line, so a card off screen does no work. Lines
    are kept in an LRU cache keyed on what they show (a content version, the width, the
    resolved style); a new theme or style clears it.

    The status (ok / warning / critical / unknown / plain) and any alert on the panel
    (-firing / -pending) are CSS classes, and each part's colours are component
    classes styled in the stylesheet, so they follow the theme.
    """

    COMPONENT_CLASSES = {"card--title", "card--value", "card--spark", "card--detail"}

    def __init__(self, panel: Panel, index: int) -> None:
        super().__init__(id=f"panel-{index}", classes="-unknown")
        self.panel = panel
        self.index = index
        self.state: PanelState | None = None
        self.alerts: tuple[ActiveAlert, ...] = ()
        self.down: tuple[Target, ...] = ()
        self.now = 0.0
        self._title = Text(clean(panel.title), no_wrap=True)
        # Bumped when the value or detail line may read differently.
        self._value_version = 0
        self._detail_version = 0
        self._lines: LRUCache[tuple[object, ...], Strip] = LRUCache(48)
        self._spark: tuple[tuple[int, int, int], list[str]] | None = None

    # -- what a tick changes --

    def show(self, state: PanelState) -> None:
        """Apply a tick's state; only the lines it changes are repainted."""
        previous = self.state
        self.state = state
        if previous is None or previous.status is not state.status:
            shown = self.shown_status(state)
            for status, css in STATUS_CLASSES.items():
                self.set_class(status == shown, css)
            self.set_class(shown == "plain", "-plain")
        height = self.size.height
        if previous is None or _value_key(previous) != _value_key(state):
            self._value_version += 1
            self._refresh_rows(VALUE_ROW, 1)
        if previous is None or previous.version != state.version:
            self._refresh_spark(max(height - 3, 1))
        if previous is None or _detail_key(previous) != _detail_key(state):
            self._detail_version += 1
            self._refresh_rows(max(height - 1, 0), 1)

    def mark(self, alerts: Sequence[ActiveAlert], down: Sequence[Target], now: float) -> None:
        """Show the alerts on this panel and the down targets it reads."""
        alerts, down = tuple(alerts), tuple(down)
        if alerts == self.alerts and down == self.down and (not alerts or now - self.now < 1):
            return
        value_changed = bool(down) != bool(self.down)
        self.alerts, self.down, self.now = alerts, down, now
        live = [a for a in alerts if not a.silenced]
        self.set_class(any(a.state == "firing" for a in live), "-firing")
        self.set_class(bool(live) and all(a.state == "pending" for a in live), "-pending")
        if value_changed:  # "target down" instead of "no data"
            self._value_version += 1
            self._refresh_rows(VALUE_ROW, 1)
        self._detail_version += 1
        self._refresh_rows(max(self.size.height - 1, 0), 1)

    def _refresh_spark(self, rows: int) -> None:
        """Repaint the sparkline rows a new history changes. On a card on screen the
        rows are worked out now (a fraction of what repainting one costs), so a tick
        that moves only the bottom row repaints only that; elsewhere they are left
        until the card is painted."""
        drawn = self._spark
        if drawn is None or not self._on_screen():
            self._refresh_rows(SPARK_ROW, rows)
            return
        new = self._spark_rows(self.size.width, rows)
        if len(new) != len(drawn[1]):
            self._refresh_rows(SPARK_ROW, rows)
            return
        for row, (old_line, new_line) in enumerate(zip(drawn[1], new, strict=True)):
            if old_line != new_line:
                self._refresh_rows(SPARK_ROW + row, 1)

    def _on_screen(self) -> bool:
        try:
            return self.screen.region.overlaps(self.region)
        except (NoScreen, NoWidget):  # not laid out (yet, or any more)
            return False

    def _refresh_rows(self, first: int, count: int) -> None:
        if self.is_mounted:
            self.refresh(Region(0, first, self.outer_size.width, count))

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._lines.clear()

    # -- drawing --

    def render_line(self, y: int) -> Strip:
        width, height = self.size
        if width <= 0:
            return Strip.blank(0)
        if y == TITLE_ROW:
            part, key = "card--title", ()
        elif y == VALUE_ROW:
            part, key = "card--value", (self._value_version, no_colour())
        elif y == height - 1:
            part, key = "card--detail", (self._detail_version,)
        else:
            part = "card--spark"
            state = self.state
            key = (y, height, state.version if state is not None else -1)
        style = self.get_component_rich_style(part)
        cache_key = (part, width, style, *key)
        strip = self._lines.get(cache_key)
        if strip is None:
            strip = self._draw(part, y, width, height, style)
            self._lines[cache_key] = strip
        return strip

    def _draw(self, part: str, y: int, width: int, height: int, style: Style) -> Strip:
        if part == "card--spark":
            rows = self._spark_rows(width, max(height - 3, 1))
            row = y - SPARK_ROW
            chars = rows[row] if 0 <= row < len(rows) else ""
            return Strip([Segment(chars.ljust(width)[:width], style)], width)
        if part == "card--title":
            text = self._title
        elif part == "card--value":
            text = value_text(self.state, self.panel, self.down, no_colour())
        else:
            text = detail_text(self.state, width, self.alerts, self.down, self.now)
        return _text_strip(self.app.console, text, style, width)

    def _spark_rows(self, width: int, rows: int) -> list[str]:
        """The sparkline's rows for this size and history version (computed once)."""
        state = self.state
        key = (state.version if state is not None else -1, width, rows)
        if self._spark is None or self._spark[0] != key:
            data = state.history if state is not None else ()
            self._spark = (key, render_lines(data, width, rows))
        return self._spark[1]

    # -- reading it --

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

    def spark_plain(self) -> list[str]:
        """The sparkline rows as drawn at the card's size (tests read them)."""
        height = self.size.height
        return [self.render_line(y).text for y in range(SPARK_ROW, height - 1)]


TITLE_ROW, VALUE_ROW, SPARK_ROW = 0, 1, 2


def _value_key(state: PanelState) -> tuple[object, ...]:
    """What the value line depends on in a state (errors compare by identity)."""
    return (state.value, state.error, state.reason, state.status)


def _detail_key(state: PanelState) -> tuple[object, ...]:
    """What the detail line depends on in a state."""
    top = state.series[0].name if state.series else None
    return (state.error, state.warnings[:1], top, state.total)


def _text_strip(console: Console, text: Text, style: Style, width: int) -> Strip:
    """`text` on one line of `width` cells in the part's `style`, cut with an ellipsis."""
    line = Text(style=style, no_wrap=True, overflow="ellipsis", end="")
    line.append_text(text)
    line.truncate(width, overflow="ellipsis", pad=True)
    # Every segment gets a style (a segment without one would stop NO_COLOR's filter).
    return Strip(Segment.apply_style(line.render(console), style), width)


class RowTitle(Static):
    """A row's title bar.

    A Grafana row's (`collapsible`) says whether it is expanded (▾) or collapsed (▸,
    with how many panels it holds), takes the focus, and a click on it asks the app
    to collapse or expand it. A panels.yaml row's is its title, as ever.
    """

    @dataclass
    class Toggled(Message):
        """Clicked: collapse or expand row number `row`."""

        row: int

    def __init__(
        self,
        title: str,
        row: int = 0,
        *,
        collapsible: bool = False,
        collapsed: bool = False,
        count: int = 0,
    ) -> None:
        self.title = clean(title)
        self.row = row
        self.collapsible = collapsible
        self.collapsed = collapsed and collapsible
        self.count = count
        super().__init__(self._text(), markup=False, classes=self._classes())
        self.can_focus = collapsible

    def set_collapsed(self, collapsed: bool) -> None:
        self.collapsed = collapsed
        self.set_class(collapsed, "-collapsed")
        self.update(self._text())

    def _classes(self) -> str:
        return " ".join(
            name
            for name, on in (("-collapsible", self.collapsible), ("-collapsed", self.collapsed))
            if on
        )

    def _text(self) -> Text:
        if not self.collapsible:
            return Text(self.title)
        text = Text(f"{'▸' if self.collapsed else '▾'} {self.title}")
        if self.collapsed and self.count:
            panels = "panel" if self.count == 1 else "panels"
            text.append(f"  ({self.count} {panels})", style="dim")
        return text

    def on_click(self, event: events.Click) -> None:
        if self.collapsible:
            event.stop()
            self.post_message(self.Toggled(self.row))


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
