"""The table card: instant results as rows, its queries joined on common labels."""

from __future__ import annotations

from rich.cells import cell_len, set_cell_size

from allintop.dashboard.model import Query
from allintop.draw.labels import formatted
from allintop.draw.table import join
from allintop.ui.cards.body import MAX_LABEL, BodyCard, Line, fit, status_part
from allintop.values.text import clean
from allintop.values.thresholds import series_order


class TableCard(BodyCard):
    """Instant results as rows: labels as columns, each query's value a column in its
    unit and threshold colour, its queries joined on their common labels, worst row
    first."""

    def body(self, width: int, rows: int) -> list[Line]:
        answered = [
            (self._column_name(offset, query), state.series)
            for offset, query in enumerate(self.queries)
            if (state := self.states.get(offset)) is not None
        ]
        if not any(series for _, series in answered):
            return self.why(width)
        table = join(answered, series_order(self.queries[0].thresholds))
        queries = [self.queries[o] for o in range(len(self.queries)) if o in self.states]
        mappings = self.panel.mappings
        cells = [
            [formatted(v, query, mappings) for v, query in zip(row.values, queries, strict=True)]
            for row in table.rows
        ]
        value_widths = [
            max([cell_len(name)] + [cell_len(r[k]) for r in cells]) + 1
            for k, name in enumerate(table.values)
        ]
        columns = list(table.labels)
        label_widths = [
            min(
                max([cell_len(clean(c))] + [cell_len(clean(r.labels[k])) for r in table.rows]),
                MAX_LABEL,
            )
            + 1
            for k, c in enumerate(columns)
        ]
        room = width - sum(value_widths)
        while len(label_widths) > 1 and sum(label_widths) > room:
            label_widths.pop()  # the constant labels go first: they are last
        if label_widths and label_widths[0] > room:
            label_widths[0] = max(room, 4)  # the label that tells rows apart stays, cut
        header: Line = [
            (fit(clean(c), w), "tile--header") for c, w in zip(columns, label_widths, strict=False)
        ]
        header += [
            (fit(n, w).rjust(w), "tile--header")
            for n, w in zip(table.values, value_widths, strict=True)
        ]
        lines = [header]
        body_rows = table.rows if len(table.rows) <= rows - 1 else table.rows[: rows - 2]
        for row, texts in zip(body_rows, cells, strict=False):
            line: Line = [
                (fit(clean(v), w), "tile--body")
                for v, w in zip(row.labels, label_widths, strict=False)
            ]
            for text, status, w, query in zip(
                texts, row.statuses, value_widths, queries, strict=True
            ):
                part = status_part(status, query) if text != "—" else "tile--dim"
                line.append((set_cell_size(text, w - 1).rjust(w), part))
            lines.append(line)
        if len(body_rows) < len(table.rows):
            lines.append(
                [(fit(f"+{len(table.rows) - len(body_rows)} more rows", width), "tile--dim")]
            )
        return lines

    def _column_name(self, offset: int, query: Query) -> str:
        """A query's value column: "Value" alone; else what tells the queries apart
        (the legend or refId the import appended to the title), else its letter."""
        if len(self.queries) == 1:
            return "Value"
        prefix = f"{self.panel.title} · "
        if query.title.startswith(prefix) and query.title != prefix:
            return clean(query.title[len(prefix) :], 16)
        return chr(ord("A") + offset % 26)
