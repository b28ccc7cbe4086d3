"""The time series card: a chart in braille, with its axis, levels and legend."""

from __future__ import annotations

import math

from rich.cells import cell_len

from allintop.dashboard.model import Query
from allintop.draw.braille import LEVEL, plot
from allintop.draw.chart import Mark, mark_cells, series_names, value_range
from allintop.draw.labels import formatted, levels
from allintop.live.reports import QueryState
from allintop.ui.cards.body import MAX_SERIES, BodyCard, Line, fit
from allintop.ui.cards.chart_marks import MarksArrived, card_marks
from allintop.ui.view import view_of
from allintop.values.text import clean

#: A drawn series: its name, values over the range, and latest value.
Drawn = tuple[str, list[float | None], float | None]


class ChartCard(BodyCard):
    """A time series chart in braille: one line per series of each of its queries,
    named by the legend template, the unit on the axis, the first query's target and
    alert levels as dotted lines, and a one-line legend. Axis numbers and the legend's
    values are numbers, never a value mapping's word."""

    def show(self, state: QueryState) -> None:
        super().show(state)
        card_marks(self.app).want(self, self.app)  # the dashboard's annotations, when due

    def on_marks_arrived(self, message: MarksArrived) -> None:
        self.redraw()

    def body(self, width: int, rows: int) -> list[Line]:
        drawn = self._series()
        if not drawn:
            return self.why(width)
        query = self.queries[0]
        wanted = levels(query)
        values = [v for _, values, _ in drawn for v in values if v is not None]
        if not values:
            return self.why(width)
        bottom, top, on = value_range(values, wanted)
        # The panel's own min and max (Grafana's axis bounds) widen the axis: a disk
        # at 68.7 % on a 0-100 axis, not a wobble of 0.05 % drawn full height.
        if self.panel.min is not None:
            bottom = min(bottom, self.panel.min)
        if self.panel.max is not None:
            top = max(top, self.panel.max)
        shown = [level for level, ok in zip(wanted, on, strict=True) if ok]
        axis = [formatted(top, query), formatted(bottom, query)]
        label = min(max(cell_len(a) for a in axis) + 1, width // 3)
        chart_rows = rows - 1 if rows >= 3 else rows
        cells = plot(
            [values for _, values, _ in drawn],
            max(width - label, 1),
            chart_rows,
            bottom,
            top,
            shown,
        )
        level_parts = _level_parts(query, shown)
        lines: list[Line] = []
        for y, row in enumerate(cells):
            text = axis[0] if y == 0 else axis[1] if y == len(cells) - 1 else ""
            line: Line = [(fit(text, label), "tile--dim")]
            for cell in row:
                owner = cell.owner
                if owner is None:
                    part = "tile--body"
                elif owner >= 0:
                    part = f"tile--s{owner % MAX_SERIES}"
                else:
                    part = level_parts[LEVEL - owner]
                line.append((cell.char, part))
            lines.append(line)
        self._mark(lines[-1], label, width - label)
        if rows >= 3:
            lines.append(self._legend(drawn, width))
        return lines

    def _mark(self, line: Line, label: int, columns: int) -> None:
        """The annotations along the chart's bottom line, in their colours: a moment
        as ▲, a region as ▬ from its start to its end."""
        view = view_of(self.app)
        store = card_marks(self.app)
        if view is None or not store.marks.events:
            return
        bucket = view.poller.bucket
        end = math.floor(view.clock() / bucket) * bucket
        start = end - (view.poller.capacity - 1) * bucket
        marks = store.chart_marks(self.app.get_css_variables())
        for column, mark in mark_cells(marks, start, end, columns).items():
            if 1 + column < len(line):
                line[1 + column] = (_marker(mark), "rgb({},{},{})".format(*mark.color))

    def _series(self) -> list[Drawn]:
        """(name, values, latest) of the top series of every query, most important
        first, at most MAX_SERIES in all."""
        out: list[Drawn] = []
        several = len(self.queries) > 1
        for offset, query in enumerate(self.queries):
            history = self.history(offset)
            state = self.states.get(offset)
            if history is None or (state is not None and state.native):
                # A native histogram's buckets are for a heatmap: the chart says so.
                continue
            ranked = history.ranked()[:MAX_SERIES]
            names, _ = series_names([key for key, _ in ranked], query.legend)
            for key, series in ranked:
                name = names[key] or (query.title if several else "")
                out.append((clean(name or query.title), series.values(), series.latest))
        return out[:MAX_SERIES]

    def _legend(self, drawn: list[Drawn], width: int) -> Line:
        line: Line = []
        used = 0
        for k, (name, _, latest) in enumerate(drawn):
            value = formatted(latest, self.queries[0]) if latest is not None else "—"
            entry = f" {name} {value} "
            if used + 1 + cell_len(entry) > width:
                rest = f"+{len(drawn) - k}"
                if used + cell_len(rest) <= width:
                    line.append((rest, "tile--dim"))
                break
            line += [("━", f"tile--s{k}"), (entry, "tile--body")]
            used += 1 + cell_len(entry)
        return line


def _marker(mark: Mark) -> str:
    return "▬" if mark.end > mark.start else "▲"


def _level_parts(query: Query, shown: list[float]) -> list[str]:
    """The component class of each level drawn: the target's, the alert's, else dim."""
    thresholds = query.thresholds
    parts = []
    if thresholds is not None:
        if thresholds.target is not None and thresholds.target.value in shown:
            parts.append("tile--target")
        if thresholds.alert is not None and thresholds.alert.value in shown:
            parts.append("tile--alert")
    return parts + ["tile--dim"] * (len(shown) - len(parts))
