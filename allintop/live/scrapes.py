"""When Prometheus scrapes: the schedule that tells the poller no new data can exist.

No Textual, no network: the poller learns the targets once per configuration and
asks this whether a scrape can have happened between two evaluations.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from allintop.sources.answers import Target

#: How far, in seconds, the server's clock may be off ours, when deciding that no
#: scrape can be new (see ScrapeSchedule.scraped_between).
CLOCK_SKEW = 0.05


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
        since = after - max(self.lag - ((after if sent is None else sent) - after), 0.0)
        for phase, interval in self.targets:
            following = phase + (math.floor((since - phase) / interval) + 1) * interval
            if following <= until:
                return True
        return False
