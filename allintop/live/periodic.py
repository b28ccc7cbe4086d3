"""What a server does on fixed tickers: Prometheus scrapes each target, and evaluates
each rule group, every interval from a phase of its own. One past time and the
interval give every later one, so whether one of them falls between two of our asks
is arithmetic, not a request.

No Textual, no network.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

#: How far, in seconds, the server's clock may be off ours.
CLOCK_SKEW = 0.05


def visible_since(after: float, sent: float | None, lag: float) -> float:
    """The earliest start of a run that an ask for time `after`, sent at `sent` (our
    clock; None: at `after`), may not have seen: a run's result shows `lag` seconds
    after it starts, so one that started shortly before the ask may not have."""
    return after - max(lag - ((after if sent is None else sent) - after), 0.0)


def any_between(tickers: Iterable[tuple[float, float]], since: float, until: float) -> bool:
    """Whether any ticker of (a run's start time, interval) starts a run in (since, until]."""
    for phase, interval in tickers:
        following = phase + (math.floor((since - phase) / interval) + 1) * interval
        if following <= until:
            return True
    return False
