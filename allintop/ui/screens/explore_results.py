"""Explore's answer on screen: the zoom's chart, one line per series, and a table of
the values at the range's end, sortable by either column (click its header, or `o`
on the table to turn the order).

Series names and label values are the server's: shown cleaned, as plain text.
"""

from __future__ import annotations

import math

from rich.text import Text
from textual.binding import Binding
from textual.widgets import DataTable

from allintop.draw.chart import RGB
from allintop.draw.legend import series_names
from allintop.live.explore import Explored, selector_text
from allintop.live.history import label_key
from allintop.sources.answers import Series
from allintop.ui.screens.zoom_chart import ChartData, Line
from allintop.values.text import clean
from allintop.values.units import format_value


def _points(series: Series, explored: Explored) -> list[tuple[float, float | None]]:
    """The series on the query's grid, a step with no value a gap (None)."""
    values = {round(t, 3): v for t, v in zip(series.timestamps, series.values, strict=False)}
    points: list[tuple[float, float | None]] = []
    steps = int(round((explored.end - explored.start) / explored.step))
    for k in range(steps + 1):
        t = round(explored.start + k * explored.step, 3)
        value = values.get(t)
        points.append((t, None if value is None or math.isnan(value) else value))
    if series.timestamps and not values.keys() & {t for t, _ in points}:
        # Not on the grid asked for (an engine that aligns steps its own way).
        points = [(t, None if math.isnan(v) else v) for t, v in values.items()]
    return points


def chart_data(explored: Explored, colours: list[RGB]) -> ChartData:
    """The chart of the answer's series, named by the labels that tell them apart."""
    keys = [label_key(series.labels) for series in explored.series]
    names, _ = series_names(keys, None)
    lines = []
    for k, (key, series) in enumerate(zip(keys, explored.series, strict=True)):
        points = _points(series, explored)
        latest = next((v for _, v in reversed(points) if v is not None), None)
        name = names[key] or selector_text(series.labels)
        lines.append(Line(name, colours[k % len(colours)], points, latest))
    return ChartData(lines, [], explored.start, explored.end, "", 0)


class ValuesTable(DataTable[Text]):
    """Each series' value at the range's end: the series as PromQL writes it, and
    the value; `o` (or a click on a header) sorts by that column, again: the
    other way."""

    BINDINGS = [Binding("o", "turn", "Sort", tooltip="sort by the value, or by the series")]

    def __init__(self) -> None:
        super().__init__(id="explore-values", cursor_type="row", zebra_stripes=True)
        self.rows_shown: list[tuple[str, float]] = []
        self.by = "value"
        self.descending = True

    def on_mount(self) -> None:
        self.add_column(Text("series"), key="series")
        self.add_column(Text("value", justify="right"), key="value")

    def show(self, explored: Explored) -> None:
        self.rows_shown = [(selector_text(s.labels), s.value) for s in explored.values]
        self._fill()

    def _fill(self) -> None:
        def order(row: tuple[str, float]) -> tuple[float, str]:
            value = -math.inf if math.isnan(row[1]) else row[1]
            return (value, row[0]) if self.by == "value" else (0.0, row[0])

        self.clear()
        rows = sorted(self.rows_shown, key=order, reverse=self.descending)
        for name, value in rows:
            number, unit = format_value(value, "", None)
            shown = Text(f"{number} {unit}".strip(), justify="right")
            self.add_row(Text(clean(name, 300)), shown)

    def action_turn(self) -> None:
        """Value, highest first -> value, lowest first -> series A-Z -> Z-A -> ..."""
        if self.by == "value" and self.descending:
            self.descending = False
        elif self.by == "value":
            self.by, self.descending = "series", False
        elif not self.descending:
            self.descending = True
        else:
            self.by, self.descending = "value", True
        self._fill()

    def on_data_table_header_selected(self, event: DataTable.HeaderSelected) -> None:
        column = str(event.column_key.value)
        if column == self.by:
            self.descending = not self.descending
        else:
            self.by, self.descending = column, column == "value"
        self._fill()
