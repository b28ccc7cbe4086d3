"""A legend: what names each series (`series_names`), and what of a chart's legend
fits on its one line: the entries (a swatch, the name, the latest value) most
important first, and "+N" for the series left unnamed.

Pure, no Textual: the chart card measures and cuts the text.
"""

from __future__ import annotations

from collections.abc import Sequence

from allintop.live.history import LabelKey
from allintop.live.reports import legend

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


def series_names(
    keys: Sequence[LabelKey], template: str | None
) -> tuple[dict[LabelKey, str], tuple[str, ...]]:
    """Legend names, and the label names they are made of (empty with a template).

    The panel's template names the series if it has one. Otherwise the labels that
    tell the series apart name them, by value in label order ("GET /api/posts 200",
    the legend saying once "by method, route, status_code"): labels every series
    shares (job, instance) say nothing there, and `name=` prefixes would push the
    values out of a narrow column. A lone series keeps all its labels.
    """
    if template or len(keys) < 2:
        return {key: legend(dict(key), template) for key in keys}, ()
    label_sets = [dict(key) for key in keys]
    names = sorted({name for labels in label_sets for name in labels} - {"__name__"})
    varying = tuple(n for n in names if len({labels.get(n) for labels in label_sets}) > 1)
    if not varying:
        return {key: legend(dict(key), None) for key in keys}, ()
    return {
        key: " ".join(labels[n] for n in varying if labels.get(n)) or "{}"
        for key, labels in zip(keys, label_sets, strict=True)
    }, varying
