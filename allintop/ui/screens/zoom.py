"""Zoom: one panel full-screen, as a chart with axes, levels and a legend.

Import this module only when the user zooms: it brings in plotext, which the
dashboard itself does not need. The screen is composed once; each poll re-reads the
panel's history from the dashboard (`refresh_from`) and replots under
`batch_update()`.
"""

from __future__ import annotations

import math
import time
from collections.abc import Sequence

from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.content import Content
from textual.highlight import highlight
from textual.widgets import Footer, Static

from allintop.dashboard.model import Panel, Query
from allintop.draw.chart import RGB, Level
from allintop.draw.legend import series_names
from allintop.errors import PrometheusError, QueryError
from allintop.live.history import LabelKey, SeriesHistory
from allintop.promql.parse import prettify
from allintop.ui.cards.chart_marks import MarksView
from allintop.ui.panel_text import alert_text, value_text
from allintop.ui.screens.live import LiveScreen
from allintop.ui.screens.zoom_chart import ChartData, Line, ZoomChart, palette, rgb
from allintop.ui.screens.zoom_legend import ZoomLegend
from allintop.ui.screens.zoom_marks import (
    MarksFetched,
    ZoomAnnotations,
    ZoomMarks,
    chart_marks,
)
from allintop.ui.theme import themed
from allintop.ui.view import DashboardView
from allintop.values.durations import format_duration
from allintop.values.text import clean, clean_multiline
from allintop.values.thresholds import Status, Threshold, status_of
from allintop.values.units import format_value

#: A drawn series: its panel's index and its labels (two queries may share labels).
SeriesKey = tuple[int, LabelKey]
#: Lines drawn at most; the legend counts the rest.
MAX_LINES = 10
STATUS_STYLES = {
    Status.OK: "$success",
    Status.WARNING: "$warning",
    Status.CRITICAL: "$error",
    Status.UNKNOWN: "$text-muted",
}
MARK_STYLES = {"firing": "bold $error", "pending": "bold $warning"}
#: The chart is replotted at most once per this many times what a replot costs.
CHART_DUTY = 4.0
#: The prettified expression is shown when it takes at most this share of the screen's
#: height; otherwise the expression as written, wrapped.
PRETTY_SHARE = 1 / 5


def _colour(color: RGB) -> str:
    return "rgb({},{},{})".format(*color)


class ZoomScreen(LiveScreen):
    """One panel full-screen: headline, expression, chart over the range, legend.

    Args:
        view: the dashboard (the query, its expression and history are read from it).
        index: the query's index in the dashboard.
        panel: the panel it is the first query of: all the panel's queries are listed
            and charted (a panel of several targets, a kind the terminal does not draw).
    """

    CSS_PATH = "zoom.tcss"
    BINDINGS = [
        *LiveScreen.BINDINGS,
        Binding("enter", "app.pop_screen", "Back", show=False),
    ]

    def __init__(self, view: DashboardView, index: int, panel: Panel | None = None) -> None:
        super().__init__(view)
        self.index = index
        self.panel = panel
        known = view.state
        count = max(panel.count, 1) if panel is not None else 1
        self.indices = range(index, min(index + count, len(known.queries)))
        self.target: Query = known.queries[index]
        self.expr = known.exprs[index]
        self.exprs = [known.exprs[i] for i in self.indices]
        try:
            self.pretty = prettify(self.expr)
        except ValueError:
            self.pretty = self.expr
        self._colours: dict[SeriesKey, RGB] = {}
        self._palette: list[RGB] = []
        self._charted = -math.inf  # when the chart was last replotted (the view's clock)
        self._prep_cost = 0.0
        self._expression_shown: tuple[object, ...] = ()
        self.by: tuple[str, ...] = ()  # the labels the legend names series by
        self.data = ChartData(unit=self.target.unit)
        self.marks = ZoomMarks()

    def compose(self) -> ComposeResult:
        with Horizontal(id="zoom-header"):
            yield Static(id="zoom-headline", markup=False)
            yield Static(id="zoom-range", markup=False)
        yield Static(id="zoom-expr", markup=False)
        yield ZoomChart(id="zoom-chart")
        yield ZoomLegend(id="zoom-legend")
        yield ZoomAnnotations(id="zoom-annotations", markup=False)
        yield Footer()

    def on_mount(self) -> None:
        self._show_expression()
        super().on_mount()

    def on_resize(self, event: events.Resize) -> None:
        self._show_expression()

    def _show_expression(self, error: PrometheusError | None = None) -> None:
        """Prettified when it fits in a fair share of the height, else as written; with
        a caret under the place Prometheus could not parse."""
        position = error.position if isinstance(error, QueryError) else None
        if position is not None and isinstance(error, QueryError):
            shown: tuple[object, ...] = ("caret", position, error.error)
            if shown != self._expression_shown:
                text = with_caret(self.expr, position, error.error)
                self.query_one("#zoom-expr", Static).update(text)
            self._expression_shown = shown
            return
        if len(self.exprs) > 1:
            if self._expression_shown != ("queries",):
                self._expression_shown = ("queries",)
                self.query_one("#zoom-expr", Static).update(self._query_list())
            return
        pretty = len(self.pretty.splitlines()) <= max(self.size.height * PRETTY_SHARE, 1)
        if ("pretty", pretty) == self._expression_shown:
            return
        self._expression_shown = ("pretty", pretty)
        code = clean_multiline(self.pretty if pretty else self.expr)
        # Textual's highlighter: the promql lexer, coloured from the app's theme.
        self.query_one("#zoom-expr", Static).update(highlight(code, language="promql"))

    def _query_list(self) -> Content:
        """Each of the tile's queries on a line of its own, lettered as in Grafana."""
        content = Content("")
        for k, expr in enumerate(self.exprs):
            if k:
                content += "\n"
            content += Content.styled(f"{chr(ord('A') + k % 26)}  ", "bold")
            content += highlight(clean_multiline(expr), language="promql")
        return content

    # -- live updates --

    def refresh_from(self, view: DashboardView) -> None:
        """Headline and legend every tick; the chart too, unless it is too costly.

        A long range at a short step is a lot of points for plotext: the chart is
        replotted at most once per `CHART_DUTY` times its last cost, so it never takes
        more than a fraction of the time, whatever the range.
        """
        with self.app.batch_update():
            state = view.state.query(self.index)
            self._show_expression(state.error if state is not None else None)
            chart = self.query_one(ZoomChart)
            # The dashboard's clock, not time's: a test's frozen clock then decides
            # whether the chart is due, the same way on every run. A clock set back
            # (a wall clock stepped by NTP) makes it due at once.
            began, prepared = view.clock(), time.perf_counter()
            waited = began - self._charted
            due = not 0 <= waited < CHART_DUTY * (chart.cost + self._prep_cost)
            data = self._chart_data(view, with_points=due)
            if due:
                self._prep_cost = time.perf_counter() - prepared
                self.data = data
                chart.show(data)
                self._charted = began
            self._headline(view)
            self._legend(data, chart.levels, state.error if state is not None else None)
        self._ask_marks(view)

    def _ask_marks(self, view: DashboardView) -> None:
        """Annotations and alert history, in a worker, when due (allintop.ui.screens.zoom_marks)."""
        asked = self.marks.due(view, self.indices)
        if asked is None or not isinstance(view, MarksView):
            return
        names, end = asked, view.clock()

        async def fetch() -> None:
            self.post_message(MarksFetched(await self.marks.fetch(view, names, self.index, end)))

        self.run_worker(fetch(), group="zoom-marks", exclusive=True, exit_on_error=False)

    def on_marks_fetched(self, message: MarksFetched) -> None:
        self.marks.marks = message.marks
        self._charted = -math.inf  # replotted now, with them
        self.refresh_from(self.view)

    def _chart_data(self, view: DashboardView, *, with_points: bool = True) -> ChartData:
        """The panel's top series from its history (`with_points` False: no points)."""
        query = self.target
        total = 0
        several = len(self.indices) > 1
        drawn: list[tuple[SeriesKey, str, SeriesHistory]] = []
        known = view.state
        for index in self.indices:
            history = view.history_of(index)
            state = known.query(index)
            if history is None or (state is not None and state.native):
                continue  # a native histogram's buckets are a heatmap's, not lines
            shown = known.queries[index]
            # The panel's order: worst first when it has thresholds, so a failing
            # series is drawn and listed however many healthy ones there are.
            ranked = history.ranked()[:MAX_LINES]
            total += max(len(history.series), state.total if state else 0)
            names, by = series_names(list(history.series), shown.legend)
            if index == self.index:
                self.by = () if several else by
            for key, series in ranked:
                name = names[key] or shown.title
                if several and not shown.legend:
                    name = f"{shown.title} {names[key]}".strip()
                drawn.append(((index, key), name, series))
        drawn = drawn[:MAX_LINES]
        colours = self._assign_colours([key for key, _, _ in drawn])
        lines = [
            Line(name, colours[key], series.points() if with_points else (), series.latest)
            for key, name, series in drawn
        ]
        step = view.poller.bucket  # the history's buckets, not the refresh step
        ends = [line.points[-1][0] for line in lines if line.points]
        end = max(ends) if ends else math.floor(view.clock() / step) * step
        start = end - (view.poller.capacity - 1) * step
        variables = self.app.get_css_variables()
        levels: list[Level] = []
        if query.thresholds is not None:
            for kind, threshold, colour in (
                ("target", query.thresholds.target, "success"),
                ("alert", query.thresholds.alert, "error"),
            ):
                if threshold is not None:
                    levels.append(Level(kind, threshold, rgb(variables.get(colour, "green"))))
        active = [(a.name, a.state) for i in self.indices for a in known.markers(i)]
        marks = chart_marks(self.marks.marks, variables, active, max(end, start + step))
        self.query_one(ZoomAnnotations).show(self.marks.marks, variables, active)
        return ChartData(
            lines, levels, start, max(end, start + step), query.unit, total - len(lines), marks
        )

    def _assign_colours(self, keys: list[SeriesKey]) -> dict[SeriesKey, RGB]:
        """Keep each series' colour while it stays drawn; newcomers take a free one."""
        colours = palette(self.app.get_css_variables())
        if colours != self._palette:  # a new theme: new colours all round
            self._palette, self._colours = colours, {}
        self._colours = {k: c for k, c in self._colours.items() if k in keys}
        for key in keys:
            if key not in self._colours:
                used = set(self._colours.values())
                free = [c for c in colours if c not in used] or colours
                self._colours[key] = free[0]
        return self._colours

    def _headline(self, view: DashboardView) -> None:
        query = self.target
        state = view.state.query(self.index)
        # The card's title: the panel's. A query of a Grafana panel of several targets
        # is titled "Disk IO · {{device}} read", its legend template unfilled.
        title = self.panel.title if self.panel is not None else query.title
        text = Text.assemble((clean(title), "bold"), "  ", no_wrap=True, overflow="ellipsis")
        value = value_text(state, query, view.state.down_for(self.index))
        if state is not None and state.value is not None:
            value.stylize(themed(self, STATUS_STYLES[state.status]))
        text.append_text(value)
        if state is not None:
            if query.thresholds is not None or state.status is Status.UNKNOWN:
                text.append(
                    f"  {state.status.value}", style=themed(self, STATUS_STYLES[state.status])
                )
            if state.total > 1:
                text.append(f"  top of {state.total} series", style="dim")
        panel = self.panel
        if panel is not None and panel.kind == "other":
            what = clean(panel.note or f"a {panel.kind} panel", 60)
            text.append(f"  {what}, not drawn in the terminal: its queries", style="dim")
        now = view.clock()
        for alert in view.state.markers(self.index):
            mark = alert_text(alert, now)
            if not alert.silenced:
                mark.stylize(themed(self, MARK_STYLES.get(alert.state, "")))
            text.append("  ")
            text.append_text(mark)
        self.query_one("#zoom-headline", Static).update(text, layout=False)
        every = "paused" if view.paused else f"every {format_duration(view.poller.step)}"
        span = Text(f"last {format_duration(view.poller.range)}  {every}", style="dim")
        # The range is in the dashboard's header too: it gives way to the headline.
        shown = self.query_one("#zoom-range", Static)
        shown.display = text.cell_len + span.cell_len + 4 <= self.size.width
        shown.update(span)

    def _legend(
        self, data: ChartData, levels: Sequence[Level], error: PrometheusError | None
    ) -> None:
        thresholds = self.target.thresholds
        rows: list[tuple[Text, Text]] = []
        for line in data.lines:
            name = Text("━━ ", style=_colour(line.color))
            name.append(clean(line.name, 120))
            number, unit = format_value(line.latest, data.unit, self.target.decimals)
            value = Text(f"{number} {unit}".strip() if line.latest is not None else "—")
            if thresholds is not None and line.latest is not None:
                value.stylize(themed(self, STATUS_STYLES[status_of(line.latest, thresholds)]))
            rows.append((name, value))
        footer = Text(no_wrap=True, overflow="ellipsis")
        if self.by and data.lines:
            footer.append(f"by {', '.join(clean(n) for n in self.by)}   ", style="dim")
        for level in levels:
            footer.append("━━ " if not level.place else "┄┄ ", style=_colour(level.color))
            footer.append(f"{level.kind} {_level_text(level.threshold, data.unit)}")
            if level.place:
                footer.append(f" ({level.place} the chart)", style="dim")
            footer.append("   ")
        if data.more > 0:
            footer.append(f"+{data.more} more series not drawn", style="dim")
        if not data.lines and error is not None:  # the server's own words, not "no series"
            footer.append(
                clean(str(error), 300), style=themed(self, STATUS_STYLES[Status.CRITICAL])
            )
        elif not data.lines:
            footer.append("no series in range", style="dim italic")
        footer.rstrip()
        self.query_one(ZoomLegend).show(rows, footer)


def with_caret(expr: str, position: tuple[int, int], message: str) -> Text:
    """The expression as written, with `^` under (line, column) and the message after it.

    Columns are counted in the expression as shown (control characters made
    visible), so the caret stands under the character Prometheus meant.
    """
    line_number, column = position
    lines = expr.splitlines() or [""]
    text = Text(no_wrap=False)
    for number, line in enumerate(lines, start=1):
        if number > 1:
            text.append("\n")
        text.append(clean(line))
        if number == line_number:
            before = clean(line[: max(column - 1, 0)])
            text.append("\n" + " " * len(before))
            text.append("^ " + clean(message, 200), style="bold")
    return text


def _level_text(threshold: Threshold, unit: str) -> str:
    """A threshold as the legend's values read ("<200 ms"), in the unit the axis and
    the values scale theirs to ("<1.5 s" on a panel in ms), not the file's bare number."""
    number, shown = format_value(threshold.value, unit)
    return f"{threshold.op}{number} {shown}".rstrip()
