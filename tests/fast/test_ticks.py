"""What a tick costs on a steady dashboard: the lines Textual repaints.

A tick inside a sparkline's column changes the value lines and that column's cells
only, so only those lines are repainted; a tick that starts a new column shifts the
sparkline, and its rows are repainted. The tiles (chart, gauge, table...) repaint
the lines that read differently, none when nothing changed.
"""

from __future__ import annotations

import math
from pathlib import Path

from allintop.draw.columns import fitted_span
from allintop.ui.app import DashboardApp
from allintop.ui.cards.base import Card
from allintop.ui.cards.body import BodyCard
from allintop.ui.cards.stat import SPARK_ROW, VALUE_ROW, StatCard
from tests.fast.fakeapp import Clock, advance, make, settle
from tests.fast.tileapp import make_panels, tile


def _lines(card: Card) -> list[str]:
    return [card.strip_at(y).text for y in range(card.size.height)]


def _column(app: DashboardApp, card: StatCard, t: float) -> int:
    """The sparkline column (on the wall-clock grid) a tick at `t` lands in."""
    bucket, capacity = app.poller.bucket, app.poller.capacity
    return math.floor(t / bucket + 1e-6) // fitted_span(capacity, card.size.width)


def _newest_cells(app: DashboardApp, card: StatCard) -> int:
    """How many cells the sparkline's newest column takes (its columns are spread
    over the card's width, one cell or more each)."""
    width, capacity = card.size.width, app.poller.capacity
    count = capacity // fitted_span(capacity, width)
    return width - min(c for c in range(width) if c * count // width == count - 1)


def _single(app: DashboardApp) -> list[StatCard]:
    """The cards of one series: a value line over a sparkline."""
    cards = [c for c in app.query(StatCard) if c.state is not None and len(c.state.series) == 1]
    assert len(cards) >= 4
    return cards


async def _to_a_new_bucket_inside_every_column(pilot, app: DashboardApp, clock: Clock) -> None:
    """Ticks on until the next one starts a new bucket, still in every card's column."""
    bucket = app.poller.bucket
    for _ in range(200):
        t, following = clock.now, clock.now + 1
        new_bucket = math.floor(following / bucket) != math.floor(t / bucket)
        inside = all(_column(app, c, following) == _column(app, c, t) for c in _single(app))
        if new_bucket and inside:
            return
        await advance(pilot, app, clock)
    raise AssertionError("no tick found inside every column")


async def test_a_tick_inside_a_column_repaints_only_value_lines_and_the_newest_column(
    tmp_path: Path,
) -> None:
    app, _, clock = make(tmp_path)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot, app)
        cards = _single(app)
        assert all(fitted_span(app.poller.capacity, c.size.width) >= 2 for c in cards)
        await _to_a_new_bucket_inside_every_column(pilot, app, clock)
        before = {c.index: (_lines(c), c.lines_painted) for c in app.query(Card)}
        await advance(pilot, app, clock)
        painted = 0
        for card in app.query(Card):
            old, count = before[card.index]
            new = _lines(card)
            changed = [y for y, (a, b) in enumerate(zip(old, new, strict=True)) if a != b]
            # No line is repainted that reads as it did (a colour change aside, which a
            # steady dashboard does not have).
            assert card.lines_painted - count <= len(changed), card.index
            painted += card.lines_painted - count
            if card not in cards:
                continue
            for y in changed:
                assert y == VALUE_ROW or y >= SPARK_ROW, (card.index, y)
                if y >= SPARK_ROW:  # a sparkline row: only its newest column moved
                    cut = -_newest_cells(app, card)
                    assert old[y][:cut] == new[y][:cut], (card.index, old[y], new[y])
        every = sum(c.size.height for c in app.query(Card))
        assert 0 < painted < every / 4, (painted, every)


async def test_a_tick_into_a_new_column_shifts_the_sparkline(tmp_path: Path) -> None:
    app, _, clock = make(tmp_path)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot, app)
        card = next(c for c in _single(app) if c.target.title == "P95 Latency")
        for _ in range(200):
            if _column(app, card, clock.now + 1) != _column(app, card, clock.now):
                break
            await advance(pilot, app, clock)
        old, count = _lines(card), card.lines_painted
        await advance(pilot, app, clock)
        new = _lines(card)
        shifted = [
            y for y in range(SPARK_ROW, len(new) - 1) if old[y][:-1] != new[y][:-1]
        ]  # fmt: skip
        assert shifted, "the sparkline did not move at the column boundary"
        # Each shifted row repainted (and no more than the lines that changed).
        changed = sum(a != b for a, b in zip(old, new, strict=True))
        assert len(shifted) <= card.lines_painted - count <= changed


async def test_tiles_repaint_only_the_lines_a_tick_changes(tmp_path: Path) -> None:
    app, _, clock = make_panels(tmp_path)
    async with app.run_test(size=(160, 40)) as pilot:
        await settle(pilot, app)
        await advance(pilot, app, clock)
        tiles = [w for w in app.panels if isinstance(w, BodyCard) and w.on_screen()]
        assert {type(t).__name__ for t in tiles} >= {"ChartCard", "GaugeCard", "TableCard"}
        before = {t.index: (_lines(t), t.lines_painted) for t in tiles}
        await advance(pilot, app, clock)
        painted = 0
        for card in tiles:
            old, count = before[card.index]
            changed = sum(a != b for a, b in zip(old, _lines(card), strict=True))
            assert card.lines_painted - count <= changed, card.panel.title
            painted += card.lines_painted - count
        assert 0 < painted < sum(t.size.height for t in tiles) / 2
        # Asked to redraw with nothing changed, a tile repaints nothing.
        chart = tile(app, "Latency and queue")
        count = chart.lines_painted
        chart.redraw()
        await pilot.pause()
        assert chart.lines_painted == count
