"""Gauge and bar gauge cells: a value's share of min..max in eighth blocks."""

import math

from allintop.draw.bars import bar, bounds, fraction, marks


def test_a_bar_fills_its_share_of_the_width_in_eighths() -> None:
    assert bar(50, 0, 100, 10) == "█████     "
    assert bar(100, 0, 100, 4) == "████"
    assert bar(33, 0, 100, 10) == "███▎      "  # 26.4 eighths: 3 cells and 2/8
    assert bar(0, 0, 100, 3) == "   "


def test_values_outside_the_span_and_odd_numbers_are_clamped_not_drawn_outside() -> None:
    assert bar(250, 0, 100, 5) == "█████"
    assert bar(-5, 0, 100, 5) == "     "
    assert bar(None, 0, 100, 5) == "     "
    assert bar(math.nan, 0, 100, 5) == "     "
    assert fraction(math.inf, 0, 1) == 1.0
    assert bar(1, 0, 1, 0) == ""


def test_bounds_take_the_tiles_min_and_max_else_zero_and_the_biggest_value() -> None:
    assert bounds([3, 7, None], 0, 100) == (0, 100)
    assert bounds([3, 7, None]) == (0.0, 7)
    assert bounds([-4, 2]) == (-4, 2)
    assert bounds([], None, None) == (0.0, 1.0)  # never an empty span
    assert bounds([5, 5], 5, None) == (5, 10)


def test_threshold_marks_fall_in_their_cell_and_those_off_the_bar_are_dropped() -> None:
    assert marks([50, 90, 150], 0, 100, 10) == [5, 9]
    assert marks([100], 0, 100, 10) == [9]
