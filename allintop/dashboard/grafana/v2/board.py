"""A v2 dashboard resource as a classic board, its rows and its tabs.

The classic board carries what the classic readers read from the top of a
dashboard: title, uid, refresh and time (from `timeSettings`), the templating list,
annotations and links. The rows come placed (allintop.dashboard.grafana.v2.layouts),
so the classic flat `panels` list is not made at all.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from allintop.dashboard.grafana.documents import dicts, mapping
from allintop.dashboard.grafana.layout import GrafanaRow
from allintop.dashboard.grafana.v2.elements import datasource_reference
from allintop.dashboard.grafana.v2.layouts import place
from allintop.dashboard.grafana.v2.variables import templating
from allintop.dashboard.model import ShownWhen

API_GROUP = "dashboard.grafana.app/"
#: The schema versions read here (v2alpha1's query form included).
VERSIONS = ("v2alpha1", "v2beta1", "v2")


@dataclass(frozen=True)
class V2Board:
    """A v2 dashboard as the classic readers take it.

    Args:
        board: the classic dashboard's top: title, uid, refresh, time, templating,
            annotations, links.
        rows: its rows in order, each with its classic panels.
        tabs: its tabs in order, each with the indices of its rows in `rows`.
        shown_when: each row's conditions (None: always shown).
        notes: what of the layout is not honoured, one line each.
    """

    board: Mapping[str, Any]
    rows: tuple[GrafanaRow, ...]
    tabs: tuple[tuple[str, tuple[int, ...]], ...]
    shown_when: tuple[ShownWhen | None, ...]
    notes: tuple[str, ...]


def is_v2(document: object) -> bool:
    """Whether JSON is a schema v2 dashboard: the resource ({"apiVersion":
    "dashboard.grafana.app/v2...", "kind": "Dashboard", "spec"}), or its spec alone
    (`elements` and `layout`)."""
    if not isinstance(document, Mapping):
        return False
    if _is_resource(document):
        return True
    return isinstance(document.get("elements"), Mapping) and isinstance(
        document.get("layout"), Mapping
    )


def version(document: Mapping[str, Any]) -> str:
    """The resource's schema version ("v2beta1"), or "" when it is not named."""
    return str(document.get("apiVersion") or "").removeprefix(API_GROUP)


def read(document: Mapping[str, Any]) -> V2Board:
    """The classic board, rows and tabs of a v2 dashboard (resource or spec)."""
    spec = mapping(document.get("spec")) if _is_resource(document) else document
    metadata = mapping(document.get("metadata"))
    title = str(spec.get("title") or "") or "Grafana dashboard"
    time = mapping(spec.get("timeSettings"))
    board = {
        "title": title,
        "uid": str(metadata.get("name") or ""),
        "refresh": time.get("autoRefresh") or "",
        "time": {"from": time.get("from") or "now-6h", "to": time.get("to") or "now"},
        "templating": {"list": templating(spec.get("variables"))},
        "annotations": {"list": [_annotation(a) for a in dicts(spec.get("annotations"))]},
        "links": spec.get("links") or [],
    }
    placement = place(mapping(spec.get("layout")), mapping(spec.get("elements")), title)
    rows = tuple(
        GrafanaRow(r.title, [*r.panels], collapsed=r.collapsed, repeat=r.repeat)
        for r in placement.rows
    )
    tabs = tuple(
        (tab, tuple(i for i, row in enumerate(placement.rows) if row.tab == tab))
        for tab in placement.tabs
    )
    shown_when = tuple(row.shown_when for row in placement.rows)
    return V2Board(board, rows, tabs, shown_when, tuple(placement.notes))


def _is_resource(document: Mapping[str, Any]) -> bool:
    return (
        document.get("kind") == "Dashboard"
        and version(document).startswith("v2")
        and isinstance(document.get("spec"), Mapping)
    )


def _annotation(item: Mapping[str, Any]) -> dict[str, Any]:
    """An AnnotationQuery as the classic annotation: its name, whether it is Grafana's
    built-in one, enable, hide and colour; the query's own fields (expr, step,
    titleFormat, ...) and `legacyOptions` (where a converted dashboard keeps the
    rest) at its top, as the classic JSON has them; and its datasource as {type, uid}
    (v2beta1: the query's `group` and `datasource.name`; v2alpha1: beside the query)."""
    spec = mapping(item.get("spec"))
    query = mapping(spec.get("query"))
    classic: dict[str, Any] = {**mapping(spec.get("legacyOptions")), **mapping(query.get("spec"))}
    reference = datasource_reference(spec, query)
    if reference is not None:
        classic["datasource"] = reference
    classic.update(
        name=str(spec.get("name") or ""),
        builtIn=bool(spec.get("builtIn")),
        enable=spec.get("enable") is not False,
        hide=bool(spec.get("hide")),
    )
    if spec.get("iconColor"):
        classic["iconColor"] = spec["iconColor"]
    return classic
