"""A Grafana dashboard's JSON as it is given: a plain dashboard, an "export for sharing"
(whose `__inputs` Grafana's import fills in), or the HTTP API's answer
{"dashboard": ..., "meta": ...}; and the readers every part of the conversion uses on
JSON that may hold anything where a dict, a list or a number is expected.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


def is_dashboard(document: object) -> bool:
    """Whether JSON is a Grafana dashboard: a plain or "export for sharing" one (it has
    `panels` or legacy `rows`), or the HTTP API's {"dashboard": ..., "meta": ...}."""
    if not isinstance(document, Mapping):
        return False
    if isinstance(document.get("dashboard"), Mapping) and "meta" in document:
        return True
    if _is_schema_v2(document):
        return True
    return isinstance(document.get("panels"), list) or isinstance(document.get("rows"), list)


def _is_schema_v2(document: Mapping[str, Any]) -> bool:
    """A schema v2 resource ("kind": "Dashboard", "apiVersion":
    "dashboard.grafana.app/v2..."), or a v2 spec on its own (`elements`, `layout`);
    read by allintop.dashboard.grafana.v2."""
    version = str(document.get("apiVersion") or "")
    if document.get("kind") == "Dashboard" and version.startswith("dashboard.grafana.app/v2"):
        return True
    return isinstance(document.get("elements"), Mapping) and isinstance(
        document.get("layout"), Mapping
    )


def board_of(document: Mapping[str, Any]) -> Mapping[str, Any] | None:
    """The dashboard itself: the HTTP API's answer holds it under "dashboard"; None
    when that is no JSON object."""
    board = document.get("dashboard", document)
    return board if isinstance(board, Mapping) else None


def imported(board: Mapping[str, Any]) -> Mapping[str, Any]:
    """An export for sharing as Grafana's import makes it: every ${NAME} of its
    constant inputs replaced, in every string, by the value it was exported with
    (the import asks for each, offering that value). Any other board as it is."""
    constants = _constants(board.get("__inputs"))
    if not constants:
        return board
    return {key: _filled(value, constants) for key, value in board.items()}


def templating_list(board: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    """The dashboard's template variables, as Grafana lists them."""
    return dicts(mapping(board.get("templating")).get("list"))


def _constants(inputs: object) -> dict[str, str]:
    """An export for sharing's constant inputs: ${NAME} -> the value it was exported with."""
    return {
        "${" + str(item.get("name")) + "}": str(item.get("value") or "")
        for item in dicts(inputs)
        if item.get("type") == "constant" and item.get("name")
    }


def _filled(item: Any, constants: Mapping[str, str]) -> Any:
    """`item` with every ${NAME} of `constants` replaced, in every string."""
    if isinstance(item, str):
        for name, value in constants.items():
            item = item.replace(name, value)
        return item
    if isinstance(item, Mapping):
        return {key: _filled(value, constants) for key, value in item.items()}
    if isinstance(item, list):
        return [_filled(value, constants) for value in item]
    return item


# -- reading JSON that may hold anything --


def dicts(items: object) -> list[Mapping[str, Any]]:
    """The JSON objects of a list; none of anything else."""
    return [item for item in items if isinstance(item, Mapping)] if isinstance(items, list) else []


def mapping(value: object) -> Mapping[str, Any]:
    """A JSON object as it is; anything else as an empty one."""
    return value if isinstance(value, Mapping) else {}


def number(value: object) -> float | None:
    """A finite number, written as a number or as text; None for anything else."""
    if isinstance(value, bool) or value is None or value == "":
        return None
    try:
        found = float(str(value))
    except ValueError:
        return None
    return found if found == found and abs(found) != float("inf") else None
