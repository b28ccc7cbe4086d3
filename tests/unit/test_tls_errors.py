"""TLS failures as the user reads them, whichever layer raises them.

A raw `ssl.SSLError` (not wrapped by httpx) is what a TLS 1.3 server's verdict on the
client looks like when it arrives while the answer is read, which happens on a busy
machine; a real server cannot be made to send it at that moment on demand, so a
transport raises it here.
"""

from __future__ import annotations

import ssl

import httpx
import pytest

from allintop.errors import Unreachable
from allintop.sources.connection import ConnectionSettings, TLSFiles
from allintop.sources.prometheus import PrometheusClient


class _Alert(httpx.AsyncBaseTransport):
    def __init__(self, reason: str) -> None:
        self.reason = reason

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        error = ssl.SSLError(1, f"[SSL: {self.reason}] {self.reason.lower()} (_ssl.c:2580)")
        error.reason = self.reason
        raise error


def _client(reason: str, tls: TLSFiles | None = None) -> PrometheusClient:
    settings = ConnectionSettings(url="https://prometheus.test:9090", tls=tls or TLSFiles())
    return PrometheusClient(settings, transport=_Alert(reason))


async def test_a_bad_certificate_alert_without_a_certificate_says_one_is_required() -> None:
    async with _client("SSLV3_ALERT_BAD_CERTIFICATE") as client:
        with pytest.raises(Unreachable) as raised:
            await client.query("up")
    assert "TLS with prometheus.test:9090 failed" in str(raised.value)
    assert "requires a client certificate" in str(raised.value)
    assert "--cert-file" in (raised.value.hint or "")


async def test_a_bad_certificate_alert_with_a_certificate_says_it_was_refused(tmp_path) -> None:
    tls = TLSFiles(cert_file=tmp_path / "client.pem", key_file=tmp_path / "client.key")
    async with _client("SSLV3_ALERT_BAD_CERTIFICATE", tls) as client:
        with pytest.raises(Unreachable) as raised:
            await client.query("up")
    assert "refused the client certificate" in str(raised.value)


async def test_any_other_raw_tls_error_is_unreachable_in_words() -> None:
    async with _client("DECRYPTION_FAILED_OR_BAD_RECORD_MAC") as client:
        with pytest.raises(Unreachable) as raised:
            await client.query("up")
    assert "decryption failed or bad record mac" in str(raised.value)
