"""A real terminal for the dashboard: a private tmux server, one session, one pane.

The server runs in the foreground (`tmux -D`) as the bench's own child, on a socket in
the bench's temp dir (`-S`), with no user config (`-f /dev/null`): it never touches a
user's tmux server, and it dies with the bench (PR_SET_PDEATHSIG), taking the pane's
process with it (SIGHUP).
"""

from __future__ import annotations

import shlex
import subprocess
import time
from collections.abc import Mapping, Sequence
from pathlib import Path

from bench import procs

TMUX = "tmux"


def tmux_version() -> str:
    try:
        return subprocess.run(
            [TMUX, "-V"], capture_output=True, text=True, timeout=5, check=False
        ).stdout.strip()
    except OSError:
        return "not installed"


class Terminal:
    """A private tmux server running `command` in a `width` x `height` pane."""

    def __init__(self, workdir: Path, name: str, width: int = 120, height: int = 40) -> None:
        self.socket = workdir / f"{name}.tmux"
        self.log = workdir / f"{name}.tmux.log"
        self.width = width
        self.height = height
        self.server: subprocess.Popen[bytes] | None = None
        self.pane_pid: int | None = None
        self.launched_at: float | None = None  # time.time() just before new-session

    def _tmux(self, *args: str, timeout: float = 5.0) -> str:
        result = subprocess.run(
            [TMUX, "-S", str(self.socket), *args],
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        if result.returncode != 0:
            raise RuntimeError(f"tmux {args[0]} failed: {result.stderr.strip()}")
        return result.stdout

    def start(self, command: Sequence[str], env: Mapping[str, str], cwd: Path) -> int:
        """Starts the server and the pane; returns the pane's pid (the command itself,
        which is exec'd, so the pid is that of the measured process)."""
        server_env = dict(env)
        server_env.pop("TMUX", None)
        self.server = procs.spawn(
            [TMUX, "-S", str(self.socket), "-f", "/dev/null", "-u", "-D"],
            log=self.log,
            env=server_env,
        )
        deadline = time.monotonic() + 5.0
        while not self.socket.exists():
            if self.server.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"tmux server did not start: {self.log.read_text()!r}")
            time.sleep(0.005)
        shell = "exec " + shlex.join(command)
        self.launched_at = time.time()
        self._tmux(
            "new-session", "-d", "-s", "bench", "-x", str(self.width), "-y", str(self.height),
            "-c", str(cwd), shell,
        )  # fmt: skip
        self.pane_pid = int(self._tmux("display-message", "-p", "-t", "bench", "#{pane_pid}"))
        return self.pane_pid

    def size(self) -> str:
        return self._tmux("display-message", "-p", "-t", "bench", "#{pane_width}x#{pane_height}")

    def capture(self) -> list[str]:
        """The screen as text, one string per line (trailing spaces trimmed)."""
        return self._tmux("capture-pane", "-p", "-t", "bench").split("\n")

    def send_keys(self, *keys: str, literal: bool = False) -> None:
        self._tmux("send-keys", "-t", "bench", *(["-l"] if literal else []), *keys)

    def stop(self) -> None:
        """Kills the server (the pane's process gets SIGHUP); idempotent."""
        if self.server is not None:
            procs.terminate(self.server, grace=3.0)
            self.server = None
        if self.pane_pid is not None:
            procs.kill_pid(self.pane_pid, timeout=5.0)
        self.socket.unlink(missing_ok=True)


def pane_env(base: Mapping[str, str]) -> dict[str, str]:
    """The environment of the dashboard: the bench's, minus anything that would point
    allintop at another Prometheus or config, as a UTF-8, truecolor terminal."""
    # Bytecode written and read, as for an installed allintop (bench.imports.with_bytecode).
    drop = ("TMUX", "TMUX_PANE", "PYTHONDONTWRITEBYTECODE")
    env = {k: v for k, v in base.items() if k not in drop}
    for key in ("PROMETHEUS_URL", "ALLINTOP_CONFIG", "NO_COLOR", "ALLINTOP_BEARER_TOKEN"):
        env.pop(key, None)
    env["COLORTERM"] = "truecolor"
    if "UTF-8" not in (env.get("LC_ALL") or env.get("LC_CTYPE") or env.get("LANG") or "").upper():
        env["LC_ALL"] = "C.UTF-8"
    env.setdefault("TERM", "xterm-256color")
    return env
