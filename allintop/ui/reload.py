"""panels.yaml, watched and reloaded: `R` reads it again, and so does every save of
it (a stat every CONFIG_CHECK seconds is all the watching costs). A broken file
leaves the dashboard as it is and says why (file:line, message and hint), as
`allintop check` would."""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Protocol

from allintop.dashboard.loading import load_dashboard
from allintop.dashboard.model import Dashboard
from allintop.dashboard.trimming import as_before
from allintop.errors import AllintopError
from allintop.live.datasources import Datasources
from allintop.live.queries import Queries
from allintop.ui.host import Notifies, RunsWorkers

#: Seconds between looks at panels.yaml's mtime and size.
CONFIG_CHECK = 1.0


class Reloadable(RunsWorkers, Notifies, Protocol):
    """What reloading reads and calls on the app."""

    queries: Queries
    datasources: Datasources

    @property
    def dashboard(self) -> Dashboard: ...

    async def use_dashboard(self, dashboard: Dashboard, *, switched: bool = False) -> None: ...


class ConfigWatch:
    """Watches the dashboard's file and reloads it into the app.

    Args:
        app: the app it reloads the file into.
        adapt: what the run makes of the dashboard it reads, as at start.
    """

    def __init__(self, app: Reloadable, adapt: Callable[[Dashboard], Dashboard] | None) -> None:
        self.app = app
        self.adapt = adapt
        self.source = app.dashboard.source
        """The file watched: the one the dashboard shown was read from."""
        self.seen = file_signature(self.source)
        """The file's signature when last read."""
        self.reloading = False

    def check(self) -> None:
        """Reload the file if it changed on disk since it was read (what the app's
        timer runs every CONFIG_CHECK seconds)."""
        source = self.app.dashboard.source
        seen = file_signature(source)
        if source != self.source:
            # Another dashboard is shown (the overview chosen at start, another
            # context's): it was just read, so it is watched from now, not reloaded.
            self.source, self.seen = source, seen
            return
        if seen is not None and seen != self.seen and not self.reloading:
            self.reload()

    def reload(self) -> None:
        """Read the file again, in a worker."""
        self.app.run_worker(self._reload, name="_reload", group="reload", exit_on_error=False)

    async def _reload(self) -> None:
        if self.reloading:
            return
        self.reloading = True
        try:
            await self._read_and_use()
        finally:
            self.reloading = False

    async def _read_and_use(self) -> None:
        app = self.app
        source = app.dashboard.source
        # Noted before reading: a save while this runs is seen by the next check.
        self.source, self.seen = source, file_signature(source)
        # A context's datasources stand in for the file's own, as at start.
        context = app.dashboard.context
        given = app.dashboard.datasource_set if context else None
        try:
            dashboard = load_dashboard(Path(source), given)
        except AllintopError as error:
            app.notify(
                str(error),
                title="panels.yaml not reloaded: the dashboard stays as it was",
                severity="error",
                timeout=20,
                markup=False,
            )
            return
        if self.adapt is not None:
            dashboard = self.adapt(dashboard)
        # The generic overview stays trimmed to what the server has, as at start.
        dashboard = replace(as_before(dashboard, app.dashboard), context=context)
        if app.queries.moves_datasources(dashboard, app.datasources):
            app.notify(
                "the datasource changed: it applies when allintop is started again",
                title="panels.yaml",
                severity="warning",
                markup=False,
            )
        await app.use_dashboard(dashboard)
        app.notify(f"reloaded {source}", title="panels.yaml", markup=False)


def file_signature(source: str) -> tuple[int, int] | None:
    """What tells a changed file from an unchanged one, cheaply: mtime and size."""
    try:
        stat = os.stat(source)
    except OSError:  # gone for a moment while an editor saves it: look again later
        return None
    return (stat.st_mtime_ns, stat.st_size)
