"""Where a Grafana dashboard puts its panels: its rows in Grafana's order, and each
panel's place and size in the 24-column grid.

Grafana has written two layouts. Since Grafana 5 a dashboard's `panels` is one flat
list, each panel placed by its `gridPos` {x, y, w, h}; a panel of type "row" starts
a row, and a collapsed row holds its own panels (the panels of an expanded one
follow it in the list). Before, a dashboard had top-level `rows[]`, each with a
height in pixels and panels whose `span` counts twelfths of the width.

A repeated panel or row (`repeat: "var"`) is read as it is written, with the name of
its variable (and a panel's `repeatDirection` and `maxPerRow`): the copies, one per
value picked, are made when the picks are known (allintop.dashboard.repeats).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from allintop.dashboard.grafana.documents import dicts, mapping, number
from allintop.dashboard.model import GRID_COLUMNS

#: Pixels of one Grafana grid row (gridPos.h counts these).
GRID_ROW_PX = 30


@dataclass(frozen=True)
class GrafanaRow:
    """One row of a Grafana dashboard, and its panels as written."""

    title: str
    panels: list[Mapping[str, Any]]
    collapsed: bool = False
    legacy: bool = False
    """A top-level `rows[]` row: its panels' widths are 12ths (`span`)."""
    height: int = 0
    """A legacy row's height, in grid rows."""
    repeat: str | None = None
    """The variable it is repeated for, if it is."""


def rows(board: Mapping[str, Any], title: str) -> list[GrafanaRow]:
    """The rows in Grafana's order: legacy top-level `rows[]`, or the flat `panels`
    list cut at its row panels (a collapsed row holds its own panels). Panels before
    the first row panel, and rows without a title, go by the dashboard's `title`."""
    if board.get("rows"):
        return [
            GrafanaRow(
                str(row.get("title") or title),
                dicts(row.get("panels")),
                collapsed=bool(row.get("collapse")),
                legacy=True,
                height=_legacy_height(row.get("height")),
                repeat=repeat_of(row),
            )
            for row in dicts(board["rows"])
        ]
    found = [GrafanaRow(title, [])]
    for panel in in_grid_order(dicts(board.get("panels"))):
        if panel.get("type") == "row":
            found.append(
                GrafanaRow(
                    str(panel.get("title") or title),
                    dicts(panel.get("panels")),
                    collapsed=bool(panel.get("collapsed")),
                    repeat=repeat_of(panel),
                )
            )
        else:
            found[-1].panels.append(panel)
    return found


def in_grid_order(panels: list[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    """Panels top to bottom, then left to right, as Grafana's grid places them."""
    return sorted(panels, key=_position)


def size(panel: Mapping[str, Any], row: GrafanaRow) -> tuple[int, int]:
    """A panel's width in 24ths and height in grid rows: its gridPos, or a legacy
    panel's `span` (12ths) in its row's height."""
    if row.legacy:
        span = number(panel.get("span")) or 12
        return max(1, min(GRID_COLUMNS, round(span * 2))), row.height
    grid = mapping(panel.get("gridPos"))
    width = number(grid.get("w")) or GRID_COLUMNS
    height = number(grid.get("h")) or 0
    return max(1, min(GRID_COLUMNS, round(width))), max(0, round(height))


def position(panel: Mapping[str, Any], row: GrafanaRow) -> tuple[int | None, int | None]:
    """A panel's gridPos x, and its y from its row's top (the row's highest panel),
    in grid units; (None, None) for a legacy row's panel, or one without a gridPos:
    those flow in order."""
    grid = mapping(panel.get("gridPos"))
    if row.legacy or number(grid.get("x")) is None or number(grid.get("y")) is None:
        return None, None
    x, y = _position(panel)[::-1]
    top = min((_position(other)[0] for other in row.panels), default=0)
    return max(0, min(GRID_COLUMNS - 1, x)), max(0, y - top)


def repeat_of(panel: Mapping[str, Any]) -> str | None:
    """The variable a panel or row repeats for ("$var" or "var" written), if any."""
    name = str(panel.get("repeat") or "").strip().removeprefix("$").strip("{}")
    return name or None


def _legacy_height(height: object) -> int:
    """A legacy row's height ("250px", 250) in grid rows."""
    try:
        pixels = float(str(height).removesuffix("px"))
    except ValueError:
        return 0
    return max(1, round(pixels / GRID_ROW_PX)) if pixels > 0 else 0


def _position(panel: Mapping[str, Any]) -> tuple[int, int]:
    grid = mapping(panel.get("gridPos"))
    return (int(number(grid.get("y")) or 0), int(number(grid.get("x")) or 0))
