"""The bench reads a card of many series off the terminal: it counts the rest when
it says "+N more" under the values it shows (as the stat card does now), and not
when the count is missing or claims every series."""

from __future__ import annotations

from bench.screen import counts_the_rest

CARD = ["Routes", "host-49999  50.0k req/s", "host-49998  50.0k req/s", "+49998 more"]


def test_a_card_that_counts_the_rest() -> None:
    assert counts_the_rest(CARD, 50_000)


def test_a_card_without_a_count_or_with_all_counted() -> None:
    assert not counts_the_rest(CARD[:-1], 50_000)
    assert not counts_the_rest([*CARD[:-1], "+50000 more"], 50_000)
