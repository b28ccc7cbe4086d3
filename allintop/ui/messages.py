"""Messages from the polling worker to the app: results arrive, the UI never waits."""

from __future__ import annotations

from dataclasses import dataclass

from textual.message import Message

from allintop.live.reports import QueryState, TickReport
from allintop.sources.answers import StatusReport


@dataclass
class PollDone(Message):
    """A tick (or backfill) finished: its on-time panel states and alerts."""

    report: TickReport
    backfill: bool = False
    generation: int = 0


@dataclass
class LateResult(Message):
    """A query that outlived its tick's budget delivered its state."""

    state: QueryState
    generation: int = 0


@dataclass
class StatusDone(Message):
    """Rules, targets or Alertmanager state arrived."""

    report: StatusReport
