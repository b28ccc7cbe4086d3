"""How each datasource is reached: its URL, credentials, headers and TLS.

The default datasource takes the command line over the config (--url, credentials,
TLS options); the others keep their own settings, with --timeout and --header
applied to all. Every client is built from these settings, so one place decides how
a server is reached, and what the user is warned of about it.
"""

from __future__ import annotations

import argparse
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from allintop.cli.options import Options
from allintop.cli.parser import DEFAULT_URL
from allintop.dashboard.contexts import UserConfig
from allintop.dashboard.credentials import config_warning, exposure_warning
from allintop.dashboard.datasource import Datasource
from allintop.dashboard.model import Dashboard
from allintop.errors import ConfigError
from allintop.sources.connection import ConnectionSettings, TLSFiles
from allintop.sources.urls import split_url


@dataclass(frozen=True)
class Target:
    """Where to reach Prometheus, with credentials taken out of the URL, and what the
    user should be told about how it was read."""

    url: str
    credentials: tuple[str, str] | None
    notices: tuple[str, ...]


def target(args: argparse.Namespace, dashboard: Dashboard, environ: Mapping[str, str]) -> Target:
    """--url, $PROMETHEUS_URL, the config, the default: in that order.

    A URL without a scheme gets http:// (and the user is told); credentials in it
    still work, but are taken out of it so that no header, error or screenshot shows
    them, and a warning says where they should go instead.
    """
    origin, text = next(
        (origin, value)
        for origin, value in (
            ("--url", args.url),
            ("$PROMETHEUS_URL", environ.get("PROMETHEUS_URL")),
            ("the config", dashboard.datasource.url),
            ("default", DEFAULT_URL),
        )
        if value
    )
    parts = split_url(text)
    notices = []
    if parts.assumed_scheme:
        notices.append(f"{origin} has no scheme: using {parts.url}")
    if parts.credentials is not None and origin == "--url":
        notices.append(
            "warning: --url carries credentials, which other users can see in the process "
            "list and your shell history; use --basic-auth-user with $ALLINTOP_PASSWORD"
        )
    return Target(parts.url, parts.credentials, tuple(notices))


def default_connection(
    options: Options, dashboard: Dashboard, target: Target, environ: Mapping[str, str]
) -> ConnectionSettings:
    """The default datasource's connection: the command line over the config."""
    source = dashboard.datasource
    auth = options.auth
    if auth is None and source.auth is not None:
        auth = source.auth.credentials(environ)
    if auth is None and target.credentials is not None:
        auth = target.credentials
    given = options.tls
    tls = TLSFiles(
        ca_file=given.ca_file or source.ca_file,
        cert_file=given.cert_file or source.cert_file,
        key_file=given.key_file or source.key_file,
        insecure=given.insecure or source.insecure,
    )
    return ConnectionSettings.make(
        target.url,
        timeout=options.timeout or source.timeout,
        headers={**source.headers, **options.headers},
        auth=auth,
        tls=tls,
        query_params=source.query_params,
    )


def other_connection(
    source: Datasource, options: Options, environ: Mapping[str, str]
) -> ConnectionSettings:
    """A datasource besides the default: its own settings from the config; of the
    command line only --timeout and --header (a tenant header, say) apply to it."""
    if source.url is None:
        raise ConfigError(
            f"the datasource {source.name!r} has no url",
            hint=f"give it one under datasources: {source.name}: url: http://...",
        )
    tls = TLSFiles(source.ca_file, source.cert_file, source.key_file, source.insecure)
    return ConnectionSettings.make(
        source.url,
        timeout=options.timeout or source.timeout,
        headers={**source.headers, **options.headers},
        auth=source.auth.credentials(environ) if source.auth is not None else None,
        tls=tls,
        query_params=source.query_params,
    )


def connections(
    options: Options, dashboard: Dashboard, target: Target, environ: Mapping[str, str]
) -> dict[str, ConnectionSettings]:
    """Every datasource's connection, by name, in the config's order."""
    default = dashboard.datasource.name
    return {
        name: default_connection(options, dashboard, target, environ)
        if name == default
        else other_connection(source, options, environ)
        for name, source in dashboard.sources.items()
    }


def alertmanager(
    args: argparse.Namespace, dashboard: Dashboard, connection: ConnectionSettings
) -> ConnectionSettings | None:
    """Alertmanager (--alertmanager, else the config's), reached with the same settings
    as Prometheus (TLS, auth, headers); None when neither names one."""
    url = args.alertmanager or dashboard.datasource.alertmanager
    return connection.for_url(url) if url else None


def other_alertmanagers(
    dashboard: Dashboard, reach: Mapping[str, ConnectionSettings]
) -> dict[str, ConnectionSettings]:
    """The Alertmanagers of the datasources besides the default that name one, by
    datasource name, each reached with its datasource's settings: a silence of a
    datasource's alert goes to its own."""
    default = dashboard.datasource.name
    return {
        name: reach[name].for_url(source.alertmanager)
        for name, source in dashboard.sources.items()
        if name != default and source.alertmanager and name in reach
    }


def warnings(
    options: Options,
    dashboard: Dashboard,
    connection: ConnectionSettings,
    user: UserConfig | None = None,
) -> list[str]:
    """Files that others can read (secrets) or change (the config), as ssh warns."""
    secrets: list[tuple[Path | None, str]] = [
        (options.token_file, "token"),
        *((s.auth.secret_file if s.auth else None, "secret") for s in dashboard.sources.values()),
        *((s.key_file, "key") for s in dashboard.sources.values()),
        (connection.tls.key_file, "key"),
    ]
    found = [exposure_warning(file, what) for file, what in secrets if file is not None]
    configs = [dashboard.source_path, user.path if user is not None else None]
    found += [config_warning(path) for path in configs if path is not None]
    return list(dict.fromkeys(warning for warning in found if warning))
