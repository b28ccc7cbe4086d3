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
import math
import os
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual import events, on, work
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import Grid, Horizontal, VerticalScroll
from textual.geometry import Size
from textual.message import Message
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Footer, Static
from textual.worker import Worker, WorkerState

from allintop.alerting import ActiveAlert, down_targets, markers, panel_alert_map, summarize
from allintop.alerting import suppressed_keys as _suppressed_keys
from allintop.config import Dashboard
from allintop.history import LabelKey
from allintop.poller import PanelState, Poller, TickReport, aligned, server_error
from allintop.prometheus import Alert, PrometheusClient, RuleGroup, Target
from allintop.text import clean
from allintop.ui import layout
from allintop.ui.messages import LateResult, PollDone, StatusDone
from allintop.ui.theme import themed
from allintop.ui.widgets import AlertsBar, PanelCard, RowTitle
from allintop.units import format_duration, format_since
from allintop.watch import StatusWatcher

if TYPE_CHECKING:
    from allintop.alertmanager import AlertmanagerClient

REFRESH_CHOICES = (1.0, 2.0, 5.0, 10.0, 15.0, 30.0, 60.0, 120.0, 300.0)
RANGE_CHOICES = (300.0, 900.0, 1800.0, 3600.0, 10800.0, 21600.0, 43200.0, 86400.0)
# Ticks fire a little after each grid time, so the scrape of that second is in.
TICK_OFFSET = 0.05
# Seconds before a failed history backfill is tried again.
BACKFILL_RETRY = 30.0
# Seconds past the refresh interval before the header calls the poll overdue.
OVERDUE_GRACE = 1.0
# While Prometheus is unreachable the polls space out, doubling from the refresh
# interval up to this (or the interval, if longer): a dashboard left open on a dead
# server should not knock on it every second, nor hold the header to a stale answer.
BACKOFF_CAP = 30.0
# A file to append one JSON line per applied tick to (the bench's soak reads it); unset,
# nothing is written.
TICK_LOG_ENV = "ALLINTOP_TICK_LOG"


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
        client: the Prometheus client; the app closes it on exit.
        variables: template variable values (name -> value).
        refresh: seconds between ticks (overrides the dashboard's).
        range_: the sparklines' time range in seconds.
        clock: the wall clock (tests freeze it).
        alertmanager: the Alertmanager client, for silences.
        notices: messages for the user shown as notifications at start.
    """

    CSS_PATH = "allintop.tcss"
    TITLE = "allintop"
    # The footer's room is for the keys; a command palette adds nothing here.
    ENABLE_COMMAND_PALETTE = False

    BINDINGS = [
        Binding("q", "quit", "Quit"),
        # Over SSH, Ctrl-C is how a terminal tool is left; Textual's default only hints.
        Binding("ctrl+c", "quit", show=False, priority=True),
        Binding("question_mark", "help", "Help", key_display="?"),
        Binding("p", "pause", "Pause"),
        Binding("r", "refresh", "Refresh"),
        Binding("plus,equals_sign", "refresh_interval(1)", "Slower", key_display="+"),
        Binding("minus", "refresh_interval(-1)", "Faster", key_display="-"),
        Binding("t", "range", "Range"),
        Binding("a", "alerts", "Alerts"),
        Binding("g", "targets", "Targets"),
        Binding("slash", "variables", "Vars", key_display="/"),
        Binding("enter", "zoom", "Zoom"),
        Binding("up", "move(0, -1)", show=False),
        Binding("down", "move(0, 1)", show=False),
        Binding("left", "move(-1, 0)", show=False),
        Binding("right", "move(1, 0)", show=False),
    ]

    def __init__(
        self,
        dashboard: Dashboard,
        client: PrometheusClient,
        *,
        variables: Mapping[str, str] | None = None,
        refresh: float | None = None,
        range_: float | None = None,
        clock: Callable[[], float] = time.time,
        alertmanager: AlertmanagerClient | None = None,
        notices: Sequence[str] = (),
    ) -> None:
        super().__init__()
        self.notices = tuple(notices)
        self.dashboard = dashboard
        self.client = client
        self.clock = clock
        self.variables = dashboard.variable_values(variables)
        self.refresh_interval = refresh or dashboard.refresh
        self.range = range_ or dashboard.range
        self.exprs = dashboard.exprs(self.variables)
        self.poller = Poller(
            client, dashboard.panels, self.exprs, step=self.refresh_interval, range_=self.range
        )
        self.watcher = StatusWatcher(client, alertmanager)
        # What Prometheus (and Alertmanager) said last; screens read these.
        self.alerts: tuple[Alert, ...] = ()
        self.active: list[ActiveAlert] = []
        self.rule_groups: tuple[RuleGroup, ...] = ()
        self.rules_loaded = False
        self.rules_error: str | None = None
        self.targets: tuple[Target, ...] = ()
        self.targets_loaded = False
        self.targets_error: str | None = None
        self.suppressed: frozenset[LabelKey] = frozenset()
        self.alert_map: dict[int, tuple[str, ...]] = {
            i: p.alerts for i, p in enumerate(dashboard.panels)
        }
        self._status_busy = False
        self._generation = 0  # bumped by every re-configuration (see _run_poll)
        self._refresh_asked = False
        self._backfill_failed_at: float | None = None
        self.paused = False
        self.needs_backfill = True
        self.last_ok: float | None = None
        self.last_error: str | None = None
        self.last_error_word = "unreachable"  # or "error": what the header says then
        self.ticks = 0
        self._timer: Timer | None = None
        self._polling = False
        self._failures = 0  # polls in a row that found Prometheus unreachable
        self._retry_at: float | None = None  # when the next poll is due, while backing off
        self._tick_log = os.environ.get(TICK_LOG_ENV)
        self._poll_started = 0.0  # time.time() when the latest poll began, for the log
        self._cards: list[PanelCard] = []
        # Held, not queried: the header keeps updating while another screen is on top.
        self._header_left = Static(id="header-left", markup=False)
        self._header_right = Static(id="header-right", markup=False)
        self._status_line = Static(id="status-line", markup=False)
        self._alerts_bar = AlertsBar(id="alerts-bar", markup=False)
        self._rows = Rows(id="rows")

    # -- composition and layout --

    def compose(self) -> ComposeResult:
        with Horizontal(id="header"):
            yield self._header_left
            yield self._header_right
        yield self._status_line
        yield self._alerts_bar
        with self._rows:
            index = 0
            for row_number, row in enumerate(self.dashboard.rows):
                yield RowTitle(Text(clean(row.title)), markup=False)
                with Grid(classes="row-grid", id=f"row-{row_number}"):
                    for panel in row.panels:
                        card = PanelCard(panel, index)
                        self._cards.append(card)
                        yield card
                        index += 1
        yield Footer()

    def on_mount(self) -> None:
        for notice in self.notices:  # how the command line was read, e.g. a URL fixed up
            warning = notice.startswith("warning:")
            severity = "warning" if warning else "information"
            self.notify(notice, severity=severity, timeout=10, markup=False)
        self._render_header()
        self.set_interval(1.0, self._render_header)
        if self._cards:
            self._cards[0].focus()
        self._schedule(0)

    @on(Rows.Resized)
    def _apply_layout(self, event: Rows.Resized) -> None:
        """Columns and card heights for the rows' new size.

        Planned on the rows' own resize, not the terminal's: when the terminal's
        arrives, the rows still have their old size, and the cards would be laid out
        one resize behind.
        """
        body = self._rows
        plan = layout.plan(
            event.size.width, event.size.height, [len(row.panels) for row in self.dashboard.rows]
        )
        for row, grid in zip(self.dashboard.rows, body.query(".row-grid"), strict=True):
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
            self.clock() - self._backfill_failed_at >= BACKFILL_RETRY
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
                self.clock(),
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
        started = self.clock()
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
                step = self._backoff(reports)
                due = aligned(started, self.refresh_interval) + step + TICK_OFFSET
                self._retry_at = due if self._failures else None
                soon = self._refresh_asked or (
                    self.needs_backfill and self._backfill_failed_at is None and not self._failures
                )
                self._schedule(0.0 if soon else max(due - self.clock(), 0.0))

    def _backoff(self, reports: Sequence[TickReport]) -> float:
        """Seconds to the next poll: the refresh interval, doubled for each poll in a
        row that found Prometheus unreachable (or not answering), up to BACKOFF_CAP.
        A poll that learnt nothing (no panel answered or failed in time) changes nothing."""
        states = [state for report in reports for state in report.panels]
        if states:
            error = server_error(states)
            down = error is not None and error.short in ("unreachable", "timeout")
            self._failures = self._failures + 1 if down else 0
        step = self.refresh_interval
        if not self._failures:
            return step
        cap = max(BACKOFF_CAP, step)
        return min(step * 2.0 ** min(self._failures - 1, 16), cap)

    def _backfilled(self, report: TickReport) -> None:
        """A backfill that failed for some panels is asked again later, and its errors
        do not replace the values the instant tick just showed."""
        if any(state.error is not None for state in report.panels):
            self.needs_backfill = True
            self._backfill_failed_at = self.clock()
            report.panels = [state for state in report.panels if state.error is None]
        else:
            self._backfill_failed_at = None

    def _log_tick(self, path: str, report: TickReport, backfill: bool) -> None:
        """One line per applied tick: its time and how long until it was on the cards
        (queries, parsing, math and the widget updates; not the terminal's own paint)."""
        line = {
            "at": report.time,
            "end": round(time.time(), 3),
            "tick_s": round(time.time() - self._poll_started, 4),
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
        with self.batch_update():
            for state in report.panels:
                self._cards[state.index].show(state)
            if report.alerts is not None and report.alerts.error is None:
                self.alerts = report.alerts.alerts
                self._mark()
        self._judge(report.panels)
        self.ticks += 1
        self._render_header()
        self._refresh_screen()
        if self._tick_log:
            self._log_tick(self._tick_log, report, message.backfill)

    @on(StatusDone)
    def _apply_status(self, message: StatusDone) -> None:
        report = message.report
        if report.rules is not None or report.rules_error is not None:
            self.rules_loaded = report.rules is not None
            self.rules_error = report.rules_error.message if report.rules_error else None
            if report.rules is not None:
                self.rule_groups = report.rules
                rules = [rule for group in report.rules for rule in group.rules]
                self.alert_map = dict(panel_alert_map(self.dashboard.panels, self.exprs, rules))
        if report.targets is not None or report.targets_error is not None:
            self.targets_loaded = report.targets is not None
            self.targets_error = report.targets_error.message if report.targets_error else None
            self.targets = report.targets or ()
        if report.managed is not None:
            self.suppressed = _suppressed_keys(report.managed)
        with self.batch_update():
            self._mark()
        self._refresh_screen()

    def _mark(self) -> None:
        """Alerts bar and panel markers from the latest alerts, rules and targets."""
        now = self.clock()
        self.active = summarize(self.alerts, self.suppressed)
        self._alerts_bar.show(self.active, now)
        for card in self._cards:
            names = self.alert_map.get(card.index, ())
            card.mark(
                markers(names, self.active),
                down_targets(self.exprs[card.index], self.targets),
                now,
            )

    def is_silenced(self, alert_name: str) -> bool:
        return any(a.name == alert_name and a.silenced for a in self.active)

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
        self._cards[message.state.index].show(message.state)
        self._judge([message.state])
        self._render_header()

    def _judge(self, arrived: Sequence[PanelState]) -> None:
        """The header's verdict after states arrive, on time or late: every panel
        failing for a reason of the server's names it on the status line; any fresh
        value means live."""
        error = server_error([card.state for card in self._cards if card.state is not None])
        if error is not None:
            self.last_error = clean(error.message, 200)
            self.last_error_word = (
                "unreachable" if error.short in ("unreachable", "timeout") else "error"
            )
        elif any(state.error is None for state in arrived):
            self.last_error = None
            self.last_ok = self.clock()

    # -- header --

    def status_word(self) -> tuple[str, str]:
        """(word, style) for the header: live, paused, stale, unreachable, connecting."""
        if self.paused:
            return "paused", "bold $warning"
        if self.last_error is not None:
            return self.last_error_word + self._retry_word(), "bold $error"
        if self.last_ok is None:
            return "connecting", "dim"
        late = self.clock() - self.last_ok - self.refresh_interval
        if late > OVERDUE_GRACE and self.waiting():
            # A hung Prometheus: nothing is wrong yet, but nothing is new either.
            return f"overdue {format_since(late)}", "bold $warning"
        if late > 2 * self.refresh_interval + 2:
            return "stale", "bold $warning"
        return "live", "bold $success"

    def _retry_word(self) -> str:
        """The header's " · retry in 8s" while polls back off from an unreachable Prometheus."""
        if self._retry_at is None or self.last_error_word != "unreachable":
            return ""
        left = self._retry_at - self.clock()
        if self._polling or left <= 0:
            return " · retrying"
        return f" · retry in {format_since(math.ceil(left))}"

    def waiting(self) -> bool:
        """Whether queries are out and unanswered (a poll, or its late stragglers)."""
        return self._polling or self.poller.busy

    def _render_header(self) -> None:
        word, style = self.status_word()
        variables = "  ".join(f"{k}={clean(v, 30)}" for k, v in self.variables.items())
        # The title is the first thing to give up when the terminal is narrow.
        wide = self.size.width >= 110
        title = f" · {clean(self.dashboard.title, 40)}" if self.dashboard.title and wide else ""
        left = Text.assemble(
            ("allintop", "bold"),
            title,
            "  ",
            (clean(self.client.host), "bold"),
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
        if status.display != (self.last_error is not None):
            status.display = self.last_error is not None
        if self.last_error is not None:
            status.update(Text(self.last_error, no_wrap=True, overflow="ellipsis"), layout=False)

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

        self.push_screen(VariablesScreen(self))

    async def set_variables(self, values: Mapping[str, str]) -> None:
        """New variable values are new queries: a new poller, backfilled afresh."""
        if all(self.variables.get(k) == v for k, v in values.items()):
            return
        self.variables.update(values)
        self.exprs = self.dashboard.exprs(self.variables)
        await self.poller.aclose()
        self.poller = Poller(
            self.client,
            self.dashboard.panels,
            self.exprs,
            step=self.refresh_interval,
            range_=self.range,
        )
        self._regrid()

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
        await self.client.aclose()


def make_app(dashboard: Dashboard, client: PrometheusClient, **options: Any) -> DashboardApp:
    """The one factory the CLI, the screenshots and the tests build the app with.

    `options` are DashboardApp's keyword arguments (variables, refresh, range_,
    clock, alertmanager).
    """
    return DashboardApp(dashboard, client, **options)
