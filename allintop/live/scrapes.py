"""When Prometheus scrapes: the schedule that tells the poller no new data can exist,
and each datasource's scrape interval as its targets say it (what Grafana's
$__rate_interval is computed from when the datasource's settings give none).

No Textual, no network: the poller learns the targets once per configuration and
asks this whether a scrape can have happened between two evaluations.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from allintop.errors import PrometheusError
from allintop.live import periodic
from allintop.live.periodic import CLOCK_SKEW
from allintop.sources.answers import Target
from allintop.sources.protocols import PollSource

#: Seconds `once` waits for the targets to say their scrape intervals.
SCRAPE_LOOKUP = 2.0


@dataclass(frozen=True, slots=True)
class ScrapeSchedule:
    """When Prometheus scrapes its targets: each one's phase and interval.

    Prometheus scrapes each target on a fixed ticker, so one past scrape time (the
    target's last_scrape) and the interval give every later one.
    """

    targets: tuple[tuple[float, float], ...]  # (a scrape time, interval) per target
    lag: float = CLOCK_SKEW  # how long after it starts a scrape may become visible

    @classmethod
    def from_targets(cls, targets: Sequence[Target]) -> ScrapeSchedule | None:
        """None when any target's interval or phase is unknown (then never skip)."""
        known: list[tuple[float, float]] = []
        for target in targets:
            interval, phase = target.scrape_interval, target.last_scrape
            if interval is None or interval <= 0 or phase is None:
                return None
            known.append((phase, interval))
        if not known:
            return None
        # Durations vary from scrape to scrape: twice the longest seen is the margin.
        longest = max(t.last_scrape_duration for t in targets)
        return cls(tuple(known), CLOCK_SKEW + 2 * longest)

    def scraped_between(self, after: float, until: float, sent: float | None = None) -> bool:
        """Whether an evaluation at `until` can see data that one at `after` did not.

        That is a scrape that starts in (after, until], or one that started shortly
        before `after` but was not stored yet when that evaluation was sent (at wall
        time `sent`, our clock): samples carry their scrape's start time, and are
        stored when the scrape ends.
        """
        return periodic.any_between(
            self.targets, periodic.visible_since(after, sent, self.lag), until
        )


def scrape_intervals(targets: Iterable[Target], default: str = "") -> dict[str, float]:
    """Each datasource's scrape interval from its targets (by `Target.datasource`; ""
    is `default`): the one most of them are scraped at (the global scrape_interval,
    most likely; a tie goes to the longer, which gives rate() enough samples on
    more of them). A datasource whose targets say none is left out."""
    seen: dict[str, Counter[float]] = {}
    for target in targets:
        interval = target.scrape_interval
        if interval is not None and interval > 0:
            seen.setdefault(target.datasource or default, Counter())[interval] += 1
    return {name: max(counts, key=lambda i: (counts[i], i)) for name, counts in seen.items()}


async def ask_scrape_intervals(
    clients: Mapping[str, PollSource], names: Iterable[str], within: float = SCRAPE_LOOKUP
) -> dict[str, float]:
    """The scrape interval of each datasource of `names` as its targets say (one
    /api/v1/targets each, at once, for at most `within` seconds: a hung server must
    not hold the queries up for a whole timeout before they are even sent); one that
    cannot be asked in time, or whose targets say none, is left out (Grafana's
    default then stands)."""
    wanted = sorted(set(names) & set(clients))
    if not wanted:
        return {}
    asks = {name: asyncio.ensure_future(clients[name].targets()) for name in wanted}
    await asyncio.wait(asks.values(), timeout=within)
    learned: dict[str, float] = {}
    for name, ask in asks.items():
        if not ask.done():
            ask.cancel()
        elif isinstance(ask.exception(), PrometheusError):
            continue
        else:
            learned.update(scrape_intervals(ask.result(), default=name))
    return learned
