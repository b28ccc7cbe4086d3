"""The live dashboard app.

Flow: config -> poller -> messages -> widgets. Polling runs in an async worker; one
poll is in flight at a time and the next is armed with a one-shot timer when it ends
(at the next grid time), so a slow Prometheus never piles up requests and a poll is
never cancelled half-way by the next one.

Only what is shown is asked: the panels of expanded rows on screen or within a screen
of it (`_update_active`); a panel that comes near (a row expanded, a scroll) is
fetched at once, with its history, rather than at the next tick.
"""

from __future__ import annotations

import asyncio
import functools
import gc
import json
import os
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual import on, work
from textual.app import App, ComposeResult, SystemCommand
from textual.await_complete import AwaitComplete
from textual.binding import Binding
from textual.containers import Grid, Horizontal
from textual.geometry import Region, Size
from textual.screen import Screen
from textual.timer import Timer
from textual.widget import Widget
from textual.widgets import Footer, Static
from textual.worker import Worker, WorkerState

from allintop.dashboard import templating
from allintop.dashboard.loading import load_dashboard
from allintop.dashboard.model import Dashboard, Pick, Row, Tile
from allintop.errors import AllintopError
from allintop.live import schedule
from allintop.live import state as reduce
from allintop.live import variables as live_variables
from allintop.live.datasources import ContextSwitch, Datasources, Setup
from allintop.live.fanout import FanOut
from allintop.live.history import PanelHistory
from allintop.live.poller import PanelState, TickReport, aligned
from allintop.live.state import DashboardState
from allintop.live.watch import StatusWatcher
from allintop.promql.parse import shown
from allintop.sources.prometheus import PrometheusClient
from allintop.ui import layout
from allintop.ui.keys import KEYS, PALETTE_KEY
from allintop.ui.layout import Box
from allintop.ui.messages import LateResult, PollDone, StatusDone
from allintop.ui.rows import Rows, TileGrid, TileView, unique
from allintop.ui.theme import themed
from allintop.ui.tiles import tile_widget
from allintop.ui.widgets import AlertsBar, PanelCard, RowTitle, Staleness
from allintop.values.text import clean
from allintop.values.units import format_duration

if TYPE_CHECKING:
    from allintop.sources.alertmanager import AlertmanagerClient

REFRESH_CHOICES = (1.0, 2.0, 5.0, 10.0, 15.0, 30.0, 60.0, 120.0, 300.0)
RANGE_CHOICES = (300.0, 900.0, 1800.0, 3600.0, 10800.0, 21600.0, 43200.0, 86400.0)
# Ticks fire a little after each grid time, so the scrape of that second is in.
TICK_OFFSET = 0.05
# Seconds before a failed history backfill is tried again.
BACKFILL_RETRY = 30.0
# Seconds between looks at panels.yaml's mtime and size (reloaded when they change).
CONFIG_CHECK = 1.0
# --screenshot waits this long at most for the first values (a script must not hang).
SCREENSHOT_WAIT = 20.0
# Seconds the cyclic GC stays off at start, at most (the first report may be late).
GC_OFF_AT_MOST = 5.0
# A file to append one JSON line per applied tick to (the bench's soak reads it); unset,
# nothing is written.
TICK_LOG_ENV = "ALLINTOP_TICK_LOG"
# Panels within this many screens above or below the screen are asked on each tick
# too, so a page key or a short scroll finds their values there already.
PREFETCH_SCREENS = 1
# How the header shows the verdict's level.
VERDICT_STYLES = {
    "success": "bold $success",
    "warning": "bold $warning",
    "error": "bold $error",
    "dim": "dim",
}


def _next_choice(choices: tuple[float, ...], current: float, direction: int) -> float:
    if direction > 0:
        return next((c for c in choices if c > current), choices[-1])
    return next((c for c in reversed(choices) if c < current), choices[0])


class DashboardApp(App[None]):
    """allintop's live dashboard.

    Args:
        dashboard: the loaded panels.yaml.
        client: the Prometheus client, or each datasource's (Datasources); the app
            closes them on exit.
        variables: template variable values (name -> value).
        refresh: seconds between ticks (overrides the dashboard's).
        range_: the sparklines' time range in seconds.
        clock: the wall clock, for times (the query grid, "since"); tests freeze it.
        monotonic: the clock durations are measured on (retries, the overdue verdict,
            the next poll's delay), which a wall clock stepped by NTP does not move.
        alertmanager: the Alertmanager client, for silences.
        notices: messages for the user shown as notifications at start.
        screenshot: save the screen there once the first values are in, then exit.
        contexts: the user config's contexts, for `c` to switch among live.
    """

    CSS_PATH = "allintop.tcss"
    TITLE = "allintop"

    BINDINGS = [
        *(key.binding() for key in KEYS),
        # Over SSH, Ctrl-C is how a terminal tool is left; Textual's default only hints.
        Binding("ctrl+c", "quit", show=False, priority=True),
        Binding(
            PALETTE_KEY.keys,
            PALETTE_KEY.action,
            PALETTE_KEY.name,
            show=False,  # the footer shows it on its right, whatever `show` says
            priority=True,
            tooltip=PALETTE_KEY.help,
        ),
        Binding("up", "move(0, -1)", show=False),
        Binding("down", "move(0, 1)", show=False),
        Binding("left", "move(-1, 0)", show=False),
        Binding("right", "move(1, 0)", show=False),
    ]

    def __init__(
        self,
        dashboard: Dashboard,
        client: PrometheusClient | Datasources,
        *,
        variables: Mapping[str, str] | None = None,
        refresh: float | None = None,
        range_: float | None = None,
        clock: Callable[[], float] = time.time,
        monotonic: Callable[[], float] = time.monotonic,
        alertmanager: AlertmanagerClient | None = None,
        notices: Sequence[str] = (),
        screenshot: Path | None = None,
        contexts: ContextSwitch | None = None,
    ) -> None:
        super().__init__()
        self.contexts = contexts
        # --var's values: a switch to another context starts again from these.
        self._given_variables = dict(variables or {})
        self.notices = tuple(notices)
        self.screenshot = screenshot
        self.dashboard = dashboard
        if isinstance(client, PrometheusClient):
            client = Datasources.single(client, dashboard.datasource.name)
        self.datasources = client
        self.client = client.client  # the default datasource's
        self.clock = clock
        self.monotonic = monotonic
        self.variables = dashboard.variable_values(variables)
        self.refresh_interval = refresh or dashboard.refresh
        self.range = range_ or dashboard.range
        # Query variables' options as last asked for: what "all" of a filtered one is.
        self.variable_options: dict[str, tuple[str, ...]] = {}
        self.exprs = dashboard.exprs(self.variables, range_=self.range, step=self.refresh_interval)
        # What is on the dashboard and where (see _row_widgets and _plan_page).
        self._tiles: list[TileView] = []
        self._row_tiles: list[list[TileView]] = []
        self._by_panel: dict[int, TileView] = {}
        self._by_widget: dict[Widget, TileView] = {}
        self._titles: list[RowTitle] = []
        self._bodies: list[Widget] = []
        self._row_state: dict[str, bool] = {}  # rows the user collapsed / expanded, by title
        self._boxes: list[tuple[Box, ...]] = []  # each row's tiles in its body
        self._page: layout.Page | None = None  # None: not laid out yet
        # The panels asked on each tick, and those of them whose history is fetched
        # (or being fetched) since they were last shown.
        self._active: frozenset[int] = frozenset()
        self._fetched: set[int] = set()
        self.bindings: list[str] = []  # each panel's datasource, set by _new_poller
        self.poller = self._new_poller()
        self.watcher = StatusWatcher(self.datasources, alertmanager, default=client.default)
        # What the servers said and the verdict on them; screens read it (see
        # allintop.live.state), the reducers there replace it for each report.
        self.state = self._configured(DashboardState())
        self._status_busy = False
        self._generation = 0  # bumped by every re-configuration (see _run_poll)
        self._refresh_asked = False
        self._backfill_failed_at: float | None = None  # monotonic
        self.paused = False
        self.needs_backfill = True
        self.ticks = 0
        self._timer: Timer | None = None
        self._polling = False
        self._tick_log = os.environ.get(TICK_LOG_ENV)
        self._poll_started = 0.0  # time.time() when the latest poll began, for the log
        # Held, not queried: the header keeps updating while another screen is on top.
        self._header_left = Static(id="header-left", markup=False)
        self._header_right = Static(id="header-right", markup=False)
        self._status_line = Static(id="status-line", markup=False)
        self._alerts_bar = AlertsBar(id="alerts-bar", markup=False)
        self._rows = Rows(id="rows")
        self._config_seen = _file_signature(dashboard.source)
        self._reloading = False

    def _configured(self, state: DashboardState, *, keep_panels: bool = False) -> DashboardState:
        """`state` for the panels, queries and datasources as they are now."""
        return reduce.configure(
            state,
            self.dashboard.panels,
            self.exprs,
            self.bindings,
            several=len(self.datasources) > 1,
            keep_panels=keep_panels,
        )

    # -- composition and layout --

    def compose(self) -> ComposeResult:
        with Horizontal(id="header"):
            yield self._header_left
            yield self._header_right
        yield self._status_line
        yield self._alerts_bar
        with self._rows:
            yield from self._row_widgets()
        # Compact: at 80 columns the keys used most and ^p (every action) fit.
        yield Footer(compact=True)

    def _row_widgets(self) -> list[Widget]:
        """Each row's title and body: a grid of cards (panels.yaml's rows, as ever) or
        the tiles of a Grafana row, hidden while it is collapsed."""
        self._tiles, self._row_tiles, self._titles, self._bodies = [], [], [], []
        widgets: list[Widget] = []
        first = 0
        for number, row in enumerate(self.dashboard.rows):
            views = [self._tile_view(tile, row, number, first) for tile in row.layout]
            self._row_tiles.append(views)
            self._tiles += views
            first += len(row.panels)
            tiles = [view.widget for view in views]
            if row.tiles:
                collapsed = self._row_state.get(row.title, row.collapsed)
                title = RowTitle(
                    row.title, number, collapsible=True, collapsed=collapsed, count=len(views)
                )
                body: Widget = TileGrid(*tiles, row=number, shown=not collapsed)
                body.display = not collapsed
            else:
                title = RowTitle(row.title, number)
                body = Grid(*tiles, classes="row-grid", id=f"row-{number}")
            self._titles.append(title)
            self._bodies.append(body)
            widgets += [title, body]
        self._by_panel = {index: view for view in self._tiles for index in view.panels}
        self._by_widget = {view.widget: view for view in self._tiles}
        return widgets

    @staticmethod
    def _tile_view(tile: Tile, row: Row, number: int, first: int) -> TileView:
        """The widget of `tile` of row `number`, whose first panel is the dashboard's
        panel `first`."""
        panels = row.panels[tile.first : tile.first + tile.count]
        start = first + tile.first
        # panels.yaml's own rows keep their cards, exactly as they have always been.
        widget = tile_widget(tile, panels, start) if row.tiles else PanelCard(panels[0], start)
        return TileView(widget, number, range(start, start + len(panels)))

    def _collapsed(self, row: int) -> bool:
        return self._titles[row].collapsed

    def on_mount(self) -> None:
        for notice in self.notices:  # how the command line was read, e.g. a URL fixed up
            warning = notice.startswith("warning:")
            severity = "warning" if warning else "information"
            self.notify(notice, severity=severity, timeout=10, markup=False)
        if self.dashboard.notice:  # allintop chose this dashboard itself: say which and why
            self.notify(
                clean(self.dashboard.notice, 300), title="Dashboard", timeout=30, markup=False
            )
        self._render_header()
        self.set_interval(1.0, self._render_header)
        self.set_interval(CONFIG_CHECK, self._check_config)
        # Should the first report be slow to come (a hanging server), not that long.
        self.set_timer(GC_OFF_AT_MOST, _collect_garbage_again)
        if self.screenshot is not None:
            self.set_timer(SCREENSHOT_WAIT, self._take_screenshot)
        # Before the first layout, for the terminal's size: the first poll asks only
        # what will be on screen.
        self._plan_page(Size(self.size.width, max(self.size.height - 2, 1)))
        self._update_active()
        self._focus_first()
        self._schedule(0)
        self._resolve_variables()

    @on(Rows.Resized)
    def _rows_resized(self, event: Rows.Resized) -> None:
        # Planned on the rows' own resize, not the terminal's: when the terminal's
        # arrives, the rows still have their old size, and the cards would be laid out
        # one resize behind.
        self._apply_layout(event.size)

    @on(Rows.Scrolled)
    def _rows_scrolled(self) -> None:
        # A reload empties the rows before it mounts the new ones: their scroll drops
        # to 0 meanwhile, with the page still the old dashboard's. Once mounted, the
        # new rows are laid out and asked for anyway.
        if self._rows_mounted():
            self._update_active()

    def _rows_mounted(self) -> bool:
        """Whether every row's body is mounted: not while a reload (or the start) is
        still mounting them, when the page does not describe them yet."""
        return all(body.is_mounted for body in self._bodies)

    def _apply_layout(self, size: Size | None = None) -> None:
        """Cards and tiles laid out for the rows' size (`size`, else their current one)."""
        size = size or self._rows.size
        if not self._rows_mounted():
            # Rows still being mounted (at start, or a reload's new cards): lay them
            # out once they all are.
            self.call_after_refresh(self._apply_layout)
            return
        cards = self._plan_page(size)
        for row, body, boxes in zip(self.dashboard.rows, self._bodies, self._boxes, strict=True):
            if isinstance(body, TileGrid):
                body.place(boxes)
            elif cards is not None:
                # A short row spreads over the full width rather than leaving a hole.
                body.styles.grid_size_columns = min(cards.columns, len(row.panels))
                body.styles.grid_rows = str(cards.card_height)
                for child in body.children:
                    child.styles.height = cards.card_height
        self._update_active()

    def _plan_page(self, size: Size) -> layout.Layout | None:
        """Where every row's cards or tiles go for rows of `size` (kept, for what is on
        screen and where the keys move); the card grid's plan, if there are cards."""
        width, height = size.width, size.height
        cards = [len(row.panels) for row in self.dashboard.rows if not row.tiles]
        grid = layout.plan(width, height, cards) if cards else None
        self._boxes = self._bodies_for(width, height, grid)
        page = self._stacked()
        scrollbar = self._rows.styles.scrollbar_size_vertical
        if page.height > height and scrollbar:
            # The scrollbar takes its columns from the tiles (the card grid's
            # fractions give them up by themselves).
            self._boxes = self._bodies_for(width - scrollbar, height, grid)
            page = self._stacked()
        self._page = page
        return grid

    def _bodies_for(
        self, width: int, height: int, grid: layout.Layout | None
    ) -> list[tuple[Box, ...]]:
        """Each row's boxes in its body, `width` columns wide, for a body `height` high."""
        bodies = []
        for row in self.dashboard.rows:
            if row.tiles:
                bodies.append(layout.place(row.tiles, width, height))
            elif grid is not None:
                bodies.append(layout.cards(len(row.panels), grid.columns, grid.card_height, width))
            else:
                bodies.append(())
        return bodies

    def _stacked(self) -> layout.Page:
        """The rows on the page as they are now: collapsed ones as their titles."""
        bodies = self._boxes
        return layout.stack(
            [None if self._collapsed(n) else boxes for n, boxes in enumerate(bodies)]
        )

    def _update_active(self) -> None:
        """Ask only the panels of expanded rows on screen or within PREFETCH_SCREENS of
        it; those that just came near are fetched now, history and all."""
        if self._page is None:
            return
        rows = self._rows
        height = rows.size.height or max(self.size.height - 2, 1)  # not laid out: the terminal's
        top = round(rows.scroll_y)
        margin = height * PREFETCH_SCREENS
        spans = [[view.panels for view in views] for views in self._row_tiles]
        active = layout.shown(self._page, spans, top - margin, top + height + margin)
        if active == self._active:
            return
        self._active = active
        self.poller.set_active(active)
        self.state = reduce.ask(self.state, active)
        self._fetched &= active
        self._fetch_shown()

    def _fetch_shown(self) -> None:
        """Fetch the panels shown whose history is not (paused: once resumed; a
        backfill about to start, the first or after a new range, fetches them)."""
        missing = self._active - self._fetched
        backfill_due = self.needs_backfill and self._backfill_failed_at is None
        if missing and not self.paused and not backfill_due:
            self._fetched |= missing
            self._reveal(sorted(missing))

    @work(group="reveal", exit_on_error=False)
    async def _reveal(self, panels: list[int]) -> None:
        """Panels just shown: their values and sparklines now, from one range query
        per leaf, rather than a value at the next tick and a history never."""
        generation, poller = self._generation, self.poller
        report = await poller.backfill(self.clock(), only=panels)
        if generation == self._generation:
            self._backfilled(report)
            self.post_message(PollDone(report, backfill=True, generation=generation))

    # -- polling --

    def _schedule(self, delay: float) -> None:
        if self._timer is not None:
            self._timer.stop()
        # Textual's timers divide by their delay: never arm one with zero.
        self._timer = self.set_timer(max(delay, 0.001), self._poll)

    def _poll(self) -> None:
        if self._polling or self.paused:
            return
        self._polling = True
        self._refresh_asked = False
        # A failed backfill is retried, but not on every tick: it may be what is slow.
        retry = self._backfill_failed_at is None or (
            self.monotonic() - self._backfill_failed_at >= BACKFILL_RETRY
        )
        backfill = self.needs_backfill and retry
        if backfill:
            self._fetched = set(self._active)  # the backfill fetches every panel shown
        self._run_poll(backfill)
        if not self._status_busy:
            self._status_busy = True
            self._run_status()

    @work(group="status", exit_on_error=False)
    async def _run_status(self) -> None:
        """Rules, targets and silences, on their own schedule, never holding up a tick."""
        try:
            report = await self.watcher.fetch(
                self.monotonic(),
                want_rules=getattr(self._top_screen(), "wants_rules", False),
                want_targets=getattr(self._top_screen(), "wants_targets", False),
            )
            self.post_message(StatusDone(report))
        finally:
            self._status_busy = False

    @work(group="poll", exit_on_error=False)
    async def _run_poll(self, backfill: bool) -> None:
        # Results carry the configuration they were asked under: after a new range,
        # step or variable, what the old poller still delivers is dropped.
        generation, poller = self._generation, self.poller
        started, began = self.clock(), self.monotonic()
        self._poll_started = time.time()
        reports: list[TickReport] = []
        try:
            now = started
            step = self.refresh_interval
            # Done before the next grid time, so a slow query costs only itself a
            # tick, not every panel every other one; it delivers late on its own.
            budget = max(aligned(now, step) + step - now, 0.05)
            late = functools.partial(self._late, generation)
            tick = poller.tick(now, budget=budget, sink=late)
            if backfill:
                # Values first: the instant queries answer long before the range
                # queries that fill the sparklines, so they are not kept waiting.
                self.needs_backfill = False
                poller.reset_tick()
                instant = asyncio.ensure_future(tick)
                history = asyncio.ensure_future(poller.backfill(now))
                try:
                    reports.append(await instant)
                    self.post_message(PollDone(reports[-1], generation=generation))
                finally:
                    filled = await history
                self._backfilled(filled)
                self.post_message(PollDone(filled, backfill=True, generation=generation))
            else:
                reports.append(await tick)
                self.post_message(PollDone(reports[-1], generation=generation))
        finally:
            self._polling = False
            if not self.paused:
                # The next grid time after the one this poll was for (a poll that ran
                # into it must not skip it), or later while Prometheus is unreachable.
                # How long the poll took is measured on the monotonic clock: a wall
                # clock stepped back meanwhile must not put the next poll hours ahead.
                arrived = [state for report in reports for state in report.panels]
                self.state = schedule.count_failures(self.state, arrived)
                step = schedule.backoff(self.state, self.refresh_interval)
                ahead = aligned(started, self.refresh_interval) + step + TICK_OFFSET - started
                due = ahead - (self.monotonic() - began)
                self.state = schedule.retry_at(self.state, self.monotonic() + due)
                soon = self._refresh_asked or (
                    self.needs_backfill
                    and self._backfill_failed_at is None
                    and not self.state.failures
                )
                self._schedule(0.0 if soon else max(due, 0.0))

    def _backfilled(self, report: TickReport) -> None:
        """A backfill that failed for some panels is asked again later, and its errors
        do not replace the values the instant tick just showed."""
        if any(state.error is not None for state in report.panels):
            self.needs_backfill = True
            self._backfill_failed_at = self.monotonic()
            report.panels = [state for state in report.panels if state.error is None]
        else:
            self._backfill_failed_at = None

    def _log_tick(self, path: str, report: TickReport, backfill: bool, applied: float) -> None:
        """One line per applied tick: its time, how long until it was on the cards
        (queries, parsing, math and the widget updates; not the terminal's own paint),
        and how long applying it held the UI loop (`apply_s`)."""
        line = {
            "at": report.time,
            "end": round(time.time(), 3),
            "tick_s": round(time.time() - self._poll_started, 4),
            "apply_s": round(applied, 5),
            "panels": len(report.panels),
            "errors": sum(state.error is not None for state in report.panels),
            "backfill": backfill,
            "carried": report.carried,
        }
        try:
            with open(path, "a", encoding="utf-8") as log:
                log.write(json.dumps(line) + "\n")
        except OSError:
            self._tick_log = None  # a bench aid: never worth an error on screen

    def _late(self, generation: int, state: PanelState) -> None:
        self.post_message(LateResult(state, generation=generation))

    @on(PollDone)
    def _apply(self, message: PollDone) -> None:
        if message.generation != self._generation:
            return
        report = message.report
        if report.skipped:
            return
        began = time.perf_counter()
        self.state = reduce.take_tick(
            self.state,
            report.panels,
            report.alerts,
            alerts_due=self.poller.want_alerts and not message.backfill,
            now=self.clock(),
            monotonic=self.monotonic(),
        )
        with self.batch_update():
            for state in report.panels:
                self._show(state)
            self._mark()
        self.ticks += 1
        self._render_header()
        self._refresh_screen()
        if self.ticks == 1:
            self.call_after_refresh(_collect_garbage_again)
        # The values, then the backfilled sparklines: a screenshot for a script waits
        # for both (two reports), and is taken once they are painted.
        if self.screenshot is not None and self.ticks >= 2:
            self.call_after_refresh(self._take_screenshot)
        if self._tick_log:
            self._log_tick(self._tick_log, report, message.backfill, time.perf_counter() - began)

    @on(StatusDone)
    def _apply_status(self, message: StatusDone) -> None:
        self.state = reduce.take_status(self.state, message.report)
        with self.batch_update():
            self._mark()
        self._refresh_screen()

    def _mark(self) -> None:
        """Alerts bar and panel markers from the latest alerts, rules and targets."""
        now = self.clock()
        state = self.state
        stale = None
        if state.alerts_error is not None:
            stale = Staleness(state.alerts_as_of, state.alerts_error)
        self._alerts_bar.show(
            list(state.active),
            now,
            stale=stale,
            alertmanager=state.alertmanager_error,
            unavailable=state.alerts_unavailable(),
        )
        for view in self._tiles:
            if view.panels:
                alerts = unique(a for i in view.panels for a in state.markers(i))
                down = unique(t for i in view.panels for t in state.down_for(i))
                view.tile.mark(alerts, down, now)

    def _show(self, state: PanelState) -> None:
        """A panel's new state, to the tile that shows it."""
        view = self._by_panel.get(state.index)
        if view is not None:
            view.tile.show(state)

    def _top_screen(self) -> Screen[object] | None:
        """The screen on top, or None while the app shuts down (a poll may still land)."""
        return self.screen_stack[-1] if self.screen_stack else None

    def _refresh_screen(self) -> None:
        """A live screen (alerts, targets, zoom) on top follows every poll."""
        screen = self._top_screen()
        # Not running or not attached: the app is shutting down and tearing the
        # screen's widgets down, while a poll that was in flight still lands.
        if not (self.is_running and screen is not None and screen.is_attached):
            return
        if getattr(screen, "ready", False):
            screen.refresh_from(self)  # type: ignore[union-attr]

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """A bug in a poll must not pass unseen: say so (no traceback); polling goes on,
        because the poll re-arms its timer whatever happens."""
        if event.state is WorkerState.ERROR:
            error = event.worker.error
            self.notify(
                clean(f"internal error in {event.worker.name}: {error!r}", 300),
                title="allintop",
                severity="error",
                timeout=10,
                markup=False,
            )

    @on(LateResult)
    def _apply_late(self, message: LateResult) -> None:
        if message.generation != self._generation:
            return
        self.state = reduce.take_late(
            self.state, message.state, now=self.clock(), monotonic=self.monotonic()
        )
        self._show(message.state)
        self._render_header()

    # -- header --

    def status_word(self) -> tuple[str, str]:
        """(word, style) for the header: live, paused, stale, unreachable, connecting."""
        verdict = reduce.verdict(
            self.state,
            paused=self.paused,
            polling=self._polling,
            waiting=self.waiting(),
            refresh=self.refresh_interval,
            monotonic=self.monotonic(),
        )
        return verdict.word, VERDICT_STYLES[verdict.level]

    @property
    def datasources_shown(self) -> str:
        """The context and the datasource(s) the panels query, as the header names them."""
        shown = self.datasources.describe(self.bindings)
        context = self.dashboard.context
        return f"[{context}] {shown}" if context else shown

    def history_of(self, index: int) -> PanelHistory:
        """The panel's history, to read (the zoom chart): the poller keeps it."""
        return self.poller.histories[index]

    def waiting(self) -> bool:
        """Whether queries are out and unanswered (a poll, or its late stragglers)."""
        return self._polling or self.poller.busy

    def _render_header(self) -> None:
        word, style = self.status_word()
        variables = "  ".join(f"{k}={clean(shown(v), 30)}" for k, v in self.variables.items())
        # The title is the first thing to give up when the terminal is narrow.
        wide = self.size.width >= 110
        title = f" · {clean(self.dashboard.title, 40)}" if self.dashboard.title and wide else ""
        left = Text.assemble(
            ("allintop", "bold"),
            title,
            "  ",
            (clean(self.datasources_shown), "bold"),
            f"  {variables}" if variables else "",
            f"  {format_duration(self.range)}  every {format_duration(self.refresh_interval)}",
            no_wrap=True,
            overflow="ellipsis",
        )
        clock = time.strftime("%H:%M:%S", time.localtime(self.clock()))
        right = Text.assemble(f"{clock}  ", ("● " + word, themed(self, style)))
        # A layout pass costs a reflow of every widget (hundreds on a big dashboard):
        # only when the right part changes width or the status line shows or hides.
        self._header_left.update(left, layout=False)
        previous = self._header_right.content
        grew = not isinstance(previous, Text) or previous.cell_len != right.cell_len
        self._header_right.update(right, layout=grew)
        status = self._status_line
        said = self.state.status_line
        if status.display != (said is not None):
            status.display = said is not None
        if said is not None:
            status.update(Text(said, no_wrap=True, overflow="ellipsis"), layout=False)

    # -- actions --

    def action_pause(self) -> None:
        self.paused = not self.paused
        if self.paused:
            if self._timer is not None:
                self._timer.stop()
        else:
            self._fetch_shown()  # panels shown while paused
            self._schedule(0)
        self._render_header()

    def action_refresh(self) -> None:
        self.poller.reset_tick()
        if self._polling:
            self._refresh_asked = True  # right after the poll in flight
        else:
            self._schedule(0)

    def action_refresh_interval(self, direction: int) -> None:
        self.refresh_interval = _next_choice(REFRESH_CHOICES, self.refresh_interval, direction)
        self._regrid()

    def action_range(self) -> None:
        index = RANGE_CHOICES.index(self.range) if self.range in RANGE_CHOICES else -1
        self.range = RANGE_CHOICES[(index + 1) % len(RANGE_CHOICES)]
        self._regrid()

    def _regrid(self) -> None:
        """A new step or range is a new grid: refill the history with one backfill."""
        self.poller.configure(self.refresh_interval, self.range)
        self._generation += 1
        self.needs_backfill = True
        self._backfill_failed_at = None
        self._render_header()
        if not self._polling and not self.paused:
            self._schedule(0)

    # Screens are imported when first opened: start-up pays only for the dashboard.

    def action_help(self) -> None:
        from allintop.ui.screens import HelpScreen

        self.push_screen(HelpScreen())

    def action_alerts(self) -> None:
        from allintop.ui.screens import AlertsScreen

        self.push_screen(AlertsScreen())
        self._fetch_now()

    def action_targets(self) -> None:
        from allintop.ui.screens import TargetsScreen

        self.push_screen(TargetsScreen())
        self._fetch_now()

    def action_zoom(self) -> None:
        """Enter on a panel: its full chart; on a row's title: collapse / expand it."""
        focused = self.focused
        if isinstance(focused, RowTitle):
            self._toggle(focused.row)
            return
        view = self._by_widget.get(focused) if focused is not None else None
        if view is None:
            return
        # Each kind knows its zoom (a chart, a table's rows, a text's whole markdown).
        zoom = getattr(view.widget, "zoom_screen", None)
        if zoom is not None:
            self.push_screen(zoom(self))
        elif view.panels:
            from allintop.ui.zoom import ZoomScreen  # plotext only when zooming

            self.push_screen(ZoomScreen(self, view.tile.index))

    # -- rows: collapse, expand, move, scroll --

    def action_toggle_row(self) -> None:
        """Space: collapse or expand the row of the focused title or panel."""
        focused = self.focused
        if isinstance(focused, RowTitle):
            self._toggle(focused.row)
        elif focused is not None and (view := self._by_widget.get(focused)) is not None:
            self._toggle(view.row)

    @on(RowTitle.Toggled)
    def _title_clicked(self, message: RowTitle.Toggled) -> None:
        self._toggle(message.row)
        self._titles[message.row].focus()

    def _toggle(self, row: int) -> None:
        """Collapse or expand row `row` (a Grafana row; panels.yaml's do not fold): a
        collapsed row's panels are not asked, an expanded one's are fetched at once."""
        title = self._titles[row]
        if not title.collapsible:
            return
        collapsed = not title.collapsed
        self._row_state[self.dashboard.rows[row].title] = collapsed
        title.set_collapsed(collapsed)
        body = self._bodies[row]
        if collapsed and self.focused is not None and body in self.focused.ancestors:
            title.focus()
        body.display = not collapsed
        if not collapsed and isinstance(body, TileGrid):
            body.reveal()
        if self._page is not None:
            self._page = self._stacked()
        self._update_active()
        if not collapsed:  # once laid out: scrolled so that what it holds shows
            self.call_after_refresh(self._scroll_to_row, row)

    def _scroll_to_row(self, row: int) -> None:
        """Scroll (as little as will do) to show the row's title and its tiles, or as
        many of them as fit."""
        page = self._page
        if page is None or row >= len(page.titles):
            return
        top = page.titles[row]
        bottom = max((box.bottom for box in page.tiles[row]), default=top + 1)
        height = max(self._rows.scrollable_content_region.height, 1)
        region = Region(0, top, 1, min(bottom - top, height))
        self._rows.scroll_to_region(region, animate=False, immediate=True)

    def _places(self) -> list[tuple[Box, Widget]]:
        """What the arrow and page keys move between, with where it is on the page:
        the title of each row that folds, and the tiles of expanded rows."""
        page = self._page
        if page is None:
            return []
        places: list[tuple[Box, Widget]] = []
        for number, views in enumerate(self._row_tiles):
            title = self._titles[number]
            if title.collapsible:
                # No width: from a title, up and down go to a line's first tile.
                places.append((Box(0, page.titles[number], 0, 1), title))
            boxes = page.tiles[number]
            places += [
                (b, v.widget) for b, v in zip(boxes, views, strict=False) if v.widget.can_focus
            ]
        return places

    def _focus_first(self) -> None:
        """The first panel on the dashboard, else the first row's title."""
        places = self._places()
        tiles = [widget for _, widget in places if not isinstance(widget, RowTitle)]
        first = tiles[0] if tiles else places[0][1] if places else None
        if first is not None:
            first.focus()

    def _focus_panel(self, index: int) -> None:
        """Focus the tile of panel `index` (the nearest there is), or its row's title
        if the row is collapsed."""
        if not self._by_panel:
            self._focus_first()
            return
        view = self._by_panel.get(min(index, max(self._by_panel)))
        if view is None:
            self._focus_first()
        elif self._collapsed(view.row):
            self._titles[view.row].focus()
        elif view.widget.can_focus:
            view.widget.focus()

    def action_page(self, direction: int) -> None:
        """PgDn / PgUp: a screen down or up; the focus goes to the first panel (or row
        title) on the new screen."""
        rows = self._rows
        height = max(rows.scrollable_content_region.height, 1)
        target = min(max(round(rows.scroll_y) + direction * height, 0), round(rows.max_scroll_y))
        rows.scroll_to(y=target, animate=False, immediate=True)
        self._focus_from(target, height)

    def action_edge(self, direction: int) -> None:
        """Home / End: the top or the bottom of the dashboard."""
        rows = self._rows
        height = max(rows.scrollable_content_region.height, 1)
        target = 0 if direction < 0 else round(rows.max_scroll_y)
        rows.scroll_to(y=target, animate=False, immediate=True)
        places = self._places()
        if places and direction > 0:
            places[-1][1].focus(scroll_visible=False)
        else:
            self._focus_from(target, height)

    def _focus_from(self, top: int, height: int) -> None:
        """Focus the first place that starts in lines [top, top + height), else the
        first one on them at all (a tile taller than the screen)."""
        places = self._places()
        starts = [(b.y, b.x, i) for i, (b, _) in enumerate(places) if top <= b.y < top + height]
        shown = [(b.y, b.x, i) for i, (b, _) in enumerate(places) if b.overlaps(top, top + height)]
        if starts or shown:
            places[min(starts or shown)[2]][1].focus(scroll_visible=False)

    def action_variables(self) -> None:
        from allintop.ui.screens import VariablesScreen

        screen = VariablesScreen(
            self.dashboard.variables,
            self.variables,
            self.variable_options,
            self.client,
            self.set_variables,
            range_=self.range,
            step=self.refresh_interval,
        )
        self.push_screen(screen)

    def pop_screen(self) -> AwaitComplete:
        """Textual's, but with only the dashboard left there is nothing to pop: its
        command palette can dismiss itself twice (Enter, then Esc typed before the
        Enter's command ran), and the second would end the app."""
        if len(self.screen_stack) <= 1:
            return AwaitComplete()
        return super().pop_screen()

    async def action_dashboard(self) -> None:
        """Esc: back to the dashboard from any screen, however many are on top of it."""
        while len(self.screen_stack) > 1:
            top = self.screen_stack[-1]
            if not top.is_mounted:
                # Still being pushed (^p's palette just as panels.yaml is reloaded):
                # popped before its mount, it fails in it. Let it mount first.
                await top._mounted_event.wait()
            await self.pop_screen()

    async def set_variables(
        self, values: Mapping[str, Pick], options: Mapping[str, tuple[str, ...]] | None = None
    ) -> None:
        """New variable picks (and options: what "all" is) that change a query are new
        queries: a new poller, backfilled afresh."""
        self.variables.update(values)
        self.variable_options.update(options or {})
        exprs = self.dashboard.exprs(
            self.variables, self.variable_options, range_=self.range, step=self.refresh_interval
        )
        bindings = self.dashboard.panel_datasources(self.variables)
        if exprs == self.exprs and bindings == self.bindings:
            return
        self.exprs = exprs
        await self.poller.aclose()
        self.poller = self._new_poller()
        self.state = self._configured(self.state, keep_panels=True)
        self._regrid()

    @work(group="variables", exit_on_error=False)
    async def _resolve_variables(self) -> None:
        """At start, as Grafana on load, the query variables whose picks need their
        options: one without a pick yet (a query_result variable: its first option),
        and "all" of a filtered one (its options)."""
        if not templating.needed_at_start(self.dashboard.variables, self.variables):
            return
        refreshed = await live_variables.at_start(
            self.dashboard.variables,
            self.variables,
            self.client,
            range_=self.range,
            step=self.refresh_interval,
        )
        for problem in refreshed.problems:
            self.notify(clean(problem, 200), title="variables", severity="error", markup=False)
        await self.set_variables(refreshed.picks, refreshed.options)

    def _new_poller(self) -> FanOut:
        """The poller for the panels as they are bound now: each panel on its
        datasource (a datasource variable's choice included)."""
        self.bindings = self.dashboard.panel_datasources(self.variables)
        poller = FanOut(
            self.datasources,
            self.dashboard.panels,
            self.exprs,
            self.bindings,
            step=self.refresh_interval,
            range_=self.range,
        )
        if self._page is not None:  # laid out: it asks what is shown, as the old one did
            poller.set_active(self._active)
        self._fetched = set()  # its histories are empty until its backfill
        return poller

    # -- reloading panels.yaml --

    def action_reload(self) -> None:
        """R: read the dashboard's panels.yaml again."""
        self._reload()

    def _check_config(self) -> None:
        """A panels.yaml that changed on disk is reloaded by itself: a stat every
        CONFIG_CHECK seconds is all it costs."""
        seen = _file_signature(self.dashboard.source)
        if seen is not None and seen != self._config_seen and not self._reloading:
            self._reload()

    @work(group="reload", exit_on_error=False)
    async def _reload(self) -> None:
        """Load the file again; a broken one leaves the dashboard as it is and says
        why (file:line, message and hint), like `allintop check` would."""
        if self._reloading:
            return
        self._reloading = True
        try:
            source = self.dashboard.source
            # Noted before reading: a save while this runs is seen by the next check.
            self._config_seen = _file_signature(source)
            # A context's datasources stand in for the file's own, as at start.
            given = self.dashboard.datasource_set if self.dashboard.context else None
            try:
                dashboard = load_dashboard(Path(source), given)
            except AllintopError as error:
                self.notify(
                    str(error),
                    title="panels.yaml not reloaded: the dashboard stays as it was",
                    severity="error",
                    timeout=20,
                    markup=False,
                )
                return
            await self._use_dashboard(replace(dashboard, context=self.dashboard.context))
            self.notify(f"reloaded {source}", title="panels.yaml", markup=False)
        finally:
            self._reloading = False

    async def _use_dashboard(self, dashboard: Dashboard, *, switched: bool = False) -> None:
        """Show a reloaded dashboard: new panels, queries and cards. What was chosen
        here (variables; refresh and range unless the file changes them) is kept,
        but for a switch to another context's servers (`switched`): their variables
        start again from their defaults and --var."""
        # Whatever the old poller still delivers is for the old cards: dropped.
        self._generation += 1
        # Zoom and the variables screen are built from the old panels.
        await self.action_dashboard()
        old, focused = self.dashboard, self.focused
        view = self._by_widget.get(focused) if focused is not None else None
        index = view.panels.start if view is not None else 0
        if not switched and (
            dict(dashboard.sources) != dict(old.sources)
            or not set(dashboard.panel_datasources(self.variables)) <= set(self.datasources)
        ):
            self.notify(
                "the datasource changed: it applies when allintop is started again",
                title="panels.yaml",
                severity="warning",
                markup=False,
            )
        if dashboard.refresh != old.refresh:
            self.refresh_interval = dashboard.refresh
        if dashboard.range != old.range:
            self.range = dashboard.range
        kept = self._given_variables if switched else self.variables
        self.variables = dashboard.variable_values(_applicable(dashboard, kept))
        await self.poller.aclose()
        self.dashboard = dashboard
        self.variable_options = {}
        self.exprs = dashboard.exprs(self.variables, range_=self.range, step=self.refresh_interval)
        # Other panels: none is shown until laid out, and the backfill that _regrid
        # asks for fetches all that are then (no one by one before it).
        self._active = frozenset()
        self.state = reduce.ask(self.state, self._active)
        self.needs_backfill, self._backfill_failed_at = True, None
        self.poller = self._new_poller()
        self.state = self._configured(self.state)
        widgets = self._row_widgets()
        await self._rows.remove_children()
        await self._rows.mount_all(widgets)
        self._apply_layout()
        self._mark()
        self._focus_panel(index)
        self._regrid()
        self._resolve_variables()

    # -- contexts: other servers, live --

    def action_contexts(self) -> None:
        """c: pick a context of the user config to switch to."""
        if self.contexts is None:
            self.notify(
                "no contexts: name them in ~/.config/allintop/config.yaml "
                "(see the README's section on contexts)",
                title="contexts",
                severity="warning",
                markup=False,
            )
            return
        from allintop.ui.screens import ContextsScreen

        self.push_screen(ContextsScreen(self.contexts.names, self.dashboard.context))

    @work(group="context", exclusive=True, exit_on_error=False)
    async def switch_context(self, name: str) -> None:
        """Show the context `name`: its datasources (new clients, pollers and status
        watcher), its dashboard, the history backfilled afresh from its servers and
        its variables from their defaults. One that cannot be set up (a missing
        token, say) leaves the dashboard as it was and says why."""
        if self.contexts is None or name == self.dashboard.context:
            return
        try:
            setup = self.contexts.open(name, self.dashboard.source_path)
        except AllintopError as error:
            self.notify(
                str(error),
                title=f"context {name} not opened: the dashboard stays as it was",
                severity="error",
                timeout=20,
                markup=False,
            )
            return
        await self._use_setup(setup)
        self.notify(f"{name}: {self.datasources_shown}", title="context", markup=False)
        for notice in setup.notices:
            severity = "warning" if notice.startswith("warning:") else "information"
            self.notify(notice, severity=severity, timeout=10, markup=False)

    async def _use_setup(self, setup: Setup) -> None:
        """Move to other servers: what the old ones said is forgotten, and their
        clients closed once nothing uses them."""
        # A status fetch in flight asks the old servers: its answer must not land.
        self.workers.cancel_group(self, "status")
        self._status_busy = False
        old_watcher, old_datasources = self.watcher, self.datasources
        self.datasources = setup.datasources
        # The panels' bindings name the old datasources until the new dashboard's
        # poller binds them; the header, redrawn meanwhile, names the new default.
        self.bindings = []
        self.client = setup.datasources.client
        self.watcher = StatusWatcher(
            setup.datasources, setup.alertmanager, default=setup.datasources.default
        )
        self.state = reduce.forget_status(self.state)
        await self._use_dashboard(setup.dashboard, switched=True)
        await old_watcher.aclose()
        await old_datasources.aclose()
        self._fetch_now()

    # -- screenshots and the command palette --

    def action_save_screen(self) -> None:
        """s: the screen on top, as SVG in the working directory; a notification says
        where (or why not)."""
        directory = Path.cwd()
        stamp = time.strftime("%Y%m%d-%H%M%S", time.localtime(self.clock()))
        path = directory / f"allintop-{stamp}.svg"
        number = 1
        while path.exists():  # two in one second: keep both
            number += 1
            path = directory / f"allintop-{stamp}-{number}.svg"
        try:
            self.save_screenshot(path.name, path=str(directory))
        except OSError as error:
            self.notify(
                f"cannot write {path}: {error.strerror or error}",
                title="screenshot",
                severity="error",
                markup=False,
            )
            return
        self.notify(f"saved {path}", title="screenshot", markup=False)

    def _take_screenshot(self) -> None:
        """--screenshot FILE: save the screen and exit. Taken when the first values and
        sparklines are in, or after SCREENSHOT_WAIT whatever the screen shows then
        (an unreachable server, say)."""
        path, self.screenshot = self.screenshot, None
        if path is None:
            return
        try:
            self.save_screenshot(path.name, path=str(path.parent))
        except OSError as error:
            message = f"allintop: cannot write the screenshot {path}: {error.strerror or error}"
            self.exit(return_code=1, message=Text(message))
            return
        self.exit()

    def get_system_commands(self, screen: Screen[Any]) -> Iterable[SystemCommand]:
        """The command palette (^p): every dashboard action from the keys table, and
        Textual's theme picker."""
        for key in KEYS:
            run = functools.partial(self._run_command, key.action)
            yield SystemCommand(key.name, f"{key.shown}  {key.help}", run)
        yield from (c for c in super().get_system_commands(screen) if c.title == "Theme")

    def _run_command(self, action: str) -> None:
        # After the palette has closed: a screenshot must not show it, and zoom needs
        # the focused card back.
        self.call_after_refresh(self.run_action, action)

    def _fetch_now(self) -> None:
        """A screen just opened: fetch what it shows without waiting for the next tick."""
        if not self._status_busy:
            self._status_busy = True
            self._run_status()

    def action_move(self, dx: int, dy: int) -> None:
        """Arrow keys: focus the nearest panel (or row title) in that direction."""
        places = self._places()
        if not places:
            return
        here = next((box for box, widget in places if widget is self.focused), None)
        if here is None:
            self._focus_first()
            return
        index = layout.nearest([box for box, _ in places], here, dx, dy)
        if index is not None:
            places[index][1].focus()

    async def on_unmount(self) -> None:
        await self.poller.aclose()
        await self.watcher.aclose()
        await self.datasources.aclose()


def _applicable(dashboard: Dashboard, values: Mapping[str, str]) -> dict[str, str]:
    """The values that still mean something on `dashboard`: of its variables, and for
    a datasource variable one of the datasources it offers."""
    kinds = {variable.name: variable for variable in dashboard.variables}
    return {
        name: value
        for name, value in values.items()
        if name in kinds and (kinds[name].kind != "datasource" or value in kinds[name].values)
    }


def _file_signature(source: str) -> tuple[int, int] | None:
    """What tells a changed file from an unchanged one, cheaply: mtime and size."""
    try:
        stat = os.stat(source)
    except OSError:  # gone for a moment while an editor saves it: look again later
        return None
    return (stat.st_mtime_ns, stat.st_size)


def make_app(dashboard: Dashboard, client: PrometheusClient, **options: Any) -> DashboardApp:
    """The one factory the CLI, the screenshots and the tests build the app with.

    `options` are DashboardApp's keyword arguments (variables, refresh, range_,
    clock, monotonic, alertmanager, notices, screenshot).
    """
    return DashboardApp(dashboard, client, **options)


def _collect_garbage_again() -> None:
    """The command line starts with the cyclic GC off (allintop.cli.main.main). Once the
    first values are painted: one collection for the start's garbage, then what is
    left is long-lived (modules, widgets, styles) and is frozen out of every later
    collection, and the GC is back on."""
    if not gc.isenabled():
        gc.collect()
        gc.freeze()
        gc.enable()
