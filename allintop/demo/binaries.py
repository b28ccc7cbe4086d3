"""Finding the binaries the demo stack runs: Prometheus, promtool, Alertmanager and
node-exporter, each from an explicit path, its environment variable, or PATH (Debian's
package names first), with a hint saying how to install it when it is missing.
"""

from __future__ import annotations

import functools
import os
import shutil
import subprocess
from pathlib import Path

from allintop.errors import SetupError

PROMETHEUS_ENV = "ALLINTOP_PROMETHEUS_BIN"
ALERTMANAGER_ENV = "ALLINTOP_ALERTMANAGER_BIN"
NODE_EXPORTER_ENV = "ALLINTOP_NODE_EXPORTER_BIN"
INSTALL_HINT = (
    "install Prometheus (Debian/Ubuntu: sudo apt-get install prometheus), "
    f"or set {PROMETHEUS_ENV} to the path of a prometheus binary"
)


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


def find_promtool(prometheus: str) -> str | None:
    """promtool from the same directory as prometheus, else from PATH."""
    sibling = Path(prometheus).with_name("promtool")
    if os.access(sibling, os.X_OK):
        return str(sibling)
    return shutil.which("promtool")


def find_alertmanager() -> str:
    """$ALLINTOP_ALERTMANAGER_BIN, else Debian's prometheus-alertmanager or alertmanager."""
    return _find_optional(
        ALERTMANAGER_ENV, ("prometheus-alertmanager", "alertmanager"), "alertmanager"
    )


def find_node_exporter() -> str:
    """$ALLINTOP_NODE_EXPORTER_BIN, else Debian's prometheus-node-exporter or node_exporter."""
    return _find_optional(
        NODE_EXPORTER_ENV, ("prometheus-node-exporter", "node_exporter"), "node-exporter"
    )


def _find_optional(env: str, names: tuple[str, ...], what: str) -> str:
    """The binary $`env` names, else the first of `names` on PATH (Debian's package name
    first, which is also what the hint says to install)."""
    explicit = os.environ.get(env)
    for candidate in [explicit] if explicit else names:
        found = shutil.which(candidate)
        if found:
            return found
    raise SetupError(f"no {what} binary found", hint=f"apt-get install {names[0]}, or set {env}")


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
