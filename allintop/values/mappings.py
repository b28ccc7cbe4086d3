"""Value mappings: a number shown as a word ("1" -> "UP", 0..50 -> "low", NaN -> "n/a"),
as Grafana's value / range / special mappings (and the legacy valueMaps, rangeMaps)
do. Pure: no Textual, no network."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

MappingKind = Literal["value", "range", "special"]
#: What a "special" mapping matches, as Grafana names it.
SPECIALS = ("null", "nan", "null+nan", "true", "false", "empty")


@dataclass(frozen=True)
class ValueMapping:
    """One mapping: the value (as written), the range or the special case it matches,
    the text shown instead, and the colour it names (a Grafana colour, or None).
    An empty `text` shows the value itself, in the mapping's colour."""

    kind: MappingKind
    text: str
    value: str | None = None  # kind "value": "1", "up"
    low: float | None = None  # kind "range": None is unbounded
    high: float | None = None
    special: str | None = None  # kind "special": one of SPECIALS
    color: str | None = None


def mapped(
    value: float | None, mappings: Sequence[ValueMapping], text: str | None = None
) -> ValueMapping | None:
    """The first mapping that matches `value` (None: no value), or None.

    A value mapping matches the number ("1" matches 1.0) or, if given, `text`, the
    value as it is shown ("UP" of a string, "95.3" of a formatted number). Prometheus
    has no booleans: the special "true" matches 1 and "false" 0.
    """
    for mapping in mappings:
        if _matches(mapping, value, text):
            return mapping
    return None


def _matches(mapping: ValueMapping, value: float | None, text: str | None) -> bool:
    if mapping.kind == "range":
        return _in_range(mapping, value)
    if mapping.kind == "value":
        return mapping.value is not None and _equal(mapping.value, value, text)
    return _special(value, mapping.special)


def _in_range(mapping: ValueMapping, value: float | None) -> bool:
    if value is None or math.isnan(value):
        return False
    return (mapping.low is None or value >= mapping.low) and (
        mapping.high is None or value <= mapping.high
    )


def _equal(written: str, value: float | None, text: str | None) -> bool:
    if text is not None and written.strip() == text:
        return True
    number = _number(written)
    return number is not None and value is not None and number == value


def _special(value: float | None, special: str | None) -> bool:
    nan = value is not None and math.isnan(value)
    return {
        "null": value is None,
        "nan": nan,
        "null+nan": value is None or nan,
        "true": value == 1,
        "false": value == 0,
    }.get(special or "", False)


def _number(text: object) -> float | None:
    """A mapping's number ("1", 1, "0.5"), or None (null, "", words, NaN)."""
    if text is None or isinstance(text, bool) or str(text).strip() == "":
        return None
    try:
        number = float(str(text))
    except ValueError:
        return None
    return None if math.isnan(number) else number


# ---------------------------------------------------------------------------
# Grafana's JSON


#: Grafana 7's numeric mapping types.
_LEGACY_TYPES: dict[int | str, str] = {1: "value", 2: "range", "1": "value", "2": "range"}


def from_grafana(
    mappings: object = None,
    value_maps: object = None,
    range_maps: object = None,
    mapping_type: object = None,
) -> tuple[ValueMapping, ...]:
    """A panel's mappings: fieldConfig.defaults.mappings (Grafana 8's value / range /
    special, or Grafana 7's type 1 / 2), else a singlestat's valueMaps and rangeMaps
    (only those its `mapping_type` selects: 1 value maps, 2 range maps, as the panel
    shows them). Regex mappings are left out: see unsupported()."""
    found = [m for item in _dicts(mappings) for m in _from_item(item)]
    if found:
        return tuple(found)
    kind = _LEGACY_TYPES.get(mapping_type) if isinstance(mapping_type, int | str) else None
    values = [_legacy_value(item) for item in _dicts(value_maps)] if kind != "range" else []
    ranges = [_legacy_range(item) for item in _dicts(range_maps)] if kind != "value" else []
    return tuple(m for m in values + ranges if m is not None)


def unsupported(mappings: object) -> list[str]:
    """What of fieldConfig.defaults.mappings from_grafana leaves out, one line each."""
    kinds = [str(item.get("type")) for item in _dicts(mappings)]
    return [f"a {kind} mapping: not supported" for kind in kinds if kind == "regex"]


def _from_item(item: Mapping[str, Any]) -> list[ValueMapping]:
    kind = item.get("type")
    options = item.get("options")
    if kind in _LEGACY_TYPES:  # Grafana 7: {type: 1, value, text} or {type: 2, from, to, text}
        mapping = _legacy_value(item) if _LEGACY_TYPES[kind] == "value" else _legacy_range(item)
        return [] if mapping is None else [mapping]
    if not isinstance(options, Mapping):
        return []
    if kind == "value":
        ordered = sorted(
            ((key, r) for key, r in options.items() if isinstance(r, Mapping)),
            key=lambda pair: _number(pair[1].get("index")) or 0.0,
        )
        return [_mapping("value", r, value=str(key)) for key, r in ordered]
    if kind == "range":
        low, high = _number(options.get("from")), _number(options.get("to"))
        return [_mapping("range", options.get("result"), low=low, high=high)]
    if kind == "special" and options.get("match") in SPECIALS:
        special = str(options["match"])
        return [_mapping("special", options.get("result"), special=special)]
    return []


def _mapping(kind: MappingKind, result: object, **match: Any) -> ValueMapping:
    """A mapping of `kind` matching `match`, showing its result's text and colour."""
    if not isinstance(result, Mapping):
        return ValueMapping(kind, "", **match)
    color = result.get("color")
    text = str(result.get("text") or "")
    return ValueMapping(kind, text, color=str(color) if color else None, **match)


def _legacy_value(item: Mapping[str, Any]) -> ValueMapping | None:
    """{op: "=", value: "1", text: "UP"}; the value "null" is the special null."""
    value, text = item.get("value"), str(item.get("text") or "")
    if value is None or str(value).strip() == "":
        return None
    if str(value).strip().lower() == "null":
        return ValueMapping("special", text, special="null")
    return ValueMapping("value", text, value=str(value).strip())


def _legacy_range(item: Mapping[str, Any]) -> ValueMapping | None:
    """{from: "0", to: "50", text: "low"}; from and to "null": the special null."""
    low, high = item.get("from"), item.get("to")
    text = str(item.get("text") or "")
    if str(low).lower() == "null" and str(high).lower() == "null":
        return ValueMapping("special", text, special="null")
    low_number, high_number = _number(low), _number(high)
    if low_number is None and high_number is None:
        return None
    return ValueMapping("range", text, low=low_number, high=high_number)


def _dicts(items: object) -> list[Mapping[str, Any]]:
    return [i for i in items if isinstance(i, Mapping)] if isinstance(items, list) else []
