"""Cards of one or more queries drawn as body lines: a title line, the body, a
detail line. The gauge, chart, table, heatmap and other kinds are these.

A tick bumps a version; the body is worked out once per version and size
(`body(width, rows)`, each kind's). Each line's cache key is what it shows (its
pieces, or the detail line's text), so a tick on a card on screen works out the new
body at once and repaints only the lines that differ from those painted, none when
nothing changed; a card off screen is drawn when it is shown.
Text that came from Prometheus is cleaned and drawn as segments, never parsed as
markup.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from rich.cells import cell_len, set_cell_size
from rich.style import Style
from rich.text import Text
from textual.strip import Strip

from allintop.dashboard.model import Panel, Query
from allintop.live.history import QueryHistory
from allintop.live.reports import QueryState, worst
from allintop.ui.cards.base import Card, LineKey, Shown
from allintop.ui.panel_text import detail_text, value_text
from allintop.ui.theme import no_colour
from allintop.ui.view import view_of
from allintop.values.text import clean
from allintop.values.thresholds import Status

#: Widest label column of a table or bar list, in cells.
MAX_LABEL = 24

#: A body line: (text, component class) pieces, left to right.
Line = list[tuple[str, str]]


def fit(text: str, width: int) -> str:
    """`text` in exactly `width` cells: padded, or cut with an ellipsis."""
    if width <= 0:
        return ""
    if cell_len(text) > width:
        return set_cell_size(text, width - 1) + "…"
    return set_cell_size(text, width)


def status_part(status: Status, query: Query) -> str:
    """The component class a value is coloured by: not judged without thresholds."""
    if query.thresholds is None and status is Status.OK:
        return "tile--plain"
    return f"tile--{status.value}"


class BodyCard(Card):
    """A Grafana panel of one or more queries, drawn line by line: title, body, detail.

    Subclasses give `body(width, rows)`: the body's lines as (text, component class)
    pieces. The card's status class is its queries' worst; the detail line explains
    the first query that failed, else the first one.

    Args:
        panel: the Grafana panel it draws.
        queries: its queries (the panel's span of its row).
        first: the dashboard index of the first of them.
    """

    #: The parts of its lines; the pieces drawn in them are the ink's (see ink.py).
    COMPONENT_CLASSES = {"tile--title", "tile--body", "tile--detail"}

    panel: Panel

    def __init__(self, panel: Panel, queries: Sequence[Query], first: int) -> None:
        super().__init__(first, panel, id=f"panel-{first}" if queries else None)
        self.queries = tuple(queries)
        self.states: dict[int, QueryState] = {}
        self._version = 0
        self._body: tuple[tuple[object, ...], list[Line]] | None = None
        self._detail_drawn: tuple[tuple[int, int], Text] | None = None

    # -- what a tick changes --

    def show(self, state: QueryState) -> None:
        """Apply a tick's state of one of the card's queries; repaint the lines it
        changes."""
        offset = state.index - self.index
        if not 0 <= offset < len(self.queries):
            return
        self.states[offset] = state
        self.show_status(self.shown_status())
        self.applied()
        self.redraw()

    def applied(self) -> None:
        """A state was stored: update what the card keeps from tick to tick (a chart's
        value axis), before its lines are compared. Kept here, not when painting, what
        is drawn depends on the ticks only, not on when the card was painted."""

    def shown_status(self) -> Shown:
        """The worst of its queries' statuses; a value with no thresholds is plain."""
        status = worst([s.status for s in self.states.values()])
        judged = any(p.thresholds is not None for p in self.queries)
        return "plain" if status is Status.OK and not judged else status

    def redraw(self) -> None:
        """What it shows may have changed (a tick, new marks): repaint the lines that
        did."""
        self._version += 1
        self.refresh_changed()

    # -- drawing --

    def line_part(self, y: int, height: int) -> str:
        """Line `y`'s component class: the title, a body line or the detail line."""
        if y == 0:
            return "tile--title"
        if y == height - 1 and height > 2:
            return "tile--detail"
        return "tile--body"

    def line_key(self, y: int, height: int) -> LineKey:
        part = self.line_part(y, height)
        if part == "tile--title":
            return part, ()
        width = self.size.width
        if part == "tile--detail":
            text = self.detail_line(width)
            return part, (text.plain, tuple(text.spans), str(text.style), no_colour())
        return part, (tuple(self._body_line(y, width, height)), no_colour())

    def _body_line(self, y: int, width: int, height: int) -> Line:
        lines = self.body_lines(width, max(height - 2, 1))
        return lines[y - 1] if 0 <= y - 1 < len(lines) else []

    def detail_line(self, width: int) -> Text:
        """The detail line at this width, worked out once per version."""
        key = (self._version, width)
        if self._detail_drawn is None or self._detail_drawn[0] != key:
            self._detail_drawn = (key, self._detail(width))
        return self._detail_drawn[1]

    def draw_line(self, part: str, y: int, width: int, height: int, style: Style) -> Strip:
        if part == "tile--title":
            return self.text_strip(Text(clean(self.panel.title)), style, width)
        if part == "tile--detail":
            return self.text_strip(self.detail_line(width), style, width)
        line = self._body_line(y, width, height)
        return self.pieces_strip(line, style, width)

    def body_lines(self, width: int, rows: int) -> list[Line]:
        """The body at this size, worked out once per version."""
        key = (self._version, width, rows)
        if self._body is None or self._body[0] != key:
            try:
                lines = self.body(width, rows)
            except Exception as error:  # a drawing bug must not take the screen down
                self.log.error(f"tile {self.panel.title!r}: {error!r}")
                lines = [[(fit("cannot draw this tile", width), "tile--dim")]]
            self._body = (key, lines)
        return self._body[1]

    def body(self, width: int, rows: int) -> list[Line]:
        """The body's lines, at most `rows`, each `width` cells at most."""
        return []

    def _detail(self, width: int) -> Text:
        states = [self.states[k] for k in sorted(self.states)]
        failed = next((s for s in states if s.error is not None), None)
        state = failed or (states[0] if states else None)
        if state is not None:
            # The body shows the series: the line under it is for what is wrong.
            state = replace(state, series=(), total=0)
        return detail_text(state, width, self.alerts, self.down, self.now)

    def why(self, width: int) -> list[Line]:
        """The body when there is nothing to draw: why (waiting, an error, no data)."""
        states = [self.states[k] for k in sorted(self.states)]
        if not states:
            return [[(fit("…", width), "tile--dim")]]
        text = value_text(states[0], self.queries[0], self.down).plain
        return [[(fit(clean(text, width), width), "tile--dim")]]

    def history(self, offset: int) -> QueryHistory | None:
        """Its query `offset`'s per-series history, from the dashboard (None: none)."""
        view = view_of(self.app)
        if view is None:
            return None
        try:
            return view.history_of(self.index + offset)
        except (IndexError, KeyError):  # the dashboard is being configured anew
            return None

    # -- reading it --

    def drawn_body(self) -> list[Line]:
        """The body lines as drawn at the card's size."""
        width, height = self.size
        return self.body_lines(width, max(height - 2, 1))

    def body_plain(self) -> list[str]:
        """The body lines as drawn at the card's size, as plain text (tests read them)."""
        return ["".join(text for text, _ in line) for line in self.drawn_body()]
