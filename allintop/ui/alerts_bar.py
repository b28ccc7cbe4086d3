"""The alerts bar: firing and pending alerts under the header."""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass

from rich.text import Text
from textual.widgets import Static

from allintop.live.alerting import ActiveAlert
from allintop.live.silencing import when as local_time
from allintop.ui.theme import themed
from allintop.values.durations import format_since
from allintop.values.text import clean

#: How an alert's state is shown on the bar.
BAR_STYLES = {"firing": "bold $background on $error", "pending": "bold $background on $warning"}


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
            # Who, until when and why, where that leaves the live alerts room.
            room = max(self.size.width, 80) // 2
            told = ", ".join(clean(a.name) for a in silenced)
            for why in (True, False):
                said = ", ".join(self._silenced(a, now, why=why) for a in silenced)
                if len(said) <= room:
                    told = said
                    break
            tail.append(told, style="dim")
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

    @staticmethod
    def _silenced(alert: ActiveAlert, now: float, *, why: bool) -> str:
        """ "HighMemoryUsage (alice until 14:05: deploy)": who, until when (and why)."""
        if not alert.silences:
            return clean(alert.name)  # inhibited, or silenced by what is not listed
        first = alert.silences[0]
        until = f"{clean(first.created_by, 20)} until {local_time(first.ends_at, now)}"
        said = f": {clean(first.comment, 30)}" if first.comment and why else ""
        more = f" +{len(alert.silences) - 1}" if len(alert.silences) > 1 else ""
        return f"{clean(alert.name)} ({until}{said}{more})"

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
