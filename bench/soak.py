"""The soak: the real dashboard for a long time against a stack that keeps changing.

    python -m bench --soak [--minutes 30] [--restart-every 5] [--churn 60]

The demo stack plus the bench exporter with series churn (every `churn` seconds half
of its series disappear and as many new ones appear), Prometheus restarted every
`restart_every` minutes (same port, TSDB kept, as a real restart), the dashboard at
1 s refresh in a private tmux with its tick log on (ALLINTOP_TICK_LOG). Sampled:

- RSS and open file descriptors (/proc/PID/status, /proc/PID/fd) and CPU every 5 s;
- the tick time of every tick from the app's own log (poll start to the states on
  the cards), per window between restarts;
- the header every half second: what it says while Prometheus is down, and when it
  says live again after each restart (recovery);
- the churn panel's card at the end (it lists the top series and counts the rest).

Figures, not verdicts (the machine is shared): RSS growth after the warm-up, tick
time per window, file descriptors at the start and the end, each restart's recovery.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from allintop.dashboard.loading import load_dashboard
from allintop.demo.stack import DemoStack
from bench import dashboards, procs, screen
from bench.exporter import METRIC
from bench.runner import REPO, allintop_command, read_jsonl
from bench.terminal import Terminal, pane_env

CHURN_JOB = "bench-churn"
CHURN_TITLE = "Churning series"
HEADER_EVERY_S = 0.5
PROC_EVERY_S = 5.0
RECOVERY_TIMEOUT_S = 120.0


@dataclass
class SoakOptions:
    minutes: float = 30.0
    restart_every: float = 5.0  # minutes
    warm: float = 5.0  # minutes before the RSS baseline is taken
    churn: float = 60.0  # seconds
    down_for: float = 10.0  # seconds Prometheus stays down at each restart
    series: int = 200
    refresh: float = 1.0
    width: int = 120
    height: int = 40
    progress: Callable[[str], None] = field(default=lambda message: None)


@dataclass
class Samples:
    """What the sampler thread saw; read by the main thread at the end."""

    proc: list[dict[str, float | int | None]] = field(default_factory=list)
    headers: list[tuple[float, str]] = field(default_factory=list)


def churn_dashboard(path: Path) -> Path:
    """The default dashboard, with a first row whose panel lists the churning series."""
    document = yaml.safe_load(dashboards.default_path().read_text())
    churn = {
        "title": "Churn",
        "panels": [
            {"title": CHURN_TITLE, "expr": f'{METRIC}{{job="{CHURN_JOB}"}}', "legend": "{{series}}"}
        ],
    }
    document["rows"].insert(0, churn)
    path.write_text(yaml.safe_dump(document, sort_keys=False, width=1000))
    load_dashboard(path)  # fail here, not in the terminal
    return path


def fd_count(pid: int) -> int | None:
    try:
        return len(os.listdir(f"/proc/{pid}/fd"))
    except OSError:
        return None


def header_word(lines: list[str]) -> str:
    """The header's status ("live", "unreachable · retry in 4s", ...), after the "●"."""
    head = lines[0] if lines else ""
    return head.rsplit("●", 1)[1].strip() if "●" in head else ""


class Soak:
    def __init__(self, options: SoakOptions, cleanup: procs.Cleanup) -> None:
        self.options = options
        self.cleanup = cleanup
        self.say = options.progress
        self.workdir = Path(tempfile.mkdtemp(prefix="allintop-soak-"))
        cleanup.push("temp dir", lambda: shutil.rmtree(self.workdir, ignore_errors=True))
        self.tick_log = self.workdir / "ticks.jsonl"
        self.samples = Samples()
        self.stop_sampling = threading.Event()
        self.stack: DemoStack | None = None

    def start(self) -> None:
        ready = self.workdir / "exporter.port"
        command = [
            sys.executable, "-m", "bench.exporter", "--series", str(self.options.series),
            "--churn", f"{self.options.churn:g}", "--ready-file", str(ready),
            "--parent-pid", str(os.getpid()),
        ]  # fmt: skip
        exporter = procs.spawn(command, log=self.workdir / "exporter.log", cwd=REPO)
        self.cleanup.push("exporter", lambda: procs.terminate(exporter))
        deadline = time.monotonic() + 30.0
        while not ready.exists():
            if exporter.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("the churn exporter did not start")
            time.sleep(0.05)
        target = f"127.0.0.1:{int(ready.read_text())}"
        scrape = {"job_name": CHURN_JOB, "static_configs": [{"targets": [target]}]}
        self.say("starting the demo stack (Prometheus + demo backend + churn exporter)…")
        self.stack = DemoStack(extra_scrape_configs=[scrape])
        self.cleanup.push("demo stack", self.stack.stop)
        self.stack.start(timeout=90.0)

    def run(self) -> dict[str, Any]:
        assert self.stack is not None
        options = self.options
        config = churn_dashboard(self.workdir / "soak.yaml")
        titles = dashboards.titles(config)
        command = [*allintop_command(), "--url", self.stack.prometheus_url, "-c", str(config)]
        command += ["--refresh", f"{options.refresh:g}s"]
        env = pane_env(os.environ)
        env["ALLINTOP_TICK_LOG"] = str(self.tick_log)
        terminal = Terminal(self.workdir, "soak", options.width, options.height)
        self.cleanup.push("tmux for the soak", terminal.stop)
        pid = terminal.start(command, env, cwd=self.workdir)
        launched = terminal.launched_at or time.time()
        self._wait_painted(terminal, pid, titles, launched)
        sampler = threading.Thread(
            target=self._sample, args=(terminal, pid, launched), name="sampler", daemon=True
        )
        sampler.start()
        restarts = self._restarts(pid, launched)
        self.stop_sampling.set()
        sampler.join(10.0)
        final = terminal.capture()
        alive = procs.alive(pid)
        if alive:
            terminal.send_keys("q", literal=True)
            procs.wait_gone(pid, 5.0)
        self.cleanup.run(terminal.stop)
        ticks = read_jsonl(self.tick_log)
        for restart in restarts:
            restart.update(self._recovery(restart, ticks))
        return {
            "command": " ".join(command[1:]),
            "alive_at_end": alive,
            "rss": self._rss(launched),
            "fds": self._fds(launched),
            "cpu_s_per_min": self._cpu(launched),
            "ticks": self._ticks(ticks, launched, restarts),
            "restarts": restarts,
            "churn_card": screen.card_value(final, CHURN_TITLE),
            "final_header": header_word(final),
            "screen": final,
        }

    def _wait_painted(
        self, terminal: Terminal, pid: int, titles: list[str], launched: float
    ) -> None:
        while time.time() - launched < 60.0:
            lines = terminal.capture()
            if screen.paint_state(lines, titles).done:
                self.say(f"first paint after {time.time() - launched:.2f} s")
                return
            if not procs.alive(pid):
                raise RuntimeError("allintop exited:\n" + "\n".join(lines))
            time.sleep(0.05)
        raise RuntimeError("no first paint within 60 s:\n" + "\n".join(terminal.capture()))

    def _sample(self, terminal: Terminal, pid: int, launched: float) -> None:
        next_proc = 0.0
        while not self.stop_sampling.is_set():
            now = time.time()
            with contextlib.suppress(RuntimeError, OSError, subprocess.SubprocessError):
                self.samples.headers.append((now, header_word(terminal.capture())))
            if now >= next_proc:
                next_proc = now + PROC_EVERY_S
                memory = procs.memory_kib(pid)
                self.samples.proc.append(
                    {
                        "t": round(now - launched, 1),
                        "rss_kib": memory.get("VmRSS"),
                        "fds": fd_count(pid),
                        "cpu_s": procs.cpu_seconds(pid),
                    }
                )
            self.stop_sampling.wait(HEADER_EVERY_S)

    def _restarts(self, pid: int, launched: float) -> list[dict[str, Any]]:
        """Restarts Prometheus every `restart_every` minutes until the end (from this,
        the main thread: the restarted Prometheus dies with the thread that started it)."""
        assert self.stack is not None
        options = self.options
        end = launched + options.minutes * 60
        every = options.restart_every * 60
        restarts: list[dict[str, Any]] = []
        when = launched + every
        say_at = launched + 60
        while time.time() < end and procs.alive(pid):
            if when < end - 30 and time.time() >= when:
                began = time.time()
                self.stack.restart_prometheus(timeout=60.0, down_for=self.options.down_for)
                ready = time.time()
                restarts.append(
                    {"at_s": round(began - launched, 1), "began": began, "ready": ready}
                )
                self.say(
                    f"restart {len(restarts)} at {(began - launched) / 60:.1f} min:"
                    f" Prometheus ready after {ready - began:.1f} s"
                )
                when += every
            if time.time() >= say_at and self.samples.proc:
                say_at += 60
                last = self.samples.proc[-1]
                self.say(f"  {(time.time() - launched) / 60:.0f} min: {last}")
            time.sleep(1.0)
        return restarts

    def _recovery(self, restart: dict[str, Any], ticks: list[dict[str, Any]]) -> dict[str, Any]:
        """What the header said while Prometheus was down, and how long after it was
        ready again the dashboard had a tick with every panel answered."""
        began, ready = restart.pop("began"), restart.pop("ready")
        good = [t for t in ticks if t["end"] >= ready and t["panels"] > 0 and t["errors"] == 0]
        recovered = good[0]["end"] if good and good[0]["end"] - ready < RECOVERY_TIMEOUT_S else None
        until = recovered if recovered is not None else ready + RECOVERY_TIMEOUT_S
        words = []
        for at, word in self.samples.headers:
            if began <= at <= until and word and (not words or words[-1] != word):
                words.append(word)
        live_again = next(
            (at for at, word in self.samples.headers if at >= ready and word == "live"), None
        )
        return {
            "prometheus_down_s": round(ready - began, 1),
            "recovered_s": None if recovered is None else round(recovered - ready, 2),
            "header_live_s": None if live_again is None else round(live_again - ready, 2),
            "header_said": words[:12],
        }

    def _rss(self, launched: float) -> dict[str, Any]:
        warm = self.options.warm * 60
        points = [(s["t"], s["rss_kib"]) for s in self.samples.proc if s["rss_kib"]]
        baseline = [v for t, v in points if warm <= t < warm + 60]
        last_t = points[-1][0] if points else 0
        tail = [v for t, v in points if t >= last_t - 60]
        after = [v for t, v in points if t >= warm]
        if not baseline or not tail:
            return {"error": "not enough samples after the warm-up"}
        base, end = statistics.median(baseline), statistics.median(tail)
        return {
            "at_warm_mb": round(base / 1024, 1),
            "at_end_mb": round(end / 1024, 1),
            "growth_pct": round((end - base) * 100 / base, 2),
            "max_after_warm_mb": round(max(after) / 1024, 1),
            "first_mb": round(points[0][1] / 1024, 1),
            "per_minute_mb": _per_minute(points),
        }

    def _fds(self, launched: float) -> dict[str, Any]:
        fds = [(s["t"], s["fds"]) for s in self.samples.proc if s["fds"] is not None]
        if not fds:
            return {}
        return {
            "first": fds[0][1],
            "at_end": fds[-1][1],
            "min": min(v for _, v in fds),
            "max": max(v for _, v in fds),
        }

    def _cpu(self, launched: float) -> float | None:
        cpu = [(s["t"], s["cpu_s"]) for s in self.samples.proc if s["cpu_s"] is not None]
        if len(cpu) < 2 or cpu[-1][0] <= cpu[0][0]:
            return None
        return round((cpu[-1][1] - cpu[0][1]) * 60 / (cpu[-1][0] - cpu[0][0]), 3)

    def _ticks(
        self, ticks: list[dict[str, Any]], launched: float, restarts: list[dict[str, Any]]
    ) -> dict[str, Any]:
        """Tick times per window between restarts (a restart's own failed or backfill
        ticks left out: they are recovery, not the steady tick)."""
        steady = [t for t in ticks if not t["backfill"] and t["errors"] == 0 and t["panels"]]
        edges = [0.0] + [r["at_s"] for r in restarts] + [self.options.minutes * 60]
        windows = []
        for start, stop in zip(edges, edges[1:], strict=False):
            walls = [t["tick_s"] for t in steady if start <= t["end"] - launched < stop]
            if walls:
                walls.sort()
                windows.append(
                    {
                        "from_min": round(start / 60, 1),
                        "ticks": len(walls),
                        "median_ms": round(statistics.median(walls) * 1000, 1),
                        "p95_ms": round(walls[int(0.95 * (len(walls) - 1))] * 1000, 1),
                    }
                )
        return {
            "total": len(ticks),
            "with_errors": sum(1 for t in ticks if t["errors"]),
            "carried": sum(1 for t in ticks if t.get("carried")),
            "windows": windows,
        }


def _per_minute(points: list[tuple[float, int]]) -> list[float]:
    """RSS (MB) at each whole minute: the curve, for the report."""
    out: list[float] = []
    for t, value in points:
        if t >= len(out) * 60:
            out.append(round(value / 1024, 1))
    return out


def render(result: dict[str, Any]) -> str:
    soak = result["soak"]
    meta = result["meta"]
    rss, fds, ticks = soak["rss"], soak["fds"], soak["ticks"]
    lines = [
        f"allintop soak — {meta['started']}, {meta['git']}, {meta['cpu_count']} cores,"
        f" load {meta['loadavg']}",
        f"{meta['minutes']:g} min at {meta['refresh_s']:g} s refresh, Prometheus restarted every"
        f" {meta['restart_every_min']:g} min (down {meta['down_for_s']:g} s),"
        f" {meta['series']} series with half replaced every {meta['churn_s']:g} s",
        "",
    ]
    if "error" in rss:
        lines.append(f"RSS: {rss['error']}")
    else:
        lines += [
            f"RSS: {rss['first_mb']} MB at first sample, {rss['at_warm_mb']} MB at"
            f" {meta['warm_min']:g} min, {rss['at_end_mb']} MB at the end:"
            f" growth {rss['growth_pct']:+.2f} % (target < 5 %), max {rss['max_after_warm_mb']} MB",
            f"     per minute: {rss['per_minute_mb']}",
        ]
    lines.append(
        f"file descriptors: {fds.get('first')} at start, {fds.get('at_end')} at the end"
        f" (min {fds.get('min')}, max {fds.get('max')})"
    )
    lines.append(f"CPU: {soak['cpu_s_per_min']} s/min")
    lines.append(
        f"ticks: {ticks['total']} ({ticks['with_errors']} with errors, {ticks['carried']} carried)"
    )
    for window in ticks["windows"]:
        lines.append(
            f"  from {window['from_min']:>5} min: {window['ticks']:>5} ticks,"
            f" median {window['median_ms']} ms, p95 {window['p95_ms']} ms"
        )
    for i, restart in enumerate(soak["restarts"], 1):
        lines.append(
            f"restart {i} at {restart['at_s'] / 60:.1f} min: Prometheus down"
            f" {restart['prometheus_down_s']} s, every panel answered"
            f" {restart['recovered_s']} s after it was ready, header live after"
            f" {restart['header_live_s']} s; header said: {' → '.join(restart['header_said'])}"
        )
    lines.append(f"churn panel at the end: {soak['churn_card']!r}")
    lines.append(f"header at the end: {soak['final_header']!r}; alive: {soak['alive_at_end']}")
    lines.append(f"(written to {result['out']})")
    return "\n".join(lines)
