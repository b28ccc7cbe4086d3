"""Grafana's unit ids as format_value shows them (values.unit_ids, values.units)."""

from __future__ import annotations

import math

import pytest

from allintop.values.thresholds import parse_threshold
from allintop.values.unit_ids import UNIT_IDS
from allintop.values.units import convert, display_unit, format_value, is_known, unit_text


@pytest.mark.parametrize(
    ("value", "unit", "expected"),
    [
        # percent and percentunit (0..1 shown as %)
        (95.3, "percent", ("95.3", "%")),
        (0.953, "percentunit", ("95.3", "%")),
        (0.99996, "percentunit", ("99.99", "%")),  # never rounds up to 100
        (1, "percentunit", ("100.0", "%")),
        # data: bytes IEC (allintop's own), decbytes / decbits metric, bits IEC
        (1536, "bytes", ("1.50", "KiB")),
        (1.5e6, "decbytes", ("1.50", "MB")),
        (999, "decbytes", ("999", "B")),
        (1536, "kbytes", ("1.50", "MiB")),
        (512, "mbytes", ("512", "MiB")),
        (2.5, "decgbytes", ("2.50", "GB")),
        (2048, "bits", ("2.00", "Kib")),
        (1.2e9, "decbits", ("1.20", "Gb")),
        # data rates
        (2e9, "Bps", ("1.86", "GiB/s")),  # allintop's own B/s: binary, labelled so
        (12e6, "bps", ("12.0", "Mbit/s")),
        (3e5, "binBps", ("293", "KiB/s")),
        (1500, "KBs", ("1.50", "MB/s")),
        (100, "Mbits", ("100", "Mbit/s")),
        (1500, "pps", ("1.50", "kpps")),
        # time: allintop's ms and s, Grafana's µs, ns, m, h, d moving up
        (2500, "ms", ("2.50", "s")),
        (0.25, "s", ("250", "ms")),
        (1500, "µs", ("1.50", "ms")),
        (250, "µs", ("250", "µs")),
        (2.5e6, "ns", ("2.50", "ms")),
        (90, "m", ("1.50", "hour")),
        (36, "h", ("1.50", "day")),
        (3, "d", ("3", "day")),
        # Near the float limit: scaled by the ratio of rungs, not through seconds.
        (2.9961552247705265e306, "m", ("5.70e+300", "year")),
        (250, "timeticks", ("2.50", "s")),
        # human durations and clocks
        (93784, "dtdurations", ("1 day 02:03:04", "")),
        (2 * 86400 + 3 * 3600 + 4 * 60 + 5, "dtdurations", ("2 days 03:04:05", "")),
        (3725, "dtdurations", ("01:02:05", "")),
        (42, "dtdurations", ("42 s", "")),
        (0.25, "dtdurations", ("250 ms", "")),
        (93_784_000, "dtdurationms", ("1 day 02:03:04", "")),
        (-90, "dtdurations", ("-00:01:30", "")),
        (93784, "dthms", ("26:03:04", "")),
        (93784, "dtdhms", ("1 d 02:03:04", "")),
        # counts per second: the number in allintop's style, Grafana's meaning
        (12, "reqps", ("12", "req/s")),
        (12_345, "ops", ("12.3k", "ops/s")),
        (250, "iops", ("250", "io/s")),
        (2.4e9, "hertz", ("2.40", "GHz")),
        # misc
        (21.5, "celsius", ("21.5", "°C")),
        (12_345, "short", ("12.3k", "")),
        (42, "none", ("42", "")),
        (1, "bool_yes_no", ("Yes", "")),
        (0, "bool_yes_no", ("No", "")),
        (1, "bool_on_off", ("On", "")),
        (0, "bool", ("False", "")),
        (12.5, "currencyUSD", ("$12.5", "")),
        (-12.5, "currencyEUR", ("-€12.5", "")),
        (255, "hex0x", ("0xFF", "")),
        (0.5, "mwatt", ("0.500", "mW")),
        (1500, "watt", ("1.50", "kW")),
        # Grafana's custom units
        (5, "suffix:req", ("5", "req")),
        (1500, "si:B", ("1.50", "kB")),
        (12.5, "prefix:£", ("£12.5", "")),
        # an id allintop does not know: the number, then the id
        (5, "furlongs", ("5", "furlongs")),
    ],
)
def test_grafana_unit_ids(value: float, unit: str, expected: tuple[str, str]) -> None:
    assert format_value(value, unit) == expected


@pytest.mark.parametrize(
    ("value", "unit", "expected"),
    [(1714564865, "dateTimeAsIso", "2024-05-01 12:01:05"),  # epoch seconds
     (1714564865000, "dateTimeAsIso", "2024-05-01 12:01:05"),  # epoch milliseconds
     (1714564865, "dateTimeFromNow", "2024-05-01 12:01:05")],
)  # fmt: skip
@pytest.mark.usefixtures("utc")
def test_dates(value: float, unit: str, expected: str) -> None:
    assert format_value(value, unit) == (expected, "")


@pytest.mark.parametrize(
    ("value", "unit", "decimals", "expected"),
    [(0.953, "percentunit", 2, ("95.30", "%")),
     (1.5e6, "decbytes", 0, ("2", "MB")),
     (21.456, "celsius", 1, ("21.5", "°C")),
     (12_345, "short", 1, ("12.3k", ""))],
)  # fmt: skip
def test_grafana_ids_with_decimals(
    value: float, unit: str, decimals: int, expected: tuple[str, str]
) -> None:
    assert format_value(value, unit, decimals) == expected


@pytest.mark.parametrize(
    ("unit", "text"),
    [("percentunit", "%"), ("decbytes", "B"), ("kbytes", "KiB"), ("celsius", "°C"),
     ("bool_yes_no", ""), ("ms", "ms"), ("bytes", "B"), ("conn", "conn")],
)  # fmt: skip
def test_no_value_keeps_the_unit_text(unit: str, text: str) -> None:
    assert unit_text(unit) == text
    assert format_value(math.nan, unit) == ("NaN", text)
    assert format_value(None, unit) == ("no data", "")


@pytest.mark.parametrize(
    ("value", "unit", "shown", "factor"),
    [(0.5, "percentunit", "%", 100.0), (1.5e6, "decbytes", "MB", 1e-6),
     (90, "m", "hour", 1 / 60), (21.5, "celsius", "°C", 1.0), (3600, "dtdurations", "s", 1.0)],
)  # fmt: skip
def test_display_unit_of_grafana_ids(value: float, unit: str, shown: str, factor: float) -> None:
    assert display_unit(value, unit) == (shown, pytest.approx(factor))


@pytest.mark.parametrize(
    ("text", "unit", "value"),
    [("<80%", "percentunit", 0.8), ("<0.8", "percentunit", 0.8), (">=90", "percent", 90.0),
     ("<1GB", "decbytes", 1024**3), ("<1KiB", "kbytes", 1.0), ("<2s", "dtdurationms", 2000.0),
     ("<1h", "dtdurations", 3600.0), ("<10MB/s", "MBs", 10 * 1024**2 / 1e6), ("<5", "celsius", 5.0),
     ("<5", "furlongs", 5.0), ("<1ms", "µs", 1000.0)],
)  # fmt: skip
def test_thresholds_on_grafana_ids(text: str, unit: str, value: float) -> None:
    # A suffix-less threshold always works; a suffix converts where it means the same kind.
    assert parse_threshold(text, unit).value == pytest.approx(value)


def test_every_table_id_formats() -> None:
    for unit in UNIT_IDS:
        assert is_known(unit)
        for value in (0.0, 0.5, 1.0, 1234.5, -7.0, 1e12):
            number, shown = format_value(value, unit)
            assert number and "e+" not in number or unit == "sci", (unit, value, number)
            assert isinstance(shown, str)
    assert convert(1, "percent", "percentunit") == 0.01
    assert not is_known("furlongs")
