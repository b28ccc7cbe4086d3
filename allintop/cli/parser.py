"""The command line's grammar: the options, the commands, and what --help says.

Parsing checks only the shape of what was typed; `allintop.cli.options` checks the
values. A usage error is a ConfigError (one message, exit code 64), never argparse's
own exit 2.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any, NoReturn

from allintop import __version__
from allintop.errors import ConfigError

DEFAULT_URL = "http://localhost:9090"
SCENARIOS = ("healthy", "degraded", "incident")

SCREENSHOT_HELP = "save the dashboard as SVG once its first values are in, then exit"


class _Parser(argparse.ArgumentParser):
    """argparse, but usage errors are ConfigErrors (one message, exit code 64)."""

    def error(self, message: str) -> NoReturn:
        raise ConfigError(message, hint=f"see '{self.prog} --help'")


def _common(parser: argparse.ArgumentParser, *, under_command: bool = False) -> None:
    """The options every command takes, before or after the command name.

    Under a command they default to SUPPRESS: otherwise argparse would let the
    command's unset defaults overwrite `allintop --url X once`'s --url.
    """

    def add(*names: str, default: object = None, **kwargs: Any) -> None:
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
    add(
        "-o",
        "--explore-to",
        metavar="FILE",
        type=Path,
        help="the panels.yaml that Explore's ctrl+s appends its query to, as a panel of "
        "a row 'Explore' (made if missing; default: the dashboard's own panels.yaml)",
    )


def build_parser() -> argparse.ArgumentParser:
    """The parser of `allintop [OPTIONS] [COMMAND] [OPTIONS]`; no command is the dashboard."""
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
    _demo_options(demo)
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
    _import_options(imports)
    _silence_commands(commands.add_parser("silence", help=SILENCE_HELP))
    return parser


SILENCE_HELP = (
    "Alertmanager silences for scripts: add, ls, expire (exit 0 done, 2 refused, "
    "3 unreachable, 64 usage, 69 no Alertmanager configured)"
)


def _silence_commands(silence: argparse.ArgumentParser) -> None:
    actions = silence.add_subparsers(
        dest="silence_action", metavar="ACTION", parser_class=_Parser, required=True
    )
    add = actions.add_parser("add", help="silence the alerts the matchers match")
    add.add_argument(
        "matchers", nargs="+", metavar="MATCHER", help="name=value, name!=value, name=~re, name!~re"
    )
    add.add_argument("--duration", default="2h", help="how long, or an end time (default 2h)")
    add.add_argument("--comment", required=True, help="why (required)")
    add.add_argument("--author", metavar="NAME", help="created by (default: $USER)")
    listing = actions.add_parser("ls", help="list the active and pending silences")
    listing.add_argument("--all", action="store_true", help="expired ones too")
    expire = actions.add_parser("expire", help="end a silence now")
    expire.add_argument("id", metavar="ID", help="the silence's id (as `silence ls` shows it)")
    for parser in (add, listing, expire):
        _common(parser, under_command=True)


def _demo_options(demo: argparse.ArgumentParser) -> None:
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


def _import_options(imports: argparse.ArgumentParser) -> None:
    imports.add_argument("file", metavar="FILE", type=Path, help="the dashboard's JSON")
    imports.add_argument(
        "-o", "--output", metavar="PANELS.yaml", type=Path, help="write it here, not to stdout"
    )
    imports.add_argument(
        "--report",
        action="store_true",
        help="print per panel: converted, partly (what was dropped) or not supported",
    )
