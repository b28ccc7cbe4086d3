"""`allintop --grafana URL` (or with --list): the Grafana server's dashboards as
aligned columns, uid, title and folder, for a human or `cut -f1`."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Mapping, Sequence

from allintop.cli.grafana import connect
from allintop.cli.options import Options
from allintop.dashboard.credentials import exposure_warning
from allintop.sources.grafana import GrafanaAPI, Listed
from allintop.values.text import clean


def run(args: argparse.Namespace, environ: Mapping[str, str]) -> int:
    """List the dashboards of --grafana's server on stdout."""
    server = connect(args, Options.read(args, environ), environ)
    with GrafanaAPI(server.connection) as api:
        dashboards = api.search()
    # Else said with the dashboard's other warnings, as for any secret file.
    warning = exposure_warning(server.token_file, "token") if server.token_file else None
    if warning:
        print(f"allintop: {warning}", file=sys.stderr)
    print_dashboards(dashboards)
    return 0


def print_dashboards(dashboards: Sequence[Listed]) -> None:
    """The dashboards as aligned columns: uid, title, folder (scriptable: cut -f1)."""
    rows = [("UID", "TITLE", "FOLDER")]
    rows += [
        (clean(d.uid, 60), clean(d.title, 80), clean(d.folder or "General", 60)) for d in dashboards
    ]
    widths = [max(len(row[i]) for row in rows) for i in range(2)]
    for uid, title, folder in rows:
        print(f"{uid:<{widths[0]}}  {title:<{widths[1]}}  {folder}")
