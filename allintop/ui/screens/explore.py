"""Explore: ask the datasource a query the dashboard does not, and see its answer.

A PromQL prompt with the focus (allintop.ui.screens.explore_prompt): colour, the
parser's error at its place as you type, completion of metric, function and label
names and label values (the server's names, fetched in the background and cached by
allintop.live.explore). Enter runs the query over the dashboard's range on the
datasource Explore was opened on: the zoom's chart and a sortable table of the
values now (allintop.ui.screens.explore_results), cut at the dashboard's series cap.
Up and Down recall past queries (allintop.live.past_queries); ctrl+s keeps the query
as a panel of the user's panels.yaml (allintop.dashboard.explore_panels).

In the prompt every printable key is text (`s`, `q`, `e`...): only Esc (close
Explore), Tab, Enter, Up, Down and ctrl keys do something else.
"""

from __future__ import annotations

from typing import Any

from textual import on, work
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Footer, Input, Static

from allintop.dashboard.explore_panels import HINT, ROW_TITLE, append_panel
from allintop.errors import AllintopError, PrometheusError, QueryError
from allintop.live import explore
from allintop.live.past_queries import PastQueries, Recall, default_path
from allintop.promql.complete import Context, apply, candidates, context_at
from allintop.promql.syntax import problem
from allintop.ui.screens.explore_open import ExploreHost, ExploreSetup, setup_of
from allintop.ui.screens.explore_prompt import Candidates, Problem, Prompt
from allintop.ui.screens.explore_results import ValuesTable, chart_data
from allintop.ui.screens.zoom import ZoomScreen
from allintop.ui.screens.zoom_chart import ZoomChart, palette
from allintop.values.durations import format_duration
from allintop.values.text import clean

#: A saved panel's title: the query, cut to this many characters.
TITLE_LENGTH = 60


class ExploreScreen(Screen[None]):
    """Explore, on the datasource and with the query of `setup`."""

    CSS_PATH = "explore.tcss"
    BINDINGS = [
        Binding("escape", "close", "Close", tooltip="close Explore (back to the dashboard)"),
        Binding("tab", "complete", "Complete", tooltip="put the highlighted completion in"),
        Binding("up", "recall(-1)", "Older", show=False, tooltip="an older query"),
        Binding("down", "recall(1)", "Newer", show=False, tooltip="a newer query"),
        Binding("ctrl+n", "candidate(1)", "Next completion", show=False),
        Binding("ctrl+s", "save", "Save as panel", tooltip="append the query to panels.yaml"),
        Binding("ctrl+t", "table", "Table", tooltip="to the table of values (Tab: back)"),
    ]

    def __init__(self, setup: ExploreSetup, history: PastQueries | None = None) -> None:
        super().__init__()
        self.setup = setup
        self.past = history if history is not None else PastQueries(default_path())
        self.recall = Recall(self.past)
        self._recalled: str | None = None
        self._place: Context | None = None
        self.answered: explore.Explored | None = None

    def compose(self) -> ComposeResult:
        yield Static(self._heading(), id="explore-heading", markup=False)
        yield Prompt(self.setup.query)
        yield Problem(id="explore-problem", markup=False)
        yield Candidates(id="explore-candidates")
        yield Static(id="explore-status", markup=False)
        yield ZoomChart(id="explore-chart")
        yield ValuesTable()
        yield Footer()

    def _heading(self) -> str:
        setup = self.setup
        return (
            f"Explore  on {clean(setup.datasource, 60)} ({clean(setup.client.host, 60)})"
            f"  last {format_duration(setup.range_)}  at most {setup.cap} series"
        )

    def on_mount(self) -> None:
        prompt = self.query_one(Prompt)
        prompt.focus()
        prompt.cursor_position = len(prompt.value)
        self.query_one(Candidates).display = False
        self.query_one(Problem).display = False
        if self.past.error:
            self._say(f"past queries not kept: {self.past.error}")
        self._fetch_metrics()
        self._typed(prompt.value)
        # The cursor moved (left, right, home, a click): what it is on now.
        self.watch(prompt, "cursor_position", lambda _: self._complete(), init=False)

    # -- typing --

    @on(Input.Changed, "#explore-prompt")
    def _changed(self, event: Input.Changed) -> None:
        if event.value != self._recalled:
            self.recall.reset()
        self._recalled = None
        self._typed(event.value)

    def _typed(self, text: str) -> None:
        found = problem(text) if text.strip() else None
        self.query_one(Problem).show(text, found)
        self._complete()

    def _complete(self) -> None:
        """Offer what fits the cursor's place, from the names known; ask for the
        names not known yet (they are offered when they come)."""
        prompt = self.query_one(Prompt)
        context = context_at(prompt.value, prompt.cursor_position)
        self._place = context
        offered: list[str] = []
        if context is not None:
            known = explore.names_of(self.setup.client)
            names: tuple[str, ...] | None = known.metrics
            if context.place == "label":
                names = known.labels.get(context.metric)
            elif context.place == "value":
                names = known.values.get((context.metric, context.label))
            if names is None:
                self._fetch_labels(context)
            offered = candidates(context, names or ())
        self.query_one(Candidates).offer(offered)

    @work(group="names", exit_on_error=False)
    async def _fetch_metrics(self) -> None:
        try:
            await explore.metric_names(self.setup.client)
        except PrometheusError as error:
            self._say(f"metric names not known: {error.message}")
            return
        self._complete()

    @work(group="labels", exclusive=True, exit_on_error=False)
    async def _fetch_labels(self, context: Context) -> None:
        client = self.setup.client
        try:
            if context.place == "label":
                await explore.label_names(client, context.metric)
            else:
                await explore.label_values(client, context.metric, context.label)
        except PrometheusError as error:
            self._say(f"label names not known: {error.message}")
            return
        if self._place == context:
            self._complete()

    def action_complete(self) -> None:
        """Tab: the highlighted completion into the query; on the table: back to it."""
        prompt = self.query_one(Prompt)
        offered = self.query_one(Candidates)
        if not prompt.has_focus:
            prompt.focus()
            return
        context, at = self._place, offered.highlighted
        if context is None or not offered.display or at is None:
            return
        name = offered.names[at]  # as the server wrote it (the list shows it cleaned)
        text, cursor = apply(prompt.value, prompt.cursor_position, context, name)
        prompt.value = text
        prompt.cursor_position = cursor

    def action_candidate(self, direction: int) -> None:
        self.query_one(Candidates).step(direction)

    def action_recall(self, direction: int) -> None:
        prompt = self.query_one(Prompt)
        if not prompt.has_focus:
            return
        text = self.recall.older(prompt.value) if direction < 0 else self.recall.newer()
        if text is not None:
            self._recalled = text
            prompt.value = text
            prompt.cursor_position = len(text)

    def action_table(self) -> None:
        self.query_one(ValuesTable).focus()

    def action_close(self) -> None:
        self.dismiss()

    # -- running --

    @on(Input.Submitted, "#explore-prompt")
    def _submitted(self, event: Input.Submitted) -> None:
        query = event.value
        if not query.strip():
            return
        found = problem(query)
        if found is not None:
            self.query_one(Problem).show(query, found)
            self._say("not run: the query does not parse")
            return
        self.past.add(query)
        if self.past.error:
            self.notify(f"past queries not kept: {self.past.error}", severity="warning")
        self.query_one(Candidates).display = False
        self._say("running…")
        self._run(query)

    @work(group="run", exclusive=True, exit_on_error=False)
    async def _run(self, query: str) -> None:
        setup = self.setup
        try:
            answered = await explore.run(setup.client, query, setup.range_, setup.cap)
        except PrometheusError as error:
            self._failed(query, error)
            return
        self.answered = answered
        self._show(answered)

    def _failed(self, query: str, error: PrometheusError) -> None:
        position = error.position if isinstance(error, QueryError) else None
        if position is not None and isinstance(error, QueryError):
            self.query_one(Problem).show_at(query, position, error.error)
        self._say(f"{error.headline}: {clean(error.cause, 300)}")

    def _show(self, answered: explore.Explored) -> None:
        colours = palette(self.app.get_css_variables())
        with self.app.batch_update():
            self.query_one(ZoomChart).show(chart_data(answered, colours))
            self.query_one(ValuesTable).show(answered)
        count = max(len(answered.series), len(answered.values))
        said = f"{count} series" if count != 1 else "1 series"
        if answered.cut:
            said = (
                f"the first {count} of {answered.total} series (highest first): "
                f"cut at the dashboard's series cap"
            )
        if not count:
            said = "no series: the query selects nothing in this range"
        for warning in answered.warnings:
            said += f"  warning: {clean(warning, 200)}"
        self._say(said)

    def _say(self, text: str) -> None:
        self.query_one("#explore-status", Static).update(text)

    # -- keeping it --

    def action_save(self) -> None:
        """ctrl+s: the query as a panel of the row "Explore" of the user's panels.yaml."""
        setup = self.setup
        query = self.query_one(Prompt).value.strip()
        if not query or problem(query) is not None:
            self.notify("only a query that parses is kept", title="Explore", severity="warning")
            return
        if setup.write_to is None:
            why = setup.refused or "no panels.yaml to write to"
            self.notify(f"{why}: {HINT}", title="Explore", severity="warning", markup=False)
            return
        one_line = " ".join(query.split())
        title = one_line if len(one_line) <= TITLE_LENGTH else one_line[: TITLE_LENGTH - 1] + "…"
        datasource = None if setup.default else setup.datasource
        try:
            append_panel(setup.write_to, title, query, datasource, setup.datasources)
        except AllintopError as error:
            self.notify(str(error), title="Explore: not saved", severity="error", markup=False)
            return
        self.notify(
            f"added to the row {ROW_TITLE!r} of {setup.write_to}",
            title="Explore",
            markup=False,
        )


def open_explore(app: App[Any], host: ExploreHost, *, panel_query: bool = False) -> None:
    """`e`: Explore with an empty prompt; `E`: with the focused panel's query (`app`
    is `host`, as the App that shows the screen)."""
    if isinstance(app.screen, ExploreScreen):
        return  # `e` typed on its table: Explore is open already
    # On a zoom, E opens the query zoomed on.
    zoomed = app.screen.index if isinstance(app.screen, ZoomScreen) else None
    setup = setup_of(host, panel_query=panel_query, index=zoomed)
    if setup is None:
        app.notify("E opens a panel's query: focus a panel first", title="Explore")
    else:
        app.push_screen(ExploreScreen(setup))
