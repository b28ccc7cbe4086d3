"""The zoom screen's chart: the panel's series over the range, in plotext, with axes
and the threshold levels.

Nothing that came from Prometheus reaches plotext: the chart carries no text but
axis labels made here (clock times, numbers and the panel's unit); series names are
shown in the legend, cleaned.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field, replace

from textual import events
from textual.app import RenderResult
from textual.color import Color
from textual_plotext import PlotextPlot

from allintop.draw.chart import (
    RGB,
    Level,
    Mark,
    Points,
    decimate,
    distinct_colours,
    segments,
    time_ticks,
    value_axis,
    value_range,
)

#: A mark this share of the range past the chart's end is drawn at the end.
LATE_SHARE = 0.02


def rgb(color: str) -> RGB:
    return Color.parse(color).rgb


def palette(variables: dict[str, str]) -> list[RGB]:
    """Series colours for the theme whose CSS `variables` these are (on its surface)."""
    background = rgb(variables.get("surface", "#1e1e1e"))
    theme = [rgb(variables[n]) for n in ("primary", "accent", "secondary") if n in variables]
    return distinct_colours(theme, background)


@dataclass(frozen=True, slots=True)
class Line:
    """One series as drawn: its name, colour, points, and current value."""

    name: str
    color: RGB
    points: Points
    latest: float | None


@dataclass(slots=True)
class ChartData:
    """What the chart shows; the levels as configured (the chart places them)."""

    lines: list[Line] = field(default_factory=list)
    levels: list[Level] = field(default_factory=list)
    start: float = 0.0
    end: float = 1.0
    unit: str = ""
    more: int = 0  # series not drawn
    marks: list[Mark] = field(default_factory=list)
    """Annotations and alert spans on the time axis (allintop.ui.screens.zoom_marks)."""


class ZoomChart(PlotextPlot):
    """The plotext chart; replots from its `data` on every update and resize.

    Points beyond what the width can show are decimated first; the value axis spans
    what is drawn, and `levels` says which levels are on it (or above, or below).
    `cost` is how long the last replot and render took, in seconds.
    """

    def __init__(self, *, id: str | None = None) -> None:  # noqa: A002 - Textual's name
        super().__init__(id=id)
        self.data = ChartData()
        self.levels: list[Level] = []
        self.cost = 0.0
        self._replot_cost = 0.0

    def show(self, data: ChartData) -> None:
        self.data = data
        self.replot()

    def on_resize(self, event: events.Resize) -> None:
        self.replot()

    def replot(self) -> None:
        """Clear the data, plot the lines and levels with axes for this size, refresh."""
        began = time.perf_counter()
        plt = self.plt
        data = self.data
        plt.clear_data()
        width, height = self.size
        label_width = 12  # about what the value labels take; the rest are dots
        dots = max((width - label_width) * 2, 1)  # braille: two dots a cell across
        lines = [(line, decimate(line.points, dots)) for line in data.lines]
        values = (v for _, points in lines for _, v in points if v is not None)
        bottom, top, drawn = value_range(values, [lv.threshold.value for lv in data.levels])
        self.levels = [
            level
            if on
            else replace(level, place="above" if level.threshold.value > top else "below")
            for level, on in zip(data.levels, drawn, strict=True)
        ]
        self._mark(bottom, top, (data.end - data.start) / max(width - label_width, 1))
        for level in self.levels:
            if not level.place:
                plt.hline(level.threshold.value, level.color)
        for line, points in lines:
            for xs, ys in segments(points):
                plt.plot(xs, ys, marker="braille", color=line.color)
        yticks, ylabels = value_axis(bottom, top, max((height - 3) // 3, 2), data.unit)
        plt.ylim(bottom, top)
        plt.yticks(yticks, ylabels)
        plt.xlim(data.start, data.end)
        xticks, xlabels = time_ticks(data.start, data.end, max((width - label_width) // 12, 2))
        plt.xticks(xticks, xlabels)
        self.refresh()
        self._replot_cost = time.perf_counter() - began

    def _mark(self, bottom: float, top: float, column: float) -> None:
        """The marks within the range, under the series: an alert's span as a band
        shaded the chart's height (plotext's fill under a line at the top), then each
        annotation as a line across the chart at its time (and at its end, for a
        region). Both are plots: plotext draws its own vertical lines under them. A
        span shorter than a `column` (seconds a cell across) is shaded a cell wide."""
        plt, data = self.plt, self.data
        # The marks are asked at the clock's now, the history ends at its last bucket:
        # what lies just past the end is drawn in the last column.
        slack = (data.end - data.start) * LATE_SHARE
        for mark in sorted(data.marks, key=lambda m: not m.shade):
            if mark.end < data.start or mark.start > data.end + slack:
                continue
            start = min(max(mark.start, data.start), data.end)
            end = min(max(mark.end, start), data.end)
            if mark.shade:
                if end - start < column:
                    start = max(data.start, end - column)
                    end = min(data.end, start + column)
                level = top if top > 0 else bottom
                plt.plot([start, end], [level, level], fillx=True, marker="░", color=mark.color)
                continue
            for moment in sorted({start, end} if mark.end > mark.start else {start}):
                plt.plot([moment, moment], [bottom, top], marker="│", color=mark.color)

    def render(self) -> RenderResult:
        began = time.perf_counter()
        rendered = super().render()
        self.cost = self._replot_cost + time.perf_counter() - began
        return rendered
