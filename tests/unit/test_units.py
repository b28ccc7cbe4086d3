"""Values in their units: formatting, scaling and conversion (allintop.values.units)."""

from __future__ import annotations

import math

import pytest

from allintop.values.units import convert, display_unit, format_value, kind_of

INF = math.inf
NAN = math.nan


@pytest.mark.parametrize(
    ("value", "unit", "expected"),
    [
        # special values
        (None, "ms", ("no data", "")),
        (NAN, "ms", ("NaN", "ms")),
        (NAN, "%", ("NaN", "%")),
        (INF, "ms", ("+Inf", "ms")),
        (-INF, "req/s", ("-Inf", "req/s")),
        (INF, "bytes", ("+Inf", "B")),
        # ms: seconds from 1000 ms, more digits below 1 ms
        (180, "ms", ("180", "ms")),
        (180.4, "ms", ("180", "ms")),
        (12.34, "ms", ("12.3", "ms")),
        (999, "ms", ("999", "ms")),
        (1000, "ms", ("1.00", "s")),
        (2500, "ms", ("2.50", "s")),
        (12500, "ms", ("12.5", "s")),
        (0.5, "ms", ("0.500", "ms")),
        (0.0123, "ms", ("0.0123", "ms")),
        (0, "ms", ("0", "ms")),
        (-1500, "ms", ("-1.50", "s")),
        # s: milliseconds below 1 s
        (0.25, "s", ("250", "ms")),
        (0.0015, "s", ("1.50", "ms")),
        (1.5, "s", ("1.50", "s")),
        (0, "s", ("0", "s")),
        (-0.2, "s", ("-200", "ms")),
        # %: one decimal; a not-quite-100 never reads 100
        (99.2, "%", ("99.2", "%")),
        (99.94, "%", ("99.9", "%")),
        (99.96, "%", ("99.96", "%")),
        (99.996, "%", ("99.99", "%")),
        (99.99999, "%", ("99.99", "%")),
        (100, "%", ("100.0", "%")),
        (100.04, "%", ("100.0", "%")),
        (150, "%", ("150.0", "%")),
        (0, "%", ("0.0", "%")),
        (0.004, "%", ("0.0040", "%")),  # tiny but not zero
        (-0.5, "%", ("-0.5", "%")),
        # bytes: binary prefixes
        (512, "bytes", ("512", "B")),
        (1536, "bytes", ("1.50", "KiB")),
        (1023.9, "bytes", ("1.00", "KiB")),  # would round to 1024 B
        (12_345_678, "bytes", ("11.8", "MiB")),
        (1024**3, "bytes", ("1.00", "GiB")),
        (5 * 1024**4, "bytes", ("5.00", "TiB")),
        (-2048, "bytes", ("-2.00", "KiB")),
        # MB (the seed's MiB): GB with two decimals from 1024 MB
        (512.3, "MB", ("512", "MB")),
        (12.34, "MB", ("12.3", "MB")),
        (1023, "MB", ("1023", "MB")),
        (1024, "MB", ("1.00", "GB")),
        (1536, "MB", ("1.50", "GB")),
        (12345, "MB", ("12.06", "GB")),
        (1024 * 1024, "MB", ("1.00", "TB")),
        # byte rates: binary prefixes, as bytes; any spelling shows as B/s
        (0, "B/s", ("0", "B/s")),
        (512, "B/s", ("512", "B/s")),
        (1536, "B/s", ("1.50", "KiB/s")),
        (1.5 * 1024**2, "B/s", ("1.50", "MiB/s")),
        (3_500_000, "bytes/s", ("3.34", "MiB/s")),
        (2e9, "Bps", ("1.86", "GiB/s")),
        (42, "Bps", ("42", "B/s")),
        (NAN, "bytes/s", ("NaN", "B/s")),
        # MB/s (the seed's MB, per second): GB/s with two decimals from 1024 MB/s
        (500, "MB/s", ("500", "MB/s")),
        (1536, "MB/s", ("1.50", "GB/s")),
        (1536, "MBps", ("1.50", "GB/s")),
        # bit rates: decimal prefixes, as link speeds are quoted
        (800, "bit/s", ("800", "bit/s")),
        (12e6, "bit/s", ("12.0", "Mbit/s")),
        (12e6, "bits/s", ("12.0", "Mbit/s")),
        (999.9, "bps", ("1.00", "kbit/s")),  # would round to 1000 bit/s
        (2.5e9, "bps", ("2.50", "Gbit/s")),
        (1000, "Mbps", ("1.00", "Gbit/s")),
        # generic: req/s, unknown units, plain numbers
        (123, "req/s", ("123", "req/s")),
        (12.345, "req/s", ("12.3", "req/s")),
        (2.5, "req/s", ("2.50", "req/s")),
        (9999, "req/s", ("9999", "req/s")),
        (1234.5, "", ("1234", "")),
        (12_345, "req/s", ("12.3k", "req/s")),
        (123_456, "", ("123k", "")),
        (999_999, "", ("1.00M", "")),
        (1_234_567, "conn", ("1.23M", "conn")),
        (4.2e9, "", ("4.20G", "")),
        (9999.7, "", ("10.0k", "")),
        (42, "", ("42", "")),
        (0, "", ("0", "")),
        (-42.5, "", ("-42.5", "")),
        (-12_345, "", ("-12.3k", "")),
        (9.996, "", ("10.0", "")),
        (0.09996, "", ("0.100", "")),
        (0.0012, "", ("0.00120", "")),
        (0.00012, "", ("0.000120", "")),
    ],
)
def test_format_value(value: float | None, unit: str, expected: tuple[str, str]) -> None:
    assert format_value(value, unit) == expected


@pytest.mark.parametrize(
    ("value", "unit", "decimals", "expected"),
    [
        (2500, "ms", 1, ("2.5", "s")),
        (180.44, "ms", 2, ("180.44", "ms")),
        (42, "", 0, ("42", "")),
        (42, "", 2, ("42.00", "")),
        (12_345, "req/s", 1, ("12.3k", "req/s")),
        (99.2, "%", 2, ("99.20", "%")),
        (99.6, "%", 0, ("99", "%")),  # forced decimals still never round up to 100
        (100, "%", 0, ("100", "%")),
        (1536, "MB", 0, ("2", "GB")),
        (-0.01, "", 1, ("0.0", "")),  # no "-0.0"
    ],
)
def test_format_value_forced_decimals(
    value: float, unit: str, decimals: int, expected: tuple[str, str]
) -> None:
    assert format_value(value, unit, decimals) == expected


@pytest.mark.parametrize("value", [1e-9, 1.5e-7, -3e-6, 1e21, -1e25])
def test_format_value_extreme_magnitudes_stay_short(value: float) -> None:
    number, _ = format_value(value, "")
    assert len(number) <= 9
    assert float(number) == pytest.approx(value, rel=0.01)


@pytest.mark.parametrize(
    "value",
    [0.001, 0.0123, 0.5, 1, 9.99, 12.3, 123, 999, 1000, 4321, 9999, 12_345, 1e6, 123e6, 5e9],
)
@pytest.mark.parametrize("sign", [1, -1])
def test_generic_numbers_never_use_scientific_notation(value: float, sign: int) -> None:
    number, _ = format_value(sign * value, "req/s")
    assert "e" not in number.lower()
    assert number.startswith("-") == (sign < 0)


@pytest.mark.parametrize(
    ("value", "from_unit", "to_unit", "expected"),
    [
        (1, "GB", "MB", 1024.0),
        (1.5, "GB", "MB", 1536.0),
        (1, "GB", "bytes", 1073741824.0),
        (1, "GiB", "MiB", 1024.0),
        (512, "KB", "MB", 0.5),
        (1, "s", "ms", 1000.0),
        (50, "ms", "ms", 50.0),
        (2, "m", "s", 120.0),
        (500, "us", "ms", 0.5),
        (99, "%", "%", 99.0),
        (10, "req/s", "req/s", 10.0),
        (5, "bytes", "B", 5.0),
        # byte rates: binary, as sizes are
        (10, "MB/s", "B/s", 10 * 1024**2),
        (10, "MiB/s", "bytes/s", 10 * 1024**2),
        (1, "GB/s", "MB/s", 1024.0),
        (2048, "KB/s", "MBps", 2.0),
        (1, "Bps", "B/s", 1.0),
        # bit rates: decimal, eight bits to a byte
        (1, "Gbit/s", "bit/s", 1e9),
        (1, "Gbit/s", "Mbit/s", 1000.0),
        (100, "Mbps", "bps", 1e8),
        (1, "Gbit/s", "B/s", 125_000_000.0),
        (8, "bit/s", "bytes/s", 1.0),
        (1, "MB/s", "Mbit/s", 8 * 1024**2 / 1e6),
    ],
)
def test_convert(value: float, from_unit: str, to_unit: str, expected: float) -> None:
    assert convert(value, from_unit, to_unit) == pytest.approx(expected)


@pytest.mark.parametrize(
    ("from_unit", "to_unit"),
    [
        ("ms", "MB"),
        ("GB", "ms"),
        ("%", ""),
        ("%", "ms"),
        ("ms", ""),
        ("req/s", "ms"),
        ("x", "y"),
        # a size is not a rate, nor a rate a duration
        ("MB", "MB/s"),
        ("MB/s", "MB"),
        ("Gbit/s", "GB"),
        ("MB/s", "ms"),
        ("ms", "B/s"),
        ("MB/s", "req/s"),
        ("mb/s", "B/s"),  # units are case-sensitive: "mb" is no unit
    ],
)
def test_convert_rejects_incompatible_units(from_unit: str, to_unit: str) -> None:
    with pytest.raises(ValueError, match="cannot be converted"):
        convert(1, from_unit, to_unit)


@pytest.mark.parametrize(
    ("unit", "kind"),
    [
        ("ms", "a duration"),
        ("bytes", "a size"),
        ("GiB", "a size"),
        ("B/s", "a data rate"),
        ("Mbps", "a data rate"),
        ("bits/s", "a data rate"),
        ("req/s", None),
        ("%", None),
        ("", None),
    ],
)
def test_kind_of(unit: str, kind: str | None) -> None:
    assert kind_of(unit) == kind


@pytest.mark.parametrize(
    ("value", "unit", "shown", "factor"),
    [
        (2500, "ms", "s", 0.001),
        (180, "ms", "ms", 1.0),
        (110 * 1024**2, "bytes", "MiB", 1 / 1024**2),
        (5e6, "B/s", "MiB/s", 1 / 1024**2),
        (12e6, "bps", "Mbit/s", 1e-6),
        (1536, "MB", "GB", 1 / 1024),
        (99.5, "%", "%", 1.0),
        (12_345, "req/s", "req/s", 1.0),
        (0, "bytes", "B", 1.0),
    ],
)
def test_display_unit_is_what_format_value_shows(
    value: float, unit: str, shown: str, factor: float
) -> None:
    assert display_unit(value, unit) == (shown, pytest.approx(factor))
    assert format_value(value, unit)[1] == shown


@pytest.mark.parametrize(
    ("value", "decimals", "shown"),
    [(1e300, None, "1.00e+300"), (123_456_789.0, None, "123M"), (-25_000.0, None, "-25.0k"),
     (1e37, 2, "1.00e+37"), (12_345.0, 1, "12.3k"), (9_999.94, None, "9999.9")],
)  # fmt: skip
def test_huge_percentages_fit_a_card(value: float, decimals: int | None, shown: str) -> None:
    # Found by the property tests: 1e37 % was forty digits, 1e300 % three hundred.
    assert format_value(value, "%", decimals) == (shown, "%")


def test_huge_sizes_past_the_last_unit_fit_a_card() -> None:
    # Found by the property tests: past PB the two fixed decimals were forty digits.
    assert format_value(1.073741824e45, "MB") == ("1.00e+36", "PB")
    assert format_value(5e6, "MB") == ("4.77", "TB")  # unchanged below


@pytest.mark.parametrize(
    ("value", "unit", "shown"),
    [
        (59.0, "s", ("59", "s")),
        (3418.9, "s", ("57.0", "min")),  # an uptime, as Grafana shows it
        (90_000.0, "ms", ("1.50", "min")),
        (7200.0, "s", ("2.00", "hour")),
        (200_000.0, "s", ("2.31", "day")),
    ],
)
def test_a_minute_and_more_is_shown_in_minutes_hours_or_days(
    value: float, unit: str, shown: tuple[str, str]
) -> None:
    assert format_value(value, unit) == shown
