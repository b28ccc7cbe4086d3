"""Where a v2 dashboard's layout puts its elements, as classic rows (and tabs).

- GridLayout: each item's x, y, width, height is the classic gridPos; v2alpha1's
  GridLayoutRow items are rows of their own, after the grid's loose items.
- AutoGridLayout: the items flow left to right into `maxColumnCount` columns (3 if
  unsaid; fewer items share the width), each `rowHeightMode` high.
- RowsLayout: each row (`RowsLayoutRow`, or `Row`) is a classic row; a row holding
  rows is flattened into rows titled "Outer / Inner", a row holding tabs into one
  row per tab, titled "Row / Tab" (a row cannot hold tabs here).
- TabsLayout: each tab holds the rows its layout makes (a grid directly in a tab is
  one row titled as the tab); a tab inside a tab is one tab titled "Outer / Inner".

A layout's or row's `conditionalRendering` variable conditions are the row's
`shown_when`; what else of it (data, time range size, on a panel) is not honoured
is said in `notes`.

A repeat (allintop.dashboard.grafana.v2.repeat_options) is carried as the classic
one: a panel's `repeat`, `repeatDirection` and `maxPerRow`, a row's `repeat`. A
repeated tab that makes one row repeats that row (its copies are rows in the one
tab); one that makes more is shown once.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from allintop.dashboard.grafana.documents import dicts, mapping, number
from allintop.dashboard.grafana.v2.conditions import both, conditions
from allintop.dashboard.grafana.v2.elements import classic_panel
from allintop.dashboard.grafana.v2.repeat_options import panel_fields, variable
from allintop.dashboard.model import GRID_COLUMNS, ShownWhen

#: An auto grid's row height, by `rowHeightMode`, in grid rows: Grafana's 168, 320
#: and 512 pixels over its 30-pixel rows and their 8-pixel margins.
AUTO_HEIGHTS = {"short": 5, "standard": 8, "tall": 13}
AUTO_COLUMNS = 3
GRID_ROW_PX = 38


@dataclass
class PlacedRow:
    """One row of classic panels, placed by gridPos, and which tab holds it."""

    title: str
    panels: list[dict[str, Any]]
    collapsed: bool = False
    tab: str | None = None
    shown_when: ShownWhen | None = None
    repeat: str | None = None


@dataclass
class Placement:
    """Every row in order, the tabs in order (each once, even when empty), and what
    of the layout is not honoured."""

    elements: Mapping[str, Mapping[str, Any]]
    rows: list[PlacedRow] = field(default_factory=list)
    tabs: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    used: set[str] = field(default_factory=set)


def place(layout: Mapping[str, Any], elements: Mapping[str, Any], title: str) -> Placement:
    """The rows and tabs of a dashboard's `layout`; rows without a title of their
    own go by `title`."""
    placement = Placement({k: v for k, v in elements.items() if isinstance(v, Mapping)})
    _walk(placement, layout, title, None, None, inside_row=False)
    unplaced = sorted(set(placement.elements) - placement.used)
    if unplaced:
        placement.notes.append(f"elements not in the layout: {', '.join(unplaced)}: not shown")
    return placement


def _walk(
    placement: Placement,
    layout: Mapping[str, Any],
    title: str,
    tab: str | None,
    when: ShownWhen | None,
    *,
    inside_row: bool,
    collapsed: bool = False,
) -> None:
    """Place `layout`'s rows (titled `title` when it is a grid) in tab `tab`."""
    kind = str(layout.get("kind") or "")
    spec = mapping(layout.get("spec"))
    if kind in ("GridLayout", "AutoGridLayout"):
        read = _grid if kind == "GridLayout" else _auto_grid
        panels = read(placement, spec, title)
        placement.rows.append(PlacedRow(title, panels, collapsed, tab, when))
        if kind == "GridLayout":  # v2alpha1's rows in a grid follow its items
            for row in _grid_rows(spec):
                row_spec = mapping(row.get("spec"))
                named = str(row_spec.get("title") or "") or "Row"
                repeat = variable(row_spec.get("repeat"), f"row {named}", placement.notes)
                own = _grid(placement, {"items": row_spec.get("elements")}, named)
                folded = bool(row_spec.get("collapsed"))
                placement.rows.append(PlacedRow(named, own, folded, tab, when, repeat))
        if tab is not None and tab not in placement.tabs:
            placement.tabs.append(tab)
    elif kind == "RowsLayout":
        for row in dicts(spec.get("rows")):
            _row(placement, row, title if inside_row else "", tab, when)
    elif kind == "TabsLayout":
        for item in dicts(spec.get("tabs")):
            item_spec = mapping(item.get("spec"))
            name = str(item_spec.get("title") or "") or "Tab"
            inner = conditions(placement.notes, item_spec, name)
            first = len(placement.rows)
            if inside_row:  # tabs inside a row: a row per tab
                _walk(
                    placement,
                    mapping(item_spec.get("layout")),
                    f"{title} / {name}",
                    tab,
                    both(when, inner),
                    inside_row=True,
                    collapsed=collapsed,
                )
                _repeat_tab(placement, item_spec.get("repeat"), name, placement.rows[first:])
                continue
            named = f"{tab} / {name}" if tab else name
            _walk(
                placement,
                mapping(item_spec.get("layout")),
                name,
                named,
                both(when, inner),
                inside_row=False,
            )
            _repeat_tab(placement, item_spec.get("repeat"), name, placement.rows[first:])
    elif kind:
        placement.notes.append(f"a {kind} layout: not shown")


def _row(
    placement: Placement,
    row: Mapping[str, Any],
    outer: str,
    tab: str | None,
    when: ShownWhen | None,
) -> None:
    """A RowsLayoutRow (or Row) and what its layout holds."""
    spec = mapping(row.get("spec"))
    own = str(spec.get("title") or "") or "Row"
    title = f"{outer} / {own}" if outer else own
    repeat = variable(spec.get("repeat"), f"row {own}", placement.notes)
    inner = both(when, conditions(placement.notes, spec, own))
    layout = mapping(spec.get("layout"))
    first = len(placement.rows)
    _walk(
        placement, layout, title, tab, inner, inside_row=True, collapsed=bool(spec.get("collapse"))
    )
    _repeat_rows(placement, repeat, f"row {own}", placement.rows[first:])


def _repeat_tab(placement: Placement, given: object, name: str, rows: list[PlacedRow]) -> None:
    """A tab's repeat, on the rows its layout made."""
    _repeat_rows(placement, variable(given, f"tab {name}", placement.notes), f"tab {name}", rows)


def _repeat_rows(
    placement: Placement, repeat: str | None, where: str, rows: list[PlacedRow]
) -> None:
    """A row's (or tab's) repeat on the one classic row it made; a layout that made
    more (rows or tabs inside) cannot be copied as one, and is shown once."""
    if repeat is None:
        return
    if len(rows) == 1 and rows[0].repeat is None:
        rows[0].repeat = repeat
        return
    placement.notes.append(f"{where}: repeated by ${repeat} around rows or tabs: shown once")


def _grid_rows(spec: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    """A v2alpha1 GridLayout's GridLayoutRows (rows as Grafana 12.0 first wrote
    them: each with its y, title, collapsed and `elements`, its own items), by y."""
    rows = [item for item in dicts(spec.get("items")) if item.get("kind") == "GridLayoutRow"]
    return sorted(rows, key=lambda row: number(mapping(row.get("spec")).get("y")) or 0)


def _grid(placement: Placement, spec: Mapping[str, Any], title: str) -> list[dict[str, Any]]:
    """A GridLayout's items as classic panels with their gridPos (its GridLayoutRows
    are rows of their own, `_grid_rows`)."""
    panels = []
    for item in dicts(spec.get("items")):
        if item.get("kind") == "GridLayoutRow":
            continue
        item_spec = mapping(item.get("spec"))
        panel = _element(placement, item_spec, title)
        if panel is not None:
            panel["gridPos"] = {
                key: int(number(item_spec.get(name)) or 0)
                for key, name in (("x", "x"), ("y", "y"), ("w", "width"), ("h", "height"))
            }
            panels.append(panel)
    return panels


def _auto_grid(placement: Placement, spec: Mapping[str, Any], title: str) -> list[dict[str, Any]]:
    """An AutoGridLayout's items flowed into its columns, as classic panels."""
    panels = [
        panel
        for item in dicts(spec.get("items"))
        if (panel := _element(placement, mapping(item.get("spec")), title)) is not None
    ]
    most = int(number(spec.get("maxColumnCount")) or AUTO_COLUMNS)
    columns = max(1, min(most, len(panels), GRID_COLUMNS))
    width = GRID_COLUMNS // columns
    height = _auto_height(spec)
    for index, panel in enumerate(panels):
        x, y = (index % columns) * width, (index // columns) * height
        panel["gridPos"] = {"x": x, "y": y, "w": width, "h": height}
    return panels


def _auto_height(spec: Mapping[str, Any]) -> int:
    mode = str(spec.get("rowHeightMode") or "standard")
    pixels = number(spec.get("rowHeight"))
    if mode == "custom" and pixels:
        return max(3, round(pixels / GRID_ROW_PX))
    return AUTO_HEIGHTS.get(mode, AUTO_HEIGHTS["standard"])


def _element(placement: Placement, item: Mapping[str, Any], where: str) -> dict[str, Any] | None:
    """The classic panel of the element an item references; None (and said so) when
    the dashboard has no such element."""
    name = str(mapping(item.get("element")).get("name") or "")
    element = placement.elements.get(name)
    if element is None:
        placement.notes.append(f"{where}: no element {name or '(unnamed)'}: not shown")
        return None
    placement.used.add(name)
    panel = classic_panel(name, element)
    # The item's repeat; an element's own `repeat` only where the item says none.
    given = item.get("repeat") or mapping(element.get("spec")).get("repeat")
    panel.update(panel_fields(given, panel["title"] or name, placement.notes))
    if item.get("conditionalRendering"):
        placement.notes.append(
            f"{panel['title'] or name}: conditional rendering of a panel: always shown"
        )
    return panel
