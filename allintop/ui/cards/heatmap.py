"""The heatmap card: histogram buckets over time as shaded cells."""

from __future__ import annotations

import math

from rich.cells import cell_len

from allintop.draw.heatmap import SHADES, bound, heatmap
from allintop.ui.cards.body import BodyCard, Line, fit
from allintop.values.text import clean


class HeatmapCard(BodyCard):
    """Histogram buckets over time as shaded cells: one row per bucket (le), the
    highest on top, the range left to right, darker where more observations fell.
    Classic buckets (cumulative `le` series) and native histograms (their buckets,
    each counting its own observations) alike."""

    def body(self, width: int, rows: int) -> list[Line]:
        history = self.history(0)
        state = self.states.get(0)
        natives = state is not None and state.native
        buckets = {}
        if history is not None:
            for key, series in history.series.items():
                le = dict(key).get("le")
                if le is not None:
                    buckets[le] = series.values()
        if not buckets:
            if state is not None and state.series:
                return [[(fit("no le buckets: not a histogram", width), "tile--dim")]]
            return self.why(width)
        shown = {le: _label(le, natives) for le in buckets}
        label = min(max(cell_len(text) for text in shown.values()) + 1, 8)
        labels, grid = heatmap(buckets, max(width - label, 1), rows, cumulative=not natives)
        return [
            [(fit(shown[le], label), "tile--dim"), ("".join(SHADES[s] for s in row), "tile--heat")]
            for le, row in zip(labels, grid, strict=True)
        ]


def _label(le: str, natives: bool) -> str:
    """A row's label: a classic `le` as written; a native bucket's exact bound (up to
    17 digits) to three significant ones, which fit the label column."""
    value = bound(le)
    return f"{value:.3g}" if natives and math.isfinite(value) else clean(le)
