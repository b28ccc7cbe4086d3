"""Child processes that cannot outlive the one that started them: the demo stack's
Prometheus, backend and exporters, and the bench's.

Every child is started in its own session, so a Ctrl-C or Ctrl-Z in the terminal
goes to the dashboard (or the bench), which then stops the children in order instead
of every process getting it; and with PR_SET_PDEATHSIG (Linux), so that if the parent
is killed outright its children get SIGTERM from the kernel. PR_SET_PDEATHSIG fires
when the *thread* that spawned the child exits: spawn from a long-lived thread.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

_PR_SET_PDEATHSIG = 1
#: How long a child has between SIGTERM and SIGKILL.
GRACE_SECONDS = 5.0


def die_with_parent() -> Callable[[], None] | None:
    """A preexec_fn: the child gets SIGTERM when the thread that started it dies.

    Linux only; elsewhere None (no preexec_fn).
    """
    if not sys.platform.startswith("linux"):
        return None
    name = ctypes.util.find_library("c")
    if name is None:
        return None
    prctl = ctypes.CDLL(name, use_errno=True).prctl  # resolved before fork
    parent = os.getpid()

    def preexec() -> None:
        prctl(_PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0)
        if os.getppid() != parent:  # the parent died before prctl took effect
            os._exit(1)

    return preexec


def spawn(
    command: Sequence[str],
    *,
    log: Path,
    env: dict[str, str] | None = None,
    cwd: Path | None = None,
) -> subprocess.Popen[bytes]:
    """Start `command` with its output (stdout and stderr) in `log`, stdin closed."""
    with open(log, "wb") as out:
        return subprocess.Popen(
            [str(arg) for arg in command],
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            env=env,
            cwd=cwd,
            start_new_session=True,
            preexec_fn=die_with_parent(),
        )


def terminate(*processes: subprocess.Popen[bytes], grace: float = GRACE_SECONDS) -> None:
    """SIGTERM them all, then SIGKILL whatever still runs `grace` seconds later.

    All get the signal first and share one grace period, so stopping several takes
    no longer than stopping the slowest. Safe on processes that already exited.
    """
    for process in processes:
        if process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                process.terminate()
    deadline = time.monotonic() + grace
    for process in processes:
        try:
            process.wait(max(0.0, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
