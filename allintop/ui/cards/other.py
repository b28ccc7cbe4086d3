"""The card of a kind the terminal does not draw (piechart, alertlist, a plugin)."""

from __future__ import annotations

from allintop.ui.cards.base import Shown
from allintop.ui.cards.body import BodyCard, Line, fit
from allintop.values.text import clean
from allintop.values.thresholds import Status


class OtherCard(BodyCard):
    """A kind the terminal does not draw: it says so, and Enter still lists its
    queries."""

    def shown_status(self) -> Shown:
        return Status.UNKNOWN

    def body(self, width: int, rows: int) -> list[Line]:
        what = clean(self.panel.note or f"a {self.panel.kind} panel", width)
        count = len(self.queries)
        hint = f"{count} quer{'y' if count == 1 else 'ies'}: enter lists them" if count else ""
        lines = [
            [(fit(what, width), "tile--body")],
            [(fit("not drawn in the terminal", width), "tile--dim")],
        ]
        if hint:
            lines.append([(fit(hint, width), "tile--dim")])
        return lines[:rows]
