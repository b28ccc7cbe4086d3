"""Command line: the dashboard, the demo, a one-shot snapshot and a config check.

Every failure a user can cause ends in one clear message on stderr and an exit code,
never in a traceback. The codes follow the monitoring-plugin convention (see
allintop.cli.exits): 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN, 64 usage or configuration.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import os
import shutil
import signal
import sys
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING

from allintop import __version__
from allintop.cli.exits import EXIT_SETUP, EXIT_UNKNOWN, EXIT_USAGE
from allintop.errors import AllintopError, ConfigError, SetupError
from allintop.sources.urls import split_url

if TYPE_CHECKING:  # the commands import their heavy parts only when they run
    from allintop.dashboard.contexts import Context, UserConfig
    from allintop.dashboard.model import Dashboard, Datasource, Pick
    from allintop.live.datasources import ContextSwitch, Datasources, Setup
    from allintop.sources.alertmanager import AlertmanagerClient
    from allintop.sources.connection import ConnectionSettings
    from allintop.sources.grafana import Listed
    from allintop.ui.app import DashboardApp

DEFAULT_URL = "http://localhost:9090"
SCENARIOS = ("healthy", "degraded", "incident")

SCREENSHOT_HELP = "save the dashboard as SVG once its first values are in, then exit"
# --screenshot's size without a terminal (or $COLUMNS / $LINES) to take it from.
SCREENSHOT_SIZE = (120, 34)


class _Parser(argparse.ArgumentParser):
    """argparse, but usage errors are ConfigErrors (one message, exit code 64)."""

    def error(self, message: str) -> None:  # type: ignore[override]
        raise ConfigError(message, hint=f"see '{self.prog} --help'")


def _common(parser: argparse.ArgumentParser, *, under_command: bool = False) -> None:
    """The options every command takes, before or after the command name.

    Under a command they default to SUPPRESS: otherwise argparse would let the
    command's unset defaults overwrite `allintop --url X once`'s --url.
    """

    def add(*names: str, default: object = None, **kwargs: object) -> None:
        parser.add_argument(
            *names, default=argparse.SUPPRESS if under_command else default, **kwargs
        )

    add("-c", "--config", metavar="FILE", help="panels.yaml to use")
    add(
        "--context",
        metavar="NAME",
        help="a context of the user config (~/.config/allintop/config.yaml): "
        "its datasources and dashboard",
    )
    add("--url", help=f"Prometheus URL (default: $PROMETHEUS_URL, the config, {DEFAULT_URL})")
    add(
        "--datasource",
        metavar="NAME",
        help="the config's datasource that panels naming none query (default: its default)",
    )
    add("--refresh", metavar="DURATION", help="time between refreshes, e.g. 5s")
    add("--range", dest="range_", metavar="DURATION", help="sparkline range, e.g. 15m")
    add(
        "--var",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="set a variable (again: several values)",
    )
    add("--header", action="append", default=[], metavar="'NAME: VALUE'", help="HTTP header")
    add("--timeout", metavar="DURATION", help="per-request timeout (default 10s)")
    add(
        "--bearer-token-file",
        metavar="FILE",
        help="read a bearer token from FILE (or set $ALLINTOP_BEARER_TOKEN)",
    )
    add(
        "--basic-auth-user",
        metavar="USER",
        help="basic auth user; the password comes from $ALLINTOP_PASSWORD",
    )
    add("--alertmanager", metavar="URL", help="Alertmanager URL, to show silenced alerts")
    add("--ca-file", metavar="FILE", help="CA bundle for TLS verification")
    add("--cert-file", metavar="FILE", help="client certificate (PEM) for TLS client auth")
    add("--key-file", metavar="FILE", help="the client certificate's key (PEM, unencrypted)")
    add("--insecure", action="store_true", default=False, help="do not verify TLS (opt-in)")
    add("--grafana", metavar="URL", help="read dashboards from this Grafana, query through it")
    add(
        "--grafana-token-file",
        metavar="FILE",
        help="Grafana's token from FILE (default: $GRAFANA_TOKEN)",
    )
    add("--dashboard", metavar="UID_OR_TITLE", help="with --grafana: the dashboard to show")
    add(
        "--list",
        action="store_true",
        default=False,
        help="with --grafana: list its dashboards (uid, title, folder) and exit",
    )
    add("--no-color", action="store_true", default=False, help="no colours (also $NO_COLOR)")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="allintop",
        description="A terminal dashboard for live Prometheus metrics.",
        epilog="Keys in the dashboard: q quit, ? help, p pause, r refresh, +/- interval, t range.",
    )
    parser.add_argument("--version", action="version", version=f"allintop {__version__}")
    parser.add_argument("--screenshot", metavar="FILE.svg", type=Path, help=SCREENSHOT_HELP)
    _common(parser)
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    demo = commands.add_parser(
        "demo",
        help="run the bundled demo stack (real Prometheus + synthetic backend) and the dashboard",
    )
    demo.add_argument("--scenario", choices=SCENARIOS, default="healthy", help="demo traffic")
    demo.add_argument(
        "--alert-for",
        metavar="DURATION",
        help="shorten every alert rule's 'for:' (e.g. 10s) so alerts fire sooner in a demo",
    )
    demo.add_argument(
        "--screenshot",
        metavar="FILE.svg",
        type=Path,
        default=argparse.SUPPRESS,
        help=SCREENSHOT_HELP,
    )
    _common(demo, under_command=True)
    once = commands.add_parser(
        "once",
        help="print one snapshot and exit: 0 ok, 1 warning, 2 critical, "
        "3 unknown (unreachable, or a panel without a value)",
    )
    once.add_argument("--json", action="store_true", help="JSON instead of a table")
    _common(once, under_command=True)
    check = commands.add_parser(
        "check", help="validate panels.yaml and every expr against the server"
    )
    _common(check, under_command=True)
    imports = commands.add_parser(
        "import-grafana",
        help="write the panels.yaml equivalent of a Grafana dashboard JSON file",
    )
    imports.add_argument("file", metavar="FILE", type=Path, help="the dashboard's JSON")
    imports.add_argument(
        "-o", "--output", metavar="PANELS.yaml", type=Path, help="write it here, not to stdout"
    )
    imports.add_argument(
        "--report",
        action="store_true",
        help="print per panel: converted, partly (what was dropped) or not supported",
    )
    return parser


# --- option handling ----------------------------------------------------------------------


def _variables(pairs: Sequence[str]) -> dict[str, Pick]:
    """--var NAME=VALUE pairs; a name given again picks several values (a multi-value
    variable's, as Grafana's URL does with var-NAME repeated)."""
    out: dict[str, Pick] = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name.strip():
            raise ConfigError(f"--var {pair!r} is not NAME=VALUE", hint="e.g. --var job=api")
        before = out.get(name.strip())
        earlier = () if before is None else (before,) if isinstance(before, str) else before
        out[name.strip()] = (*earlier, value) if earlier else value
    return out


def _headers(pairs: Sequence[str]) -> dict[str, str]:
    out = {}
    for pair in pairs:
        name, sep, value = pair.partition(":")
        if not sep or not name.strip():
            raise ConfigError(f"--header {pair!r} is not 'Name: value'")
        out[name.strip()] = value.strip()
    return out


def _duration(text: str | None, option: str) -> float | None:
    if text is None:
        return None
    from allintop.values.durations import parse_duration

    try:
        seconds = parse_duration(text)
    except ValueError as exc:
        raise ConfigError(f"{option} {text!r}: {exc}", hint="e.g. 5s, 1m, 15m, 1h") from exc
    if seconds <= 0:
        raise ConfigError(f"{option} must be more than zero")
    return seconds


def _auth(args: argparse.Namespace, environ: Mapping[str, str]) -> tuple[str, str] | str | None:
    if args.bearer_token_file:
        from allintop.dashboard.credentials import read_secret_file

        return read_secret_file(Path(args.bearer_token_file), "--bearer-token-file token")
    if environ.get("ALLINTOP_BEARER_TOKEN"):
        return environ["ALLINTOP_BEARER_TOKEN"]
    if args.basic_auth_user:
        password = environ.get("ALLINTOP_PASSWORD")
        if password is None:
            raise ConfigError(
                "--basic-auth-user needs a password", hint="set it in $ALLINTOP_PASSWORD"
            )
        return (args.basic_auth_user, password)
    return None


@dataclass(frozen=True)
class Settings:
    """The command line's values, each validated before anything starts."""

    variables: dict[str, Pick]
    headers: dict[str, str]
    refresh: float | None
    range_: float | None
    timeout: float | None
    alert_for: float | None
    auth: tuple[str, str] | str | None


def _settings(args: argparse.Namespace, environ: Mapping[str, str]) -> Settings:
    return Settings(
        variables=_variables(args.var),
        headers=_headers(args.header),
        refresh=_duration(args.refresh, "--refresh"),
        range_=_duration(args.range_, "--range"),
        timeout=_duration(args.timeout, "--timeout"),
        alert_for=_duration(getattr(args, "alert_for", None), "--alert-for"),
        auth=_auth(args, environ),
    )


def _check_variables(dashboard: Dashboard, variables: Mapping[str, Pick]) -> None:
    known = {v.name: v for v in dashboard.variables}
    for name, value in variables.items():
        if name not in known:
            raise ConfigError(
                f"--var {name}: {dashboard.source} has no variable {name!r}",
                hint=f"its variables: {', '.join(sorted(known)) or 'none'}",
            )
        variable = known[name]
        if isinstance(value, tuple) and not variable.multi:
            raise ConfigError(
                f"--var {name} is given {len(value)} times, but ${name} takes one value",
                hint=f"give --var {name}=... once",
            )
        if variable.kind == "datasource" and value not in variable.values:
            raise ConfigError(
                f"--var {name}={value}: not one of the datasources ${name} chooses from",
                hint=f"those: {', '.join(variable.values)}",
            )


def _connection(
    args: argparse.Namespace,
    settings: Settings,
    dashboard: Dashboard,
    target: Target,
    environ: Mapping[str, str],
) -> ConnectionSettings:
    """The one connection setup every client uses: the command line over the config."""
    from allintop.sources.connection import ConnectionSettings, TLSFiles

    source = dashboard.datasource
    auth = settings.auth
    if auth is None and source.auth is not None:
        auth = source.auth.credentials(environ)
    if auth is None and target.credentials is not None:
        auth = target.credentials

    def path(option: str | None, configured: Path | None) -> Path | None:
        return Path(option).expanduser() if option else configured

    tls = TLSFiles(
        ca_file=path(args.ca_file, source.ca_file),
        cert_file=path(args.cert_file, source.cert_file),
        key_file=path(args.key_file, source.key_file),
        insecure=bool(args.insecure or source.insecure),
    )
    return ConnectionSettings.make(
        target.url,
        timeout=settings.timeout or source.timeout,
        headers={**source.headers, **settings.headers},
        auth=auth,
        tls=tls,
        query_params=source.query_params,
    )


def _other_connection(
    source: Datasource, settings: Settings, environ: Mapping[str, str]
) -> ConnectionSettings:
    """A datasource besides the default: its own settings from the config; of the
    command line only --timeout and --header (a tenant header, say) apply to it."""
    from allintop.sources.connection import ConnectionSettings, TLSFiles

    if source.url is None:
        raise ConfigError(
            f"the datasource {source.name!r} has no url",
            hint=f"give it one under datasources: {source.name}: url: http://...",
        )
    tls = TLSFiles(source.ca_file, source.cert_file, source.key_file, source.insecure)
    return ConnectionSettings.make(
        source.url,
        timeout=settings.timeout or source.timeout,
        headers={**source.headers, **settings.headers},
        auth=source.auth.credentials(environ) if source.auth is not None else None,
        tls=tls,
        query_params=source.query_params,
    )


def _datasources(
    args: argparse.Namespace,
    settings: Settings,
    dashboard: Dashboard,
    target: Target,
    environ: Mapping[str, str],
) -> Datasources:
    """One client per datasource: the default one as the command line and the
    config say (--url, credentials, TLS options), the others as the config does."""
    from allintop.live.datasources import Datasources
    from allintop.sources.prometheus import PrometheusClient

    default = dashboard.datasource.name
    clients = {
        name: PrometheusClient(
            _connection(args, settings, dashboard, target, environ)
            if name == default
            else _other_connection(source, settings, environ)
        )
        for name, source in dashboard.sources.items()
    }
    return Datasources(clients, default)


def _warnings(
    args: argparse.Namespace,
    dashboard: Dashboard,
    connection: ConnectionSettings,
    user: UserConfig | None = None,
) -> list[str]:
    """Files that others can read (secrets) or change (the config), as ssh warns."""
    from allintop.dashboard.credentials import config_warning, exposure_warning

    secrets = [
        (Path(args.bearer_token_file) if args.bearer_token_file else None, "token"),
        *((s.auth.secret_file if s.auth else None, "secret") for s in dashboard.sources.values()),
        *((s.key_file, "key") for s in dashboard.sources.values()),
        (connection.tls.key_file, "key"),
    ]
    found = [exposure_warning(file, what) for file, what in secrets if file is not None]
    configs = [dashboard.source_path, user.path if user is not None else None]
    found += [config_warning(path) for path in configs if path is not None]
    return list(dict.fromkeys(warning for warning in found if warning))


def _user_config(args: argparse.Namespace, environ: Mapping[str, str]) -> UserConfig | None:
    """The user config's contexts; None when there is none, or for the demo (which
    runs its own Prometheus: a context's servers are not its)."""
    from allintop.dashboard.contexts import load_user_config, user_config_path

    if args.command == "demo":
        if args.context:
            raise ConfigError("--context does not apply to demo: it runs its own Prometheus")
        return None
    user = load_user_config(environ)
    if user is None and args.context:
        path = user_config_path(environ, Path(os.path.expanduser("~")))
        raise ConfigError(
            f"--context {args.context}: no contexts are configured ({path} does not exist)",
            hint="name them there under contexts: (see the README's section on contexts)",
        )
    return user


def _context(args: argparse.Namespace, user: UserConfig | None) -> Context | None:
    """--context's context, else the user config's default_context, else none."""
    if user is None:
        return None
    name = args.context or user.default
    return None if name is None else user.context(name)


def _load(
    args: argparse.Namespace,
    environ: Mapping[str, str],
    context: Context | None = None,
    current: Path | None = None,
) -> Dashboard:
    """The dashboard: -c's, else the context's, else `current` (the one shown when
    switching context), else the one discovered; on a context's datasources."""
    from allintop.dashboard.loading import load, load_dashboard

    sources = context.datasources if context is not None else None
    explicit = _explicit(args, context)
    try:
        if explicit is None and current is not None:
            dashboard = load_dashboard(current, sources)
        else:
            dashboard = load(explicit, environ=environ, datasources=sources)
    except ConfigError as error:
        if context is None:
            raise
        raise ConfigError(f"context {context.name}: {error.message}", error.hint) from None
    if context is not None:
        dashboard = replace(dashboard, context=context.name)
    return dashboard.with_default(args.datasource) if args.datasource else dashboard


def _explicit(args: argparse.Namespace, context: Context | None) -> str | None:
    """The dashboard named for this run: -c, else the context's `dashboard:`."""
    if args.config:
        return str(args.config)
    if context is not None and context.dashboard is not None:
        return str(context.dashboard)
    return None


def _switch(
    args: argparse.Namespace,
    settings: Settings,
    environ: Mapping[str, str],
    user: UserConfig | None,
) -> ContextSwitch | None:
    """Switching among the user config's contexts live: each is set up as the command
    line would set it up at start (--url, credentials and TLS options apply to its
    default datasource, --header and --timeout to all)."""
    from allintop.live.datasources import ContextSwitch

    if user is None:
        return None

    def open_context(name: str, current: Path | None) -> Setup:
        return _setup(args, settings, environ, user, user.context(name, "context"), current)

    return ContextSwitch(tuple(user.contexts), open_context)


def _setup(
    args: argparse.Namespace,
    settings: Settings,
    environ: Mapping[str, str],
    user: UserConfig | None,
    context: Context | None,
    current: Path | None,
) -> Setup:
    from allintop.live.datasources import Setup

    dashboard = _load(args, environ, context, current)
    target = _url(args, dashboard, environ)
    connection = _connection(args, settings, dashboard, target, environ)
    return Setup(
        dashboard,
        _datasources(args, settings, dashboard, target, environ),
        _alertmanager(args, dashboard, connection, None),
        (*target.notices, *_warnings(args, dashboard, connection, user)),
    )


def _pick(
    args: argparse.Namespace,
    settings: Settings,
    dashboard: Dashboard,
    target: Target,
    environ: Mapping[str, str],
    context: Context | None = None,
) -> Dashboard:
    """No config given: the AllIN overview, or the generic one if the server lacks its
    metrics (allintop.cli.choice)."""
    from allintop.cli import choice
    from allintop.sources.prometheus import PrometheusClient

    def client() -> PrometheusClient:
        return PrometheusClient(_connection(args, settings, dashboard, target, environ))

    return choice.pick(dashboard, _explicit(args, context), environ, client)


@dataclass(frozen=True)
class Target:
    """Where to reach Prometheus, with credentials taken out of the URL, and what the
    user should be told about how it was read."""

    url: str
    credentials: tuple[str, str] | None
    notices: tuple[str, ...]


def _url(args: argparse.Namespace, dashboard: Dashboard, environ: Mapping[str, str]) -> Target:
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


# --- Grafana as the way in -----------------------------------------------------------------

# Options that say where Prometheus is or who to be there: with --grafana, Grafana does.
_NOT_WITH_GRAFANA = (
    ("--url", "url"),
    ("-c", "config"),
    ("--context", "context"),
    ("--bearer-token-file", "bearer_token_file"),
    ("--basic-auth-user", "basic_auth_user"),
)


def _grafana(
    args: argparse.Namespace, settings: Settings, environ: Mapping[str, str]
) -> tuple[Dashboard, Target] | None:
    """--grafana: the dashboards listed on stdout (None), or the one --dashboard names,
    its Prometheus targets as panels querying through Grafana's datasource proxy."""
    from allintop.dashboard.grafana import convert as grafana
    from allintop.sources.connection import ConnectionSettings, TLSFiles
    from allintop.sources.grafana import GrafanaAPI, choose

    for option, name in _NOT_WITH_GRAFANA:
        if getattr(args, name, None):
            raise ConfigError(
                f"{option} does not go with --grafana: Grafana says where the datasources are",
                hint="the token comes from $GRAFANA_TOKEN or --grafana-token-file FILE",
            )
    token_file = Path(args.grafana_token_file).expanduser() if args.grafana_token_file else None
    auth = grafana.token_auth(token_file)
    parts = split_url(args.grafana)
    if parts.credentials is not None:
        raise ConfigError(
            "--grafana's URL carries credentials, which other users can see in the process list",
            hint="give a token in $GRAFANA_TOKEN or --grafana-token-file FILE instead",
        )
    tls = TLSFiles(
        ca_file=Path(args.ca_file).expanduser() if args.ca_file else None,
        cert_file=Path(args.cert_file).expanduser() if args.cert_file else None,
        key_file=Path(args.key_file).expanduser() if args.key_file else None,
        insecure=bool(args.insecure),
    )
    connection = ConnectionSettings.make(
        parts.url,
        timeout=settings.timeout or 10.0,
        headers=settings.headers,
        auth=auth.resolve(environ),
        tls=tls,
    )
    with GrafanaAPI(connection) as api:
        dashboards = api.search()
        if args.list or not args.dashboard:
            from allintop.dashboard.credentials import exposure_warning

            # Else said with the dashboard's other warnings, as for any secret file.
            warning = exposure_warning(token_file, "token") if token_file else None
            if warning:
                print(f"allintop: {warning}", file=sys.stderr)
            _print_dashboards(dashboards)
            return None
        chosen = choose(dashboards, args.dashboard)
        document, server = api.dashboard(chosen.uid), api.datasources()
    converted = grafana.convert(document, server, connection.url, auth)
    dashboard = converted.dashboard
    notice = grafana.notice(converted.unsupported)
    if notice is not None:
        dashboard = replace(dashboard, notice=notice)
        print(f"allintop: {notice}", file=sys.stderr)
    if args.datasource:
        dashboard = dashboard.with_default(args.datasource)
    notices = (f"--grafana has no scheme: using {parts.url}",) if parts.assumed_scheme else ()
    return dashboard, Target(dashboard.datasource.url or "", None, notices)


def _import_grafana(path: Path, output: Path | None, with_report: bool) -> int:
    """import-grafana: the panels.yaml to -o's file (or stdout), and/or the report."""
    from allintop.dashboard.grafana import to_yaml as grafana_import
    from allintop.dashboard.loading import read_file

    path = path.expanduser()
    converted = grafana_import.convert(read_file(path), str(path))
    if with_report:
        print(grafana_import.report(converted), end="")
    if output is None and with_report:
        return 0
    text = grafana_import.to_yaml(converted, path.name)
    if output is None:
        print(text, end="")
        return 0
    try:
        output.expanduser().write_text(text, encoding="utf-8")
    except OSError as error:
        raise ConfigError(f"-o {output}: cannot write it: {error.strerror or error}") from None
    return 0


def _print_dashboards(dashboards: Sequence[Listed]) -> None:
    """The dashboards as aligned columns: uid, title, folder (scriptable: cut -f1)."""
    from allintop.values.text import clean

    rows = [("UID", "TITLE", "FOLDER")]
    rows += [
        (clean(d.uid, 60), clean(d.title, 80), clean(d.folder or "General", 60)) for d in dashboards
    ]
    widths = [max(len(row[i]) for row in rows) for i in range(2)]
    for uid, title, folder in rows:
        print(f"{uid:<{widths[0]}}  {title:<{widths[1]}}  {folder}")


# --- commands -----------------------------------------------------------------------------


def _exit_on_signals(app: DashboardApp, cleanup: Callable[[], None] | None = None) -> None:
    """SIGTERM and SIGHUP (an SSH session closing) end the app cleanly, like q.

    The cleanup (stopping the demo stack) runs first, because after SIGHUP the
    terminal is gone and Textual's shutdown can block writing to it; a watchdog then
    makes sure the process ends even so.
    """

    def handler(signum: int, frame: FrameType | None) -> None:
        if cleanup is not None:
            cleanup()
        app.exit()
        watchdog = threading.Timer(3.0, os._exit, args=(128 + signum,))
        watchdog.daemon = True
        watchdog.start()

    for sig in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, handler)


def _alertmanager(
    args: argparse.Namespace,
    dashboard: Dashboard,
    connection: ConnectionSettings,
    default: str | None,
) -> AlertmanagerClient | None:
    """Alertmanager, reached with the same settings as Prometheus (TLS, auth, headers)."""
    url = args.alertmanager or dashboard.datasource.alertmanager or default
    if not url:
        return None
    from allintop.sources.alertmanager import AlertmanagerClient

    return AlertmanagerClient(connection.for_url(url))


def _run_demo(
    args: argparse.Namespace,
    settings: Settings,
    dashboard: Dashboard,
    environ: Mapping[str, str],
) -> int:
    from allintop.demo.stack import DemoStack, find_alertmanager
    from allintop.values.durations import format_duration

    try:  # Alertmanager is optional in the demo: it adds silences to show.
        find_alertmanager()
        with_alertmanager = True
    except SetupError:
        with_alertmanager = False

    rule_for = format_duration(settings.alert_for) if settings.alert_for else None
    print("Starting the demo stack (Prometheus + AllIN demo backend)…", file=sys.stderr)
    # Short 'for:' durations only help if the rules are evaluated often too.
    rule_interval = "1s" if rule_for else None
    stack = DemoStack(
        args.scenario,
        rule_for=rule_for,
        rule_interval=rule_interval,
        with_alertmanager=with_alertmanager,
        progress=lambda step: print(f"  {step}", file=sys.stderr),
    )
    with stack:
        return _run_dashboard(
            args,
            settings,
            dashboard,
            Target(stack.prometheus_url, None, ()),
            environ,
            stack.stop,
            alertmanager_url=stack.alertmanager_url,
        )


def _timed(dashboard: Dashboard, settings: Settings) -> Dashboard:
    """--refresh and --range over the file's own, as the dashboard takes them: `once`
    evaluates on the same refresh grid, with the same $__rate_interval."""
    return replace(
        dashboard,
        refresh=settings.refresh or dashboard.refresh,
        range=settings.range_ or dashboard.range,
    )


def _run_dashboard(
    args: argparse.Namespace,
    settings: Settings,
    dashboard: Dashboard,
    target: Target,
    environ: Mapping[str, str],
    cleanup: Callable[[], None] | None = None,
    alertmanager_url: str | None = None,
    user: UserConfig | None = None,
) -> int:
    from allintop.ui.app import make_app

    connection = _connection(args, settings, dashboard, target, environ)
    screenshot = _screenshot(getattr(args, "screenshot", None))
    app = make_app(
        dashboard,
        _datasources(args, settings, dashboard, target, environ),
        variables=settings.variables,
        refresh=settings.refresh,
        range_=settings.range_,
        alertmanager=_alertmanager(args, dashboard, connection, alertmanager_url),
        notices=[*target.notices, *_warnings(args, dashboard, connection, user)],
        screenshot=screenshot,
        contexts=_switch(args, settings, environ, user),
    )
    _exit_on_signals(app, cleanup)
    if screenshot is None:
        app.run()
        # A crash inside the app must not look like a clean exit to a script.
        return app.return_code or 0
    # For scripts: no terminal needed; the app exits once the file is written.
    app.run(headless=True, size=tuple(shutil.get_terminal_size(SCREENSHOT_SIZE)))
    return app.return_code or 0


def _screenshot(path: Path | None) -> Path | None:
    """--screenshot's file, checked before anything starts: its directory must exist
    and be writable."""
    if path is None:
        return None
    path = path.expanduser()
    directory = path.parent
    if path.is_dir() or not directory.is_dir() or not os.access(directory, os.W_OK):
        why = "is a directory" if path.is_dir() else f"cannot write in {directory}"
        raise ConfigError(f"--screenshot {path}: {why}", hint="e.g. --screenshot /tmp/dash.svg")
    return path


def main(argv: Sequence[str] | None = None, environ: Mapping[str, str] | None = None) -> int:
    # Start-up creates some 100,000 objects that live as long as the process, and the
    # cyclic GC's passes over them were about a tenth of the first paint. It is off
    # until the dashboard's first values are painted (the app freezes what exists
    # then and turns it back on), and is as it was however main ends.
    gc.disable()
    try:
        return _main(argv, environ)
    finally:
        gc.unfreeze()
        gc.enable()


def _main(argv: Sequence[str] | None, environ: Mapping[str, str] | None) -> int:
    environ = os.environ if environ is None else environ
    try:
        args = build_parser().parse_args(argv)
        if args.command == "import-grafana":
            return _import_grafana(args.file, args.output, args.report)
        if args.no_color or "NO_COLOR" in environ:
            os.environ["NO_COLOR"] = "1"  # Textual and Rich both honour it
        settings = _settings(args, environ)
        user: UserConfig | None = None
        if args.grafana:
            if args.command == "demo":
                raise ConfigError("--grafana does not apply to demo: it runs its own Prometheus")
            found = _grafana(args, settings, environ)
            if found is None:  # the list of dashboards was asked for, and printed
                return 0
            dashboard, target = found
            settings = replace(settings, auth=None)  # the token is the datasources' own
            _check_variables(dashboard, settings.variables)
        else:
            user = _user_config(args, environ)
            context = _context(args, user)
            dashboard = _load(args, environ, context)
            if dashboard.notice:  # a Grafana dashboard file: what of it is not shown
                print(f"allintop: {dashboard.notice}", file=sys.stderr)
            _check_variables(dashboard, settings.variables)
            if args.command == "demo":
                return _run_demo(args, settings, dashboard, environ)
            target = _url(args, dashboard, environ)
            dashboard = _pick(args, settings, dashboard, target, environ, context)
        if args.command in ("once", "check"):
            from allintop.cli.snapshot import run_check, run_once

            connection = _connection(args, settings, dashboard, target, environ)
            for notice in [*target.notices, *_warnings(args, dashboard, connection, user)]:
                print(f"allintop: {notice}", file=sys.stderr)
            client = _datasources(args, settings, dashboard, target, environ)
            dashboard = _timed(dashboard, settings)
            if args.command == "once":
                return asyncio.run(
                    run_once(dashboard, client, settings.variables, as_json=args.json)
                )
            return asyncio.run(run_check(dashboard, client, settings.variables))
        return _run_dashboard(args, settings, dashboard, target, environ, user=user)
    except AllintopError as exc:
        print(f"allintop: {exc.title.lower()}: {exc}", file=sys.stderr)
        if isinstance(exc, SetupError):
            return EXIT_SETUP
        return EXIT_USAGE if isinstance(exc, ConfigError) else EXIT_UNKNOWN
    except KeyboardInterrupt:
        return 130
