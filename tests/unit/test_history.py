import math

import pytest

from allintop.live.history import (
    DISPLAY_POINTS,
    QueryHistory,
    SeriesHistory,
    bucket_count,
    bucket_width,
    label_key,
)
from allintop.values.thresholds import make_thresholds, series_order


def test_put_extends_on_grid_and_pads_left():
    h = SeriesHistory(step=5, capacity=4)
    h.put(100, 1.0)
    h.put(105, 2.0)
    assert h.values() == [None, None, 1.0, 2.0]
    assert h.latest == 2.0


def test_skipped_ticks_become_gaps():
    h = SeriesHistory(step=5, capacity=6)
    h.put(100, 1.0)
    h.put(115, 4.0)
    assert h.values() == [None, None, 1.0, None, None, 4.0]


def test_same_grid_point_replaces_and_older_is_ignored():
    h = SeriesHistory(step=5, capacity=3)
    h.put(100, 1.0)
    h.put(100, 2.0)
    h.put(95, 9.0)
    assert h.values() == [None, None, 2.0]


def test_capacity_bounds_memory_even_after_a_long_gap():
    h = SeriesHistory(step=1, capacity=3)
    h.put(0, 1.0)
    h.put(10_000, 2.0)
    assert h.values() == [None, None, 2.0]
    assert h.held == 3


def test_non_finite_values_are_gaps():
    h = SeriesHistory(step=1, capacity=3)
    for t, v in enumerate([math.nan, math.inf, 3.0]):
        h.put(t, v)
    assert h.values() == [None, None, 3.0]


def test_backfill_places_points_on_the_grid():
    h = SeriesHistory(step=5, capacity=4)
    # Prometheus range answers carry millisecond timestamps: 100.0 and 110.0004.
    h.backfill([100.0, 110.0004], [1.0, 3.0], end=115)
    assert h.values() == [1.0, None, 3.0, None]
    h.put(120, 4.0)
    assert h.values() == [None, 3.0, None, 4.0]


def test_panel_history_caps_series_and_prunes_vanished_ones():
    p = QueryHistory(step=1, capacity=2, max_series=2)
    p.update(0, [({"a": "1"}, 5.0), ({"a": "2"}, 4.0), ({"a": "3"}, 3.0)])
    assert set(p.series) == {label_key({"a": "1"}), label_key({"a": "2"})}
    p.update(1, [({"a": "1"}, 6.0)])
    assert p.values({"a": "2"}) == [4.0, None]
    p.update(2, [({"a": "1"}, 7.0)])
    assert label_key({"a": "2"}) not in p.series
    assert p.values({"a": "1"}) == [6.0, 7.0]


def test_points_pair_each_value_with_its_grid_time():
    h = SeriesHistory(step=5, capacity=4)
    assert h.points() == []  # no point yet, so no time either
    h.put(100, 1.0)
    h.put(115, 4.0)  # two ticks missed in between
    assert h.points() == [(100, 1.0), (105, None), (110, None), (115, 4.0)]
    assert [v for _, v in h.points()] == h.values()


def test_points_pad_on_the_left_with_earlier_grid_times():
    h = SeriesHistory(step=5, capacity=4)
    h.put(100.0004, 2.0)  # a late tick still sits on its grid point
    assert h.points() == [(85, None), (90, None), (95, None), (100, 2.0)]


def test_points_follow_a_backfill_and_slide_with_later_puts():
    h = SeriesHistory(step=5, capacity=3)
    h.backfill([100.0, 110.0004], [1.0, 3.0], end=110)
    assert h.points() == [(100, 1.0), (105, None), (110, 3.0)]
    h.put(115, 4.0)
    assert h.points() == [(105, None), (110, 3.0), (115, 4.0)]
    assert h.values() == [None, 3.0, 4.0]  # values() unchanged by the addition


def test_backfill_points_one_bucket_apart_fill_one_bucket_each():
    h = SeriesHistory(step=3, capacity=4)
    # Points 3 s apart ending at t=107; the one at t=104 is missing (a real gap).
    h.backfill([98.0, 101.0, 107.0], [1.0, 2.0, 3.0], end=107)
    assert h.values() == [1.0, 2.0, None, 3.0]


def test_panel_backfill_keeps_the_series_with_the_biggest_last_value():
    p = QueryHistory(step=1, capacity=2, max_series=2)
    series = [
        ({"s": "small"}, [0.0, 1.0], [9.0, 1.0]),
        ({"s": "nan"}, [1.0], [float("nan")]),
        ({"s": "big"}, [1.0], [5.0]),
        ({"s": "mid"}, [1.0], [3.0]),
    ]
    p.backfill(series, end=1)
    assert set(p.series) == {label_key({"s": "big"}), label_key({"s": "mid"})}


def test_new_series_take_the_places_of_gone_ones_at_the_cap():
    # Series churn (pods replaced): the new top series must get a sparkline at once,
    # not after the gone ones have aged out of the whole range.
    p = QueryHistory(step=1, capacity=900, max_series=2)
    p.update(0, [({"pod": "old-1"}, 5.0), ({"pod": "old-2"}, 4.0)])
    p.update(1, [({"pod": "new-1"}, 9.0), ({"pod": "old-2"}, 4.5)])
    assert set(p.series) == {label_key({"pod": "new-1"}), label_key({"pod": "old-2"})}
    assert p.values({"pod": "new-1"})[-1] == 9.0
    assert p.values({"pod": "old-2"})[-2:] == [4.0, 4.5]


def test_churn_keeps_the_cap():
    p = QueryHistory(step=1, capacity=60, max_series=3)
    for t in range(200):  # every tick, five brand-new series
        p.update(t, [({"pod": f"{t}-{i}"}, float(i)) for i in range(5)])
        assert len(p.series) <= 3


# -- display resolution: buckets of max(step, range / N) --------------------------------


@pytest.mark.parametrize("step", [1.0, 2.0, 5.0, 15.0, 60.0])
@pytest.mark.parametrize("range_", [60.0, 900.0, 3600.0, 21600.0, 86400.0, 7 * 86400.0])
def test_bucket_count_is_bounded_at_any_range_and_refresh(step, range_):
    width, count = bucket_width(step, range_), bucket_count(step, range_)
    assert width % step == 0, "a bucket is whole steps, so ticks line up with it"
    assert width >= step
    assert 2 <= count <= DISPLAY_POINTS + 1
    assert count * width >= range_ - 1e-6, "the buckets cover the whole range"


def test_a_day_at_one_second_is_two_hundred_buckets_not_86400_points():
    assert bucket_width(1.0, 86400.0) == 432.0
    assert bucket_count(1.0, 86400.0) == 200
    assert bucket_width(5.0, 900.0) == 5.0  # short ranges keep one point per tick


def test_a_long_run_of_ticks_stays_within_its_buckets():
    h = SeriesHistory(step=bucket_width(1.0, 86400.0), capacity=bucket_count(1.0, 86400.0))
    for t in range(3 * 86400, 3 * 86400 + 20_000):
        h.put(float(t), float(t % 7))
    assert h.held <= 200
    assert len(h.values()) == 200


def test_a_one_tick_spike_survives_a_bucket_of_many_ticks():
    h = SeriesHistory(step=10, capacity=3)
    for t in range(100, 130):
        h.put(t, 500.0 if t == 113 else 1.0)
    assert h.values() == [1.0, 500.0, 1.0]


def test_points_give_each_bucket_its_low_and_high_in_the_order_they_came():
    h = SeriesHistory(step=10, capacity=2)
    for t, v in [(100, 5.0), (103, 9.0), (106, 6.0), (110, 5.0), (113, 0.5), (116, 4.0)]:
        h.put(t, v)
    assert h.points() == [(100, 5.0), (105, 9.0), (110, 5.0), (115, 0.5)]
    assert h.latest == 4.0  # the last value put, for the legend


def test_a_gap_does_not_erase_a_bucket_that_has_a_value():
    h = SeriesHistory(step=10, capacity=2)
    h.put(100, 3.0)
    h.put(105, None)
    assert h.values() == [None, 3.0]
    h.put(110, None)  # a bucket no value reached is a gap
    assert h.values() == [3.0, None]


def test_a_spike_within_a_backfill_bucket_survives():
    h = SeriesHistory(step=10, capacity=2)
    h.backfill([100.0, 104.0, 108.0, 110.0], [1.0, 80.0, 1.0, 2.0], end=110)
    assert h.values() == [80.0, 2.0]


def test_every_change_bumps_the_version():
    p = QueryHistory(step=1, capacity=5)
    seen = {p.version}
    p.update(1, [({}, 1.0)])
    assert p.version not in seen
    seen.add(p.version)
    p.backfill([({}, [1.0, 2.0], [3.0, 4.0])], end=2)
    assert p.version not in seen
    other = QueryHistory(step=1, capacity=5)
    assert other.version not in seen, "one counter: a new history never reuses a number"


def test_the_cap_keeps_the_worst_series_of_a_panel_with_thresholds():
    # A success rate ("> 99") split by route: the failing route must keep its history
    # however many healthy routes have bigger values.
    order = series_order(make_thresholds(">99", "<95", "%"))
    p = QueryHistory(step=1, capacity=4, max_series=2, order=order)
    routes = [({"route": f"/{i}"}, [1.0], [99.9 - i * 0.01]) for i in range(5)]
    routes.append(({"route": "/failing"}, [1.0], [80.0]))
    p.backfill(routes, end=1)
    assert label_key({"route": "/failing"}) in p.series
    assert p.ranked()[0][0] == label_key({"route": "/failing"})
