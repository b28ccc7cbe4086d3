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
import copy
import functools
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from types import TracebackType
from typing import Any
from urllib.parse import urlsplit

import httpx
import yaml

from allintop.demo.scenarios import get_scenario
from allintop.errors import ConfigError, SetupError
from allintop.processes import spawn, terminate
from allintop.promql.parse import with_windows
from allintop.values.durations import format_duration

JOB_NAME = "backend-api-dev"  # the seed's scrape target name
NODE_JOB = "node"
SELF_JOB = "prometheus"
NODE_EXPORTER_ENV = "ALLINTOP_NODE_EXPORTER_BIN"
PROMETHEUS_ENV = "ALLINTOP_PROMETHEUS_BIN"
INSTALL_HINT = (
    "install Prometheus (Debian/Ubuntu: sudo apt-get install prometheus), "
    f"or set {PROMETHEUS_ENV} to the path of a prometheus binary"
)
# The dashboard's default range (15m) plus the seed's widest rate window (5m), so
# every point of a 15m sparkline is a rate over a full window, not a ramp-up.
DEFAULT_HISTORY_SECONDS = 1200.0
HISTORY_FILE = "history.om"
STOP_GRACE_SECONDS = 5.0
PORT_ATTEMPTS = 3  # a free port can be taken between our probe and Prometheus' bind
POLL_SECONDS = 0.2
LOG_TAIL_LINES = 15
_DURATION = re.compile(r"(\d+(ms|s|m|h|d|w|y))+")


@dataclass
class ChildProcess:
    """A started child process and the log its output goes to (in the stack's temp dir)."""

    name: str
    process: subprocess.Popen[bytes]
    log: Path

    def alive(self) -> bool:
        return self.process.poll() is None

    def log_tail(self, lines: int = LOG_TAIL_LINES) -> str:
        try:
            text = self.log.read_text(errors="replace")
        except OSError:
            return "(no log)"
        return "\n".join(text.splitlines()[-lines:]) or "(empty log)"


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
            _terminate([c for c in processes if c is not None])
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
                _terminate([self.backend])
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
            command = [str(arg) for arg in self.prometheus.process.args]  # type: ignore[union-attr]
            _terminate([self.prometheus])
            time.sleep(max(down_for, 0.0))
            deadline = time.monotonic() + timeout
            restarts = len(list(self.workdir.glob("prometheus-restart-*.log")))
            log = self.workdir / f"prometheus-restart-{restarts + 1}.log"
            self.prometheus = _spawn("prometheus", command, log)
            ready_url = f"{self.prometheus_url}/-/ready"

            def ready() -> bool:
                try:
                    return httpx.get(ready_url, timeout=1.0).status_code == 200
                except httpx.HTTPError:
                    return False

            _wait(ready, deadline, [self.prometheus], "the restarted Prometheus to be ready")

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
        self.backend = _spawn("backend", command, workdir / "backend.log")
        backend = self.backend
        _wait(lambda: ready.exists(), deadline, [backend], "the demo backend to listen")
        self._backend_port = int(ready.read_text())

    def _backfill(self, binary: str, deadline: float) -> None:
        """Imports the backend's history into the TSDB (before Prometheus opens it)."""
        workdir = self._workdir()
        history = workdir / HISTORY_FILE
        promtool = find_promtool(binary)
        if not history.exists() or promtool is None:
            return
        log = workdir / "promtool.log"
        command = [promtool, "tsdb", "create-blocks-from", "openmetrics", "--quiet"]
        command += [str(history), str(workdir / "data")]
        self._step("importing the past traffic into Prometheus' storage (promtool)")
        child = _spawn("promtool", command, log)
        try:
            child.process.wait(max(1.0, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            _terminate([child])
            raise SetupError(
                f"promtool timed out importing the demo history:\n{child.log_tail()}"
            ) from None
        except BaseException:  # e.g. Ctrl-C: promtool is not tracked by stop()
            _terminate([child])
            raise
        finally:
            history.unlink(missing_ok=True)  # ~15 MB of text, no longer needed
        if child.process.returncode != 0:
            raise SetupError(f"promtool failed to import the demo history:\n{child.log_tail()}")
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
                # Prometheus finds its Alertmanagers ~5 s after start and drops what
                # fired before; resending each second (default: a minute) lets a
                # demo's Alertmanager learn every firing alert within seconds.
                *(["--rules.alert.resend-delay=1s"] if self.alertmanager_url else []),
            ]
            log = workdir / f"prometheus-{attempt}.log"
            self.prometheus = _spawn("prometheus", command, log)
            if attempt == 1:
                self._step("waiting for the first scrape")
            try:
                self._wait_scraped(deadline)
                return
            except SetupError:
                if attempt < PORT_ATTEMPTS and _port_taken(self.prometheus):
                    _terminate([self.prometheus])
                    continue
                raise

    def _start_alertmanager(self, deadline: float) -> None:
        """Debian's Alertmanager on a free port, so the demo can show silences."""
        binary = find_alertmanager()
        workdir = self._workdir()
        config = workdir / "alertmanager.yml"
        # One receiver that goes nowhere: the demo shows alerts, it notifies nobody.
        config.write_text(
            yaml.safe_dump({"route": {"receiver": "none"}, "receivers": [{"name": "none"}]})
        )
        port = free_port()
        command = [
            binary,
            f"--config.file={config}",
            f"--storage.path={workdir / 'alertmanager'}",
            f"--web.listen-address=127.0.0.1:{port}",
            "--cluster.listen-address=",  # no gossip port: a single, private instance
        ]
        self.alertmanager = _spawn("alertmanager", command, workdir / "alertmanager.log")
        self.alertmanager_url = f"http://127.0.0.1:{port}"

        def ready() -> bool:
            try:
                return httpx.get(f"{self.alertmanager_url}/-/ready", timeout=1.0).is_success
            except httpx.HTTPError:
                return False

        _wait(ready, deadline, [self.alertmanager], "Alertmanager to be ready")

    def _start_node_exporter(self, deadline: float) -> None:
        """Debian's node-exporter on a free port, for tests of the generic overview."""
        binary = find_node_exporter()
        workdir = self._workdir()
        port = free_port()
        command = [
            binary,
            f"--web.listen-address=127.0.0.1:{port}",
            # Slow or noisy collectors a test does not need.
            "--no-collector.hwmon",
            "--no-collector.thermal_zone",
            "--no-collector.rapl",
            "--no-collector.btrfs",
            "--no-collector.zfs",
        ]
        self.node_exporter = _spawn("node-exporter", command, workdir / "node-exporter.log")
        self._node_exporter_port = port

        def ready() -> bool:
            try:
                return httpx.get(f"http://127.0.0.1:{port}/metrics", timeout=2.0).is_success
            except httpx.HTTPError:
                return False

        _wait(ready, deadline, [self.node_exporter], "node-exporter to answer")

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
        _wait(scraped, deadline, children, what)

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
            jobs.append(_static_job(SELF_JOB, f"127.0.0.1:{self._prometheus_port}"))
        if self.with_node_exporter:
            jobs.append(_static_job(NODE_JOB, f"127.0.0.1:{self._node_exporter_port}"))
        return jobs

    def _workdir(self) -> Path:
        if self.workdir is None:
            raise RuntimeError("DemoStack is not started")
        return self.workdir


# -- configuration --------------------------------------------------------------------


def load_rules() -> dict[str, Any]:
    """The seed's six alert rules, as shipped in allintop/demo/alerts.yml."""
    text = resources.files("allintop.demo").joinpath("alerts.yml").read_text()
    return yaml.safe_load(text)


def render_rules(
    rules: dict[str, Any],
    rule_for: str | None = None,
    rule_interval: str | None = None,
    rule_window: str | None = None,
) -> str:
    """The rules file, with every ``for:``, group ``interval:`` and ``[5m]``-style
    range window in the expressions optionally replaced."""
    rules = copy.deepcopy(rules)
    for group in rules["groups"]:
        if rule_interval is not None:
            group["interval"] = rule_interval
        for rule in group["rules"]:
            if rule_for is not None:
                rule["for"] = rule_for
            if rule_window is not None:
                rule["expr"] = with_windows(rule["expr"], rule_window)
    return yaml.safe_dump(rules, sort_keys=False, allow_unicode=True)


def _static_job(name: str, target: str) -> dict[str, Any]:
    return {"job_name": name, "static_configs": [{"targets": [target]}]}


def prometheus_config(
    *,
    backend_target: str | None,
    rule_files: Sequence[str] = (),
    extra_scrape_configs: Sequence[dict[str, Any]] = (),
    alertmanager_url: str | None = None,
    query_log: Path | None = None,
    external_labels: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    # 1 s everywhere: the dashboard and the tests see a change within a second or two.
    # scrape_timeout must not exceed scrape_interval, so it is set explicitly.
    glob: dict[str, Any] = {
        "scrape_interval": "1s",
        "scrape_timeout": "1s",
        "evaluation_interval": "1s",
    }
    if query_log is not None:
        glob["query_log_file"] = str(Path(query_log).absolute())
    if external_labels:
        glob["external_labels"] = dict(external_labels)
    config: dict[str, Any] = {"global": glob}
    if alertmanager_url:
        config["alerting"] = {"alertmanagers": [alertmanager_config(alertmanager_url)]}
    config["rule_files"] = list(rule_files)
    backend = [_static_job(JOB_NAME, backend_target)] if backend_target else []
    config["scrape_configs"] = [*backend, *extra_scrape_configs]
    return config


def alertmanager_config(url: str) -> dict[str, Any]:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ConfigError(f"not an Alertmanager URL: {url!r}", "use e.g. http://127.0.0.1:9093")
    config: dict[str, Any] = {
        "scheme": parts.scheme,
        "static_configs": [{"targets": [parts.netloc]}],
    }
    if parts.path.strip("/"):
        config["path_prefix"] = parts.path
    return config


# -- processes ------------------------------------------------------------------------


def find_alertmanager() -> str:
    """$ALLINTOP_ALERTMANAGER_BIN, else Debian's prometheus-alertmanager or alertmanager."""
    explicit = os.environ.get("ALLINTOP_ALERTMANAGER_BIN")
    for candidate in [explicit] if explicit else ["prometheus-alertmanager", "alertmanager"]:
        found = shutil.which(candidate)
        if found:
            return found
    raise SetupError(
        "no alertmanager binary found",
        hint="apt-get install prometheus-alertmanager, or set ALLINTOP_ALERTMANAGER_BIN",
    )


def find_node_exporter() -> str:
    """$ALLINTOP_NODE_EXPORTER_BIN, else Debian's prometheus-node-exporter or node_exporter."""
    explicit = os.environ.get(NODE_EXPORTER_ENV)
    for candidate in [explicit] if explicit else ["prometheus-node-exporter", "node_exporter"]:
        found = shutil.which(candidate)
        if found:
            return found
    raise SetupError(
        "no node-exporter binary found",
        hint=f"apt-get install prometheus-node-exporter, or set {NODE_EXPORTER_ENV}",
    )


def find_promtool(prometheus: str) -> str | None:
    """promtool from the same directory as prometheus, else from PATH."""
    sibling = Path(prometheus).with_name("promtool")
    if os.access(sibling, os.X_OK):
        return str(sibling)
    return shutil.which("promtool")


def find_prometheus(explicit: str | None = None) -> str:
    """The prometheus binary: ``explicit``, else $ALLINTOP_PROMETHEUS_BIN, else PATH."""
    for source, candidate in (
        ("prometheus_bin", explicit),
        (PROMETHEUS_ENV, os.environ.get(PROMETHEUS_ENV)),
    ):
        if candidate:
            path = shutil.which(candidate)
            if path is None:
                raise SetupError(f"{source}={candidate!r} is not an executable file", INSTALL_HINT)
            return path
    path = shutil.which("prometheus")
    if path is None:
        raise SetupError("no prometheus binary found on PATH", INSTALL_HINT)
    return path


@functools.cache
def lockfile_flags(binary: str) -> tuple[str, ...]:
    """Debian's build does not lock its data dir unless asked; upstream locks by default
    and has no such flag. Ask the binary which kind it is."""
    try:
        result = subprocess.run(
            [binary, "--help"], capture_output=True, text=True, timeout=10, check=False
        )
    except (OSError, subprocess.SubprocessError):
        return ()
    return (
        ("--storage.tsdb.use-lockfile",)
        if "--storage.tsdb.use-lockfile" in (result.stdout + result.stderr)
        else ()
    )


def free_port() -> int:
    """A loopback port that was free a moment ago (callers retry if it was taken)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _spawn(name: str, command: list[str], log: Path) -> ChildProcess:
    return ChildProcess(name, spawn(command, log=log), log)


def _terminate(children: Sequence[ChildProcess]) -> None:
    """SIGTERM all, then SIGKILL whatever is still running after the grace period."""
    terminate(*(child.process for child in children), grace=STOP_GRACE_SECONDS)


def _wait(
    condition: Callable[[], bool], deadline: float, children: Sequence[ChildProcess], what: str
) -> None:
    """Polls ``condition`` until true; SetupError with the logs if a child exits first
    or the deadline passes."""
    while not condition():
        for child in children:
            if not child.alive():
                raise SetupError(
                    f"{child.name} exited (code {child.process.returncode}) while waiting "
                    f"for {what}; last lines of its log:\n{child.log_tail()}"
                )
        if time.monotonic() >= deadline:
            logs = "\n".join(f"--- {c.name} log:\n{c.log_tail()}" for c in children)
            raise SetupError(f"timed out waiting for {what}\n{logs}")
        time.sleep(POLL_SECONDS)


def _port_taken(child: ChildProcess | None) -> bool:
    return child is not None and not child.alive() and "address already in use" in child.log_tail()
