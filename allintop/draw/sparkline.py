"""A time-true sparkline: one column per slice of the range, gaps left blank.

Textual's own Sparkline stretches whatever data it has over its width and cannot
take gaps (it raises on NaN), so a half-filled history would look like a full one
and a scrape outage would vanish. Here column `i` always covers the same slice of
the dashboard range, missing data is a blank column, and the newest point is at the
right edge, as in Grafana. Pure functions (data and size in, block characters out),
no Textual: the card draws the lines in its own colours (see allintop.ui.cards.stat).
"""

from __future__ import annotations

from collections.abc import Sequence

from allintop.draw.chart import is_flat

BARS = " ▁▂▃▄▅▆▇█"


def columns(data: Sequence[float | None], width: int) -> list[float | None]:
    """Summarise `data` into `width` columns (max of each slice; None where all are gaps)."""
    if width <= 0:
        return []
    n = len(data)
    if n < width:
        # Fewer points than columns: each point spans its share of the width.
        return [data[col * n // width] for col in range(width)] if n else [None] * width
    out: list[float | None] = []
    for col in range(width):
        chunk = [v for v in data[col * n // width : (col + 1) * n // width] if v is not None]
        out.append(max(chunk) if chunk else None)
    return out


def render_lines(data: Sequence[float | None], width: int, height: int) -> list[str]:
    """The sparkline as `height` strings of `width` block characters, top line first."""
    cols = columns(data, width)
    finite = [v for v in cols if v is not None]
    if not finite:
        return [" " * width for _ in range(height)]
    low, high = min(finite), max(finite)
    flat = is_flat(low, high)
    levels = height * 8
    lines: list[str] = []
    for row in reversed(range(height)):
        chars = []
        for value in cols:
            if value is None:
                chars.append(" ")
                continue
            # A constant (or all-zero) series is a low line: nothing is going on, and
            # half- or full-height bars would say there was.
            ratio = 0.0 if flat else (value - low) / (high - low)
            level = max(1, round(ratio * levels)) - row * 8
            chars.append(BARS[min(max(level, 0), 8)])
        lines.append("".join(chars))
    return lines
