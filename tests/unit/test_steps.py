"""Grafana's colour steps as a target and an alert level (allintop.values.thresholds.from_steps)."""

from __future__ import annotations

import pytest

from allintop.values.thresholds import Status, Step, from_steps, make_thresholds, status_of, tone_of


def _texts(steps: list[Step], *args: object) -> tuple[str | None, str | None]:
    thresholds, _ = from_steps(steps, *args)  # type: ignore[arg-type]
    assert thresholds is not None
    target, alert = thresholds.target, thresholds.alert
    return (target and target.text, alert and alert.text)


@pytest.mark.parametrize(
    ("steps", "expected"),
    [
        # rising: ok, then warning, then critical
        ([("green", None), ("orange", 80), ("red", 90)], ("<80", ">=90")),
        ([("green", None), ("red", 80)], ("<80", ">=80")),
        ([("green", None), ("yellow", 80)], ("<80", None)),
        ([("semi-dark-green", None), ("dark-orange", 0.5), ("dark-red", 0.75)], ("<0.5", ">=0.75")),
        # falling: critical, then warning, then ok
        ([("red", None), ("yellow", 50), ("green", 80)], (">=80", "<50")),
        ([("red", None), ("green", 1)], (">=1", "<1")),
        # neutral colours read as ok
        ([("blue", None), ("orange", 80), ("red", 90)], ("<80", ">=90")),
        ([("text", None), ("red", 0.9)], ("<0.9", ">=0.9")),
        # steps out of order, and repeated colours
        ([("red", 90), ("green", None), ("orange", 80)], ("<80", ">=90")),
        ([("green", None), ("green", 50), ("red", 90)], ("<90", ">=90")),
        # legacy singlestat colours (rgba) judged by hue
        (
            [("rgba(50, 172, 45, 0.97)", None), ("rgba(237, 129, 40, 0.89)", 65),
             ("rgba(245, 54, 54, 0.9)", 90)],
            ("<65", ">=90"),
        ),
        ([("#d44a3a", None), ("rgba(237, 129, 40, 0.89)", 0), ("#299c46", 1)], (">=1", "<0")),
    ],
)  # fmt: skip
def test_monotone_steps(steps: list[Step], expected: tuple[str | None, str | None]) -> None:
    assert _texts(steps) == expected
    assert from_steps(steps)[1] is None  # exact: no note


def test_percentage_steps_are_placed_in_min_max() -> None:
    steps: list[Step] = [("green", None), ("orange", 80), ("red", 90)]
    assert _texts(steps, "percentage") == ("<80", ">=90")  # default 0..100
    assert _texts(steps, "percentage", 0, 1) == ("<0.8", ">=0.9")
    assert _texts(steps, "percentage", 100, 200) == ("<180", ">=190")


@pytest.mark.parametrize(
    "steps",
    [[("green", None)], [("red", None)], [("blue", None), ("green", 80)], []],
)
def test_one_colour_is_no_thresholds(steps: list[Step]) -> None:
    assert from_steps(steps) == (None, None)


def test_non_monotone_steps_are_approximated_with_a_note() -> None:
    thresholds, note = from_steps([("green", None), ("red", 80), ("green", 90)])
    assert thresholds is not None and note is not None
    assert (thresholds.target and thresholds.target.text) == "<80"
    assert "approximated" in note and "ok from 90" in note


def test_no_ok_region_is_approximated_with_a_note() -> None:
    thresholds, note = from_steps([("orange", None), ("red", 80)])
    assert thresholds is not None and thresholds.target is None
    assert (thresholds.alert and thresholds.alert.text) == ">=80"
    assert note is not None and "warning, critical from 80" in note


@pytest.mark.parametrize(
    ("value", "status"),
    [(10, Status.OK), (79.9, Status.OK), (80, Status.WARNING), (90, Status.CRITICAL)],
)
def test_steps_colour_values_as_grafana_does(value: float, status: Status) -> None:
    thresholds, _ = from_steps([("green", None), ("orange", 80), ("red", 90)])
    assert status_of(value, thresholds) is status


@pytest.mark.parametrize(
    ("value", "status"),
    [(10, Status.CRITICAL), (50, Status.WARNING), (79, Status.WARNING), (80, Status.OK)],
)
def test_falling_steps_colour_values_as_grafana_does(value: float, status: Status) -> None:
    thresholds, _ = from_steps([("red", None), ("yellow", 50), ("green", 80)])
    assert status_of(value, thresholds) is status


def test_texts_read_back_as_panels_yaml_thresholds() -> None:
    thresholds, _ = from_steps([("green", None), ("red", 0.85)])
    assert thresholds is not None and thresholds.target and thresholds.alert
    again = make_thresholds(thresholds.target.text, thresholds.alert.text, "percentunit")
    assert again == thresholds


@pytest.mark.parametrize(
    ("color", "tone"),
    [("green", "ok"), ("dark-green", "ok"), ("super-light-yellow", "warning"),
     ("orange", "warning"), ("semi-dark-red", "critical"), ("blue", "neutral"),
     ("purple", "neutral"), ("transparent", "neutral"), ("text", "neutral"),
     ("#EAB839", "warning"), ("#299c46", "ok"), ("#d44a3a", "critical"), ("#f00", "critical"),
     ("rgb(255, 255, 255)", "neutral"), ("#1f78c1", "neutral"), (None, "neutral"),
     ("#zzzzzz", "neutral")],
)  # fmt: skip
def test_tone_of(color: str | None, tone: str) -> None:
    assert tone_of(color) == tone
