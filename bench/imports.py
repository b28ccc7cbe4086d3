"""What start-up imports cost: `python -X importtime` of the command's start path.

The console script `allintop` imports `allintop.cli.main`, and the dashboard command
then imports its setup and the app before the first frame: those imports are measured
in a fresh interpreter of the venv under test, a few times (after one run that writes
the bytecode caches), and the run with the median total is kept. The summary: the
total (interpreter start-up included), and the ten top-level packages that cost most,
cumulative (each outermost import of a package: its own modules and everything they
pulled in; so allintop's figure holds Textual's, which is also listed on its own).
"""

from __future__ import annotations

import json
import os
import subprocess
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

# The dashboard command's path to its first frame: the console script's module, the
# command, its setup (config, discovery) and the app (Textual and the widgets). Each
# by its name in this tree, then in older ones (an A/B baseline from before the
# packages by layer): the first name the venv has is imported.
START_MODULES = (
    ("allintop.cli.main", "allintop.cli"),
    ("allintop.cli.commands.dashboard",),
    ("allintop.cli.setup", "allintop.setup"),
    ("allintop.ui.app", "allintop.app"),
)
START = "import " + ", ".join(names[0] for names in START_MODULES)
# Run in the venv under test: which of each START_MODULES' names it has.
PROBE = """
import importlib.util, json, sys
found = []
for names in json.loads(sys.argv[1]):
    for name in names:
        try:
            if importlib.util.find_spec(name):
                found.append(name)
                break
        except ModuleNotFoundError:  # its parent is a module, not a package
            pass
print(json.dumps(found))
"""
RUNS = 5
TOP = 10


@dataclass(frozen=True)
class Entry:
    module: str
    self_us: int
    cumulative_us: int
    depth: int  # 0: imported by the measured statement itself, not by another import


def parse(text: str) -> list[Entry]:
    """The lines of `-X importtime` ("import time: self | cumulative | name", nested
    imports indented by two spaces under the one that pulled them in); others skipped."""
    entries = []
    for line in text.splitlines():
        if not line.startswith("import time:"):
            continue
        fields = line.removeprefix("import time:").split("|")
        if len(fields) != 3:
            continue
        try:
            own, cumulative = int(fields[0]), int(fields[1])
        except ValueError:  # the header line
            continue
        name = fields[2].rstrip()
        stripped = name.lstrip(" ")
        depth = (len(name) - len(stripped) - 1) // 2
        entries.append(Entry(stripped, own, cumulative, depth))
    return entries


def summarize(entries: list[Entry], top: int = TOP) -> dict[str, Any]:
    """Total import time and the `top` top-level packages by cumulative time, in ms.

    `-X importtime` prints an import after the imports it caused (and at one depth
    less), so walking the lines backwards meets each import's ancestors first: an
    import counts for its package unless an ancestor is of the same package (whose
    cumulative time already holds it).
    """
    by_package: dict[str, int] = {}
    total = 0
    ancestors: list[str] = []
    for entry in reversed(entries):
        package = entry.module.split(".")[0]
        del ancestors[entry.depth :]
        if entry.depth == 0:
            total += entry.cumulative_us
        if package not in ancestors:
            by_package[package] = by_package.get(package, 0) + entry.cumulative_us
        ancestors.append(package)
    ranked = sorted(by_package.items(), key=lambda item: (-item[1], item[0]))[:top]
    return {
        "total_ms": round(total / 1000, 1),
        "modules": len(entries),
        "top": [[name, round(us / 1000, 1)] for name, us in ranked],
    }


def start_statement(python: Path | str) -> str:
    """The import statement of the start path as the venv of `python` has it."""
    with tempfile.TemporaryDirectory(prefix="allintop-importtime-") as cwd:
        # In an empty directory, so that the venv's own install is what is found.
        done = subprocess.run(
            [os.path.abspath(python), "-c", PROBE, json.dumps(START_MODULES)],
            cwd=cwd,
            capture_output=True,
            text=True,
            check=False,
        )
    try:
        found = json.loads(done.stdout)
    except ValueError:
        found = None
    if done.returncode != 0 or not found:
        tail = "\n".join(done.stderr.splitlines()[-5:])
        raise RuntimeError(f"{python} has no allintop to import:\n{tail}")
    return "import " + ", ".join(found)


def measure(python: Path | str, statement: str | None = None, runs: int = RUNS) -> dict[str, Any]:
    """`python -X importtime -c statement` (the start path as that venv has it, by
    default), `runs` times after a warm-up; the summary of the run with the median
    total, plus every run's total."""
    if statement is None:
        statement = start_statement(python)
    summaries = []
    with tempfile.TemporaryDirectory(prefix="allintop-importtime-") as cwd:
        for i in range(runs + 1):
            # In an empty directory, so that the venv's own install is what is imported.
            done = subprocess.run(
                [os.path.abspath(python), "-X", "importtime", "-c", statement],
                cwd=cwd,
                env=with_bytecode(os.environ),
                capture_output=True,
                text=True,
                check=False,
            )
            if done.returncode != 0:
                tail = "\n".join(done.stderr.splitlines()[-5:])
                raise RuntimeError(f"{python} -c {statement!r} failed:\n{tail}")
            if i > 0:  # the first run writes bytecode caches
                summaries.append(summarize(parse(done.stderr)))
    ordered = sorted(summaries, key=lambda s: s["total_ms"])
    median = ordered[len(ordered) // 2]
    return {**median, "statement": statement, "runs_total_ms": [s["total_ms"] for s in summaries]}


def with_bytecode(environ: Mapping[str, str]) -> dict[str, str]:
    """`environ` without PYTHONDONTWRITEBYTECODE: an installed allintop has its bytecode
    compiled (pip does it), but the working tree's editable install has only what a
    run writes; with the variable set nothing is written, every start compiles all of
    allintop's modules again (some 100 ms), and the A/B measures that, not the change."""
    return {k: v for k, v in environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def render(imports: dict[str, Any]) -> list[str]:
    """The report's lines: one per measured venv, then (with a baseline) the ratio."""
    lines = [f"start-up imports (python -X importtime -c '{START}', median of {RUNS} runs):"]
    for side in ("baseline", "working"):
        found = imports.get(side)
        if not found:
            continue
        if "error" in found:
            lines.append(f"  {side:8}  error: {found['error']}")
            continue
        top = ", ".join(f"{name} {ms:g}" for name, ms in found["top"])
        lines.append(
            f"  {side:8} {found['total_ms']:7.1f} ms, {found['modules']} modules; "
            f"largest (cumulative ms): {top}"
        )
        statement = found.get("statement", START)
        if statement != START:
            lines.append(f"  {'':8} (its start path: {statement})")
    base, work = imports.get("baseline") or {}, imports.get("working") or {}
    if base.get("total_ms") and work.get("total_ms"):
        lines.append(f"  ratio working/baseline: x{work['total_ms'] / base['total_ms']:.2f}")
    return lines
