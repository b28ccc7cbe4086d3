"""The bench's A/B and start-up import figures, from canned input (and one probe of
this venv: no run)."""

from __future__ import annotations

import sys
from typing import Any

import pytest

from bench import imports, report
from bench.runner import all_phases, with_baseline

# As `python -X importtime` prints it: an import after those it caused, one level less
# indented. textual is imported twice at the top (by allintop and on its own), and
# allintop.ui pulls in textual.app, which must not count twice for textual.
IMPORTTIME = """\
import time: self [us] | cumulative | imported package
import time:       400 |       1000 |   _frozen_importlib_external
import time:      2000 |       2500 | site
import time:       300 |        300 |         textual._compat
import time:      5000 |       5300 |       textual.app
import time:      1000 |       6300 |     allintop.ui
import time:      4000 |       4000 |     httpx
import time:      1500 |      11800 |   allintop.cli
import time:       700 |      12500 | allintop
import time:       900 |        900 | textual.widgets
not an importtime line
import time: 12 | broken
"""


def test_importtime_lines_are_parsed_with_their_nesting() -> None:
    entries = imports.parse(IMPORTTIME)
    assert [(e.module, e.depth) for e in entries][:4] == [
        ("_frozen_importlib_external", 1),
        ("site", 0),
        ("textual._compat", 4),
        ("textual.app", 3),
    ]
    assert entries[-1] == imports.Entry("textual.widgets", 900, 900, 0)
    assert len(entries) == 9


def test_import_summary_totals_the_outermost_and_ranks_packages_cumulatively() -> None:
    summary = imports.summarize(imports.parse(IMPORTTIME), top=3)
    assert summary["total_ms"] == pytest.approx(15.9)  # site 2.5 + allintop 12.5 + textual 0.9
    assert summary["modules"] == 9
    # textual: textual.app's subtree (5.3, its _compat inside) + textual.widgets (0.9).
    assert summary["top"] == [["allintop", 12.5], ["textual", 6.2], ["httpx", 4.0]]


def test_the_start_path_is_found_as_the_venv_under_test_has_it() -> None:
    # This tree's names; a baseline from before the packages by layer has older ones.
    assert imports.start_statement(sys.executable) == imports.START


def test_import_render_gives_both_sides_and_their_ratio() -> None:
    working = imports.summarize(imports.parse(IMPORTTIME))
    base = {**working, "total_ms": 10.6}
    lines = imports.render({"baseline": base, "working": working})
    assert lines[1].split()[:3] == ["baseline", "10.6", "ms,"]
    assert "allintop 12.5, textual 6.2" in lines[2]
    assert lines[3].strip() == "ratio working/baseline: x1.50"
    failed = imports.render({"working": {"error": "no module named allintop"}})
    assert failed[1].split() == ["working", "error:", "no", "module", "named", "allintop"]


@pytest.mark.parametrize(
    ("base", "working", "expected"),
    [(2.0, 1.0, 0.5), (1.0, 1.5, 1.5), (None, 1.0, None), (1.0, None, None), (0.0, 1.0, None)],
)
def test_ratio_is_working_over_baseline(
    base: float | None, working: float | None, expected: float | None
) -> None:
    assert report.ratio(base, working) == expected


def phase(key: str, label: str, paint: float, cpu: float, rss: float | None) -> dict[str, Any]:
    return {
        "key": key,
        "label": label,
        "client": "allintop",
        "first_paint_s": paint,
        "cpu_s_per_min": cpu,
        "peak_rss_mb": rss,
        "querylog": {},
    }


def test_ab_table_gives_each_figure_of_both_runs_and_the_ratio() -> None:
    result = {
        "meta": {"git": "commit abc1234", "baseline": {"rev": "v1", "commit": "f" * 40}},
        "phases": [
            phase("base-default-1s", "allintop 1s @base", 1.5, 2.0, 60.0),
            phase("default-1s", "allintop 1s", 0.75, 3.0, None),
            {"key": "naive-default-1s", "label": "naive 1s", "client": "naive"},
        ],
    }
    lines = report.ab(result)
    assert lines[0] == ""
    assert lines[1].startswith("A/B: baseline v1 (ffffffffff) vs working tree commit abc1234")
    rows = {line.split()[0]: line.split() for line in lines[4:] if line.startswith("    ")}
    assert lines[3].strip() == "allintop 1s"
    assert rows["first"][-3:] == ["1.5", "0.75", "x0.50"]
    assert rows["CPU"][-3:] == ["2", "3", "x1.50"]
    assert rows["peak"][-3:] == ["60", "-", "-"]
    assert "samples/min" not in "\n".join(lines)  # measured by neither: left out
    assert report.ab({**result, "meta": {"git": "x"}}) == []  # no baseline, no table


def test_baseline_runs_precede_each_of_allintops_runs_only() -> None:
    phases = [
        p for p in all_phases(200, 5000) if p.key in ("bare", "default-1s", "naive-default-1s")
    ]
    keys = [(p.key, p.baseline) for p in with_baseline(phases)]
    assert keys == [
        ("base-default-1s", True),
        ("default-1s", False),
        ("naive-default-1s", False),
        ("bare", False),
    ]
