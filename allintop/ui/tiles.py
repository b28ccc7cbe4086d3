"""The widget each kind of tile is drawn with, made by `tile_widget`.

Every tile widget has the card's interface: `index` (its first panel's number in the
dashboard, what zoom opens), `show(state)` for a tick's state of any of its panels,
`mark(alerts, down, now)` for the alerts and down targets of its first panel, and
`zoom_screen(app)` for Enter. The self-drawing ones (`TileCard` and its kinds) draw a
title line, body lines and a detail line with the Line API: a tick bumps a version
and asks for a repaint; the body is worked out once per version and size, when a line
of it is painted, and each line is kept as a Strip in an LRU cache. Colours are
component classes styled in allintop.tcss. Text that came from Prometheus is cleaned
and drawn as segments, never parsed as markup.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import TYPE_CHECKING

from rich.cells import cell_len, set_cell_size
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.cache import LRUCache
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.strip import Strip
from textual.widget import Widget
from textual.widgets import Footer, Static

from allintop.dashboard.model import Panel, Tile
from allintop.draw.bars import bar, bounds, marks
from allintop.draw.braille import LEVEL, plot
from allintop.draw.chart import series_names, value_range
from allintop.draw.heatmap import SHADES, heatmap
from allintop.draw.table import join
from allintop.live.alerting import ActiveAlert
from allintop.live.history import PanelHistory
from allintop.live.reports import PanelState, worst
from allintop.sources.answers import Target
from allintop.ui.theme import themed
from allintop.ui.widgets import STATUS_CLASSES, PanelCard, detail_text, no_colour, value_text
from allintop.values.mappings import mapped
from allintop.values.reducers import reduce
from allintop.values.text import clean
from allintop.values.thresholds import Status, series_order, status_of
from allintop.values.units import format_value

if TYPE_CHECKING:
    from allintop.ui.app import DashboardApp

#: Series drawn at most in a chart (one colour each, from the theme).
MAX_SERIES = 6
#: Widest label column of a table or bar list, in cells.
MAX_LABEL = 24

#: A body line: (text, component class) pieces, left to right.
Line = list[tuple[str, str]]


def tile_widget(tile: Tile, panels: Sequence[Panel], first: int) -> Widget:
    """The widget for `tile`, whose panels are `panels` (the tile's span of its row),
    the first of them being the dashboard's panel number `first`."""
    if tile.kind == "text":
        return TextTile(tile, first)
    if not panels:
        return OtherTile(tile, panels, first)
    kinds: dict[str, type[TileCard]] = {
        "gauge": BarsTile,
        "bargauge": BarsTile,
        "timeseries": ChartTile,
        "table": TableTile,
        "heatmap": HeatmapTile,
        "other": OtherTile,
    }
    if tile.kind in kinds:
        return kinds[tile.kind](tile, panels, first)
    return StatCard(tile, panels, first)


def fit(text: str, width: int) -> str:
    """`text` in exactly `width` cells: padded, or cut with an ellipsis."""
    if width <= 0:
        return ""
    if cell_len(text) > width:
        return set_cell_size(text, width - 1) + "…"
    return set_cell_size(text, width)


def formatted(value: float | None, panel: Panel, tile: Tile) -> str:
    """A value as its tile shows it: a value mapping's text, else number and unit."""
    mapping = mapped(value, tile.mappings)
    if mapping is not None and mapping.text:
        return clean(mapping.text, 40)
    if value is None:
        return "—"
    number, unit = format_value(value, panel.unit, panel.decimals)
    return f"{number} {unit}".strip()


def status_part(status: Status, panel: Panel) -> str:
    """The component class a value is coloured by: not judged without thresholds."""
    if panel.thresholds is None and status is Status.OK:
        return "tile--plain"
    return f"tile--{status.value}"


def _zoom(app: DashboardApp, index: int, tile: Tile) -> Screen[None]:
    from allintop.ui.zoom import ZoomScreen  # plotext only when zooming

    return ZoomScreen(app, index, tile=tile)


# -- stat --


class StatCard(PanelCard):
    """A stat: the card, with the tile's reducer over the range, its value mappings
    shown as their text, and the sparkline only when the tile has one (graphMode)."""

    def __init__(self, tile: Tile, panels: Sequence[Panel], first: int) -> None:
        super().__init__(panels[0], first)
        self.tile = tile
        self.panels = tuple(panels)

    def show(self, state: PanelState) -> None:
        previous = self.state
        super().show(state)
        if self.tile.reducer in ("last", "lastNotNull"):
            return
        # A reducer over the range: a new history is a new value, and maybe a new colour.
        shown = self.shown_status(state)
        for status, css in STATUS_CLASSES.items():
            self.set_class(status == shown, css)
        self.set_class(shown == "plain", "-plain")
        if previous is not None and previous.version != state.version:
            self._value_version += 1
            self._refresh_rows(1, 1)

    def reduced(self, state: PanelState | None) -> float | None:
        """The number shown: the current value for last / lastNotNull (the newest
        instant answer), else the reducer over the range's history."""
        if state is None:
            return None
        if self.tile.reducer == "last" or (
            self.tile.reducer == "lastNotNull" and state.value is not None
        ):
            return state.value
        return reduce(state.history, self.tile.reducer)

    def shown_status(self, state: PanelState) -> Status | str:
        value = self.reduced(state)
        if self.tile.reducer not in ("last", "lastNotNull") and state.error is None:
            status = status_of(value, self.panel.thresholds)
            if self.panel.thresholds is None and status is Status.OK:
                return "plain"
            return status
        return super().shown_status(state)

    def _draw(self, part: str, y: int, width: int, height: int, style: Style) -> Strip:
        if part == "card--spark" and not self.tile.graph:
            return Strip.blank(width, style)
        if part == "card--value":
            text = self._value(self.state)
            return _text_strip(self, text, style, width)
        return super()._draw(part, y, width, height, style)

    def _value(self, state: PanelState | None) -> Text:
        if state is None or state.error is not None:
            return value_text(state, self.panel, self.down, no_colour())
        value = self.reduced(state)
        mapping = mapped(value, self.tile.mappings)
        if mapping is not None and mapping.text:
            text = Text(clean(mapping.text, 60), style="bold")
            colour = _mapping_colour(self, mapping.color)
            if colour and not no_colour():
                text.stylize(colour)
            return text
        if value is None:
            return value_text(state, self.panel, self.down, no_colour())
        number, unit = format_value(value, self.panel.unit, self.panel.decimals)
        return Text.assemble((number, "bold"), f" {unit}" if unit else "")

    @property
    def value_plain(self) -> str:
        return self._value(self.state).plain

    def zoom_screen(self, app: DashboardApp) -> Screen[None]:
        return _zoom(app, self.index, self.tile)


#: Grafana's colour names, as the theme's nearest colours.
_GRAFANA_COLOURS = {
    "green": "$success",
    "red": "$error",
    "yellow": "$warning",
    "orange": "$warning",
    "blue": "$primary",
    "purple": "$accent",
    "text": "$text",
}


def _mapping_colour(node: Widget, colour: str | None) -> str:
    """A value mapping's colour as a Rich style: a named colour from the theme, a
    "#hex" as it is, anything else none."""
    if not colour:
        return ""
    name = colour.lower().rsplit("-", 1)[-1]  # "dark-red", "semi-dark-green"
    if name in _GRAFANA_COLOURS:
        return themed(node, f"bold {_GRAFANA_COLOURS[name]}")
    try:
        return str(Style.parse(colour))
    except Exception:  # a colour Rich cannot read: shown without one
        return ""


def _text_strip(node: Widget, text: Text, style: Style, width: int) -> Strip:
    line = Text(style=style, no_wrap=True, overflow="ellipsis", end="")
    line.append_text(text)
    line.truncate(width, overflow="ellipsis", pad=True)
    return Strip(Segment.apply_style(line.render(node.app.console), style), width)


# -- the self-drawing tiles --


class TileCard(Widget, can_focus=True):
    """A tile of one or more panels drawn line by line: title, body, detail.

    Subclasses give `body(width, rows)`: the body's lines as (text, component class)
    pieces. The tile's status class is its panels' worst; the detail line explains
    the first panel that failed, else the first one.
    """

    COMPONENT_CLASSES = {
        "tile--title",
        "tile--body",
        "tile--dim",
        "tile--detail",
        "tile--ok",
        "tile--warning",
        "tile--critical",
        "tile--unknown",
        "tile--plain",
        "tile--header",
        "tile--heat",
        "tile--target",
        "tile--alert",
        *(f"tile--s{k}" for k in range(MAX_SERIES)),
    }

    def __init__(self, tile: Tile, panels: Sequence[Panel], first: int) -> None:
        super().__init__(id=f"panel-{first}" if panels else None, classes="-unknown")
        self.tile = tile
        self.panels = tuple(panels)
        self.index = first
        self.states: dict[int, PanelState] = {}
        self.alerts: tuple[ActiveAlert, ...] = ()
        self.down: tuple[Target, ...] = ()
        self.now = 0.0
        self._version = 0
        self._body: tuple[tuple[object, ...], list[Line]] | None = None
        self._lines: LRUCache[tuple[object, ...], Strip] = LRUCache(64)

    # -- what a tick changes --

    def show(self, state: PanelState) -> None:
        """Apply a tick's state of one of the tile's panels; repaint the tile."""
        offset = state.index - self.index
        if not 0 <= offset < len(self.panels):
            return
        self.states[offset] = state
        shown = self.shown_status()
        for status, css in STATUS_CLASSES.items():
            self.set_class(status == shown, css)
        self.set_class(shown == "plain", "-plain")
        self._version += 1
        self.refresh()

    def shown_status(self) -> Status | str:
        """The worst of its panels' statuses; a value with no thresholds is plain."""
        status = worst([s.status for s in self.states.values()])
        judged = any(p.thresholds is not None for p in self.panels)
        return "plain" if status is Status.OK and not judged else status

    def mark(self, alerts: Sequence[ActiveAlert], down: Sequence[Target], now: float) -> None:
        """Show the alerts on the tile's first panel and the down targets it reads."""
        alerts, down = tuple(alerts), tuple(down)
        if alerts == self.alerts and down == self.down and (not alerts or now - self.now < 1):
            return
        self.alerts, self.down, self.now = alerts, down, now
        live = [a for a in alerts if not a.silenced]
        self.set_class(any(a.state == "firing" for a in live), "-firing")
        self.set_class(bool(live) and all(a.state == "pending" for a in live), "-pending")
        self._version += 1
        self.refresh()

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._lines.clear()

    def zoom_screen(self, app: DashboardApp) -> Screen[None]:
        """What Enter opens: the tile's queries, charted and listed."""
        return _zoom(app, self.index, self.tile)

    # -- drawing --

    def render_line(self, y: int) -> Strip:
        width, height = self.size
        if width <= 0:
            return Strip.blank(0)
        if y == 0:
            part = "tile--title"
        elif y == height - 1 and height > 2:
            part = "tile--detail"
        else:
            part = "tile--body"
        style = self.get_component_rich_style(part)
        key = (y, width, height, style, self._version, no_colour())
        strip = self._lines.get(key)
        if strip is None:
            strip = self._draw(part, y, width, height, style)
            self._lines[key] = strip
        return strip

    def _draw(self, part: str, y: int, width: int, height: int, style: Style) -> Strip:
        if part == "tile--title":
            return _text_strip(self, Text(clean(self.tile.title)), style, width)
        if part == "tile--detail":
            return _text_strip(self, self._detail(width), style, width)
        rows = max(height - 2, 1)
        lines = self._body_lines(width, rows)
        line = lines[y - 1] if 0 <= y - 1 < len(lines) else []
        segments = [
            Segment(text, style + self.get_component_rich_style(part))
            for text, part in line
            if text
        ]
        return Strip(segments).adjust_cell_length(width, style)

    def _body_lines(self, width: int, rows: int) -> list[Line]:
        key = (self._version, width, rows)
        if self._body is None or self._body[0] != key:
            try:
                lines = self.body(width, rows)
            except Exception as error:  # a drawing bug must not take the screen down
                self.log.error(f"tile {self.tile.title!r}: {error!r}")
                lines = [[(fit("cannot draw this tile", width), "tile--dim")]]
            self._body = (key, lines)
        return self._body[1]

    def body(self, width: int, rows: int) -> list[Line]:
        return []

    def _detail(self, width: int) -> Text:
        states = [self.states[k] for k in sorted(self.states)]
        failed = next((s for s in states if s.error is not None), None)
        state = failed or (states[0] if states else None)
        if state is not None:
            # The body shows the series: the line under it is for what is wrong.
            state = replace(state, series=(), total=0)
        return detail_text(state, width, self.alerts, self.down, self.now)

    def _why(self, width: int) -> list[Line]:
        """The body when there is nothing to draw: why (waiting, an error, no data)."""
        states = [self.states[k] for k in sorted(self.states)]
        if not states:
            return [[(fit("…", width), "tile--dim")]]
        text = value_text(states[0], self.panels[0], self.down).plain
        return [[(fit(clean(text, width), width), "tile--dim")]]

    # -- reading it --

    def body_plain(self) -> list[str]:
        """The body lines as drawn at the tile's size (tests read them)."""
        width, height = self.size
        return ["".join(t for t, _ in line) for line in self._body_lines(width, max(height - 2, 1))]

    def _history(self, offset: int) -> PanelHistory | None:
        """The panel's per-series history, from the app (None: none kept)."""
        history_of = getattr(self.app, "history_of", None)
        if history_of is None:
            return None
        try:
            history: PanelHistory = history_of(self.index + offset)
        except (IndexError, KeyError, AttributeError):
            return None
        return history


# -- gauge, bargauge --


class BarsTile(TileCard):
    """Gauge and bar gauge: one bar per series, min..max, in its threshold colour,
    with the thresholds marked on the empty part of the bar."""

    def body(self, width: int, rows: int) -> list[Line]:
        entries = [
            (series.name or panel.title, series.value, series.status, panel)
            for offset, panel in enumerate(self.panels)
            if (state := self.states.get(offset)) is not None
            for series in state.series
        ]
        if not entries:
            return self._why(width)
        low, high = self._bounds([value for _, value, _, _ in entries])
        lone = len(entries) == 1
        names = [clean(name) for name, _, _, _ in entries]
        label = 0 if lone else min(max(cell_len(n) for n in names) + 1, MAX_LABEL, width // 3)
        texts = [formatted(value, panel, self.tile) for _, value, _, panel in entries]
        number = min(max(cell_len(t) for t in texts) + 1, width // 3)
        room = max(width - label - number, 1)
        shown = entries if len(entries) <= rows else entries[: rows - 1]
        lines = []
        for (_, value, status, panel), name, text in zip(shown, names, texts, strict=False):
            levels = _levels(panel)
            cells = bar(value, low, high, room)
            lines.append(
                [
                    (fit(name, label), "tile--body"),
                    *self._bar_pieces(cells, marks(levels, low, high, room), status, panel),
                    (fit(" " + text, number), status_part(status, panel)),
                ]
            )
        if len(shown) < len(entries):
            lines.append([(fit(f"+{len(entries) - len(shown)} more", width), "tile--dim")])
        if lone and rows >= 3:
            # One big gauge: the value above its bar, the span under it.
            _, value, status, panel = entries[0]
            span = f"{formatted(low, panel, self.tile)} … {formatted(high, panel, self.tile)}"
            return [[(fit(texts[0], width), status_part(status, panel))], lines[0][:-1]] + [
                [(fit(span, width), "tile--dim")]
            ]
        return lines

    def _bounds(self, values: list[float]) -> tuple[float, float]:
        high = self.tile.max
        if high is None and self.panels[0].unit == "%" and all(v <= 100 for v in values):
            high = 100.0
        return bounds(values, self.tile.min, high)

    @staticmethod
    def _bar_pieces(cells: str, where: list[int], status: Status, panel: Panel) -> Line:
        """The bar in its status colour, a threshold's cell marked where it is empty."""
        chars = list(cells)
        for cell in where:
            if chars[cell] == " ":
                chars[cell] = "┊"
        filled = len(cells.rstrip(" "))
        return [
            ("".join(chars[:filled]), status_part(status, panel)),
            ("".join(chars[filled:]), "tile--dim"),
        ]


def _levels(panel: Panel) -> list[float]:
    thresholds = panel.thresholds
    if thresholds is None:
        return []
    return [t.value for t in (thresholds.target, thresholds.alert) if t is not None]


# -- timeseries --


class ChartTile(TileCard):
    """A time series chart in braille: one line per series of each of its queries,
    named by the legend template, the unit on the axis, the first query's target and
    alert levels as dotted lines, and a one-line legend."""

    def body(self, width: int, rows: int) -> list[Line]:
        drawn = self._series()
        if not drawn:
            return self._why(width)
        panel = self.panels[0]
        levels = _levels(panel)
        values = [v for _, values, _ in drawn for v in values if v is not None]
        if not values:
            return self._why(width)
        bottom, top, on = value_range(values, levels)
        # The panel's own min and max (Grafana's axis bounds) widen the axis: a disk
        # at 68.7 % on a 0-100 axis, not a wobble of 0.05 % drawn full height.
        if self.tile.min is not None:
            bottom = min(bottom, self.tile.min)
        if self.tile.max is not None:
            top = max(top, self.tile.max)
        shown = [level for level, ok in zip(levels, on, strict=True) if ok]
        axis = [formatted(top, panel, _PLAIN), formatted(bottom, panel, _PLAIN)]
        label = min(max(cell_len(a) for a in axis) + 1, width // 3)
        chart_rows = rows - 1 if rows >= 3 else rows
        cells = plot(
            [values for _, values, _ in drawn],
            max(width - label, 1),
            chart_rows,
            bottom,
            top,
            shown,
        )
        level_parts = self._level_parts(panel, shown)
        lines: list[Line] = []
        for y, row in enumerate(cells):
            text = axis[0] if y == 0 else axis[1] if y == len(cells) - 1 else ""
            line: Line = [(fit(text, label), "tile--dim")]
            for cell in row:
                owner = cell.owner
                if owner is None:
                    part = "tile--body"
                elif owner >= 0:
                    part = f"tile--s{owner % MAX_SERIES}"
                else:
                    part = level_parts[LEVEL - owner]
                line.append((cell.char, part))
            lines.append(line)
        if rows >= 3:
            lines.append(self._legend(drawn, width))
        return lines

    def _series(self) -> list[tuple[str, list[float | None], float | None]]:
        """(name, values, latest) of the top series of every query, most important
        first, at most MAX_SERIES in all."""
        out: list[tuple[str, list[float | None], float | None]] = []
        several = len(self.panels) > 1
        for offset, panel in enumerate(self.panels):
            history = self._history(offset)
            if history is None:
                continue
            ranked = history.ranked()[:MAX_SERIES]
            names, _ = series_names([key for key, _ in ranked], panel.legend)
            for key, series in ranked:
                name = names[key] or (panel.title if several else "")
                out.append((clean(name or panel.title), series.values(), series.latest))
        return out[:MAX_SERIES]

    def _level_parts(self, panel: Panel, shown: list[float]) -> list[str]:
        thresholds = panel.thresholds
        parts = []
        if thresholds is not None:
            if thresholds.target is not None and thresholds.target.value in shown:
                parts.append("tile--target")
            if thresholds.alert is not None and thresholds.alert.value in shown:
                parts.append("tile--alert")
        return parts + ["tile--dim"] * (len(shown) - len(parts))

    def _legend(
        self, drawn: list[tuple[str, list[float | None], float | None]], width: int
    ) -> Line:
        line: Line = []
        used = 0
        for k, (name, _, latest) in enumerate(drawn):
            value = formatted(latest, self.panels[0], _PLAIN) if latest is not None else "—"
            entry = f" {name} {value} "
            if used + 1 + cell_len(entry) > width:
                rest = f"+{len(drawn) - k}"
                if used + cell_len(rest) <= width:
                    line.append((rest, "tile--dim"))
                break
            line += [("━", f"tile--s{k}"), (entry, "tile--body")]
            used += 1 + cell_len(entry)
        return line


#: A tile without mappings, to format axis numbers (never a mapping's word).
_PLAIN = Tile(title="")


# -- table --


class TableTile(TileCard):
    """Instant results as rows: labels as columns, each query's value a column in its
    unit and threshold colour, its queries joined on their common labels, worst row
    first."""

    def body(self, width: int, rows: int) -> list[Line]:
        queries = [
            (self._column_name(offset, panel), state.series)
            for offset, panel in enumerate(self.panels)
            if (state := self.states.get(offset)) is not None
        ]
        if not any(series for _, series in queries):
            return self._why(width)
        table = join(queries, series_order(self.panels[0].thresholds))
        panels = [self.panels[o] for o in range(len(self.panels)) if o in self.states]
        cells = [
            [formatted(v, panel, self.tile) for v, panel in zip(row.values, panels, strict=True)]
            for row in table.rows
        ]
        value_widths = [
            max([cell_len(name)] + [cell_len(r[k]) for r in cells]) + 1
            for k, name in enumerate(table.values)
        ]
        columns = list(table.labels)
        label_widths = [
            min(
                max([cell_len(clean(c))] + [cell_len(clean(r.labels[k])) for r in table.rows]),
                MAX_LABEL,
            )
            + 1
            for k, c in enumerate(columns)
        ]
        room = width - sum(value_widths)
        while len(label_widths) > 1 and sum(label_widths) > room:
            label_widths.pop()  # the constant labels go first: they are last
        if label_widths and label_widths[0] > room:
            label_widths[0] = max(room, 4)  # the label that tells rows apart stays, cut
        header: Line = [
            (fit(clean(c), w), "tile--header") for c, w in zip(columns, label_widths, strict=False)
        ]
        header += [
            (fit(n, w).rjust(w), "tile--header")
            for n, w in zip(table.values, value_widths, strict=True)
        ]
        lines = [header]
        body_rows = table.rows if len(table.rows) <= rows - 1 else table.rows[: rows - 2]
        for row, texts in zip(body_rows, cells, strict=False):
            line: Line = [
                (fit(clean(v), w), "tile--body")
                for v, w in zip(row.labels, label_widths, strict=False)
            ]
            for text, status, w, panel in zip(
                texts, row.statuses, value_widths, panels, strict=True
            ):
                part = status_part(status, panel) if text != "—" else "tile--dim"
                line.append((set_cell_size(text, w - 1).rjust(w), part))
            lines.append(line)
        if len(body_rows) < len(table.rows):
            lines.append(
                [(fit(f"+{len(table.rows) - len(body_rows)} more rows", width), "tile--dim")]
            )
        return lines

    def _column_name(self, offset: int, panel: Panel) -> str:
        """A query's value column: "Value" alone; else what tells the queries apart
        (the legend or refId the import appended to the title), else its letter."""
        if len(self.panels) == 1:
            return "Value"
        prefix = f"{self.tile.title} · "
        if panel.title.startswith(prefix) and panel.title != prefix:
            return clean(panel.title[len(prefix) :], 16)
        return chr(ord("A") + offset % 26)


# -- heatmap --


class HeatmapTile(TileCard):
    """Histogram buckets over time as shaded cells: one row per bucket (le), the
    highest on top, the range left to right, darker where more observations fell."""

    def body(self, width: int, rows: int) -> list[Line]:
        history = self._history(0)
        buckets = {}
        if history is not None:
            for key, series in history.series.items():
                le = dict(key).get("le")
                if le is not None:
                    buckets[le] = series.values()
        if not buckets:
            if self.states.get(0) is not None and self.states[0].series:
                return [[(fit("no le buckets: not a histogram", width), "tile--dim")]]
            return self._why(width)
        label = min(max(cell_len(clean(le)) for le in buckets) + 1, 8)
        labels, grid = heatmap(buckets, max(width - label, 1), rows)
        return [
            [(fit(clean(le), label), "tile--dim"), ("".join(SHADES[s] for s in row), "tile--heat")]
            for le, row in zip(labels, grid, strict=True)
        ]


# -- anything else --


class OtherTile(TileCard):
    """A kind the terminal does not draw (piechart, alertlist, a plugin): it says so,
    and Enter still lists its queries."""

    def shown_status(self) -> Status | str:
        return Status.UNKNOWN

    def body(self, width: int, rows: int) -> list[Line]:
        what = clean(self.tile.note or f"a {self.tile.kind} panel", width)
        count = len(self.panels)
        queries = f"{count} quer{'y' if count == 1 else 'ies'}: enter lists them" if count else ""
        lines = [
            [(fit(what, width), "tile--body")],
            [(fit("not drawn in the terminal", width), "tile--dim")],
        ]
        if queries:
            lines.append([(fit(queries, width), "tile--dim")])
        return lines[:rows]


# -- text --


class TextTile(VerticalScroll, can_focus=True):
    """A text panel: its markdown, rendered by Textual's Markdown, scrolling when it
    is longer than the tile. It has no queries: `show` and `mark` do nothing."""

    def __init__(self, tile: Tile, first: int) -> None:
        super().__init__(classes="-plain")
        self.tile = tile
        self.panels: tuple[Panel, ...] = ()
        self.index = first

    def compose(self) -> ComposeResult:
        yield Static(Text(clean(self.tile.title)), classes="text-title", markup=False)
        yield _markdown(self.tile)

    def show(self, state: PanelState) -> None:
        return None

    def mark(self, alerts: Sequence[ActiveAlert], down: Sequence[Target], now: float) -> None:
        return None

    def zoom_screen(self, app: DashboardApp) -> Screen[None]:
        return TextScreen(self.tile)


class TextScreen(Screen[None]):
    """A text panel full-screen."""

    BINDINGS = [
        Binding("escape", "app.pop_screen", "Back"),
        Binding("enter", "app.pop_screen", "Back", show=False),
        Binding("q", "app.pop_screen", "Back", show=False),
    ]

    def __init__(self, tile: Tile) -> None:
        super().__init__()
        self.tile = tile

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="text-zoom") as scroll:
            scroll.border_title = clean(self.tile.title)
            yield _markdown(self.tile)
        yield Footer()


def _markdown(tile: Tile) -> Widget:
    # Imported here: Textual's Markdown brings markdown-it, a start-up cost that only
    # a dashboard with a text panel should pay.
    from textual.widgets import Markdown

    return Markdown(tile.content or "*(empty text panel)*")
