"""Synthetic history for the demo backend, as OpenMetrics text for ``promtool``.

Why: ``rate(x[5m])`` divides by the whole 5 minutes, so on a Prometheus that has
scraped for only 20 s it reads ~1/15 of the true rate: the seed's CPU panel would
show 6 % during an incident, and HighErrorRate could not fire for a while. DemoStack
therefore fast-forwards the backend's traffic through the past minutes, writes every
step here with its timestamp, and imports it into the fresh TSDB (``promtool tsdb
create-blocks-from openmetrics``) before Prometheus starts. The backend's live
counters continue from the last history values, so there is no reset at the seam.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import replace
from pathlib import Path
from types import MappingProxyType

from allintop.dashboard.datasource import Datasource
from allintop.dashboard.model import Dashboard
from allintop.demo.traffic import Traffic

DEFAULT_STEP_SECONDS = 10.0


def escape_label_value(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


def format_value(value: float) -> str:
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "+Inf" if value > 0 else "-Inf"
    return repr(float(value))


def snapshot_lines(
    traffic: Traffic, timestamp: float, extra_labels: Mapping[str, str]
) -> Iterable[tuple[str, str]]:
    """(sample name, OpenMetrics line) for every sample of the traffic's registry."""
    for family in traffic.metrics.registry.collect():
        for sample in family.samples:
            labels = {**sample.labels, **extra_labels}
            body = ",".join(f'{k}="{escape_label_value(v)}"' for k, v in labels.items())
            yield (
                sample.name,
                (f"{sample.name}{{{body}}} {format_value(sample.value)} {timestamp:.3f}"),
            )


def write_history(
    traffic: Traffic,
    path: Path,
    *,
    seconds: float,
    end: float,
    extra_labels: Mapping[str, str],
    step: float = DEFAULT_STEP_SECONDS,
    live_tick_seconds: float = 0.1,
) -> int:
    """Advances ``traffic`` through ``seconds`` of past traffic ending at ``end`` (unix
    time) and writes one sample per series and step to ``path``. Returns the number of
    steps written.

    No ``# TYPE`` lines: without them every sample name is its own "unknown" family,
    which is all the TSDB stores anyway, and OpenMetrics only asks that the lines of a
    family be contiguous, which grouping by sample name gives.
    """
    steps = max(0, int(seconds // step))
    drift_steps = max(1, round(step / live_tick_seconds))
    by_name: dict[str, list[str]] = {}
    # The last snapshot is stamped `end`: the moment live ticking takes over from it.
    for i in range(steps, 0, -1):
        traffic.tick(step, drift_steps=drift_steps)
        for name, line in snapshot_lines(traffic, end - (i - 1) * step, extra_labels):
            by_name.setdefault(name, []).append(line)
    with open(path, "w", encoding="utf-8") as out:
        for lines in by_name.values():
            out.write("\n".join(lines))
            out.write("\n")
        out.write("# EOF\n")
    return steps


def scraped_as_history(dashboard: Dashboard, seconds: float = DEFAULT_STEP_SECONDS) -> Dashboard:
    """The dashboard with the scrape interval of its datasources that set none taken
    as the history's step: Grafana's `$__rate_interval` is at least four of it, so a
    `rate()` over the imported past (samples `seconds` apart, where the live scrapes
    are 1 s apart) holds samples to compute from, rather than charting nothing."""

    def stepped(source: Datasource) -> Datasource:
        return source if source.scrape_interval else replace(source, scrape_interval=seconds)

    named = {name: stepped(source) for name, source in dashboard.datasources.items()}
    return replace(
        dashboard,
        datasource=stepped(dashboard.datasource),
        datasources=MappingProxyType(named),
    )
