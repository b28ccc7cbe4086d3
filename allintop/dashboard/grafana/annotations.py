"""A Grafana dashboard's annotation queries (`annotations.list`) read into the model.

Those backed by Prometheus are carried over (expr, step, titleFormat, textFormat,
tagKeys, useValueForTime, enable, hide, iconColor); Grafana's built-in one (its own
annotations and alerts, kept in Grafana's database) and those of other datasource
types are not, each said in one line. Pure: JSON in, dataclasses out.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from allintop.dashboard.annotations import DEFAULT_COLOR, DEFAULT_STEP, Annotation
from allintop.dashboard.grafana.datasources import References, resolve
from allintop.dashboard.grafana.documents import dicts, mapping
from allintop.values.durations import parse_duration


@dataclass(frozen=True)
class ReadAnnotations:
    """The annotations carried over, and what was left out, one line each."""

    annotations: tuple[Annotation, ...]
    skipped: tuple[str, ...]


def read_annotations(board: Mapping[str, Any], references: References) -> ReadAnnotations:
    """The dashboard's Prometheus annotation queries, their datasources resolved as a
    panel's target's are."""
    found: list[Annotation] = []
    skipped: list[str] = []
    for item in dicts(mapping(board.get("annotations")).get("list")):
        name = str(item.get("name") or "") or "untitled"
        why = _why_not(item, references)
        if why:
            skipped.append(f"annotation {name!r}: {why}")
            continue
        datasource, _ = resolve(references, {}, item)
        found.append(_annotation(item, name, datasource))
    return ReadAnnotations(tuple(found), tuple(skipped))


def _why_not(item: Mapping[str, Any], references: References) -> str:
    """Why an annotation is not carried over ("" when it is)."""
    reference = item.get("datasource")
    uid = str(mapping(reference).get("uid") or "") if isinstance(reference, Mapping) else ""
    if item.get("builtIn") or uid == "-- Grafana --" or reference == "-- Grafana --":
        return "Grafana's built-in annotations (kept in Grafana): not shown"
    datasource, why = resolve(references, {}, item)
    if datasource is None:
        return why
    if not str(item.get("expr") or "").strip():
        return "no PromQL expression (expr): not shown"
    return ""


def _annotation(item: Mapping[str, Any], name: str, datasource: str | None) -> Annotation:
    return Annotation(
        name=name,
        expr=str(item["expr"]),
        datasource=datasource,
        step=_step(item.get("step")),
        title_format=str(item.get("titleFormat") or ""),
        text_format=str(item.get("textFormat") or ""),
        tag_keys=tag_keys(item.get("tagKeys")),
        use_value_for_time=bool(item.get("useValueForTime")),
        enable=item.get("enable") is not False,
        hide=bool(item.get("hide")),
        color=str(item.get("iconColor") or DEFAULT_COLOR),
    )


def _step(text: object) -> float:
    """Grafana's `step` ("60s"); its default when missing or unreadable."""
    try:
        seconds = parse_duration(str(text)) if text not in (None, "") else DEFAULT_STEP
    except ValueError:
        return DEFAULT_STEP
    return seconds if seconds > 0 else DEFAULT_STEP


def tag_keys(given: object) -> tuple[str, ...]:
    """Grafana's `tagKeys`: label names, comma-separated (a list is taken too)."""
    names: Sequence[object] = given.split(",") if isinstance(given, str) else []
    if isinstance(given, list):
        names = given
    return tuple(n for n in (str(name).strip() for name in names) if n)
