"""The printed report: one row per run, the issue's targets next to each figure.

Targets are marked (✓ met, ✗ not met) on the dashboard's rows only: the naive client
is the comparison, not the product. Nothing here fails the run: machines are noisy,
these are figures.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from bench import imports, targets

# name: (limit, unit) — every target is an upper bound
TARGETS: dict[str, tuple[float, str]] = {
    "samples_per_min": (35e6, "samples/min"),
    "first_paint_s": (0.30, "s"),
    "cpu_s_per_min": (1.0, "CPU s/min"),
    "peak_rss_mb": (50.0, "MB"),
    "tick_ratio": (1.3, "x"),
    "key_latency_ms": (50.0, "ms"),
}


def human(n: float | None) -> str:
    if n is None:
        return "-"
    for limit, suffix in ((1e9, "G"), (1e6, "M"), (1e3, "k")):
        if abs(n) >= limit:
            return f"{n / limit:.3g}{suffix}"
    return f"{n:.3g}"


def num(value: float | None, digits: int = 2) -> str:
    return "-" if value is None else f"{value:.{digits}f}"


def mark(value: float | None, target: str, applies: bool) -> str:
    if not applies or value is None:
        return "  "
    return " ✓" if value <= TARGETS[target][0] else " ✗"


COLUMNS = (
    ("run", 32),
    ("first paint", 13),
    ("queries", 8),
    ("samples/min", 20),
    ("CPU s/min", 21),
    ("peak RSS", 10),
    ("tick wall p50/p95", 18),
    ("slowest", 8),
    ("ratio", 8),
    ("Prom CPU", 9),
)
SUBHEAD = (
    "",
    "≤ 0.30 s",
    "/min",
    "≤ 35M (ticks only)",
    "≤ 1.0 (steady)",
    "≤ 50 MB",
    "ms (engine side)",
    "ms p50",
    "≤ 1.3 p50",
    "s/min",
)


def _row(cells: Sequence[str]) -> str:
    return " ".join(
        cell.ljust(width) if i == 0 else cell.rjust(width)
        for i, (cell, (_, width)) in enumerate(zip(cells, COLUMNS, strict=True))
    ).rstrip()


def phase_row(phase: dict[str, Any]) -> str:
    ours = phase["client"] == "allintop" and not phase.get("note")
    log = phase.get("querylog", {})
    if "error" in phase and "querylog" not in phase:
        return _row([phase["label"], "error", *([""] * (len(COLUMNS) - 2))])
    instant = log.get("by_path", {}).get("/api/v1/query", {}).get("samples", 0)
    elapsed = log.get("elapsed_s") or 0
    tick_samples = instant * 60 / elapsed if elapsed and phase["client"] == "allintop" else None
    samples = human(log.get("samples_per_min")) + mark(
        log.get("samples_per_min"), "samples_per_min", ours
    )
    if tick_samples is not None:
        samples += f" ({human(tick_samples)})"
    cpu = num(phase.get("cpu_s_per_min")) + mark(phase.get("cpu_s_per_min"), "cpu_s_per_min", ours)
    if phase.get("cpu_steady_s_per_min") is not None:
        cpu += f" ({num(phase['cpu_steady_s_per_min'])}"
        if phase.get("cpu_settled_s_per_min") is not None:
            cpu += f", {num(phase['cpu_settled_s_per_min'])}"
        cpu += ")"
    ratio = log.get("tick_ratio_median")
    return _row(
        [
            phase["label"],
            num(phase.get("first_paint_s"), 3)
            + mark(phase.get("first_paint_s"), "first_paint_s", ours),
            human(log.get("queries_per_min")),
            samples,
            cpu,
            num(phase.get("peak_rss_mb"), 1) + mark(phase.get("peak_rss_mb"), "peak_rss_mb", ours),
            f"{num(log.get('tick_wall_ms_median'), 1)} / {num(log.get('tick_wall_ms_p95'), 1)}",
            num(log.get("tick_slowest_ms_median"), 1),
            num(ratio) + mark(ratio, "tick_ratio", ours),
            num(phase.get("prometheus_cpu_s_per_min")),
        ]
    )


def _fewer(phases: dict[str, dict[str, Any]], ours: str, naive: str) -> str | None:
    a, b = phases.get(ours), phases.get(naive)
    if not a or not b:
        return None
    sa = a.get("querylog", {}).get("samples_per_min")
    sb = b.get("querylog", {}).get("samples_per_min")
    if not sa or not sb:
        return None
    factor = sb / sa
    word = f"{factor:.1f}x fewer" if factor >= 1 else f"{1 / factor:.1f}x MORE"
    return f"{a['label']}: {word} samples than the naive client ({human(sa)} vs {human(sb)}/min)"


def render(result: dict[str, Any]) -> str:
    meta, stack = result["meta"], result.get("stack", {})
    lines = [
        f"allintop bench  {meta['started']}  {meta['git']}",
        f"machine: {meta['cpu_count']} cores (load {meta['loadavg']})  Python {meta['python']}"
        f"  Textual {meta['textual']}  Prometheus {meta.get('prometheus', '?')}"
        f"  {meta['tmux']}  allintop {meta['allintop']}",
    ]
    if stack:
        lines.append(
            "stack: backfilled {b}, oldest sample {age}s ago (15m range has data: {r}), "
            "default panels with data {p} (5m windows have data: {w}), "
            "query log has sample stats: {s}".format(
                b=stack.get("backfilled"),
                age=stack.get("oldest_sample_age_s"),
                r=stack.get("range_15m_has_data"),
                p=stack.get("default_panels_with_data"),
                w=stack.get("rate_5m_has_data"),
                s=stack.get("query_log_has_sample_stats"),
            )
        )
        lines.append(
            f"history density at start: 5m {_pct(stack.get('density_5m'))}, "
            f"15m {_pct(stack.get('density_15m'))} of live 1 s scraping "
            "(the backfill is written at 10 s steps)"
        )
    warm = result.get("warmup")
    if warm:
        lines.append(
            f"warm-up: waited {warm['waited_s']} s until the 5m windows were "
            f"{_pct(warm['density_5m'])} live; Prometheus idle CPU "
            f"{num(warm.get('prometheus_idle_cpu_s_per_min'))} s/min"
        )
    elif result.get("idle"):
        lines.append(
            "no warm-up: samples are counted on backfill-density history (low); "
            f"Prometheus idle CPU {num(result['idle'].get('prometheus_idle_cpu_s_per_min'))} s/min"
        )
    lines.append(f"duration per run: {meta['duration_s']:g} s, terminal {meta['terminal']}")
    if result.get("imports"):
        lines += ["", *imports.render(result["imports"])]
    lines.append("")
    lines.append(_row([name for name, _ in COLUMNS]))
    lines.append(_row(SUBHEAD))
    phases = {p["key"]: p for p in result["phases"]}
    for phase in result["phases"]:
        lines.append(phase_row(phase))
    lines.append("")
    for phase in result["phases"]:
        extra = []
        if phase.get("error"):
            extra.append(f"error: {phase['error']}")
        if phase.get("first_paint_visible_cards") is not None:
            extra.append(
                f"first paint judged on {phase['first_paint_visible_cards']} visible cards"
                + (
                    f" (of the {phase['cards_with_data']} cards whose query has data)"
                    if phase.get("cards_with_data")
                    else ""
                )
            )
        if phase.get("density_5m") is not None:
            extra.append(
                f"history density 5m {_pct(phase['density_5m'])} / 15m "
                f"{_pct(phase.get('density_15m'))}"
            )
        log = phase.get("querylog", {})
        if log:
            extra.append(f"{log.get('ticks')} ticks, {log.get('tick_queries_median')} queries/tick")
        naive = phase.get("client_ticks")
        if naive:
            extra.append(
                f"client-side tick {num(naive['wall_ms_median'], 0)} / "
                f"{num(naive['wall_ms_p95'], 0)} ms, {human(naive['points_per_tick_median'])}"
                f" points/tick, {naive['errors']} errors"
            )
        if naive and naive.get("apply_ms_median") is not None:
            extra.append(
                f"tick applied on the UI loop in {num(naive['apply_ms_median'], 1)} / "
                f"{num(naive['apply_ms_p95'], 1)} ms (p50 / p95)"
            )
        if phase.get("peak_rss_mb") is not None:
            extra.append(f"peak RSS {phase['peak_rss_mb']} MB")
        if phase.get("live_at_end") is False:
            extra.append("NOT live at the end")
        if phase.get("card"):
            counted = "counts the rest" if phase.get("card_shows_count") else "NO COUNT"
            extra.append(f"card at the end {phase['card']} ({counted})")
        if extra:
            lines.append(f"  {phase['label']}: " + "; ".join(extra))
    lines.append("")
    for ours, naive in (
        ("default-1s", "naive-default-1s"),
        ("default-5s", "naive-default-5s"),
        *(
            (p["key"], "naive-" + p["key"])
            for p in result["phases"]
            if p["key"].startswith(("gen", "series"))
        ),
    ):
        text = _fewer(phases, ours, naive)
        if text:
            lines.append(text)
    lines += ab(result)
    lines += targets.render(result, BASE_PREFIX)
    for phase in result["phases"]:
        presses = phase.get("key_presses")
        if not presses:
            continue
        limit = TARGETS["key_latency_ms"][0]
        lines.append(
            f"key latency ({phase['label']}, `?` -> help on screen, with a tick in flight): "
            f"median {num(presses.get('in_flight_ms_median'), 1)} ms"
            f"{mark(presses.get('in_flight_ms_median'), 'key_latency_ms', True)}, "
            f"p95 {num(presses.get('in_flight_ms_p95'), 1)} ms"
            f"{mark(presses.get('in_flight_ms_p95'), 'key_latency_ms', True)} "
            f"(target ≤ {limit:g} ms; {presses.get('in_flight_count')} of n={presses.get('count')}"
            f" presses landed in a tick by the app's tick log, {presses.get('timeouts')} timeouts);"
            f" all presses: median {num(presses.get('all_ms_median'), 1)} ms, p95 "
            f"{num(presses.get('all_ms_p95'), 1)} ms; tooling: send-keys "
            f"{num(presses.get('send_keys_ms_median'), 1)} ms, capture-pane "
            f"{num(presses.get('capture_ms_median'), 1)} ms"
        )
    lines += [
        "",
        "first paint: launch (tmux new-session) to every visible card showing a number and "
        "the header '● live', polled with capture-pane every ~10 ms (naive: its first tick "
        "with data for every panel).",
        "samples: sum of stats.samples.totalQueryableSamples in Prometheus' query log over "
        "the run, launch to end, per minute (rule evaluations excluded); in brackets the "
        "instant (tick) queries only, without the one-off backfill.",
        "CPU: utime+stime of the client process from /proc, launch to end, per minute; in "
        "brackets from first paint to end, then from 10 s after it (settled: without the "
        "start's tail of backfill, first status and one garbage collection). Peak RSS: VmHWM.",
        "tick: the queries sharing one evaluation time in the query log; wall = first query's "
        "start (ts - execTotalTime) to last query's end (ts), slowest = longest evalTotalTime; "
        "engine side only (HTTP and JSON encoding not included); the log's ts has 1 ms "
        "resolution.",
        f"total wall time {result.get('total_wall_s', 0):.0f} s; JSON: {result.get('out')}",
    ]
    return "\n".join(lines)


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{value:.0%}"


FIGURES = (
    ("first paint s", lambda p: p.get("first_paint_s")),
    ("samples/min", lambda p: p.get("querylog", {}).get("samples_per_min")),
    ("queries/min", lambda p: p.get("querylog", {}).get("queries_per_min")),
    ("CPU s/min", lambda p: p.get("cpu_s_per_min")),
    ("CPU steady s/min", lambda p: p.get("cpu_steady_s_per_min")),
    ("CPU settled s/min", lambda p: p.get("cpu_settled_s_per_min")),
    ("peak RSS MB", lambda p: p.get("peak_rss_mb")),
    ("tick wall ms p50", lambda p: p.get("querylog", {}).get("tick_wall_ms_median")),
    ("tick ratio p50", lambda p: p.get("querylog", {}).get("tick_ratio_median")),
    ("key latency ms p50", lambda p: (p.get("key_presses") or {}).get("in_flight_ms_median")),
    ("key latency ms p95", lambda p: (p.get("key_presses") or {}).get("in_flight_ms_p95")),
    ("Prometheus CPU s/min", lambda p: p.get("prometheus_cpu_s_per_min")),
)


BASE_PREFIX = "base-"  # bench.runner's key for a baseline run


def ratio(base: float | None, working: float | None) -> float | None:
    """working / baseline: below 1 the working tree does better (lower is better for
    every figure); None when either is missing or the baseline is zero."""
    if base is None or working is None or base == 0:
        return None
    return working / base


def ab(result: dict[str, Any]) -> list[str]:
    """The A/B table: for each run measured with the baseline too, each figure of the
    baseline, of the working tree, and their ratio."""
    base = result["meta"].get("baseline")
    phases = {p["key"]: p for p in result["phases"]}
    pairs = [
        (phases[BASE_PREFIX + key], phase)
        for key, phase in phases.items()
        if BASE_PREFIX + key in phases
    ]
    if not base or not pairs:
        return []
    lines = [
        "",
        f"A/B: baseline {base['rev']} ({base['commit'][:10]}) vs working tree "
        f"{result['meta']['git']}, same run (ratio = working / baseline; < 1 is better)",
        f"  {'figure':24} {'baseline':>10} {'working':>10} {'ratio':>7}",
    ]
    for before, after in pairs:
        lines.append(f"  {after['label']}")
        for name, get in FIGURES:
            a, b = get(before), get(after)
            if a is None and b is None:
                continue
            r = ratio(a, b)
            lines.append(
                f"    {name:22} {human(a):>10} {human(b):>10} "
                f"{'-' if r is None else f'x{r:.2f}':>7}"
            )
    return lines


def compare(old: dict[str, Any], new: dict[str, Any]) -> str:
    """Two results side by side, run by run (lower is better for every figure)."""
    lines = [
        f"old: {old['meta']['started']}  {old['meta']['git']}  ({old.get('out')})",
        f"new: {new['meta']['started']}  {new['meta']['git']}  ({new.get('out')})",
    ]
    if old["meta"].get("duration_s") != new["meta"].get("duration_s"):
        lines.append("note: the runs lasted different durations; per-minute figures still compare")
    before = {p["key"]: p for p in old["phases"]}
    for phase in new["phases"]:
        previous = before.get(phase["key"])
        if previous is None:
            continue
        lines.append("")
        lines.append(phase["label"])
        da, db = previous.get("density_5m"), phase.get("density_5m")
        if da is not None and db is not None and abs(da - db) > 0.2:
            lines.append(
                f"  (history density differs: 5m windows {_pct(da)} -> {_pct(db)} live; "
                "samples and query times are not comparable)"
            )
        for name, get in FIGURES:
            a, b = get(previous), get(phase)
            if a is None and b is None:
                continue
            change = ""
            if a and b:
                change = f"x{b / a:.2f}"
            lines.append(f"  {name:22} {human(a):>10} -> {human(b):>10}  {change}")
    return "\n".join(lines)
