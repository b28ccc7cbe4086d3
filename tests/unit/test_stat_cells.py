"""A multi-series stat's cells as drawn: text mode, justify mode, colour mode."""

from __future__ import annotations

from allintop.dashboard.model import Panel
from allintop.draw.stat_grid import stat_grid
from allintop.ui.cards.stat_cells import Entry, grid_lines, told_apart
from allintop.values.thresholds import Status

ENTRIES = [Entry("api", "1", Status.OK), Entry("node", "0", Status.CRITICAL)]


def _drawn(panel: Panel, width: int = 20, rows: int = 2) -> list[list[tuple[str, str]]]:
    names = panel.text_mode in ("auto", "value_and_name", "name")
    grid = stat_grid(2, width, rows, value_width=1, name_width=4, names=names)
    return grid_lines(ENTRIES, grid, rows, panel)


def _text(lines: list[list[tuple[str, str]]]) -> list[str]:
    return ["".join(text for text, _ in line) for line in lines]


def test_auto_names_each_value_left_aligned() -> None:
    assert _text(_drawn(Panel("t"))) == ["api       node     ", "1         0        "]


def test_justify_center_centres_name_and_value_in_their_cell() -> None:
    # Two cells of 9 and the gap between them: 19 of the 20 cells.
    assert _text(_drawn(Panel("t", justify="center"))) == [
        "   api      node   ",
        "    1         0    ",
    ]


def test_text_mode_value_name_and_none() -> None:
    assert [t.split() for t in _text(_drawn(Panel("t", text_mode="value")))] == [["1", "0"], []]
    named = _text(_drawn(Panel("t", text_mode="name")))
    assert "api" in named[0] + named[1] and "1" not in "".join(named)
    assert "".join(_text(_drawn(Panel("t", text_mode="none")))).strip() == ""


def test_colour_modes_pick_each_values_class() -> None:
    def classes(panel: Panel) -> set[str]:
        return {part for line in _drawn(panel) for text, part in line if text.strip() in "10"}

    # Judged entries (their query has thresholds): ok and critical each its own class.
    assert {"card--ok", "card--critical"} <= classes(Panel("t"))
    assert {"card--bg-ok", "card--bg-critical"} <= classes(Panel("t", color_mode="background"))
    assert classes(Panel("t", color_mode="none")) - {"card--grid"} <= {"card--none", "card--name"}


def test_names_cut_to_their_cells_keep_the_part_that_differs() -> None:
    # Two node exporters on one host, as a 19-cell card at 80x24 shows them: cut
    # from the end, both would read "127.0.0…".
    entries = [
        Entry("127.0.0.1:35073", "93.2 %", Status.OK),
        Entry("127.0.0.1:47717", "0 %", Status.OK),
    ]
    grid = stat_grid(2, 19, 2, value_width=6, name_width=15, names=True)
    assert _text(grid_lines(entries, grid, 2, Panel("t"))) == [
        "…35073    …47717   ",
        "93.2 %    0 %      ",
    ]


def test_names_that_fit_are_shown_whole() -> None:
    assert told_apart(["127.0.0.1:35073", "127.0.0.1:47717"], 15) == [
        "127.0.0.1:35073",
        "127.0.0.1:47717",
    ]
    assert told_apart(["web-1", "db-1"], 3) == ["web-1", "db-1"]  # nothing shared to drop
