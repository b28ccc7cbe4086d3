"""Gauge and bar gauge cells: a value's share of min..max in eighth blocks."""

import math

from allintop.draw.bars import BAR_MIN, NAME_MIN, bar, bounds, fraction, marks, widths


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


def test_a_line_gives_the_number_its_cells_first_then_the_bar_then_the_name() -> None:
    # Room for all: the bar takes what the name and the number leave.
    assert widths(40, 9, 10) == (9, 21, 10)
    # The bar shrinks first, down to BAR_MIN cells, the number never cut.
    assert widths(19, 6, 10) == (5, BAR_MIN, 10)
    assert widths(19, 0, 7) == (0, 12, 7)
    # Then the name, down to NAME_MIN cells; then the bar, to one cell.
    assert widths(15, 6, 10) == (NAME_MIN, 2, 10)
    assert widths(14, 6, 10) == (NAME_MIN, 1, 10)
    assert widths(12, 6, 10) == (1, 1, 10)
    assert widths(11, 6, 10) == (0, 1, 10)
    # Only a line narrower than the number and one cell of bar cuts the number.
    assert widths(8, 6, 10) == (0, 1, 7)
    assert widths(0, 6, 10) == (0, 0, 0)
    for width in range(30):
        for name in range(12):
            parts = widths(width, name, 10)
            assert sum(parts) == width and min(parts) >= 0, (width, name, parts)
            assert parts[2] == 10 or parts[1] <= 1, "the number cut while the bar had room"
