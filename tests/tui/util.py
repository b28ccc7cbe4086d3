"""Helpers for driving the real app with Pilot and reading what the user sees."""

from __future__ import annotations

import time
from collections.abc import Callable

from textual.app import App
from textual.pilot import Pilot


def screen_lines(app: App) -> list[str]:
    """The terminal screen as plain text lines, exactly as composited."""
    return [strip.text for strip in app.screen._compositor.render_strips()]


def screen_text(app: App) -> str:
    return "\n".join(screen_lines(app))


async def wait_for(
    pilot: Pilot, predicate: Callable[[], bool], within: float = 20.0, what: str = ""
) -> None:
    """Let the app run until `predicate()` holds; fail after `within` seconds."""
    deadline = time.monotonic() + within
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {within}s waiting for {what or predicate}")
        await pilot.pause(0.1)
