"""The one process helper of the demo stack and the bench (allintop.processes), on
real child processes."""

from __future__ import annotations

import sys
import time
from pathlib import Path

from allintop.processes import spawn, terminate
from tests.helpers import wait_until

STUBBORN = (
    "import signal, sys, time\n"
    "signal.signal(signal.SIGTERM, signal.SIG_IGN)\n"
    "print('ready', flush=True)\n"
    "time.sleep(60)\n"
)


def _wait_for_line(log: Path, line: str, timeout: float = 10.0) -> None:
    wait_until(lambda: line in log.read_text(), timeout, interval=0.02, what=f"{line!r} in {log}")


def test_output_goes_to_the_log_and_stdin_is_closed(tmp_path: Path) -> None:
    log = tmp_path / "child.log"
    code = "import sys; print('out'); print('err', file=sys.stderr); print(repr(sys.stdin.read()))"
    child = spawn([sys.executable, "-c", code], log=log)
    assert child.wait(10) == 0
    assert log.read_text().split() == ["out", "err", "''"]


def test_a_child_ignoring_sigterm_is_killed_after_the_grace(tmp_path: Path) -> None:
    logs = [tmp_path / f"stubborn-{i}.log" for i in range(2)]
    children = [spawn([sys.executable, "-c", STUBBORN], log=log) for log in logs]
    for log in logs:
        _wait_for_line(log, "ready")
    began = time.monotonic()
    terminate(*children, grace=0.5)
    took = time.monotonic() - began
    assert all(child.poll() is not None for child in children)
    # One grace period for all of them, not one each.
    assert 0.4 <= took < 0.9


def test_terminate_is_quick_and_safe_on_exited_children(tmp_path: Path) -> None:
    child = spawn([sys.executable, "-c", "import time; time.sleep(60)"], log=tmp_path / "a.log")
    began = time.monotonic()
    terminate(child)
    assert child.returncode is not None and time.monotonic() - began < 3
    terminate(child)  # again: nothing to do, no error
