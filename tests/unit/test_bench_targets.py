"""The floor targets of the bench report, read as ratios within one run (canned input)."""

from __future__ import annotations

from typing import Any

from bench import targets
from bench.runner import BASE_PREFIX


def run(key: str, **figures: Any) -> dict[str, Any]:
    return {"key": key, "label": key, "client": "allintop", **figures}


def test_each_target_is_read_against_its_floor_in_the_same_run() -> None:
    result = {
        "phases": [
            run("bare", first_paint_s=0.5, peak_rss_mb=43.0),
            run("naive-default-1s", cpu_steady_s_per_min=2.0, cpu_settled_s_per_min=1.6),
            run(
                "default-1s",
                first_paint_s=0.6,
                cpu_steady_s_per_min=1.0,
                cpu_settled_s_per_min=0.4,
                peak_rss_mb=55.0,
            ),
            run("default-5s", first_paint_s=0.7, cpu_steady_s_per_min=0.2),
        ]
    }
    lines = targets.render(result, BASE_PREFIX)
    shown = {line.split("  ")[1].strip(): line for line in lines[2:]}
    assert "x1.20 ✓ (0.6 vs 0.5)" in shown["first paint / bare Textual"]
    assert "x1.40 ✗" in shown["first paint / bare Textual, 5 s"]
    assert "x0.50 ✗ (1 vs 2)" in shown["steady CPU 1 s / naive 1 s"]
    assert "0.2 s/min ✓" in shown["steady CPU 5 s, s/min"]
    # Settled: from 10 s after the first paint, against the naive client's settled.
    assert "x0.25 ✓ (0.4 vs 1.6)" in shown["settled CPU 1 s / naive 1 s"]
    assert "settled CPU 5 s, s/min" not in shown  # that run has no settled figure
    assert "+12.0 MB ✗ (55.0 vs 43.0)" in shown["peak RSS - bare Textual"]
    # No 200-panel run: its target is left out, not shown as met.
    assert not any("key latency" in line for line in lines)


def test_an_ab_run_reads_the_baseline_against_the_same_floor() -> None:
    result = {
        "phases": [
            run("bare", first_paint_s=0.5),
            run(BASE_PREFIX + "default-1s", first_paint_s=1.0),
            run("default-1s", first_paint_s=0.6),
        ]
    }
    (line,) = targets.render(result, BASE_PREFIX)[2:]
    assert "x1.20 ✓" in line
    assert line.endswith("baseline x2.00 ✗ (1 vs 0.5)")


def test_nothing_is_printed_without_the_runs_a_target_needs() -> None:
    assert targets.render({"phases": [run("default-1s", first_paint_s=0.6)]}, BASE_PREFIX) == []
