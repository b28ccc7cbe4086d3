"""Value mappings from Grafana's JSON, and which one a value takes (allintop.values.mappings)."""

from __future__ import annotations

import math

import pytest

from allintop.values.mappings import ValueMapping, from_grafana, mapped, unsupported

GRAFANA_8 = [
    {"type": "value", "options": {"0": {"text": "DOWN", "color": "red", "index": 1},
                                  "1": {"text": "UP", "color": "green", "index": 0}}},
    {"type": "range", "options": {"from": 2, "to": 50, "result": {"text": "low", "index": 2}}},
    {"type": "range", "options": {"from": 50, "to": None, "result": {"text": "high"}}},
    {"type": "special", "options": {"match": "null+nan", "result": {"text": "n/a"}}},
    {"type": "regex", "options": {"pattern": "(.*)", "result": {"text": "$1"}}},
]  # fmt: skip


def test_grafana_8_mappings_in_order() -> None:
    mappings = from_grafana(GRAFANA_8)
    assert mappings == (
        ValueMapping("value", "UP", value="1", color="green"),
        ValueMapping("value", "DOWN", value="0", color="red"),
        ValueMapping("range", "low", low=2.0, high=50.0),
        ValueMapping("range", "high", low=50.0, high=None),
        ValueMapping("special", "n/a", special="null+nan"),
    )
    assert unsupported(GRAFANA_8) == ["a regex mapping: not supported"]


@pytest.mark.parametrize(
    ("value", "text"),
    [(1.0, "UP"), (0.0, "DOWN"), (2.0, "low"), (50.0, "low"), (50.5, "high"), (1e9, "high"),
     (None, "n/a"), (math.nan, "n/a"), (1.5, None), (-3.0, None)],
)  # fmt: skip
def test_which_mapping_a_value_takes(value: float | None, text: str | None) -> None:
    found = mapped(value, from_grafana(GRAFANA_8))
    assert (found and found.text) == text


def test_value_mappings_compare_by_the_shown_text_too() -> None:
    mappings = (ValueMapping("value", "full", value="100.0"), ValueMapping("value", "ok", "OK"))
    assert mapped(100.0, mappings) == mappings[0]  # by number: "100.0" is 100
    assert mapped(7.0, mappings, text="OK") == mappings[1]  # by text
    assert mapped(7.0, mappings, text="7") is None


@pytest.mark.parametrize(
    ("special", "value", "matches"),
    [("null", None, True), ("null", math.nan, False), ("nan", math.nan, True),
     ("nan", None, False), ("null+nan", None, True), ("true", 1.0, True), ("true", 0.0, False),
     ("false", 0.0, True), ("empty", None, False), ("empty", 0.0, False)],
)  # fmt: skip
def test_specials(special: str, value: float | None, matches: bool) -> None:
    mapping = ValueMapping("special", "x", special=special)
    assert (mapped(value, (mapping,)) is not None) == matches


def test_grafana_7_numeric_types() -> None:
    mappings = from_grafana(
        [{"id": 0, "type": 1, "op": "=", "value": "1", "text": "UP"},
         {"id": 1, "type": 2, "from": "2", "to": "5", "text": "few"},
         {"id": 2, "type": 1, "value": "null", "text": "N/A"}]
    )  # fmt: skip
    assert mappings == (
        ValueMapping("value", "UP", value="1"),
        ValueMapping("range", "few", low=2.0, high=5.0),
        ValueMapping("special", "N/A", special="null"),
    )


VALUE_MAPS = [{"op": "=", "text": "N/A", "value": "null"}, {"op": "=", "text": "on", "value": "1"}]
RANGE_MAPS = [
    {"from": "null", "to": "null", "text": "N/A"},
    {"from": "0", "to": "10", "text": "low"},
]


@pytest.mark.parametrize(
    ("mapping_type", "texts"),
    [(1, ["N/A", "on"]), (2, ["N/A", "low"]), (None, ["N/A", "on", "N/A", "low"])],
)
def test_legacy_maps_as_mapping_type_selects(mapping_type: int | None, texts: list[str]) -> None:
    mappings = from_grafana(None, VALUE_MAPS, RANGE_MAPS, mapping_type)
    assert [m.text for m in mappings] == texts
    assert mappings[0] == ValueMapping("special", "N/A", special="null")


def test_new_mappings_win_over_legacy_ones() -> None:
    assert [m.text for m in from_grafana(GRAFANA_8[:1], VALUE_MAPS)] == ["UP", "DOWN"]


@pytest.mark.parametrize(
    "junk",
    [None, [], {}, "x", [1, "a"], [{"type": "value"}], [{"type": "special", "options": {}}]],
)  # fmt: skip
def test_junk_is_no_mapping(junk: object) -> None:
    assert from_grafana(junk) == ()
    assert from_grafana(junk, junk, junk, junk) == ()


def test_a_range_of_junk_bounds_and_result_shows_every_value_as_it_is() -> None:
    # A bound that is no number is no bound, and a result that is no object gives no
    # text and no colour: the range matches every number and changes nothing shown.
    junk = [{"type": "range", "options": {"from": "a", "to": None, "result": 5}}]
    assert from_grafana(junk) == (ValueMapping("range", ""),)
    for value in (0.0, 1.0, -5.0, 1e300):
        found = mapped(value, from_grafana(junk))
        assert found is not None and found.text == "" and found.color is None
    assert mapped(math.nan, from_grafana(junk)) is None
    assert mapped(None, from_grafana(junk)) is None
