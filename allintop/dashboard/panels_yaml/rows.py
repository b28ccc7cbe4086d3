"""The `rows:` section: rows (repeated per datasource with `repeat:`, collapsed or
not), their panels, each panel's expression (or several `queries:`), unit, decimals,
thresholds and alert names, and how it is drawn (allintop.dashboard.panels_yaml.panel_keys).

The poller knows only panels of one query each: a panels.yaml panel of several
queries is several Panels, and one Panel over them draws them together. A row whose
panels say nothing of how they are drawn gets no tiles (one stat card a panel)."""

from __future__ import annotations

import difflib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

from yaml.nodes import MappingNode, Node, SequenceNode

from allintop.dashboard.model import Panel, Query, Row, Variable, listing
from allintop.dashboard.panels_yaml.nodes import (
    EXAMPLES,
    as_text,
    boolean,
    fail,
    is_null,
    key_path,
    mapping,
    nonempty_text,
    optional,
    positive_count,
    positive_duration,
    scalar,
    sequence,
)
from allintop.dashboard.panels_yaml.panel_keys import PANEL_KEYS, read_panel_keys
from allintop.promql.interpolate import interpolate_text
from allintop.promql.variable_values import Value, variables_used
from allintop.values.thresholds import (
    Threshold,
    Thresholds,
    UnitMismatchError,
    make_thresholds,
    parse_threshold,
)

#: More panels than this is a mistake (YAML aliases can repeat a list of panels in
#: every row: 11 KB make a million), refused rather than drawn as a million cards.
MAX_PANELS = 1000


_ROW_KEYS = ("title", "panels", "datasource", "repeat", "collapsed", "tab")
_PANEL_KEYS = (
    "title",
    "expr",
    "unit",
    "decimals",
    "thresholds",
    "alerts",
    "legend",
    "datasource",
    "queries",
    *PANEL_KEYS,
    "interval",
    "max_data_points",
)
_QUERY_KEYS = ("expr", "legend", "datasource", "title", "interval")
# Kinds that need no query: a text tile shows its markdown, an "other" its note.
_QUERYLESS = ("text", "other")
_THRESHOLD_KEYS = ("target", "alert")


@dataclass(frozen=True)
class References:
    """What a row's or panel's `datasource:` may name."""

    names: tuple[str, ...]
    variables: Mapping[str, Variable]

    def check(self, node: Node, path: str) -> str:
        name = nonempty_text(node, path).strip()
        if name.startswith("$"):
            bare = name[1:].strip("{}")
            if bare not in self.variables:
                known = ", ".join(f"${v}" for v in self.variables) or "none"
                fail(node, path, f'"{name}" is not a datasource variable', f"those: {known}")
            return f"${bare}"
        if name not in self.names:
            close = difflib.get_close_matches(name, self.names, n=1, cutoff=0.6)
            hint = f'did you mean "{close[0]}"?' if close else f"those: {', '.join(self.names)}"
            fail(node, path, f'unknown datasource "{name}"', hint)
        return name


def read_rows(
    node: Node, path: str, placeholders: Mapping[str, Value], refs: References
) -> tuple[Row, ...]:
    items = sequence(node, path, "rows: [{title: ..., panels: [...]}]")
    if not items:
        fail(node, path, "no rows", EXAMPLES["rows"])
    _check_panel_count(node, path, items)
    rows: list[Row] = []
    for index, item in enumerate(items):
        rows += _row(item, f"{path}[{index}]", placeholders, refs)
    return tuple(rows)


def _check_panel_count(node: Node, path: str, rows: Sequence[Node]) -> None:
    """Counted on the nodes before any panel is read: YAML aliases can repeat a list
    of panels in every row (or of queries in every panel), so the count can be vast
    while the file is small. A panel of several queries counts each."""
    count = 0
    for row in rows:
        for panel in _items(row, "panels"):
            count += len(_items(panel, "queries")) or 1
    if count > MAX_PANELS:
        fail(
            node,
            path,
            f"{count} panels: more than {MAX_PANELS} cannot be shown",
            "split the dashboard into several files (allintop -c FILE)",
        )


def _items(node: Node, key: str, depth: int = 0) -> list[Node]:
    """The list under `key` of a mapping node, its own or merged in (`<<: *row`),
    unchecked: this only counts. Merges nest only so deep in a file within limits."""
    if not isinstance(node, MappingNode) or depth > _MAX_MERGE_DEPTH:
        return []
    merged: list[Node] = []
    for key_node, value in node.value:
        if key_node.value == key and isinstance(value, SequenceNode):
            return list(value.value)
        if key_node.tag == _MERGE_TAG:
            merged += value.value if isinstance(value, SequenceNode) else [value]
    for source in merged:
        found = _items(source, key, depth + 1)
        if found:
            return found
    return []


_MERGE_TAG = "tag:yaml.org,2002:merge"
_MAX_MERGE_DEPTH = 20


def _row(node: Node, path: str, placeholders: Mapping[str, Value], refs: References) -> list[Row]:
    """The row, or with `repeat: $var` one copy per datasource the variable offers."""
    fields = mapping(node, path, _ROW_KEYS, required=("title",))
    title = nonempty_text(fields["title"], key_path(path, "title"))
    datasource = optional(fields, "datasource", path, refs.check)
    panels_node = fields.get("panels")
    if panels_node is None or is_null(panels_node):
        fail(panels_node or node, path, f'row "{title}" has no panels', EXAMPLES["panels"])
    items = sequence(panels_node, key_path(path, "panels"), "panels: [{title: ..., expr: ...}]")
    if not items:
        fail(
            panels_node,
            key_path(path, "panels"),
            f'row "{title}" has no panels',
            EXAMPLES["panels"],
        )
    entries: list[_Entry] = []
    for index, item in enumerate(items):
        first = sum(entry.panel.count for entry in entries)
        where = f"{path}.panels[{index}]"
        entries.append(_entry(item, where, placeholders, refs, datasource, first))
    row = Row(
        title=title,
        queries=tuple(panel for entry in entries for panel in entry.queries),
        datasource=datasource,
        # Only when asked for: a plain row keeps its one stat card a panel (Row.layout).
        panels=tuple(entry.panel for entry in entries) if any(e.drawn for e in entries) else (),
        collapsed=bool(optional(fields, "collapsed", path, boolean)),
        tab=optional(fields, "tab", path, nonempty_text),  # a Grafana v2 dashboard's tabs
    )
    if "repeat" not in fields:
        return [row]
    name = repeat_of(fields["repeat"], key_path(path, "repeat"), placeholders)
    if name in refs.variables:  # a datasource variable: a row per datasource, now
        return _repeated(row, refs.variables[name])
    return [replace(row, repeat=name)]  # copies as the picks are known (dashboard.repeats)


def repeat_of(node: Node, path: str, placeholders: Mapping[str, Value]) -> str:
    """The variable a row or panel repeats for ($name), checked to be one."""
    text = nonempty_text(node, path).strip()
    name = text.removeprefix("$").strip("{}")
    if not text.startswith("$") or name not in placeholders:
        known = ", ".join(f"${v}" for v in placeholders if not v.startswith("__")) or "none"
        fail(node, path, f'repeat takes a variable: "{text}" is none', f"those: {known}")
    return name


def _repeated(row: Row, variable: Variable) -> list[Row]:
    """A row once per datasource `variable` offers, side by side: panels that follow
    the variable (or name no datasource) query that one; the title says which."""
    rows = []
    own = f"${variable.name}"
    for name in variable.values:
        panels = tuple(
            replace(panel, datasource=name) if panel.datasource in (None, own) else panel
            for panel in row.queries
        )
        title = interpolate_text(row.title, {variable.name: name})
        rows.append(replace(row, title=title, queries=panels, datasource=name))
    return rows


@dataclass(frozen=True)
class _Entry:
    """One entry of a row's `panels:`: its queries, the panel that draws them, and
    whether it said how (any drawing key, or `queries:`)."""

    queries: tuple[Query, ...]
    panel: Panel
    drawn: bool


@dataclass(frozen=True)
class _Query:
    """One query of a panel: `expr:` itself, or an item of `queries:`."""

    expr: str
    line: int
    legend: str | None = None
    datasource: str | None = None
    title: str | None = None
    interval: float | None = None


def _entry(
    node: Node,
    path: str,
    placeholders: Mapping[str, Value],
    refs: References,
    row_datasource: str | None,
    first: int,
) -> _Entry:
    fields = mapping(node, path, _PANEL_KEYS, required=("title",))
    drawing = read_panel_keys(fields, path)
    if "repeat" in fields:
        drawing["repeat"] = repeat_of(fields["repeat"], key_path(path, "repeat"), placeholders)
    drawn = bool(drawing) or "queries" in fields
    title = _title(fields["title"], key_path(path, "title"), drawn)
    queries = _queries(node, fields, path, drawing.get("kind", "stat"), placeholders, refs)
    shared = _shared(node, fields, path, refs, row_datasource)
    panels = tuple(
        _query_panel(title or UNTITLED, query, index, len(queries), shared)
        for index, query in enumerate(queries)
    )
    line = node.start_mark.line + 1
    tile = Panel(title=title, first=first, count=len(panels), line=line, **drawing)
    return _Entry(listing(panels, tile.kind), tile, drawn)


#: What the queries of a panel without a title are called (as Grafana's conversion
#: calls them).
UNTITLED = "untitled"


def _title(node: Node, path: str, drawn: bool) -> str:
    """A panel's title; empty only on a tile (a Grafana panel may have none), whose
    queries are then called "untitled"."""
    title = as_text(node, path)
    if not title.strip() and not drawn:
        fail(node, path, "must not be empty", "name the card, e.g. title: Requests/sec")
    return title


def _shared(
    node: Node,
    fields: Mapping[str, Node],
    path: str,
    refs: References,
    row_datasource: str | None,
) -> Query:
    """What every query of the panel shows it with, as a panel of no query."""
    unit = optional(fields, "unit", path, as_text) or ""
    return Query(
        title="",
        expr="",
        unit=unit,
        decimals=optional(fields, "decimals", path, _decimals),
        thresholds=optional(fields, "thresholds", path, lambda n, p: _thresholds(n, p, unit)),
        alerts=optional(fields, "alerts", path, _alert_names) or (),
        legend=optional(fields, "legend", path, as_text),
        line=node.start_mark.line + 1,
        datasource=optional(fields, "datasource", path, refs.check) or row_datasource,
        min_interval=optional(fields, "interval", path, positive_duration),
        max_points=optional(fields, "max_data_points", path, positive_count),
    )


def _query_panel(title: str, query: _Query, index: int, count: int, shared: Query) -> Query:
    legend = query.legend or shared.legend
    return replace(
        shared,
        title=query.title or query_name(title, legend, index, count),
        expr=query.expr,
        legend=legend,
        line=query.line,
        datasource=query.datasource or shared.datasource,
        min_interval=query.interval or shared.min_interval,
    )


def query_name(title: str, legend: str | None, index: int, count: int) -> str:
    """What the query at `index` of a panel's `count` is called, unless it says: the
    panel's title, or with several "Title · legend" (or "Title · B", Grafana's refId
    of a query without a legend), as Grafana's conversion names them."""
    return title if count == 1 else f"{title} · {legend or _letter(index)}"


def _letter(index: int) -> str:
    """Grafana's refId of the query at `index`: A..Z, then AA, AB..."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


def _queries(
    node: Node,
    fields: Mapping[str, Node],
    path: str,
    kind: str,
    placeholders: Mapping[str, Value],
    refs: References,
) -> list[_Query]:
    """The panel's queries: its `expr:`, or its `queries:`; none for a text panel."""
    given = [key for key in ("expr", "queries") if not is_null(fields.get(key))]
    if len(given) == 2:
        fail(
            fields["queries"],
            key_path(path, "queries"),
            "a panel has expr: or queries:, not both",
            "move the expr into queries: as one more - expr: ...",
        )
    if kind == "text" and given:
        fail(
            fields[given[0]],
            key_path(path, given[0]),
            "a text panel shows its content: and has no query",
            f"remove {given[0]}:, or give the panel another kind:",
        )
    if given == ["queries"]:
        return _query_list(fields["queries"], key_path(path, "queries"), placeholders, refs)
    if given == ["expr"]:
        expr_node = fields["expr"]
        expr = _expr(expr_node, key_path(path, "expr"), placeholders)
        return [_Query(expr, line=node.start_mark.line + 1)]
    if kind not in _QUERYLESS:
        several = "; or several: queries: [{expr: ...}, {expr: ...}]"
        fail(fields.get("expr", node), path, 'missing key "expr"', EXAMPLES["expr"] + several)
    return []


def _query_list(
    node: Node, path: str, placeholders: Mapping[str, Value], refs: References
) -> list[_Query]:
    items = sequence(node, path, EXAMPLES["queries"])
    if not items:
        fail(node, path, "no queries", EXAMPLES["queries"])
    queries = []
    for index, item in enumerate(items):
        where = f"{path}[{index}]"
        fields = mapping(item, where, _QUERY_KEYS, required=("expr",))
        queries.append(
            _Query(
                expr=_expr(fields["expr"], key_path(where, "expr"), placeholders),
                line=item.start_mark.line + 1,
                legend=optional(fields, "legend", where, as_text),
                datasource=optional(fields, "datasource", where, refs.check),
                title=optional(fields, "title", where, nonempty_text),
                interval=optional(fields, "interval", where, positive_duration),
            )
        )
    return queries


def _expr(node: Node, path: str, placeholders: Mapping[str, Value]) -> str:
    expr = as_text(node, path).strip()
    if not expr:
        fail(node, path, "the expression is empty", EXAMPLES["expr"])
    declared = set(placeholders)
    for name in sorted(variables_used(expr) - declared):
        fail(node, path, f'unknown variable "${name}"', _closest_variable(name, declared))
    # An expression our parser rejects is not a load error: one broken panel must not
    # keep the dashboard from starting. It goes to Prometheus as written, and the panel
    # shows Prometheus' own message, with the position (`allintop check` lists it).
    return expr


def _closest_variable(name: str, declared: set[str]) -> str:
    close = difflib.get_close_matches(name, sorted(declared), n=1, cutoff=0.6)
    if close:
        return f'did you mean "${close[0]}"?'
    return "declare it under variables:, e.g. variables: {job: {default: all}}"


def _decimals(node: Node, path: str) -> int:
    value = scalar(node, path)
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 10:
        fail(node, path, "expected a whole number from 0 to 10", "e.g. decimals: 1")
    return value


_THRESHOLD_HINT = (
    'thresholds look like "<200", ">=99" or "<1GB"; quote them, since YAML reads a '
    "leading > as a folded block"
)


_UNIT_HINT = (
    'suffixes convert within a kind (ms, s / bytes, MB, GB / B/s, MB/s, Mbit/s; "%" only on '
    "% panels)"
)


def _thresholds(node: Node, path: str, unit: str) -> Thresholds | None:
    fields = mapping(node, path, _THRESHOLD_KEYS)
    parsed: dict[str, Threshold] = {}
    for key in _THRESHOLD_KEYS:
        text = optional(fields, key, path, as_text)
        if text is not None:
            try:
                parsed[key] = parse_threshold(text, unit)
            except UnitMismatchError as error:
                fail(fields[key], key_path(path, key), str(error), _UNIT_HINT)
            except ValueError as error:
                fail(fields[key], key_path(path, key), str(error), _THRESHOLD_HINT)
    if not parsed:
        return None
    try:
        return make_thresholds(_written(parsed, "target"), _written(parsed, "alert"), unit)
    except ValueError as error:
        fail(fields["alert"], path, str(error), 'e.g. target: "<200" with alert: ">500"')


def _written(parsed: Mapping[str, Threshold], key: str) -> str | None:
    threshold = parsed.get(key)
    return None if threshold is None else threshold.text


def _alert_names(node: Node, path: str) -> tuple[str, ...]:
    items = sequence(node, path, "alerts: [HighErrorRate]")
    return tuple(
        nonempty_text(item, f"{path}[{index}]").strip() for index, item in enumerate(items)
    )
