"""The header line and the status line under it.

The header names the dashboard, its datasources, the variables, the range and the
refresh on the left; the clock and the health word ("live", "paused", "unreachable ·
retry in 8s", ...) on the right. The status line says what went wrong with Prometheus
as a whole, and hides while all is well. Both are shown every second and after each
poll, but a part is repainted only when what it says changed: the clock's cells once
a second, the rest when it changes, and nothing while another screen hides the
dashboard (the latest is shown when it closes). No part costs a layout pass unless
its width changes.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import Static

from allintop.live.queries import Queries
from allintop.promql.variable_values import shown
from allintop.ui.covered import covered, on_uncover
from allintop.ui.theme import themed
from allintop.values.durations import format_duration
from allintop.values.text import clean

#: The terminal width from which the header has room for the dashboard's title.
TITLE_FROM = 110
#: How the header shows the health verdict's level.
VERDICT_STYLES = {
    "success": "bold $success",
    "warning": "bold $warning",
    "error": "bold $error",
    "dim": "dim",
}


@dataclass(frozen=True, slots=True)
class Heading:
    """What the header says.

    Args:
        queries: what the dashboard asks (its title, variables, range and refresh).
        sources: the context and the datasource(s) the panels query.
        now: the wall clock.
        word: the health word.
        style: how the word is shown (Textual CSS, theme variables allowed).
    """

    queries: Queries
    sources: str
    now: float
    word: str
    style: str
    tab: tuple[int, int, str] | None = None
    """The tab shown (its number, how many, its title); None: no tabs."""


class Header(Horizontal):
    """The top line: what is shown on the left, the clock and the health on the right."""

    def __init__(self) -> None:
        super().__init__(id="header")
        self.left = Static(id="header-left", markup=False)
        self.clock = Static(id="header-clock", markup=False)
        self.right = Static(id="header-right", markup=False)
        self.repaints = {"left": 0, "clock": 0, "right": 0}
        """How many times each part (the left, the clock, the health word on the right)
        was given new content to repaint: a part that says the same is not."""
        self._held: Heading | None = None

    def compose(self) -> ComposeResult:
        yield self.left
        yield self.clock
        yield self.right

    def on_mount(self) -> None:
        on_uncover(self, self._show_held)

    def show(self, heading: Heading) -> None:
        """Say `heading` (once another screen stops hiding it, if one does)."""
        if covered(self):
            self._held = heading
            return
        self._held = None
        self._update("left", self._left(heading))
        clock = time.strftime("%H:%M:%S", time.localtime(heading.now))
        self._update("clock", Text(clock))
        self._update("right", Text.assemble(("● " + heading.word, themed(self, heading.style))))

    def _show_held(self) -> None:
        if self._held is not None:
            self.show(self._held)

    def _left(self, heading: Heading) -> Text:
        queries = heading.queries
        variables = "  ".join(f"{k}={clean(shown(v), 30)}" for k, v in queries.variables.items())
        # The title is the first thing to give up when the terminal is narrow.
        wide = self.app.size.width >= TITLE_FROM
        named = queries.dashboard.title
        title = f" · {clean(named, 40)}" if named and wide else ""
        tab = ""
        if heading.tab is not None:
            number, count, named_tab = heading.tab
            tab = f"  [{number}/{count} {clean(named_tab, 40)}]"
        return Text.assemble(
            ("allintop", "bold"),
            title,
            (tab, "bold"),
            "  ",
            (clean(heading.sources), "bold"),
            f"  {variables}" if variables else "",
            f"  {format_duration(queries.range)}  every {format_duration(queries.refresh)}",
            no_wrap=True,
            overflow="ellipsis",
        )

    def _update(self, part: str, text: Text) -> None:
        """Part `part` says `text`: repainted if that is new, and laid out again only
        if its width changed (a layout pass costs a reflow of every widget: hundreds
        on a big dashboard). The left part takes the room the others leave."""
        widget = {"left": self.left, "clock": self.clock, "right": self.right}[part]
        previous = widget.content
        if isinstance(previous, Text) and previous == text:
            return
        self.repaints[part] += 1
        grew = part != "left" and (
            not isinstance(previous, Text) or previous.cell_len != text.cell_len
        )
        widget.update(text, layout=grew)


class StatusLine(Static):
    """What went wrong with Prometheus as a whole; hidden while all is well."""

    def __init__(self) -> None:
        super().__init__(id="status-line", markup=False)

    def say(self, said: str | None) -> None:
        """Show `said`, or hide (None)."""
        if self.display != (said is not None):
            self.display = said is not None
        if said is not None:
            self.update(Text(said, no_wrap=True, overflow="ellipsis"), layout=False)
