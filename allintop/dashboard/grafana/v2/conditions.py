"""Grafana's conditional rendering of a v2 row or tab, as the row's `shown_when`:
its variable conditions, grouped all-of or any-of, to show or to hide. The other
kinds (by data, by the time range's size) are said not honoured.

A condition on a variable allintop does not carry (a GroupByVariable, an
AdhocVariable) is settled once, with the value the dashboard was saved with
(`settle`): it holds or not for good, as it would in Grafana until that variable
is changed, which it cannot be here.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from allintop.dashboard.grafana.documents import dicts, mapping
from allintop.dashboard.model import Condition, Pick, ShownWhen

#: A row never shown: none of no conditions holds.
NEVER = ShownWhen((), any=True)


def conditions(notes: list[str], spec: Mapping[str, Any], where: str) -> ShownWhen | None:
    """A row's or tab's `conditionalRendering` as its variable conditions; the other
    kinds (data, time range size) are said not honoured."""
    group = mapping(spec.get("conditionalRendering"))
    if not group:
        return None
    group_spec = mapping(group.get("spec"))
    found, other = [], []
    for item in dicts(group_spec.get("items")):
        item_spec = mapping(item.get("spec"))
        kind = str(item.get("kind") or "")
        if kind == "ConditionalRenderingVariable" and item_spec.get("variable"):
            found.append(
                Condition(
                    str(item_spec["variable"]),
                    str(item_spec.get("operator") or "equals"),
                    str(item_spec.get("value") or ""),
                )
            )
        else:
            other.append(kind.removeprefix("ConditionalRendering") or "untyped")
    if other:
        notes.append(
            f"{where}: conditional rendering by {', '.join(other)}: not honoured"
            + (" (its variable conditions are)" if found else "")
        )
    if not found:
        return None
    return ShownWhen(
        tuple(found),
        any=group_spec.get("condition") == "or",
        hide=group_spec.get("visibility") == "hide",
    )


def both(outer: ShownWhen | None, inner: ShownWhen | None) -> ShownWhen | None:
    """A row inside a conditional row or tab: shown when both hold. Only a plain
    "all of" pair can be merged; else the inner one wins (the outer one still hides
    its whole tab or row in Grafana, which allintop does not)."""
    if outer is None or inner is None:
        return inner or outer
    if not (outer.any or outer.hide or inner.any or inner.hide):
        return ShownWhen(outer.conditions + inner.conditions)
    return inner


def settle(
    when: ShownWhen | None, carried: set[str], saved: Mapping[str, Pick]
) -> ShownWhen | None:
    """`when` with its conditions on variables not `carried` decided now by their
    `saved` picks: None when the row is then always shown, NEVER when never."""
    if when is None:
        return None
    fixed = [c.holds(saved) for c in when.conditions if c.variable not in carried]
    if not fixed:
        return when
    kept = tuple(c for c in when.conditions if c.variable in carried)
    # All-of: one settled condition failing decides it; any-of: one holding does.
    met: bool | None
    if when.any and any(fixed):
        met = True
    elif not when.any and not all(fixed):
        met = False
    else:
        met = None if kept else not when.any
    if met is None:
        return ShownWhen(kept, any=when.any, hide=when.hide)
    return None if met != when.hide else NEVER


def saved_picks(listed: Sequence[Mapping[str, Any]]) -> dict[str, Pick]:
    """Each variable's pick as the dashboard was saved (`current.value`)."""
    picks: dict[str, Pick] = {}
    for item in listed:
        value = mapping(item.get("current")).get("value")
        if isinstance(value, list):
            picks[str(item.get("name") or "")] = tuple(str(v) for v in value)
        elif value is not None:
            picks[str(item.get("name") or "")] = str(value)
    return picks
