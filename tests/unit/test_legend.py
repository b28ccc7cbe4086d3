"""A chart's one-line legend: as many entries as fit with the "+N" of the rest."""

from allintop.draw.legend import FIRST_MIN, legend_fit


def test_every_entry_fits_and_no_plus_n() -> None:
    assert legend_fit([10, 10, 10], 3, 30) == (3, None)


def test_an_entry_gives_way_to_the_plus_n_of_the_hidden_ones() -> None:
    # Five entries fill 50 of 51 cells and the sixth does not fit: "+1" needs two
    # cells, so the fifth entry gives way to "+2" rather than "+1" being dropped.
    assert legend_fit([10] * 6, 6, 51) == (4, None)
    assert legend_fit([10] * 6, 6, 52) == (5, None)
    # Series the legend was not given (beyond the chart's colours) are counted too.
    assert legend_fit([10] * 3, 9, 30) == (2, None)
    assert legend_fit([10] * 3, 9, 32) == (3, None)


def test_a_first_entry_too_long_is_cut_not_left_out() -> None:
    assert legend_fit([40, 10], 2, 20) == (1, 18)  # 18 cells and "+1"
    assert legend_fit([40], 1, 20) == (1, 20)
    assert legend_fit([40, 10, 10, 10], 4, 12) == (1, 10)
    # Too narrow even for a cut name: only the count.
    assert legend_fit([40, 10], 2, FIRST_MIN + 1) == (0, None)
    assert legend_fit([], 0, 20) == (0, None)


def test_shown_and_counted_always_add_up() -> None:
    for width in range(0, 60):
        for total in range(1, 9):
            sizes = [7 + 3 * k for k in range(min(total, 6))]
            shown, cut = legend_fit(sizes, total, width)
            used = (cut if cut is not None else sum(sizes[:shown])) + (
                len(f"+{total - shown}") if total > shown else 0
            )
            assert used <= width or shown == 0, (width, total, shown, cut)
            if width >= FIRST_MIN + 2:
                assert shown >= 1, (width, total)
