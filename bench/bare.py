"""The floor: a bare Textual app showing the dashboard's cards as plain Statics.

python -m bench.bare CONFIG

No Prometheus, no polling: each panel is one Static with its title and a number, under
a header that says "● live", so the bench's screen reader judges its first paint
exactly as allintop's. Whatever allintop's first paint costs beyond this one is
allintop's own; this much is Python, Textual and the terminal.
"""

from __future__ import annotations

import sys
from pathlib import Path

from textual.app import App, ComposeResult
from textual.containers import Grid
from textual.widgets import Static

from bench.dashboards import titles


class Bare(App[None]):
    BINDINGS = [("q", "quit", "Quit")]
    CSS = """
    #header { height: 1; }
    Grid { grid-size: 4; grid-rows: 4; height: auto; }
    .card { border-left: outer green; padding-left: 1; height: 4; }
    """

    def __init__(self, names: list[str]) -> None:
        super().__init__()
        self.names = names

    def compose(self) -> ComposeResult:
        yield Static("allintop (bare Textual floor)  ● live", id="header", markup=False)
        with Grid():
            for i, name in enumerate(self.names):
                yield Static(f"{name}\n{i + 1}.0 ms", classes="card", markup=False)


def main() -> None:
    Bare(titles(Path(sys.argv[1]))).run()


if __name__ == "__main__":
    main()
