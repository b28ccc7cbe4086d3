"""The `variables:` section: query variables (label values) and datasource
variables, and the values expressions are checked with at load time."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import replace

from yaml.nodes import Node

from allintop import promql
from allintop.config.model import DEFAULT_RANGE, DEFAULT_REFRESH, Variable
from allintop.config.nodes import (
    as_text,
    closest,
    fail,
    is_null,
    key_path,
    mapping,
    nonempty_text,
    optional,
    sequence,
)

_VARIABLE_KEYS = ("type", "query", "values", "default")


def with_default(variable: Variable, default: str) -> Variable:
    """A datasource variable without a default: the default datasource, if it offers it."""
    if variable.kind != "datasource" or variable.default:
        return variable
    return replace(variable, default=default if default in variable.values else variable.values[0])


_VARIABLE_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_ALL = ("all", "All", "$__all")


def read_variables(node: Node, path: str, datasources: Sequence[str]) -> tuple[Variable, ...]:
    fields = mapping(node, path, (), what="variable")
    return tuple(
        _variable(name, value, key_path(path, name), datasources) for name, value in fields.items()
    )


def _variable(name: str, node: Node, path: str, datasources: Sequence[str]) -> Variable:
    if not _VARIABLE_NAME.fullmatch(name) or name.startswith("__"):
        fail(node, path, f'"{name}" cannot be a variable name', "use letters, digits and _")
    if is_null(node):
        return Variable(name=name)
    fields = mapping(node, path, _VARIABLE_KEYS)
    kind = optional(fields, "type", path, as_text) or "query"
    if kind == "datasource":
        return _datasource_variable(name, node, fields, path, datasources)
    if kind != "query":
        fail(fields["type"], key_path(path, "type"), f'unknown variable type "{kind}"', _TYPES)
    query = optional(fields, "query", path, _variable_query)
    values = optional(fields, "values", path, _text_list) or ()
    default = optional(fields, "default", path, as_text)
    if values and default is not None and default not in values and default not in _ALL:
        fail(fields["default"], key_path(path, "default"), f'"{default}" is not one of values')
    if default is None:
        default = values[0] if values and not query else "all"
    return Variable(name=name, query=query, values=values, default=default)


_TYPES = "query (label values, the default) or datasource (one of datasources:)"


def _datasource_variable(
    name: str, node: Node, fields: Mapping[str, Node], path: str, datasources: Sequence[str]
) -> Variable:
    """A variable whose values are datasource names: all of them, or those listed."""
    if "query" in fields:
        fail(fields["query"], key_path(path, "query"), "a datasource variable takes no query")
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
        promql.parse_label_values(query)
    except ValueError as error:
        fail(node, path, str(error), "e.g. label_values(allin_http_requests_total, job)")
    return query


def _text_list(node: Node, path: str) -> tuple[str, ...]:
    items = sequence(node, path, "[a, b]")
    return tuple(nonempty_text(item, f"{path}[{index}]") for index, item in enumerate(items))


def placeholder_values(variables: Sequence[Variable]) -> dict[str, str]:
    """Values to check exprs with: each variable's default (all -> .*) and Grafana's
    built-ins, so that an expr is validated the way it will be queried."""
    values = promql.builtin_values(DEFAULT_RANGE, DEFAULT_REFRESH)
    values.update({variable.name: variable.default for variable in variables})
    return values
