"""The servers a demo stack may run beside Prometheus and the backend: Alertmanager,
so the demo can show silences, and node-exporter, for tests of the generic overview.

Each starts on a free loopback port with its files in the stack's temp dir; the
stack holds the child as soon as it is started (so a failed start still stops it),
then waits until it answers.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import httpx
import yaml

from allintop.demo.binaries import find_alertmanager, find_node_exporter
from allintop.demo.children import ChildProcess, free_port, start_child


def start_alertmanager(workdir: Path) -> tuple[ChildProcess, str]:
    """Debian's Alertmanager on a free port, and its URL; not yet ready."""
    binary = find_alertmanager()
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
    child = start_child("alertmanager", command, workdir / "alertmanager.log")
    return child, f"http://127.0.0.1:{port}"


def start_node_exporter(workdir: Path) -> tuple[ChildProcess, int]:
    """Debian's node-exporter on a free port, and the port; not yet answering."""
    binary = find_node_exporter()
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
    child = start_child("node-exporter", command, workdir / "node-exporter.log")
    return child, port


def answering(url: str, timeout: float) -> Callable[[], bool]:
    """A condition for allintop.demo.children.wait_for: `url` answers with success."""

    def answers() -> bool:
        try:
            return httpx.get(url, timeout=timeout).is_success
        except httpx.HTTPError:
            return False

    return answers
