"""--grafana URL: Grafana says which dashboards there are and where their datasources
are; the panels then query through Grafana's datasource proxy with Grafana's token.

`connect` checks the options and reads the token (the listing, allintop.cli.commands.
listing, and the dashboard both start there); `open_dashboard` reads the dashboard
--dashboard names.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path

from allintop.cli.options import Options
from allintop.dashboard.datasource import Auth
from allintop.dashboard.grafana import convert as grafana
from allintop.dashboard.model import Dashboard
from allintop.errors import ConfigError
from allintop.sources.connection import ConnectionSettings
from allintop.sources.grafana import GrafanaAPI, choose
from allintop.sources.urls import split_url

# Options that say where Prometheus is or who to be there: with --grafana, Grafana does.
_NOT_WITH_GRAFANA = (
    ("--url", "url"),
    ("-c", "config"),
    ("--context", "context"),
    ("--bearer-token-file", "bearer_token_file"),
    ("--basic-auth-user", "basic_auth_user"),
)


@dataclass(frozen=True)
class Grafana:
    """The Grafana server --grafana names, and how to reach it."""

    connection: ConnectionSettings
    token: Auth
    """The token by reference, for the datasources that query through Grafana."""
    token_file: Path | None
    notices: tuple[str, ...]


def connect(args: argparse.Namespace, options: Options, environ: Mapping[str, str]) -> Grafana:
    """--grafana's server, its options checked and its token read (ConfigError else)."""
    if args.command == "demo":
        raise ConfigError("--grafana does not apply to demo: it runs its own Prometheus")
    for option, name in _NOT_WITH_GRAFANA:
        if getattr(args, name, None):
            raise ConfigError(
                f"{option} does not go with --grafana: Grafana says where the datasources are",
                hint="the token comes from $GRAFANA_TOKEN or --grafana-token-file FILE",
            )
    token_file = Path(args.grafana_token_file).expanduser() if args.grafana_token_file else None
    token = grafana.token_auth(token_file)
    parts = split_url(args.grafana)
    if parts.credentials is not None:
        raise ConfigError(
            "--grafana's URL carries credentials, which other users can see in the process list",
            hint="give a token in $GRAFANA_TOKEN or --grafana-token-file FILE instead",
        )
    connection = ConnectionSettings.make(
        parts.url,
        timeout=options.timeout or 10.0,
        headers=options.headers,
        auth=token.resolve(environ),
        tls=options.tls,
    )
    notices = (f"--grafana has no scheme: using {parts.url}",) if parts.assumed_scheme else ()
    return Grafana(connection, token, token_file, notices)


def open_dashboard(args: argparse.Namespace, server: Grafana) -> Dashboard:
    """The dashboard --dashboard names (uid or title), its Prometheus targets as panels
    querying through Grafana's datasource proxy. What of it is not shown is said on
    stderr, and on the dashboard."""
    with GrafanaAPI(server.connection) as api:
        chosen = choose(api.search(), args.dashboard)
        document, datasources = api.dashboard(chosen.uid), api.datasources()
    converted = grafana.convert(document, datasources, server.connection.url, server.token)
    dashboard = converted.dashboard
    notice = grafana.notice(converted.unsupported)
    if notice is not None:
        dashboard = replace(dashboard, notice=notice)
        print(f"allintop: {notice}", file=sys.stderr)
    return dashboard.with_default(args.datasource) if args.datasource else dashboard
