"""How allintop reaches a server: one set of connection settings for every client.

Prometheus, Alertmanager (and later other datasources) are reached with the same
timeout, headers, credentials and TLS settings. The TLS context is built and its
files checked once, when the settings are made, so a missing CA file or a key that
does not match its certificate is one clear error at start, not a traceback on the
first request. No UI imports.
"""

from __future__ import annotations

import dataclasses
import ssl
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType

from allintop.errors import ConfigError
from allintop.sources.urls import split_url, url_problem

Auth = tuple[str, str] | str | None
"""(user, password) for basic auth, a bearer token, or none."""

DEFAULT_TIMEOUT = 10.0


def _no_headers() -> Mapping[str, str]:
    return MappingProxyType({})


@dataclass(frozen=True)
class TLSFiles:
    """The TLS files as the user named them (command line or config)."""

    ca_file: Path | None = None
    cert_file: Path | None = None
    key_file: Path | None = None
    insecure: bool = False

    @property
    def any(self) -> bool:
        return bool(self.ca_file or self.cert_file or self.key_file or self.insecure)


@dataclass(frozen=True)
class ConnectionSettings:
    """Everything a client needs besides what it asks: where, how long, as whom.

    Build it with `ConnectionSettings.make`, which validates the TLS files; `for_url`
    gives the same settings for another server (Alertmanager beside Prometheus).
    """

    url: str
    timeout: float = DEFAULT_TIMEOUT
    headers: Mapping[str, str] = field(default_factory=_no_headers)
    auth: Auth = field(default=None, repr=False)  # the secret never shows in a repr
    tls: TLSFiles = field(default_factory=TLSFiles)
    context: ssl.SSLContext | None = field(default=None, repr=False, compare=False)
    query_params: Mapping[str, str] = field(default_factory=_no_headers)
    """Sent with every query and range query: Thanos' partial_response and dedup."""

    @classmethod
    def make(
        cls,
        url: str,
        *,
        timeout: float = DEFAULT_TIMEOUT,
        headers: Mapping[str, str] | None = None,
        auth: Auth = None,
        tls: TLSFiles | None = None,
        query_params: Mapping[str, str] | None = None,
    ) -> ConnectionSettings:
        """Settings with credentials taken out of the URL and the TLS context built.

        Raises ConfigError for a URL that names no server (a port out of range, a
        scheme other than http or https) and for a TLS file that is missing,
        unreadable or not PEM.
        """
        parts = split_url(url)
        _check(parts.url)
        tls = tls or TLSFiles()
        return cls(
            url=parts.url.rstrip("/"),
            timeout=timeout,
            headers=MappingProxyType(dict(headers or {})),
            auth=auth if auth is not None else parts.credentials,
            tls=tls,
            # Only when asked for: loading the default CA bundle costs ~35 ms and 3 MB,
            # which a plain-http dashboard does not need (the client loads it lazily).
            context=tls_context(tls) if tls.any else None,
            query_params=MappingProxyType(dict(query_params or {})),
        )

    def for_url(self, url: str) -> ConnectionSettings:
        """The same timeout, headers, credentials and TLS for another server."""
        parts = split_url(url)
        _check(parts.url)
        auth = self.auth if parts.credentials is None else parts.credentials
        return dataclasses.replace(
            self, url=parts.url.rstrip("/"), auth=auth, query_params=_no_headers()
        )

    @property
    def verify(self) -> ssl.SSLContext | bool:
        """What httpx's `verify` takes: the context, else True (its default CA bundle)."""
        return self.context if self.context is not None else True


def tls_context(tls: TLSFiles) -> ssl.SSLContext:
    """An SSL context for `tls`: its CA (else the default bundle), its client
    certificate, or no verification at all when `insecure` (explicitly asked)."""
    context = ssl.create_default_context(cafile=_ca_bundle(tls.ca_file))
    if tls.insecure:
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
    if tls.cert_file or tls.key_file:
        _load_client_certificate(context, tls)
    return context


def _ca_bundle(ca_file: Path | None) -> str:
    if ca_file is None:
        import certifi  # httpx's own default bundle

        return certifi.where()
    _must_be_file(ca_file, "CA file", "--ca-file (or ca_file: in panels.yaml)")
    try:
        ssl.create_default_context(cafile=str(ca_file))
    except ssl.SSLError as error:
        raise ConfigError(
            f"the CA file {ca_file} holds no PEM certificate ({_reason(error)})",
            hint="give the CA certificate(s) in PEM form: -----BEGIN CERTIFICATE----- …",
        ) from None
    return str(ca_file)


def _load_client_certificate(context: ssl.SSLContext, tls: TLSFiles) -> None:
    if tls.cert_file is None or tls.key_file is None:
        raise ConfigError(
            "a client certificate needs both a certificate file and its key file",
            hint="give --cert-file and --key-file (cert_file: and key_file: in panels.yaml)",
        )
    _must_be_file(tls.cert_file, "client certificate file", "--cert-file (or cert_file:)")
    _must_be_file(tls.key_file, "client key file", "--key-file (or key_file:)")
    try:
        context.load_cert_chain(str(tls.cert_file), str(tls.key_file))
    except ssl.SSLError as error:
        raise ConfigError(
            f"cannot use the client certificate {tls.cert_file} with the key "
            f"{tls.key_file}: {_reason(error)}",
            hint="both must be PEM, the key unencrypted, and the key the certificate's own",
        ) from None


def _must_be_file(path: Path, what: str, option: str) -> None:
    if not path.is_file():
        raise ConfigError(
            f"the {what} {path} does not exist", hint=f"check the path given to {option}"
        )
    try:
        with open(path, "rb"):
            pass
    except OSError as error:
        raise ConfigError(f"cannot read the {what} {path}: {error.strerror}") from None


def _reason(error: ssl.SSLError) -> str:
    reason = error.reason or error.strerror or str(error)
    return str(reason).replace("_", " ").lower()


def _check(url: str) -> None:
    problem = url_problem(url)
    if problem is not None:
        raise ConfigError(problem, hint="a server's URL is http://host:port or https://host:port")
