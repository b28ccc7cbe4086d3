"""`allintop`: the live dashboard in the terminal (and, with --screenshot, an SVG of it
for scripts, taken without a terminal).

Start-up creates some 100,000 objects that live as long as the process, and the
cyclic GC's passes over them were about a tenth of the first paint. So the GC is off
from the start of the command (before its heavy imports) until the dashboard's first
values are painted: the app then freezes what exists and turns it back on. However
the command ends, the GC is as it was.
"""

from __future__ import annotations

import argparse
import gc
import os
import shutil
import signal
import sys
import threading
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from types import FrameType
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # imported with the GC off, when the command runs
    from allintop.cli.setup import Launch
    from allintop.ui.app import DashboardApp

# --screenshot's size without a terminal (or $COLUMNS / $LINES) to take it from.
SCREENSHOT_SIZE = (120, 34)


def run(args: argparse.Namespace, environ: Mapping[str, str]) -> int:
    """The dashboard the command line asks for, until the user quits; its exit code."""
    with gc_off_until_painted():
        from allintop.cli.setup import resolve

        # With no config, the dashboard is chosen once the app runs: its frame
        # is on screen while the server is asked (allintop.ui.choosing).
        return show(resolve(args, environ, choose_later=True))


@contextmanager
def gc_off_until_painted() -> Iterator[None]:
    """The cyclic GC off for the start (see above); as it was when this ends."""
    gc.disable()
    try:
        yield
    finally:
        gc.unfreeze()
        gc.enable()


def show(launch: Launch, cleanup: Callable[[], None] | None = None) -> int:
    """Run the dashboard `launch` describes; `cleanup` (stopping the demo's stack) runs
    first when a signal ends it."""
    from allintop.ui.app import make_app

    app = make_app(
        launch.dashboard,
        launch.datasources(),
        variables=launch.variables,
        refresh=launch.refresh,
        range_=launch.range_,
        alertmanager=launch.alertmanager_clients(),
        notices=launch.notices,
        screenshot=launch.screenshot,
        contexts=launch.contexts,
        explore_to=launch.explore_to,
        choose=launch.choose,
        adapt=launch.adapt,
    )
    exit_on_signals(app, cleanup)
    if launch.screenshot is None:
        app.run()
    else:  # for scripts: no terminal needed; the app exits once the file is written
        width, height = shutil.get_terminal_size(SCREENSHOT_SIZE)
        app.run(headless=True, size=(width, height))
    chosen = app.choosing.chosen
    if chosen is not None and chosen.notice:  # said on the dashboard; kept after it
        print(f"allintop: {chosen.notice}", file=sys.stderr)
    # A crash inside the app must not look like a clean exit to a script.
    return app.return_code or 0


def exit_on_signals(app: DashboardApp, cleanup: Callable[[], None] | None = None) -> None:
    """SIGTERM and SIGHUP (an SSH session closing) end the app cleanly, like q.

    The cleanup (stopping the demo stack) runs first, because after SIGHUP the
    terminal is gone and Textual's shutdown can block writing to it; a watchdog then
    makes sure the process ends even so.
    """

    def handler(signum: int, frame: FrameType | None) -> None:
        if cleanup is not None:
            cleanup()
        app.exit()
        watchdog = threading.Timer(3.0, os._exit, args=(128 + signum,))
        watchdog.daemon = True
        watchdog.start()

    for sig in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, handler)
