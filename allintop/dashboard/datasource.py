"""Where a dashboard's data comes from: a datasource (a Prometheus, or an engine that
speaks its API) with its connection settings and auth by reference, and the set of
them a user config's context gives."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Literal

from allintop.dashboard.credentials import read_secret_file
from allintop.errors import ConfigError

DEFAULT_TIMEOUT = 10.0


@dataclass(frozen=True)
class Auth:
    """Credentials for the datasource, by reference: the secret itself is read from
    `secret_env` or `secret_file` by `resolve()` when it is used, so it is never part
    of the config, its repr, or an error message."""

    kind: Literal["bearer", "basic"]
    username: str | None = None
    secret_env: str | None = None
    secret_file: Path | None = None

    def resolve(self, environ: Mapping[str, str] | None = None) -> str:
        """The secret (token or password) now; ConfigError if it is missing or empty."""
        what = "token" if self.kind == "bearer" else "password"
        if self.secret_env is not None:
            secret = (os.environ if environ is None else environ).get(self.secret_env, "")
            if not secret:
                raise ConfigError(
                    f"the {what} variable ${self.secret_env} is not set",
                    hint=f"export {self.secret_env}=... before starting allintop",
                )
            return secret
        if self.secret_file is not None:
            return read_secret_file(self.secret_file, what)
        raise ConfigError(f"no {what} configured for {self.kind} auth")

    def credentials(self, environ: Mapping[str, str] | None = None) -> tuple[str, str] | str:
        """What the client sends: ``(username, password)`` for basic auth, the token
        for bearer auth (the two must not be confused: a password sent as a bearer
        token is refused with the right password)."""
        secret = self.resolve(environ)
        if self.kind == "basic":
            return (self.username or "", secret)
        return secret


def no_headers() -> Mapping[str, str]:
    return MappingProxyType({})


DEFAULT_DATASOURCE = "default"


@dataclass(frozen=True)
class Datasource:
    """Where and how to reach Prometheus (or an engine that speaks its API). `url`
    None: the CLI decides ($PROMETHEUS_URL, then http://localhost:9090)."""

    url: str | None = None
    timeout: float = DEFAULT_TIMEOUT
    headers: Mapping[str, str] = field(default_factory=no_headers)
    auth: Auth | None = None
    ca_file: Path | None = None
    cert_file: Path | None = None
    key_file: Path | None = None
    insecure: bool = False
    alertmanager: str | None = None
    name: str = DEFAULT_DATASOURCE
    # Thanos' query parameters: None sends nothing (the server's own default).
    partial_response: bool | None = None
    dedup: bool | None = None
    scrape_interval: float | None = None
    """Seconds between its scrapes, as its settings say (panels.yaml's
    `scrape_interval:`, Grafana's jsonData.timeInterval); None: learnt from its
    targets. Grafana's $__interval and $__rate_interval are computed from it."""

    @property
    def query_params(self) -> dict[str, str]:
        """Parameters sent with every query (Thanos' partial_response and dedup)."""
        params = {"partial_response": self.partial_response, "dedup": self.dedup}
        return {key: str(value).lower() for key, value in params.items() if value is not None}


def no_datasources() -> Mapping[str, Datasource]:
    return MappingProxyType({})


@dataclass(frozen=True)
class DatasourceSet:
    """A dashboard's datasources as a user config's context gives them: they take
    the place of the dashboard's own `datasource:` / `datasources:`."""

    default: Datasource
    named: Mapping[str, Datasource] = field(default_factory=no_datasources)
