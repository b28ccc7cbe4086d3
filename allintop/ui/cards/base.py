"""What every card shares: it draws itself line by line, keeps its lines in a cache,
and shows its status and alerts as CSS classes.

A card is one widget per panel (Textual's Line API): a tick stores the new state and
repaints the lines it changes; `render_line` makes a line only when Textual paints
it, so a card off screen does no work. Each line is kept as a Strip in an LRU cache
keyed on what it shows (a subclass's `line_key`: a content version or the content
itself, the size), plus the width and the resolved style; a new theme or style
clears it. The key each line was last painted with is kept, so `refresh_changed`
repaints just the lines whose key differs now. Two counters say what ticks cost:
`lines_drawn` (lines made anew) and `lines_painted` (lines Textual repainted).

The status (-ok, -warning, -critical, -unknown, or -plain: a value with no thresholds
to judge it) and a live alert on the panel (-firing, -pending) are CSS classes, and
each part's colours are component classes styled in allintop.tcss, so they follow
the theme. The pieces a line is made of (a cell, a series) take theirs from the
board's inks (allintop.ui.cards.ink).
"""

from __future__ import annotations

from collections.abc import Sequence

from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual.cache import LRUCache
from textual.dom import NoScreen
from textual.errors import NoWidget
from textual.geometry import Region
from textual.screen import Screen
from textual.strip import Strip
from textual.widget import Widget

from allintop.dashboard.model import Panel
from allintop.live.alerting import ActiveAlert
from allintop.sources.answers import Target
from allintop.ui.cards.ink import Inks
from allintop.ui.theme import no_colour
from allintop.ui.view import DashboardView
from allintop.values.thresholds import Status

#: The CSS class of each status.
STATUS_CLASSES = {status: f"-{status.value}" for status in Status}

#: What a card shows as its status: a Status, or "plain" (a value not judged).
Shown = Status | str

#: A line's cache key: its component class and what its content depends on.
LineKey = tuple[str, tuple[object, ...]]


class Card(Widget, can_focus=True):
    """A panel's card: a cache of drawn lines, status and alert classes.

    Subclasses say which part a line is and what it depends on (`line_key`), and draw
    it (`draw_line`); they call `show_status` when what they show is judged anew, and
    react to new alert marks in `marked`.

    Args:
        index: the dashboard index of its (first) panel: what zoom opens.
        panel: how it is drawn (kind, reducer, mappings); None for a panels.yaml card.
        id: the widget's id.
    """

    #: Lines kept drawn: enough for every line of a tall card at a few sizes.
    CACHE_LINES = 64

    def __init__(self, index: int, panel: Panel | None, *, id: str | None) -> None:  # noqa: A002
        super().__init__(id=id, classes="-unknown")
        self.index = index
        self.panel = panel
        self.alerts: tuple[ActiveAlert, ...] = ()
        self.down: tuple[Target, ...] = ()
        self.now = 0.0
        self.lines_drawn = 0
        """Lines drawn anew (not from the cache) since it was made: what a tick cost."""
        self.lines_painted = 0
        """Lines Textual repainted (`render_line` calls, from the cache or drawn anew)
        since it was made: what a tick cost the compositor."""
        self._lines: LRUCache[tuple[object, ...], Strip] = LRUCache(self.CACHE_LINES)
        # Each line's cache key as last painted: what `refresh_changed` compares.
        self._painted: dict[int, tuple[object, ...]] = {}
        # Each part's style until the next restyle: Textual forgets its own copy at
        # every refresh, and a tick asks for one per line.
        self._part_styles: dict[str, Style] = {}
        self.inks: Inks | None = None
        """The colours of the pieces its lines are made of; the board's (see ink.py)."""
        self._shown: Shown | None = None

    # -- what a tick changes --

    def show_status(self, shown: Shown) -> None:
        """Set the status class: one of STATUS_CLASSES, or -plain."""
        if shown == self._shown:
            return
        self._shown = shown
        # One restyle for all of them: each is a pass over the card's component classes.
        classes = {css: status == shown for status, css in STATUS_CLASSES.items()}
        self.update_classes({**classes, "-plain": shown == "plain"})

    def mark(self, alerts: Sequence[ActiveAlert], down: Sequence[Target], now: float) -> None:
        """Show the alerts on this panel and the down targets it reads."""
        alerts, down = tuple(alerts), tuple(down)
        if alerts == self.alerts and down == self.down and (not alerts or now - self.now < 1):
            return
        went_down = bool(down) != bool(self.down)
        self.alerts, self.down, self.now = alerts, down, now
        live = [a for a in alerts if not a.silenced]
        firing = any(a.state == "firing" for a in live)
        pending = bool(live) and all(a.state == "pending" for a in live)
        self.update_classes({"-firing": firing, "-pending": pending})
        self.marked(went_down)

    def marked(self, went_down: bool) -> None:
        """New marks are stored: repaint what they change (`went_down`: a target it
        reads went down, or came back up)."""
        self.redraw()

    def redraw(self) -> None:
        """Draw every line anew (what it shows was changed from outside)."""
        self._lines.clear()
        self.refresh()

    def refresh_rows(self, first: int, count: int) -> None:
        """Repaint `count` lines from line `first`."""
        if self.is_mounted:
            self.refresh(Region(0, first, self.outer_size.width, count))

    def refresh_changed(self) -> None:
        """Repaint the lines whose content differs from what was last painted (by their
        cache keys, which a subclass makes of what a line shows), none when nothing
        changed; a card not on screen is repainted whole when it is next shown."""
        width, height = self.size
        if not self.on_screen() or width <= 0 or not self._painted:
            self.refresh()
            return
        changed = [
            y for y in range(height) if self._painted.get(y) != self._cache_key(y, width, height)
        ]
        for y in changed:
            self.refresh_rows(y, 1)

    def on_screen(self) -> bool:
        """Whether any of it is on the screen now."""
        try:
            return self.screen.region.overlaps(self.region)
        except (NoScreen, NoWidget):  # not laid out (yet, or any more)
            return False

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._lines.clear()
        self._part_styles.clear()

    def part_style(self, part: str) -> Style:
        """The style of a part of the card (a component class), as last styled."""
        style = self._part_styles.get(part)
        if style is None:
            style = self._part_styles[part] = self.get_component_rich_style(part)
        return style

    # -- drawing --

    def render_line(self, y: int) -> Strip:
        self.lines_painted += 1
        width, height = self.size
        if width <= 0:
            return Strip.blank(0)
        cache_key = self._cache_key(y, width, height)
        self._painted[y] = cache_key
        return self.strip_at(y, cache_key)

    def _cache_key(self, y: int, width: int, height: int) -> tuple[object, ...]:
        part, key = self.line_key(y, height)
        return (part, width, self.part_style(part), *key)

    def strip_at(self, y: int, cache_key: tuple[object, ...] | None = None) -> Strip:
        """Line `y` at the card's size, from the cache or drawn anew (not counted as
        painted: tests read lines with it)."""
        width, height = self.size
        if width <= 0:
            return Strip.blank(0)
        cache_key = cache_key or self._cache_key(y, width, height)
        strip = self._lines.get(cache_key)
        if strip is None:
            part = str(cache_key[0])
            strip = self.draw_line(part, y, width, height, self.part_style(part))
            self.lines_drawn += 1
            self._lines[cache_key] = strip
        return strip

    def piece_style(self, piece: str) -> Style:
        """The style of a piece of a line (a cell, a series), by its class: the ink's,
        on this card's background. An "rgb(r,g,b)" piece is that colour (an
        annotation's, which no class names). No colour without inks (a card outside a
        board), nor under NO_COLOR for an rgb piece."""
        if piece.startswith("rgb("):
            return Style() if no_colour() else Style(color=piece, bold=True)
        if self.inks is None:
            return Style()
        return self.inks.style(piece, focused=self.has_focus)

    def pieces_strip(self, pieces: Sequence[tuple[str, str]], style: Style, width: int) -> Strip:
        """A line of (text, piece class) pieces over the part's `style`, `width` cells."""
        segments = [
            Segment(text, style + self.piece_style(piece)) for text, piece in pieces if text
        ]
        return Strip(segments).adjust_cell_length(width, style)

    def line_key(self, y: int, height: int) -> LineKey:
        """Line `y`'s component class, and what its content depends on."""
        raise NotImplementedError

    def draw_line(self, part: str, y: int, width: int, height: int, style: Style) -> Strip:
        """Line `y`, of component class `part`, at this size, in `style`."""
        raise NotImplementedError

    def text_strip(self, text: Text, style: Style, width: int) -> Strip:
        """`text` on one line of `width` cells in the part's `style`, cut with an ellipsis."""
        line = Text(style=style, no_wrap=True, overflow="ellipsis", end="")
        line.append_text(text)
        line.truncate(width, overflow="ellipsis", pad=True)
        # Every segment gets a style (a segment without one would stop NO_COLOR's filter).
        return Strip(Segment.apply_style(line.render(self.app.console), style), width)

    # -- Enter --

    def zoom_screen(self, view: DashboardView) -> Screen[None]:
        """What Enter opens: its queries, charted and listed."""
        from allintop.ui.screens.zoom import ZoomScreen  # plotext only when zooming

        return ZoomScreen(view, self.index, panel=self.panel)
