"""Reading the dashboard off the terminal: is every visible card painted with a number?

A card is drawn as a left bar and its lines (see allintop/ui/cards/stat.py):

    ▌ P95 Response Time ▌ ...      <- title row: "▌ " + title at column c
    ▌ 97.6 ms           ▌ ...      <- value row: "▌" at column c, then the value
    ▌ ▂▃▅▇ ...                     <- sparkline rows

A card counts as visible when both its title and its value row are on screen (the
value row starts with the bar at the same column; a card cut by the bottom of the
scroll area is not judged). Before its first value a card shows "…"; after an error
it shows a reason ("no data", "query error: ..."); painted means a number.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

BAR = "▌"
LIVE = re.compile(r"● live(\s|$)")
NUMBER = re.compile(r"[-+]?(\d|\.\d)")
HELP_TEXT = "allintop — keys"
#: What a gauge's bar starts with (allintop.draw.bars).
GAUGE_BLOCKS = "█▉▊▋▌▍▎▏"
MORE = re.compile(r"\+(\d+) more")
#: What a card says instead of a value (allintop.ui.panel_text).
REASON = re.compile(
    r"(no data|query error|unreachable|target down|native histogram|waiting|timed out|timeout)"
)


@dataclass(frozen=True)
class Paint:
    live: bool
    visible: int  # cards whose title and value rows are on screen
    painted: int  # of those, how many show a number
    waiting: tuple[str, ...]  # titles of visible cards not painted yet (first few)

    @property
    def done(self) -> bool:
        return self.live and self.visible > 0 and self.painted == self.visible


def card_value(lines: Sequence[str], title: str) -> str | None:
    """The value text of the card titled `title`, or None if it is not visible."""
    key = f"{BAR} {title}"
    for row, line in enumerate(lines[:-1]):
        column = line.find(key)
        while column >= 0:
            after = line[column + len(key) : column + len(key) + 1]
            if after in ("", " ", BAR):  # not just a prefix of a longer title
                below = lines[row + 1]
                if len(below) > column and below[column] == BAR:
                    end = below.find(BAR, column + 1)
                    return below[column + 1 : end if end >= 0 else None].strip()
                return None
            column = line.find(key, column + 1)
    return None


def card_lines(lines: Sequence[str], title: str, rows: int = 100) -> list[str]:
    """The card titled `title`, as its non-empty rows of text (title first; the value,
    the detail line), or [] if not visible."""
    key = f"{BAR} {title}"
    for row, line in enumerate(lines):
        column = line.find(key)
        if column < 0:
            continue
        out = []
        for below in lines[row : row + rows]:
            if len(below) <= column or below[column] != BAR:
                break
            end = below.find(BAR, column + 1)
            text = below[column + 1 : end if end >= 0 else None].strip()
            if text and set(text) - set("▁▂▃▄▅▆▇█ "):  # not a sparkline row
                out.append(text)
        return out
    return []


def counts_the_rest(card: Sequence[str], series: int) -> bool:
    """Whether a card of `series` series counts those it does not show ("+N more",
    fewer than all of them: it shows some)."""
    counts = (MORE.fullmatch(line.strip()) for line in card)
    return any(0 < int(found[1]) < series for found in counts if found is not None)


def grid_painted(rows: Sequence[str]) -> bool:
    """Whether a card of several series shows their values: its first row is then
    their names (or a name and its value), and some row has a number after a name;
    a card still waiting, or saying why it has none, shows no grid."""
    if not rows or rows[0] in ("…", "") or REASON.match(rows[0]):
        return False
    return any(
        NUMBER.match(token) for row in rows if not MORE.fullmatch(row) for token in row.split()[1:]
    )


def paint_state(lines: Sequence[str], titles: Sequence[str]) -> Paint:
    live = bool(lines) and LIVE.search(lines[0]) is not None
    visible = painted = 0
    waiting = []
    for title in titles:
        value = card_value(lines, title)
        if value is None:
            continue
        visible += 1
        # A gauge's bar is drawn only with a value (its number may be cut at the side).
        gauge = value[:1] in GAUGE_BLOCKS
        if NUMBER.match(value) or gauge or grid_painted(card_lines(lines, title)[1:]):
            painted += 1
        elif len(waiting) < 5:
            waiting.append(f"{title}: {value!r}")
    return Paint(live, visible, painted, tuple(waiting))


def help_shown(lines: Sequence[str]) -> bool:
    return any(HELP_TEXT in line for line in lines)
