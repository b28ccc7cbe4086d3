"""A v2 dashboard's variables as the classic templating list: each kind
(QueryVariable, CustomVariable, ...) as the classic `type`, its `spec` as the
classic fields, so allintop.dashboard.grafana.variables reads them as ever (and
names the kinds it does not carry: GroupByVariable, AdhocVariable, SwitchVariable).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from allintop.dashboard.grafana.documents import dicts, mapping

#: v2's variable kinds, by the classic type each was.
KINDS = {
    "QueryVariable": "query",
    "CustomVariable": "custom",
    "ConstantVariable": "constant",
    "TextVariable": "textbox",
    "IntervalVariable": "interval",
    "DatasourceVariable": "datasource",
    "GroupByVariable": "groupby",
    "AdhocVariable": "adhoc",
    "SwitchVariable": "switch",
}
#: v2 writes `sort` by name; the classic list by Grafana's number (the fixture's
#: "alphabetical" is an early name of alphabeticalAsc).
SORTS = {
    "disabled": 0,
    "alphabetical": 1,
    "alphabeticalAsc": 1,
    "alphabeticalDesc": 2,
    "numericalAsc": 3,
    "numericalDesc": 4,
    "alphabeticalCaseInsensitiveAsc": 5,
    "alphabeticalCaseInsensitiveDesc": 6,
    "naturalAsc": 7,
    "naturalDesc": 8,
}


def templating(variables: object) -> list[dict[str, Any]]:
    """The classic `templating.list` of `spec.variables`."""
    return [_classic(item) for item in dicts(variables)]


def _classic(item: Mapping[str, Any]) -> dict[str, Any]:
    kind = str(item.get("kind") or "")
    spec = mapping(item.get("spec"))
    classic: dict[str, Any] = dict(spec)
    classic["type"] = KINDS.get(kind, kind.removesuffix("Variable").lower() or "untyped")
    sort = spec.get("sort")
    classic["sort"] = SORTS.get(sort, 0) if isinstance(sort, str) else sort
    if kind == "QueryVariable":
        classic["query"] = _query_text(spec)
        classic["datasource"] = _reference(item, spec)
    elif kind == "DatasourceVariable":
        classic["query"] = str(spec.get("pluginId") or "")
    return classic


def _query_text(spec: Mapping[str, Any]) -> str:
    """A query variable's query: the Prometheus datasource's `query` (label_values(...)
    and its kin), else its `definition` (how Grafana shows it), else an `expr`."""
    query = mapping(spec.get("query"))
    inner = mapping(query.get("spec"))
    for text in (inner.get("query"), spec.get("definition"), inner.get("expr")):
        if isinstance(text, str) and text.strip():
            return text
    return ""


def _reference(item: Mapping[str, Any], spec: Mapping[str, Any]) -> dict[str, str]:
    """A query variable's datasource as the classic {type, uid}: v2beta1 names it on
    the query (`group`, `datasource.name`), v2alpha1 beside it."""
    query = mapping(spec.get("query"))
    if query.get("kind") == "DataQuery":
        kind = str(query.get("group") or "")
        uid = str(mapping(query.get("datasource")).get("name") or "")
    else:
        given = mapping(spec.get("datasource")) or mapping(item.get("datasource"))
        kind = str(given.get("type") or query.get("kind") or "")
        uid = str(given.get("uid") or given.get("name") or "")
    return {key: value for key, value in (("type", kind), ("uid", uid)) if value}
