"""The screens over the dashboard: each opened by its key (Enter's zoom, help, alerts,
targets, variables, contexts), and the live one on top shown each poll's news.

Screens are imported when first opened: start-up pays only for the dashboard.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, Protocol

from textual.screen import Screen

from allintop.dashboard.model import Dashboard, Pick
from allintop.live.datasources import Datasources
from allintop.live.queries import Queries
from allintop.ui.board import Board
from allintop.ui.polling import Polling
from allintop.ui.switching import Switching
from allintop.ui.view import SourcesView


class Overlaid(SourcesView, Protocol):
    """What the screens over it read and call on the app: it is the view the live
    ones read (alerts, targets, zoom)."""

    board: Board
    polling: Polling
    queries: Queries
    switching: Switching

    @property
    def datasources(self) -> Datasources: ...

    @property
    def dashboard(self) -> Dashboard: ...

    @property
    def screen_stack(self) -> list[Screen[Any]]: ...

    @property
    def is_running(self) -> bool: ...

    def push_screen(
        self, screen: Screen[Any] | str, callback: Callable[[Any], None] | None = None
    ) -> object: ...

    def is_screen_installed(self, screen: Screen[Any] | str) -> bool: ...

    def install_screen(self, screen: Screen[Any], name: str) -> None: ...

    async def set_variables(
        self, values: Mapping[str, Pick], options: Mapping[str, tuple[str, ...]] | None = None
    ) -> None: ...


class Overlays:
    """Opens the screens over the app's dashboard, and keeps the one on top current."""

    def __init__(self, app: Overlaid) -> None:
        self.app = app

    def zoom(self) -> None:
        """Enter on a panel: its full chart; on a row's title: collapse / expand it."""
        app = self.app
        if app.board.toggle_focused(on_title_only=True):
            return
        panel = app.board.focused_panel()
        if panel is None:
            return
        # Each kind knows its zoom (a chart, a table's rows, a text's whole markdown).
        zoom = getattr(panel.card, "zoom_screen", None)
        if zoom is not None:
            app.push_screen(zoom(app))
        elif panel.indexes:
            from allintop.ui.screens.zoom import ZoomScreen  # plotext only when zooming

            app.push_screen(ZoomScreen(app, panel.widget.index))

    def help(self) -> None:
        from allintop.ui.screens.help import HelpScreen

        # Made once and kept once closed (installed): opening it again costs no
        # compose, mount, styling or layout, only its paint.
        if not self.app.is_screen_installed(HelpScreen.NAME):
            self.app.install_screen(HelpScreen(), HelpScreen.NAME)
        self.app.push_screen(HelpScreen.NAME)

    def alerts(self) -> None:
        from allintop.ui.screens.alerts import AlertsScreen

        self.app.push_screen(AlertsScreen(self.app))
        self.app.polling.fetch_status()  # what it shows, without waiting for the next tick

    def targets(self) -> None:
        from allintop.ui.screens.targets import TargetsScreen

        self.app.push_screen(TargetsScreen(self.app))
        self.app.polling.fetch_status()

    def variables(self) -> None:
        from allintop.ui.screens.variables import VariablesScreen

        app = self.app
        screen = VariablesScreen(
            app.dashboard.variables,
            app.queries.variables,
            app.queries.options,
            app.datasources.client,
            app.set_variables,
            range_=app.queries.range,
        )
        app.push_screen(screen)

    def contexts(self) -> None:
        """Pick a context of the user config to switch to."""
        app = self.app
        names = app.switching.names()
        if names is not None:
            from allintop.ui.screens.contexts import ContextsScreen

            app.push_screen(ContextsScreen(names, app.dashboard.context), app.switching.picked)

    # -- the screen on top --

    def top(self) -> Screen[Any] | None:
        """The screen on top, or None while the app shuts down (a poll may still land)."""
        stack = self.app.screen_stack
        return stack[-1] if stack else None

    def wants(self, what: str) -> bool:
        """Whether the screen on top shows `what` ("rules", "targets")."""
        return bool(getattr(self.top(), f"wants_{what}", False))

    def refresh_top(self) -> None:
        """A live screen (alerts, targets, zoom) on top follows every poll."""
        screen = self.top()
        # Not running or not attached: the app is shutting down and tearing the
        # screen's widgets down, while a poll that was in flight still lands.
        if not (self.app.is_running and screen is not None and screen.is_attached):
            return
        refresh_from = getattr(screen, "refresh_from", None)
        if getattr(screen, "ready", False) and refresh_from is not None:
            refresh_from(self.app)
