"""Whether the dashboard is hidden under another screen, and holding what its cards
are handed until they are in sight.

While a screen hides the dashboard whole (help, zoom, alerts, targets, explore: an
opaque background), a tick must keep the state up to date but the widgets under it
must not repaint: Textual still sends the changed regions of a screen below the top
one up to be redrawn, which costs the screen on top a redraw per tick and slows what
it is doing (opening, scrolling). A see-through screen (the variables, the contexts,
the command palette) leaves the dashboard in sight, so it keeps updating under it.
What changed meanwhile is painted once, when the screen over it closes.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any

from textual.dom import NoScreen
from textual.screen import Screen
from textual.widget import Widget

from allintop.live.reports import QueryState
from allintop.live.state import DashboardState


def hides(screen: Screen[Any]) -> bool:
    """Whether `screen` hides every screen below it (its background is opaque)."""
    return screen.styles.background.a >= 1


def covered_in(stack: Sequence[Screen[Any]], screen: Screen[Any]) -> bool:
    """Whether a screen above `screen` in `stack` hides it whole."""
    if screen not in stack:
        return False
    above = stack[stack.index(screen) + 1 :]
    return any(hides(top) for top in above)


def covered(widget: Widget) -> bool:
    """Whether `widget`'s screen is hidden under another one (False while it is not
    mounted, or the app is shutting down)."""
    try:
        screen = widget.screen
        stack = widget.app.screen_stack
    except NoScreen:
        return False
    return covered_in(stack, screen)


def on_uncover(widget: Widget, callback: Callable[[], None]) -> None:
    """Call `callback` whenever the screens change and `widget`'s is not covered (to
    paint what was held). Call once `widget` is mounted."""

    def changed(_top: Screen[Any]) -> None:
        if not covered(widget):
            callback()

    widget.app.screen_change_signal.subscribe(widget, changed)


class HeldNews:
    """A board's news, passed on to the cards in sight, held for the others: all of
    them while another screen hides the board, and those off screen (asked ahead, for
    a scroll to find their values there). Each holds its latest state, passed on at
    once when it comes into sight: a tick costs only the cards on screen.

    Args:
        widget: the widget whose screen decides (the board).
        show: passes a panel's new state on to its card.
        mark: passes the alert markers on, from a state and its time.
    """

    def __init__(
        self,
        widget: Widget,
        show: Callable[[QueryState], None],
        mark: Callable[[DashboardState, float], None],
    ) -> None:
        self._widget, self._show, self._mark = widget, show, mark
        self._states: dict[int, QueryState] = {}
        self._marks: tuple[DashboardState, float] | None = None
        self._on_screen: frozenset[int] | None = None  # None: every one (not laid out)

    @property
    def count(self) -> int:
        """How many panels' states are held."""
        return len(self._states)

    def show(self, states: Iterable[QueryState]) -> None:
        """A tick's new states: on to the cards in sight, held for the others."""
        hidden = covered(self._widget)  # once a tick: it walks the screen stack
        for state in states:
            if hidden or not self._in_view(state.index):
                self._states[state.index] = state
            else:
                self._states.pop(state.index, None)
                self._show(state)

    def mark(self, state: DashboardState, now: float) -> None:
        if covered(self._widget):
            self._marks = (state, now)
        else:
            self._mark(state, now)

    def forget(self) -> None:
        """Drop what is held (the cards it was for are gone)."""
        self._states, self._marks, self._on_screen = {}, None, None

    def see(self, on_screen: frozenset[int]) -> None:
        """The panels whose cards are on screen now: what is held for them is shown."""
        self._on_screen = on_screen
        self.release()

    def _in_view(self, index: int) -> bool:
        return self._on_screen is None or index in self._on_screen

    def release(self) -> None:
        """Pass on at once (one repaint) what is held for cards now in sight."""
        if covered(self._widget):
            return
        shown = [index for index in sorted(self._states) if self._in_view(index)]
        marks, self._marks = self._marks, None
        if not shown and marks is None:
            return
        with self._widget.app.batch_update():
            for index in shown:
                self._show(self._states.pop(index))
            if marks is not None:
                self._mark(*marks)
