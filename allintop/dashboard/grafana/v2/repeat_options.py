"""A v2 repeat as the classic panel's or row's fields, for the classic repeat
expansion (allintop.dashboard.repeats) to place the copies.

v2 writes a repeat on the layout item, not on the element: a GridLayoutItem's
`repeat: {mode: "variable", value: "var", direction: "h"|"v", maxPerRow}`, an
AutoGridLayoutItem's `{mode, value}` (its copies flow as the grid's items do:
side by side), and a RowsLayoutRow's, a v2alpha1 GridLayoutRow's or a tab's
`{mode, value}`. "variable" is the only mode Grafana writes; another is said and
shown once.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from allintop.dashboard.grafana.documents import mapping, number


def variable(given: object, where: str, notes: list[str]) -> str | None:
    """The variable a v2 repeat repeats for (None: none, or a mode not read, which
    goes to `notes` as `where`'s)."""
    options = mapping(given)
    mode = str(options.get("mode") or "variable")
    name = str(options.get("value") or "").strip().removeprefix("$").strip("{}")
    if not name:
        return None
    if mode != "variable":
        notes.append(f"{where}: repeated by {mode}: shown once")
        return None
    return name


def panel_fields(given: object, where: str, notes: list[str]) -> dict[str, Any]:
    """A panel's classic `repeat`, `repeatDirection` and `maxPerRow` from its item's
    v2 repeat; {} when it is not repeated."""
    name = variable(given, where, notes)
    if name is None:
        return {}
    options: Mapping[str, Any] = mapping(given)
    fields: dict[str, Any] = {"repeat": name}
    if options.get("direction") in ("h", "v"):
        fields["repeatDirection"] = options["direction"]
    most = number(options.get("maxPerRow"))
    if most is not None:
        fields["maxPerRow"] = most
    return fields
