"""The stat card: title, current value with unit, sparkline rows, detail line.

It is panels.yaml's card, and Grafana's stat panel: then with the panel's reducer
over the range, its value mappings shown as their text, and the sparkline only when
it has one (graphMode).

A tick works out which lines it changes and repaints only those: the value line when
the value (or why there is none) changes, the sparkline rows the new history moves,
the detail line when what it explains changes. The sparkline's columns are on the
wall-clock grid and its scale holds still (allintop.draw.sparkline), so a tick inside
a column moves only the rows where that column's cells change.

A query of several series shows one value per series, as Grafana does: the body is
then a grid of cells (allintop.ui.cards.stat_cells), whose lines are repainted when
they read differently, and "+N" says how many did not fit (Enter lists them all).
"""

from __future__ import annotations

from dataclasses import replace

from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual.strip import Strip
from textual.widget import Widget

from allintop.dashboard.model import Panel, Query
from allintop.draw.scales import Scale
from allintop.draw.sparkline import grid_lines as spark_lines
from allintop.draw.sparkline import history_scale
from allintop.live.history import QueryHistory
from allintop.live.reports import QueryState, worst
from allintop.ui.cards.base import Card, LineKey, Shown
from allintop.ui.cards.stat_cells import Line, Scales, entries, grid_lines, keep_scales, layout
from allintop.ui.panel_text import detail_text, value_text
from allintop.ui.theme import GRAFANA_COLOURS, no_colour, themed
from allintop.ui.view import view_of
from allintop.values.mappings import mapped
from allintop.values.reducers import reduce
from allintop.values.text import clean
from allintop.values.thresholds import Status, status_of
from allintop.values.units import format_value

TITLE_ROW, VALUE_ROW, SPARK_ROW = 0, 1, 2

#: Reducers that show the newest instant answer rather than one over the range.
CURRENT = ("last", "lastNotNull")


class StatCard(Card):
    """One query's value, drawn by itself line by line; of several series, one value
    per series in a grid of cells.

    Args:
        query: the query it shows.
        index: the query's dashboard index.
        panel: the Grafana stat it draws (reducer, mappings, graph mode); None for a
            panels.yaml card, which shows the current value with a sparkline.
    """

    #: The parts of its lines; the pieces of a grid of several are the ink's.
    COMPONENT_CLASSES = {"card--title", "card--value", "card--spark", "card--detail", "card--grid"}
    CACHE_LINES = 48

    def __init__(self, query: Query, index: int, panel: Panel | None = None) -> None:
        super().__init__(index, panel, id=f"panel-{index}")
        self.target = query
        self.state: QueryState | None = None
        self._title = Text(clean(query.title), no_wrap=True)
        # Bumped when the value or detail line may read differently.
        self._value_version = 0
        self._detail_version = 0
        self._spark: tuple[tuple[int, int, int], list[str]] | None = None
        self._scale: Scale | None = None  # the sparkline's, held while the data fits
        self._scales: Scales = {}  # each cell's, under several series
        # A stat of several series: its grid's version, and the grid drawn for it.
        self._grid_version = 0
        self._grid: tuple[tuple[int, int, int], list[Line], int] | None = None
        if panel is not None:
            self.set_class(panel.color_mode == "background", "-background")
            self.set_class(panel.color_mode == "none", "-uncoloured")

    @property
    def over_range(self) -> bool:
        """Whether its number is a reducer over the range's history (Grafana's mean,
        max...), rather than the newest answer."""
        return self.panel is not None and self.panel.reducer not in CURRENT

    # -- what a tick changes --

    def show(self, state: QueryState) -> None:
        """Apply a tick's state; only the lines it changes are repainted."""
        previous = self.state
        self.state = state
        self.show_status(self.shown_status(state))
        height = self.size.height
        history_moved = previous is None or previous.version != state.version
        if _several(state) or (previous is not None and _several(previous)):
            if _several(state) and history_moved and self._graph:
                keep_scales(self._scales, entries(state, self.target, self.panel, self._history()))
            self._show_grid(previous, state, history_moved)
            return
        if history_moved:
            # Kept at each tick, not each paint: what is drawn depends on the ticks only.
            self._scale = history_scale(self._scale, state.history)
        if (
            previous is None
            or _value_key(previous) != _value_key(state)
            # A reducer over the range: a new history is a new value.
            or (self.over_range and history_moved)
        ):
            self._value_version += 1
            self.refresh_rows(VALUE_ROW, 1)
        if history_moved:
            self._refresh_spark(max(height - 3, 1))
        if previous is None or _detail_key(previous) != _detail_key(state):
            self._detail_version += 1
            self.refresh_rows(max(height - 1, 0), 1)

    def _show_grid(
        self, previous: QueryState | None, state: QueryState, history_moved: bool
    ) -> None:
        """A state of several series (or the first after them): when a cell may read
        differently, the lines of the grid and the detail line that do are repainted."""
        if (
            previous is None
            or _grid_key(previous) != _grid_key(state)
            or (history_moved and (self.over_range or self._graph))
        ):
            self._grid_version += 1
            self._value_version += 1
            self._detail_version += 1
            self.refresh_changed()

    @property
    def _graph(self) -> bool:
        return self.panel is None or self.panel.graph

    def marked(self, went_down: bool) -> None:
        if went_down:  # "target down" instead of "no data"
            self._value_version += 1
            self.refresh_rows(VALUE_ROW, 1)
        self._detail_version += 1
        self.refresh_rows(max(self.size.height - 1, 0), 1)

    def redraw(self) -> None:
        self._spark = None
        super().redraw()

    def _refresh_spark(self, rows: int) -> None:
        """Repaint the sparkline rows a new history changes. On a card on screen the
        rows are worked out now (a fraction of what repainting one costs), so a tick
        that moves only the bottom row repaints only that; elsewhere they are left
        until the card is painted."""
        drawn = self._spark
        if drawn is None or not self.on_screen():
            self.refresh_rows(SPARK_ROW, rows)
            return
        new = self._spark_rows(self.size.width, rows)
        if len(new) != len(drawn[1]):
            self.refresh_rows(SPARK_ROW, rows)
            return
        for row, (old_line, new_line) in enumerate(zip(drawn[1], new, strict=True)):
            if old_line != new_line:
                self.refresh_rows(SPARK_ROW + row, 1)

    # -- drawing --

    def line_key(self, y: int, height: int) -> LineKey:
        if y == TITLE_ROW:
            return "card--title", ()
        if self.state is not None and _several(self.state) and 0 < y < height - 1:
            # By what it shows: a tick repaints only the grid lines that changed.
            lines, _ = self._grid_body(self.size.width, height)
            line = lines[y - VALUE_ROW] if 0 <= y - VALUE_ROW < len(lines) else []
            return "card--grid", (tuple(line), no_colour())
        if y == VALUE_ROW:
            return "card--value", (self._value_version, no_colour())
        if y == height - 1:  # under several values it counts what fits at this height
            if self.state is not None and _several(self.state):
                text = self._detail(self.size.width, height)
                return "card--detail", (text.plain, tuple(text.spans), str(text.style))
            return "card--detail", (self._detail_version, height)
        state = self.state
        return "card--spark", (y, height, state.version if state is not None else -1)

    def draw_line(self, part: str, y: int, width: int, height: int, style: Style) -> Strip:
        if part == "card--grid":
            return self._grid_strip(y - VALUE_ROW, width, height, style)
        if part == "card--spark":
            if self.panel is not None and not self.panel.graph:
                return Strip.blank(width, style)
            rows = self._spark_rows(width, max(height - 3, 1))
            row = y - SPARK_ROW
            chars = rows[row] if 0 <= row < len(rows) else ""
            return Strip([Segment(chars.ljust(width)[:width], style)], width)
        if part == "card--title":
            text = self._title
        elif part == "card--value":
            text = self.value_line()
        else:
            text = self._detail(width, height)
        return self.text_strip(text, style, width)

    def _detail(self, width: int, height: int) -> Text:
        """The detail line; under several values, what is wrong, else how many of them
        did not fit."""
        state = self.state
        if state is None or not _several(state):
            return detail_text(state, width, self.alerts, self.down, self.now)
        text = detail_text(
            replace(state, series=(), total=0), width, self.alerts, self.down, self.now
        )
        hidden = self._grid_body(width, height)[1]
        if not text.plain and hidden:
            return Text(f"+{hidden} more", style="dim")  # Enter lists them all
        return text

    # -- several series --

    def _grid_body(self, width: int, height: int) -> tuple[list[Line], int]:
        """The grid's lines at this size and how many series did not fit, worked out
        once per grid version."""
        key = (self._grid_version, width, height)
        if self._grid is None or self._grid[0] != key:
            rows = max(height - 2, 1)
            state = self.state
            assert state is not None
            shown = entries(state, self.target, self.panel, self._history())
            grid = layout(shown, state.total, width, rows, self.panel)
            lines = grid_lines(shown, grid, rows, self.panel, self._scales)
            self._grid = (key, lines, state.total - grid.shown)
        return self._grid[1], self._grid[2]

    def _grid_strip(self, row: int, width: int, height: int, style: Style) -> Strip:
        lines, _ = self._grid_body(width, height)
        line = lines[row] if 0 <= row < len(lines) else []
        return self.pieces_strip(line, style, width)

    def _history(self) -> QueryHistory | None:
        """Its query's per-series history, from the dashboard (None: none kept)."""
        view = view_of(self.app)
        if view is None:
            return None
        try:
            return view.history_of(self.index)
        except (IndexError, KeyError):  # the dashboard is being configured anew
            return None

    def grid_plain(self) -> list[str]:
        """The grid of several series as drawn at the card's size (tests read it);
        empty when it shows one value."""
        if self.state is None or not _several(self.state):
            return []
        width, height = self.size
        return ["".join(text for text, _ in line) for line in self._grid_body(width, height)[0]]

    def _spark_rows(self, width: int, rows: int) -> list[str]:
        """The sparkline's rows for this size and history version (computed once)."""
        state = self.state
        key = (state.version if state is not None else -1, width, rows)
        if self._spark is None or self._spark[0] != key:
            data = state.history if state is not None else ()
            newest = state.newest if state is not None else None
            self._spark = (key, spark_lines(data, newest, width, rows, self._scale))
        return self._spark[1]

    def value_line(self) -> Text:
        """The value line: the number and unit (or a mapping's text), or why none;
        with the series' name before it, or the name alone, or nothing, as the
        panel's text mode says."""
        state, panel = self.state, self.panel
        if panel is None or state is None or state.error is not None or not state.series:
            return value_text(state, self.target, self.down, no_colour())
        mode = panel.text_mode
        if mode == "none":
            return Text("")
        name = clean(state.series[0].name, 60) or clean(self.target.title, 60)
        if mode == "name":
            return Text(name, style="bold")
        value = self._value_text(state, panel)
        if mode == "value_and_name":
            return Text.assemble((name, ""), " ", value)
        return value

    def _value_text(self, state: QueryState, panel: Panel) -> Text:
        value = self.reduced(state)
        mapping = mapped(value, panel.mappings)
        if mapping is not None and mapping.text:
            text = Text(clean(mapping.text, 60), style="bold")
            colour = mapping_colour(self, mapping.color)
            if colour and not no_colour():
                text.stylize(colour)
            return text
        if value is None:
            return value_text(state, self.target, self.down, no_colour())
        number, unit = format_value(value, self.target.unit, self.target.decimals)
        return Text.assemble((number, "bold"), f" {unit}" if unit else "")

    # -- reading it --

    def reduced(self, state: QueryState | None) -> float | None:
        """The number shown: the current value for last / lastNotNull (the newest
        instant answer), else the reducer over the range's history."""
        if state is None:
            return None
        reducer = self.panel.reducer if self.panel is not None else "last"
        if reducer == "last" or (reducer == "lastNotNull" and state.value is not None):
            return state.value
        return reduce(state.history, reducer)

    def shown_status(self, state: QueryState) -> Shown:
        """The colour class: a value with no thresholds to judge it is plain, not green;
        a reducer over the range is judged on what it shows."""
        status = state.status
        if self.over_range and _several(state):
            cells = entries(state, self.target, self.panel, self._history())
            status = worst([cell.status for cell in cells])
        elif self.over_range and state.error is None:
            status = status_of(self.reduced(state), self.target.thresholds)
        if self.target.thresholds is None and status is Status.OK:
            return "plain"
        return status

    @property
    def value_plain(self) -> str:
        """What the value line shows, as plain text (tests read it)."""
        return self.value_line().plain

    @property
    def detail_plain(self) -> str:
        width, height = self.size
        if self.state is not None and _several(self.state) and width:
            return self._detail(width, height).plain
        return detail_text(self.state, 200, self.alerts, self.down, self.now).plain

    def spark_plain(self) -> list[str]:
        """The sparkline rows as drawn at the card's size (tests read them)."""
        height = self.size.height
        return [self.strip_at(y).text for y in range(SPARK_ROW, height - 1)]


def _several(state: QueryState) -> bool:
    """Whether the state is of several series: one value each, in a grid."""
    return state.error is None and len(state.series) > 1


def _grid_key(state: QueryState) -> tuple[object, ...]:
    """What the grid and the detail line under it depend on in a state."""
    shown = tuple((s.name, s.value, s.status) for s in state.series)
    return (shown, state.total, state.error, state.reason, state.warnings[:1])


def _value_key(state: QueryState) -> tuple[object, ...]:
    """What the value line depends on in a state (errors compare by identity)."""
    return (state.value, state.error, state.reason, state.status)


def _detail_key(state: QueryState) -> tuple[object, ...]:
    """What the detail line depends on in a state."""
    top = state.series[0].name if state.series else None
    return (state.error, state.warnings[:1], top, state.total)


def mapping_colour(node: Widget, colour: str | None) -> str:
    """A value mapping's colour as a Rich style: a named colour from the theme, a
    "#hex" as it is, anything else none."""
    if not colour:
        return ""
    name = colour.lower().rsplit("-", 1)[-1]  # "dark-red", "semi-dark-green"
    if name in GRAFANA_COLOURS:
        return themed(node, f"bold {GRAFANA_COLOURS[name]}")
    try:
        return str(Style.parse(colour))
    except Exception:  # a colour Rich cannot read: shown without one
        return ""
