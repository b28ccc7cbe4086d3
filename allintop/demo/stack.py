"""DemoStack: a real Prometheus scraping the synthetic AllIN backend, on loopback.

    with DemoStack("incident", rule_for="5s", rule_interval="1s") as stack:
        print(stack.prometheus_url, stack.backend_url)
        stack.set_scenario("healthy")

start() finds a prometheus binary (argument, $ALLINTOP_PROMETHEUS_BIN, PATH), makes a
fresh temp dir (config, rules, TSDB, logs), starts the backend and Prometheus on free
loopback ports, and returns once Prometheus has scraped the backend successfully
(``up{job="backend-api-dev"} == 1``; the first scrape comes ~6 s after start because
Prometheus batches service-discovery updates every 5 s).

History: unless ``history=0``, the backend first fast-forwards ``history`` seconds of
past traffic, which is imported into the fresh TSDB with promtool (next to the
prometheus binary, or on PATH; skipped if there is none) before Prometheus starts. The
dashboard then has a full range to draw at once, and ``rate(x[5m])`` reads true values
from the first second instead of ramping up over 5 minutes (see allintop.demo.history).

Shortening the seed's alert rules for demos and tests: ``rule_for="5s"`` replaces
every rule's ``for:``, ``rule_interval="1s"`` the group's ``interval:`` (the YAML is
loaded and dumped, never edited as text), ``rule_window="20s"`` every ``[5m]`` range
in the rule expressions (rewritten on the parsed PromQL), so alerts also clear within
seconds; ``with_rules=False`` loads no rules at all.

Other stacks for tests: ``with_backend=False`` starts no AllIN backend (and no
history), ``with_node_exporter=True`` adds Debian's prometheus-node-exporter (job
"node"), ``scrape_self=True`` has Prometheus scrape its own metrics (job "prometheus");
start() then waits until every job has a target up.

Progress: ``progress`` is called with a short line for each step of start() (backend,
history import, Prometheus, first scrape), because the whole takes several seconds.

Cleanup: stop() (also run by __exit__, by atexit, and when start() fails or is
interrupted) sends SIGTERM, then SIGKILL after a grace period, and removes the temp
dir. If this process dies without running stop() (SIGKILL, a crash), the children die
too: they are started with PR_SET_PDEATHSIG (Linux, see allintop.processes), and the
backend also polls its parent. PR_SET_PDEATHSIG fires when the *thread* that spawned
the child exits, so call start() (and start_backend()) from a long-lived thread, e.g.
the main thread, not from a short-lived worker.
"""

from __future__ import annotations

import atexit
import os
import re
import shutil
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from types import TracebackType
from typing import Any

import httpx
import yaml

from allintop.demo.binaries import find_prometheus, find_promtool, lockfile_flags
from allintop.demo.children import (
    ChildProcess,
    free_port,
    port_taken,
    start_child,
    stop_children,
    wait_for,
)
from allintop.demo.configs import (
    JOB_NAME,
    NODE_JOB,
    SELF_JOB,
    alertmanager_config,
    load_rules,
    prometheus_config,
    render_rules,
    static_job,
)
from allintop.demo.promtool import import_history
from allintop.demo.scenarios import get_scenario
from allintop.demo.servers import answering, start_alertmanager, start_node_exporter
from allintop.errors import ConfigError, SetupError
from allintop.values.durations import format_duration

# The dashboard's default range (15m) plus the seed's widest rate window (5m), so
# every point of a 15m sparkline is a rate over a full window, not a ramp-up.
DEFAULT_HISTORY_SECONDS = 1200.0
HISTORY_FILE = "history.om"
PORT_ATTEMPTS = 3  # a free port can be taken between our probe and Prometheus' bind
_DURATION = re.compile(r"(\d+(ms|s|m|h|d|w|y))+")


class DemoStack:
    """The demo stack: synthetic backend + real Prometheus with the seed's alert rules."""

    def __init__(
        self,
        scenario: str = "healthy",
        *,
        rule_for: str | None = None,
        rule_interval: str | None = None,
        rule_window: str | None = None,
        with_rules: bool = True,
        prometheus_bin: str | None = None,
        extra_scrape_configs: list[dict[str, Any]] | None = None,
        alertmanager_url: str | None = None,
        with_alertmanager: bool = False,
        external_labels: Mapping[str, str] | None = None,
        query_log: Path | None = None,
        history: float = DEFAULT_HISTORY_SECONDS,
        with_backend: bool = True,
        with_node_exporter: bool = False,
        scrape_self: bool = False,
        progress: Callable[[str], None] | None = None,
        features: Sequence[str] = (),
    ) -> None:
        get_scenario(scenario)  # fail now, with the list of valid names
        durations = (
            ("rule_for", rule_for),
            ("rule_interval", rule_interval),
            ("rule_window", rule_window),
        )
        for option, value in durations:
            if value is not None and not _DURATION.fullmatch(value):
                raise ConfigError(
                    f"{option}={value!r} is not a Prometheus duration", "use e.g. 5s, 1m, 500ms"
                )
        if alertmanager_url:
            alertmanager_config(alertmanager_url)  # validate now, not after spawning
        self.scenario = scenario
        self.rule_for = rule_for
        self.rule_interval = rule_interval
        self.rule_window = rule_window
        self.with_rules = with_rules
        self.prometheus_bin = prometheus_bin
        self.extra_scrape_configs = list(extra_scrape_configs or [])
        self.alertmanager_url = alertmanager_url
        self.with_alertmanager = with_alertmanager
        self.external_labels = dict(external_labels or {})
        self.alertmanager: ChildProcess | None = None
        self.query_log = query_log
        self.history = max(0.0, history) if with_backend else 0.0
        self.with_backend = with_backend
        self.with_node_exporter = with_node_exporter
        self.scrape_self = scrape_self
        self.node_exporter: ChildProcess | None = None
        self._node_exporter_port: int | None = None
        self._progress = progress
        # Prometheus' --enable-feature flags ("native-histograms": protobuf scrapes).
        self.features = tuple(features)
        self.backfilled = False  # whether the history made it into the TSDB
        self.workdir: Path | None = None
        self.backend: ChildProcess | None = None
        self.prometheus: ChildProcess | None = None
        self._backend_port: int | None = None
        self._prometheus_port: int | None = None
        self._lock = threading.RLock()

    # -- public API -------------------------------------------------------------------

    @property
    def prometheus_url(self) -> str:
        if self._prometheus_port is None:
            raise RuntimeError("DemoStack is not started")
        return f"http://127.0.0.1:{self._prometheus_port}"

    @property
    def backend_url(self) -> str:
        if self._backend_port is None:
            raise RuntimeError("DemoStack is not started")
        return f"http://127.0.0.1:{self._backend_port}"

    def start(self, timeout: float = 30.0) -> DemoStack:
        """Starts both processes; returns once Prometheus has scraped the backend.

        On a stack that is already started, does nothing (``with DemoStack() as s:
        s.start()`` is harmless).
        """
        with self._lock:
            if self.workdir is not None:
                return self
            binary = find_prometheus(self.prometheus_bin)
            deadline = time.monotonic() + timeout
            atexit.register(self.stop)
            try:
                self.workdir = Path(tempfile.mkdtemp(prefix="allintop-"))
                if self.with_backend:
                    self._step(self._backend_step())
                    self._start_backend(deadline, history=self.history)
                if self.with_alertmanager:
                    self._step("starting Alertmanager")
                    self._start_alertmanager(deadline)
                if self.with_node_exporter:
                    self._step("starting node-exporter")
                    self._start_node_exporter(deadline)
                self._backfill(binary, deadline)
                self._start_prometheus(binary, deadline)
                self._step(f"ready: Prometheus at {self.prometheus_url}")
            except BaseException:  # including KeyboardInterrupt: never leave children
                self.stop()
                raise
        return self

    def stop(self) -> None:
        """Stops both processes and removes the temp dir. Safe to call repeatedly."""
        with self._lock:
            processes = (self.prometheus, self.backend, self.alertmanager, self.node_exporter)
            stop_children([c for c in processes if c is not None])
            self.prometheus = self.backend = self.alertmanager = self.node_exporter = None
            if self.workdir is not None:
                shutil.rmtree(self.workdir, ignore_errors=True)
                self.workdir = None
            atexit.unregister(self.stop)

    def set_scenario(self, name: str) -> None:
        """Switches the running backend to scenario ``name``."""
        get_scenario(name)
        response = httpx.post(f"{self.backend_url}/scenario", data={"name": name}, timeout=5.0)
        if response.status_code != 200:
            raise SetupError(f"the demo backend refused scenario {name!r}: {response.text}")
        self.scenario = name

    def stop_backend(self) -> None:
        """Stops only the backend (Prometheus keeps running and sees the target down)."""
        with self._lock:
            if self.backend is not None:
                stop_children([self.backend])
                self.backend = None

    def start_backend(self, timeout: float = 10.0) -> None:
        """Restarts the backend on its previous port, in the current scenario."""
        with self._lock:
            if self.workdir is None or self._backend_port is None:
                raise RuntimeError("DemoStack is not started")
            if self.backend is not None and self.backend.alive():
                return
            self._start_backend(time.monotonic() + timeout, port=self._backend_port)

    def restart_prometheus(self, timeout: float = 30.0, *, down_for: float = 0.0) -> None:
        """Stops Prometheus and starts it again, on the same port with the same config
        and data dir (its TSDB and WAL survive, as in a real restart); ``down_for``
        seconds pass in between. Returns once it answers /-/ready; its first scrape
        follows ~5 s later (see the module docstring).

        The new process gets PR_SET_PDEATHSIG for the calling thread: call this from a
        thread that outlives the use of the stack (see the module docstring).
        """
        with self._lock:
            if self.workdir is None or self.prometheus is None:
                raise RuntimeError("DemoStack is not started")
            command = self.prometheus.command
            stop_children([self.prometheus])
            time.sleep(max(down_for, 0.0))
            deadline = time.monotonic() + timeout
            restarts = len(list(self.workdir.glob("prometheus-restart-*.log")))
            log = self.workdir / f"prometheus-restart-{restarts + 1}.log"
            self.prometheus = start_child("prometheus", command, log)
            ready = answering(f"{self.prometheus_url}/-/ready", timeout=1.0)
            wait_for(ready, deadline, [self.prometheus], "the restarted Prometheus to be ready")

    def __enter__(self) -> DemoStack:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    # -- starting -----------------------------------------------------------------------

    def _step(self, message: str) -> None:
        if self._progress is not None:
            self._progress(message)

    def _backend_step(self) -> str:
        if self.history <= 0:
            return "starting the demo backend"
        return f"starting the demo backend ({format_duration(self.history)} of past traffic)"

    def _start_backend(self, deadline: float, port: int = 0, history: float = 0.0) -> None:
        workdir = self._workdir()
        ready = workdir / "backend.port"
        ready.unlink(missing_ok=True)
        command = [
            sys.executable, "-m", "allintop.demo.backend", "--host", "127.0.0.1",
            "--port", str(port), "--scenario", self.scenario, "--ready-file", str(ready),
            "--parent-pid", str(os.getpid()),
        ]  # fmt: skip
        if history > 0:
            command += [
                "--history-file", str(workdir / HISTORY_FILE),
                "--history-seconds", str(history), "--history-job", JOB_NAME,
            ]  # fmt: skip
        self.backend = start_child("backend", command, workdir / "backend.log")
        backend = self.backend
        wait_for(lambda: ready.exists(), deadline, [backend], "the demo backend to listen")
        self._backend_port = int(ready.read_text())

    def _backfill(self, binary: str, deadline: float) -> None:
        """Imports the backend's history into the TSDB (before Prometheus opens it)."""
        workdir = self._workdir()
        history = workdir / HISTORY_FILE
        promtool = find_promtool(binary)
        if not history.exists() or promtool is None:
            return
        self._step("importing the past traffic into Prometheus' storage (promtool)")
        import_history(promtool, history, workdir / "data", workdir / "promtool.log", deadline)
        self.backfilled = True

    def _start_prometheus(self, binary: str, deadline: float) -> None:
        workdir = self._workdir()
        self._step("starting Prometheus")
        for attempt in range(1, PORT_ATTEMPTS + 1):
            self._prometheus_port = free_port()
            self._write_config(workdir)  # after the port: it may scrape itself
            command = [
                binary,
                f"--config.file={workdir / 'prometheus.yml'}",
                f"--storage.tsdb.path={workdir / 'data'}",
                f"--web.listen-address=127.0.0.1:{self._prometheus_port}",
                *lockfile_flags(binary),
                *(f"--enable-feature={feature}" for feature in self.features),
                # Prometheus finds its Alertmanagers ~5 s after start and drops what
                # fired before; resending each second (default: a minute) lets a
                # demo's Alertmanager learn every firing alert within seconds.
                *(["--rules.alert.resend-delay=1s"] if self.alertmanager_url else []),
            ]
            log = workdir / f"prometheus-{attempt}.log"
            self.prometheus = start_child("prometheus", command, log)
            if attempt == 1:
                self._step("waiting for the first scrape")
            try:
                self._wait_scraped(deadline)
                return
            except SetupError:
                if attempt < PORT_ATTEMPTS and port_taken(self.prometheus):
                    stop_children([self.prometheus])
                    continue
                raise

    def _start_alertmanager(self, deadline: float) -> None:
        self.alertmanager, url = start_alertmanager(self._workdir())
        self.alertmanager_url = url
        ready = answering(f"{url}/-/ready", timeout=1.0)
        wait_for(ready, deadline, [self.alertmanager], "Alertmanager to be ready")

    def _start_node_exporter(self, deadline: float) -> None:
        self.node_exporter, port = start_node_exporter(self._workdir())
        self._node_exporter_port = port
        ready = answering(f"http://127.0.0.1:{port}/metrics", timeout=2.0)
        wait_for(ready, deadline, [self.node_exporter], "node-exporter to answer")

    def _wait_scraped(self, deadline: float) -> None:
        """Until every job of what the stack started has a target up (the caller's
        extra scrape configs may point at things that are not running yet)."""
        assert self.prometheus is not None
        url = f"{self.prometheus_url}/api/v1/query"
        jobs = {job["job_name"] for job in self._own_jobs()}
        if self.with_backend:
            jobs.add(JOB_NAME)

        def scraped() -> bool:
            try:
                response = httpx.get(url, params={"query": "up == 1"}, timeout=1.0)
                result = response.json()["data"]["result"]
                up = {sample["metric"]["job"] for sample in result}
            except (httpx.HTTPError, ValueError, KeyError, TypeError):
                return False
            return jobs <= up

        children = [c for c in (self.prometheus, self.backend, self.node_exporter) if c]
        what = "Prometheus to scrape the demo backend" if self.with_backend else "a first scrape"
        wait_for(scraped, deadline, children, what)

    def _write_config(self, workdir: Path) -> None:
        rule_files: list[str] = []
        if self.with_rules:
            rules = workdir / "alerts.yml"
            rules.write_text(
                render_rules(load_rules(), self.rule_for, self.rule_interval, self.rule_window)
            )
            rule_files.append(str(rules))
        config = prometheus_config(
            backend_target=f"127.0.0.1:{self._backend_port}" if self.with_backend else None,
            rule_files=rule_files,
            extra_scrape_configs=[*self._own_jobs(), *self.extra_scrape_configs],
            alertmanager_url=self.alertmanager_url,
            query_log=self.query_log,
            external_labels=self.external_labels,
        )
        (workdir / "prometheus.yml").write_text(yaml.safe_dump(config, sort_keys=False))

    def _own_jobs(self) -> list[dict[str, Any]]:
        """The scrape jobs of what the stack starts itself, besides the backend."""
        jobs: list[dict[str, Any]] = []
        if self.scrape_self:
            jobs.append(static_job(SELF_JOB, f"127.0.0.1:{self._prometheus_port}"))
        if self.with_node_exporter:
            jobs.append(static_job(NODE_JOB, f"127.0.0.1:{self._node_exporter_port}"))
        return jobs

    def _workdir(self) -> Path:
        if self.workdir is None:
            raise RuntimeError("DemoStack is not started")
        return self.workdir
