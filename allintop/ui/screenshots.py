"""Screenshots: `s` saves the screen on top as SVG in the working directory, and
`--screenshot FILE` saves it once the first values are in, then ends the app (for
scripts: no terminal needed)."""

from __future__ import annotations

import time
from pathlib import Path

from rich.text import Text
from textual.app import App

#: --screenshot waits this long at most for the first values (a script must not hang).
SCREENSHOT_WAIT = 20.0


def save_screen(app: App[None], now: float) -> None:
    """`s`: the screen as allintop-<time>.svg in the working directory (`now`: the
    wall clock); a notification says where, or why not."""
    directory = Path.cwd()
    stamp = time.strftime("%Y%m%d-%H%M%S", time.localtime(now))
    path = directory / f"allintop-{stamp}.svg"
    number = 1
    while path.exists():  # two in one second: keep both
        number += 1
        path = directory / f"allintop-{stamp}-{number}.svg"
    try:
        app.save_screenshot(path.name, path=str(directory))
    except OSError as error:
        app.notify(
            f"cannot write {path}: {error.strerror or error}",
            title="screenshot",
            severity="error",
            markup=False,
        )
        return
    app.notify(f"saved {path}", title="screenshot", markup=False)


class ScriptShot:
    """--screenshot FILE: the screen saved to `path` once, then the app ends (exit
    code 1, with the reason, when it cannot be written). Taken when the first values
    and sparklines are in (`ticked`), or after SCREENSHOT_WAIT whatever the screen
    shows then (an unreachable server, say)."""

    def __init__(self, app: App[None], path: Path) -> None:
        self.app = app
        self.path: Path | None = path
        app.set_timer(SCREENSHOT_WAIT, self.take)

    def ticked(self, ticks: int) -> None:
        """`ticks` reports applied: the values, then the backfilled sparklines; a
        script waits for both, and the shot is taken once they are painted."""
        if ticks >= 2:
            self.app.call_after_refresh(self.take)

    def take(self) -> None:
        path, self.path = self.path, None
        if path is None:
            return
        try:
            self.app.save_screenshot(path.name, path=str(path.parent))
        except OSError as error:
            message = f"allintop: cannot write the screenshot {path}: {error.strerror or error}"
            self.app.exit(return_code=1, message=Text(message))
            return
        self.app.exit()
