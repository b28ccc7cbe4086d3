"""TLS and credentials against real servers: one connection setup for every client.

Prometheus and Alertmanager are started with --web.config.file: server TLS with a
certificate from a test CA (trustme), client certificates required, bcrypt users.
allintop runs as a user runs it (`python -m allintop once`), and Alertmanager is
reached through the same settings the CLI builds.
"""

from __future__ import annotations

import asyncio
import json
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from allintop.cli.parser import build_parser
from allintop.cli.setup import resolve
from allintop.errors import Unreachable
from allintop.sources.alertmanager import AlertmanagerClient
from tests.helpers import run_allintop
from tests.secured import Pki, Server, secured_server

ROOT = Path(__file__).resolve().parents[2]
USER, PASSWORD = "ops", "tls and a password"
PANELS = "rows:\n  - title: R\n    panels:\n      - title: One\n        expr: vector(1)\n"


def allintop(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return run_allintop(*args, env=env or {})


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> Pki:
    return Pki(tmp_path_factory.mktemp("pki"))


@pytest.fixture(scope="module")
def tls_server(tmp_path_factory: pytest.TempPathFactory, pki: Pki) -> Iterator[Server]:
    with secured_server(tmp_path_factory.mktemp("tls"), pki=pki) as server:
        yield server


@pytest.fixture(scope="module")
def mtls_server(tmp_path_factory: pytest.TempPathFactory, pki: Pki) -> Iterator[Server]:
    with secured_server(
        tmp_path_factory.mktemp("mtls"), pki=pki, client_cert=True, users={USER: PASSWORD}
    ) as server:
        yield server


@pytest.fixture
def panels(tmp_path: Path) -> Path:
    path = tmp_path / "panels.yaml"
    path.write_text(PANELS)
    path.chmod(0o644)
    return path


def _value(result: subprocess.CompletedProcess[str]) -> float:
    return json.loads(result.stdout)["rows"][0]["panels"][0]["value"]


# -- server TLS ---------------------------------------------------------------------------


def test_https_with_the_servers_ca_works(tls_server, pki, panels):
    result = allintop("once", "--json", "-c", str(panels), "--url", tls_server.url,
                      "--ca-file", str(pki.ca))  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert _value(result) == 1.0


def test_verification_is_on_by_default_and_says_what_to_do(tls_server, panels):
    result = allintop("once", "-c", str(panels), "--url", tls_server.url)
    assert result.returncode == 3
    assert "certificate is not trusted" in result.stderr
    assert "--ca-file" in result.stderr and "--insecure" in result.stderr
    assert "Traceback" not in result.stderr


def test_insecure_is_explicit_and_works(tls_server, panels):
    result = allintop("once", "-c", str(panels), "--url", tls_server.url, "--insecure")
    assert result.returncode == 0, result.stderr


def test_the_configs_ca_file_works_too(tls_server, pki, tmp_path):
    path = tmp_path / "panels.yaml"
    path.write_text(f"datasource:\n  ca_file: {pki.ca}\n" + PANELS)
    result = allintop("once", "-c", str(path), "--url", tls_server.url)
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "does not exist"),
        (b"this is not a certificate\n", "holds no PEM certificate"),
        (b"\x00\x01\x02garbage", "holds no PEM certificate"),
    ],
)
def test_a_bad_ca_file_is_one_clear_error(tls_server, panels, tmp_path, content, message):
    ca = tmp_path / "ca.pem"
    if content is not None:
        ca.write_bytes(content)
    result = allintop("once", "-c", str(panels), "--url", tls_server.url, "--ca-file", str(ca))
    assert result.returncode == 64, result.stderr
    assert message in result.stderr and str(ca) in result.stderr
    assert "Traceback" not in result.stderr


# -- client certificates and basic auth together ------------------------------------------


def test_a_client_certificate_is_sent_when_given(mtls_server, pki, panels):
    result = allintop("once", "-c", str(panels), "--url", mtls_server.url,
                      "--ca-file", str(pki.ca), "--cert-file", str(pki.client_cert),
                      "--key-file", str(pki.client_key), "--basic-auth-user", USER,
                      env={"ALLINTOP_PASSWORD": PASSWORD})  # fmt: skip
    assert result.returncode == 0, result.stderr


def test_without_a_client_certificate_the_error_says_one_is_required(mtls_server, pki, panels):
    result = allintop("once", "-c", str(panels), "--url", mtls_server.url,
                      "--ca-file", str(pki.ca), "--basic-auth-user", USER,
                      env={"ALLINTOP_PASSWORD": PASSWORD})  # fmt: skip
    assert result.returncode == 3
    # Over TLS 1.3 the server just closes the connection: the hint names the cause.
    assert "requires a client certificate" in result.stderr
    assert "--cert-file" in result.stderr and "Traceback" not in result.stderr


def test_a_key_that_is_not_the_certificates_is_a_clear_error(mtls_server, pki, panels, tmp_path):
    other = Pki(tmp_path / "other")
    result = allintop("once", "-c", str(panels), "--url", mtls_server.url,
                      "--ca-file", str(pki.ca), "--cert-file", str(pki.client_cert),
                      "--key-file", str(other.client_key))  # fmt: skip
    assert result.returncode == 64, result.stderr
    assert "cannot use the client certificate" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_wrong_password_over_mtls_is_refused_plainly(mtls_server, pki, panels):
    result = allintop("once", "-c", str(panels), "--url", mtls_server.url,
                      "--ca-file", str(pki.ca), "--cert-file", str(pki.client_cert),
                      "--key-file", str(pki.client_key), "--basic-auth-user", USER,
                      env={"ALLINTOP_PASSWORD": "not it"})  # fmt: skip
    assert result.returncode == 3
    assert "credentials were sent and refused" in result.stderr


# -- Alertmanager through the same settings -----------------------------------------------


def test_alertmanager_is_reached_with_the_same_tls_and_auth(pki, tmp_path, panels):
    with secured_server(
        tmp_path / "am",
        kind="alertmanager",
        pki=pki,
        client_cert=True,
        users={USER: PASSWORD},
    ) as alertmanager:
        args = build_parser().parse_args(
            [
                "-c",
                str(panels),
                "--url",
                "https://prometheus.invalid:9090",
                "--alertmanager",
                alertmanager.url,
                "--ca-file",
                str(pki.ca),
                "--cert-file",
                str(pki.client_cert),
                "--key-file",
                str(pki.client_key),
                "--basic-auth-user",
                USER,
            ]  # fmt: skip
        )
        # XDG_CONFIG_HOME: no user config of the one running the tests.
        environ = {"ALLINTOP_PASSWORD": PASSWORD, "XDG_CONFIG_HOME": str(tmp_path)}
        client = resolve(args, environ).alertmanager_client()
        assert isinstance(client, AlertmanagerClient)
        assert asyncio.run(_alerts(client)) == ()
        # The same server refuses a client without the certificate.
        bare = AlertmanagerClient(alertmanager.url)
        with pytest.raises(Unreachable):
            asyncio.run(_alerts(bare))


async def _alerts(client: AlertmanagerClient) -> tuple[object, ...]:
    async with client:
        return await client.alerts()


# -- secret and config files --------------------------------------------------------------


def test_secret_files_are_checked_alike_and_exposed_ones_warned(tls_server, pki, panels, tmp_path):
    token = tmp_path / "token"
    token.write_text("")
    empty = allintop("once", "-c", str(panels), "--url", tls_server.url, "--ca-file",
                     str(pki.ca), "--bearer-token-file", str(token))  # fmt: skip
    assert empty.returncode == 64 and f"the --bearer-token-file token file {token} is empty" in (
        empty.stderr
    )
    token.write_text("abc\n")
    token.chmod(0o644)
    exposed = allintop("once", "-c", str(panels), "--url", tls_server.url, "--ca-file",
                       str(pki.ca), "--bearer-token-file", str(token))  # fmt: skip
    assert exposed.returncode == 0, exposed.stderr
    assert f"warning: the token file {token} is readable by other users" in exposed.stderr
    token.chmod(0o600)
    private = allintop("once", "-c", str(panels), "--url", tls_server.url, "--ca-file",
                       str(pki.ca), "--bearer-token-file", str(token))  # fmt: skip
    assert "readable by other users" not in private.stderr


def test_a_config_others_can_change_is_warned(tls_server, pki, panels):
    panels.chmod(0o666)
    result = allintop("once", "-c", str(panels), "--url", tls_server.url, "--ca-file", str(pki.ca))
    assert result.returncode == 0, result.stderr
    assert "is writable by other users" in result.stderr
    panels.chmod(0o644)
    quiet = allintop("once", "-c", str(panels), "--url", tls_server.url, "--ca-file", str(pki.ca))
    assert "writable" not in quiet.stderr
