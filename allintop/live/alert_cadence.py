"""When to ask Prometheus for its alerts: only when a rule evaluation can have changed them.

Prometheus changes its alert list only when it evaluates an alerting rule group, and
it evaluates each group on a fixed ticker of its own (the group's interval: 15 s to a
few minutes in most set-ups, 30 s in the demo). The rules API says each group's
interval, when its latest evaluation began and how long it took; from these the
poller knows whether an evaluation can have ended since it last asked, and asks only
then. At a 1 s refresh and rules evaluated every 30 s, that is two alert requests a
minute instead of sixty, and the alerts still show at the first tick after they
change.

It asks every tick, as it did before it knew this, while the rules are unknown (not
asked yet, a group never evaluated, an engine that does not say), after an ask that
failed, and while no panel is asked (every row collapsed: the alerts answer is then
the only sign that the server is up). It asks at least once a minute whatever the
schedule says: a rules reload on the server moves the tickers, and the rules that
say so are read again only once a minute.

No Textual, no network.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from allintop.live import periodic
from allintop.live.periodic import CLOCK_SKEW
from allintop.sources.answers import RuleGroup

#: The longest, in seconds, between two alert requests whatever the schedule says.
ASK_AT_LEAST = 60.0


@dataclass(frozen=True, slots=True)
class RuleSchedule:
    """When Prometheus evaluates its alerting rule groups: each one's phase and interval."""

    groups: tuple[tuple[float, float], ...]  # (an evaluation's start, interval) per group
    lag: float = CLOCK_SKEW  # how long after it starts an evaluation may become visible

    @classmethod
    def from_groups(cls, groups: Sequence[RuleGroup]) -> RuleSchedule | None:
        """None when no group has alerting rules, or one has no interval or has not
        been evaluated yet: then ask every tick (a server with no alerting rules yet
        may be given some by a reload, which its alerts would show first). Groups of
        recording rules only are left out: they change no alert."""
        alerting = [group for group in groups if group.rules]
        if not alerting:
            return None
        known: list[tuple[float, float]] = []
        for group in alerting:
            if group.interval <= 0 or group.last_evaluation is None:
                return None
            known.append((group.last_evaluation, group.interval))
        # Evaluations take longer when the server is busy: twice the latest is the margin.
        longest = max(group.evaluation_time for group in alerting)
        return cls(tuple(known), CLOCK_SKEW + 2 * longest)

    def evaluated_between(self, after: float, until: float) -> bool:
        """Whether the alerts asked at `until` can differ from those asked at `after`
        (both our wall clock): an evaluation starts in (after, until], or had started
        shortly before `after` and had not ended when that ask was answered."""
        return periodic.any_between(
            self.groups, periodic.visible_since(after, None, self.lag), until
        )


class AlertsCadence:
    """Whether a tick asks for the alerts (see the module docstring)."""

    def __init__(self) -> None:
        self.schedule: RuleSchedule | None = None
        self._answered_ask: float | None = None  # when the last answered ask was sent

    def learn(self, groups: Sequence[RuleGroup]) -> None:
        """The rule groups as the server listed them just now."""
        self.schedule = RuleSchedule.from_groups(groups)

    def due(self, now: float, *, heartbeat: bool = False) -> bool:
        """Whether to ask at `now` (wall clock); `heartbeat`: the alerts answer is the
        tick's only request that says whether the server is up."""
        last, schedule = self._answered_ask, self.schedule
        if heartbeat or schedule is None or last is None or now - last >= ASK_AT_LEAST:
            return True
        return schedule.evaluated_between(last, now)

    def answered(self, sent: float, ok: bool) -> None:
        """The ask sent at `sent` came back: with the alerts (`ok`), or with an error
        (then the next tick asks again)."""
        self._answered_ask = sent if ok else None
