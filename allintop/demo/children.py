"""The demo stack's child processes: started with a log, waited on, stopped.

Each child (Prometheus, the backend, Alertmanager, node-exporter, promtool) writes
its output to a log in the stack's temp dir; a child that exits while the stack
waits on it fails the start with the last lines of that log, so the user sees why.
The children cannot outlive the process that started them (allintop.processes).
"""

from __future__ import annotations

import socket
import subprocess
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from allintop.errors import SetupError
from allintop.processes import spawn, terminate

STOP_GRACE_SECONDS = 5.0
POLL_SECONDS = 0.2
LOG_TAIL_LINES = 15


@dataclass
class ChildProcess:
    """A started child process and the log its output goes to (in the stack's temp dir)."""

    name: str
    process: subprocess.Popen[bytes]
    log: Path
    command: tuple[str, ...]
    """What started it: a restart runs the same again."""

    def alive(self) -> bool:
        return self.process.poll() is None

    def log_tail(self, lines: int = LOG_TAIL_LINES) -> str:
        try:
            text = self.log.read_text(errors="replace")
        except OSError:
            return "(no log)"
        return "\n".join(text.splitlines()[-lines:]) or "(empty log)"


def start_child(name: str, command: Sequence[str], log: Path) -> ChildProcess:
    """Start `command` as the child `name`, its output in `log`."""
    return ChildProcess(name, spawn(command, log=log), log, tuple(command))


def stop_children(children: Sequence[ChildProcess]) -> None:
    """SIGTERM all, then SIGKILL whatever is still running after the grace period."""
    terminate(*(child.process for child in children), grace=STOP_GRACE_SECONDS)


def wait_for(
    condition: Callable[[], bool], deadline: float, children: Sequence[ChildProcess], what: str
) -> None:
    """Polls ``condition`` until true; SetupError with the logs if a child exits first
    or the deadline (monotonic) passes."""
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


def free_port() -> int:
    """A loopback port that was free a moment ago (callers retry if it was taken)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def port_taken(child: ChildProcess | None) -> bool:
    """Whether `child` exited because its port was taken (between our probe and its
    bind): then a start on another port may succeed."""
    return child is not None and not child.alive() and "address already in use" in child.log_tail()
