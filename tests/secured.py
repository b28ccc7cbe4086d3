"""A real Prometheus behind its own authentication (``--web.config.file``).

    with secured_prometheus(tmp_path, users={"admin": "s3cret"}) as url:
        ...  # basic auth required on every API request

Started with the demo stack's process helpers (free loopback port, a temp dir of the
test's, the child dying with this process) and always stopped, also on failure.
It scrapes nothing: the tests ask it for expressions that need no data (vector(1)).
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterator, Mapping
from pathlib import Path

import bcrypt
import httpx
import yaml

from allintop.demo.stack import _spawn, _terminate, find_prometheus, free_port, lockfile_flags

START_TIMEOUT = 30.0


def web_config(users: Mapping[str, str]) -> dict[str, object]:
    """Prometheus' web config with a bcrypt hash per user (cost 4: tests need no strength)."""
    hashed = {
        user: bcrypt.hashpw(password.encode(), bcrypt.gensalt(rounds=4)).decode()
        for user, password in users.items()
    }
    return {"basic_auth_users": hashed}


@contextlib.contextmanager
def secured_prometheus(workdir: Path, users: Mapping[str, str]) -> Iterator[str]:
    """Prometheus on a free loopback port, requiring basic auth; yields its URL."""
    binary = find_prometheus()
    (workdir / "web.yml").write_text(yaml.safe_dump(web_config(users)))
    (workdir / "prometheus.yml").write_text(yaml.safe_dump({"global": {}}))
    port = free_port()
    child = _spawn(
        "prometheus",
        [
            binary,
            f"--config.file={workdir / 'prometheus.yml'}",
            f"--web.config.file={workdir / 'web.yml'}",
            f"--storage.tsdb.path={workdir / 'data'}",
            f"--web.listen-address=127.0.0.1:{port}",
            *lockfile_flags(binary),
        ],
        workdir / "prometheus.log",
    )
    url = f"http://127.0.0.1:{port}"
    try:
        user, password = next(iter(users.items()))
        deadline = time.monotonic() + START_TIMEOUT
        while not _ready(url, (user, password)):
            if not child.alive() or time.monotonic() > deadline:
                raise RuntimeError(f"secured Prometheus did not start:\n{child.log_tail()}")
            time.sleep(0.2)
        yield url
    finally:
        _terminate([child])


def _ready(url: str, auth: tuple[str, str]) -> bool:
    try:
        return httpx.get(f"{url}/-/ready", auth=auth, timeout=2.0).status_code == 200
    except httpx.HTTPError:
        return False
