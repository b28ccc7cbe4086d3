"""Processes the bench starts, and what /proc says about them.

Children are started and stopped as the demo stack's are (allintop.processes: own
session, PR_SET_PDEATHSIG, SIGTERM then SIGKILL). `Cleanup` is the one place that
stops everything: on normal exit, on an exception, on Ctrl-C, SIGTERM, SIGHUP, and
from atexit.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import signal
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from types import FrameType

from allintop.processes import spawn as spawn
from allintop.processes import terminate as terminate

CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


# -- /proc ------------------------------------------------------------------------------


def alive(pid: int) -> bool:
    """True while `pid` exists and is not a zombie (an orphan's zombie may never be
    reaped when PID 1 of a container does not reap)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def cpu_seconds(pid: int) -> float | None:
    """utime + stime of `pid` in seconds (threads included; children not)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    # After the command: state(0) ppid(1) ... utime is field 14 of stat, i.e. index 11 here.
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


def memory_kib(pid: int) -> dict[str, int]:
    """VmHWM (peak RSS) and VmRSS of `pid`, in KiB."""
    out: dict[str, int] = {}
    try:
        text = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return out
    for line in text.splitlines():
        key, _, value = line.partition(":")
        if key in ("VmHWM", "VmRSS"):
            out[key] = int(value.split()[0])
    return out


def cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode().strip()
    except OSError:
        return ""


@dataclass(frozen=True)
class Usage:
    """One reading of a process: CPU seconds so far and peak RSS."""

    at: float  # time.time()
    cpu: float | None
    peak_rss_kib: int | None

    @classmethod
    def read(cls, pid: int) -> Usage:
        return cls(time.time(), cpu_seconds(pid), memory_kib(pid).get("VmHWM"))


def wait_gone(pid: int, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while alive(pid):
        if time.monotonic() >= deadline:
            return False
        time.sleep(0.02)
    return True


def kill_pid(pid: int, timeout: float = 5.0) -> None:
    """SIGTERM `pid` (a process the bench started), SIGKILL if it lingers."""
    if not alive(pid):
        return
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGTERM)
    if not wait_gone(pid, timeout):
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
        wait_gone(pid, 2.0)


# -- cleanup ----------------------------------------------------------------------------


class Cleanup:
    """Last-in-first-out stop callbacks, run once: by close(), atexit, or a signal.

    SIGTERM and SIGHUP become SystemExit in the main thread, so `finally` blocks (and
    then close()) run just as they do for Ctrl-C's KeyboardInterrupt. While closing,
    further Ctrl-Cs are ignored so that a second impatient Ctrl-C cannot leave a
    Prometheus or a tmux server behind.
    """

    def __init__(self) -> None:
        self._callbacks: list[tuple[str, Callable[[], object]]] = []
        self._closed = False
        atexit.register(self.close)

    def install_signal_handlers(self) -> None:
        def to_exit(signum: int, frame: FrameType | None) -> None:
            raise SystemExit(128 + signum)

        for sig in (signal.SIGTERM, signal.SIGHUP):
            signal.signal(sig, to_exit)

    def push(self, name: str, callback: Callable[[], object]) -> Callable[[], object]:
        self._callbacks.append((name, callback))
        return callback

    def run(self, callback: Callable[[], object]) -> None:
        """Run one registered callback now (and forget it)."""
        for i, (_, registered) in enumerate(self._callbacks):
            if registered == callback:  # == : a bound method is a new object each time
                del self._callbacks[i]
                break
        callback()

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        previous = None
        with contextlib.suppress(ValueError):  # not the main thread
            previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
        try:
            while self._callbacks:
                name, callback = self._callbacks.pop()
                try:
                    callback()
                except Exception as exc:  # keep stopping the rest
                    print(f"bench: stopping {name} failed: {exc!r}", file=sys.stderr)
        finally:
            if previous is not None:
                signal.signal(signal.SIGINT, previous)
            atexit.unregister(self.close)
