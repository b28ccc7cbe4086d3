"""The board: the dashboard's rows of cards (panels.yaml) or tiles (Grafana), scrolled.

It builds each row's title and body, lays them out for its size (allintop.ui.layout
plans it, pure), folds and unfolds Grafana's rows, moves the focus with the arrow and
page keys, and hands each panel's new state and alert markers to its card once in
sight (allintop.ui.covered: a tick costs the cards on screen, none under a screen that
hides the board). It says which panels are on screen or within PREFETCH_SCREENS of it
whenever that changes (`on_shown`): only those are asked.

It shows one tab's rows at a time (`switch_tab`), and of them those whose variable
conditions hold (`use_values`): a hidden row is not laid out, so not asked
(allintop.ui.shown_rows keeps which rows those are).

`panels` is what it shows, in order: a read-only view for the app and the tests.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable, Mapping

from textual import events, on
from textual.app import ComposeResult
from textual.containers import Grid, VerticalScroll
from textual.geometry import Region, Size
from textual.message import Message
from textual.widget import Widget

from allintop.dashboard.model import Dashboard, Pick
from allintop.live.reports import QueryState
from allintop.live.state import DashboardState
from allintop.ui import layout
from allintop.ui.cards.ink import Inks
from allintop.ui.covered import HeldNews, on_uncover
from allintop.ui.layout import Box
from allintop.ui.row_title import RowTitle
from allintop.ui.rows import BoardPanel, PanelGrid, board_panel, unique
from allintop.ui.shown_rows import ShownRows

#: Panels within this many screens above or below the screen are asked on each tick
#: too, so a page key or a short scroll finds their values there already.
PREFETCH_SCREENS = 1


class Board(VerticalScroll, inherit_bindings=False, can_focus=False):
    """The dashboard's rows (the widget with id "rows").

    No keys of its own: a scroll container's arrows would scroll it instead of moving
    between panels, and the page keys are the app's (they move the focus too). Nor
    focus: its cards take it. A focusable board took the screen's first focus, then
    lost it to the first card, and each change restyled every card under it.

    Args:
        dashboard: the dashboard to show.
        on_shown: told the panels (dashboard indexes) on screen or near it, each
            time they change.
    """

    class Scrolled(Message):
        """Scrolled to another line: other panels may be near the screen now."""

    def __init__(
        self,
        dashboard: Dashboard,
        on_shown: Callable[[frozenset[int]], None],
        values: Mapping[str, Pick] | None = None,
    ) -> None:
        super().__init__(id="rows")
        self.dashboard = dashboard
        self._shown_rows = ShownRows(values)  # the rows shown: the tab's, conditions met
        self._on_shown = on_shown
        self._panels: tuple[BoardPanel, ...] = ()
        self._rows: list[list[BoardPanel]] = []
        self._by_index: dict[int, BoardPanel] = {}
        self._by_card: dict[Widget, BoardPanel] = {}
        self._titles: list[RowTitle] = []
        self._bodies: list[Widget] = []
        self._folded: dict[str, bool] = {}  # rows the user collapsed / expanded, by title
        self._boxes: tuple[tuple[Box, ...], ...] = ()  # each row's cards in its body
        self._page: layout.Page | None = None  # None: not laid out yet
        self._scroll_wanted: int | None = None  # a row unfolded before Textual laid it out
        self._shown: frozenset[int] = frozenset()
        self._marked: tuple[object, ...] = ()  # what the cards' marks were made from
        self.news = HeldNews(self, self._show, self._mark)
        """What the cards are handed, held while another screen hides the board."""
        self.inks = Inks.make()  # the colours of what the cards draw, for all of them

    # -- what is shown --

    @property
    def panels(self) -> tuple[BoardPanel, ...]:
        """Every panel on the board, in the dashboard's order (a folded row's too)."""
        return self._panels

    @property
    def tab(self) -> tuple[int, int, str] | None:
        """The tab shown: (its number from 1, how many, its title); None if no tabs."""
        return self._shown_rows.heading(self.dashboard)

    @property
    def laid_out(self) -> bool:
        """Whether it was planned for a size yet (before that every panel is asked)."""
        return self._page is not None

    def compose(self) -> ComposeResult:
        yield from (self.inks.plain, self.inks.focused, *self._build())

    def on_mount(self) -> None:
        on_uncover(self, self.news.release)

    async def show_dashboard(
        self, dashboard: Dashboard, values: Mapping[str, Pick] | None = None
    ) -> None:
        """Another dashboard (reloaded, or another context's): new rows and cards,
        laid out. No panel is shown until then, and the keys move nowhere (the old
        page does not describe the new rows). `values`: its variables' picks."""
        self.dashboard = dashboard
        if values is not None:
            self._shown_rows.values = dict(values)
        self._shown, self._page, self._boxes, self._scroll_wanted = frozenset(), None, (), None
        self.news.forget()  # for the old cards
        old, widgets = [*self._titles, *self._bodies], self._build()
        # Shielded: the worker this runs in may be cancelled (the app quitting), and
        # that would cancel the rows' own removal, which the app's shutdown awaits.
        await asyncio.shield(self.remove_children(old))
        await asyncio.shield(self.mount_all(widgets))
        self.lay_out()

    async def retitle(self, dashboard: Dashboard, states: Iterable[QueryState]) -> None:
        """The dashboard again, its titles (or a repeat's copies) new for the picks:
        built anew showing `states`, the focus kept on the panel it was on."""
        focused = self.focused_panel()
        await self.show_dashboard(dashboard)
        self.show(states)
        self.focus_panel(focused.indexes.start if focused is not None else 0)

    def _build(self) -> list[Widget]:
        """Each row's title and body: a grid of cards (panels.yaml's rows, as ever) or
        the tiles of a Grafana row, hidden while it is collapsed."""
        self._rows, self._titles, self._bodies, self._marked = [], [], [], ()
        visible = self._shown_rows.built(self.dashboard)
        widgets: list[Widget] = []
        first = 0
        for number, row in enumerate(self.dashboard.rows):
            shown = [board_panel(tile, row, number, first, self.inks) for tile in row.layout]
            self._rows.append(shown)
            first += len(row.queries)
            cards = [panel.card for panel in shown]
            if row.panels:
                collapsed = self._folded.get(row.title, row.collapsed)
                title = RowTitle(
                    row.title, number, collapsible=True, collapsed=collapsed, count=len(shown)
                )
                body: Widget = PanelGrid(*cards, row=number, shown=not collapsed)
                body.display = not collapsed
            else:
                title = RowTitle(row.title, number)
                body = Grid(*cards, classes="row-grid", id=f"row-{number}")
            if number not in visible:
                title.display = body.display = False
            self._titles.append(title)
            self._bodies.append(body)
            widgets += [title, body]
        self._panels = tuple(panel for row in self._rows for panel in row)
        self._by_index = {i: panel for panel in self._panels for i in panel.indexes}
        self._by_card = {panel.card: panel for panel in self._panels}
        return widgets

    # -- layout --

    def start(self, size: Size) -> None:
        """Planned before the first layout, for `size` (the terminal's, less the
        header and footer): the first poll asks only what will be on screen."""
        self._plan(size)
        self._update_shown()

    def on_resize(self, event: events.Resize) -> None:
        # Planned on the rows' own resize, not the terminal's: when the terminal's
        # arrives, the rows still have their old size (the cards one resize behind).
        self.lay_out(event.size)

    def watch_virtual_size(self, size: Size) -> None:
        if self._scroll_wanted is not None:  # the unfolded row laid out, maybe
            self.call_later(self._scroll_to_row, self._scroll_wanted)

    def watch_scroll_y(self, old_value: float, new_value: float) -> None:
        super().watch_scroll_y(old_value, new_value)
        if round(old_value) != round(new_value):
            self.post_message(self.Scrolled())

    @on(Scrolled)
    def _scrolled(self, event: Scrolled) -> None:
        event.stop()
        # A reload empties the rows before it mounts the new ones: their scroll drops
        # to 0 meanwhile, with the page still the old dashboard's. Once mounted, the
        # new rows are laid out and asked for anyway.
        if self._mounted():
            self._update_shown()

    def _mounted(self) -> bool:
        """Whether every row's body is mounted: not while a reload (or the start) is
        still mounting them, when the page does not describe them yet."""
        return all(body.is_mounted for body in self._bodies)

    def lay_out(self, size: Size | None = None) -> None:
        """Cards and tiles laid out for `size` (else the board's current one)."""
        size = size or self.size
        if not self._mounted():
            # Rows still being mounted (at start, or a reload's new cards): lay them
            # out once they all are.
            self.call_after_refresh(self.lay_out)
            return
        cards = self._plan(size)
        for number in self._shown_rows.numbers:
            row, body = self.dashboard.rows[number], self._bodies[number]
            boxes = self._boxes[number]
            if isinstance(body, PanelGrid):
                body.place(boxes)
            elif cards is not None:
                # A short row spreads over the full width rather than leaving a hole.
                body.styles.grid_size_columns = min(cards.columns, len(row.queries))
                body.styles.grid_rows = str(cards.card_height)
                for child in body.children:
                    child.styles.height = cards.card_height
        self._update_shown()

    def _plan(self, size: Size) -> layout.Layout | None:
        """Where every row's cards or tiles go for rows of `size` (kept, for what is on
        screen and where the keys move); the card grid's plan, if there are cards."""
        rows = [self.dashboard.rows[number] for number in self._shown_rows.numbers]
        collapsed = [self._titles[number].collapsed for number in self._shown_rows.numbers]
        scrollbar = self.styles.scrollbar_size_vertical
        plan = layout.plan_page(rows, size.width, size.height, collapsed, scrollbar)
        self._boxes = self._shown_rows.spread(plan.bodies, ())
        self._page = self._shown_rows.spread_page(plan.page)
        return plan.grid

    def _restack(self) -> None:
        """The page again, after a row folded or unfolded."""
        bodies = [self._boxes[number] for number in self._shown_rows.numbers]
        collapsed = [self._titles[number].collapsed for number in self._shown_rows.numbers]
        page = layout.stacked(bodies, collapsed)
        self._page = self._shown_rows.spread_page(page)

    def _update_shown(self) -> None:
        """Tell `on_shown` the panels of expanded rows on screen or within
        PREFETCH_SCREENS of it, if they changed."""
        if self._page is None:
            return
        # Not laid out yet: the terminal's height, less the header and footer.
        height = self.size.height or max(self.app.size.height - 2, 1)
        top = round(self.scroll_y)
        margin = height * PREFETCH_SCREENS
        spans = [[panel.indexes for panel in row] for row in self._rows]
        self.news.see(layout.shown(self._page, spans, top, top + height))
        shown = layout.shown(self._page, spans, top - margin, top + height + margin)
        if shown != self._shown:
            self._shown = shown
            self._on_shown(shown)

    # -- the cards --

    def show(self, states: Iterable[QueryState]) -> None:
        """Panels' new states, each to the card that shows it."""
        self.news.show(states)

    def mark(self, state: DashboardState, now: float) -> None:
        """Each card's alert markers and down targets, from `state`."""
        self.news.mark(state, now)

    def _show(self, state: QueryState) -> None:
        panel = self._by_index.get(state.index)
        if panel is not None:
            panel.widget.show(state)

    def _mark(self, state: DashboardState, now: float) -> None:
        # The same alerts and targets, none active: each card's marks stay as they are
        # (an active one's may not: it says for how long).
        key = (state.active, state.down, state.alert_map, state.exprs)
        if key == self._marked and not state.active:
            return
        self._marked = key
        for panel in self._panels:
            if panel.indexes:
                alerts = unique(a for i in panel.indexes for a in state.markers(i))
                down = unique(t for i in panel.indexes for t in state.down_for(i))
                panel.widget.mark(alerts, down, now)

    def focused_panel(self) -> BoardPanel | None:
        """The panel whose card has the focus, if one has."""
        focused = self.app.focused
        return self._by_card.get(focused) if focused is not None else None

    # -- tabs, and rows shown on conditions --

    def switch_tab(self, step: int) -> None:
        """The next (1) or previous (-1) tab, round, from its top."""
        if not self._shown_rows.step_tab(self.dashboard, step):
            return
        self._show_rows()
        self.scroll_to(y=0, animate=False, immediate=True)
        self.focus_first()

    def use_values(self, values: Mapping[str, Pick]) -> None:
        """The variables' new picks: rows shown on a condition shown or hidden."""
        self._shown_rows.values = dict(values)
        self._show_rows()

    def _show_rows(self) -> None:
        """Show the rows of the tab whose conditions hold, hide the others, and lay
        the board out again for them."""
        visible = self._shown_rows.changed(self.dashboard)
        if visible is None:
            return
        focused, lost = self.app.focused, False
        for number, (title, body) in enumerate(zip(self._titles, self._bodies, strict=True)):
            shown = number in visible
            if not shown and focused is not None:
                lost = lost or focused is title or body in focused.ancestors
            title.display = shown
            body.display = shown and not title.collapsed
        if self._page is not None:
            self.lay_out()
        if lost:
            self.focus_first()

    # -- rows: collapse, expand --

    def toggle_focused(self, *, on_title_only: bool = False) -> bool:
        """Collapse or expand the row of the focused title (or card, unless
        `on_title_only`); whether there was one."""
        focused = self.app.focused
        if isinstance(focused, RowTitle):
            self.toggle(focused.row)
            return True
        panel = self.focused_panel()
        if panel is None or on_title_only:
            return False
        self.toggle(panel.row)
        return True

    @on(RowTitle.Toggled)
    def _title_clicked(self, message: RowTitle.Toggled) -> None:
        self.toggle(message.row)
        self.screen.set_focus(self._titles[message.row])

    def toggle(self, row: int) -> None:
        """Collapse or expand row `row` (a Grafana row; panels.yaml's do not fold): a
        collapsed row's panels are not asked, an expanded one's are fetched at once."""
        title = self._titles[row]
        if not title.collapsible:
            return
        collapsed = not title.collapsed
        self._folded[self.dashboard.rows[row].title] = collapsed
        title.set_collapsed(collapsed)
        body = self._bodies[row]
        focused = self.app.focused
        if collapsed and focused is not None and body in focused.ancestors:
            self.screen.set_focus(title)
        body.display = not collapsed
        if not collapsed and isinstance(body, PanelGrid):
            body.reveal()
        if self._page is not None:
            self._restack()
        self._update_shown()
        if collapsed:
            self._scroll_wanted = None
        else:  # once laid out: scrolled so that what it holds shows
            self.call_after_refresh(self._scroll_to_row, row)

    def _scroll_to_row(self, row: int) -> None:
        """Scroll (as little as will do) to show the row's title and its tiles, or as
        many of them as fit. Textual lays an unfolded row out at a refresh that, on a
        loaded machine, can come after this: the scroll then stops at the page's old
        end, and is asked again once the content has grown (`watch_virtual_size`)."""
        page = self._page
        if page is None or row >= len(page.titles):
            return
        laid_out = self.virtual_size.height >= page.height
        self._scroll_wanted = None if laid_out else row
        top = page.titles[row]
        bottom = max((box.bottom for box in page.panels[row]), default=top + 1)
        height = max(self.scrollable_content_region.height, 1)
        region = Region(0, top, 1, min(bottom - top, height))
        self.scroll_to_region(region, animate=False, immediate=True)

    # -- focus: arrows, pages, the ends --

    def _places(self) -> list[tuple[Box, Widget]]:
        """What the arrow and page keys move between, with where it is on the page:
        the title of each row that folds, and the tiles of expanded rows."""
        page = self._page
        if page is None:
            return []
        places: list[tuple[Box, Widget]] = []
        for number in self._shown_rows.numbers:
            row, title = self._rows[number], self._titles[number]
            if title.collapsible:
                # No width: from a title, up and down go to a line's first tile.
                places.append((Box(0, page.titles[number], 0, 1), title))
            boxes = page.panels[number]
            places += [(b, p.card) for b, p in zip(boxes, row, strict=False) if p.card.can_focus]
        return places

    def move(self, dx: int, dy: int) -> None:
        """Focus the nearest panel (or row title) in that direction."""
        places = self._places()
        if not places:
            return
        here = next((box for box, widget in places if widget is self.app.focused), None)
        if here is None:
            self.focus_first()
            return
        index = layout.nearest([box for box, _ in places], here, dx, dy)
        if index is not None:
            # At once, not behind queued keys as focus(): each arrow of a burst counts.
            self.screen.set_focus(places[index][1])

    def focus_first(self) -> None:
        """The first panel on the dashboard, else the first row's title."""
        places = self._places()
        tiles = [widget for _, widget in places if not isinstance(widget, RowTitle)]
        first = tiles[0] if tiles else places[0][1] if places else None
        if first is not None:
            self.screen.set_focus(first)

    def focus_panel(self, index: int) -> None:
        """Focus the card of panel `index` (the nearest there is), or its row's title
        if the row is collapsed."""
        if not self._by_index:
            self.focus_first()
            return
        panel = self._by_index.get(min(index, max(self._by_index)))
        if panel is None or panel.row not in self._shown_rows.numbers:
            self.focus_first()
        elif self._titles[panel.row].collapsed:
            self.screen.set_focus(self._titles[panel.row])
        elif panel.card.can_focus:
            self.screen.set_focus(panel.card)

    def page(self, direction: int) -> None:
        """A screen down (1) or up (-1); the focus goes to the first panel (or row
        title) on the new screen."""
        height = max(self.scrollable_content_region.height, 1)
        target = min(max(round(self.scroll_y) + direction * height, 0), round(self.max_scroll_y))
        self.scroll_to(y=target, animate=False, immediate=True)
        self._focus_from(target, height)

    def edge(self, direction: int) -> None:
        """The top (-1) or the bottom (1) of the dashboard."""
        height = max(self.scrollable_content_region.height, 1)
        target = 0 if direction < 0 else round(self.max_scroll_y)
        self.scroll_to(y=target, animate=False, immediate=True)
        places = self._places()
        if places and direction > 0:
            places[-1][1].focus(scroll_visible=False)
        else:
            self._focus_from(target, height)

    def _focus_from(self, top: int, height: int) -> None:
        """Focus the first place that starts in lines [top, top + height), else the
        first one on them at all (a tile taller than the screen)."""
        places = self._places()
        starts = [(b.y, b.x, i) for i, (b, _) in enumerate(places) if top <= b.y < top + height]
        shown = [(b.y, b.x, i) for i, (b, _) in enumerate(places) if b.overlaps(top, top + height)]
        if starts or shown:
            places[min(starts or shown)[2]][1].focus(scroll_visible=False)
