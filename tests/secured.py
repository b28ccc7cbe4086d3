"""Real Prometheus and Alertmanager servers behind their own TLS and authentication
(``--web.config.file``), for the tests of how allintop connects.

    with secured_server(tmp_path, users={"admin": "s3cret"}) as server:
        ...  # basic auth required on every request to server.url
    pki = Pki(tmp_path)                      # a CA, a server and a client certificate
    with secured_server(tmp_path, pki=pki, client_cert=True) as server:
        ...  # https://127.0.0.1:PORT, the CA in pki.ca, a client certificate required

Started with the demo stack's process helpers (free loopback port, the child dying
with this process) and always stopped, also on failure. Prometheus scrapes nothing:
the tests ask it for expressions that need no data (vector(1)).
"""

from __future__ import annotations

import contextlib
import ssl
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import bcrypt
import httpx
import trustme
import yaml

from allintop.demo.binaries import find_alertmanager, find_prometheus, lockfile_flags
from allintop.demo.children import free_port, start_child, stop_children

START_TIMEOUT = 30.0


class Pki:
    """A test CA (trustme) with a certificate for 127.0.0.1 and one for a client,
    written as PEM files under `directory`."""

    def __init__(self, directory: Path) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        ca = trustme.CA()
        server = ca.issue_cert("127.0.0.1", "localhost")
        client = ca.issue_cert("allintop-test-client")
        self.ca = directory / "ca.pem"
        self.server_cert = directory / "server.pem"
        self.server_key = directory / "server.key"
        self.client_cert = directory / "client.pem"
        self.client_key = directory / "client.key"
        ca.cert_pem.write_to_path(str(self.ca))
        server.cert_chain_pems[0].write_to_path(str(self.server_cert))
        server.private_key_pem.write_to_path(str(self.server_key))
        client.cert_chain_pems[0].write_to_path(str(self.client_cert))
        client.private_key_pem.write_to_path(str(self.client_key))
        for key in (self.server_key, self.client_key):
            key.chmod(0o600)

    def context(self, *, client: bool = False) -> ssl.SSLContext:
        context = ssl.create_default_context(cafile=str(self.ca))
        if client:
            context.load_cert_chain(str(self.client_cert), str(self.client_key))
        return context


@dataclass(frozen=True)
class Server:
    url: str
    log: Path


def web_config(
    users: Mapping[str, str] | None, pki: Pki | None, client_cert: bool
) -> dict[str, object]:
    """A --web.config.file: bcrypt users (cost 4: tests need no strength), TLS."""
    config: dict[str, object] = {}
    if users:
        config["basic_auth_users"] = {
            user: bcrypt.hashpw(password.encode(), bcrypt.gensalt(rounds=4)).decode()
            for user, password in users.items()
        }
    if pki is not None:
        tls: dict[str, str] = {"cert_file": str(pki.server_cert), "key_file": str(pki.server_key)}
        if client_cert:
            tls |= {"client_auth_type": "RequireAndVerifyClientCert", "client_ca_file": str(pki.ca)}
        config["tls_server_config"] = tls
    return config


@contextlib.contextmanager
def secured_server(
    workdir: Path,
    *,
    users: Mapping[str, str] | None = None,
    pki: Pki | None = None,
    client_cert: bool = False,
    kind: Literal["prometheus", "alertmanager"] = "prometheus",
) -> Iterator[Server]:
    """Prometheus (or Alertmanager) on a free loopback port behind `users` and TLS."""
    workdir.mkdir(parents=True, exist_ok=True)
    (workdir / "web.yml").write_text(yaml.safe_dump(web_config(users, pki, client_cert)))
    port = free_port()
    command = _command(kind, workdir, port)
    child = start_child(kind, command, workdir / f"{kind}.log")
    scheme = "https" if pki is not None else "http"
    server = Server(f"{scheme}://127.0.0.1:{port}", workdir / f"{kind}.log")
    try:
        auth = next(iter(users.items())) if users else None
        verify: ssl.SSLContext | bool = pki.context(client=client_cert) if pki else False
        deadline = time.monotonic() + START_TIMEOUT
        while not _ready(server.url, auth, verify):
            if not child.alive() or time.monotonic() > deadline:
                raise RuntimeError(f"secured {kind} did not start:\n{child.log_tail()}")
            time.sleep(0.2)
        yield server
    finally:
        stop_children([child])


def _command(kind: str, workdir: Path, port: int) -> list[str]:
    web = [f"--web.config.file={workdir / 'web.yml'}", f"--web.listen-address=127.0.0.1:{port}"]
    if kind == "alertmanager":
        (workdir / "alertmanager.yml").write_text(
            yaml.safe_dump({"route": {"receiver": "none"}, "receivers": [{"name": "none"}]})
        )
        return [
            find_alertmanager(),
            f"--config.file={workdir / 'alertmanager.yml'}",
            f"--storage.path={workdir / 'alertmanager-data'}",
            "--cluster.listen-address=",
            *web,
        ]
    (workdir / "prometheus.yml").write_text(yaml.safe_dump({"global": {}}))
    binary = find_prometheus()
    return [
        binary,
        f"--config.file={workdir / 'prometheus.yml'}",
        f"--storage.tsdb.path={workdir / 'data'}",
        *lockfile_flags(binary),
        *web,
    ]


def _ready(url: str, auth: tuple[str, str] | None, verify: ssl.SSLContext | bool) -> bool:
    try:
        return httpx.get(f"{url}/-/ready", auth=auth, verify=verify, timeout=2.0).status_code == 200
    except httpx.HTTPError:
        return False


@contextlib.contextmanager
def secured_prometheus(workdir: Path, users: Mapping[str, str]) -> Iterator[str]:
    """Prometheus requiring basic auth over plain http; yields its URL."""
    with secured_server(workdir, users=users) as server:
        yield server.url
