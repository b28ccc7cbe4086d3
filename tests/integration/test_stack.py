"""DemoStack's lifecycle: what it starts, what it configures, and that nothing outlives it."""

from __future__ import annotations

import json
import os
import selectors
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from allintop.demo.binaries import PROMETHEUS_ENV
from allintop.demo.children import free_port
from allintop.demo.stack import DemoStack
from allintop.errors import SetupError
from tests.helpers import prom_api, prom_query, prom_scalar, wait_until

pytestmark = pytest.mark.stack

UP = 'up{job="backend-api-dev"}'


def running(pid: int) -> bool:
    """True while ``pid`` exists and is not a zombie (PID 1 of a container may never
    reap an orphan's zombie)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def our_children() -> list[str]:
    """Command lines of this process' live children (they hold their temp dir's path)."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
            cmdline = (stat.parent / "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            continue
        if fields[0] != "Z" and int(fields[1]) == os.getpid():
            found.append(cmdline)
    return found


def stack_pids(stack: DemoStack) -> list[int]:
    assert stack.prometheus is not None and stack.backend is not None
    return [stack.prometheus.process.pid, stack.backend.process.pid]


def test_exception_in_with_block_stops_everything_and_stop_is_idempotent() -> None:
    demo = DemoStack(with_rules=False, history=0)
    with pytest.raises(RuntimeError, match="boom"), demo:
        pids, workdir = stack_pids(demo), demo.workdir
        assert workdir is not None and workdir.is_dir()
        assert all(running(pid) for pid in pids)
        raise RuntimeError("boom")
    assert not any(running(pid) for pid in pids)
    assert not workdir.exists()
    demo.stop()  # a second stop is a no-op
    demo.stop()


def test_options_reach_the_prometheus_config(make_stack, tmp_path: Path) -> None:
    query_log = tmp_path / "queries.log"
    alertmanager = f"http://127.0.0.1:{free_port()}/am"
    extra = {"job_name": "extra-job", "static_configs": [{"targets": ["127.0.0.1:1"]}]}
    demo = make_stack(
        with_rules=False,
        history=0,
        query_log=query_log,
        alertmanager_url=alertmanager,
        extra_scrape_configs=[extra],
    )
    config = yaml.safe_load(prom_api(demo.prometheus_url, "status/config")["yaml"])
    assert config["global"]["scrape_interval"] == "1s"
    assert config["global"]["evaluation_interval"] == "1s"
    assert [job["job_name"] for job in config["scrape_configs"]] == ["backend-api-dev", "extra-job"]
    (am,) = config["alerting"]["alertmanagers"]
    assert am["static_configs"][0]["targets"] == [alertmanager.split("/")[2]]
    assert am["path_prefix"] == "/am"
    assert prom_api(demo.prometheus_url, "rules")["groups"] == []  # with_rules=False
    prom_scalar(demo.prometheus_url, "vector(1)")
    assert "vector(1)" in wait_until(query_log.read_text, timeout=5, what="the query log")


def test_session_stack_has_the_seed_rules_shortened(stack: DemoStack) -> None:
    (group,) = prom_api(stack.prometheus_url, "rules")["groups"]
    assert group["name"] == "allin-platform-alerts"
    assert group["interval"] == 1
    assert len(group["rules"]) == 6
    assert {rule["duration"] for rule in group["rules"]} == {2}
    # Everything else is the seed's: labels and annotations survive the YAML round trip.
    slow = next(rule for rule in group["rules"] if rule["name"] == "SlowResponseTime")
    assert slow["labels"] == {"severity": "warning"}
    assert slow["annotations"]["description"] == "P95 response time is {{ $value }}s"


def test_backend_down_and_back_up(stack: DemoStack) -> None:
    port = stack.backend_url
    stack.stop_backend()
    try:
        wait_until(lambda: prom_scalar(stack.prometheus_url, UP) == 0, timeout=10)
    finally:
        stack.start_backend()  # restore the session stack even if the wait failed
    assert stack.backend_url == port  # same target, so Prometheus finds it again
    wait_until(lambda: prom_scalar(stack.prometheus_url, UP) == 1, timeout=10)


def test_missing_binary_raises_setup_error_with_install_hint(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv(PROMETHEUS_ENV, "/nonexistent")
    with pytest.raises(SetupError) as info:
        DemoStack().start()
    assert "/nonexistent" in info.value.message
    assert "apt-get install prometheus" in str(info.value.hint)
    assert PROMETHEUS_ENV in str(info.value.hint)

    monkeypatch.delenv(PROMETHEUS_ENV)
    monkeypatch.setenv("PATH", str(tmp_path))  # no prometheus on PATH either
    with pytest.raises(SetupError, match="apt-get install prometheus"):
        DemoStack().start()


def test_prometheus_exiting_early_is_a_setup_error_with_its_log(tmp_path: Path) -> None:
    fake = tmp_path / "prometheus"
    fake.write_text("#!/bin/sh\necho 'err: opening storage failed: disk on fire' >&2\nexit 3\n")
    fake.chmod(0o755)
    demo = DemoStack(prometheus_bin=str(fake), history=0)
    before = set(our_children())  # e.g. the session stack's processes
    with pytest.raises(SetupError, match="disk on fire"):
        demo.start()
    assert demo.workdir is None
    assert set(our_children()) <= before  # the backend it had started is gone


# Starts a stack, reports its children, then waits to be SIGKILLed (no cleanup runs).
DOOMED_PARENT = """
import json, time
from allintop.demo.stack import DemoStack
demo = DemoStack(with_rules=False, history=0).start()
pids = [demo.prometheus.process.pid, demo.backend.process.pid]
print(json.dumps({"pids": pids, "workdir": str(demo.workdir)}), flush=True)
time.sleep(120)
"""


def test_children_die_when_the_parent_is_killed() -> None:
    parent = subprocess.Popen(
        [sys.executable, "-c", DOOMED_PARENT], stdout=subprocess.PIPE, text=True
    )
    pids: list[int] = []
    workdir = None
    try:
        report = json.loads(_read_line(parent, timeout=40))
        pids, workdir = report["pids"], Path(report["workdir"])
        assert all(running(pid) for pid in pids)
        parent.send_signal(signal.SIGKILL)
        parent.wait()
        wait_until(lambda: not any(running(p) for p in pids), timeout=10, what="orphans to die")
    finally:
        parent.kill()
        parent.wait()
        for pid in pids:
            if running(pid):
                os.kill(pid, signal.SIGKILL)
        if workdir is not None:  # nobody else can remove it after a SIGKILL
            shutil.rmtree(workdir, ignore_errors=True)


def _read_line(process: subprocess.Popen[str], timeout: float) -> str:
    assert process.stdout is not None
    with selectors.DefaultSelector() as selector:
        selector.register(process.stdout, selectors.EVENT_READ)
        if not selector.select(timeout):
            raise AssertionError(f"no report from the parent process within {timeout}s")
    line = process.stdout.readline()
    assert line, f"the parent process exited with {process.poll()}"
    return line


def test_start_reports_each_step_as_it_begins(make_stack) -> None:
    steps: list[tuple[str, bool]] = []
    stacks: list[DemoStack] = []

    def progress(step: str) -> None:
        # With whether Prometheus was running when the step was reported: a step is
        # announced as it begins, not after the fact.
        steps.append((step, stacks[0].prometheus is not None))

    demo = make_stack(with_rules=False, start=False, progress=progress)
    stacks.append(demo)
    demo.start()
    assert [step for step, _ in steps] == [
        "starting the demo backend (20m of past traffic)",
        "importing the past traffic into Prometheus' storage (promtool)",
        "starting Prometheus",
        "waiting for the first scrape",
        f"ready: Prometheus at {demo.prometheus_url}",
    ]
    assert [running for _, running in steps] == [False, False, False, True, True]
    assert demo.backfilled


def test_stack_of_prometheus_and_node_exporter_without_the_backend(make_stack) -> None:
    demo = make_stack(with_backend=False, with_node_exporter=True, scrape_self=True)
    assert demo.backend is None and demo.node_exporter is not None
    up = {s["metric"]["job"]: s["value"][1] for s in prom_query(demo.prometheus_url, "up")}
    assert up == {"node": "1", "prometheus": "1"}
    node_exporter, workdir = demo.node_exporter, demo.workdir
    demo.stop()
    assert not running(node_exporter.process.pid)
    assert workdir is not None and not workdir.exists()
