"""The board's rows: cards (panels.yaml) or tiles (Grafana), and what the board
holds of each panel (`board_panel` makes it, with its card).

A row of tiles is laid out by `allintop.ui.layout.place` (Grafana's order and widths,
wrapped for a narrow terminal); `PanelGrid` puts each tile where the plan says through
a Textual layout of its own, so the tiles' regions are real ones: focus, Tab, the
mouse and scrolling a focused tile into view work as in any container.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Protocol, TypeVar, cast

from textual.geometry import NULL_OFFSET, NULL_SPACING, Region, Size
from textual.layout import ArrangeResult, WidgetPlacement
from textual.layouts.vertical import VerticalLayout
from textual.widget import Widget

from allintop.dashboard.model import Panel, PanelKind, Row
from allintop.live.alerting import ActiveAlert
from allintop.live.reports import QueryState
from allintop.sources.answers import Target
from allintop.ui.cards.base import Card
from allintop.ui.cards.ink import Inks
from allintop.ui.cards.kinds import panel_widget
from allintop.ui.cards.stat import StatCard
from allintop.ui.layout import Box, extent


class PanelLayout(VerticalLayout):
    """Places a PanelGrid's children at the boxes it was given. (A vertical layout
    only in name: a widget's default layout is typed as one.)"""

    name = "tiles"

    def arrange(
        self, parent: Widget, children: list[Widget], size: Size, greedy: bool = True
    ) -> ArrangeResult:
        parent.pre_layout(self)
        boxes = parent.boxes if isinstance(parent, PanelGrid) else {}
        placements = []
        for child in children:
            box = boxes.get(child)
            if box is None:  # not planned yet: out of sight until it is
                continue
            width = max(0, min(box.width, size.width - box.x))
            region = Region(box.x, box.y, width, box.height)
            placements.append(WidgetPlacement(region, NULL_OFFSET, NULL_SPACING, child))
        return placements


class PanelGrid(Widget):
    """A row's tiles, each in the box the layout planner gave it (`place`).

    A collapsed row's tiles are mounted when it is first shown (`reveal`): a
    dashboard of many folded rows (Node Exporter Full's 14) then starts with the
    few tiles it shows, not with every one styled and hidden.
    """

    def __init__(self, *tiles: Widget, row: int, shown: bool = True) -> None:
        super().__init__(*(tiles if shown else ()), id=f"row-{row}", classes="tile-grid")
        # Textual takes a layout by name from its own table only; this one is ours.
        self._default_layout = PanelLayout()
        self.panels = tiles
        self.held = not shown
        self.boxes: dict[Widget, Box] = {}

    def reveal(self) -> None:
        """Mount the tiles held back while the row was collapsed (once)."""
        if self.held:
            self.held = False
            self.mount_all(self.panels)

    def place(self, boxes: Sequence[Box]) -> None:
        """Put the tiles (in order) in `boxes`; the grid is as tall as they take."""
        self.boxes = dict(zip(self.panels, boxes, strict=False))
        self.styles.height = extent(boxes)
        # Textual keeps an arrangement per size: at the same size, new boxes would
        # not be seen (a resize is laid out before the rows hear of it).
        self._clear_arrangement_cache()
        self.refresh(layout=True)


class PanelWidget(Protocol):
    """What the app asks of a tile's widget (allintop.ui.cards.kinds makes them)."""

    index: int
    """Its first panel's dashboard index (zoom shows it)."""

    def show(self, state: QueryState) -> None: ...

    def mark(self, alerts: Sequence[ActiveAlert], down: Sequence[Target], now: float) -> None: ...


@dataclass(frozen=True, slots=True)
class BoardPanel:
    """A panel on the board (a Grafana panel: one card), as the board shows it."""

    title: str
    kind: PanelKind
    card: Widget
    """The widget that draws it."""
    row: int
    """Its row's number, from 0."""
    indexes: range
    """The dashboard's panel indexes it shows (`DashboardState.panel`); none for text."""

    @property
    def widget(self) -> PanelWidget:
        """The card, as the board feeds it."""
        return cast(PanelWidget, self.card)


def board_panel(tile: Panel, row: Row, number: int, first: int, inks: Inks) -> BoardPanel:
    """`tile` of row `number`, whose first panel is the dashboard's panel `first`;
    its card draws in `inks`."""
    panels = row.queries[tile.first : tile.first + tile.count]
    start = first + tile.first
    # panels.yaml's own rows keep their cards, exactly as they have always been.
    card = panel_widget(tile, panels, start) if row.panels else StatCard(panels[0], start)
    if isinstance(card, Card):
        card.inks = inks
    return BoardPanel(tile.title, tile.kind, card, number, range(start, start + len(panels)))


T = TypeVar("T")


def unique(items: Iterable[T]) -> list[T]:
    """`items` without repeats, in order (by equality: not all are hashable)."""
    out: list[T] = []
    for item in items:
        if item not in out:
            out.append(item)
    return out
