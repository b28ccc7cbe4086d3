"""A panel's drawing keys: kind, width, height, reducer, mappings, graph, min, max,
content, note, its place in the grid (x, y), how it repeats (repeat_direction,
max_per_row; `repeat` itself names a variable, checked by the rows' reader) and a
stat's text_mode, color_mode, orientation and justify, read and
checked into the fields of its Panel."""

from __future__ import annotations

import contextlib
import difflib
import math
from collections.abc import Callable, Mapping
from typing import Any

from yaml.nodes import Node

from allintop.dashboard.model import (
    COLOR_MODES,
    GRAFANA_KINDS,
    GRID_COLUMNS,
    JUSTIFY_MODES,
    ORIENTATIONS,
    PANEL_KINDS,
    TEXT_MODES,
)
from allintop.dashboard.panels_yaml.nodes import (
    as_text,
    boolean,
    fail,
    key_path,
    mapping,
    nonempty_text,
    optional,
    scalar,
    sequence,
)
from allintop.values import reducers
from allintop.values.mappings import SPECIALS, ValueMapping

#: Tallest tile, in Grafana grid rows (30 px each): more is a slip, not a layout.
MAX_HEIGHT = 100
#: Lowest grid row a tile starts at: more is a slip.
MAX_Y = 1000

# Grafana's names of the kinds this file names otherwise ("graph": timeseries).
_RENAMED = {name: kind for name, kind in GRAFANA_KINDS.items() if name != kind}
_MAPPING_KEYS = ("value", "from", "to", "special", "text", "color")
_MAPPING_EXAMPLE = 'mappings: [{value: "1", text: UP}, {from: 0, to: 50, text: low}]'


def read_panel_keys(fields: Mapping[str, Node], path: str) -> dict[str, Any]:
    """The drawing keys a panel gives, as Panel fields (absent ones: the Panel's
    defaults), each checked, and checked against each other."""
    values = {
        key: value
        for key, read in _READERS.items()
        if (value := optional(fields, key, path, read)) is not None
    }
    kind = values.get("kind", "stat")
    _only_for(fields, path, "content", "text", kind)
    _only_for(fields, path, "note", "other", kind)
    _fits(fields, path, values)
    low, high = values.get("min"), values.get("max")
    if low is not None and high is not None and high <= low:
        fail(
            fields["max"],
            key_path(path, "max"),
            f"max {high:g} is not above min {low:g}",
            "the bar or gauge runs from min up to max",
        )
    return values


def _fits(fields: Mapping[str, Node], path: str, values: Mapping[str, Any]) -> None:
    """A panel given x ends within the grid's columns (its width, else a quarter)."""
    x = values.get("x")
    width = values.get("width", GRID_COLUMNS // 4)
    if x is not None and x + width > GRID_COLUMNS:
        fail(
            fields["x"],
            key_path(path, "x"),
            f"x {x} + width {width} passes the grid's {GRID_COLUMNS} columns",
            f"x is where it starts, 0 to {GRID_COLUMNS - width} for width {width}",
        )


def _only_for(fields: Mapping[str, Node], path: str, key: str, wanted: str, kind: str) -> None:
    if key in fields and kind != wanted:
        fail(
            fields[key],
            key_path(path, key),
            f"only for kind: {wanted}; this panel is kind: {kind}",
            f"add kind: {wanted}, or remove {key}:",
        )


def _kind(node: Node, path: str) -> str:
    kind = nonempty_text(node, path).strip()
    if kind in PANEL_KINDS:
        return kind
    if kind in _RENAMED:
        hint = f'Grafana\'s "{kind}" is kind: {_RENAMED[kind]} here'
    else:
        hint = _close(kind, PANEL_KINDS, "kinds")
    fail(node, path, f'unknown kind "{kind}"', hint)


def _width(node: Node, path: str) -> int:
    return _whole(node, path, GRID_COLUMNS, f"columns of the {GRID_COLUMNS}-wide grid")


def _height(node: Node, path: str) -> int:
    return _whole(node, path, MAX_HEIGHT, "rows of Grafana's grid (gridPos.h), 30 px each")


def _x(node: Node, path: str) -> int:
    what = f"the grid column it starts at, of {GRID_COLUMNS} (gridPos.x)"
    return _whole(node, path, GRID_COLUMNS - 1, what, least=0)


def _y(node: Node, path: str) -> int:
    what = "the grid row it starts at, from its row's top (gridPos.y)"
    return _whole(node, path, MAX_Y, what, least=0)


def _whole(node: Node, path: str, most: int, what: str, least: int = 1) -> int:
    value = scalar(node, path)
    if isinstance(value, bool) or not isinstance(value, int) or not least <= value <= most:
        fail(
            node,
            path,
            f"expected a whole number from {least} to {most}: {what}",
            "e.g. width: 12 (half the row), height: 8, x: 12, y: 0; leave it out for the default",
        )
    return value


def _direction(node: Node, path: str) -> str:
    direction = nonempty_text(node, path).strip()
    if direction not in ("h", "v"):
        fail(node, path, f'unknown repeat_direction "{direction}"', "h: side by side, v: stacked")
    return direction


def _per_row(node: Node, path: str) -> int:
    return _whole(node, path, GRID_COLUMNS, "copies of a repeated panel side by side")


def _reducer(node: Node, path: str) -> str:
    name = nonempty_text(node, path).strip()
    if not reducers.is_known(name):
        fail(node, path, f'unknown reducer "{name}"', _close(name, reducers.NAMES, "reducers"))
    return name


def _word(node: Node, path: str, words: tuple[str, ...]) -> str:
    """One of a stat option's `words` (Grafana's own: text_mode: value_and_name)."""
    word = nonempty_text(node, path).strip()
    if word not in words:
        fail(node, path, f'unknown value "{word}"', _close(word, words, "values"))
    return word


def _number(node: Node, path: str) -> float:
    value = scalar(node, path)
    # YAML reads 1e-5 (no dot) as text: take it as the number it plainly is.
    if isinstance(value, str):
        with contextlib.suppress(ValueError):
            value = float(value)
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        fail(node, path, "expected a number", "e.g. 0, 100 or 0.5")
    return float(value)


def _close(name: str, known: tuple[str, ...], what: str) -> str:
    close = difflib.get_close_matches(name, known, n=1, cutoff=0.6)
    if close:
        return f'did you mean "{close[0]}"?'
    return f"{what}: {', '.join(known)}"


def _mappings(node: Node, path: str) -> tuple[ValueMapping, ...]:
    items = sequence(node, path, _MAPPING_EXAMPLE)
    return tuple(_mapping(item, f"{path}[{index}]") for index, item in enumerate(items))


def _mapping(node: Node, path: str) -> ValueMapping:
    """One mapping: exactly one of value:, from:/to: or special:, and what it shows."""
    fields = mapping(node, path, _MAPPING_KEYS)
    matches: list[str] = [key for key in ("value", "special") if key in fields]
    if "from" in fields or "to" in fields:
        matches.append("from/to")
    if len(matches) != 1:
        found = " and ".join(matches) or "none of these"
        fail(
            node,
            path,
            f"a mapping matches by value:, from:/to: or special:; this has {found}",
            _MAPPING_EXAMPLE,
        )
    text, color = _shown(node, fields, path)
    if matches == ["value"]:
        value = as_text(fields["value"], key_path(path, "value"))
        return ValueMapping("value", text, value=value, color=color)
    if matches == ["special"]:
        special = _special(fields["special"], key_path(path, "special"))
        return ValueMapping("special", text, special=special, color=color)
    low, high = _range(fields, path)
    return ValueMapping("range", text, low=low, high=high, color=color)


def _shown(node: Node, fields: Mapping[str, Node], path: str) -> tuple[str, str | None]:
    """What a mapping shows: its text (or the value itself), its colour."""
    text = optional(fields, "text", path, as_text)
    color = optional(fields, "color", path, nonempty_text)
    if text is None and color is None:
        fail(
            node,
            path,
            "a mapping shows a text or a colour: it has neither",
            "add text: (e.g. text: UP) or color: (e.g. color: red)",
        )
    return text or "", color


def _range(fields: Mapping[str, Node], path: str) -> tuple[float | None, float | None]:
    """A range's bounds; a missing (or null) one is unbounded."""
    low = optional(fields, "from", path, _number)
    high = optional(fields, "to", path, _number)
    if low is not None and high is not None and high < low:
        fail(
            fields["to"],
            key_path(path, "to"),
            f"to {high:g} is below from {low:g}",
            "a range runs from its lower bound up to its upper one",
        )
    return low, high


def _special(node: Node, path: str) -> str:
    name = nonempty_text(node, path).strip()
    if name not in SPECIALS:
        fail(node, path, f'unknown special value "{name}"', _close(name, SPECIALS, "those"))
    return name


_READERS: Mapping[str, Callable[[Node, str], Any]] = {
    "kind": _kind,
    "width": _width,
    "height": _height,
    "reducer": _reducer,
    "mappings": _mappings,
    "graph": boolean,
    "min": _number,
    "max": _number,
    "content": as_text,
    "note": as_text,
    "x": _x,
    "y": _y,
    "repeat": nonempty_text,
    "repeat_direction": _direction,
    "max_per_row": _per_row,
    "text_mode": lambda node, path: _word(node, path, TEXT_MODES),
    "color_mode": lambda node, path: _word(node, path, COLOR_MODES),
    "orientation": lambda node, path: _word(node, path, ORIENTATIONS),
    "justify": lambda node, path: _word(node, path, JUSTIFY_MODES),
}
#: The keys of a panel that say how it is drawn.
PANEL_KEYS = tuple(_READERS)
