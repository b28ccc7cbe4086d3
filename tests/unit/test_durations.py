"""Durations as people read and write them (allintop.values.durations)."""

from __future__ import annotations

import math

import pytest

from allintop.values.durations import format_duration, format_left, format_since, parse_duration

INF = math.inf
NAN = math.nan


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        ("5s", 5.0),
        ("15m", 900.0),
        ("1h", 3600.0),
        ("1h30m", 5400.0),
        ("500ms", 0.5),
        ("2d", 172800.0),
        ("1w", 604800.0),
        ("1y", 365 * 86400.0),
        ("1d2h3m4s5ms", 86400 + 7200 + 180 + 4 + 0.005),
        ("30", 30.0),  # a bare number is seconds
        ("0.5", 0.5),
        ("1.5h", 5400.0),
        ("0s", 0.0),
        ("0", 0.0),
        ("  15m  ", 900.0),
    ],
)
def test_parse_duration(text: str, seconds: float) -> None:
    assert parse_duration(text) == pytest.approx(seconds)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "empty duration"),
        ("   ", "empty duration"),
        ("-5s", "negative"),
        ("-5", "negative"),
        ("5 minutes", "not a duration"),
        ("1h 30m", "not a duration"),
        ("abc", "not a duration"),
        ("m", "not a duration"),
        ("5mm", "not a duration"),
        ("5S", "not a duration"),
        ("5x", "not a duration"),
        ("30m1h", "largest to smallest"),
        ("5m5m", "largest to smallest"),
    ],
)
def test_parse_duration_rejects(text: str, message: str) -> None:
    with pytest.raises(ValueError, match=message) as caught:
        parse_duration(text)
    assert (
        "5s" in str(caught.value)
        or "1h30m" in str(caught.value)
        or "0 or more" in str(caught.value)
    )


@pytest.mark.parametrize(
    ("seconds", "text"),
    [
        (0, "0s"),
        (5, "5s"),
        (900, "15m"),
        (5400, "1h30m"),
        (0.5, "500ms"),
        (1.5, "1s500ms"),
        (86400, "24h"),  # as the README's range keys say, not "1d"
        (129600, "36h"),
        (172800, "2d"),
        (176461, "2d1h1m1s"),
        (14 * 86400, "14d"),
    ],
)
def test_format_duration(seconds: float, text: str) -> None:
    assert format_duration(seconds) == text
    assert parse_duration(text) == pytest.approx(seconds)  # round-trips


@pytest.mark.parametrize("text", ["5s", "15m", "1h30m", "500ms", "24h", "2d", "3d2h3m4s5ms"])
def test_duration_round_trip(text: str) -> None:
    assert format_duration(parse_duration(text)) == text


@pytest.mark.parametrize("seconds", [-1, INF, NAN])
def test_format_duration_rejects(seconds: float) -> None:
    with pytest.raises(ValueError):
        format_duration(seconds)


@pytest.mark.parametrize(
    ("seconds", "text"),
    [
        (0, "0s"),
        (12, "12s"),
        (12.9, "12s"),  # truncated: not yet 13 s
        (59.9, "59s"),
        (60, "1m"),
        (185, "3m"),
        (3599, "59m"),
        (3600, "1h"),
        (7500, "2h5m"),
        (86399, "23h59m"),
        (86400, "1d"),
        (90000, "1d1h"),
        (-3, "0s"),  # clock skew
        (NAN, "?"),
    ],
)
def test_format_since(seconds: float, text: str) -> None:
    assert format_since(seconds) == text


@pytest.mark.parametrize(
    ("seconds", "text"),
    [
        (7199.6, "2h"),  # a 2h silence made a moment ago
        (7140.5, "2h"),  # rounded up to the minute shown
        (7139, "1h59m"),
        (59.2, "1m"),  # a part of a second still to wait is a second
        (12.1, "13s"),
        (86399.5, "1d"),
        (90000 - 1, "1d1h"),
        (0, "0s"),
        (-3, "0s"),
        (NAN, "?"),
    ],
)
def test_format_left_rounds_up_to_the_unit_shown(seconds: float, text: str) -> None:
    assert format_left(seconds) == text
