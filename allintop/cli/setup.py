"""From the command line and the environment to a Launch: everything a run needs.

`resolve` reads the user config and its context, loads the dashboard (-c, the
context's, the one discovered, or Grafana's with --grafana), checks --var against it,
and decides how each datasource and Alertmanager is reached. Every command runs on
the Launch it returns, and so do the tests that start the app as the command line
would. A mistake is a ConfigError (exit code 64) before any screen or demo starts.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING

from allintop.cli.connections import (
    Target,
    alertmanager,
    connections,
    default_connection,
    other_alertmanagers,
    target,
    warnings,
)
from allintop.cli.options import Options, screenshot
from allintop.cli.parser import DEFAULT_URL
from allintop.dashboard.contexts import Context, UserConfig, load_user_config, user_config_path
from allintop.dashboard.explore_panels import refusal
from allintop.dashboard.loading import load, load_dashboard
from allintop.dashboard.model import Dashboard, Pick
from allintop.errors import ConfigError
from allintop.live.alertmanagers import Alertmanagers
from allintop.live.datasources import ContextSwitch, Datasources, Setup
from allintop.sources.connection import ConnectionSettings
from allintop.sources.prometheus import PrometheusClient
from allintop.sources.urls import split_url

if TYPE_CHECKING:  # imported when an Alertmanager is configured, or a choice made
    from allintop.cli.choice import Chooser
    from allintop.sources.alertmanager import AlertmanagerClient

# The demo's Prometheus is not running yet when the run is resolved: its connection is
# made for this URL and moved to the stack's by `Launch.on` once the stack is up.
_DEMO_TARGET = Target(DEFAULT_URL, None, ())


@dataclass(frozen=True)
class Launch:
    """Everything a run needs, read and checked before anything starts.

    Nothing here is open yet: `datasources()` and `alertmanager_clients()` make the
    clients, for the run that uses them to close.
    """

    dashboard: Dashboard
    """The dashboard to show, on its datasources (the context's, Grafana's, the file's)."""
    connections: Mapping[str, ConnectionSettings]
    """How each datasource is reached, by name, in the config's order."""
    alertmanager: ConnectionSettings | None
    variables: Mapping[str, Pick]
    """--var's picks."""
    refresh: float | None
    """--refresh, when given (else the dashboard's)."""
    range_: float | None
    """--range, when given (else the dashboard's)."""
    notices: tuple[str, ...]
    """What the user should be told: how the URL was read, files others can read."""
    alert_for: float | None = None
    """demo --alert-for: every alert rule's `for:` shortened to this."""
    screenshot: Path | None = None
    """--screenshot's file (checked writable), for the commands that show the dashboard."""
    user: UserConfig | None = None
    """The user config (its contexts); None when there is none, and for the demo."""
    context: Context | None = None
    """The user config's context this run is on (--context, else its default)."""
    contexts: ContextSwitch | None = None
    """Switching among the user config's contexts live; None without a user config."""
    explore_to: Path | None = None
    """-o: the panels.yaml Explore's ctrl+s appends to (None: the dashboard's own)."""
    other_alertmanagers: Mapping[str, ConnectionSettings] = field(
        default_factory=lambda: MappingProxyType({})
    )
    """The Alertmanagers of the datasources besides the default, by datasource name
    (`alertmanager` is the default's)."""
    choose: Chooser | None = None
    """With no config given, the question that chooses the dashboard, for the app to
    ask once it runs (allintop.cli.choice.later); `dashboard` is the AllIN overview
    until then. None: `dashboard` is the one to show."""
    adapt: Callable[[Dashboard], Dashboard] | None = None
    """What the app makes of the dashboard, at start and when the file is read again
    (the demo: its history's step as the scrape interval)."""

    @property
    def connection(self) -> ConnectionSettings:
        """The default datasource's connection."""
        return self.connections[self.dashboard.datasource.name]

    def datasources(self) -> Datasources:
        """One client per datasource, the default one as the dashboard names it."""
        clients = {name: PrometheusClient(c) for name, c in self.connections.items()}
        return Datasources(clients, self.dashboard.datasource.name)

    def alertmanager_client(self) -> AlertmanagerClient | None:
        """Alertmanager's client, when one is configured."""
        from allintop.sources.alertmanager import AlertmanagerClient

        return None if self.alertmanager is None else AlertmanagerClient(self.alertmanager)

    def alertmanager_clients(self) -> Alertmanagers:
        """Each datasource's Alertmanager client, by datasource name: the app's."""
        default = self.dashboard.datasource.name
        named = {**self.other_alertmanagers}
        if self.alertmanager is not None:
            named[default] = self.alertmanager
        if not named:  # most runs: no Alertmanager, and no need of its client's module
            return Alertmanagers({}, default)
        from allintop.sources.alertmanager import AlertmanagerClient

        return Alertmanagers({n: AlertmanagerClient(c) for n, c in named.items()}, default)

    def timed(self) -> Dashboard:
        """The dashboard with --refresh and --range over the file's own, as the app
        takes them: `once` evaluates on the same refresh grid, with the same
        $__rate_interval."""
        return replace(
            self.dashboard,
            refresh=self.refresh or self.dashboard.refresh,
            range=self.range_ or self.dashboard.range,
        )

    def on(self, url: str, alertmanager_url: str | None = None) -> Launch:
        """The run with its default datasource at `url` and, unless one was named,
        Alertmanager at `alertmanager_url`: servers started after the run was resolved
        (the demo's), reached with the same settings."""
        moved = dataclasses.replace(self.connection, url=split_url(url).url.rstrip("/"))
        named = self.alertmanager
        if named is None and alertmanager_url:
            named = moved.for_url(alertmanager_url)
        reach = {**self.connections, self.dashboard.datasource.name: moved}
        return replace(self, connections=MappingProxyType(reach), alertmanager=named)


def resolve(
    args: argparse.Namespace, environ: Mapping[str, str], *, choose_later: bool = False
) -> Launch:
    """The run the parsed command line asks for, in this environment.

    Without -c or a context's dashboard, the server is asked once which dashboard
    fits it (allintop.cli.choice), or, `choose_later`, the Launch carries the
    question for the app to ask once it runs (`Launch.choose`); with --grafana,
    Grafana is asked for the dashboard. What of a dashboard is not shown is said on
    stderr as it is read. Raises ConfigError (or another AllintopError) for what
    cannot be run.
    """
    options = Options.read(args, environ)
    if args.grafana:
        return _through_grafana(args, options, environ)
    user = _user_config(args, environ)
    context = _context(args, user)
    dashboard = _load(args, environ, context)
    if dashboard.notice:  # a Grafana dashboard file: what of it is not shown
        print(f"allintop: {dashboard.notice}", file=sys.stderr)
    check_variables(dashboard, options.variables)
    if args.command == "demo":
        return _launch(args, options, environ, dashboard, _DEMO_TARGET, shot=_screenshot(args))
    where = target(args, dashboard, environ)
    # Imported here, not at start: the demo makes no choice.
    from allintop.cli import choice

    # No config given: the AllIN overview, or the generic one if the server lacks its
    # metrics; made now (once, check), or asked by the app once it runs.
    client = _client_factory(options, dashboard, where, environ)
    explicit = _explicit(args, context)
    chooser = None
    if choose_later:
        chooser = choice.later(dashboard, explicit, environ, client)
    else:
        dashboard = choice.pick(dashboard, explicit, environ, client)
    launch = _launch(args, options, environ, dashboard, where, user, context, _screenshot(args))
    return replace(launch, contexts=_switch(args, options, environ, user), choose=chooser)


def alertmanager_only(args: argparse.Namespace, environ: Mapping[str, str]) -> Launch:
    """The run as far as `allintop silence` needs it: the dashboard's datasources and
    how Alertmanager is reached (--alertmanager, else the datasource's `alertmanager:`,
    with its TLS, auth and headers), without asking Prometheus anything."""
    options = Options.read(args, environ)
    if args.grafana:
        raise ConfigError("--grafana does not apply to silence: name --alertmanager URL")
    user = _user_config(args, environ)
    dashboard = _load(args, environ, _context(args, user))
    return _launch(args, options, environ, dashboard, target(args, dashboard, environ), user)


def check_variables(dashboard: Dashboard, variables: Mapping[str, Pick]) -> None:
    """--var's names and values against the dashboard's variables; ConfigError else."""
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


def _launch(
    args: argparse.Namespace,
    options: Options,
    environ: Mapping[str, str],
    dashboard: Dashboard,
    where: Target,
    user: UserConfig | None = None,
    context: Context | None = None,
    shot: Path | None = None,
) -> Launch:
    """The run on `dashboard`, its default datasource at `where`."""
    reach = connections(options, dashboard, where, environ)
    default = reach[dashboard.datasource.name]
    return Launch(
        dashboard=dashboard,
        connections=MappingProxyType(reach),
        alertmanager=alertmanager(args, dashboard, default),
        other_alertmanagers=MappingProxyType(other_alertmanagers(dashboard, reach)),
        variables=options.variables,
        refresh=options.refresh,
        range_=options.range_,
        notices=(*where.notices, *warnings(options, dashboard, default, user)),
        alert_for=options.alert_for,
        screenshot=shot,
        user=user,
        context=context,
        explore_to=explore_to(getattr(args, "explore_to", None)),
    )


def _through_grafana(
    args: argparse.Namespace, options: Options, environ: Mapping[str, str]
) -> Launch:
    """--grafana URL --dashboard NAME: Grafana's dashboard, its datasources reached
    through Grafana's proxy with Grafana's token."""
    # Imported only here: most runs never read a Grafana server.
    from allintop.cli.grafana import connect, open_dashboard

    server = connect(args, options, environ)
    dashboard = open_dashboard(args, server)
    options = replace(options, auth=None)  # the token is the datasources' own
    check_variables(dashboard, options.variables)
    where = Target(dashboard.datasource.url or "", None, server.notices)
    return _launch(args, options, environ, dashboard, where, shot=_screenshot(args))


def explore_to(path: Path | None) -> Path | None:
    """-o's file, checked before anything starts: a panels.yaml of the user's, in a
    directory that exists (the file itself is made by the first ctrl+s)."""
    if path is None:
        return None
    path = path.expanduser()
    why = refusal(path)
    if why is None and (path.is_dir() or not path.parent.is_dir()):
        why = "is a directory" if path.is_dir() else f"{path.parent} does not exist"
    if why is not None:
        raise ConfigError(f"-o {path}: {why}", hint="name a panels.yaml of yours")
    return path


def _screenshot(args: argparse.Namespace) -> Path | None:
    """--screenshot's file, checked, for the commands that show the dashboard (`once`
    and `check` show none)."""
    if args.command not in (None, "demo"):
        return None
    return screenshot(getattr(args, "screenshot", None))


def _user_config(args: argparse.Namespace, environ: Mapping[str, str]) -> UserConfig | None:
    """The user config's contexts; None when there is none, or for the demo (which
    runs its own Prometheus: a context's servers are not its)."""
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


def _client_factory(
    options: Options, dashboard: Dashboard, where: Target, environ: Mapping[str, str]
) -> Callable[[], PrometheusClient]:
    """A client of the default datasource, as the dashboard's would be made."""

    def client() -> PrometheusClient:
        return PrometheusClient(default_connection(options, dashboard, where, environ))

    return client


def _switch(
    args: argparse.Namespace,
    options: Options,
    environ: Mapping[str, str],
    user: UserConfig | None,
) -> ContextSwitch | None:
    """Switching among the user config's contexts live: each is set up as the command
    line would set it up at start (--url, credentials and TLS options apply to its
    default datasource, --header and --timeout to all)."""
    if user is None:
        return None

    def open_context(name: str, current: Path | None) -> Setup:
        context = user.context(name, "context")
        dashboard = _load(args, environ, context, current)
        where = target(args, dashboard, environ)
        launch = _launch(args, options, environ, dashboard, where, user, context)
        return Setup(
            launch.dashboard,
            launch.datasources(),
            launch.alertmanager_clients(),
            launch.notices,
        )

    return ContextSwitch(tuple(user.contexts), open_context)
