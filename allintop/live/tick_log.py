"""The tick log: one JSON line per applied tick, for the bench's soak (it reads the
file named by ALLINTOP_TICK_LOG; unset, nothing is written). A bench aid: a file that
cannot be written is never worth an error on screen, it just stops the log."""

from __future__ import annotations

import json
import os
import time
from collections.abc import Mapping

from allintop.live.reports import TickReport

#: The variable naming the file to append to.
TICK_LOG_ENV = "ALLINTOP_TICK_LOG"


class TickLog:
    """Appends a line per applied tick to `path`."""

    def __init__(self, path: str) -> None:
        self.path: str | None = path

    @classmethod
    def from_environ(cls, environ: Mapping[str, str] = os.environ) -> TickLog | None:
        """The log ALLINTOP_TICK_LOG asks for, if it does."""
        path = environ.get(TICK_LOG_ENV)
        return cls(path) if path else None

    def write(self, report: TickReport, *, backfill: bool, applied: float, began: float) -> None:
        """One line: the tick's time, how long from the poll's start (`began`, wall
        clock) until it was on the cards (queries, parsing, math and the widget
        updates; not the terminal's own paint), and how long applying it held the UI
        loop (`applied`, as `apply_s`)."""
        if self.path is None:
            return
        line = {
            "at": report.time,
            "end": round(time.time(), 3),
            "tick_s": round(time.time() - began, 4),
            "apply_s": round(applied, 5),
            "panels": len(report.panels),
            "errors": sum(state.error is not None for state in report.panels),
            "backfill": backfill,
            "carried": report.carried,
        }
        try:
            with open(self.path, "a", encoding="utf-8") as log:
                log.write(json.dumps(line) + "\n")
        except OSError:
            self.path = None
