"""With no config given, which dashboard to show is asked of the server once the app
runs (allintop.cli.choice): the AllIN overview's frame is painted first, and the
round trip comes after Textual's start instead of before it. Polling starts
once the answer is in, so nothing is asked of a dashboard that is not kept; when the
generic overview is chosen, the app switches to it as to a reloaded dashboard and
says why.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine, Sequence
from typing import Any, Protocol

from allintop.dashboard.model import Dashboard
from allintop.live.queries import Queries
from allintop.ui.host import RunsWorkers

Chooser = Callable[[], Coroutine[Any, Any, Dashboard]]
"""The question that chooses the dashboard (allintop.cli.choice.later)."""


class Chooses(RunsWorkers, Protocol):
    """What the choice reads and calls on the app."""

    queries: Queries

    async def use_dashboard(self, dashboard: Dashboard, *, switched: bool = False) -> None: ...

    def tell(self, notices: Sequence[str], chosen: str | None) -> None: ...

    def call_after_refresh(self, callback: Callable[[], object]) -> bool: ...


class Choosing:
    """The choice at start, if there is one to make.

    Args:
        app: the app it runs in.
        choose: the question; None: the dashboard the app started with is the one.
    """

    def __init__(self, app: Chooses, choose: Chooser | None) -> None:
        self.app = app
        self.choose = choose
        self.chosen: Dashboard | None = None
        """The dashboard chosen instead of the one started with, once it is."""

    def start(self, *first: Callable[[], object]) -> None:
        """The app's `first` work (the first poll...): now, or once the choice is made."""
        if self.choose is None:
            for step in first:
                step()
            return
        choose = self.choose

        async def work() -> None:
            await self._choose(choose, first)

        def ask() -> None:
            self.app.run_worker(work, name="_choose", group="choice", exit_on_error=False)

        # Once the first frame is laid out: a switch to the generic overview then
        # replaces a board that is done, never one in the middle of its first layout.
        self.app.call_after_refresh(ask)

    async def _choose(self, choose: Chooser, first: Sequence[Callable[[], object]]) -> None:
        app = self.app
        started = app.queries.loaded
        chosen = started
        try:
            chosen = await choose()
        finally:  # kept (a bug in the choice included: it is said, and polling goes on)
            if chosen is started:
                for step in first:
                    step()
        if chosen is not started:
            self.chosen = chosen
            await app.use_dashboard(chosen)  # which polls, and resolves its variables
            app.tell((), chosen.notice)
