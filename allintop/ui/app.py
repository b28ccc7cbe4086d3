"""The live dashboard app.

Flow: config -> poller -> messages -> widgets. Polling runs in an async worker; one
poll is in flight at a time and the next is armed with a one-shot timer when it ends
(at the next grid time), so a slow Prometheus never piles up requests and a poll is
never cancelled half-way by the next one.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping

from rich.text import Text
from textual import on, work
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import Grid, Horizontal, VerticalScroll
from textual.timer import Timer
from textual.widgets import Footer, Static

from allintop.config import Dashboard
from allintop.poller import Poller, aligned
from allintop.prometheus import PrometheusClient
from allintop.promql import interpolate
from allintop.text import clean
from allintop.ui import layout
from allintop.ui.messages import LateResult, PollDone
from allintop.ui.widgets import PanelCard, RowTitle
from allintop.units import format_duration

REFRESH_CHOICES = (1.0, 2.0, 5.0, 10.0, 15.0, 30.0, 60.0, 120.0, 300.0)
RANGE_CHOICES = (300.0, 900.0, 1800.0, 3600.0, 10800.0, 21600.0, 43200.0, 86400.0)
# Ticks fire a little after each grid time, so the scrape of that second is in.
TICK_OFFSET = 0.05


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
    """

    CSS_PATH = "allintop.tcss"
    TITLE = "allintop"

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
    ) -> None:
        super().__init__()
        self.dashboard = dashboard
        self.client = client
        self.clock = clock
        self.variables = {v.name: v.default for v in dashboard.variables} | dict(variables or {})
        self.refresh_interval = refresh or dashboard.refresh
        self.range = range_ or dashboard.range
        exprs = [interpolate(p.expr, self.variables) for p in dashboard.panels]
        self.poller = Poller(
            client, dashboard.panels, exprs, step=self.refresh_interval, range_=self.range
        )
        self.paused = False
        self.needs_backfill = True
        self.last_ok: float | None = None
        self.last_error: str | None = None
        self.ticks = 0
        self._timer: Timer | None = None
        self._polling = False
        self._cards: list[PanelCard] = []
        # Held, not queried: the header keeps updating while another screen is on top.
        self._header_left = Static(id="header-left", markup=False)
        self._header_right = Static(id="header-right", markup=False)
        self._status_line = Static(id="status-line", markup=False)
        self._rows = VerticalScroll(id="rows")

    # -- composition and layout --

    def compose(self) -> ComposeResult:
        with Horizontal(id="header"):
            yield self._header_left
            yield self._header_right
        yield self._status_line
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
        self._render_header()
        self.set_interval(1.0, self._render_header)
        if self._cards:
            self._cards[0].focus()
        self._schedule(0)

    def on_resize(self) -> None:
        self._apply_layout()

    def _apply_layout(self) -> None:
        body = self._rows
        plan = layout.plan(
            body.size.width or self.size.width,
            body.size.height or self.size.height - 2,
            [len(row.panels) for row in self.dashboard.rows],
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
        self._run_poll(self.needs_backfill)

    @work(group="poll", exit_on_error=False)
    async def _run_poll(self, backfill: bool) -> None:
        try:
            now = self.clock()
            if backfill:
                self.needs_backfill = False
                report = await self.poller.backfill(now)
            else:
                report = await self.poller.tick(now, budget=self.refresh_interval, sink=self._late)
            self.post_message(PollDone(report, backfill))
        finally:
            self._polling = False
            if not self.paused:
                step = self.refresh_interval
                now = self.clock()
                self._schedule(max(aligned(now, step) + step + TICK_OFFSET - now, 0.0))

    def _late(self, state: object) -> None:
        self.post_message(LateResult(state))  # type: ignore[arg-type]

    @on(PollDone)
    def _apply(self, message: PollDone) -> None:
        report = message.report
        if report.skipped:
            return
        with self.batch_update():
            for state in report.panels:
                self._cards[state.index].show(state)
        error = report.unreachable
        if error is not None:
            self.last_error = clean(error.message, 200)
        elif report.panels:
            self.last_error = None
            self.last_ok = self.clock()
        self.ticks += 1
        self._render_header()

    @on(LateResult)
    def _apply_late(self, message: LateResult) -> None:
        self._cards[message.state.index].show(message.state)

    # -- header --

    def status_word(self) -> tuple[str, str]:
        """(word, style) for the header: live, paused, stale, unreachable, connecting."""
        if self.paused:
            return "paused", "bold $warning"
        if self.last_error is not None:
            return "unreachable", "bold $error"
        if self.last_ok is None:
            return "connecting", "dim"
        if self.clock() - self.last_ok > 3 * self.refresh_interval + 2:
            return "stale", "bold $warning"
        return "live", "bold $success"

    def _render_header(self) -> None:
        word, style = self.status_word()
        variables = "  ".join(f"{k}={clean(v, 30)}" for k, v in self.variables.items())
        left = Text.assemble(
            ("allintop", "bold"),
            "  ",
            (clean(self.client.host), "bold"),
            f"  {variables}" if variables else "",
            f"  {format_duration(self.range)}  every {format_duration(self.refresh_interval)}",
            no_wrap=True,
            overflow="ellipsis",
        )
        clock = time.strftime("%H:%M:%S", time.localtime(self.clock()))
        right = Text.assemble(f"{clock}  ", ("● " + word, self._theme_style(style)))
        self._header_left.update(left, layout=False)
        self._header_right.update(right)
        status = self._status_line
        status.display = self.last_error is not None
        if self.last_error is not None:
            status.update(Text(self.last_error, no_wrap=True, overflow="ellipsis"))

    def _theme_style(self, style: str) -> str:
        """Resolve `$success`-style theme variables for Rich text styles."""
        variables = self.get_css_variables()
        return " ".join(variables.get(w[1:], w) if w.startswith("$") else w for w in style.split())

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
        if not self._polling:
            self.poller.reset_tick()
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
        self.needs_backfill = True
        self._render_header()
        if not self._polling and not self.paused:
            self._schedule(0)

    def action_help(self) -> None:
        from allintop.ui.screens import HelpScreen

        self.push_screen(HelpScreen())

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
        await self.client.aclose()


def make_app(
    dashboard: Dashboard,
    client: PrometheusClient,
    *,
    variables: Mapping[str, str] | None = None,
    refresh: float | None = None,
    range_: float | None = None,
    clock: Callable[[], float] = time.time,
) -> DashboardApp:
    """The one factory the CLI, the screenshots and the tests build the app with."""
    return DashboardApp(
        dashboard, client, variables=variables, refresh=refresh, range_=range_, clock=clock
    )
