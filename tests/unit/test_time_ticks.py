"""The zoom chart's time axis (allintop.draw.chart.time_ticks): round local times, also
across a daylight saving change, where the range has two UTC offsets."""

from __future__ import annotations

import calendar
import time
from collections.abc import Iterator

import pytest

from allintop.draw.chart import time_ticks


def _local(monkeypatch: pytest.MonkeyPatch, zone: str) -> Iterator[None]:
    monkeypatch.setenv("TZ", zone)
    time.tzset()
    try:
        yield
    finally:
        monkeypatch.undo()
        time.tzset()


@pytest.fixture
def berlin(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Local time is Europe/Berlin (CET, +1; CEST, +2 from the last Sunday of March)."""
    yield from _local(monkeypatch, "Europe/Berlin")


@pytest.fixture
def lord_howe(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Local time is Australia/Lord_Howe, whose clocks move by half an hour."""
    yield from _local(monkeypatch, "Australia/Lord_Howe")


def utc(*fields: int) -> float:
    return float(calendar.timegm((*fields, 0, 0, 0)))


def test_ticks_after_clocks_go_forward_are_round_local_times(berlin: None) -> None:
    # 2026-03-29 01:00 UTC: 02:00 CET becomes 03:00 CEST.
    ticks, labels = time_ticks(utc(2026, 3, 28, 22, 0), utc(2026, 3, 29, 10, 0), 4)
    assert labels == ["00:00", "03:00", "06:00", "09:00", "12:00"]
    assert ticks[2] == utc(2026, 3, 29, 4, 0)  # 06:00 CEST
    assert ticks[1] - ticks[0] == 2 * 3600  # the hour that did not happen


def test_ticks_after_clocks_go_back_are_round_local_times(berlin: None) -> None:
    # 2026-10-25 01:00 UTC: 03:00 CEST becomes 02:00 CET.
    ticks, labels = time_ticks(utc(2026, 10, 24, 21, 0), utc(2026, 10, 25, 9, 0), 4)
    assert labels == ["00:00", "03:00", "06:00", "09:00"]
    assert ticks[1] - ticks[0] == 4 * 3600  # the hour that happened twice


def test_fine_ticks_across_the_change_stay_in_order_and_evenly_spaced(berlin: None) -> None:
    ticks, labels = time_ticks(utc(2026, 3, 29, 0, 20), utc(2026, 3, 29, 1, 40), 6)
    assert labels == ["01:30", "01:45", "03:00", "03:15", "03:30"]
    assert all(b - a == 900 for a, b in zip(ticks, ticks[1:], strict=False))


def test_ticks_are_still_clock_times_without_a_change(berlin: None) -> None:
    ticks, labels = time_ticks(utc(2026, 1, 2, 11, 0, 7), utc(2026, 1, 2, 11, 15, 7), 5)
    assert labels == ["12:05", "12:10", "12:15"]


def test_hourly_ticks_stay_on_the_hour_when_clocks_move_half_an_hour(lord_howe: None) -> None:
    # 2026-04-04 15:00 UTC: 02:00 (+11) becomes 01:30 (+10:30).
    ticks, labels = time_ticks(utc(2026, 4, 4, 12, 0), utc(2026, 4, 4, 20, 0), 8)
    assert labels == ["23:00", "00:00", "01:00", "02:00", "03:00", "04:00", "05:00", "06:00"]
    assert ticks[3] == utc(2026, 4, 4, 15, 30)
