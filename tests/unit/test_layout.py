import pytest

from allintop.dashboard.model import Panel
from allintop.ui.layout import (
    MAX_CARD_HEIGHT,
    MIN_CARD_HEIGHT,
    MIN_CARD_WIDTH,
    MIN_PANEL_HEIGHT,
    MIN_PANEL_WIDTH,
    Box,
    cards,
    extent,
    nearest,
    panel_lines,
    place,
    plan,
    shown,
    stack,
)

SEED_ROWS = [6, 4, 3]


def test_80x24_fits_four_columns_of_four_line_cards():
    # 80x24 minus header and footer: 22 lines for 3 titles and 4 lines of cards.
    result = plan(80, 22, SEED_ROWS)
    assert result.columns == 4
    assert result.card_height == MIN_CARD_HEIGHT
    assert 3 + 4 * result.card_height <= 22


def test_large_terminal_puts_each_row_on_one_line_with_taller_charts():
    result = plan(200, 58, SEED_ROWS)
    assert result.columns == 6
    # 58 lines - 3 row titles = 55 for 3 lines of cards.
    assert result.card_height == 18
    assert result.sparkline_height == 15


def test_card_height_is_capped_so_few_panels_do_not_become_walls():
    assert plan(200, 100, [2]).card_height == MAX_CARD_HEIGHT


@pytest.mark.parametrize("width", [5, 19, 20, 39, 1000])
def test_columns_never_exceed_the_widest_row_or_shrink_cards_below_minimum(width):
    result = plan(width, 40, SEED_ROWS)
    assert 1 <= result.columns <= 6
    if result.columns > 1:
        assert width // result.columns >= MIN_CARD_WIDTH


def test_tiny_terminal_keeps_readable_cards_and_scrolls():
    assert plan(40, 5, SEED_ROWS).card_height == MIN_CARD_HEIGHT


# -- Grafana's grid ------------------------------------------------------------------


def _stat(width: int, height: int = 4) -> Panel:
    return Panel("stat", width=width, height=height)


def _chart(width: int, height: int = 8) -> Panel:
    return Panel("chart", kind="timeseries", width=width, height=height)


def _lines(boxes) -> list[list[int]]:
    """Each line's widths, top to bottom."""
    rows: dict[int, list[int]] = {}
    for box in boxes:
        rows.setdefault(box.y, []).append(box.width)
    return [rows[y] for y in sorted(rows)]


def test_a_full_grid_line_fills_the_width_in_grafanas_proportions():
    boxes = place([_chart(12), _chart(6), _chart(6)], 200, 57)
    assert _lines(boxes) == [[100, 50, 50]]
    assert [b.x for b in boxes] == [0, 100, 150]


def test_grid_lines_flow_in_order_and_a_short_line_keeps_its_gap():
    boxes = place([_chart(12), _chart(12), _chart(12)], 120, 40)
    assert _lines(boxes) == [[60, 60], [60]]
    assert boxes[2].x == 0 and boxes[2].y == boxes[0].bottom


def test_at_80_columns_narrow_tiles_wrap_rather_than_become_unreadable():
    # Six stats of 4/24: 13 columns each would cut their values; 3 and 3 instead.
    boxes = place([_stat(4)] * 6, 80, 21)
    assert all(b.width >= MIN_PANEL_WIDTH for b in boxes)
    assert _lines(boxes) == [[27, 26, 27], [27, 26, 27]]


def test_a_line_that_almost_fits_squeezes_its_wide_tiles_instead_of_wrapping():
    boxes = place([_stat(4), _chart(20)], 80, 21)
    assert _lines(boxes) == [[20, 60]]


def test_a_large_terminal_keeps_grafanas_line_of_small_tiles():
    # node-exporter-full's quick row: six 3/24 gauges and three 2/24 stats.
    tiles = [Panel("g", kind="gauge", width=3, height=4)] * 6 + [_stat(2, 2)] * 3
    boxes = place(tiles, 200, 57)
    assert len(_lines(boxes)) == 1
    assert all(b.width >= MIN_PANEL_WIDTH for b in boxes)
    assert boxes[-1].x + boxes[-1].width == 200


@pytest.mark.parametrize("width", [10, 20, 41, 80, 100, 133, 200, 317])
def test_tiles_never_overlap_never_leave_the_width_and_are_readable(width):
    tiles = [_stat(2), _stat(3), _chart(7), _chart(12), _stat(4), _chart(24), _chart(1)]
    boxes = place(tiles, width, 30)
    for box in boxes:
        assert box.x >= 0 and box.x + box.width <= width
        assert box.width >= min(MIN_PANEL_WIDTH, width)
    for i, a in enumerate(boxes):
        for b in boxes[i + 1 :]:
            overlap_x = a.x < b.x + b.width and b.x < a.x + a.width
            assert not (overlap_x and a.overlaps(b.y, b.bottom)), (a, b)


def test_a_grid_row_of_height_is_a_line_at_any_terminal_height():
    chart = _chart(24, 10)
    assert panel_lines(chart, 21) == panel_lines(chart, 57) == 10
    assert panel_lines(_stat(4, 2), 21) == MIN_PANEL_HEIGHT  # a title and a value at least
    assert panel_lines(_chart(24, 60), 21) == 21  # never taller than the screen
    assert panel_lines(Panel("t", kind="timeseries", width=24), 40) > panel_lines(
        Panel("s", width=24), 40
    )  # no height given: the kind's own


def test_a_line_is_as_tall_as_its_tallest_tile():
    boxes = place([_chart(12, 10), _stat(12, 4), _chart(24)], 100, 28)
    assert boxes[2].y == max(boxes[0].height, boxes[1].height)
    assert extent(boxes) == boxes[2].bottom


def test_rows_stack_titles_and_bodies_and_a_collapsed_row_is_its_title():
    body = (Box(0, 0, 40, 5), Box(40, 0, 40, 5), Box(0, 5, 40, 6))
    page = stack([body, None, body])
    assert page.titles == (0, 12, 13)
    assert page.panels[1] == ()
    assert page.panels[2][0] == Box(0, 14, 40, 5)
    assert page.height == 13 + 1 + 11


def test_what_is_shown_is_what_overlaps_the_window_of_expanded_rows():
    body = (Box(0, 0, 40, 5), Box(0, 5, 40, 5), Box(0, 10, 40, 5))
    page = stack([body, None, body])
    panels = [[[0], [1], [2, 3]], [[4]], [[5], [6], [7]]]
    assert shown(page, panels, 0, 7) == {0, 1}
    assert shown(page, panels, 11, 20) == {2, 3, 5}  # the collapsed row's 4: never
    assert shown(page, panels, 0, 1000) == {0, 1, 2, 3, 5, 6, 7}


def test_card_boxes_match_the_card_grid():
    boxes = cards(6, 4, 5, 80)
    assert [(b.x, b.y, b.width) for b in boxes[:5]] == [
        (0, 0, 20),
        (20, 0, 20),
        (40, 0, 20),
        (60, 0, 20),
        (0, 5, 20),
    ]
    assert cards(2, 4, 5, 80)[1] == Box(40, 0, 40, 5)  # a short row spreads out


def test_arrows_move_along_a_line_and_to_the_nearest_column_of_the_next():
    boxes = [Box(0, 0, 40, 5), Box(40, 0, 40, 5), Box(0, 5, 27, 5), Box(27, 5, 26, 5)]
    assert nearest(boxes, boxes[0], 1, 0) == 1
    assert nearest(boxes, boxes[1], 1, 0) is None
    assert nearest(boxes, boxes[1], 0, 1) == 3  # below, nearest column
    assert nearest(boxes, boxes[3], 0, -1) == 0
    assert nearest(boxes, boxes[2], 1, 0) == 3


def test_down_from_a_tall_tile_goes_under_it_not_to_one_stacked_beside_it():
    """Grafana's grid: a tall tile at the left, small ones stacked at the far right,
    a wide one under them all. Down goes under the tall tile, Up comes back to it."""
    tall, right_top, right_low = Box(0, 0, 50, 8), Box(150, 0, 50, 4), Box(150, 4, 50, 4)
    wide, title = Box(0, 8, 100, 6), Box(0, 14, 0, 1)
    boxes = [tall, right_top, right_low, wide, title]
    assert nearest(boxes, tall, 0, 1) == 3
    assert nearest(boxes, wide, 0, -1) == 0
    assert nearest(boxes, right_top, 0, 1) == 2  # stacked: the one under it
    assert nearest(boxes, right_low, 0, 1) == 4  # nothing under it: the row title
    assert nearest(boxes, wide, 0, 1) == 4  # the next row's title
    assert nearest(boxes, title, 0, -1) == 3
    # Not past a row title: Up from the first tile of a row goes to its title.
    below = [title, Box(0, 15, 50, 5), tall]
    assert nearest(below, below[1], 0, -1) == 0


def test_up_and_down_pick_the_tile_whose_middle_is_nearest():
    wide, narrow, below = Box(0, 0, 60, 5), Box(60, 0, 20, 5), Box(35, 5, 20, 5)
    assert nearest([wide, narrow, below], below, 0, -1) == 0  # under it, though it starts at 0
