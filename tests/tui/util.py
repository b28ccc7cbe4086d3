"""Helpers for driving the real app with Pilot and reading what the user sees.

The one place the tests read Textual's own internals, where a screen read needs them
(the composited screen, a Select's options and its overlay, an unhandled exception):
a Textual release that moves them breaks this module only.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable

from textual.app import App
from textual.pilot import Pilot
from textual.strip import Strip
from textual.widget import Widget
from textual.widgets import Select
from textual.widgets._select import SelectOverlay

from allintop.ui.app import DashboardApp


def notes(app: DashboardApp) -> list[str]:
    """The notifications on screen, each "title: message"."""
    return [f"{n.title}: {n.message}" for n in app.notifications]


def screen_strips(app: App) -> list[Strip]:
    """The terminal screen as composited: each line's segments."""
    return app.screen._compositor.render_strips()


def screen_lines(app: App) -> list[str]:
    """The terminal screen as plain text lines, exactly as composited."""
    return [strip.text for strip in screen_strips(app)]


def screen_text(app: App) -> str:
    return "\n".join(screen_lines(app))


def select_values(select: Select) -> list[object]:
    """The values a Select offers, in order (Textual keeps no public list of them)."""
    return [value for _, value in select._options]


def select_overlay(select: Select) -> Widget:
    """The Select's drop-down list."""
    return select.query_one(SelectOverlay)


def unhandled(app: App) -> BaseException | None:
    """The exception that ended the app, if one did (Textual keeps it for Pilot)."""
    return getattr(app, "_exception", None)


async def app_seconds(pilot: Pilot, app: App, seconds: int) -> None:
    """Let the app run until the clock in its header has moved on `seconds` times:
    time that passed for the app's own timers (its header's, its file watch's), which
    a sleep of the test's does not make sure of on a busy machine."""
    for _ in range(seconds):
        shown = _header_clock(app)
        await wait_for(pilot, lambda s=shown: _header_clock(app) != s, within=10, what="a second")


def _header_clock(app: App) -> str:
    found = re.search(r"\d\d:\d\d:\d\d", str(app.header.clock.content))
    return found[0] if found else ""


async def wait_for(
    pilot: Pilot, predicate: Callable[[], bool], within: float = 20.0, what: str = ""
) -> None:
    """Let the app run until `predicate()` holds; fail after `within` seconds."""
    deadline = time.monotonic() + within
    while not predicate():
        if time.monotonic() > deadline:
            # What the user saw then says more about a failure than the predicate.
            shown = screen_text(pilot.app)
            raise AssertionError(
                f"timed out after {within}s waiting for {what or predicate}; on screen:\n{shown}"
            )
        await pilot.pause(0.1)
