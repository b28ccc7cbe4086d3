"""Histogram buckets over time as shade levels: per-bucket counts, highest on top."""

import math

from allintop.draw.heatmap import SHADES, bound, decumulate, heatmap, ordered, resample, shades


def test_buckets_are_ordered_by_their_bound_with_inf_last() -> None:
    buckets = {"+Inf": [3], "0.5": [2], "0.05": [1], "junk": [0]}
    assert [le for le, _ in ordered(buckets)] == ["0.05", "0.5", "+Inf", "junk"]
    assert bound("+Inf") == math.inf and bound("1e3") == 1000.0


def test_cumulative_counts_become_each_buckets_own() -> None:
    own = decumulate([("0.1", [1.0, 2.0]), ("0.5", [5.0, 2.0]), ("+Inf", [6.0, None])])
    assert own == [("0.1", [1.0, 2.0]), ("0.5", [4.0, 0.0]), ("+Inf", [1.0, None])]


def test_a_rare_count_still_shows_and_the_fullest_cell_is_darkest() -> None:
    assert shades([[0, 1, 100, None]]) == [[0, 1, len(SHADES) - 1, 0]]


def test_the_heatmap_puts_the_highest_bucket_on_top_and_fits_its_rows() -> None:
    buckets = {
        "0.1": [10.0] * 4,
        "0.5": [10.0] * 4,
        "1": [10.0, 10.0, 20.0, 20.0],
        "+Inf": [20.0] * 4,
    }
    labels, grid = heatmap(buckets, 4, 4)
    assert labels == ["+Inf", "1", "0.5", "0.1"]
    assert grid[3] == [4, 4, 4, 4]  # everything fell under 0.1 s at first
    assert grid[2] == [0, 0, 0, 0]
    assert grid[1][:2] == [0, 0] and grid[1][2:] == [4, 4]  # then some took up to 1 s
    two, folded = heatmap(buckets, 4, 2)
    assert two == ["+Inf", "0.5"] and len(folded) == 2
    assert heatmap({}, 4, 2) == ([], [])


def test_a_steady_rate_is_one_shade_whatever_the_width() -> None:
    # 200 points on 72 columns: slices of 2 and 3 points, each column their mean.
    assert set(resample([5.0] * 200, 72)) == {5.0}
    assert resample([1.0, 3.0, None, 4.0, None], 2) == [2.0, 4.0]
    labels, grid = heatmap({"0.1": [2.0] * 200, "+Inf": [3.0] * 200}, 72, 2)
    assert [set(row) for row in grid] == [{2}, {4}]  # +Inf's own 1 is half of 0.1's 2
