"""A Grafana dashboard's template variables as allintop's: query, custom, interval,
constant and textbox variables, in the dashboard's order, each with the pick it was
saved with where that still means something here.

A datasource variable is not one of them: it is the datasource the panels were bound
to (allintop.dashboard.grafana.datasources). Any other kind (adhoc, ...) is named as
not carried over, as is what of a carried one could not be (a query allintop cannot
ask, a regex it cannot read).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from types import MappingProxyType
from typing import Any

from allintop.dashboard import templating
from allintop.dashboard.grafana.documents import mapping
from allintop.dashboard.model import ALL, VARIABLE_SORTS, Pick, Variable, VariableSort
from allintop.promql.interpolate import interpolate_text
from allintop.promql.variable_queries import parse_variable_query
from allintop.promql.variable_values import ALL_VALUES
from allintop.values.durations import parse_duration


def variables(listed: Sequence[Mapping[str, Any]]) -> tuple[Variable, ...]:
    """Grafana's query, custom, interval, constant and textbox variables as ours, in
    the dashboard's order."""
    found = []
    for item in listed:
        name, kind = str(item.get("name") or ""), str(item.get("type") or "")
        read = _KINDS.get(kind)
        if read is not None and re.fullmatch(r"[A-Za-z_]\w*", name) and not name.startswith("__"):
            label = str(item.get("label") or "") or None
            found.append(replace(read(name, item), label=label))
    return tuple(found)


def not_carried(listed: Sequence[Mapping[str, Any]], carried: set[str]) -> list[str]:
    """The variables, and the parts of carried ones, that were not carried over, and why."""
    dropped = []
    for item in listed:
        name, kind = str(item.get("name") or ""), str(item.get("type") or "")
        if kind == "datasource":
            dropped.append(f"variable {name} (datasource): every one is the default datasource")
        elif name not in carried:
            dropped.append(f"variable {name} ({kind or 'untyped'}): panels.yaml has no such kind")
        else:
            dropped += (f"variable {name} ({kind}): {why}" for why in _partly(item))
    return dropped


def _partly(item: Mapping[str, Any]) -> list[str]:
    """What of a carried-over variable could not be: a query or a regex allintop
    cannot ask or read."""
    if item.get("type") != "query":
        return []
    dropped = []
    try:
        parse_variable_query(_query_text(item))
    except ValueError as error:
        dropped.append(f"{error}: its value is the one it was saved with, else all")
    problem = _regex_problem(str(item.get("regex") or "") or None)
    if problem is not None:
        dropped.append(f"its {problem}: its options are not filtered")
    return dropped


#: Grafana's `sort` numbers, by name.
_SORTS: Mapping[int, VariableSort] = MappingProxyType(dict(enumerate(VARIABLE_SORTS)))


def _query_variable(name: str, item: Mapping[str, Any]) -> Variable:
    """Options from its query (one Grafana's Prometheus datasource knows), filtered by
    its regex; a query or regex of another kind is dropped (and said so) and the
    value is then the one it was saved with, else "all"."""
    query: str | None = _query_text(item)
    try:
        parse_variable_query(query or "")
    except ValueError:
        query = None
    regex = str(item.get("regex") or "") or None
    sort = item.get("sort")
    variable = Variable(
        name,
        query=query,
        kind="query",
        multi=bool(item.get("multi")),
        include_all=bool(item.get("includeAll")) or query is None,
        all_value=_all_value(item),
        regex=regex if _regex_problem(regex) is None else None,
        sort=_SORTS.get(sort if isinstance(sort, int) else 0, "none"),
    )
    return replace(variable, default=_current(item, variable))


def _all_value(item: Mapping[str, Any]) -> str | None:
    """Its allValue, where it offers All (without, Grafana never writes it)."""
    return str(item.get("allValue") or "") or None if item.get("includeAll") else None


def _regex_problem(regex: str | None) -> str | None:
    """Why a variable's regex cannot be used here (None: it can, or there is none)."""
    if regex is None:
        return None
    try:
        templating.js_regex(interpolate_text(regex, {}))
    except ValueError as error:
        return str(error)
    return None


def _custom_variable(name: str, item: Mapping[str, Any]) -> Variable:
    variable = Variable(
        name,
        values=_custom_values(_query_text(item)),
        kind="custom",
        multi=bool(item.get("multi")),
        include_all=bool(item.get("includeAll")),
        all_value=_all_value(item),
    )
    return replace(variable, default=_current(item, variable))


def _custom_values(query: str) -> tuple[str, ...]:
    """A custom variable's options: its query split at commas (but `\\,`), each
    option's value the part after " : " where it is written `text : value`."""
    options, part, escaped = [], "", False
    for char in query + ",":
        if escaped:
            part += char if char == "," else "\\" + char
            escaped = False
        elif char == "\\":
            escaped = True
        elif char == ",":
            options.append(part.partition(" : ")[2] or part if " : " in part else part)
            part = ""
        else:
            part += char
    return tuple(dict.fromkeys(option.strip() for option in options if option.strip()))


def _interval_variable(name: str, item: Mapping[str, Any]) -> Variable:
    """Its durations (those PromQL reads), and "auto" where it has it."""
    values = tuple(v.strip() for v in _query_text(item).split(",") if _is_duration(v.strip()))
    count = item.get("auto_count")
    minimum = str(item.get("auto_min") or "10s")
    variable = Variable(
        name,
        values=values,
        kind="interval",
        auto=bool(item.get("auto")),
        auto_count=count if isinstance(count, int) and count > 0 else 30,
        auto_min=minimum if _is_duration(minimum) else "10s",
    )
    return replace(variable, default=_current(item, variable))


def _is_duration(text: str) -> bool:
    try:
        return parse_duration(text) > 0
    except ValueError:
        return False


def _constant_variable(name: str, item: Mapping[str, Any]) -> Variable:
    value = _query_text(item)  # an export's ${VAR_...} is filled in from __inputs
    return Variable(name, values=(value,), default=value, kind="constant")


def _textbox_variable(name: str, item: Mapping[str, Any]) -> Variable:
    current = _current(item, Variable(name, kind="textbox"))
    default = current if isinstance(current, str) and current else _query_text(item)
    return Variable(name, default=default, kind="textbox")


_KINDS: Mapping[str, Callable[[str, Mapping[str, Any]], Variable]] = MappingProxyType(
    {
        "query": _query_variable,
        "custom": _custom_variable,
        "interval": _interval_variable,
        "constant": _constant_variable,
        "textbox": _textbox_variable,
    }
)


def _query_text(item: Mapping[str, Any]) -> str:
    """A variable's query: a string, or (Grafana 8 on) {"query": ..., "refId": ...}."""
    query = item.get("query")
    if isinstance(query, Mapping):
        query = query.get("query")
    return str(query or "")


def _current(item: Mapping[str, Any], variable: Variable) -> Pick:
    """The pick the dashboard was saved with, where it still means something here:
    "all" for Grafana's All, "auto" for an auto interval; else All where offered,
    else the first option; "" when the options are not known until asked for."""
    value = mapping(item.get("current")).get("value")
    picked = [str(v) for v in value] if isinstance(value, list) else [str(value or "")]
    picked = ["auto" if v.startswith("$__auto_interval") else v for v in picked if v]
    # An export's unfilled "${VAR_...}" is no value.
    picked = [v for v in picked if not v.startswith("$") or v in ALL_VALUES]
    options = variable.options
    if picked and templating.is_all(tuple(picked)):
        if variable.include_all or variable.kind == "query":
            return ALL
        picked = []
    if options:
        picked = [v for v in picked if v in options]
    if picked:
        return tuple(picked) if variable.multi and len(picked) > 1 else picked[0]
    if variable.include_all:
        return ALL
    return options[0] if options else ""
