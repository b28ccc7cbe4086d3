"""Command line: the dashboard, the demo, a one-shot snapshot and a config check.

Every failure a user can cause ends in one clear message on stderr and an exit code,
never in a traceback. The codes follow the monitoring-plugin convention (see
allintop.cli.exits): 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN, 64 usage or configuration.

The parser is allintop.cli.parser, the setup of a run allintop.cli.setup, and each
command a module of allintop.cli.commands, imported only when it runs: `--help` and
`import-grafana` start no HTTP client and no Textual.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Mapping, Sequence

from allintop.cli.exits import EXIT_BROKEN_PIPE, EXIT_SETUP, EXIT_UNKNOWN, EXIT_USAGE
from allintop.cli.parser import build_parser
from allintop.errors import AllintopError, ConfigError, SetupError


def main(argv: Sequence[str] | None = None, environ: Mapping[str, str] | None = None) -> int:
    """Run the command `argv` names (default: the process's), in `environ` (default: the
    process's); the exit code."""
    environ = os.environ if environ is None else environ
    try:
        return _run(build_parser().parse_args(argv), environ)
    except AllintopError as exc:
        print(f"allintop: {exc.title.lower()}: {exc}", file=sys.stderr)
        if isinstance(exc, SetupError):
            return EXIT_SETUP
        return EXIT_USAGE if isinstance(exc, ConfigError) else EXIT_UNKNOWN
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # The reader went away (`once --json | head`): what is left to write goes
        # nowhere, not into a traceback when Python flushes stdout at exit.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_BROKEN_PIPE


def _run(args: argparse.Namespace, environ: Mapping[str, str]) -> int:
    if args.command == "import-grafana":
        from allintop.cli.commands import import_grafana

        return import_grafana.run(args.file, args.output, args.report)
    if args.no_color or "NO_COLOR" in environ:
        os.environ["NO_COLOR"] = "1"  # Textual and Rich both honour it
    if args.grafana and (args.list or not args.dashboard):
        from allintop.cli.commands import listing

        return listing.run(args, environ)
    if args.command == "silence":
        from allintop.cli.commands import silence

        return silence.run(args, environ)
    if args.command in ("once", "check"):
        from allintop.cli.commands import snapshot

        return snapshot.run(args, environ)
    if args.command == "demo":
        from allintop.cli.commands import demo

        return demo.run(args, environ)
    from allintop.cli.commands import dashboard

    return dashboard.run(args, environ)
