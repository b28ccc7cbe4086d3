"""Gauge and bar gauge: one bar per series, min..max, in its threshold colour; each
series' value its own (the panel's reducer over that series' history)."""

from __future__ import annotations

import math
from collections.abc import Sequence

from rich.cells import cell_len
from rich.text import Text

from allintop.dashboard.model import Query
from allintop.draw.bars import bar, bounds, marks, widths
from allintop.draw.labels import formatted, levels
from allintop.draw.stat_grid import StatGrid, side_by_side, stat_grid
from allintop.live.reports import SeriesView
from allintop.ui.cards.body import MAX_LABEL, BodyCard, Line, fit, status_part
from allintop.ui.cards.stat_cells import (
    CURRENT,
    distinct_names,
    name_room,
    series_value,
    told_apart,
)
from allintop.values.text import clean
from allintop.values.thresholds import Status, status_of


class GaugeCard(BodyCard):
    """Gauge and bar gauge: one bar per series, min..max, in its threshold colour,
    with the thresholds marked on the empty part of the bar. A lone series is one big
    gauge: its value above the bar, the span under it."""

    #: Bars that did not fit at the size last drawn.
    _hidden = 0

    def body(self, width: int, rows: int) -> list[Line]:
        self._hidden = 0
        entries = [
            entry
            for offset, query in enumerate(self.queries)
            if (state := self.states.get(offset)) is not None
            for entry in self._reduced(offset, query, state.series)
        ]
        if not entries:
            return self.why(width)
        low, high = self._bounds([value for _, value, _, _ in entries])
        lone = len(entries) == 1
        names = [clean(name) for name, _, _, _ in entries]
        label = 0 if lone else min(max(cell_len(n) for n in names) + 1, MAX_LABEL, width // 3)
        texts = [formatted(value, query, self.panel.mappings) for _, value, _, query in entries]
        if self.panel.kind == "gauge" and not lone:
            grid = self._grid(names, texts, width, rows)
            if grid is not None:  # Grafana's gauges side by side, each its own dial
                return _cells(grid, entries, names, texts, (low, high), rows)
        if lone and rows >= 3:
            return self._big(entries[0], texts[0], (low, high), width)
        # The number whole: the bar, then the name, give way first.
        label, room, number = widths(width, label, max(cell_len(t) for t in texts) + 1)
        names = told_apart(names, label)
        # As many bars as there are lines; the rest are counted on the detail line,
        # unless the last bar is all there is to count: it takes that line instead.
        spill = len(entries) == rows + 1 and self._spare_line(width)
        shown = entries[: rows + 1 if spill else rows]
        self._hidden = len(entries) - len(shown)
        lines = []
        for (_, value, status, query), name, text in zip(shown, names, texts, strict=False):
            cells = bar(value, low, high, room)
            lines.append(
                [
                    (fit(name, label), "tile--body"),
                    *_bar_pieces(cells, marks(levels(query), low, high, room), status, query),
                    (fit(" " + text, number), status_part(status, query)),
                ]
            )
        return lines

    def _big(
        self,
        entry: tuple[str, float, Status, Query],
        text: str,
        span: tuple[float, float],
        width: int,
    ) -> list[Line]:
        """A lone series with room for it: its value, a bar the tile's width, the span."""
        _, value, status, query = entry
        low, high = span
        mappings = self.panel.mappings
        cells = bar(value, low, high, width)
        ends = f"{formatted(low, query, mappings)} … {formatted(high, query, mappings)}"
        return [
            [(fit(text, width), status_part(status, query))],
            _bar_pieces(cells, marks(levels(query), low, high, width), status, query),
            [(fit(ends, width), "tile--dim")],
        ]

    def _spare_line(self, width: int) -> bool:
        """Whether the detail line is free for a bar: the tile has one, and nothing
        (an alert, an error, a target down) to say on it."""
        return self.size.height > 2 and not super()._detail(width).plain

    def line_part(self, y: int, height: int) -> str:
        part = super().line_part(y, height)
        if part == "tile--detail" and len(self.body_lines(self.size.width, height - 2)) > y - 1:
            return "tile--body"  # the last bar, on the line "+1 more" would take
        return part

    def _detail(self, width: int) -> Text:
        """What is wrong, else how many bars did not fit (Enter lists them all)."""
        self.body_lines(width, max(self.size.height - 2, 1))  # what fits at this size
        text = super()._detail(width)
        if text.plain or not self._hidden:
            return text
        return Text(f"+{self._hidden} more", style="dim")

    def _grid(self, names: list[str], texts: list[str], width: int, rows: int) -> StatGrid | None:
        """Where several gauges go when the tile puts them side by side (Grafana's
        auto orientation in a wide tile, or vertical) and every one fits; None: one
        bar a line, as a bar gauge."""
        if not side_by_side(width, rows, self.panel.orientation):
            return None
        value_width = max(cell_len(t) for t in texts)
        name_width = max(cell_len(n) for n in names)
        grid = stat_grid(
            len(names),
            width,
            rows,
            value_width,
            name_width,
            names=True,
            orientation="vertical",
            extra=1,
        )
        return grid if not grid.hidden and grid.columns > 1 else None

    def _reduced(
        self, offset: int, query: Query, series: Sequence[SeriesView]
    ) -> list[tuple[str, float, Status, Query]]:
        """Each series' name, value and status: its newest value for last /
        lastNotNull, else the panel's reducer over its own history (Grafana reduces
        each series by itself)."""
        reducer = self.panel.reducer
        names = distinct_names(series, query)
        if reducer in CURRENT:
            return [
                (name or query.title, s.value, s.status, query)
                for s, name in zip(series, names, strict=True)
            ]
        history = self.history(offset)
        out = []
        for s, name in zip(series, names, strict=True):
            values = history.values(s.labels) if history is not None else []
            value = series_value(s, reducer, values)
            shown = math.nan if value is None else value
            out.append((name or query.title, shown, status_of(value, query.thresholds), query))
        return out

    def _bounds(self, values: list[float]) -> tuple[float, float]:
        high = self.panel.max
        if high is None and self.queries[0].unit == "%" and all(v <= 100 for v in values):
            high = 100.0
        return bounds(values, self.panel.min, high)


def _bar_pieces(cells: str, where: list[int], status: Status, query: Query) -> Line:
    """The bar in its status colour, a threshold's cell marked where it is empty."""
    chars = list(cells)
    for cell in where:
        if chars[cell] == " ":
            chars[cell] = "┊"
    filled = len(cells.rstrip(" "))
    return [
        ("".join(chars[:filled]), status_part(status, query)),
        ("".join(chars[filled:]), "tile--dim"),
    ]


def _cells(
    grid: StatGrid,
    entries: list[tuple[str, float, Status, Query]],
    names: list[str],
    texts: list[str],
    span: tuple[float, float],
    rows: int,
) -> list[Line]:
    """Gauges side by side: each cell its name and value over its bar, row by row of
    cells."""
    lines: list[Line] = [[] for _ in range(rows)]
    placed = list(grid.cells())
    rooms = (name_room(texts[cell.index], cell, grid) for cell in placed)
    names = told_apart(names, min(rooms, default=0))
    for cell in placed:
        _, value, status, query = entries[cell.index]
        part = status_part(status, query)
        width = cell.width
        if grid.wide:
            room = name_room(texts[cell.index], cell, grid)
            text: list[Line] = [[(fit(names[cell.index], room) + " ", "tile--dim"),
                                 (texts[cell.index], part)]]  # fmt: skip
        else:
            text = [
                [(fit(names[cell.index], width), "tile--dim")],
                [(fit(texts[cell.index], width), part)],
            ]
        cells = bar(value, *span, width)
        drawn = [*text, _bar_pieces(cells, marks(levels(query), *span, width), status, query)]
        for offset, pieces in enumerate(drawn):
            y = cell.y + offset
            if y < rows:
                lines[y] += ([(" ", "tile--dim")] if cell.x else []) + pieces
    return lines
