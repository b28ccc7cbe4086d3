"""Prometheus' query log: what each client asked, and what it cost Prometheus.

With `query_log_file` set, Prometheus (2.42 checked) writes one JSON object per
evaluated query when it finishes:

    {"httpRequest": {"clientIP": "127.0.0.1", "method": "GET", "path": "/api/v1/query"},
     "params": {"start": "...Z", "end": "...Z", "step": 0, "query": "..."},
     "stats": {"timings": {"evalTotalTime": s, "execQueueTime": s, "execTotalTime": s,
                           "queryPreparationTime": s, "innerEvalTime": s, ...},
               "samples": {"totalQueryableSamples": n, "peakSamples": n}},
     "ts": "2026-11-26T07:22:10.106Z"}

Rule evaluations are logged too, with "ruleGroup" instead of "httpRequest"; they are
not any client's doing and are skipped. `ts` is the time the entry was written (the
query's end) with millisecond resolution; the query's start at the engine is `ts -
execTotalTime` (queue wait included). `params.start`/`end` are the evaluation times:
an instant query has start == end == its `time` parameter, so the queries of one
dashboard tick share the same `end`, and so do those of one naive-client tick (it
sends one `end` for all its panels).

What the engine times do not include: parsing the HTTP request, and encoding and
sending the JSON answer. Tick figures from the log are therefore the engine-side view.
"""

from __future__ import annotations

import json
import statistics
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

INSTANT = "/api/v1/query"
RANGE = "/api/v1/query_range"


def parse_time(text: str) -> float:
    """An RFC 3339 time as the query log writes it ("...T07:22:10.106Z") -> unix time."""
    return datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()


@dataclass(frozen=True, slots=True)
class QueryRecord:
    path: str
    query: str
    start: str  # evaluation start, as logged (the grouping key of a tick is `end`)
    end: str
    step: float
    ts: float  # when the query finished (unix time, ms resolution)
    exec_s: float  # queue wait + evaluation
    eval_s: float
    queue_s: float
    samples: int  # stats.samples.totalQueryableSamples
    peak_samples: int

    @property
    def began(self) -> float:
        return self.ts - self.exec_s

    @classmethod
    def from_entry(cls, entry: dict[str, Any]) -> QueryRecord | None:
        """A client's query, or None for a rule evaluation or an entry without stats."""
        request = entry.get("httpRequest")
        stats = entry.get("stats")
        if not isinstance(request, dict) or not isinstance(stats, dict):
            return None
        params = entry.get("params", {})
        timings = stats.get("timings", {})
        samples = stats.get("samples", {})
        return cls(
            path=str(request.get("path", "")),
            query=str(params.get("query", "")),
            start=str(params.get("start", "")),
            end=str(params.get("end", "")),
            step=float(params.get("step") or 0),
            ts=parse_time(entry["ts"]),
            exec_s=float(timings.get("execTotalTime", 0.0)),
            eval_s=float(timings.get("evalTotalTime", 0.0)),
            queue_s=float(timings.get("execQueueTime", 0.0)),
            samples=int(samples.get("totalQueryableSamples", 0)),
            peak_samples=int(samples.get("peakSamples", 0)),
        )


def has_sample_stats(path: Path) -> bool:
    """Whether this Prometheus logs `stats.samples.totalQueryableSamples` (2.42 does;
    much older versions log timings only)."""
    for entry in _entries(path, 0, None):
        stats = entry.get("stats", {})
        if "httpRequest" in entry:
            return "totalQueryableSamples" in stats.get("samples", {})
    return False


class QueryLog:
    """The query log file, read in windows between byte offsets."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def offset(self) -> int:
        try:
            return self.path.stat().st_size
        except FileNotFoundError:
            return 0

    def records(
        self,
        start_offset: int = 0,
        end_offset: int | None = None,
        *,
        since: float | None = None,
        until: float | None = None,
    ) -> list[QueryRecord]:
        """Client queries logged between the offsets that began at or after `since`
        and ended at or before `until` (unix times; the log's ms resolution allowed)."""
        out = []
        for entry in _entries(self.path, start_offset, end_offset):
            record = QueryRecord.from_entry(entry)
            if record is None:
                continue
            if since is not None and record.began < since - 0.001:
                continue
            if until is not None and record.ts > until + 0.001:
                continue
            out.append(record)
        return out

    @staticmethod
    def parse(data: bytes) -> list[QueryRecord]:
        """Client queries in a chunk of the log."""
        return [r for r in map(QueryRecord.from_entry, _lines(data)) if r is not None]


def _entries(path: Path, start: int, end: int | None) -> Iterator[dict[str, Any]]:
    try:
        with open(path, "rb") as log:
            log.seek(start)
            data = log.read() if end is None else log.read(max(0, end - start))
    except FileNotFoundError:
        return
    yield from _lines(data)


def _lines(data: bytes) -> Iterator[dict[str, Any]]:
    for line in data.splitlines():
        if not line.strip():
            continue
        try:
            entry = json.loads(line)
        except ValueError:  # a line cut by the end offset while being written
            continue
        if isinstance(entry, dict):
            yield entry


# -- figures -------------------------------------------------------------------------------


def percentile(values: Sequence[float], q: float) -> float | None:
    """Nearest-rank percentile (q in 0..100); None for no values."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, min(len(ordered), -(-len(ordered) * q // 100)))
    return ordered[int(rank) - 1]


@dataclass(frozen=True)
class Tick:
    """The queries of one evaluation time: the engine-side tick."""

    end: str
    queries: int
    samples: int
    wall_s: float  # first query's start at the engine -> last query's end
    slowest_s: float  # the longest single evaluation (evalTotalTime, queue wait excluded)
    slowest_exec_s: float  # the longest single execTotalTime (queue wait included)
    began: float
    ended: float
    records: tuple[QueryRecord, ...] = ()

    @property
    def ratio(self) -> float | None:
        return self.wall_s / self.slowest_s if self.slowest_s > 0 else None


def ticks(records: Iterable[QueryRecord], path: str) -> list[Tick]:
    """Groups `path` queries by evaluation time (`end`), in time order."""
    groups: dict[str, list[QueryRecord]] = {}
    for record in records:
        if record.path == path:
            groups.setdefault(record.end, []).append(record)
    out = []
    for end, group in groups.items():
        began = min(r.began for r in group)
        ended = max(r.ts for r in group)
        out.append(
            Tick(
                end=end,
                queries=len(group),
                samples=sum(r.samples for r in group),
                wall_s=max(0.0, ended - began),
                slowest_s=max(r.eval_s for r in group),
                slowest_exec_s=max(r.exec_s for r in group),
                began=began,
                ended=ended,
                records=tuple(sorted(group, key=lambda r: r.began)),
            )
        )
    out.sort(key=lambda t: t.began)
    return out


def _ms(value: float | None) -> float | None:
    return None if value is None else round(value * 1000, 2)


def summarize(
    records: Sequence[QueryRecord], since: float, until: float, tick_path: str
) -> dict[str, Any]:
    """Per-minute cost and tick figures for one client's run, launched at `since` and
    measured until `until` (unix times).

    `records` may run past `until` (read up to the client's exit): the cost counts what
    finished by `until`; a tick that began before `until` counts whole, so a tick cut
    by the end of the window does not look short. `tick_path` says which queries are
    the client's ticks: the dashboard's instant queries (its range queries are the
    one-off backfill), the naive client's range queries.
    """
    elapsed_s = until - since
    per_min = 60.0 / elapsed_s if elapsed_s > 0 else 0.0
    counted = [r for r in records if r.ts <= until + 0.001]
    samples = sum(r.samples for r in counted)
    by_path: dict[str, dict[str, int]] = {}
    for record in counted:
        entry = by_path.setdefault(record.path, {"queries": 0, "samples": 0})
        entry["queries"] += 1
        entry["samples"] += record.samples
    tick_list = [t for t in ticks(records, tick_path) if t.began <= until]
    walls = [t.wall_s for t in tick_list]
    ratios = [t.ratio for t in tick_list if t.ratio is not None]
    slowest = [t.slowest_s for t in tick_list]
    tick_samples = [t.samples for t in tick_list]
    other = RANGE if tick_path == INSTANT else INSTANT
    return {
        "elapsed_s": round(elapsed_s, 3),
        "queries": len(counted),
        "queries_per_min": round(len(counted) * per_min, 1),
        "samples": samples,
        "samples_per_min": round(samples * per_min),
        "by_path": by_path,
        "other_samples": by_path.get(other, {}).get("samples", 0),
        "ticks": len(tick_list),
        "tick_samples_median": percentile(tick_samples, 50),
        "tick_queries_median": percentile([t.queries for t in tick_list], 50),
        "tick_wall_ms_median": _ms(percentile(walls, 50)),
        "tick_wall_ms_p95": _ms(percentile(walls, 95)),
        "tick_wall_ms_max": _ms(max(walls, default=None)),
        "tick_slowest_ms_median": _ms(percentile(slowest, 50)),
        "tick_ratio_median": None if not ratios else round(statistics.median(ratios), 2),
        "tick_ratio_p95": None if not ratios else round(percentile(ratios, 95) or 0, 2),
        "queue_ms_max": _ms(max((r.queue_s for r in counted), default=None)),
        "backfill": _backfill(ticks(records, RANGE)) if tick_path == INSTANT else None,
        "median_tick": _detail(sorted(tick_list, key=lambda t: t.wall_s)[len(tick_list) // 2])
        if tick_list
        else None,
    }


def _backfill(groups: Sequence[Tick]) -> dict[str, Any] | None:
    """The dashboard's range queries (the one-off backfill at start), engine side."""
    if not groups:
        return None
    first = groups[0]
    return {
        "groups": len(groups),
        "queries": sum(g.queries for g in groups),
        "samples": sum(g.samples for g in groups),
        "first_wall_ms": _ms(first.wall_s),
        "first_slowest_ms": _ms(first.slowest_s),
        "first_engine_busy_ms": _ms(sum(r.exec_s for r in first.records)),
    }


def _detail(tick: Tick) -> dict[str, Any]:
    """One tick query by query: when each reached the engine (ms after the first), how
    long it ran, its samples, and the start of its expression."""
    return {
        "end": tick.end,
        "wall_ms": _ms(tick.wall_s),
        "queries": [
            [
                _ms(r.began - tick.began),
                _ms(r.exec_s),
                r.samples,
                r.query[:70],
            ]
            for r in tick.records
        ],
    }
