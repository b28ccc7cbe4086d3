"""What of a chart's legend fits on its one line: the entries (a swatch, the name,
the latest value) most important first, and "+N" for the series left unnamed.

Pure arithmetic on cell counts, no Textual: the chart card measures and cuts the text.
"""

from __future__ import annotations

from collections.abc import Sequence

#: Cells the first entry keeps when it is cut: a swatch, a space, a letter and "…".
FIRST_MIN = 4


def legend_fit(entries: Sequence[int], total: int, width: int) -> tuple[int, int | None]:
    """How many of the legend's `entries` (each one's cells) fit in `width` cells
    beside the "+N" that counts the rest of `total` series; and, when not even the
    first fits whole, the cells it is cut to (None: every shown entry whole).

    "+N" is never dropped while series are hidden: an entry gives way to it. A legend
    that names no series says nothing, so a first entry too long is cut, not left out.
    """
    total = max(total, len(entries))
    for shown in range(len(entries), 0, -1):
        if sum(entries[:shown]) + _more(total - shown) <= width:
            return shown, None
    room = width - _more(total - 1)
    if entries and room >= FIRST_MIN:
        return 1, room
    return 0, None


def _more(hidden: int) -> int:
    """Cells of "+N" for `hidden` series (none when nothing is hidden)."""
    return len(f"+{hidden}") if hidden > 0 else 0
