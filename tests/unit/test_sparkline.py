from allintop.ui.sparkline import columns, render_lines


def test_columns_take_the_max_of_each_time_slice():
    assert columns([1, 5, 2, 3], 2) == [5, 3]


def test_gaps_stay_gaps():
    assert columns([None, None, 1.0, None], 4) == [None, None, 1.0, None]
    assert render_lines([None, None, 1.0, None], 4, 1)[0][0] == " "


def test_fewer_points_than_columns_stretch_over_time():
    assert columns([1.0, 2.0], 4) == [1.0, 1.0, 2.0, 2.0]


def test_min_is_lowest_bar_and_max_is_full():
    (line,) = render_lines([0.0, 10.0], 2, 1)
    assert line == "▁█"


def test_multi_line_height_fills_from_the_bottom():
    top, bottom = render_lines([0.0, 10.0], 2, 2)
    assert bottom == "▁█"
    assert top == " █"


def test_no_finite_data_is_blank():
    assert render_lines([None, None], 3, 2) == ["   ", "   "]


def test_flat_series_sits_mid_height():
    (line,) = render_lines([5.0, 5.0, 5.0], 3, 1)
    assert len(set(line)) == 1 and line[0] not in " █"
