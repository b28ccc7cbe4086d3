"""Native histograms in a panel's answer: what a panel can show of them.

A native histogram is no single number: Grafana draws its buckets in a heatmap and
asks for histogram_quantile() or histogram_count() anywhere else. So a panel whose
answer carries native histograms keeps their buckets in its history (one series
per bucket, labelled `le` by its upper bound, counting its own observations only,
unlike a classic `le` bucket), for a heatmap to draw, and states no value: its
status is unknown, with the reason saying what to query instead. No number that
is not in Prometheus' answer is ever shown. Pure logic: no Textual, no network.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping

from allintop.promql.sharing import SeriesPoints
from allintop.sources.answers import Sample, Series

#: The status reason of a panel whose answer is native histograms.
NATIVE_REASON = "native histogram: use histogram_quantile / histogram_count"
#: The label a native bucket's series carries its upper bound in, as a classic one.
BUCKET_LABEL = "le"


def bound_text(value: float) -> str:
    """A bucket bound as a label value: exact (two bounds never share a text), and
    Prometheus' words for the infinities."""
    if math.isinf(value):
        return "+Inf" if value > 0 else "-Inf"
    return repr(value)


def _bucket_labels(labels: Mapping[str, str], upper: float) -> dict[str, str]:
    return {**labels, BUCKET_LABEL: bound_text(upper)}


def is_native(samples: Iterable[Sample]) -> bool:
    """Whether any of `samples` is a native histogram."""
    return any(s.histogram is not None for s in samples)


def bucket_values(samples: Iterable[Sample]) -> list[tuple[dict[str, str], float]]:
    """Each native histogram's buckets as (labels with `le`, the bucket's own count);
    float samples beside them as they are."""
    out: list[tuple[dict[str, str], float]] = []
    for sample in samples:
        if sample.histogram is None:
            out.append((dict(sample.labels), sample.value))
        else:
            out += [
                (_bucket_labels(sample.labels, bucket.upper), bucket.count)
                for bucket in sample.histogram.buckets
            ]
    return out


def is_native_range(series: Iterable[Series]) -> bool:
    """Whether any of `series` has native histogram points."""
    return any(s.histograms for s in series)


def bucket_series(series: Iterable[Series]) -> list[SeriesPoints]:
    """Range series with native histograms as one series per bucket (labels with `le`,
    the bucket's own count at each time it has one); float points as they are."""
    out: dict[tuple[tuple[str, str], ...], tuple[dict[str, str], list[float], list[float]]]
    out = {}

    def put(labels: dict[str, str], t: float, value: float) -> None:
        entry = out.setdefault(tuple(sorted(labels.items())), (labels, [], []))
        entry[1].append(t)
        entry[2].append(value)

    for one in series:
        histograms = one.histograms or (None,) * len(one.timestamps)
        for t, value, histogram in zip(one.timestamps, one.values, histograms, strict=True):
            if histogram is None:
                put(dict(one.labels), t, value)
                continue
            for bucket in histogram.buckets:
                put(_bucket_labels(one.labels, bucket.upper), t, bucket.count)
    return list(out.values())
