"""The clocks the live dashboard is given, rather than reading `time` itself.

Two of them, each a callable returning seconds: the wall clock (`time.time`) for
what a user reads and for the query grid, and the monotonic clock
(`time.monotonic`) for durations (retries, the overdue verdict, the next poll's
delay), which a wall clock stepped by NTP would throw off. Tests pass clocks they
move by hand, so a minute of dashboard time takes no time at all.
"""

from __future__ import annotations

from typing import Protocol


class Clock(Protocol):
    """Seconds now, on one clock: `time.time`, `time.monotonic` or a test's fake."""

    def __call__(self) -> float: ...
