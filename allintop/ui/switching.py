"""Switching contexts live: `c` lists the user config's contexts, and the one picked
replaces the servers the dashboard runs on (its datasources, with new clients, pollers
and status watcher), its dashboard, and the history, backfilled afresh from its
servers. One that cannot be set up (a missing token, say) leaves the dashboard as it
was and says why."""

from __future__ import annotations

import functools
from typing import Protocol

from textual.notifications import SeverityLevel

from allintop.dashboard.model import Dashboard
from allintop.errors import AllintopError
from allintop.live.datasources import ContextSwitch, Setup
from allintop.ui.host import Notifies, RunsWorkers

#: What `c` says when the user config names no contexts.
NO_CONTEXTS = (
    "no contexts: name them in ~/.config/allintop/config.yaml "
    "(see the README's section on contexts)"
)


class Switchable(RunsWorkers, Notifies, Protocol):
    """What switching reads and calls on the app."""

    @property
    def dashboard(self) -> Dashboard: ...

    @property
    def datasources_shown(self) -> str: ...

    async def use_setup(self, setup: Setup) -> None: ...


class Switching:
    """The contexts the app can switch among (None: the user config names none)."""

    def __init__(self, app: Switchable, contexts: ContextSwitch | None) -> None:
        self.app = app
        self.contexts = contexts

    def names(self) -> tuple[str, ...] | None:
        """The contexts to pick from; None (and a notification saying where to name
        them) when there are none."""
        if self.contexts is None:
            self.app.notify(NO_CONTEXTS, title="contexts", severity="warning", markup=False)
            return None
        return self.contexts.names

    def picked(self, name: str | None) -> None:
        """The contexts screen closed with `name` picked (None: none, or the one
        shown): switch to it."""
        if name is not None:
            self.switch(name)

    def switch(self, name: str) -> None:
        """Show the context `name`: its servers, its dashboard, its variables from
        their defaults (and --var); in a worker, one switch at a time."""
        work = functools.partial(self._switch, name)
        self.app.run_worker(
            work, name="switch_context", group="context", exit_on_error=False, exclusive=True
        )

    async def _switch(self, name: str) -> None:
        app = self.app
        if self.contexts is None or name == app.dashboard.context:
            return
        try:
            setup = self.contexts.open(name, app.dashboard.source_path)
        except AllintopError as error:
            app.notify(
                str(error),
                title=f"context {name} not opened: the dashboard stays as it was",
                severity="error",
                timeout=20,
                markup=False,
            )
            return
        await app.use_setup(setup)
        app.notify(f"{name}: {app.datasources_shown}", title="context", markup=False)
        for notice in setup.notices:
            severity: SeverityLevel = "warning" if notice.startswith("warning:") else "information"
            app.notify(notice, severity=severity, timeout=10, markup=False)
