import pytest

from allintop.draw.sparkline import columns, is_flat, render_lines


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


@pytest.mark.parametrize("value", [5.0, 0.0, -3.0, 123_456_789.0])
@pytest.mark.parametrize("height", [1, 2, 4])
def test_a_constant_series_is_a_flat_low_line(value: float, height: int):
    lines = render_lines([value] * 5, 5, height)
    assert lines[-1] == "▁▁▁▁▁"
    assert all(line == "     " for line in lines[:-1])


def test_float_noise_in_a_constant_rate_is_not_bars():
    # 0.1 + 0.2 != 0.3: a constant rate often comes back off by a last digit.
    noisy = [0.3, 0.1 + 0.2, 0.3, 0.30000000000000004, None, 0.3]
    (line,) = render_lines(noisy, 6, 1)
    assert line == "▁▁▁▁ ▁"
    assert render_lines([1e9, 1e9 + 0.5], 2, 1) == ["▁▁"]


def test_a_small_real_change_still_uses_the_height():
    # 350 MiB, then 4 KiB more: small, but a change, not rounding.
    (line,) = render_lines([350 * 2**20, 350 * 2**20 + 4096], 2, 1)
    assert line == "▁█"


@pytest.mark.parametrize(
    ("low", "high", "flat"),
    [(0.0, 0.0, True), (5.0, 5.0, True), (0.3, 0.1 + 0.2, True), (0.0, 1e-300, False)],
)
def test_is_flat(low: float, high: float, flat: bool):
    assert is_flat(low, high) is flat
