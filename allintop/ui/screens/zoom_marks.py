"""The zoom screen's annotations and alert history: asked in a worker while the
screen is open (at once, then every REFETCH_EVERY seconds, or when the panel's
alerts change state), drawn on the chart as marks, and listed under the legend.

What Prometheus said (titles, texts, tags, alert names) is shown cleaned, in rich
Text, never as markup; none of it reaches plotext, which gets times and colours.
"""

from __future__ import annotations

import math
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from rich.text import Text
from textual.message import Message
from textual.widgets import Static

from allintop.draw.chart import RGB, Mark
from allintop.live.annotations import (
    REFETCH_EVERY,
    STILL_ON_WITHIN,
    AlertSpan,
    Event,
    Marks,
    fetch_marks,
    filled,
)
from allintop.ui.cards.chart_marks import MarksView, colour_of
from allintop.ui.screens.zoom_chart import rgb
from allintop.ui.view import DashboardView
from allintop.values.text import clean

#: Events listed at most (the latest); the chart draws them all.
LISTED = 8
#: How much of its state's colour an alert's shading takes over the background.
SHADE = 0.45
SPAN_COLOURS = {"firing": "error", "pending": "warning"}


@dataclass
class MarksFetched(Message):
    """A fetch of the marks finished."""

    marks: Marks


class ZoomMarks:
    """When the zoom's marks are asked, and what was found last."""

    def __init__(self) -> None:
        self.marks = Marks()
        self._asked_at = -math.inf
        self._asked: tuple[object, ...] = ()

    def due(self, view: DashboardView, indices: range) -> tuple[str, ...] | None:
        """The panel's alert names, when the marks are to be asked now (else None)."""
        if not isinstance(view, MarksView):
            return None
        known = view.state
        names = tuple(sorted({n for i in indices for n in known.alert_map.get(i, ())}))
        states = tuple(sorted({(a.name, a.state) for i in indices for a in known.markers(i)}))
        annotations = view.queries.dashboard.annotations
        if not names and not annotations:
            return None
        asked = (
            names,
            states,
            annotations,
            view.queries.range,
            tuple(view.queries.variables.items()),
        )
        now = view.clock()
        if asked == self._asked and 0 <= now - self._asked_at < REFETCH_EVERY:
            return None
        self._asked, self._asked_at = asked, now
        return names

    async def fetch(self, view: MarksView, names: Sequence[str], index: int, end: float) -> Marks:
        queries = view.queries
        annotations = filled(queries.dashboard, queries.variables, queries.range)
        bindings = queries.bindings
        clients = view.datasources
        default = queries.dashboard.datasource.name
        return await fetch_marks(
            clients,
            default if default in clients else next(iter(clients)),
            annotations,
            names,
            end - queries.range,
            end,
            alerts_from=bindings[index] if index < len(bindings) else None,
        )


def _blend(colour: RGB, background: RGB, share: float) -> RGB:
    r, g, b = (round(c * share + k * (1 - share)) for c, k in zip(colour, background, strict=True))
    return r, g, b


def span_colour(state: str, variables: Mapping[str, str]) -> RGB:
    """The shading of a span in `state`: its colour (the theme's error for firing,
    warning for pending), faded into the chart's background."""
    background = rgb(variables.get("surface", "#1e1e1e"))
    return _blend(rgb(variables.get(SPAN_COLOURS[state], "red")), background, SHADE)


def still_on(span: AlertSpan, marks: Marks, active: Sequence[tuple[str, str]]) -> bool:
    """Whether a span that reached the end of the range asked is of an alert still in
    that state: it then runs on to now, between fetches."""
    return (span.name, span.state) in active and span.end >= marks.time - STILL_ON_WITHIN


def chart_marks(
    marks: Marks, variables: Mapping[str, str], active: Sequence[tuple[str, str]], end: float
) -> list[Mark]:
    """The marks as the chart draws them: alert spans shaded (one still on runs to
    `end`, the chart's), annotations as lines in their colour."""
    out: list[Mark] = []
    # Firing over pending, where both are shaded in one place (several instances).
    for span in sorted(marks.spans, key=lambda span: span.state == "firing"):
        stop = end if still_on(span, marks, active) else span.end
        out.append(Mark(span.start, stop, span_colour(span.state, variables), shade=True))
    out += (Mark(e.start, e.end, colour_of(e.color, variables)) for e in marks.events)
    return out


def _clock(moment: float) -> str:
    return time.strftime("%H:%M:%S", time.localtime(moment))


def listing(
    marks: Marks, variables: Mapping[str, str], active: Sequence[tuple[str, str]] = ()
) -> Text:
    """The annotations and alert spans, latest first, one a line; what failed, dim."""
    out = Text(no_wrap=True, overflow="ellipsis")
    entries: list[tuple[float, Text]] = []
    for span in marks.spans:
        line = Text(
            "░░ ",
            style="rgb({},{},{})".format(*rgb(variables.get(SPAN_COLOURS[span.state], "red"))),
        )
        until = "now" if still_on(span, marks, active) else _clock(span.end)
        line.append(f"{_clock(span.start)} – {until}  ")
        line.append(f"{clean(span.name, 80)} {span.state}", style="bold")
        entries.append((span.start, line))
    for event in marks.events:
        entries.append((event.start, _event_line(event, variables)))
    entries.sort(key=lambda entry: entry[0], reverse=True)
    for number, (_, line) in enumerate(entries[:LISTED]):
        if number:
            out.append("\n")
        out.append_text(line)
    if len(entries) > LISTED:
        out.append(f"\n+{len(entries) - LISTED} more", style="dim")
    for error in marks.errors:
        out.append(("\n" if out else "") + clean(error, 200), style="dim italic")
    return out


def _event_line(event: Event, variables: Mapping[str, str]) -> Text:
    line = Text("│ ", style="bold rgb({},{},{})".format(*colour_of(event.color, variables)))
    when = _clock(event.start) + (f" – {_clock(event.end)}" if event.region else "")
    line.append(f"{when}  ")
    line.append(clean(event.name, 60), style="dim")
    if event.title:
        line.append("  ")
        line.append(clean(event.title, 120), style="bold")
    if event.text:
        line.append("  " + clean(event.text, 200))
    if event.tags:
        line.append("  [" + ", ".join(clean(t, 40) for t in event.tags) + "]", style="dim")
    return line


class ZoomAnnotations(Static):
    """Under the legend: the annotations and alert spans over the range."""

    def show(
        self, marks: Marks, variables: Mapping[str, str], active: Sequence[tuple[str, str]]
    ) -> None:
        text = listing(marks, variables, active)
        self.display = bool(text)
        self.update(text)
