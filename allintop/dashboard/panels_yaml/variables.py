"""The `variables:` section: Grafana's kinds of template variable (query, custom,
interval, constant, textbox, datasource), and the values expressions are checked
with at load time.

```yaml
variables:
  job: {query: 'label_values(up, job)'}                 # "all" offered, the default
  instance:                                              # chained: refreshed when job changes
    query: 'label_values(up{job=~"$job"}, instance)'
    multi: true
    all_value: '.*'
    regex: '/(.*):9100/'
  quantile:                                              # no "all": the first option
    query: 'query_result(x{quantile!=""})'
    regex: '/quantile="([^"]+)"/'
    include_all: false
  env: {type: custom, values: [prod, staging], default: prod}
  step: {type: interval, values: [1m, 5m, 1h], auto: true}
  region: {type: constant, value: eu-1}
  filter: {type: textbox, default: ".*"}
  ds: {type: datasource}
```
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import replace

from yaml.nodes import Node, ScalarNode

from allintop.dashboard import templating
from allintop.dashboard.model import (
    ALL,
    DEFAULT_RANGE,
    VARIABLE_KINDS,
    VARIABLE_SORTS,
    Pick,
    Variable,
    VariableSort,
)
from allintop.dashboard.panels_yaml.nodes import (
    as_text,
    boolean,
    closest,
    duration,
    fail,
    is_null,
    key_path,
    mapping,
    nonempty_text,
    optional,
    scalar,
    sequence,
)
from allintop.promql.interpolate import interpolate_text
from allintop.promql.variable_queries import parse_variable_query
from allintop.promql.variable_values import Value

# The keys each kind takes, besides `type` and `label`.
_KIND_KEYS = {
    "query": (
        "query",
        "values",
        "default",
        "multi",
        "include_all",
        "all_value",
        "regex",
        "sort",
    ),
    "custom": ("values", "default", "multi", "include_all", "all_value"),
    "interval": ("values", "default", "auto", "auto_count", "auto_min"),
    "constant": ("value",),
    "textbox": ("default",),
    "datasource": ("values", "default"),
}
_VARIABLE_KEYS = ("type", "label", *dict.fromkeys(k for ks in _KIND_KEYS.values() for k in ks))


def with_default(variable: Variable, default: str) -> Variable:
    """A datasource variable without a default: the default datasource, if it offers it."""
    if variable.kind != "datasource" or variable.default:
        return variable
    return replace(variable, default=default if default in variable.values else variable.values[0])


_VARIABLE_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def read_variables(node: Node, path: str, datasources: Sequence[str]) -> tuple[Variable, ...]:
    fields = mapping(node, path, (), what="variable")
    return tuple(
        _variable(name, value, key_path(path, name), datasources) for name, value in fields.items()
    )


def _variable(name: str, node: Node, path: str, datasources: Sequence[str]) -> Variable:
    if not _VARIABLE_NAME.fullmatch(name) or name.startswith("__"):
        fail(node, path, f'"{name}" cannot be a variable name', "use letters, digits and _")
    if is_null(node):  # a name only: its value comes from --var, else "all"
        return Variable(name=name, include_all=True)
    fields = mapping(node, path, _VARIABLE_KEYS)
    kind = _kind(fields, path)
    for key, value in fields.items():
        if key not in ("type", "label", *_KIND_KEYS[kind]):
            fail(value, key_path(path, key), f'a {kind} variable takes no "{key}"', _KINDS_HINT)
    label = optional(fields, "label", path, nonempty_text)
    if kind == "datasource":
        variable = _datasource_variable(name, fields, path, datasources)
    elif kind == "constant":
        constant = optional(fields, "value", path, as_text)
        if constant is None:
            fail(node, path, "a constant needs a value", "e.g. {type: constant, value: eu}")
        variable = Variable(name, values=(constant,), default=constant, kind="constant")
    elif kind == "textbox":
        default = optional(fields, "default", path, as_text) or ""
        variable = Variable(name, default=default, kind="textbox")
    elif kind == "interval":
        variable = _interval_variable(name, fields, path)
    else:
        variable = _listed_variable(name, kind, fields, path)
    return replace(variable, label=label)


_KINDS_HINT = (
    "query (label_values and such, the default), custom (values:), interval (values: "
    "of durations, auto:), constant (value:), textbox (default:), datasource "
    "(one of datasources:)"
)


def _kind(fields: Mapping[str, Node], path: str) -> str:
    """The variable's kind: its `type`, else custom for a list of values without a
    query (offering "all", as such a list always has), else query."""
    kind = optional(fields, "type", path, as_text)
    if kind is None:
        return "custom" if "values" in fields and "query" not in fields else "query"
    if kind not in VARIABLE_KINDS:
        fail(fields["type"], key_path(path, "type"), f'unknown variable type "{kind}"', _KINDS_HINT)
    if kind == "query" and "values" in fields and "query" not in fields:
        return "custom"  # written so before custom existed: it means the same
    return kind


def _listed_variable(name: str, kind: str, fields: Mapping[str, Node], path: str) -> Variable:
    """A query or custom variable: options asked for or listed, one pick or several,
    and "all"."""
    query = optional(fields, "query", path, _variable_query)
    values = optional(fields, "values", path, _text_list) or ()
    if kind == "custom" and not values:
        fail(fields.get("values") or next(iter(fields.values())), path, "no values", _VALUES)
    multi = bool(optional(fields, "multi", path, boolean))
    all_value = optional(fields, "all_value", path, as_text)
    # A panels.yaml's query or list has always offered "all": it still does, unless
    # told not to (Grafana's own default is the other way).
    include_all = optional(fields, "include_all", path, boolean)
    legacy = optional(fields, "type", path, as_text) in (None, "query")
    if include_all is None:
        include_all = legacy or all_value is not None
    elif all_value is not None and not include_all:
        fail(fields["all_value"], key_path(path, "all_value"), "all_value needs include_all")
    variable = Variable(
        name,
        query=query,
        values=values,
        default="",
        kind="query" if kind == "query" else "custom",
        multi=multi,
        include_all=include_all,
        all_value=all_value,
        regex=optional(fields, "regex", path, _regex),
        sort=optional(fields, "sort", path, _sort) or "none",
    )
    return replace(variable, default=_default(variable, fields, path))


_VALUES = "e.g. values: [prod, staging]"


def _interval_variable(name: str, fields: Mapping[str, Node], path: str) -> Variable:
    values = optional(fields, "values", path, _duration_list) or ()
    auto = bool(optional(fields, "auto", path, boolean))
    if not values and not auto:
        fail(next(iter(fields.values())), path, "an interval variable needs values", _VALUES)
    count = optional(fields, "auto_count", path, scalar)
    if count is not None and (isinstance(count, bool) or not isinstance(count, int) or count < 1):
        fail(fields["auto_count"], key_path(path, "auto_count"), "expected a whole number > 0")
    minimum = optional(fields, "auto_min", path, as_text) or "10s"
    if "auto_min" in fields:
        duration(fields["auto_min"], key_path(path, "auto_min"))
    variable = Variable(
        name,
        values=values,
        default="",
        kind="interval",
        auto=auto,
        auto_count=count or 30,
        auto_min=minimum,
    )
    return replace(variable, default=_default(variable, fields, path))


def _default(variable: Variable, fields: Mapping[str, Node], path: str) -> Pick:
    """The pick at start: the file's `default:` (one of the options, or "all" where
    offered), else the first option listed, else "all" where offered; "" when the
    options are not known until asked for."""
    node = fields.get("default")
    if node is None or is_null(node):
        if variable.options:
            return variable.options[0]
        return ALL if variable.include_all else ""
    where = key_path(path, "default")
    if isinstance(node, ScalarNode):
        picked: tuple[str, ...] = (as_text(node, where),)
    else:
        picked = _text_list(node, where)
        if not variable.multi:
            fail(node, where, "one default: the variable is not multi", "or say multi: true")
    for value in picked:
        if templating.is_all(value):
            if not variable.include_all:
                fail(node, where, '"all" is not offered', "say include_all: true")
        elif variable.options and value not in variable.options:
            those = ", ".join(variable.options)
            fail(node, where, f'"{value}" is not one of values', f"those: {those}")
    if templating.is_all(picked):
        return ALL
    return picked if variable.multi and len(picked) > 1 else picked[0]


def _datasource_variable(
    name: str, fields: Mapping[str, Node], path: str, datasources: Sequence[str]
) -> Variable:
    """A variable whose values are datasource names: all of them, or those listed."""
    values = optional(fields, "values", path, _text_list) or tuple(datasources)
    for index, value in enumerate(values):
        if value not in datasources:
            where = key_path(path, f"values[{index}]")
            hint = closest(value, datasources)
            fail(fields["values"], where, f'unknown datasource "{value}"', hint)
    default = optional(fields, "default", path, as_text)
    if default is not None and default not in values:
        fail(fields["default"], key_path(path, "default"), f'"{default}" is not one of {values}')
    # "" until the dashboard's default datasource is known (see read_dashboard).
    return Variable(name=name, values=values, default=default or "", kind="datasource")


def _variable_query(node: Node, path: str) -> str:
    query = nonempty_text(node, path)
    try:
        parse_variable_query(query)
    except ValueError as error:
        fail(node, path, str(error), "e.g. label_values(allin_http_requests_total, job)")
    return query


def _regex(node: Node, path: str) -> str:
    regex = nonempty_text(node, path)
    try:
        templating.js_regex(interpolate_text(regex, {}))
    except ValueError as error:
        fail(node, path, str(error), 'e.g. regex: "/(.*):9100/" (its first group is kept)')
    return regex


def _sort(node: Node, path: str) -> VariableSort:
    sort = as_text(node, path)
    known = next((name for name in VARIABLE_SORTS if name == sort), None)
    if known is None:
        fail(node, path, f'unknown sort "{sort}"', closest(sort, VARIABLE_SORTS))
    return known


def _text_list(node: Node, path: str) -> tuple[str, ...]:
    items = sequence(node, path, "[a, b]")
    return tuple(nonempty_text(item, f"{path}[{index}]") for index, item in enumerate(items))


def _duration_list(node: Node, path: str) -> tuple[str, ...]:
    values = _text_list(node, path)
    for index, item in enumerate(sequence(node, path, "[1m, 5m]")):
        duration(item, f"{path}[{index}]")
    return values


def placeholder_values(variables: Sequence[Variable]) -> dict[str, Value]:
    """Values to check exprs with: Grafana's built-ins, and each variable's default as
    it will be queried (all -> .*, or its allValue), so that an expr is validated the
    way it will be; a variable whose value is not known until its options are asked
    for stands for a number (which also fits a string or a duration), or a name
    where its options are names (label_names, metrics)."""
    defaults = {v.name: v.default or _placeholder(v) for v in variables}
    return templating.query_values(variables, defaults, {}, range_=DEFAULT_RANGE)


def _placeholder(variable: Variable) -> str:
    try:
        function = parse_variable_query(variable.query or "").function
    except ValueError:
        return "1"
    return "x" if function in ("label_names", "metrics") else "1"
