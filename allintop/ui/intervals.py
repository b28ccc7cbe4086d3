"""What Grafana's `$__interval` and `$__rate_interval` follow on screen: the terminal's
width (the charts' widths are shares of it; allintop.dashboard.timing) and the scrape
intervals the datasources' targets say. A change that alters a query asks the app
for new queries (a new poller), as a variable's pick does; a resize only once it
settles, so that dragging a window's edge does not refill every history each step.

The first poll waits for the targets (briefly) when a query's built-ins need a scrape
interval no setting gives: asked with Grafana's default instead, every panel and its
history would be asked twice at start, the first answers thrown away.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Collection, Sequence
from typing import Protocol

from textual.timer import Timer

from allintop.dashboard import timing
from allintop.live.datasources import Datasources
from allintop.live.queries import Queries
from allintop.live.scrapes import ask_scrape_intervals, scrape_intervals
from allintop.sources.answers import Target
from allintop.ui.host import RunsWorkers
from allintop.ui.polling import Polling

#: Seconds a resize must settle for before the queries follow the new width.
RESIZE_SETTLE = 0.5


class Requeries(RunsWorkers, Protocol):
    """What following the intervals reads and calls on the app."""

    queries: Queries
    datasources: Datasources
    polling: Polling

    def set_timer(self, delay: float, callback: Callable[[], object]) -> Timer: ...

    async def requery(self) -> None:
        """The queries changed: a new poller, backfilled afresh."""
        ...


class IntervalWatch:
    """Follows the terminal's width and the learnt scrape intervals into the queries."""

    def __init__(self, app: Requeries) -> None:
        self.app = app
        self._settling: Timer | None = None

    def first_poll(self) -> None:
        """The first poll: now, or once the targets have said the scrape intervals
        the queries need."""
        queries = self.app.queries
        names = timing.unset_scrapes(queries.dashboard, queries.variables)
        if not names:
            self.app.polling.arm(0)
            return
        work = functools.partial(self._learn_first, names)
        self.app.run_worker(work, name="_learn_scrapes", group="requery", exit_on_error=False)

    async def _learn_first(self, names: Collection[str]) -> None:
        learned = await ask_scrape_intervals(self.app.datasources, names)
        if self.app.queries.learn(learned):
            await self.app.requery()  # which polls at once
        else:
            self.app.polling.arm(0)

    def resized(self, columns: int) -> None:
        """The terminal is `columns` wide now: the queries follow once it settles."""
        if self._settling is not None:
            self._settling.stop()
        self._settling = self.app.set_timer(RESIZE_SETTLE, lambda: self._follow(columns))

    def _follow(self, columns: int) -> None:
        self._settling = None
        if self.app.queries.resize(columns):
            self.requery()

    def targets(self, targets: Sequence[Target]) -> None:
        """The datasources' targets, as the status watcher brought them."""
        learned = scrape_intervals(targets, default=self.app.datasources.default)
        if self.app.queries.learn(learned):
            self.requery()

    def requery(self) -> None:
        """New queries, in a worker (a change of range, width or scrape interval)."""
        self.app.run_worker(self.app.requery, name="_requery", group="requery", exit_on_error=False)
