"""The top level of a panels.yaml: refresh, range, datasources, variables and rows,
read into a Dashboard."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from types import MappingProxyType

from yaml.nodes import MappingNode, Node

from allintop.dashboard.datasource import DatasourceSet
from allintop.dashboard.model import DEFAULT_RANGE, DEFAULT_REFRESH, Dashboard, Row, Tab
from allintop.dashboard.panels_yaml.annotations import read_annotations
from allintop.dashboard.panels_yaml.datasources import read_datasources
from allintop.dashboard.panels_yaml.nodes import (
    duration,
    fail,
    kind_of,
    mapping,
    nonempty_text,
    optional,
)
from allintop.dashboard.panels_yaml.rows import References, read_rows
from allintop.dashboard.panels_yaml.variables import (
    placeholder_values,
    read_variables,
    with_default,
)
from allintop.values.durations import format_duration

TOP_KEYS = (
    "title",
    "datasource",
    "datasources",
    "refresh",
    "range",
    "variables",
    "rows",
    "annotations",
)


def read_dashboard(
    root: Node, source: str, base_dir: Path, given: DatasourceSet | None = None
) -> Dashboard:
    if not isinstance(root, MappingNode):
        fail(
            root,
            "",
            f"the top level must be a mapping (rows:, refresh:, ...), got {kind_of(root)}",
            "see the bundled default panels.yaml for the shape",
        )
    fields = mapping(root, "", TOP_KEYS, required=("rows",))
    refresh = optional(fields, "refresh", "", duration)
    refresh = DEFAULT_REFRESH if refresh is None else refresh
    if refresh <= 0:
        fail(fields["refresh"], "refresh", "must be more than 0", "e.g. refresh: 5s")
    range_ = _read_range(fields, refresh)
    if given is None:
        default, named = read_datasources(fields, base_dir)
    else:  # a context's: the file's own are not used (nor checked)
        default, named = given.default, dict(given.named)
    names = tuple(named) or (default.name,)
    variables = optional(fields, "variables", "", lambda n, p: read_variables(n, p, names)) or ()
    variables = tuple(with_default(v, default.name) for v in variables)
    refs = References(names, {v.name: v for v in variables if v.kind == "datasource"})
    rows = tuple(read_rows(fields["rows"], "rows", placeholder_values(variables), refs))
    title = optional(fields, "title", "", nonempty_text)
    placeholders = placeholder_values(variables)
    annotations = optional(
        fields, "annotations", "", lambda n, p: read_annotations(n, p, placeholders, refs)
    )
    return Dashboard(
        source=source,
        datasource=default,
        refresh=refresh,
        range=range_,
        variables=variables,
        rows=rows,
        title=title,
        datasources=MappingProxyType(named),
        tabs=tabs_of(rows, title or "Dashboard"),
        annotations=annotations or (),
    )


def _read_range(fields: Mapping[str, Node], refresh: float) -> float:
    range_ = optional(fields, "range", "", duration)
    default = ""
    if range_ is None:
        range_, default = DEFAULT_RANGE, ", the default"
        node, key = fields.get("refresh"), "refresh"
    else:
        node, key = fields["range"], "range"
    if range_ < refresh and node is not None:
        fail(
            node,
            key,
            f"the range ({format_duration(range_)}{default}) is shorter than the refresh "
            f"interval ({format_duration(refresh)})",
            "the range must hold at least one refresh: raise range or lower refresh",
        )
    return range_


def tabs_of(rows: tuple[Row, ...], first: str) -> tuple[Tab, ...]:
    """The tabs the rows' `tab` names, in the order first named, each with its rows;
    a row naming none is on the previous row's tab, the rows before the first named
    one on a tab titled `first`. No row naming one: no tabs."""
    if all(row.tab is None for row in rows):
        return ()
    found: dict[str, list[int]] = {}
    current = first
    for number, row in enumerate(rows):
        current = row.tab if row.tab is not None else current
        found.setdefault(current, []).append(number)
    return tuple(Tab(title, tuple(numbers)) for title, numbers in found.items())
