"""A Grafana stat of several queries: every series of every query, one cell each.

Grafana's stat shows each query's series side by side (or stacked) in one panel; the
StatCard draws one query, so a stat panel of several is this body card, drawing the
same cells (allintop.ui.cards.stat_cells) over all of its queries' series. The
detail line says what is wrong, else how many values did not fit.
"""

from __future__ import annotations

from rich.text import Text

from allintop.ui.cards.body import BodyCard, Line
from allintop.ui.cards.stat_cells import Entry, Scales, entries, grid_lines, keep_scales, layout


class StatsCard(BodyCard):
    """A stat panel of several queries: one cell per series of each."""

    #: Values that did not fit at the size last drawn.
    _hidden = 0
    #: Each cell's sparkline scale, held while its data fits (made on first use).
    _scales: Scales | None = None

    def applied(self) -> None:
        if self._scales is None:
            self._scales = {}
        shown = [
            entry
            for offset, query in enumerate(self.queries)
            if (state := self.states.get(offset)) is not None and state.error is None
            for entry in entries(state, query, self.panel, self.history(offset))
        ]
        keep_scales(self._scales, shown)

    def body(self, width: int, rows: int) -> list[Line]:
        shown: list[Entry] = []
        total = 0
        for offset, query in enumerate(self.queries):
            state = self.states.get(offset)
            if state is None or state.error is not None:
                continue
            shown += entries(state, query, self.panel, self.history(offset))
            total += max(state.total, len(state.series))
        if not shown:
            self._hidden = 0
            return self.why(width)
        grid = layout(shown, total, width, rows, self.panel)
        self._hidden = total - grid.shown
        return grid_lines(shown, grid, rows, self.panel, self._scales)

    def _detail(self, width: int) -> Text:
        self.body_lines(width, max(self.size.height - 2, 1))  # what fits at this size
        text = super()._detail(width)
        if text.plain or not self._hidden:
            return text
        return Text(f"+{self._hidden} more", style="dim")  # Enter lists them all
