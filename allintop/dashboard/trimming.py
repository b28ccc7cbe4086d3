"""A dashboard trimmed to the metrics a server has: the generic overview, shown when
no config was given, without the panels that read a metric the server has never had
(they could show nothing but "no data"). Pure: which metrics the server has is asked
elsewhere (allintop.cli.choice).
"""

from __future__ import annotations

from dataclasses import replace

from allintop.dashboard import templating
from allintop.dashboard.model import Dashboard
from allintop.promql import parse as promql


def reads(expr: str) -> frozenset[str] | None:
    """The metric names an (interpolated) expression reads; None if it does not parse
    (the panel then shows the parser's error itself)."""
    try:
        return promql.metric_names(expr)
    except ValueError:
        return None


def metric_names(dashboard: Dashboard) -> frozenset[str]:
    """Every metric the dashboard's panels read, with the variables at their defaults."""
    found: set[str] = set()
    for expr in templating.exprs(dashboard, dashboard.variable_values()):
        found |= reads(expr) or frozenset()
    return frozenset(found)


def trim(dashboard: Dashboard, known: frozenset[str]) -> Dashboard:
    """The dashboard without the panels that read a metric not in `known`, and without
    the rows that leaves empty, remembering `known` (`trimmed_to`: a reload of its file
    trims it again). Unchanged if nothing would be left."""
    exprs = iter(templating.exprs(dashboard, dashboard.variable_values()))
    rows = []
    for row in dashboard.rows:
        panels = []
        for panel in row.queries:
            names = reads(next(exprs))
            if names is None or names <= known:
                panels.append(panel)
        if panels:
            rows.append(replace(row, queries=tuple(panels)))
    if not rows:
        return dashboard
    return replace(dashboard, rows=tuple(rows), trimmed_to=known)


def as_before(dashboard: Dashboard, before: Dashboard) -> Dashboard:
    """`dashboard` (its file read again) trimmed as `before` was, if it was."""
    if before.trimmed_to is None:
        return dashboard
    return trim(dashboard, before.trimmed_to)
