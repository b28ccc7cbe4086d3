"""The time series card: a chart in braille, with its axis, levels and legend.

Each braille dot column is a column of the wall-clock grid (allintop.draw.columns),
drawn at its buckets' highest value as the sparkline is (a spike survives; the zoom
chart draws dips too), and the value axis holds still while the data stays inside it
(allintop.draw.scales): a tick inside a column changes only the newest cells and the
legend's values.
"""

from __future__ import annotations

from rich.cells import cell_len

from allintop.dashboard.model import Query
from allintop.draw.braille import LEVEL, plot
from allintop.draw.chart import Mark, mark_cells, value_range
from allintop.draw.columns import ColumnGrid, fitted_grid
from allintop.draw.labels import formatted, levels
from allintop.draw.legend import legend_fit, series_names
from allintop.draw.scales import Scale, held
from allintop.live.reports import QueryState
from allintop.ui.cards.body import BodyCard, Line, fit
from allintop.ui.cards.chart_marks import MarksArrived, card_marks
from allintop.ui.cards.ink import MAX_SERIES
from allintop.ui.view import view_of
from allintop.values.text import clean

#: A drawn series: its name, values over the range (one per bucket, oldest first),
#: latest value, and the index of its newest bucket.
Drawn = tuple[str, list[float | None], float | None, int | None]


class ChartCard(BodyCard):
    """A time series chart in braille: one line per series of each of its queries,
    named by the legend template, the unit on the axis, the first query's target and
    alert levels as dotted lines, and a one-line legend. Axis numbers and the legend's
    values are numbers, never a value mapping's word."""

    #: The value axis drawn last, held while the data stays inside it.
    _scale: Scale | None = None

    def show(self, state: QueryState) -> None:
        super().show(state)
        card_marks(self.app).want(self, self.app)  # the dashboard's annotations, when due

    def on_marks_arrived(self, message: MarksArrived) -> None:
        self.redraw()

    def applied(self) -> None:
        axis = self._axis(self._series())
        if axis is not None:
            self._scale = axis[0]

    def _axis(self, drawn: list[Drawn]) -> tuple[Scale, list[float]] | None:
        """The value axis for the series drawn, and the levels drawn on it (None:
        no values). It is the one kept while the data and its levels stay inside it;
        a new one has value_range's margin for headroom."""
        wanted = levels(self.queries[0])
        values = [v for _, values, _, _ in drawn for v in values if v is not None]
        if not values:
            return None
        bottom, top, on = value_range(values, wanted)
        shown = [level for level, ok in zip(wanted, on, strict=True) if ok]
        low, high = min([*values, *shown]), max([*values, *shown])
        return held(self._scale, low, high, Scale(bottom, top)), shown

    def body(self, width: int, rows: int) -> list[Line]:
        drawn = self._series()
        if not drawn:
            return self.why(width)
        query = self.queries[0]
        found = self._axis(drawn)
        if found is None:
            return self.why(width)
        scale, shown = found
        bottom, top = scale.low, scale.high
        # The panel's own min and max (Grafana's axis bounds) widen the axis: a disk
        # at 68.7 % on a 0-100 axis, not a wobble of 0.05 % drawn full height.
        if self.panel.min is not None:
            bottom = min(bottom, self.panel.min)
        if self.panel.max is not None:
            top = max(top, self.panel.max)
        axis = [formatted(top, query), formatted(bottom, query)]
        label = min(max(cell_len(a) for a in axis) + 1, width // 3)
        chart_rows = rows - 1 if rows >= 3 else rows
        columns = max(width - label, 1)
        # Two braille dots across a cell: at most a grid column each, and a range of
        # fewer columns than dots is joined by lines across the width.
        grids = [fitted_grid(values, newest, columns * 2) for _, values, _, newest in drawn]
        cells = plot([grid.highs() for grid in grids], columns, chart_rows, bottom, top, shown)
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
        self._mark(lines[-1], label, columns, grids[0])
        if rows >= 3:
            lines.append(self._legend(drawn, width))
        return lines

    def _mark(self, line: Line, label: int, columns: int, grid: ColumnGrid) -> None:
        """The annotations along the chart's bottom line, in their colours: a moment
        as ▲, a region as ▬ from its start to its end, in the cell whose grid columns
        hold its time."""
        view = view_of(self.app)
        store = card_marks(self.app)
        if view is None or not store.marks.events:
            return
        start, end = grid.seconds(view.poller.bucket)
        # mark_cells spreads [start, end] over the cells' starts: the last cell's start.
        end -= (end - start) / max(columns, 1)
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
                out.append(
                    (clean(name or query.title), series.values(), series.latest, series.newest)
                )
        return out[:MAX_SERIES]

    def _legend(self, drawn: list[Drawn], width: int) -> Line:
        """Each series' swatch, name and latest value, as many as fit, and "+N" for
        every series not named (never dropped); a first name too long is cut."""
        entries = []
        for name, _, latest, _ in drawn:
            value = formatted(latest, self.queries[0]) if latest is not None else "—"
            entries.append((name, value))
        texts = [f" {name} {value} " for name, value in entries]
        total = max(self._total(), len(drawn))
        shown, cut = legend_fit([1 + cell_len(t) for t in texts], total, width)
        if cut is not None:  # the name gives way, the value stays
            name, value = entries[0]
            room = cut - 1 - cell_len(f"  {value} ")
            texts[0] = f" {fit(name, room)} {value} " if room > 0 else fit(texts[0], cut - 1)
        line: Line = []
        for k, text in enumerate(texts[:shown]):
            line += [("━", f"tile--s{k}"), (text, "tile--body")]
        if total > shown:
            line.append((f"+{total - shown}", "tile--dim"))
        return line

    def _total(self) -> int:
        """Series the chart's queries have (it draws MAX_SERIES of them at most)."""
        total = 0
        for offset in range(len(self.queries)):
            history, state = self.history(offset), self.states.get(offset)
            if history is not None and not (state is not None and state.native):
                total += len(history.series)
        return total


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
