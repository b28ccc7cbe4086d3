"""A short dip is data, not a hole: the poller and the stat sparkline over a value that
alternates from tick to tick and sinks a few percent for a few minutes.

What a tester saw on the demo's CPU Usage card: for about four minutes after start
Prometheus' own rate() alternated between about 29.0 and 29.6 (its 5m window held
imported 10 s samples and live 1 s ones), against about 30 before and after. The card
drew those minutes as (nearly) nothing and the zoom drew them. These tests pin down
that no bucket goes missing on that path (backfill ending at "now", ticks on the
grid, one bucket per tick, alternating values), and that such a dip is drawn at the
foot of the sparkline, never as a blank column.
"""

from __future__ import annotations

from allintop.dashboard.model import Query
from allintop.draw.sparkline import columns, render_lines
from allintop.live.poller import Poller, aligned
from allintop.live.reports import QueryState
from tests.fakeprom import FakePrometheus, FakeSeries

STEP, RANGE = 5.0, 900.0
#: The first poll's time: off the grid, as a dashboard started at any moment.
START = 1_000_002.37
#: The stat card's sparkline width at 200 columns, four cards a row.
WIDTH = 47


def cpu(t: float) -> float:
    """Prometheus' answer over the seam: ~30 %, then alternating by the 5 s phase of
    the evaluation time, the lower pair for most of the 5 minutes, then ~30 % again."""
    since = t - START
    if since < 0 or since >= 290:
        return 30.0
    odd = round(since / STEP) % 2 == 1
    if since < 55:
        return 29.9 if odd else 29.3
    return 29.6 if odd else 29.0


async def _run(minutes: float) -> tuple[Poller, list[QueryState]]:
    """A backfill and a first tick at START (as the first poll does), then a tick a
    little after each grid time, as the UI's timer sends them."""
    prometheus = FakePrometheus(metrics={"cpu_percent": [FakeSeries({}, cpu)]})
    panel = Query("CPU Usage", "cpu_percent", unit="%")
    poller = Poller(prometheus, [panel], [panel.expr], step=STEP, range_=RANGE, alerts=False)
    poller.reset_tick()
    states = list((await poller.tick(START, budget=1.0)).panels)
    states += (await poller.backfill(START)).panels
    now = aligned(START, STEP) + STEP + 0.05
    while now < START + minutes * 60:
        states += (await poller.tick(now, budget=1.0)).panels
        now += STEP
    return poller, states


async def test_every_tick_of_an_alternating_dip_lands_in_its_own_bucket():
    poller, states = await _run(6)
    ticks = states[2:]
    assert len(ticks) >= 70
    for state in ticks:
        assert state.error is None and state.value is not None
        # The newest bucket is the tick's own, and it holds the tick's value.
        assert state.history[-1] == state.value
        assert None not in state.history  # the backfill filled the rest
    # The history, as the zoom reads it, and the card's agree, bucket by bucket.
    (only,) = poller.histories[0].series.values()
    assert tuple(only.values()) == ticks[-1].history


async def test_the_dip_is_drawn_at_the_foot_of_the_sparkline_not_as_a_gap():
    _, states = await _run(6)
    history = states[-1].history
    cols = columns(history, WIDTH)
    assert None not in cols  # no blank column: every one has a value
    rows = render_lines(history, WIDTH, 15)
    assert all(char != " " for char in rows[-1])  # the foot row is drawn throughout
    # The dip's columns (each the highest of its buckets, 29.6) are the lowest of the
    # card's range (29.6..30): only their foot is drawn, which is what looked empty.
    # The first minute's columns (29.9 at their highest) are drawn nearly full.
    dip = [i for i, value in enumerate(cols) if value is not None and value < 29.7]
    assert len(dip) >= 10
    assert all(rows[-1][i] == "▁" and all(row[i] == " " for row in rows[:-1]) for i in dip)
