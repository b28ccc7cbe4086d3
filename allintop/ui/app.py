"""The live dashboard app.

Flow: config -> poller -> messages -> widgets. Polling runs in an async worker; one
poll is in flight at a time and the next is armed with a one-shot timer when it ends
(at the next grid time), so a slow Prometheus never piles up requests and a poll is
never cancelled half-way by the next one.
"""

from __future__ import annotations

import asyncio
import functools
import json
import os
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual import events, on, work
from textual.app import App, ComposeResult, SystemCommand
from textual.binding import Binding
from textual.containers import Grid, Horizontal, VerticalScroll
from textual.geometry import Size
from textual.message import Message
from textual.screen import Screen
from textual.timer import Timer
from textual.widget import Widget
from textual.widgets import Footer, Static
from textual.worker import Worker, WorkerState

from allintop import config, templating
from allintop import state as reduce
from allintop.config import Dashboard
from allintop.config.model import Pick
from allintop.datasources import ContextSwitch, Datasources, Setup
from allintop.errors import AllintopError
from allintop.fanout import FanOut
from allintop.history import PanelHistory
from allintop.poller import PanelState, TickReport, aligned
from allintop.prometheus import PrometheusClient
from allintop.promql import shown
from allintop.state import DashboardState
from allintop.text import clean
from allintop.ui import layout
from allintop.ui.keys import KEYS, PALETTE_KEY
from allintop.ui.messages import LateResult, PollDone, StatusDone
from allintop.ui.theme import themed
from allintop.ui.widgets import AlertsBar, PanelCard, RowTitle, Staleness
from allintop.units import format_duration
from allintop.watch import StatusWatcher

if TYPE_CHECKING:
    from allintop.alertmanager import AlertmanagerClient

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
# A file to append one JSON line per applied tick to (the bench's soak reads it); unset,
# nothing is written.
TICK_LOG_ENV = "ALLINTOP_TICK_LOG"
# How the header shows the verdict's level.
VERDICT_STYLES = {
    "success": "bold $success",
    "warning": "bold $warning",
    "error": "bold $error",
    "dim": "dim",
}


class Rows(VerticalScroll):
    """The dashboard's rows of cards; says when its size changes, to lay them out."""

    @dataclass
    class Resized(Message):
        size: Size

    def on_resize(self, event: events.Resize) -> None:
        self.post_message(self.Resized(event.size))


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
        self.bindings: list[str] = []  # each panel's datasource, set by _new_poller
        self.poller = self._new_poller()
        self.watcher = StatusWatcher(self.datasources, alertmanager, default=client.default)
        # What the servers said and the verdict on them; screens read it (see
        # allintop.state), the reducers there replace it for each report.
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
        self._cards: list[PanelCard] = []
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
        """Each row's title and grid of cards; fills self._cards."""
        self._cards = []
        widgets: list[Widget] = []
        for row_number, row in enumerate(self.dashboard.rows):
            widgets.append(RowTitle(Text(clean(row.title)), markup=False))
            cards = [PanelCard(panel, len(self._cards) + i) for i, panel in enumerate(row.panels)]
            self._cards.extend(cards)
            widgets.append(Grid(*cards, classes="row-grid", id=f"row-{row_number}"))
        return widgets

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
        if self.screenshot is not None:
            self.set_timer(SCREENSHOT_WAIT, self._take_screenshot)
        if self._cards:
            self._cards[0].focus()
        self._schedule(0)
        self._resolve_variables()

    @on(Rows.Resized)
    def _rows_resized(self, event: Rows.Resized) -> None:
        # Planned on the rows' own resize, not the terminal's: when the terminal's
        # arrives, the rows still have their old size, and the cards would be laid out
        # one resize behind.
        self._apply_layout(event.size)

    def _apply_layout(self, size: Size | None = None) -> None:
        """Columns and card heights for the rows' size (`size`, else their current one)."""
        body = self._rows
        size = size or body.size
        plan = layout.plan(
            size.width, size.height, [len(row.panels) for row in self.dashboard.rows]
        )
        grids = list(body.query(".row-grid"))
        if len(grids) != len(self.dashboard.rows):
            # Rows still being mounted (at start, or a reload's new cards): lay them
            # out once they all are.
            self.call_after_refresh(self._apply_layout)
            return
        for row, grid in zip(self.dashboard.rows, grids, strict=True):
            # A short row spreads over the full width rather than leaving a hole.
            grid.styles.grid_size_columns = min(plan.columns, len(row.panels))
            grid.styles.grid_rows = str(plan.card_height)
        for card in self._cards:
            card.styles.height = plan.card_height

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
        self._run_poll(self.needs_backfill and retry)
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
                self.state = reduce.count_failures(self.state, arrived)
                step = reduce.backoff(self.state, self.refresh_interval)
                ahead = aligned(started, self.refresh_interval) + step + TICK_OFFSET - started
                due = ahead - (self.monotonic() - began)
                self.state = reduce.retry_at(self.state, self.monotonic() + due)
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
                self._cards[state.index].show(state)
            self._mark()
        self.ticks += 1
        self._render_header()
        self._refresh_screen()
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
        for card in self._cards:
            card.mark(state.markers(card.index), state.down_for(card.index), now)

    def _top_screen(self) -> Screen[object] | None:
        """The screen on top, or None while the app shuts down (a poll may still land)."""
        return self.screen_stack[-1] if self.screen_stack else None

    def _refresh_screen(self) -> None:
        """A live screen (alerts, targets, zoom) on top follows every poll."""
        screen = self._top_screen()
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
        self._cards[message.state.index].show(message.state)
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
        """Enter on a panel: its full chart."""
        if isinstance(self.focused, PanelCard):
            from allintop.ui.zoom import ZoomScreen  # plotext only when zooming

            self.push_screen(ZoomScreen(self, self.focused.index))

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

    async def action_dashboard(self) -> None:
        """Esc: back to the dashboard from any screen, however many are on top of it."""
        while len(self.screen_stack) > 1:
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
        refreshed = await templating.at_start(
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
        return FanOut(
            self.datasources,
            self.dashboard.panels,
            self.exprs,
            self.bindings,
            step=self.refresh_interval,
            range_=self.range,
        )

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
                dashboard = config.load_dashboard(Path(source), given)
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
        self.poller = self._new_poller()
        self.state = self._configured(self.state)
        widgets = self._row_widgets()
        await self._rows.remove_children()
        await self._rows.mount_all(widgets)
        self._apply_layout()
        self._mark()
        if self._cards:
            index = focused.index if isinstance(focused, PanelCard) else 0
            self._cards[min(index, len(self._cards) - 1)].focus()
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
        """Arrow keys: focus the nearest card in that direction, by screen position."""
        focused = self.focused
        if not isinstance(focused, PanelCard):
            if self._cards:
                self._cards[0].focus()
            return
        here = focused.region
        best: tuple[float, PanelCard] | None = None
        for card in self._cards:
            there = card.region
            ddx, ddy = there.x - here.x, there.y - here.y
            if (dx and (ddx * dx <= 0 or ddy != 0)) or (dy and ddy * dy <= 0):
                continue
            distance = abs(ddy) * 1000 + abs(ddx) if dy else abs(ddx)
            if best is None or distance < best[0]:
                best = (distance, card)
        if best is not None:
            best[1].focus()

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
