import pytest

from allintop.ui.layout import MAX_CARD_HEIGHT, MIN_CARD_HEIGHT, MIN_CARD_WIDTH, plan

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
