"""A v2 dashboard's element (a Panel, or a LibraryPanel reference) as the classic
panel JSON: its visualization (`vizConfig`) gives the type, options and fieldConfig;
its queries (`data.spec.queries`) the targets.

Two query forms are read. v2beta1 and v2: {"kind": "DataQuery", "group":
"prometheus", "datasource": {"name": <uid>}, "spec": {"expr": ...}}. v2alpha1: the
query's kind is the datasource type ({"kind": "prometheus", "spec": {...}}) and the
datasource ({type, uid}) sits beside it on the PanelQuery.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from allintop.dashboard.grafana.documents import dicts, mapping


def classic_panel(name: str, element: Mapping[str, Any]) -> dict[str, Any]:
    """The classic panel JSON of element `name` (its title, if it has none)."""
    spec = mapping(element.get("spec"))
    title = str(spec.get("title") or "")
    if element.get("kind") == "LibraryPanel":
        # Its queries are on the server's library panel: a panel without targets,
        # which the conversion names as not supported.
        return {"title": title or name, "type": "library", "targets": []}
    viz = mapping(spec.get("vizConfig"))
    viz_spec = mapping(viz.get("spec"))
    data = mapping(mapping(spec.get("data")).get("spec"))
    options = mapping(data.get("queryOptions"))
    panel: dict[str, Any] = {
        "title": title,
        "type": str(
            (viz.get("group") if viz.get("kind") == "VizConfig" else viz.get("kind")) or ""
        ),
        "options": dict(mapping(viz_spec.get("options"))),
        "fieldConfig": dict(mapping(viz_spec.get("fieldConfig"))),
        "targets": [_target(query) for query in dicts(data.get("queries"))],
        "transformations": [_transformation(t) for t in dicts(data.get("transformations"))],
    }
    for key in ("interval", "maxDataPoints", "timeFrom", "timeShift"):
        if options.get(key) is not None:
            panel[key] = options[key]
    if panel["type"] == "text" and "content" in panel["options"]:
        panel["content"] = panel["options"]["content"]
    return panel


def _target(query: Mapping[str, Any]) -> dict[str, Any]:
    """A PanelQuery as a classic target: the query's own fields (expr, legendFormat,
    instant, ...), its refId, whether it is hidden, and its datasource."""
    spec = mapping(query.get("spec"))
    inner = mapping(spec.get("query"))
    target = dict(mapping(inner.get("spec")))
    target["refId"] = str(spec.get("refId") or target.get("refId") or "")
    target["hide"] = bool(spec.get("hidden"))
    reference = datasource_reference(spec, inner)
    if reference is not None:
        target["datasource"] = reference
    return target


def datasource_reference(
    spec: Mapping[str, Any], inner: Mapping[str, Any]
) -> dict[str, str] | None:
    """The classic {type, uid} of a query's (or an annotation query's) datasource:
    v2beta1 names the plugin in `group` and the datasource by `datasource.name`;
    v2alpha1 gives {type, uid} on the PanelQuery and the plugin as the query's kind.
    None: the default one."""
    if inner.get("kind") == "DataQuery":
        kind = str(inner.get("group") or "")
        uid = str(mapping(inner.get("datasource")).get("name") or "")
    else:
        given = mapping(spec.get("datasource"))
        kind = str(given.get("type") or inner.get("kind") or "")
        uid = str(given.get("uid") or "")
    reference = {"type": kind} if kind else {}
    if uid:
        reference["uid"] = uid
    return reference or None


def _transformation(item: Mapping[str, Any]) -> dict[str, Any]:
    """A transformation as the classic {"id", "options"}."""
    spec = mapping(item.get("spec"))
    return {"id": str(spec.get("id") or item.get("kind") or "?"), "options": spec.get("options")}
