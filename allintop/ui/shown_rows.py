"""Which of the dashboard's rows the board shows: those of the tab shown (every row,
for a dashboard without tabs) whose variable conditions hold for the picks.

A hidden row is neither laid out nor asked: the layout is planned for the rows shown,
and spread back over every row here, a hidden row's part empty. Bookkeeping only, no
widgets: the board shows and hides the rows' titles and bodies by it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TypeVar

from allintop.dashboard.model import Dashboard, Pick
from allintop.ui.layout import Page

_T = TypeVar("_T")


class ShownRows:
    """The tab shown and the variables' picks, and so the rows shown (`numbers`).

    Args:
        values: the variables' picks at start.
    """

    def __init__(self, values: Mapping[str, Pick] | None = None) -> None:
        self.tab = 0
        """The tab shown, of the dashboard's tabs (if it has any)."""
        self.values: dict[str, Pick] = dict(values or {})
        """The variables' picks."""
        self.numbers: tuple[int, ...] = ()
        """The rows shown, by number, in order."""
        self.count = 0
        """How many rows the board was built with, shown or not."""

    def built(self, dashboard: Dashboard) -> tuple[int, ...]:
        """The rows shown of `dashboard`, whose rows the board builds (anew, or another
        dashboard's): on the same tab, or on its last if it has fewer tabs now."""
        self.tab = min(self.tab, max(len(dashboard.tabs) - 1, 0))
        self.numbers = dashboard.shown_rows(self.tab, self.values)
        self.count = len(dashboard.rows)
        return self.numbers

    def heading(self, dashboard: Dashboard) -> tuple[int, int, str] | None:
        """The tab shown: (its number from 1, how many there are, its title); None
        for a dashboard without tabs."""
        tabs = dashboard.tabs
        if not tabs:
            return None
        return self.tab + 1, len(tabs), tabs[self.tab].title

    def step_tab(self, dashboard: Dashboard, step: int) -> bool:
        """To the next (1) or previous (-1) tab, round; False (staying) for a dashboard
        without tabs."""
        tabs = dashboard.tabs
        if not tabs:
            return False
        self.tab = (self.tab + step) % len(tabs)
        return True

    def changed(self, dashboard: Dashboard) -> tuple[int, ...] | None:
        """The rows shown now (another tab, new picks), if they are not those shown so
        far; None too while the board is not built for `dashboard`'s rows (it will
        be, and `built` says then)."""
        numbers = dashboard.shown_rows(self.tab, self.values)
        if numbers == self.numbers or self.count != len(dashboard.rows):
            return None
        self.numbers = numbers
        return numbers

    def spread(self, items: Sequence[_T], empty: _T) -> tuple[_T, ...]:
        """`items`, one per row shown, as one per row, `empty` for the rows hidden
        (another tab's, a condition's)."""
        placed = dict(zip(self.numbers, items, strict=True))
        return tuple(placed.get(number, empty) for number in range(self.count))

    def spread_page(self, page: Page) -> Page:
        """The page of the rows shown, as one of every row: a hidden row has no tiles,
        and no title line (its place is given as the top)."""
        titles = self.spread(page.titles, 0)
        return Page(titles, self.spread(page.panels, ()), page.height)
