"""A panel's values from its leaves' answers: what the poller computes once they are in.

A panel is planned (allintop.promql.sharing) as leaf queries plus client-side math:
quantiles of a shared bucket vector, arithmetic between label-free values; a panel
sent whole has one leaf, its own expression. For a tick the panel's value is its
samples at the tick's time; for a backfill, its series over the range and those of
their points at its end. A leaf that failed fails the panel with that leaf's error;
math that cannot be done fails it as Prometheus would word it. Pure logic: no
network, no clock.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from allintop.errors import BadResponse, PrometheusError, QueryError
from allintop.live import native
from allintop.promql import sharing
from allintop.sources.answers import InstantResult, RangeResult, Sample

#: How a Prometheus 3 `infos` note is told from a warning among a panel's warnings.
INFO_PREFIX = "info: "


@dataclass(frozen=True, slots=True)
class Values:
    """A panel's samples at one time, and the warnings its leaves' answers carried."""

    samples: list[Sample]
    warnings: tuple[str, ...]
    native: bool = False
    """Native histograms are among the samples (allintop.live.native)."""


@dataclass(frozen=True, slots=True)
class Series:
    """A panel's series over a range, its samples at the range's end, and the warnings."""

    series: Sequence[sharing.SeriesPoints]
    latest: list[Sample]
    warnings: tuple[str, ...]
    native: bool = False
    """The series are native histograms' buckets (allintop.live.native)."""


def leaf_error(panel: sharing.QueryPlan, outcomes: Mapping[str, object]) -> PrometheusError | None:
    """The first error among the panel's leaves' outcomes (all of them in), or None."""
    for leaf in panel.leaves:
        outcome = outcomes[leaf]
        if isinstance(outcome, PrometheusError):
            return outcome
    return None


def split_failed(error: PrometheusError) -> bool:
    """Errors a leaf of a split panel can have that its whole expression may not.

    A shared sub-query answered with native histograms is no input for the math done
    here (the server's histogram functions take them), and a server older than our
    parser may reject the printed leaf. (Math that cannot be done here is an
    "execution" error: sending the whole expression cures none.)
    """
    return isinstance(error, BadResponse) or (
        isinstance(error, QueryError) and error.error_type == "bad_data"
    )


def at_time(
    panel: sharing.QueryPlan, outcomes: Mapping[str, object], t: float
) -> Values | PrometheusError:
    """The panel's samples at `t` from its leaves' instant results."""
    error = leaf_error(panel, outcomes)
    if error is not None:
        return error
    results = {leaf: r for leaf in panel.leaves if isinstance(r := outcomes[leaf], InstantResult)}
    warnings = _warnings(list(results.values()))
    if panel.whole is not None:
        samples = list(results[panel.whole].samples)
        return Values(samples, warnings, native.is_native(samples))
    if any(native.is_native(result.samples) for result in results.values()):
        return _native_leaf()
    values = {
        leaf: [(s.labels, s.value) for s in result.samples] for leaf, result in results.items()
    }
    try:
        samples = [Sample(labels, value, t) for labels, value in panel.evaluate(values)]
    except sharing.EvaluationError as exc:
        return _evaluation_error(exc)
    return Values(samples, warnings)


def over_range(
    panel: sharing.QueryPlan,
    outcomes: Mapping[str, object],
    times: Sequence[float],
    spacing: float,
    *,
    end: float,
    step: float,
) -> Series | PrometheusError:
    """The panel's series at `times` (`spacing` apart) from its leaves' range results,
    and the samples of those whose last point is at `end`, the last of `times` (on
    the grid of refresh steps)."""
    error = leaf_error(panel, outcomes)
    if error is not None:
        return error
    ranges = {leaf: r for leaf in panel.leaves if isinstance(r := outcomes[leaf], RangeResult)}
    points: dict[str, list[sharing.SeriesPoints]] = {
        leaf: [(s.labels, s.timestamps, s.values) for s in r.series] for leaf, r in ranges.items()
    }
    series: Sequence[sharing.SeriesPoints]
    whole = ranges[panel.whole].series if panel.whole is not None else None
    natives = whole is not None and native.is_native_range(whole)
    if whole is not None and natives:
        series = native.bucket_series(whole)
    elif panel.whole is not None:
        series = points[panel.whole]
    elif any(native.is_native_range(r.series) for r in ranges.values()):
        return _native_leaf()
    else:
        try:
            series = panel.evaluate_range(points, times, spacing)
        except sharing.EvaluationError as exc:
            return _evaluation_error(exc)
    now = round(end / step)
    latest = [
        Sample(labels, values[-1], timestamps[-1])
        for labels, timestamps, values in series
        if timestamps and round(timestamps[-1] / step) == now
    ]
    return Series(series, latest, _warnings(list(ranges.values())), natives)


def _warnings(results: Sequence[InstantResult | RangeResult]) -> tuple[str, ...]:
    """The leaves' warnings, then their infos (Prometheus 3), each said once."""
    said = [w for r in results for w in r.warnings]
    said += [f"{INFO_PREFIX}{i}" for r in results for i in r.infos]
    return tuple(dict.fromkeys(said))


class NativeLeaf(BadResponse):
    """A shared sub-query answered with native histograms: the client-side math is for
    float samples and classic buckets, so the panel goes to the server whole (the
    poller asks it so at once, and from then on: split_failed says so)."""

    short = "native histogram"


def _native_leaf() -> NativeLeaf:
    return NativeLeaf("native histograms in a shared sub-query: the panel is asked whole")


def _evaluation_error(exc: sharing.EvaluationError) -> QueryError:
    """A client-side evaluation failure, worded as Prometheus' own would be."""
    return QueryError("execution", str(exc), 422)
