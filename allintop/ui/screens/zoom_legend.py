"""The zoom screen's legend: each series' colour, name and current value, in columns."""

from __future__ import annotations

from rich.text import Text
from textual.geometry import Size
from textual.widget import Widget


class ZoomLegend(Widget):
    """Under the chart: each series' colour, name and current value, then the levels.

    Series are laid out in as many columns as the width allows, top series first
    down the first column; the height follows.
    """

    #: Columns are as wide as the longest entry, within these bounds.
    MIN_COLUMN = 36
    MAX_COLUMN = 60
    GAP = 3
    #: The legend takes at most this share of the screen's height: more columns (and
    #: shorter names) rather than a squeezed chart.
    SHARE = 0.3

    def __init__(self, *, id: str | None = None) -> None:  # noqa: A002 - Textual's name
        super().__init__(id=id)
        self.rows: list[tuple[Text, Text]] = []  # (swatch and name, value)
        self.footer = Text()

    def show(self, rows: list[tuple[Text, Text]], footer: Text) -> None:
        """New entries; the layout is redone only when the height changes."""
        width = self.size.width
        before = self._height(width)
        self.rows, self.footer = rows, footer
        self.refresh(layout=self._height(width) != before)

    def _grid(self, width: int) -> tuple[int, int]:
        """(columns, lines) for the entries at this width."""
        count = len(self.rows)
        if not count:
            return 1, 0
        natural = max(name.cell_len + 1 + value.cell_len for name, value in self.rows)
        column = min(max(natural, self.MIN_COLUMN), self.MAX_COLUMN)
        columns = (width + self.GAP) // (column + self.GAP)
        room = int(self.screen.size.height * self.SHARE) - (1 if self.footer else 0)
        columns = max(columns, -(-count // max(room, 1)))
        columns = max(1, min(count, columns, (width + self.GAP) // (20 + self.GAP)))
        lines = -(-count // columns)
        return -(-count // lines), lines

    def _height(self, width: int) -> int:
        return self._grid(width)[1] + (1 if self.footer else 0)

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        return self._height(width)

    def render(self) -> Text:
        width = self.size.width
        columns, lines = self._grid(width)
        cell = (width - self.GAP * (columns - 1)) // columns
        out = Text(no_wrap=True, overflow="ellipsis")
        for line in range(lines):
            if line:
                out.append("\n")
            # Column-major, like `ls`: the top series read down the first column.
            for column in range(columns):
                index = column * lines + line
                if index >= len(self.rows):
                    break
                name, value = self.rows[index]
                if column:
                    out.append(" " * self.GAP)
                shown = name.copy()
                shown.truncate(max(cell - value.cell_len - 1, 4), overflow="ellipsis", pad=True)
                out.append_text(shown)
                out.append(" ")
                out.append_text(value)
        if self.footer:
            if lines:
                out.append("\n")
            out.append_text(self.footer)
        return out
