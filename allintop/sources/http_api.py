"""What every monitoring API client shares: one httpx connection pool, its setup from
the connection settings, and the mapping of each transport failure (refused, timed out,
TLS refused, a connection broken mid-answer) to a PrometheusError a user understands.

The Prometheus and Alertmanager clients are built on it. No UI imports.
"""

from __future__ import annotations

import ssl
from collections.abc import Mapping
from typing import Any, Self

import httpx

from allintop.errors import RequestTimeout, TooLarge, Unreachable
from allintop.sources.connection import ConnectionSettings, TLSFiles
from allintop.sources.decoding import TENANT_HEADER, Asker
from allintop.values.text import clean


class HTTPAPIClient:
    """One `httpx.AsyncClient` (one connection pool) and the transport-error mapping
    that every monitoring API we speak shares.

    Args:
        url: base URL, e.g. ``http://localhost:9090`` (a path prefix is kept), or the
            whole ConnectionSettings (the CLI's way: one setup for every client).
        timeout: seconds a single request may take.
        headers: extra request headers (e.g. a tenant id for Mimir).
        auth: ``("user", "password")`` for basic auth, or a bearer token string.
        verify: False to skip TLS verification (--insecure).
        transport: an httpx transport (tests use it to shape faults).
    """

    service = "Prometheus"
    url_hint = "is Prometheus running there? set the URL with --url or $PROMETHEUS_URL"

    def __init__(
        self,
        url: str | ConnectionSettings,
        *,
        timeout: float = 10.0,
        headers: Mapping[str, str] | None = None,
        auth: tuple[str, str] | str | None = None,
        verify: bool = True,
        transport: httpx.AsyncBaseTransport | None = None,
        max_connections: int = 20,
    ) -> None:
        if isinstance(url, ConnectionSettings):
            settings = url
        else:
            settings = ConnectionSettings.make(
                url, timeout=timeout, headers=headers, auth=auth, tls=TLSFiles(insecure=not verify)
            )
        self.settings = settings
        self.url = settings.url
        self.timeout = settings.timeout
        all_headers = {"Accept": "application/json", **settings.headers}
        # Whether a 401 means "send credentials" or "the ones sent were refused".
        self.sends_credentials = settings.auth is not None or any(
            name.lower() == "authorization" for name in all_headers
        )
        basic: httpx.BasicAuth | None = None
        if isinstance(settings.auth, tuple):
            basic = httpx.BasicAuth(*settings.auth)
        elif isinstance(settings.auth, str):
            all_headers["Authorization"] = f"Bearer {settings.auth}"
        # A plain-http URL never needs TLS, and loading the CA bundle costs ~35 ms
        # and 3 MB at start-up; so skip it, and follow no redirects, so that a
        # redirect to https is reported (with its target) instead of followed
        # without verification.
        plain = httpx.URL(self.url).scheme == "http"
        self._host = httpx.URL(self.url).netloc.decode()
        sends_tenant = any(name.lower() == TENANT_HEADER.lower() for name in settings.headers)
        #: Who asks, as an answer's error message names it.
        self.asker = Asker(self._host, self.sends_credentials, sends_tenant)
        self._http = httpx.AsyncClient(
            base_url=self.url,
            timeout=httpx.Timeout(settings.timeout),
            headers=all_headers,
            auth=basic,
            verify=False if plain else settings.verify,
            transport=transport,
            limits=httpx.Limits(max_connections=max_connections),
            follow_redirects=not plain,
        )

    @property
    def host(self) -> str:
        """host:port, for the header line."""
        return self._host

    async def aclose(self) -> None:
        await self._http.aclose()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    def _broken_hint(self) -> str | None:
        # Over TLS 1.3 a server that wants a client certificate accepts the handshake
        # and then closes the connection: the client sees only a broken pipe.
        if httpx.URL(self.url).scheme == "https" and self.settings.tls.cert_file is None:
            return (
                "a server that requires a client certificate closes the connection when "
                "none is sent: give one with --cert-file and --key-file"
            )
        return None

    async def _send(
        self, method: str, path: str, *, max_bytes: int | None = None, **kwargs: Any
    ) -> httpx.Response:
        """One request; every transport failure becomes a PrometheusError subclass.
        With `max_bytes`, an answer that grows past it is dropped unread (TooLarge)."""
        if self._http.is_closed:
            # A task started before the app let go of these servers (a switch, the
            # exit) must fail as a request does, not with httpx's RuntimeError.
            raise Unreachable(f"no longer asking {self.host}: its connection pool is closed")
        try:
            if max_bytes is None:
                return await self._http.request(method, path, **kwargs)
            return await self._limited(method, path, max_bytes, **kwargs)
        except httpx.TimeoutException as exc:
            raise RequestTimeout(
                f"no answer from {self.host} within {self.timeout:g}s",
                hint=f"{self.service} is slow or overloaded; --timeout raises the limit",
            ) from exc
        # A raw SSLError: a TLS alert that arrives with the answer (TLS 1.3 sends the
        # server's verdict on the client after the handshake) escapes httpx's mapping.
        except (httpx.ConnectError, httpx.ReadError, httpx.WriteError, ssl.SSLError) as exc:
            raise self._unreachable(exc) from exc
        except httpx.RemoteProtocolError as exc:
            raise Unreachable(f"connection to {self.host} broke: {_reason(exc)}") from exc
        except (httpx.UnsupportedProtocol, httpx.InvalidURL) as exc:
            raise Unreachable(f"bad {self.service} URL {self.url!r}: {_reason(exc)}") from exc
        except httpx.HTTPError as exc:
            raise Unreachable(f"request to {self.host} failed: {_reason(exc)}") from exc

    def _unreachable(self, exc: Exception) -> Unreachable:
        """A connection that failed, was refused by TLS, or broke."""
        tls = _tls_failure(exc, self.settings.tls.cert_file is not None)
        if tls is not None:
            return Unreachable(f"TLS with {self.host} failed: {tls[0]}", hint=tls[1])
        if isinstance(exc, httpx.ConnectError):
            return Unreachable(
                f"cannot connect to {self.host}: {_connect_reason(exc)}", hint=self.url_hint
            )
        return Unreachable(
            f"connection to {self.host} broke: {_reason(exc)}", hint=self._broken_hint()
        )

    async def _limited(
        self, method: str, path: str, max_bytes: int, **kwargs: Any
    ) -> httpx.Response:
        """The answer read chunk by chunk (decompressed), up to `max_bytes`: memory
        stays bounded whatever the server sends."""
        request = self._http.build_request(method, path, **kwargs)
        response = await self._http.send(request, stream=True)
        try:
            chunks, size = [], 0
            async for chunk in response.aiter_bytes():
                size += len(chunk)
                if size > max_bytes:
                    raise TooLarge(
                        f"the answer from {self.host} is over {max_bytes // 1024 // 1024} MB",
                        hint="too many series: narrow the query with a label matcher or topk()",
                    )
                chunks.append(chunk)
        finally:
            await response.aclose()
        # Already decompressed: the copy must not claim an encoding or a length.
        dropped = ("content-encoding", "content-length", "transfer-encoding")
        headers = [(k, v) for k, v in response.headers.multi_items() if k.lower() not in dropped]
        return httpx.Response(
            response.status_code, headers=headers, content=b"".join(chunks), request=request
        )


def _reason(exc: BaseException) -> str:
    return clean(str(exc) or type(exc).__name__, 120)


def _connect_reason(exc: httpx.ConnectError) -> str:
    """Find the OS-level cause (refused, no route, unknown host) in the exception chain."""
    cause: BaseException | None = exc
    while cause is not None:
        if isinstance(cause, ConnectionRefusedError):
            return "connection refused"
        if isinstance(cause, OSError) and cause.strerror:
            return cause.strerror.lower()
        cause = cause.__cause__ or cause.__context__
    text = str(exc)
    if "Name or service not known" in text or "nodename nor servname" in text:
        return "unknown host"
    if "refused" in text.lower():
        return "connection refused"
    return _reason(exc)


_CA_HINT = (
    "give the server's CA with --ca-file (or ca_file: in panels.yaml); --insecure skips the check"
)
_CLIENT_CERT_HINT = (
    "give a client certificate with --cert-file and --key-file (cert_file: and key_file:)"
)


def _tls_failure(exc: BaseException, sent_certificate: bool) -> tuple[str, str] | None:
    """(what failed, what to do) when `exc` comes from TLS, else None."""
    cause: BaseException | None = exc
    while cause is not None:
        if isinstance(cause, ssl.SSLCertVerificationError):
            return f"the server's certificate is not trusted ({cause.verify_message})", _CA_HINT
        if isinstance(cause, ssl.SSLError):
            return _ssl_failure(cause, sent_certificate)
        cause = cause.__cause__ or cause.__context__
    return None


def _ssl_failure(error: ssl.SSLError, sent_certificate: bool) -> tuple[str, str]:
    reason = str(error.reason or "")
    # Without a certificate of ours, a "bad certificate" verdict means none came.
    wanted = (
        "CERTIFICATE_REQUIRED",
        "HANDSHAKE_FAILURE",
        *(() if sent_certificate else ("BAD_CERTIFICATE",)),
    )
    if any(word in reason for word in wanted):
        return "the server requires a client certificate", _CLIENT_CERT_HINT
    if reason in ("BAD_CERTIFICATE", "UNKNOWN_CA") or "CERTIFICATE" in reason:
        return f"the server refused the client certificate ({_words(reason)})", (
            "the server does not trust the certificate given with --cert-file"
        )
    if reason == "WRONG_VERSION_NUMBER":
        return "the server does not speak TLS there", "use http:// for this URL"
    return _words(reason) or _reason(error), _CA_HINT


def _words(reason: str) -> str:
    return reason.replace("_", " ").lower()
