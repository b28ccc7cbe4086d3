"""The wall-clock column grid and the steady scale of sparklines and chart tiles."""

from __future__ import annotations

from hypothesis import example, given
from hypothesis import strategies as st

from allintop.draw.braille import plot
from allintop.draw.columns import (
    Column,
    column_grid,
    column_span,
    fitted_grid,
    fitted_span,
    stretch,
)
from allintop.draw.scales import Scale, steady_scale
from allintop.draw.sparkline import grid_lines, history_scale
from allintop.live.history import SeriesHistory

#: 2 s buckets, 60 of them; 10 columns of 6 buckets (12 s) each.
BUCKET, CAPACITY, WIDTH = 2.0, 60, 10
PERIOD = 12.0


def _history(until: float, value=lambda t: 10.0 + t % 7) -> SeriesHistory:
    """A history with a value every second up to `until` (a multiple of the period)."""
    history = SeriesHistory(BUCKET, CAPACITY)
    t = until - CAPACITY * BUCKET
    while t <= until:
        history.put(t, value(t))
        t += 1
    return history


def _grid(history: SeriesHistory):
    return column_grid(history.values(), history.newest, WIDTH)


@given(
    values=st.lists(st.one_of(st.none(), st.sampled_from([0.0, 1.5, 5.0, -2.0])), max_size=40),
    ahead=st.integers(0, 300),
    width=st.integers(0, 12),
    span=st.integers(1, 7),
)
@example(values=[1.0, None, 2.0], ahead=50, width=8, span=3)  # columns before the oldest bucket
def test_each_column_holds_exactly_the_buckets_of_its_period(values, ahead, width, span):
    """By the definition: bucket b goes into column b // span, the last column holds the
    newest bucket, and each column keeps its buckets' lowest, highest and last value."""
    newest = max(len(values) - 1, 0) + ahead
    grid = column_grid(values, newest, width, span)
    assert grid.span == span and len(grid.columns) == width
    assert grid.newest == newest // span or width == 0
    first_bucket = newest - len(values) + 1
    for k, column in enumerate(grid.columns):
        held = [
            v
            for j, v in enumerate(values)
            if v is not None and (first_bucket + j) // span == grid.first + k
        ]
        assert column == (Column(min(held), max(held), held[-1]) if held else None)


def test_the_period_is_range_over_columns_in_whole_buckets_rounded_down():
    assert column_span(CAPACITY, WIDTH) == 6
    assert column_span(150, 40) == 3  # 3.75 buckets: down, so no column reaches past
    assert column_span(150, 24) == 6
    assert column_span(50, 80) == 1  # at least one bucket
    assert column_span(10, 0) == 1


def test_columns_keep_the_low_high_and_last_of_their_buckets():
    grid = column_grid([1.0, 5.0, 2.0, None, None, None], newest=5, width=2, span=3)
    assert grid.columns == (Column(1.0, 5.0, 2.0), None)
    assert grid.first == 0 and grid.newest == 1
    assert grid.highs() == [5.0, None]


def test_columns_are_aligned_to_wall_clock_multiples_of_the_period():
    # The newest bucket is 7 (14 s): columns of 3 buckets, the newest is 2 (12-18 s).
    grid = column_grid([float(i) for i in range(8)], newest=7, width=3, span=3)
    assert grid.highs() == [2.0, 5.0, 7.0]
    assert grid.seconds(BUCKET) == (0.0, 18.0)


def test_a_tick_inside_a_column_touches_only_that_column():
    history = _history(until=1200.0)  # 1200 s: the start of a column
    before = _grid(history)
    for t in (1201.0, 1202.0, 1205.0, 1211.0):  # a new value each tick, new buckets too
        history.put(t, 100.0 + t)
        after = _grid(history)
        assert after.first == before.first, t
        assert after.columns[:-1] == before.columns[:-1], t
        assert after.columns[-1] != before.columns[-1], t
        before = after


def test_the_line_shifts_exactly_at_the_column_boundary_and_not_before():
    history = _history(until=1200.0)
    first = _grid(history).first
    history.put(1200.0 + PERIOD - 1, 3.0)  # the last second of the column
    assert _grid(history).first == first
    before = _grid(history)
    history.put(1200.0 + PERIOD, 4.0)  # the boundary
    after = _grid(history)
    assert after.first == first + 1
    # The line moved one column left, whole: the columns are the same ones.
    assert after.columns[:-2] == before.columns[1:-1]
    assert after.columns[-1] == Column(4.0, 4.0, 4.0)


def test_a_spike_survives_the_shift():
    history = _history(until=1200.0, value=lambda t: 1.0)
    history.put(1203.0, 500.0)  # one tick's spike
    history.put(1204.0, 1.0)
    assert _grid(history).highs()[-1] == 500.0
    for t in range(1205, 1200 + 3 * int(PERIOD)):  # two shifts later
        history.put(float(t), 1.0)
    highs = _grid(history).highs()
    assert highs[-3] == 500.0
    assert highs.count(500.0) == 1


def test_a_history_never_filled_is_all_gaps():
    grid = column_grid([None] * 5, newest=None, width=3)
    assert grid.highs() == [None, None, None]


def test_a_first_scale_fits_the_data():
    assert steady_scale(None, 10.0, 20.0) == Scale(10.0, 20.0)


def test_data_after_a_flat_scale_gets_a_first_scale():
    # A lone first value makes a flat scale; its history, coming in next, fits the
    # sparkline as a first scale does: no headroom above a peak it never passed.
    lone = steady_scale(None, 15.0, 15.0)
    assert steady_scale(lone, 10.0, 20.0) == Scale(10.0, 20.0)


def test_a_scale_is_kept_while_the_data_stays_inside_it():
    scale = steady_scale(None, 10.0, 20.0)
    assert steady_scale(scale, 11.0, 20.0) is scale
    assert steady_scale(scale, 10.0, 16.0) is scale


def test_data_leaving_the_scale_rescales_it_with_headroom_on_that_side():
    scale = steady_scale(None, 10.0, 20.0)
    above = steady_scale(scale, 10.0, 30.0)
    assert above.high > 30.0 and above.low == 10.0
    # A series still rising a little stays on it: no rescale at every tick.
    assert steady_scale(above, 10.0, 31.0) is above
    below = steady_scale(scale, 5.0, 20.0)
    assert below.low < 5.0 and below.high == 20.0


def test_data_shrinking_far_inside_the_scale_rescales_it():
    scale = steady_scale(None, 0.0, 100.0)
    assert steady_scale(scale, 40.0, 45.0) == Scale(40.0, 45.0)


def test_headroom_for_data_that_is_never_negative_stops_at_zero():
    scale = steady_scale(None, 1.0, 10.0)
    assert steady_scale(scale, 0.0, 10.0).low == 0.0


def test_a_flat_series_keeps_a_flat_scale_and_is_a_low_line():
    scale = steady_scale(None, 5.0, 5.0)
    assert scale == Scale(5.0, 5.0) and scale.flat
    assert steady_scale(scale, 5.0, 5.0) is scale
    lines = grid_lines([5.0] * 6, newest=5, width=3, height=2, previous=None)
    assert lines == ["   ", "▁▁▁"]


def test_a_sparkline_tick_inside_a_column_changes_only_its_last_cells():
    history = _history(until=1200.0)
    scale = history_scale(None, history.values())
    lines = grid_lines(history.values(), history.newest, WIDTH, 3, scale)
    history.put(1203.0, 14.0)
    kept = history_scale(scale, history.values())
    again = grid_lines(history.values(), history.newest, WIDTH, 3, kept)
    assert kept is scale
    assert [line[:-1] for line in again] == [line[:-1] for line in lines]


def test_a_chart_tick_inside_a_column_changes_only_its_newest_cell():
    history = _history(until=1200.0)
    cells = 5  # two braille dots across a cell: a grid column each

    def chart() -> list[str]:
        grid = fitted_grid(history.values(), history.newest, cells * 2)
        rows = plot([grid.highs()], cells, 3, 0.0, 200.0)
        return ["".join(cell.char for cell in row) for row in rows]

    before = chart()
    history.put(1201.0, 150.0)
    after = chart()
    assert after != before
    assert [row[:-1] for row in after] == [row[:-1] for row in before]


def test_a_drawing_fits_the_whole_range_in_columns_of_whole_buckets():
    assert fitted_span(200, 120) == 2  # 1.67 buckets a column: up, so all 200 fit
    assert fitted_span(200, 28) == 8
    assert fitted_span(5, 60) == 1
    grid = fitted_grid([float(i) for i in range(200)], newest=199, width=120)
    assert len(grid.columns) == 100 and grid.span == 2
    assert grid.columns[0] == Column(0.0, 1.0, 1.0)  # the oldest buckets are drawn too


def test_a_range_of_fewer_buckets_than_cells_spans_the_width():
    grid = fitted_grid([1.0, 2.0, 3.0, 4.0, 5.0], newest=9, width=12)
    cells = stretch(grid.highs(), 12)
    assert len(cells) == 12 and cells[0] == 1.0 and cells[-1] == 5.0
    assert cells == sorted(cells)  # each bucket one cell or more, oldest first
    lines = grid_lines([1.0, 2.0, 3.0, 4.0, 5.0], newest=9, width=12, height=1, previous=None)
    assert " " not in lines[0]  # no blank left part: the line spans the card


def test_stretch_keeps_the_newest_when_there_are_more_columns_than_cells():
    assert stretch([1.0, 2.0, 3.0], 2) == [2.0, 3.0]
    assert stretch([1.0, None], 4) == [1.0, 1.0, None, None]
    assert stretch([1.0], 0) == []
