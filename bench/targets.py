"""The floor targets, read as ratios within one run.

Machines here differ by about 2x and are shared, so the start-up and steady-cost
targets are set against rows measured in the same run: first paint against the bare
Textual app (the floor of what Python and Textual cost), steady CPU against the
naive client (which fetches and draws nothing), peak RSS against the bare app plus
a margin. Each target is printed for the working tree and, in an A/B run, for the
baseline, so the report says how far each is from its floor and whether a change
moved it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

Phase = dict[str, Any]


@dataclass(frozen=True)
class Target:
    """One target: a figure of an allintop run, set against a figure of another run
    (`against`, None for an absolute limit), read as a ratio or a difference."""

    name: str
    run: str
    figure: Callable[[Phase], float | None]
    against: str | None
    limit: float
    unit: str  # "x": run / against; "MB+": run - against; else run itself, in the unit

    def value(self, phases: dict[str, Phase], prefix: str) -> tuple[float, float, float] | None:
        """(the run's figure, the floor's figure or 0, the figure read against it), or
        None where a run is missing."""
        ours = phases.get(prefix + self.run)
        mine = self.figure(ours) if ours else None
        if mine is None:
            return None
        if self.against is None:
            return mine, 0.0, mine
        floor_phase = phases.get(self.against)
        floor = self.figure(floor_phase) if floor_phase else None
        if floor is None or (self.unit == "x" and floor == 0):
            return None
        read = mine / floor if self.unit == "x" else mine - floor
        return mine, floor, read


def _paint(phase: Phase) -> float | None:
    value = phase.get("first_paint_s")
    return float(value) if value is not None else None


def _steady_cpu(phase: Phase) -> float | None:
    value = phase.get("cpu_steady_s_per_min")
    return float(value) if value is not None else None


def _settled_cpu(phase: Phase) -> float | None:
    value = phase.get("cpu_settled_s_per_min")
    return float(value) if value is not None else None


def _rss(phase: Phase) -> float | None:
    value = phase.get("peak_rss_mb")
    return float(value) if value is not None else None


def _key_p95(phase: Phase) -> float | None:
    # The presses that landed inside a tick, as the report's key latency line heads with.
    value = (phase.get("key_presses") or {}).get("in_flight_ms_p95")
    return float(value) if value is not None else None


TARGETS = (
    Target("first paint / bare Textual", "default-1s", _paint, "bare", 1.3, "x"),
    Target("first paint / bare Textual, 5 s", "default-5s", _paint, "bare", 1.3, "x"),
    Target("steady CPU 1 s / naive 1 s", "default-1s", _steady_cpu, "naive-default-1s", 0.3, "x"),
    Target("steady CPU 5 s, s/min", "default-5s", _steady_cpu, None, 0.25, "s/min"),
    Target("settled CPU 1 s / naive 1 s", "default-1s", _settled_cpu, "naive-default-1s", 0.3, "x"),
    Target("settled CPU 5 s, s/min", "default-5s", _settled_cpu, None, 0.25, "s/min"),
    Target("peak RSS - bare Textual", "default-1s", _rss, "bare", 8.0, "MB+"),
    Target("key latency p95, 200 panels", "gen200-1s", _key_p95, None, 50.0, "ms"),
)


def _shown(target: Target, value: tuple[float, float, float]) -> str:
    mine, floor, read = value
    tick = "✓" if read <= target.limit else "✗"
    if target.unit == "x":
        return f"x{read:.2f} {tick} ({mine:.3g} vs {floor:.3g})"
    if target.unit == "MB+":
        return f"+{read:.1f} MB {tick} ({mine:.1f} vs {floor:.1f})"
    return f"{read:.3g} {target.unit} {tick}"


def render(result: dict[str, Any], base_prefix: str) -> list[str]:
    """The targets block of the report: each target's limit, the working tree's
    reading and, in an A/B run, the baseline's. Empty when no target's runs ran."""
    phases = {p["key"]: p for p in result["phases"]}
    a_b = any(key.startswith(base_prefix) for key in phases)
    rows = []
    for target in TARGETS:
        working = target.value(phases, "")
        if working is None:
            continue
        limit = f"≤ {target.limit:g}{'' if target.unit == 'x' else ' ' + target.unit}"
        if target.unit == "x":
            limit = f"≤ x{target.limit:g}"
        row = f"  {target.name:32} {limit:>12}   {_shown(target, working):34}"
        if a_b:
            base = target.value(phases, base_prefix)
            row += f" baseline {_shown(target, base)}" if base else " baseline -"
        rows.append(row.rstrip())
    if not rows:
        return []
    return [
        "",
        "targets against the floor, same run (first paint and RSS against the bare Textual "
        "app, steady CPU = after first paint, settled = from 10 s after it, against the "
        "naive client):",
        *rows,
    ]
