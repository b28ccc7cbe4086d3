"""The bench's runs: the stack, the dashboard in a terminal, the naive client.

One Prometheus (the demo stack, query log on) serves every run, one run at a time, so
each run's queries are a window of the query log and its CPU is its own. Each run:

1. probes how dense the history is (see `density`), notes the log offset and
   Prometheus' CPU so far;
2. launches the client (the dashboard in a private tmux, or the naive client) and
   times the first paint;
3. lets it run until `duration` seconds after launch, then reads its CPU and peak RSS
   from /proc (and, for the 200-panel dashboard, times key presses);
4. stops it, and reads its queries from the log.
"""

from __future__ import annotations

import json
import math
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import httpx

from allintop.demo.configs import NODE_JOB
from allintop.demo.stack import DemoStack
from allintop.live.poller import aligned
from bench import dashboards, keylatency, procs, querylog, screen
from bench.exporter import JOB as EXPORTER_JOB
from bench.exporter import METRIC as EXPORTER_METRIC
from bench.terminal import Terminal, pane_env
from tests import corpus

REPO = Path(__file__).resolve().parent.parent
PAINT_POLL_S = 0.01
PAINT_TIMEOUT_S = 30.0
SETTLE_S = 0.5  # after a client exits, for Prometheus to log the queries it was running
#: The start's tail after the first paint (the history's backfill, the first rules,
#: targets and alerts, a garbage collection): the settled CPU is measured after it.
SETTLED_AFTER_S = 10.0
#: The least of a run left after that for a settled figure.
SETTLED_MIN_S = 10.0
LIVE_WINDOW_S = 300.0  # the longest rate window of the panels: 5m
DENSITY_PROBE = "allin_active_connections"


@dataclass(frozen=True)
class Phase:
    key: str
    label: str
    client: str  # "allintop" or "naive"
    dashboard: str  # "default", "generated", "series" or "node"
    refresh: float | None  # None: the dashboard's own
    key_presses: int = 0
    note: str = ""
    range: str | None = None  # None: the dashboard's own
    baseline: bool = False  # runs the --baseline revision's allintop (see bench/baseline.py)

    @property
    def refresh_s(self) -> float:
        return self.refresh if self.refresh is not None else 5.0


def all_phases(panels: int, series: int) -> list[Phase]:
    return [
        Phase(
            "default-1s-sparse", "allintop 1s (backfill-only history)", "allintop", "default",
            1.0, note="run while the 5m windows still hold the 10 s-step backfill; not a target",
        ),
        Phase("default-1s", "allintop 1s", "allintop", "default", 1.0),
        Phase("naive-default-1s", "naive 1s", "naive", "default", 1.0),
        Phase("default-5s", "allintop 5s (default)", "allintop", "default", None),
        Phase("naive-default-5s", "naive 5s", "naive", "default", 5.0),
        Phase(f"gen{panels}-1s", f"allintop {panels} panels 1s", "allintop", "generated", 1.0,
              key_presses=20),
        Phase(f"naive-gen{panels}-1s", f"naive {panels} panels 1s", "naive", "generated", 1.0),
        Phase(f"gen{panels}-24h-1s", f"allintop {panels} panels 24h 1s", "allintop", "generated",
              1.0, range="24h", note="a day's range at 1 s: history cost must not follow it"),
        Phase("node-full", "Node Exporter Full (125 panels)", "allintop", "node", None),
        Phase("bare", "bare Textual (floor)", "bare", "default", None,
              note="14 Statics, no queries: what first paint costs Python and Textual"),
        Phase(f"series{series}-1s", f"allintop {series} series 1s", "allintop", "series", 1.0),
        Phase(f"naive-series{series}-1s", f"naive {series} series 1s", "naive", "series", 1.0),
    ]  # fmt: skip


QUICK_PHASES = ("bare", "default-1s", "naive-default-1s", "default-5s", "naive-default-5s")


@dataclass
class Options:
    duration: float = 60.0
    quick: bool = False
    warmup: bool = True
    phases: tuple[str, ...] | None = None  # None: all (or QUICK_PHASES with quick)
    panels: int = 200
    series: int = 5000
    key_presses: int | None = None  # None: each phase's own
    width: int = 120
    height: int = 40
    progress: Callable[[str], None] = field(default=lambda message: None)
    baseline: tuple[str, ...] = ()  # the --baseline revision's allintop command, if any


BASE_PREFIX = "base-"


def with_baseline(phases: list[Phase]) -> list[Phase]:
    """Each of allintop's runs preceded by the same run of the baseline revision, so
    the two see the same Prometheus history and the same machine as near in time as
    can be; the naive and bare-Textual runs stay as they are (one each)."""
    out = []
    for phase in phases:
        if phase.client == "allintop":
            out.append(
                replace(
                    phase,
                    key=BASE_PREFIX + phase.key,
                    label=f"{phase.label} @base",
                    baseline=True,
                )
            )
        out.append(phase)
    return out


def allintop_command() -> list[str]:
    """The console script next to this Python (what a user runs), else -m allintop."""
    script = Path(sys.executable).with_name("allintop")
    if os.access(script, os.X_OK):
        return [str(script)]
    return [sys.executable, "-m", "allintop"]


class Bench:
    """Everything one bench run starts, and the runs themselves."""

    def __init__(self, options: Options, cleanup: procs.Cleanup) -> None:
        self.options = options
        self.cleanup = cleanup
        self.say = options.progress
        self.workdir = Path(tempfile.mkdtemp(prefix="allintop-bench-"))
        cleanup.push("temp dir", lambda: shutil.rmtree(self.workdir, ignore_errors=True))
        self.log = querylog.QueryLog(self.workdir / "query.log")
        self.stack: DemoStack | None = None
        self.exporter: subprocess.Popen[bytes] | None = None
        self.dashboard_paths: dict[str, Path] = {}
        self.variables: dict[str, dict[str, str]] = {}  # --var NAME=VALUE, by dashboard kind
        self.judged: dict[str, list[str]] = {}  # the cards first paint waits for, if not all
        self.generation: dict[str, Any] = {}
        self.started_at: float | None = None

    # -- the stack ---------------------------------------------------------------------------

    def wanted(self) -> list[Phase]:
        phases = all_phases(self.options.panels, self.options.series)
        if self.options.phases is not None:
            unknown = set(self.options.phases) - {p.key for p in phases}
            if unknown:
                known = ", ".join(p.key for p in phases)
                raise SystemExit(f"bench: unknown phase(s) {sorted(unknown)}; known: {known}")
            return self._runnable([p for p in phases if p.key in self.options.phases])
        if self.options.quick:
            return [p for p in phases if p.key in QUICK_PHASES]
        return self._runnable(phases)

    def _runnable(self, phases: list[Phase]) -> list[Phase]:
        """The phases whose dashboards are there: Node Exporter Full's is outside the
        repository (the public Grafana corpus), and without it its run is left out."""
        if dashboards.node_full_path() is not None:
            return phases
        left_out = [p.key for p in phases if p.dashboard == "node"]
        if left_out:
            self.say(
                f"Node Exporter Full is absent, {corpus.REASON}: "
                f"{', '.join(left_out)} left out, the other runs go on"
            )
        return [p for p in phases if p.dashboard != "node"]

    def start(self, phases: list[Phase]) -> None:
        scrape_configs = []
        if any(p.dashboard == "series" for p in phases):
            port = self._start_exporter()
            scrape_configs.append(
                {"job_name": EXPORTER_JOB, "static_configs": [{"targets": [f"127.0.0.1:{port}"]}]}
            )
        node = any(p.dashboard == "node" for p in phases)
        self.say(
            "starting the demo stack (Prometheus + demo backend, 15 min backfill"
            + (", node-exporter)…" if node else ")…")
        )
        self.stack = DemoStack(
            query_log=self.log.path, extra_scrape_configs=scrape_configs, with_node_exporter=node
        )
        self.cleanup.push("demo stack", self.stack.stop)
        self.stack.start(timeout=90.0)
        self.started_at = time.time()
        self.say(f"workdirs: {self.workdir} {self.stack.workdir}; Prometheus at {self.url}")

    def _start_exporter(self) -> int:
        ready = self.workdir / "exporter.port"
        command = [
            sys.executable, "-m", "bench.exporter", "--series", str(self.options.series),
            "--ready-file", str(ready), "--parent-pid", str(os.getpid()),
        ]  # fmt: skip
        self.exporter = procs.spawn(command, log=self.workdir / "exporter.log", cwd=REPO)
        exporter = self.exporter
        self.cleanup.push("exporter", lambda: procs.terminate(exporter))
        deadline = time.monotonic() + 30.0
        while not ready.exists():
            if exporter.poll() is not None or time.monotonic() > deadline:
                log = (self.workdir / "exporter.log").read_text(errors="replace")
                raise RuntimeError(f"the series exporter did not start:\n{log}")
            time.sleep(0.05)
        return int(ready.read_text())

    @property
    def url(self) -> str:
        assert self.stack is not None
        return self.stack.prometheus_url

    def query(self, expr: str, at: float | None = None) -> list[dict[str, Any]]:
        params = {"query": expr} | ({} if at is None else {"time": str(at)})
        response = httpx.get(f"{self.url}/api/v1/query", params=params, timeout=30.0)
        body = response.json()
        if body.get("status") != "success":
            raise RuntimeError(f"{expr}: {body.get('error')}")
        return body["data"]["result"]

    def scalar(self, expr: str) -> float | None:
        result = self.query(expr)
        return float(result[0]["value"][1]) if result else None

    def prometheus_cpu(self) -> float | None:
        assert self.stack is not None and self.stack.prometheus is not None
        return procs.cpu_seconds(self.stack.prometheus.process.pid)

    def density(self) -> dict[str, float | None]:
        """How much of the 5m and 15m windows the history fills, against live 1 s scrapes.

        The backfill is written at 10 s steps, live scraping at 1 s: 1.0 means a window
        holds as many samples as on a Prometheus that has scraped for that long, ~0.1
        that it holds backfill only. Query cost (samples) scales with it.
        """
        out: dict[str, float | None] = {}
        for window, seconds in (("5m", 300.0), ("15m", 900.0)):
            count = self.scalar(f"max(count_over_time({DENSITY_PROBE}[{window}]))")
            out[f"density_{window}"] = None if count is None else round(count / seconds, 3)
        return out

    def verify_warm(self) -> dict[str, Any]:
        """Checks that the 15m range and the 5m rate windows hold data, and says how."""
        assert self.stack is not None
        default = dashboards.default_path()
        from allintop.dashboard.loading import load_dashboard
        from allintop.promql.interpolate import interpolate

        panels = load_dashboard(default).queries
        with_data = [p.title for p in panels if self.query(interpolate(p.expr, {"job": "all"}))]
        oldest = self.scalar(f"time() - min(min_over_time(timestamp({DENSITY_PROBE})[16m:5s]))")
        report = {
            "backfilled": self.stack.backfilled,
            "oldest_sample_age_s": None if oldest is None else round(oldest, 1),
            "default_panels_with_data": f"{len(with_data)}/{len(panels)}",
            "query_log_has_sample_stats": querylog.has_sample_stats(self.log.path),
            **self.density(),
        }
        report["range_15m_has_data"] = oldest is not None and oldest >= 14 * 60
        report["rate_5m_has_data"] = len(with_data) == len(panels)
        return report

    def wait_dense(self, timeout: float = LIVE_WINDOW_S + 120.0) -> dict[str, Any]:
        """Waits until the 5m windows hold live (1 s) data only; measures Prometheus'
        idle CPU meanwhile."""
        t0, cpu0 = time.time(), self.prometheus_cpu()
        deadline = time.monotonic() + timeout
        said = 0.0
        while True:
            density = self.density()["density_5m"] or 0.0
            if density >= 0.97 or time.monotonic() > deadline:
                break
            if time.monotonic() - said >= 60:
                said = time.monotonic()
                self.say(f"  warm-up: 5m windows {density:.0%} live-dense; waiting…")
            time.sleep(min(5.0, max(1.0, deadline - time.monotonic())))
        return {
            "waited_s": round(time.time() - t0, 1),
            "density_5m": density,
            **self._idle(t0, cpu0),
        }

    def idle(self, seconds: float) -> dict[str, Any]:
        t0, cpu0 = time.time(), self.prometheus_cpu()
        time.sleep(seconds)
        return self._idle(t0, cpu0)

    def _idle(self, t0: float, cpu0: float | None) -> dict[str, Any]:
        cpu1, elapsed = self.prometheus_cpu(), time.time() - t0
        if cpu0 is None or cpu1 is None or elapsed <= 0:
            return {"prometheus_idle_cpu_s_per_min": None}
        return {"prometheus_idle_cpu_s_per_min": round((cpu1 - cpu0) * 60 / elapsed, 3)}

    # -- dashboards ---------------------------------------------------------------------------

    def dashboard(self, kind: str) -> Path:
        if kind in self.dashboard_paths:
            return self.dashboard_paths[kind]
        if kind == "default":
            path = dashboards.default_path()
        elif kind == "generated":
            path, self.generation = dashboards.generated(
                self.workdir / "generated.yaml",
                self.options.panels,
                lambda expr: bool(self.query(expr)),
            )
        elif kind == "series":
            self._wait_series()
            path = dashboards.series_dashboard(self.workdir / "series.yaml", self.options.series)
        elif kind == "node":
            path = dashboards.node_full_path()
            if path is None:  # left out by wanted(); a run asked for anyway says why
                raise RuntimeError(f"no Node Exporter Full: {corpus.REASON}")
            self._wait_node(dashboards.refresh(path))
            (uname,) = self.query(f'node_uname_info{{job="{NODE_JOB}"}}')
            values = {k: uname["metric"][label] for k, label in dashboards.NODE_VARIABLES.items()}
            self.variables[kind] = values
            self.judged[kind] = dashboards.titles_with_data(path, values, self.query)
        else:
            raise ValueError(kind)
        self.dashboard_paths[kind] = path
        return path

    def _wait_node(self, refresh: float, scrapes: int = 10) -> None:
        """Until the time the dashboard first evaluates at (the last tick of its refresh
        grid: with Node Exporter Full's 1m, up to a minute ago) follows `scrapes`
        scrapes of the node-exporter, so that its rate() panels have an answer."""
        expr = f'count_over_time(up{{job="{NODE_JOB}"}}[1h]) >= {scrapes}'
        deadline = time.monotonic() + refresh + 60.0
        while not self.query(expr, at=aligned(time.time(), refresh)):
            if time.monotonic() > deadline:
                raise RuntimeError("Prometheus has not scraped the node-exporter")
            time.sleep(1.0)

    def _wait_series(self, timeout: float = 30.0) -> None:
        expr = f'count({EXPORTER_METRIC}{{job="{EXPORTER_JOB}"}})'
        deadline = time.monotonic() + timeout
        while (self.scalar(expr) or 0) < self.options.series:
            if time.monotonic() > deadline:
                raise RuntimeError(f"Prometheus has not scraped the {self.options.series} series")
            time.sleep(0.5)

    # -- one run -----------------------------------------------------------------------------------

    def run(self, phase: Phase) -> dict[str, Any]:
        config = self.dashboard(phase.dashboard)
        result: dict[str, Any] = {
            "key": phase.key,
            "label": phase.label,
            "client": phase.client,
            "dashboard": phase.dashboard,
            "panels": len(dashboards.titles(config)),
            "refresh_s": phase.refresh if phase.refresh is not None else dashboards.refresh(config),
            "note": phase.note,
            **self.density(),
        }
        offset, prom_cpu0 = self.log.offset(), self.prometheus_cpu()
        if phase.client in ("allintop", "bare"):
            client = self._run_dashboard(phase, config)
        else:
            client = self._run_naive(phase, config)
        time.sleep(SETTLE_S)
        launched, until = client.pop("launched_at"), client.pop("measured_until")
        prom_cpu1 = client.pop("prometheus_cpu_at_end")
        records = self.log.records(offset, self.log.offset(), since=launched)
        tick_path = querylog.INSTANT if phase.client == "allintop" else querylog.RANGE
        summary = querylog.summarize(records, launched, until, tick_path)
        result.update(client)
        result["prometheus_cpu_s_per_min"] = (
            None
            if prom_cpu0 is None or prom_cpu1 is None
            else round((prom_cpu1 - prom_cpu0) * 60 / (until - launched), 3)
        )
        result["querylog"] = summary
        return result

    def _settled(self, pid: int, launched: float, paint: float | None) -> procs.Usage | None:
        """The process' usage SETTLED_AFTER_S after its first paint, when the run
        leaves at least SETTLED_MIN_S after that; None otherwise."""
        if paint is None:
            return None
        at = paint + SETTLED_AFTER_S
        if launched + self.options.duration - at < SETTLED_MIN_S:
            return None
        _sleep_until(at, pid)
        return procs.Usage.read(pid) if procs.alive(pid) else None

    def _usage(
        self,
        pid: int,
        launched: float,
        at_paint: procs.Usage | None,
        settled: procs.Usage | None = None,
    ) -> dict[str, Any]:
        end = procs.Usage.read(pid)
        elapsed = end.at - launched
        out: dict[str, Any] = {
            "measured_until": end.at,
            "prometheus_cpu_at_end": self.prometheus_cpu(),
            "duration_s": round(elapsed, 3),
            "cpu_s": end.cpu,
            "cpu_s_per_min": None if end.cpu is None else round(end.cpu * 60 / elapsed, 3),
            "peak_rss_mb": None if end.peak_rss_kib is None else round(end.peak_rss_kib / 1024, 1),
        }
        if at_paint is not None and at_paint.cpu is not None and end.cpu is not None:
            out["first_paint_cpu_s"] = round(at_paint.cpu, 3)
            steady = end.at - at_paint.at
            if steady > 0:
                out["cpu_steady_s_per_min"] = round((end.cpu - at_paint.cpu) * 60 / steady, 3)
        if settled is not None and settled.cpu is not None and end.cpu is not None:
            window = end.at - settled.at
            if window > 0:
                out["cpu_settled_s_per_min"] = round((end.cpu - settled.cpu) * 60 / window, 3)
        return out

    def _run_dashboard(self, phase: Phase, config: Path) -> dict[str, Any]:
        titles = self.judged.get(phase.dashboard) or dashboards.titles(config)
        if phase.client == "bare":
            command = [sys.executable, "-m", "bench.bare", str(config)]
        else:
            program = list(self.options.baseline) if phase.baseline else allintop_command()
            command = [*program, "--url", self.url, "-c", str(config)]
        for name, value in self.variables.get(phase.dashboard, {}).items():
            command += ["--var", f"{name}={value}"]
        if phase.refresh is not None:
            command += ["--refresh", f"{phase.refresh:g}s"]
        if phase.range is not None:
            command += ["--range", phase.range]
        terminal = Terminal(self.workdir, phase.key, self.options.width, self.options.height)
        self.cleanup.push(f"tmux for {phase.key}", terminal.stop)
        out: dict[str, Any] = {"command": " ".join(command[1:])}
        try:
            env = pane_env(os.environ)
            ticks = self.workdir / f"{phase.key}.ticks.jsonl"
            env["ALLINTOP_TICK_LOG"] = str(ticks)  # the app's own tick times
            pid = terminal.start(command, env, cwd=REPO if phase.client == "bare" else self.workdir)
            launched = terminal.launched_at
            assert launched is not None
            out["launched_at"] = launched
            out["terminal"] = terminal.size().strip()
            if phase.client != "bare" and "allintop" not in _settled_cmdline(pid):
                raise RuntimeError(f"pane {pid} runs {procs.cmdline(pid)!r}, not allintop")
            if phase.dashboard in self.judged:
                out["cards_with_data"] = f"{len(titles)}/{len(dashboards.titles(config))}"
            paint, at_paint, lines = self._first_paint(terminal, pid, titles, launched)
            out["first_paint_s"] = None if paint is None else round(paint - launched, 3)
            state = screen.paint_state(lines, titles)
            out["first_paint_visible_cards"] = state.visible
            if paint is None:
                out["error"] = f"no first paint within {PAINT_TIMEOUT_S:g}s: {state.waiting}"
                out["screen"] = lines
            settled = self._settled(pid, launched, paint)
            _sleep_until(launched + self.options.duration, pid)
            out.update(self._usage(pid, launched, at_paint, settled))
            final = terminal.capture()
            out["live_at_end"] = screen.paint_state(final, titles).live
            if phase.dashboard == "series":
                # The panel shows as many top series as fit, and counts the rest
                # under them ("+49982 more").
                card = screen.card_lines(final, titles[0])
                out["card"] = card
                out["card_shows_count"] = screen.counts_the_rest(card, self.options.series)
            if not out["live_at_end"]:
                out["screen"] = final
            out["client_ticks"] = _app_ticks(read_jsonl(ticks))
            presses = phase.key_presses
            if presses and self.options.key_presses is not None:
                presses = self.options.key_presses
            if presses and procs.alive(pid):
                out["key_presses"] = keylatency.press_keys(
                    terminal,
                    presses,
                    phase.refresh_s,
                    lambda: keylatency.app_ticks(read_jsonl(ticks)),
                )
                # Every tick the app logged, the presses' own included.
                keylatency.classify(out["key_presses"], keylatency.app_ticks(read_jsonl(ticks)))
            self._quit(terminal, pid)
        finally:
            self.cleanup.run(terminal.stop)
        return out

    def _first_paint(
        self, terminal: Terminal, pid: int, titles: list[str], launched: float
    ) -> tuple[float | None, procs.Usage | None, list[str]]:
        """Polls the screen every ~10 ms until every visible card shows a number and
        the header says live; returns (when, the process' usage then, the screen)."""
        lines: list[str] = []
        while time.time() - launched < PAINT_TIMEOUT_S:
            lines = terminal.capture()
            seen = time.time()
            if screen.paint_state(lines, titles).done:
                return seen, procs.Usage.read(pid), lines
            if not procs.alive(pid):
                raise RuntimeError("allintop exited before its first paint:\n" + "\n".join(lines))
            time.sleep(PAINT_POLL_S)
        return None, None, lines

    def _quit(self, terminal: Terminal, pid: int) -> None:
        """q, as a user leaves; the tmux server is killed afterwards anyway."""
        try:
            terminal.send_keys("q", literal=True)
        except (RuntimeError, subprocess.SubprocessError):
            return
        procs.wait_gone(pid, 5.0)

    def _run_naive(self, phase: Phase, config: Path) -> dict[str, Any]:
        ticks_file = self.workdir / f"{phase.key}.jsonl"
        command = [
            sys.executable, "-m", "bench.naive", "--url", self.url, "-c", str(config),
            "--refresh", f"{phase.refresh_s:g}", "--out", str(ticks_file),
        ]  # fmt: skip
        out: dict[str, Any] = {"command": "python -m bench.naive " + " ".join(command[3:])}
        launched = time.time()
        process = procs.spawn(command, log=self.workdir / f"{phase.key}.log", cwd=REPO)
        stop = self.cleanup.push(f"naive client {phase.key}", lambda: procs.terminate(process))
        try:
            out["launched_at"] = launched
            paint, at_paint = None, None
            while time.time() - launched < PAINT_TIMEOUT_S and process.poll() is None:
                ticks = read_jsonl(ticks_file)
                if ticks and ticks[0]["with_data"] == ticks[0]["panels"]:
                    paint, at_paint = ticks[0]["end"], procs.Usage.read(process.pid)
                    break
                if ticks:  # the first tick did not get every panel: no paint
                    break
                time.sleep(PAINT_POLL_S)
            out["first_paint_s"] = None if paint is None else round(paint - launched, 3)
            settled = self._settled(process.pid, launched, paint)
            _sleep_until(launched + self.options.duration, process.pid)
            out.update(self._usage(process.pid, launched, at_paint, settled))
            if process.poll() is not None:
                out["error"] = f"naive client exited early ({process.returncode})"
        finally:
            self.cleanup.run(stop)
        out["client_ticks"] = _naive_ticks(read_jsonl(ticks_file), launched, out)
        return out


def _sleep_until(when: float, pid: int) -> None:
    while time.time() < when and procs.alive(pid):
        time.sleep(min(0.5, max(0.0, when - time.time())))


def _ms(value: float | None) -> float | None:
    return None if value is None else round(value * 1000, 2)


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    """The JSON lines of a log another process appends to; a line it is still
    writing (or any other that does not parse) is left out."""
    try:
        text = path.read_text()
    except FileNotFoundError:
        return []
    out = []
    for line in text.splitlines():
        try:
            out.append(json.loads(line))
        except ValueError:
            continue
    return out


def _app_ticks(ticks: list[dict[str, Any]]) -> dict[str, Any]:
    """The dashboard's own view of its ticks (ALLINTOP_TICK_LOG): poll start to the
    states on the cards, HTTP, JSON and math included; backfills left out."""
    walls = [t["tick_s"] for t in ticks if not t.get("backfill")]
    applied = [t["apply_s"] for t in ticks if not t.get("backfill") and "apply_s" in t]
    return {
        "ticks": len(walls),
        "wall_ms_median": _ms(querylog.percentile(walls, 50)),
        "wall_ms_p95": _ms(querylog.percentile(walls, 95)),
        "apply_ms_median": _ms(querylog.percentile(applied, 50)),
        "apply_ms_p95": _ms(querylog.percentile(applied, 95)),
        "errors": sum(1 for t in ticks if t.get("errors")),
        "points_per_tick_median": None,
    }


def _naive_ticks(ticks: list[dict[str, Any]], launched: float, out: dict[str, Any]) -> dict:
    """The naive client's own view of its ticks (HTTP and JSON parsing included)."""
    until = out.get("measured_until", math.inf)
    ticks = [t for t in ticks if t["start"] <= until]
    walls = [t["end"] - t["start"] for t in ticks]
    return {
        "ticks": len(ticks),
        "wall_ms_median": _ms(querylog.percentile(walls, 50)),
        "wall_ms_p95": _ms(querylog.percentile(walls, 95)),
        "errors": sum(t["errors"] for t in ticks),
        "points_per_tick_median": querylog.percentile([t["points"] for t in ticks], 50),
    }


def _settled_cmdline(pid: int, wait: float = 2.0) -> str:
    """The pane's command line once its exec is done: read in the middle of it,
    /proc/PID/cmdline is empty for a moment."""
    deadline = time.monotonic() + wait
    while not (line := procs.cmdline(pid)) and time.monotonic() < deadline:
        time.sleep(0.01)
    return line
