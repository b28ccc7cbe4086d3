"""The bench reads a card of many series off the terminal: it counts the rest when
it says "+N more" under the values it shows (as the stat card does now), and not
when the count is missing or claims every series."""

from __future__ import annotations

from bench.screen import counts_the_rest, grid_painted, paint_state

CARD = ["Routes", "host-49999  50.0k req/s", "host-49998  50.0k req/s", "+49998 more"]


def test_a_card_that_counts_the_rest() -> None:
    assert counts_the_rest(CARD, 50_000)


def test_a_card_without_a_count_or_with_all_counted() -> None:
    assert not counts_the_rest(CARD[:-1], 50_000)
    assert not counts_the_rest([*CARD[:-1], "+50000 more"], 50_000)


def test_a_card_of_several_series_is_painted_when_its_grid_shows_values() -> None:
    side_by_side = ["route=/a     route=/b", "12.3 ms      4.5 ms", "+3 more"]
    stacked = ["host-1  50.0k req/s", "host-2  49.0k req/s"]
    assert grid_painted(side_by_side)
    assert grid_painted(stacked)
    assert not grid_painted(["…"])
    assert not grid_painted(["query error: bad_data: 1:5: parse error"])
    assert not grid_painted(["route=/a     route=/b"])  # names with no value under them


def test_a_gauge_whose_bar_is_drawn_is_painted() -> None:
    lines = ["allintop  ● live", "▌ Root FS Used    ▌ Sys Load", "▌█████████▊       ▌…", "▌"]
    paint = paint_state(lines, ["Root FS Used", "Sys Load"])
    assert (paint.visible, paint.painted) == (2, 1)
    assert paint.waiting == ("Sys Load: '…'",)
