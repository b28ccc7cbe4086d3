"""The key-latency run aims each press inside a tick and checks afterwards that it
landed there (bench/keylatency.py)."""

from __future__ import annotations

import pytest

from bench.keylatency import FRACTIONS, Tick, app_ticks, classify, in_flight, next_send

STEP = 1.0


def _ticks(began: list[float], wall: float = 0.1) -> list[Tick]:
    return [Tick(b, b + wall) for b in began]


def test_the_tick_log_gives_each_polls_start_and_end_backfills_left_out() -> None:
    entries = [
        {"end": 100.1, "tick_s": 0.1, "backfill": False},
        {"end": 100.5, "tick_s": 0.5, "backfill": True},
        {"end": 101.08, "tick_s": 0.08},
    ]
    assert app_ticks(entries) == [Tick(100.0, 100.1), Tick(101.0, 101.08)]


def test_a_press_is_aimed_inside_the_next_tick_at_each_fraction_in_turn() -> None:
    ticks = _ticks([100.01, 101.01, 102.01])  # begin 10 ms after the grid, 100 ms long
    for press, fraction in enumerate(FRACTIONS):
        at = next_send(ticks, STEP, now=102.5, press=press)
        assert at is not None
        assert at - 103.01 == pytest.approx(fraction * 0.1, abs=1e-6)
        # The next tick, begun on its grid time like the others, holds it.
        assert in_flight(at, [Tick(103.01, 103.11)])


def test_a_poll_that_begins_just_before_the_grid_time_is_aimed_at_too() -> None:
    ticks = _ticks([99.995, 100.995, 101.995])
    at = next_send(ticks, STEP, now=102.5, press=0)
    assert at is not None and 102.995 < at < 103.095


def test_a_press_never_aimed_in_the_past() -> None:
    ticks = _ticks([100.0, 101.0])
    at = next_send(ticks, STEP, now=101.999, press=len(FRACTIONS) - 1)
    assert at is not None and at > 101.999


def test_without_ticks_there_is_nothing_to_aim_at() -> None:
    assert next_send([], STEP, now=5.0, press=0) is None


def test_figures_are_given_for_all_presses_and_for_those_that_landed_in_a_tick() -> None:
    presses = {"sent_at": [100.05, 100.5, 101.02], "latency_ms": [40.0, 10.0, None]}
    classify(presses, _ticks([100.0, 101.0]))
    assert presses["in_flight"] == [True, False, True]
    assert presses["in_flight_count"] == 2 and presses["timeouts"] == 1
    assert presses["in_flight_ms_median"] == 40.0
    assert presses["all_ms_median"] is not None
