"""Many leaf queries in one request, and its answer split back per leaf.

Each HTTP request costs the client ~1.5 ms of CPU (httpx, httpcore, anyio) and
reaches Prometheus a little after the one before: for the default dashboard's 14
leaves that was most of the dashboard's CPU and stretched each tick to ~3x its
slowest query. So the instant-vector leaves of a tick travel as one expression,

    label_replace(<leaf 0>, "__allintop_leaf", "0", "", "")
      or label_replace(<leaf 1>, "__allintop_leaf", "1", "", "") or ...

which Prometheus evaluates over exactly the same samples, and whose answer is split
by that label. `or` keeps every element of each side, because the added label makes
every label set distinct. Only leaves that return instant vectors can be merged
(label_replace takes nothing else). Pure logic: allintop.live.fetching sends, this
composes and splits.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from allintop.sources.answers import InstantResult, RangeResult, Sample, Series

LEAF_LABEL = "__allintop_leaf"


def merged(leaves: Sequence[str]) -> str:
    """One expression that evaluates every leaf, each tagged with its position."""
    return " or ".join(
        f'label_replace({leaf}, "{LEAF_LABEL}", "{i}", "", "")' for i, leaf in enumerate(leaves)
    )


def _leaf_index(labels: dict[str, str], count: int) -> int | None:
    tag = labels.pop(LEAF_LABEL, None)
    if tag is None or not (tag.isascii() and tag.isdigit()) or int(tag) >= count:
        return None  # not ours: cannot happen with Prometheus, never trust it blindly
    return int(tag)


def split_instant(result: InstantResult, leaves: Sequence[str]) -> dict[str, InstantResult]:
    """The merged answer as one result per leaf (warnings go to every leaf)."""
    parts: list[list[Sample]] = [[] for _ in leaves]
    for sample in result.samples:
        labels = dict(sample.labels)
        index = _leaf_index(labels, len(leaves))
        if index is not None:
            parts[index].append(replace(sample, labels=labels))
    return {
        leaf: InstantResult("vector", tuple(part), result.warnings, infos=result.infos)
        for leaf, part in zip(leaves, parts, strict=True)
    }


def split_range(result: RangeResult, leaves: Sequence[str]) -> dict[str, RangeResult]:
    parts: list[list[Series]] = [[] for _ in leaves]
    for series in result.series:
        labels = dict(series.labels)
        index = _leaf_index(labels, len(leaves))
        if index is not None:
            parts[index].append(replace(series, labels=labels))
    return {
        leaf: RangeResult(tuple(part), result.warnings, infos=result.infos)
        for leaf, part in zip(leaves, parts, strict=True)
    }
