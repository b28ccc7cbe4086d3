"""A table tile's rows: instant series of one or more queries joined on the labels
they have in common (Grafana's "merge" of several targets), one column per label and
one per query's value, sorted worst first. Pure: no Textual, no network.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from allintop.live.reports import SeriesView, worst
from allintop.values.thresholds import Status, value_order

Order = Callable[[float], tuple[int, float]]
_RANK = {Status.CRITICAL: 0, Status.WARNING: 1, Status.OK: 2, Status.UNKNOWN: 3}


@dataclass(frozen=True, slots=True)
class TableRow:
    labels: tuple[str, ...]
    """The row's value of each label column ("" where a series lacks the label)."""
    values: tuple[float | None, ...]
    """One per query: None where the query has no series for this row."""
    statuses: tuple[Status, ...]
    status: Status
    """Its worst value's: what the row is sorted and coloured by."""


@dataclass(frozen=True, slots=True)
class Table:
    labels: tuple[str, ...]
    """Label columns: those that tell rows apart first, then those all rows share."""
    values: tuple[str, ...]
    """Value columns: each query's name."""
    rows: tuple[TableRow, ...]


def common_labels(queries: Sequence[Sequence[SeriesView]]) -> list[str]:
    """The label names every series of every query has (not __name__), sorted."""
    sets = [set(s.labels) - {"__name__"} for series in queries for s in series]
    return sorted(set.intersection(*sets)) if sets else []


def join(queries: Sequence[tuple[str, Sequence[SeriesView]]], order: Order = value_order) -> Table:
    """The queries' series as one table, keyed on their common labels.

    A query with several series for one key (labels beyond the common ones) gives
    the row its first one: series arrive worst first, so the one that matters.
    `order` ranks rows of equal status by their first value (the first query's
    panel's: worst first with thresholds, else biggest first).
    """
    names = [name for name, _ in queries]
    keys = common_labels([series for _, series in queries])
    cells: dict[tuple[str, ...], list[SeriesView | None]] = {}
    for column, (_, series) in enumerate(queries):
        for view in series:
            key = tuple(view.labels.get(k, "") for k in keys)
            row = cells.setdefault(key, [None] * len(queries))
            if row[column] is None:
                row[column] = view
    rows = [_row(key, views) for key, views in cells.items()]
    # Rows of equal rank by their labels: never swapped by the order series arrive in.
    rows.sort(key=lambda row: (_RANK[row.status], _first_order(row, order), row.labels))
    varying = [i for i, _ in enumerate(keys) if len({row.labels[i] for row in rows}) > 1]
    shown = varying + [i for i in range(len(keys)) if i not in varying]
    return Table(
        tuple(keys[i] for i in shown),
        tuple(names),
        tuple(
            TableRow(tuple(r.labels[i] for i in shown), r.values, r.statuses, r.status)
            for r in rows
        ),
    )


def _row(key: tuple[str, ...], views: Sequence[SeriesView | None]) -> TableRow:
    values = tuple(v.value if v is not None else None for v in views)
    statuses = tuple(v.status if v is not None else Status.UNKNOWN for v in views)
    return TableRow(key, values, statuses, worst(statuses))


def _first_order(row: TableRow, order: Order) -> tuple[int, float]:
    value = next((v for v in row.values if v is not None), math.nan)
    return order(value)
