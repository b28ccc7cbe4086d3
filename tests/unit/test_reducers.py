"""Grafana's reducers and the singlestat's valueName (allintop.values.reducers)."""

from __future__ import annotations

import math

import pytest

from allintop.values.reducers import DEFAULT, is_known, normalise, reduce

NAN = math.nan
SERIES = [None, 4.0, NAN, 2.0, 8.0, 8.0, 6.0, None]
COUNTER = [10.0, 15.0, 3.0, 7.0]  # reset after 15


@pytest.mark.parametrize(
    ("name", "expected"),
    [("lastNotNull", 6.0), ("last", None), ("firstNotNull", 4.0), ("first", None),
     ("mean", 5.6), ("max", 8.0), ("min", 2.0), ("sum", 28.0), ("count", 5.0),
     ("range", 6.0), ("diff", 2.0), ("diffperc", 50.0), ("median", 6.0),
     ("changeCount", 3.0), ("distinctCount", 4.0), ("allIsNull", 0.0), ("allIsZero", 0.0),
     ("logmin", 2.0), ("variance", 5.44), ("stdDev", math.sqrt(5.44)), ("p50", 6.0),
     ("p90", 8.0), ("p25", 4.0)],
)  # fmt: skip
def test_reducers(name: str, expected: float | None) -> None:
    assert reduce(SERIES, name) == pytest.approx(expected)


def test_delta_counts_a_counter_reset_from_zero() -> None:
    assert reduce(COUNTER, "delta") == 5.0 + 3.0 + 4.0
    assert reduce(COUNTER, "diff") == -3.0


@pytest.mark.parametrize("name", ["lastNotNull", "mean", "max", "sum", "delta", "p95", "median"])
def test_nothing_to_reduce_is_none(name: str) -> None:
    assert reduce([], name) is None
    assert reduce([None, NAN], name) is None


def test_gaps_themselves() -> None:
    assert reduce([None, NAN], "allIsNull") == 1.0
    assert reduce([None, NAN], "count") == 0.0
    assert reduce([1.0, None], "last") is None
    assert reduce([], "last") is None


@pytest.mark.parametrize(
    ("valuename", "calc"),
    [("current", "lastNotNull"), ("avg", "mean"), ("total", "sum"), ("first", "firstNotNull"),
     ("max", "max"), ("min", "min"), ("delta", "delta"), ("diff", "diff"), ("range", "range"),
     ("last_time", "lastNotNull"), ("name", "lastNotNull"), ("bogus", DEFAULT)],
)  # fmt: skip
def test_singlestat_value_names(valuename: str, calc: str) -> None:
    assert normalise(valuename, legacy=True) == calc


@pytest.mark.parametrize(
    ("name", "calc", "known"),
    [("lastNotNull", "lastNotNull", True), ("first", "first", True), ("p95", "p95", True),
     ("mean", "mean", True), ("p100", DEFAULT, False), ("bogus", DEFAULT, False),
     ("allValues", "allValues", False), ("avg", "mean", True)],
)  # fmt: skip
def test_stat_calcs(name: str, calc: str, known: bool) -> None:
    assert normalise(name) == calc
    assert is_known(name) == known


def test_unknown_reduces_as_last_not_null() -> None:
    assert reduce(SERIES, "bogus") == 6.0
    assert reduce(SERIES, "allValues") == 6.0
