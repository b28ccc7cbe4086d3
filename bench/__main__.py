"""python -m bench [--duration 60] [--quick] [--out FILE] [--phases a,b] [--no-warmup]
   python -m bench --quick --baseline REV   (A/B: REV's allintop beside the working tree's)
   python -m bench --show RESULT.json | --compare OLD.json NEW.json | --list
   python -m bench --soak [--minutes 30] [--restart-every 5] [--down-for 10] [--churn 60]

The full run (about 15 minutes with --duration 60): the default dashboard at 1 s and
at its default 5 s refresh, the naive client at both, 200 generated panels, one panel
of 5,000 series (each with its naive counterpart), key latency at 200 panels, and
Node Exporter Full (the Grafana file, at its own 1m refresh) against a node-exporter.
Before the measured runs it waits until the 5m rate windows hold live 1 s data (the
demo's backfill is 10 s apart), measuring one run on the backfill meanwhile.
--quick runs the default dashboard only, without the warm-up.
--baseline REV installs that revision of this repository in its own venv (cached under
bench/results/baselines) and runs each of allintop's runs with it too, just before the
working tree's; the report gives both figures and their ratio. Every report starts with
what start-up imports cost (bench/imports.py), for the baseline too when given.
--soak runs the dashboard for a long time against a changing stack (see bench/soak.py).
"""

from __future__ import annotations

import argparse
import importlib.metadata
import json
import os
import platform
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx

from bench import baseline, imports, procs, report, soak
from bench.runner import REPO, Bench, Options, all_phases, with_baseline
from bench.terminal import tmux_version

RESULTS = Path(__file__).resolve().parent / "results"


def _git() -> str:
    def git(*args: str) -> str:
        return subprocess.run(
            ["git", *args], cwd=REPO, capture_output=True, text=True, check=False
        ).stdout.rstrip()

    head = git("rev-parse", "--short", "HEAD") or "unknown"
    changed = [line for line in git("status", "--porcelain", "--", "allintop").splitlines() if line]
    if changed:
        # Others work in the same checkout: the measured code is the working tree.
        return f"commit {head} + {len(changed)} uncommitted file(s) in allintop/"
    return f"commit {head}"


def _version(package: str) -> str:
    try:
        return importlib.metadata.version(package)
    except importlib.metadata.PackageNotFoundError:
        return "?"


def meta(options: Options) -> dict[str, Any]:
    return {
        "started": datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S UTC"),
        "git": _git(),
        "git_status": subprocess.run(
            ["git", "status", "--porcelain", "--", "allintop"],
            cwd=REPO,
            capture_output=True,
            text=True,
            check=False,
        ).stdout.splitlines(),  # fmt: skip
        "cpu_count": os.cpu_count(),
        "loadavg": " ".join(f"{x:.2f}" for x in os.getloadavg()),
        "python": platform.python_version(),
        "textual": _version("textual"),
        "allintop": _version("allintop"),
        "tmux": tmux_version(),
        "platform": platform.platform(),
        "duration_s": options.duration,
        "terminal": f"{options.width}x{options.height}",
        "quick": options.quick,
    }


def prometheus_version(url: str) -> str:
    try:
        data = httpx.get(f"{url}/api/v1/status/buildinfo", timeout=5.0).json()["data"]
    except (httpx.HTTPError, ValueError, KeyError):
        return "?"
    return f"{data.get('version')} (go {data.get('goVersion', '?').removeprefix('go')})"


def parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench", description="allintop's benchmark (see bench/__main__.py)."
    )
    parser.add_argument("--duration", type=float, default=60.0, help="seconds per run")
    parser.add_argument("--quick", action="store_true", help="default dashboard only, no warm-up")
    parser.add_argument("--out", type=Path, help="JSON results (default bench/results/...)")
    parser.add_argument("--phases", help="comma-separated runs to do (see --list)")
    parser.add_argument("--list", action="store_true", help="list the runs and exit")
    parser.add_argument(
        "--no-warmup", action="store_true", help="don't wait for live-density 5m windows"
    )
    parser.add_argument("--panels", type=int, default=200, help="generated dashboard size")
    parser.add_argument("--series", type=int, default=5000, help="series of the one-panel run")
    parser.add_argument("--key-presses", type=int, help="key presses for the latency runs")
    parser.add_argument(
        "--baseline", metavar="REV", help="also run REV's allintop (A/B in the same run)"
    )
    parser.add_argument("--soak", action="store_true", help="the soak (see bench/soak.py)")
    parser.add_argument("--minutes", type=float, default=30.0, help="soak length")
    parser.add_argument(
        "--restart-every", type=float, default=5.0, help="soak: minutes between restarts"
    )
    parser.add_argument("--churn", type=float, default=60.0, help="soak: seconds between churns")
    parser.add_argument(
        "--down-for", type=float, default=10.0, help="soak: seconds Prometheus stays down"
    )
    parser.add_argument(
        "--warm", type=float, default=5.0, help="soak: minutes before the RSS baseline"
    )
    parser.add_argument("--show", type=Path, metavar="JSON", help="print a stored result")
    parser.add_argument(
        "--compare", type=Path, nargs=2, metavar=("OLD", "NEW"), help="compare two results"
    )
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse(argv)
    if args.show:
        shown = json.loads(args.show.read_text())
        print(soak.render(shown) if "soak" in shown else report.render(shown))
        return 0
    if args.soak:
        return run_soak(args)
    if args.compare:
        old, new = (json.loads(path.read_text()) for path in args.compare)
        print(report.compare(old, new))
        return 0
    if args.list:
        for phase in all_phases(args.panels, args.series):
            print(f"{phase.key:28} {phase.label}")
        return 0
    options = Options(
        duration=args.duration,
        quick=args.quick,
        warmup=not (args.quick or args.no_warmup),
        phases=tuple(args.phases.split(",")) if args.phases else None,
        panels=args.panels,
        series=args.series,
        key_presses=args.key_presses,
        progress=lambda message: print(f"bench: {message}", file=sys.stderr, flush=True),
    )
    started = time.time()
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
    out = args.out or RESULTS / f"{stamp}.json"
    result: dict[str, Any] = {"meta": meta(options), "targets": report.TARGETS, "phases": []}
    cleanup = procs.Cleanup()
    cleanup.install_signal_handlers()
    status = 0
    try:
        bench = Bench(options, cleanup)
        phases = bench.wanted()
        if args.baseline:
            try:
                base = baseline.install(args.baseline, cleanup, options.progress)
            except (RuntimeError, OSError, subprocess.SubprocessError) as exc:
                raise SystemExit(f"bench: {exc}") from exc
            options.baseline = tuple(base.command)
            result["meta"]["baseline"] = {"rev": base.rev, "commit": base.commit}
            phases = with_baseline(phases)
        result["imports"] = measure_imports(base.python if args.baseline else None, options)
        bench.start(phases)
        result["meta"]["prometheus"] = prometheus_version(bench.url)
        result["stack"] = bench.verify_warm()
        options.progress(f"stack up: {json.dumps(result['stack'])}")
        sparse = [p for p in phases if p.key.endswith("-sparse")]
        dense = [p for p in phases if p not in sparse]
        for phase in sparse:
            result["phases"].append(_run(bench, phase, options))
        if options.warmup and dense:
            options.progress("warm-up: waiting until the 5m windows hold live 1 s data")
            result["warmup"] = bench.wait_dense()
        else:
            result["idle"] = bench.idle(3.0)
        for phase in dense:
            result["phases"].append(_run(bench, phase, options))
    except KeyboardInterrupt:
        print("bench: interrupted; stopping everything", file=sys.stderr)
        status = 130
    except SystemExit as exc:  # SIGTERM / SIGHUP via Cleanup's handlers, or a usage error
        if not isinstance(exc.code, int):
            print(exc.code, file=sys.stderr)
        status = exc.code if isinstance(exc.code, int) else 2
    finally:
        cleanup.close()
    result["total_wall_s"] = round(time.time() - started, 1)
    result["out"] = str(out)
    if result["phases"]:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(json.dumps(result, indent=2, default=str) + "\n")
        print(report.render(result))
    if status == 0 and any("error" in p for p in result["phases"]):
        status = 1
    return status


def run_soak(args: argparse.Namespace) -> int:
    say = lambda message: print(f"bench: {message}", file=sys.stderr, flush=True)  # noqa: E731
    options = soak.SoakOptions(
        minutes=args.minutes,
        restart_every=args.restart_every,
        churn=args.churn,
        warm=args.warm,
        down_for=args.down_for,
        progress=say,
    )
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
    out = args.out or RESULTS / f"soak-{stamp}.json"
    result: dict[str, Any] = {
        "meta": {
            "started": datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S UTC"),
            "git": _git(),
            "cpu_count": os.cpu_count(),
            "loadavg": " ".join(f"{x:.2f}" for x in os.getloadavg()),
            "python": platform.python_version(),
            "textual": _version("textual"),
            "minutes": options.minutes,
            "restart_every_min": options.restart_every,
            "warm_min": options.warm,
            "churn_s": options.churn,
            "down_for_s": options.down_for,
            "series": options.series,
            "refresh_s": options.refresh,
        },
        "out": str(out),
    }
    cleanup = procs.Cleanup()
    cleanup.install_signal_handlers()
    try:
        run = soak.Soak(options, cleanup)
        run.start()
        assert run.stack is not None
        result["meta"]["prometheus"] = prometheus_version(run.stack.prometheus_url)
        result["soak"] = run.run()
    except KeyboardInterrupt:
        say("interrupted; stopping everything")
        return 130
    except (RuntimeError, OSError) as exc:
        say(f"soak failed: {exc}")
        return 1
    finally:
        cleanup.close()
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2, default=str) + "\n")
    print(soak.render(result))
    return 0


def measure_imports(base: Path | None, options: Options) -> dict[str, Any]:
    """Start-up imports of the working tree's venv (and the baseline's), before the
    stack starts; a failure is recorded, the runs go on."""
    out: dict[str, Any] = {}
    for side, python in (("baseline", base), ("working", Path(sys.executable))):
        if python is None:
            continue
        options.progress(f"start-up imports ({side}): python -X importtime")
        try:
            out[side] = imports.measure(python)
        except (RuntimeError, OSError) as exc:
            out[side] = {"error": str(exc)}
    return out


def _run(bench: Bench, phase: Any, options: Options) -> dict[str, Any]:
    """One run; a failure is recorded in its result and the next run goes on."""
    options.progress(f"run {phase.key}: {phase.label} for {options.duration:g} s")
    try:
        return bench.run(phase)
    except (RuntimeError, OSError, ValueError, httpx.HTTPError, subprocess.SubprocessError) as exc:
        options.progress(f"run {phase.key} failed: {exc}")
        return {"key": phase.key, "label": phase.label, "client": phase.client, "error": str(exc)}


if __name__ == "__main__":
    sys.exit(main())
