"""The zoom chart's value axis (allintop.draw.chart's pure functions): ticks that are
round numbers in the unit they are shown in, and a constant series drawn low."""

from __future__ import annotations

import pytest

from allintop.draw.chart import (
    FLAT_AT,
    MIN_CONTRAST,
    AxisScale,
    axis_scale,
    contrast,
    distinct_colours,
    is_flat,
    value_axis,
    value_labels,
    value_range,
    value_ticks,
)

MIB = 1024.0**2


@pytest.mark.parametrize(
    ("bottom", "top", "count", "unit", "labels"),
    [
        # bytes: in MiB, GiB, ... and round there, not 23.84186 MiB (25,000,000 bytes)
        (0, 110 * MIB, 4, "bytes", ["0 MiB", "25 MiB", "50 MiB", "75 MiB", "100 MiB"]),
        (96 * MIB, 134 * MIB, 3, "bytes", ["100 MiB", "110 MiB", "120 MiB", "130 MiB"]),
        (0, 1100 * MIB, 4, "B", ["0.00 GiB", "0.25 GiB", "0.50 GiB", "0.75 GiB", "1.00 GiB"]),
        (0, 1600, 3, "MB", ["0.0 GB", "0.5 GB", "1.0 GB", "1.5 GB"]),
        # byte and bit rates
        (0, 110 * MIB, 4, "B/s", ["0 MiB/s", "25 MiB/s", "50 MiB/s", "75 MiB/s", "100 MiB/s"]),
        (
            -300e3,
            250e3,
            4,
            "bytes/s",
            ["-200 KiB/s", "-100 KiB/s", "0 KiB/s", "100 KiB/s", "200 KiB/s"],
        ),
        (0, 13.5e6, 3, "bit/s", ["0 Mbit/s", "5 Mbit/s", "10 Mbit/s"]),
        (
            0,
            2.2e9,
            4,
            "bps",
            ["0.0 Gbit/s", "0.5 Gbit/s", "1.0 Gbit/s", "1.5 Gbit/s", "2.0 Gbit/s"],
        ),
        # durations: seconds from 1000 ms
        (83, 206, 4, "ms", ["100 ms", "125 ms", "150 ms", "175 ms", "200 ms"]),
        (0, 1600, 4, "ms", ["0.0 s", "0.5 s", "1.0 s", "1.5 s"]),
        # a unit allintop does not scale (ms of CPU per second): plain numbers
        (0, 800, 4, "ms/s", ["0 ms/s", "200 ms/s", "400 ms/s", "600 ms/s", "800 ms/s"]),
        (0, 52_000, 2, "ms/s", ["0k ms/s", "25k ms/s", "50k ms/s"]),
        # percentages: never scaled, decimals as the step needs
        (0, 100, 4, "%", ["0 %", "25 %", "50 %", "75 %", "100 %"]),
        (94.5, 100.5, 2, "%", ["95.0 %", "97.5 %", "100.0 %"]),
        # plain numbers: k, M from 10,000
        (0, 1, 4, "", ["0.00", "0.25", "0.50", "0.75", "1.00"]),
        (0, 45_000, 2, "", ["0k", "25k"]),
        (0, 5.4e6, 2, "req/s", ["0.0M req/s", "2.5M req/s", "5.0M req/s"]),
    ],
)
def test_ticks_are_round_in_the_unit_they_are_shown_in(
    bottom: float, top: float, count: int, unit: str, labels: list[str]
) -> None:
    ticks, shown = value_axis(bottom, top, count, unit)
    assert shown == labels
    assert all(bottom <= t <= top for t in ticks)
    assert ticks == sorted(ticks)


def test_ticks_are_panel_values_and_labels_name_them_in_the_display_unit() -> None:
    scale = axis_scale(0, 110 * MIB, "bytes")
    assert scale == AxisScale(1 / MIB, "", "MiB")
    ticks = value_ticks(0, 110 * MIB, 4, scale)
    assert ticks == [0, 25 * MIB, 50 * MIB, 75 * MIB, 100 * MIB]  # where plotext draws them
    assert value_labels(ticks, scale)[-1] == "100 MiB"
    # Without a scale: plain numbers, as the values are.
    assert value_ticks(0, 1000, 4) == [0, 250, 500, 750, 1000]
    assert value_labels([0, 250, 500]) == ["0", "250", "500"]


def test_the_axis_unit_follows_its_biggest_value_not_its_ticks() -> None:
    # 1023.9 B reads as "1.00 KiB": the whole axis is in KiB, though no tick reaches 1 KiB.
    assert value_axis(0, 1023.9, 4, "bytes")[1] == ["0.00 KiB", "0.25 KiB", "0.50 KiB", "0.75 KiB"]


@pytest.mark.parametrize("value", [0.0, 5.0, -2.0, 110 * MIB, 0.001])
def test_a_constant_series_is_a_low_line(value: float) -> None:
    bottom, top, drawn = value_range([value] * 10, [])
    assert drawn == []
    assert bottom < top
    height = (value - bottom) / (top - bottom)  # where the line is, 0 = the floor
    assert height == pytest.approx(0.0 if value == 0 else FLAT_AT)


def test_an_all_zero_series_lies_on_the_floor_of_a_zero_to_one_axis() -> None:
    assert value_range([0.0, 0.0, 0.0], []) == (0.0, 1.0, [])
    assert value_axis(0.0, 1.0, 4, "B/s")[1][0] == "0.00 B/s"


def test_float_noise_around_a_constant_is_still_a_low_line() -> None:
    # 0.1 + 0.2 is 0.30000000000000004: not a change worth the chart's height.
    bottom, top, _ = value_range([0.3, 0.1 + 0.2, 0.3], [])
    assert (0.3 - bottom) / (top - bottom) == pytest.approx(FLAT_AT)
    ticks, labels = value_axis(bottom, top, 4, "req/s")
    assert len(set(labels)) == len(labels)  # distinct, readable ticks
    assert all(len(label.split()[0]) <= 5 for label in labels)


def test_a_level_near_a_constant_series_is_still_drawn() -> None:
    # No errors at all against a 1 % alert level: both on the chart.
    bottom, top, drawn = value_range([0.0] * 5, [1.0])
    assert drawn == [True] and bottom == 0 and top > 1


@pytest.mark.parametrize(
    ("low", "high", "flat"),
    [(0.2, 0.20000000000000004, True), (0.0, 0.0, True), (0.2, 0.3, False), (-1.0, 1.0, False)],
)
def test_float_noise_is_a_flat_range(low: float, high: float, flat: bool):
    assert is_flat(low, high) is flat


def test_series_colours_skip_faint_and_near_duplicate_ones():
    dark = (30, 30, 30)
    # A near-black theme colour is too faint on a dark surface; a second teal too close.
    colours = distinct_colours([(20, 20, 20), (0, 160, 230), (5, 165, 235)], dark)
    assert (20, 20, 20) not in colours and (5, 165, 235) not in colours
    assert colours[0] == (0, 160, 230)
    assert all(contrast(c, dark) >= MIN_CONTRAST for c in colours)


def test_a_grafana_unit_that_is_not_scaled_counts_in_thousands() -> None:
    scale = axis_scale(0, 40_000, "reqps")
    assert (scale.suffix, scale.factor) == ("k", 0.001)
    assert axis_scale(0, 4e7, "decbytes").suffix == ""  # scaled to MB already
