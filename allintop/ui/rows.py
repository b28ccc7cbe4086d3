"""The dashboard's scrolled body: rows of cards (panels.yaml) or of tiles (Grafana).

A row of tiles is laid out by `allintop.ui.layout.place` (Grafana's order and widths,
wrapped for a narrow terminal); `TileGrid` puts each tile where the plan says through
a Textual layout of its own, so the tiles' regions are real ones: focus, Tab, the
mouse and scrolling a focused tile into view work as in any container.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Protocol, TypeVar, cast

from textual import events
from textual.containers import VerticalScroll
from textual.geometry import NULL_OFFSET, NULL_SPACING, Region, Size
from textual.layout import ArrangeResult, Layout, WidgetPlacement
from textual.message import Message
from textual.widget import Widget

from allintop.live.alerting import ActiveAlert
from allintop.live.reports import PanelState
from allintop.sources.answers import Target
from allintop.ui.layout import Box, extent


class Rows(VerticalScroll, inherit_bindings=False):
    """The dashboard's rows; says when its size or its scroll position changes, to lay
    them out and to know which panels are on screen.

    No keys of its own: a scroll container's arrows would scroll it instead of moving
    between panels, and the page keys are the app's (they move the focus too).
    """

    @dataclass
    class Resized(Message):
        size: Size

    class Scrolled(Message):
        """Scrolled to another line: other panels may be near the screen now."""

    def on_resize(self, event: events.Resize) -> None:
        self.post_message(self.Resized(event.size))

    def watch_scroll_y(self, old_value: float, new_value: float) -> None:
        super().watch_scroll_y(old_value, new_value)
        if round(old_value) != round(new_value):
            self.post_message(self.Scrolled())


class TileLayout(Layout):
    """Places a TileGrid's children at the boxes it was given."""

    name = "tiles"

    def arrange(
        self, parent: Widget, children: list[Widget], size: Size, greedy: bool = True
    ) -> ArrangeResult:
        parent.pre_layout(self)
        boxes = parent.boxes if isinstance(parent, TileGrid) else {}
        placements = []
        for child in children:
            box = boxes.get(child)
            if box is None:  # not planned yet: out of sight until it is
                continue
            width = max(0, min(box.width, size.width - box.x))
            region = Region(box.x, box.y, width, box.height)
            placements.append(WidgetPlacement(region, NULL_OFFSET, NULL_SPACING, child))
        return placements


class TileGrid(Widget):
    """A row's tiles, each in the box the layout planner gave it (`place`).

    A collapsed row's tiles are mounted when it is first shown (`reveal`): a
    dashboard of many folded rows (Node Exporter Full's 14) then starts with the
    few tiles it shows, not with every one styled and hidden.
    """

    def __init__(self, *tiles: Widget, row: int, shown: bool = True) -> None:
        super().__init__(*(tiles if shown else ()), id=f"row-{row}", classes="tile-grid")
        # Textual takes a layout by name from its own table only; this one is ours.
        self._default_layout = TileLayout()
        self.tiles = tiles
        self.held = not shown
        self.boxes: dict[Widget, Box] = {}

    def reveal(self) -> None:
        """Mount the tiles held back while the row was collapsed (once)."""
        if self.held:
            self.held = False
            self.mount_all(self.tiles)

    def place(self, boxes: Sequence[Box]) -> None:
        """Put the tiles (in order) in `boxes`; the grid is as tall as they take."""
        self.boxes = dict(zip(self.tiles, boxes, strict=False))
        self.styles.height = extent(boxes)
        # Textual keeps an arrangement per size: at the same size, new boxes would
        # not be seen (a resize is laid out before the rows hear of it).
        self._clear_arrangement_cache()
        self.refresh(layout=True)


class TileWidget(Protocol):
    """What the app asks of a tile's widget (allintop.ui.cards.kinds makes them)."""

    index: int
    """Its first panel's dashboard index (zoom shows it)."""

    def show(self, state: PanelState) -> None: ...

    def mark(self, alerts: Sequence[ActiveAlert], down: Sequence[Target], now: float) -> None: ...


@dataclass(frozen=True, slots=True)
class TileView:
    """A tile on the dashboard: its widget, its row's number and the panels it shows
    (dashboard indexes; none for a text tile)."""

    widget: Widget
    row: int
    panels: range

    @property
    def tile(self) -> TileWidget:
        return cast(TileWidget, self.widget)


T = TypeVar("T")


def unique(items: Iterable[T]) -> list[T]:
    """`items` without repeats, in order (by equality: not all are hashable)."""
    out: list[T] = []
    for item in items:
        if item not in out:
            out.append(item)
    return out
