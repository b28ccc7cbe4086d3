"""The live dashboard app: it composes the parts and routes between them.

Flow: config -> poller -> messages -> state -> widgets. The parts, each in its module:
the header (allintop.ui.header), the board of rows and cards (allintop.ui.board), the
polls (allintop.ui.polling, on the schedule of allintop.live.schedule), what is asked
(allintop.live.queries), panels.yaml's reloading (allintop.ui.reload), the switch to
another context (allintop.ui.switching), the screens its keys open over the board
(allintop.ui.overlays), screenshots, the command palette and the notifications
(allintop.ui.screenshots, .palette, .notices), the options it is started with
(allintop.ui.options). The app keeps the one dashboard state
(allintop.live.state): each report a poll posts is reduced into it, and the header,
the board and the screen on top are shown it.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import Unpack

from textual import events, on, work
from textual.app import ComposeResult
from textual.geometry import Size

from allintop.dashboard.model import Dashboard, Pick
from allintop.live import state as reduce
from allintop.live.datasources import Datasources, Setup
from allintop.live.fanout import FanOut
from allintop.live.gc_tuning import GC_AFTER_PAINT, GC_OFF_AT_MOST, collect_garbage_again
from allintop.live.history import QueryHistory
from allintop.live.queries import Queries
from allintop.live.state import DashboardState
from allintop.live.tick_log import TickLog
from allintop.live.watch import StatusWatcher
from allintop.sources.prometheus import PrometheusClient
from allintop.sources.protocols import Silencer
from allintop.ui.alerts_bar import AlertsBar, Staleness
from allintop.ui.board import Board
from allintop.ui.choosing import Choosing
from allintop.ui.footer import KeysFooter
from allintop.ui.header import VERDICT_STYLES, Header, Heading, StatusLine
from allintop.ui.intervals import IntervalWatch
from allintop.ui.keys import app_bindings
from allintop.ui.messages import LateResult, PollDone, StatusDone
from allintop.ui.notices import NoticesApp
from allintop.ui.options import AppOptions
from allintop.ui.overlays import Overlays
from allintop.ui.palette import PaletteApp
from allintop.ui.polling import Polling
from allintop.ui.reload import CONFIG_CHECK, ConfigWatch
from allintop.ui.screenshots import ScriptShot, save_screen
from allintop.ui.switching import Switching
from allintop.values.text import clean

#: Actions on the board of panels, not on the screen over it.
BOARD_ACTIONS = frozenset({"move", "page", "edge", "tab", "toggle_row"})


class DashboardApp(NoticesApp, PaletteApp):
    """allintop's live dashboard.

    Args:
        dashboard: the loaded panels.yaml.
        client: the Prometheus client, or each datasource's (Datasources); the app
            closes them on exit.
        options: see AppOptions.
    """

    CSS_PATH = "allintop.tcss"
    TITLE = "allintop"
    BINDINGS = app_bindings()

    def __init__(
        self,
        dashboard: Dashboard,
        client: PrometheusClient | Datasources,
        **options: Unpack[AppOptions],
    ) -> None:
        super().__init__()
        adapt = options.get("adapt")
        if adapt is not None:  # as the file is read again on a reload (ConfigWatch)
            dashboard = adapt(dashboard)
        self.notices = tuple(options.get("notices", ()))
        self.screenshot = options.get("screenshot")
        self.explore_to = options.get("explore_to")  # where Explore's ctrl+s writes
        if isinstance(client, PrometheusClient):
            client = Datasources.single(client, dashboard.datasource.name)
        self.datasources = client
        self.clock = options.get("clock", time.time)
        self.monotonic = options.get("monotonic", time.monotonic)
        self.paused = False
        self.ticks = 0
        """Reports applied so far (a tick, or a backfill)."""
        given = options.get("variables") or {}
        self.queries = Queries.start(
            dashboard, given, options.get("refresh"), options.get("range_")
        )
        self.polling = Polling(self, self.queries.poller(client))
        alertmanager = options.get("alertmanager")
        self.watcher = StatusWatcher(client, alertmanager, default=client.default)
        # What the servers said and the verdict on them; screens read it (see
        # allintop.live.state), the reducers there replace it for each report.
        self.state = self._configured(DashboardState())
        # Held, not queried: the header keeps updating while another screen is on top.
        self.header = Header()
        self.status_line = StatusLine()
        self.alerts_bar = AlertsBar(id="alerts-bar", markup=False)
        self.board = Board(
            self.queries.titled(), on_shown=self.polling.show, values=self.queries.variables
        )
        self.config_watch = ConfigWatch(self, adapt)
        self.intervals = IntervalWatch(self)
        self.switching = Switching(self, options.get("contexts"))
        self.overlays = Overlays(self)
        self.choosing = Choosing(self, options.get("choose"))
        self._tick_log = TickLog.from_environ()
        self._script_shot: ScriptShot | None = None

    # -- what the screens read (allintop.ui.view) --

    @property
    def dashboard(self) -> Dashboard:
        return self.queries.dashboard

    @property
    def poller(self) -> FanOut:
        return self.polling.poller

    @property
    def datasources_shown(self) -> str:
        """The context and the datasource(s) the panels query, as the header names them."""
        shown = self.datasources.describe(self.queries.bindings)
        context = self.dashboard.context
        return f"[{context}] {shown}" if context else shown

    def alertmanager_of(self, datasource: str) -> Silencer | None:
        found = self.watcher.alertmanager_of(datasource)
        return found if isinstance(found, Silencer) else None

    def history_of(self, index: int) -> QueryHistory | None:
        """Panel `index`'s history, to read (the zoom chart): the poller keeps it."""
        histories = self.poller.histories
        return histories[index] if 0 <= index < len(histories) else None

    def waiting(self) -> bool:
        """Whether queries are out and unanswered (a poll, or its late stragglers)."""
        return self.polling.busy or self.poller.busy

    def status_word(self) -> tuple[str, str]:
        """(word, style) for the header: live, paused, stale, unreachable, connecting."""
        verdict = reduce.verdict(
            self.state,
            paused=self.paused,
            polling=self.polling.busy,
            waiting=self.waiting(),
            refresh=self.queries.refresh,
            monotonic=self.monotonic(),
        )
        return verdict.word, VERDICT_STYLES[verdict.level]

    def screen_wants(self, what: str) -> bool:
        """Whether the screen on top shows `what` ("rules", "targets")."""
        return self.overlays.wants(what)

    def _configured(self, state: DashboardState, *, keep_panels: bool = False) -> DashboardState:
        several = len(self.datasources) > 1
        return self.queries.configured(state, several=several, keep_panels=keep_panels)

    # -- composition --

    def compose(self) -> ComposeResult:
        yield self.header
        yield self.status_line
        yield self.alerts_bar
        yield self.board
        # Compact: at 80 columns the keys used most and ^p (every action) fit.
        yield KeysFooter(compact=True)

    def on_mount(self) -> None:
        self.tell(self.notices, self.dashboard.notice)
        self.show_header()
        self.set_interval(1.0, self.show_header)
        self.set_interval(CONFIG_CHECK, self.config_watch.check)
        # Should the first report be slow to come (a hanging server), not that long.
        self.set_timer(GC_OFF_AT_MOST, collect_garbage_again)
        if self.screenshot is not None:
            self._script_shot = ScriptShot(self, self.screenshot)
        if self.queries.resize(self.size.width):  # no poll, no panel shown yet
            self.polling.use(self.queries.poller(self.datasources), laid_out=False)
            self.state = self._configured(self.state)
        self.board.start(Size(self.size.width, max(self.size.height - 2, 1)))
        self.board.focus_first()
        self.choosing.start(self.intervals.first_poll, self._resolve_variables)

    def on_resize(self, event: events.Resize) -> None:
        self.intervals.resized(event.size.width)  # the charts' widths shape $__interval

    # -- results: into the state, out to the widgets --

    @on(PollDone)
    def _apply(self, message: PollDone) -> None:
        report = message.report
        if message.generation != self.polling.generation or report.skipped:
            return
        began = time.perf_counter()
        self.state = reduce.take_tick(
            self.state,
            report.panels,
            report.alerts,
            alerts_due=report.alerts_asked,
            now=self.clock(),
            monotonic=self.monotonic(),
        )
        with self.batch_update():
            self.board.show(report.panels)
            self._mark()
        self.ticks += 1
        self.show_header()
        self.overlays.refresh_top()
        if self.ticks == 1:
            self.set_timer(GC_AFTER_PAINT, collect_garbage_again)
        if self._script_shot is not None:
            self._script_shot.ticked(self.ticks)
        if self._tick_log is not None:
            applied = time.perf_counter() - began
            began_at = self.polling.started_at
            self._tick_log.write(report, backfill=message.backfill, applied=applied, began=began_at)

    @on(LateResult)
    def _apply_late(self, message: LateResult) -> None:
        if message.generation != self.polling.generation:
            return
        now, monotonic = self.clock(), self.monotonic()
        self.state = reduce.take_late(self.state, message.state, now=now, monotonic=monotonic)
        self.board.show((message.state,))
        self.show_header()

    @on(StatusDone)
    def _apply_status(self, message: StatusDone) -> None:
        self.state = reduce.take_status(self.state, message.report)
        if message.report.rules is not None:
            self.poller.learn_rules(message.report.rules)
        if message.report.targets is not None:
            self.intervals.targets(message.report.targets)
        with self.batch_update():
            self._mark()
        self.overlays.refresh_top()

    def _mark(self) -> None:
        """Alerts bar and panel markers from the latest alerts, rules and targets."""
        now, state = self.clock(), self.state
        stale = None
        if state.alerts_error is not None:
            stale = Staleness(state.alerts_as_of, state.alerts_error)
        unavailable = state.alerts_unavailable()
        error = state.alertmanager_error
        bar = self.alerts_bar
        bar.show(list(state.active), now, stale=stale, alertmanager=error, unavailable=unavailable)
        self.board.mark(state, now)

    def show_header(self) -> None:
        """Redraw the header and the status line (every second, and after each poll)."""
        word, style = self.status_word()
        shown = self.datasources_shown
        self.header.show(Heading(self.queries, shown, self.clock(), word, style, self.board.tab))
        self.status_line.say(self.state.status_line)

    # -- what is asked: variables, refresh, range, another dashboard --

    async def set_variables(
        self, values: Mapping[str, Pick], options: Mapping[str, tuple[str, ...]] | None = None
    ) -> None:
        """New variable picks (and options: what "all" is) that change a query are new
        queries: a new poller, backfilled afresh. Titles that name a variable say
        the new picks; repeated rows and panels have a copy per value picked."""
        before = self.queries.dashboard
        changed = self.queries.pick(values, options)
        self.board.use_values(self.queries.variables)  # rows shown on a variable's pick
        if changed:
            await self.requery(copies=self.queries.dashboard is not before)
        else:
            await self._retitle()

    async def requery(self, copies: bool = False) -> None:
        """The queries changed (picks, the terminal's width, the scrape intervals
        learnt): a new poller, backfilled afresh; `copies`: a repeat's copies changed
        too (other panels, other cards)."""
        self.polling.drop_results()  # what the old poller still delivers: old queries'
        await self.poller.aclose()
        start = self.polling.restart if copies else self.polling.use
        start(self.queries.poller(self.datasources), laid_out=self.board.laid_out)
        self.state = self._configured(self.state, keep_panels=not copies)
        await self._retitle()
        self._regrid()

    async def _retitle(self) -> None:
        """The board anew when its titles or panels changed with the picks."""
        titled = self.queries.titled()
        if titled != self.board.dashboard:
            await self.board.retitle(titled, self.state.states.values())
            self._mark()

    @work(group="variables", exit_on_error=False)
    async def _resolve_variables(self) -> None:
        """The variables that need their options at start (Queries.at_start)."""
        refreshed = await self.queries.at_start(self.datasources.client)
        if refreshed is None:
            return
        for problem in refreshed.problems:
            self.notify(clean(problem, 200), title="variables", severity="error", markup=False)
        await self.set_variables(refreshed.picks, refreshed.options)

    def _regrid(self) -> None:
        """A new step or range is a new grid: refill the history with one backfill."""
        self.polling.regrid(self.queries.refresh, self.queries.range)
        self.show_header()

    async def use_dashboard(self, dashboard: Dashboard, *, switched: bool = False) -> None:
        """Show another dashboard (reloaded, or another context's: `switched`): new
        panels, queries and cards, what was chosen here kept as allintop.live.queries
        says."""
        self.polling.drop_results()  # what the old poller still delivers: old cards'
        await self.action_dashboard()  # zoom and the variables screen show old panels
        focused = self.board.focused_panel()
        index = focused.indexes.start if focused is not None else 0
        await self.poller.aclose()
        self.queries.take(dashboard, switched=switched)
        poller = self.queries.poller(self.datasources)
        self.polling.restart(poller, laid_out=self.board.laid_out)
        self.state = self._configured(self.state)
        await self.board.show_dashboard(self.queries.titled(), self.queries.variables)
        self._mark()
        self.board.focus_panel(index)
        self._regrid()
        self._resolve_variables()

    async def use_setup(self, setup: Setup) -> None:
        """Move to other servers (another context's): what the old ones said is
        forgotten, and their clients closed once nothing uses them."""
        self.polling.forget_status()  # it asks the old servers: its answer must not land
        old_watcher, old_datasources = self.watcher, self.datasources
        self.datasources = setup.datasources
        # The panels' bindings name the old datasources until the new dashboard's
        # poller binds them; the header, redrawn meanwhile, names the new default.
        self.queries.bindings = []
        default = setup.datasources.default
        self.watcher = StatusWatcher(setup.datasources, setup.alertmanager, default=default)
        self.state = reduce.forget_status(self.state)
        await self.use_dashboard(setup.dashboard, switched=True)
        await old_watcher.aclose()
        await old_datasources.aclose()
        self.polling.fetch_status()

    def switch_context(self, name: str) -> None:
        """Show the context `name` (allintop.ui.switching)."""
        self.switching.switch(name)

    # -- actions --

    def action_pause(self) -> None:
        self.paused = not self.paused
        if self.paused:
            self.polling.stop()
        else:
            self.polling.resume()
        self.show_header()
        self.overlays.refresh_top()  # a zoom on top says so too

    def action_refresh(self) -> None:
        self.polling.refresh_now()

    def action_refresh_interval(self, direction: int) -> None:
        self.queries.step_refresh(direction)
        self._regrid()

    def action_range(self) -> None:
        if self.queries.next_range():  # new queries: a new poller, on the new grid
            self.intervals.requery()
        else:
            self._regrid()

    def action_reload(self) -> None:
        """R: read the dashboard's panels.yaml again."""
        self.config_watch.reload()

    def action_save_screen(self) -> None:
        """s: the screen on top, as SVG in the working directory."""
        save_screen(self, self.clock())

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """The keys that move about the board act only while it is on screen: under the
        zoom, an arrow or `]` would move the focus or switch the tab unseen."""
        return action not in BOARD_ACTIONS or len(self.screen_stack) == 1

    def action_move(self, dx: int, dy: int) -> None:
        """Arrow keys: focus the nearest panel (or row title) in that direction."""
        self.board.move(dx, dy)

    def action_page(self, direction: int) -> None:
        """PgDn / PgUp: a screen down or up, the focus on its first panel."""
        self.board.page(direction)

    def action_edge(self, direction: int) -> None:
        """Home / End: the top or the bottom of the dashboard."""
        self.board.edge(direction)

    def action_tab(self, step: int) -> None:
        self.board.switch_tab(step)
        self.show_header()

    def action_toggle_row(self) -> None:
        """Space: collapse or expand the row of the focused title or panel."""
        self.board.toggle_focused()

    # -- the screens the keys open (allintop.ui.overlays) --

    def action_zoom(self) -> None:
        """Enter on a panel: its full chart; on a row's title: collapse / expand it."""
        self.overlays.zoom()

    def action_explore(self, panel_query: bool = False) -> None:
        """e: Explore, an empty prompt; E: the focused panel's query in it."""
        from allintop.ui.screens.explore import open_explore

        open_explore(self, self, panel_query=panel_query)

    def action_help(self) -> None:
        self.overlays.help()

    def action_alerts(self) -> None:
        self.overlays.alerts()

    def action_targets(self) -> None:
        self.overlays.targets()

    def action_variables(self) -> None:
        self.overlays.variables()

    def action_contexts(self) -> None:
        """c: pick a context of the user config to switch to."""
        self.overlays.contexts()

    async def on_unmount(self) -> None:
        await self.poller.aclose()
        await self.watcher.aclose()
        await self.datasources.aclose()


def make_app(
    dashboard: Dashboard, client: PrometheusClient | Datasources, **options: Unpack[AppOptions]
) -> DashboardApp:
    """The one factory the CLI, the screenshots and the tests build the app with."""
    return DashboardApp(dashboard, client, **options)
