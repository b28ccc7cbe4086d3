"""Fetching: sending the leaf queries to Prometheus, and handing back what came of them.

The poller decides which leaves a tick or a backfill needs (allintop.promql.sharing plans
them) and what to compute from them; a Fetcher sends them, concurrently on the
client's shared pool, and returns each leaf's outcome: its result, or the
PrometheusError that stands for it. Nothing here raises a query's error.

Merged while that works: the instant-vector leaves of a tick or a backfill travel as
one query (allintop.sources.merging composes it and splits its answer) until that fails or
is slow; then each leaf goes alone, from then on. A rejected or unreadable merged
answer could be any one leaf's fault and must not blank every panel: that round asks
its leaves alone too. Unreachable, a timeout or a 5xx status are the server's state,
not a leaf's: every leaf of the merged query gets that error as it is.

Each leaf once: a tick's leaf still in flight (a slow straggler) is not sent again by
the next tick; its answer goes to the tick that sent it. `busy` says whether any is.

Native histograms are never merged: Prometheus 2.x's label_replace() turns a native
histogram into the float 0, so a merged answer would show a number that is not in
the leaf's own. A leaf whose merged answer holds a 0 is asked alone once to tell a
real 0 from that (a cheap check: only zeros are suspect, once a leaf); a leaf seen
to answer with native histograms goes alone from then on.

Histories read within bounds: a backfill's range answers are read up to
MAX_BACKFILL_BYTES; a leaf whose answer is bigger gets an empty history, and is not
asked for one again.

No Textual, Rich or httpx imports: the client is any Queries (allintop.sources.protocols).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Iterable, Sequence

from allintop.errors import (
    BadResponse,
    HTTPStatusError,
    PrometheusError,
    QueryError,
    RequestTimeout,
    TooLarge,
)
from allintop.promql.parse import returns_vector
from allintop.sources import merging
from allintop.sources.answers import InstantResult, RangeResult
from allintop.sources.protocols import Queries

#: The largest history answer read (about 2,000 series of 200 points). A panel whose
#: query returns more (50,000 pods, say) gets no backfill: its sparklines fill from
#: the ticks, and memory stays bounded instead of growing by gigabytes.
MAX_BACKFILL_BYTES = 16 * 1024 * 1024

#: An instant leaf's outcome: its result, or the error that stands for it.
Outcome = InstantResult | PrometheusError

#: A leaf's history outcome: its range result, or the error that stands for it.
RangeOutcome = RangeResult | PrometheusError

#: Merged answers in a row slower than half a step that turn merging off.
SLOW_MERGES = 3

#: Called with leaves and their outcomes as they arrive: one leaf, or a merged query's.
OnArrival = Callable[[dict[str, Outcome]], None]


class Fetcher:
    """Sends leaf queries on one client; merges instant-vector leaves while that works.

    Args:
        client: the Prometheus client (its pool serves every query).
        step: the refresh interval in seconds: merged queries slower than half of it,
            SLOW_MERGES in a row, turn merging off. The poller sets it again when its grid changes.
        merge: whether to merge at all (False: every leaf always goes alone).
    """

    def __init__(self, client: Queries, *, step: float, merge: bool = True) -> None:
        self.client = client
        self.step = step
        self.merge = merge
        """Whether mergeable leaves go as one query; turned off for good by a failure."""
        self._vector: dict[str, bool] = {}  # whether a leaf returns an instant vector
        self._too_large: set[str] = set()  # leaves whose history answer is too big to read
        self._native: set[str] = set()  # leaves that answer with native histograms
        self._trusted: set[str] = set()  # leaves whose zeros are known to be floats
        self._inflight: dict[str, asyncio.Task[None]] = {}
        self._slow = 0  # merged answers in a row slower than half a step

    @property
    def busy(self) -> bool:
        """Whether any query is still in flight (a tick's straggler, say)."""
        return bool(self._inflight)

    def mergeable(self, leaves: Sequence[str]) -> list[str]:
        """The leaves to send as one query: instant vectors, and only if two or more."""
        if not self.merge:
            return []
        vectors = [leaf for leaf in leaves if leaf not in self._native and self._is_vector(leaf)]
        return vectors if len(vectors) >= 2 else []

    def cancel(self) -> None:
        """Cancel the queries still in flight (on exit, or before a re-configure)."""
        for task in list(self._inflight.values()):
            task.cancel()
        self._inflight.clear()

    # -- instant queries, for the ticks --

    def send(
        self, leaves: Iterable[str], at: float, on_arrival: OnArrival
    ) -> list[asyncio.Task[None]]:
        """Evaluate `leaves` at time `at`, bar those still in flight; returns the tasks.

        Each task calls `on_arrival` once, with the leaves it asked and their outcomes.
        The tasks start at the caller's next await, so what the caller does before then
        happens first.
        """
        pending = [leaf for leaf in leaves if leaf not in self._inflight]
        together = self.mergeable(pending)
        tasks: list[asyncio.Task[None]] = []
        if together:
            tasks.append(self._launch_merged(together, at, on_arrival))
        tasks += [self._launch(leaf, at, on_arrival) for leaf in pending if leaf not in together]
        return tasks

    def _launch(self, leaf: str, at: float, on_arrival: OnArrival) -> asyncio.Task[None]:
        async def run() -> None:
            try:
                on_arrival({leaf: await self._instant(leaf, at)})
            finally:
                self._inflight.pop(leaf, None)

        task = asyncio.ensure_future(run())
        self._inflight[leaf] = task
        return task

    def _launch_merged(
        self, leaves: list[str], at: float, on_arrival: OnArrival
    ) -> asyncio.Task[None]:
        async def run() -> None:
            try:
                started = time.monotonic()
                outcomes = await self._merged(leaves, at)
                self._judge_speed(time.monotonic() - started)
                on_arrival(outcomes)
            finally:
                for leaf in leaves:
                    self._inflight.pop(leaf, None)

        task = asyncio.ensure_future(run())
        for leaf in leaves:
            self._inflight[leaf] = task
        return task

    def _judge_speed(self, took: float) -> None:
        """One slow leaf would hold every panel back: after SLOW_MERGES merged answers
        in a row slower than half a step, every leaf goes alone from then on. One slow
        answer is not enough: the time is the client's wall clock, which a busy UI
        loop (the first paint, a loaded machine) stretches as much as a slow leaf."""
        if took <= self.step / 2:
            self._slow = 0
            return
        self._slow += 1
        if self._slow >= SLOW_MERGES:
            self.merge = False

    async def _merged(self, leaves: list[str], at: float) -> dict[str, Outcome]:
        """The leaves' outcomes from one merged query, or from each alone if it failed."""
        try:
            answer = await self.client.query(merging.merged(leaves), at)
            outcomes: dict[str, Outcome] = dict(merging.split_instant(answer, leaves))
        except (ValueError, TypeError, KeyError):
            # An answer we could not take apart: ask the leaves alone.
            self.merge = False
            return await self._alone(leaves, at)
        except PrometheusError as exc:
            if self._merge_failed(exc):
                return await self._alone(leaves, at)
            return dict.fromkeys(leaves, exc)
        suspects = [leaf for leaf in leaves if self._suspect(leaf, _zero(outcomes[leaf]))]
        if suspects:
            outcomes.update(await self._alone(suspects, at))
        return outcomes

    async def _alone(self, leaves: list[str], at: float) -> dict[str, Outcome]:
        outcomes = await asyncio.gather(*(self._instant(leaf, at) for leaf in leaves))
        return dict(zip(leaves, outcomes, strict=True))

    async def _instant(self, leaf: str, at: float) -> Outcome:
        try:
            result = await self.client.query(leaf, at)
        except PrometheusError as exc:
            return exc
        self._learn(leaf, any(s.histogram is not None for s in result.samples), result.samples)
        return result

    # -- range queries, for the history backfill --

    async def ranges(
        self, leaves: Sequence[str], start: float, end: float, spacing: float
    ) -> dict[str, RangeOutcome]:
        """Every leaf's range result: the mergeable ones in one query, if allowed.

        A leaf known to be too large gets an empty result without being asked.
        """
        together = self.mergeable([leaf for leaf in leaves if leaf not in self._too_large])
        results: dict[str, RangeOutcome] = {}
        if together:
            results.update(await self._merged_range(together, start, end, spacing))
        for leaf in leaves:
            if leaf in self._too_large:  # known too big: no history, not asked again
                results[leaf] = RangeResult(())
        alone = [leaf for leaf in leaves if leaf not in results]
        outcomes = await asyncio.gather(*(self._range(leaf, start, end, spacing) for leaf in alone))
        results.update(zip(alone, outcomes, strict=True))
        return results

    async def _merged_range(
        self, leaves: list[str], start: float, end: float, spacing: float
    ) -> dict[str, RangeOutcome]:
        """The leaves' outcomes from one merged range query; none if they must go alone."""
        try:
            answer = await self.client.query_range(
                merging.merged(leaves), start, end, spacing, max_bytes=MAX_BACKFILL_BYTES
            )
            outcomes: dict[str, RangeOutcome] = dict(merging.split_range(answer, leaves))
        except TooLarge:
            return {}  # one leaf is too big: alone, each finds out whether it is the one
        except PrometheusError as exc:
            if self._merge_failed(exc, instant=False):
                return {}
            return dict.fromkeys(leaves, exc)
        # A suspect goes alone (ranges() asks each leaf missing here).
        return {
            leaf: outcome
            for leaf, outcome in outcomes.items()
            if not self._suspect(leaf, _zero(outcome))
        }

    async def _range(self, leaf: str, start: float, end: float, spacing: float) -> RangeOutcome:
        try:
            result = await self.client.query_range(
                leaf, start, end, spacing, max_bytes=MAX_BACKFILL_BYTES
            )
        except TooLarge:
            self._too_large.add(leaf)
            return RangeResult(())
        except PrometheusError as exc:
            return exc
        self._learn(leaf, any(s.histograms for s in result.series), result.series)
        return result

    # -- merging --

    def _suspect(self, leaf: str, zero: bool) -> bool:
        """Whether a leaf's merged answer may hide native histograms (see the module)."""
        return zero and leaf not in self._trusted

    def _learn(self, leaf: str, native: bool, answer: Sequence[object]) -> None:
        """What a leaf's own answer tells: native histograms, or floats to trust."""
        if native:
            self._native.add(leaf)
        elif answer:
            self._trusted.add(leaf)

    def _is_vector(self, leaf: str) -> bool:
        if leaf not in self._vector:
            try:
                self._vector[leaf] = returns_vector(leaf)
            except ValueError:
                self._vector[leaf] = False
        return self._vector[leaf]

    def _merge_failed(self, error: PrometheusError, *, instant: bool = True) -> bool:
        """Whether `error` may be one leaf's fault; if so, stop merging (True).

        A rejected or unreadable merged answer could come from any one leaf, and
        must not blank every panel: from now on each leaf goes alone, and this
        round asks them alone too. Unreachable, timeout or an HTTP status are the
        server's state, not a leaf's: every leaf gets that error as it is.
        """
        rejected = isinstance(error, HTTPStatusError) and 400 <= error.status < 500
        if isinstance(error, QueryError | BadResponse) or rejected:
            # (a 4xx page: a proxy may refuse the long merged body, not the leaves)
            self.merge = False
            return True
        if instant and isinstance(error, RequestTimeout):
            # Perhaps one slow leaf: this round's panels time out, the next ones go
            # alone, so a slow panel holds up only itself (as the slow-merge rule).
            self.merge = False
        return False


def _zero(outcome: Outcome | RangeOutcome) -> bool:
    """Whether a merged answer holds a float 0, what a native histogram becomes."""
    if isinstance(outcome, InstantResult):
        return any(s.value == 0 for s in outcome.samples)
    if isinstance(outcome, RangeResult):
        return any(v == 0 for s in outcome.series for v in s.values)
    return False
