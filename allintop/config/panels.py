"""The `rows:` section: rows (repeated per datasource with `repeat:`), their panels,
each panel's expression, unit, decimals, thresholds and alert names."""

from __future__ import annotations

import difflib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

from yaml.nodes import MappingNode, Node, SequenceNode

from allintop import promql
from allintop.config.model import Panel, Row, Variable
from allintop.config.nodes import (
    EXAMPLES,
    as_text,
    fail,
    is_null,
    key_path,
    mapping,
    nonempty_text,
    optional,
    scalar,
    sequence,
)
from allintop.thresholds import (
    Threshold,
    Thresholds,
    UnitMismatchError,
    make_thresholds,
    parse_threshold,
)

#: More panels than this is a mistake (YAML aliases can repeat a list of panels in
#: every row: 11 KB make a million), refused rather than drawn as a million cards.
MAX_PANELS = 1000


_ROW_KEYS = ("title", "panels", "datasource", "repeat")
_PANEL_KEYS = ("title", "expr", "unit", "decimals", "thresholds", "alerts", "legend", "datasource")
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
    node: Node, path: str, placeholders: Mapping[str, promql.Value], refs: References
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
    of panels in every row, so the count can be vast while the file is small."""
    count = 0
    for row in rows:
        if isinstance(row, MappingNode):
            for key, value in row.value:
                if key.value == "panels" and isinstance(value, SequenceNode):
                    count += len(value.value)
    if count > MAX_PANELS:
        fail(
            node,
            path,
            f"{count} panels: more than {MAX_PANELS} cannot be shown",
            "split the dashboard into several files (allintop -c FILE)",
        )


def _row(
    node: Node, path: str, placeholders: Mapping[str, promql.Value], refs: References
) -> list[Row]:
    """The row, or with `repeat: $var` one copy per datasource the variable offers."""
    fields = mapping(node, path, _ROW_KEYS, required=("title",))
    title = nonempty_text(fields["title"], key_path(path, "title"))
    datasource = optional(fields, "datasource", path, refs.check)
    panels_node = fields.get("panels")
    if is_null(panels_node):
        fail(panels_node or node, path, f'row "{title}" has no panels', EXAMPLES["panels"])
    items = sequence(panels_node, key_path(path, "panels"), "panels: [{title: ..., expr: ...}]")
    if not items:
        fail(
            panels_node,
            key_path(path, "panels"),
            f'row "{title}" has no panels',
            EXAMPLES["panels"],
        )
    panels = tuple(
        _panel(item, f"{path}.panels[{index}]", placeholders, refs, datasource)
        for index, item in enumerate(items)
    )
    repeat = optional(fields, "repeat", path, refs.check)
    if repeat is None:
        return [Row(title=title, panels=panels, datasource=datasource)]
    if not repeat.startswith("$"):
        fail(fields["repeat"], key_path(path, "repeat"), "repeat takes a datasource variable")
    return _repeated(Row(title=title, panels=panels), refs.variables[repeat[1:]])


def _repeated(row: Row, variable: Variable) -> list[Row]:
    """A row once per datasource `variable` offers, side by side: panels that follow
    the variable (or name no datasource) query that one; the title says which."""
    rows = []
    own = f"${variable.name}"
    for name in variable.values:
        panels = tuple(
            replace(panel, datasource=name) if panel.datasource in (None, own) else panel
            for panel in row.panels
        )
        title = promql.interpolate_text(row.title, {variable.name: name})
        rows.append(Row(title=title, panels=panels, datasource=name))
    return rows


def _panel(
    node: Node,
    path: str,
    placeholders: Mapping[str, promql.Value],
    refs: References,
    row_datasource: str | None = None,
) -> Panel:
    fields = mapping(node, path, _PANEL_KEYS, required=("title", "expr"))
    unit = optional(fields, "unit", path, as_text) or ""
    return Panel(
        title=nonempty_text(fields["title"], key_path(path, "title")),
        expr=_expr(fields["expr"], key_path(path, "expr"), placeholders),
        unit=unit,
        decimals=optional(fields, "decimals", path, _decimals),
        thresholds=optional(fields, "thresholds", path, lambda n, p: _thresholds(n, p, unit)),
        alerts=optional(fields, "alerts", path, _alert_names) or (),
        legend=optional(fields, "legend", path, as_text),
        line=node.start_mark.line + 1,
        datasource=optional(fields, "datasource", path, refs.check) or row_datasource,
    )


def _expr(node: Node, path: str, placeholders: Mapping[str, promql.Value]) -> str:
    expr = as_text(node, path).strip()
    if not expr:
        fail(node, path, "the expression is empty", EXAMPLES["expr"])
    declared = set(placeholders)
    for name in sorted(promql.variables_used(expr) - declared):
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
