"""How several values share a stat's box: Grafana's auto layout in terminal cells."""

from __future__ import annotations

import pytest

from allintop.draw.stat_grid import names_shown, side_by_side, stat_grid


def test_two_values_in_a_wide_box_go_side_by_side_named() -> None:
    grid = stat_grid(2, 20, 2, value_width=3, name_width=8, names=True)
    assert (grid.columns, grid.rows, grid.shown, grid.hidden) == (2, 1, 2, 0)
    assert grid.cell_width == 9 and grid.cell_height == 2
    assert not grid.wide  # the name over its value
    assert [(c.x, c.y) for c in grid.cells()] == [(0, 0), (10, 0)]


def test_a_grid_that_cuts_no_name_is_taken_before_the_boxs_shape() -> None:
    # Side by side, "backend-api-dev" would be cut to 14 cells; stacked, each name
    # fits beside its value: Grafana would shrink the text, a terminal restacks.
    grid = stat_grid(2, 30, 8, value_width=1, name_width=15, names=True)
    assert (grid.columns, grid.rows) == (1, 2)
    assert grid.cell_width == 30
    # When no grid keeps the names whole, the box's shape decides.
    cut = stat_grid(2, 30, 8, value_width=1, name_width=40, names=True)
    assert (cut.columns, cut.rows) == (2, 1)


def test_a_cell_far_wider_than_tall_is_grafanas_wide_layout() -> None:
    # 19 x 2 cells is about 19 x 4 in pixels: over 2.5 times as wide as tall.
    grid = stat_grid(2, 40, 2, value_width=3, name_width=10, names=True)
    assert (grid.columns, grid.cell_width, grid.cell_height) == (2, 19, 2)
    assert grid.wide


def test_values_in_a_tall_box_are_stacked_one_a_line_name_beside_value() -> None:
    grid = stat_grid(3, 20, 12, value_width=4, name_width=8, names=True)
    assert (grid.columns, grid.rows) == (1, 3)
    assert grid.cell_height == 4
    assert [c.y for c in grid.cells()] == [0, 4, 8]


def test_a_one_line_cell_puts_the_name_beside_the_value() -> None:
    grid = stat_grid(4, 20, 4, value_width=4, name_width=12, names=True, orientation="horizontal")
    assert (grid.columns, grid.rows, grid.cell_height) == (1, 4, 1)
    assert grid.wide


def test_orientation_overrides_the_boxs_shape() -> None:
    wide_box = {"width": 60, "height": 6}
    stacked = stat_grid(
        3, **wide_box, value_width=2, name_width=4, names=True, orientation="horizontal"
    )
    side = stat_grid(3, **wide_box, value_width=2, name_width=4, names=True, orientation="vertical")
    assert (stacked.columns, stacked.rows) == (1, 3)
    assert (side.columns, side.rows) == (3, 1)


def test_too_many_for_one_direction_wrap_into_a_grid_before_any_is_hidden() -> None:
    # Eight values cannot sit side by side in 30 cells at 6 cells each, nor stack in 2
    # lines: four columns of two rows hold them all.
    grid = stat_grid(8, 30, 2, value_width=6, name_width=0, names=False)
    assert grid.hidden == 0
    assert grid.columns * grid.rows >= 8 and grid.rows == 2


def test_plus_n_only_for_what_cannot_fit() -> None:
    grid = stat_grid(10, 14, 2, value_width=6, name_width=5, names=True)
    # Two columns of 6 cells hold a named value each (name over value): 2 shown.
    assert grid.shown == 2 and grid.hidden == 8
    assert all(c.width >= 6 for c in grid.cells())
    everything = stat_grid(10, 100, 10, value_width=6, name_width=5, names=True)
    assert everything.hidden == 0


def test_a_value_wider_than_the_box_shows_none_and_hides_all() -> None:
    grid = stat_grid(2, 5, 3, value_width=9, name_width=3, names=True)
    assert grid.shown == 0 and grid.hidden == 2 and grid.cells() == []


def test_no_columns_left_empty() -> None:
    grid = stat_grid(3, 80, 2, value_width=3, name_width=3, names=False)
    assert grid.columns == 3 and grid.rows == 1


@pytest.mark.parametrize(
    ("count", "mode", "named"),
    [
        (1, "auto", False),
        (2, "auto", True),
        (1, "value_and_name", True),
        (3, "value", False),
        (1, "name", True),
        (3, "none", False),
    ],
)
def test_names_shown_as_grafanas_text_mode_says(count: int, mode: str, named: bool) -> None:
    assert names_shown(count, mode) is named


def test_auto_orientation_reads_the_box_in_pixels() -> None:
    # A terminal cell is about twice as tall as wide: 30x10 cells is 30x20 "pixels".
    assert side_by_side(30, 10, "auto")
    assert not side_by_side(20, 10, "auto")
    assert side_by_side(10, 10, "vertical") and not side_by_side(80, 2, "horizontal")


@pytest.mark.parametrize("count", range(0, 30))
@pytest.mark.parametrize(("width", "height"), [(10, 1), (24, 2), (40, 4), (18, 20), (200, 1)])
def test_every_cell_is_inside_the_box_and_none_overlap(count: int, width: int, height: int) -> None:
    grid = stat_grid(count, width, height, value_width=5, name_width=7, names=count > 1)
    taken: set[tuple[int, int]] = set()
    for cell in grid.cells():
        assert cell.x + cell.width <= width and cell.y + cell.height <= height
        spots = {
            (x, y)
            for x in range(cell.x, cell.x + cell.width)
            for y in range(cell.y, cell.y + cell.height)
        }
        assert not spots & taken
        taken |= spots
    assert grid.shown + grid.hidden == count


def test_a_gauges_bar_is_one_more_line_a_cell_needs() -> None:
    # Name, value and bar: three lines a cell; a box of 5 lines holds one row of them.
    grid = stat_grid(4, 80, 5, value_width=3, name_width=4, names=True, extra=1)
    assert (grid.columns, grid.rows, grid.hidden) == (4, 1, 0)
    assert not grid.wide
    # Two lines: the name beside its value, the bar under them.
    short = stat_grid(2, 40, 2, value_width=3, name_width=4, names=True, extra=1)
    assert short.wide and short.hidden == 0 and short.cell_height == 2
    # One line holds no gauge at all.
    assert stat_grid(2, 40, 1, value_width=3, name_width=4, names=True, extra=1).shown == 0
