"""The braille chart: several series as lines of dots, each cell owned by a series."""

from allintop.draw.braille import LEVEL, plot, resample


def _text(rows) -> list[str]:
    return ["".join(cell.char for cell in row) for row in rows]


def test_a_rising_series_climbs_from_the_bottom_left_to_the_top_right() -> None:
    rows = plot([list(range(100))], 10, 3, 0, 99)
    text = _text(rows)
    assert len(text) == 3 and all(len(line) == 10 for line in text)
    assert text[2][0] != " " and text[0][0] == " "  # starts low
    assert text[0][-1] != " " and text[2][-1] == " "  # ends high
    # A line has no holes: every column has a dot somewhere.
    assert all(any(line[col] != " " for line in text) for col in range(10))


def test_each_cell_names_the_series_that_drew_it_the_first_winning_where_they_meet() -> None:
    flat_low, flat_high = [0.0] * 20, [10.0] * 20
    rows = plot([flat_high, flat_low], 5, 2, 0, 10)
    assert {cell.owner for cell in rows[0]} == {0}
    assert {cell.owner for cell in rows[1]} == {1}
    same = plot([[5.0] * 20, [5.0] * 20], 5, 2, 0, 10)
    assert {cell.owner for row in same for cell in row if cell.char != " "} == {0}


def test_gaps_stay_open_and_an_empty_series_draws_nothing() -> None:
    rows = plot([[1.0] * 10 + [None] * 10 + [1.0] * 10], 15, 1, 0, 2)
    line = _text(rows)[0]
    assert line[0] != " " and line[-1] != " " and " " in line[5:10]
    assert _text(plot([[None] * 10], 4, 2, 0, 1)) == ["    ", "    "]
    assert plot([[1.0]], 0, 2, 0, 1) == []


def test_levels_are_dotted_lines_under_the_series() -> None:
    rows = plot([[0.0] * 10], 6, 2, 0, 10, levels=[10.0, 99.0])
    top = rows[0]
    assert all(cell.owner == LEVEL for cell in top)
    assert all(cell.owner == 0 for cell in rows[1])  # the level off the chart is not drawn


def test_resampling_keeps_the_spike_of_each_slice() -> None:
    assert resample([1, 9, 1, 1], 2) == [9, 1]
    assert resample([None, None, 3, None], 2) == [None, 3]
    assert resample([1, 2], 4) == [1, 1, 2, 2]
