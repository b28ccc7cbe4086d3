"""Key latency with a tick in flight: `?` to the help being on screen, at 200 panels.

A press is timed from tmux send-keys until capture-pane shows the help. Each press is
sent while the dashboard has a tick in flight, and that is checked afterwards rather
than assumed:

- The polls begin on the refresh grid (whole multiples of the refresh, wall clock),
  and the app's own tick log (ALLINTOP_TICK_LOG: when each poll began and when its
  states were on the cards) says at which phase of the grid they begin and how long
  a tick takes. Each press is sent at a grid time plus that phase plus a fraction of
  the median tick, the fractions spread over the tick (FRACTIONS), so that presses
  land while the queries are out, while the answer is read, and as it is applied.
- Afterwards the whole tick log says which presses landed inside a tick (the poll
  begun, its states not yet on the cards): the figures are given for all presses
  and for those, and the target is judged on those.

(Before, a press was sent once the query log showed a tick's query done: the
dashboard's one merged request per tick had then already ended on the server, and
none of the presses counted as in flight.)
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from bench import querylog, screen

HELP_TIMEOUT_S = 5.0
#: Where in a tick the presses land, as fractions of the median tick (poll start to
#: the states on the cards), in turn.
FRACTIONS = (0.1, 0.25, 0.4, 0.55, 0.7)
#: The latest ticks that set the phase and length a press aims at.
RECENT = 10
#: Sent no sooner than this after it is scheduled (send-keys itself takes a few ms).
MARGIN_S = 0.02


class Keys(Protocol):
    """The terminal the dashboard runs in (bench.terminal.Terminal)."""

    def send_keys(self, *keys: str, literal: bool = False) -> None: ...

    def capture(self) -> list[str]: ...


@dataclass(frozen=True)
class Tick:
    """One tick as the app logged it: when its poll began and when its states were on
    the cards (wall clock)."""

    began: float
    ended: float


def app_ticks(entries: Iterable[dict[str, Any]]) -> list[Tick]:
    """The ticks of the app's tick log (backfills left out), in order."""
    ticks = [
        Tick(entry["end"] - entry["tick_s"], entry["end"])
        for entry in entries
        if not entry.get("backfill") and "tick_s" in entry and "end" in entry
    ]
    return sorted(ticks, key=lambda t: t.began)


def next_send(ticks: Sequence[Tick], step: float, now: float, press: int) -> float | None:
    """When to send press number `press` so that it lands inside the next tick: the
    next grid time after `now`, plus the phase the recent polls began at, plus a
    fraction of their median length. None without a tick to go by."""
    recent = ticks[-RECENT:]
    if not recent:
        return None
    # The phase is signed (a poll may begin just before a grid time, its timer early).
    phase = _median([t.began - round(t.began / step) * step for t in recent])
    wall = _median([t.ended - t.began for t in recent])
    at = (now // step + 1) * step + phase + FRACTIONS[press % len(FRACTIONS)] * wall
    while at < now + MARGIN_S:
        at += step
    return at


def _median(values: list[float]) -> float:
    values = sorted(values)
    return values[len(values) // 2]


def in_flight(sent: float, ticks: Sequence[Tick]) -> bool:
    """Whether a press sent at `sent` landed inside a tick (poll begun, states not yet
    on the cards)."""
    return any(t.began <= sent <= t.ended for t in ticks)


def press_keys(
    terminal: Keys, presses: int, step: float, read_ticks: Callable[[], list[Tick]]
) -> dict[str, Any]:
    """`?` to the help screen being on screen, then Escape; `presses` times, each aimed
    inside a tick (see the module's doc). `read_ticks` reads the app's tick log."""
    sends: list[float] = []
    latencies: list[float | None] = []
    aims: list[float | None] = []
    send_costs: list[float] = []
    capture_costs: list[float] = []
    for press in range(presses):
        now = time.time()
        at = next_send(read_ticks(), step, now, press)
        aims.append(None if at is None else round(at - (at // step) * step, 4))
        time.sleep(max(0.0, (at if at is not None else now) - time.time()))
        sent = time.time()
        terminal.send_keys("?", literal=True)
        send_costs.append(time.time() - sent)
        shown = None
        while time.time() - sent < HELP_TIMEOUT_S:
            before = time.time()
            lines = terminal.capture()
            capture_costs.append(time.time() - before)
            if screen.help_shown(lines):
                shown = time.time()
                break
        sends.append(sent)
        latencies.append(None if shown is None else shown - sent)
        terminal.send_keys("Escape")
        deadline = time.time() + HELP_TIMEOUT_S
        while screen.help_shown(terminal.capture()) and time.time() < deadline:
            time.sleep(0.005)
    return {
        "sent_at": sends,
        "aimed_at_grid_phase_s": aims,
        "latency_ms": [None if v is None else round(v * 1000, 2) for v in latencies],
        "send_keys_ms_median": _ms(querylog.percentile(send_costs, 50)),
        "capture_ms_median": _ms(querylog.percentile(capture_costs, 50)),
    }


def classify(presses: dict[str, Any], ticks: Sequence[Tick]) -> None:
    """Marks each press that landed inside a tick (by the app's whole tick log, read
    after the run), and adds the latency figures: for all presses, and for those."""
    flags = [in_flight(sent, ticks) for sent in presses["sent_at"]]
    presses["in_flight"] = flags
    latencies = [v for v in presses["latency_ms"] if v is not None]
    during = [v for v, f in zip(presses["latency_ms"], flags, strict=True) if f and v]
    presses["count"] = len(presses["latency_ms"])
    presses["timeouts"] = presses["latency_ms"].count(None)
    presses["in_flight_count"] = sum(flags)
    for name, values in (("all", latencies), ("in_flight", during)):
        presses[f"{name}_ms_median"] = querylog.percentile(values, 50)
        presses[f"{name}_ms_p95"] = querylog.percentile(values, 95)


def _ms(value: float | None) -> float | None:
    return None if value is None else round(value * 1000, 2)
