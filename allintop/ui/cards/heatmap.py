"""The heatmap card: histogram buckets over time as shaded cells."""

from __future__ import annotations

from rich.cells import cell_len

from allintop.draw.heatmap import SHADES, heatmap
from allintop.ui.cards.body import BodyCard, Line, fit
from allintop.values.text import clean


class HeatmapCard(BodyCard):
    """Histogram buckets over time as shaded cells: one row per bucket (le), the
    highest on top, the range left to right, darker where more observations fell."""

    def body(self, width: int, rows: int) -> list[Line]:
        history = self.history(0)
        buckets = {}
        if history is not None:
            for key, series in history.series.items():
                le = dict(key).get("le")
                if le is not None:
                    buckets[le] = series.values()
        if not buckets:
            if self.states.get(0) is not None and self.states[0].series:
                return [[(fit("no le buckets: not a histogram", width), "tile--dim")]]
            return self.why(width)
        label = min(max(cell_len(clean(le)) for le in buckets) + 1, 8)
        labels, grid = heatmap(buckets, max(width - label, 1), rows)
        return [
            [(fit(clean(le), label), "tile--dim"), ("".join(SHADES[s] for s in row), "tile--heat")]
            for le, row in zip(labels, grid, strict=True)
        ]
