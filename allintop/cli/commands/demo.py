"""`allintop demo`: the bundled demo stack (a real Prometheus scraping a synthetic
backend, and Alertmanager when installed) with the dashboard on it; the stack stops
when the dashboard ends, however it ends."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Mapping
from dataclasses import replace

from allintop.cli.commands.dashboard import gc_off_until_painted, show
from allintop.errors import SetupError
from allintop.values.durations import format_duration


def run(args: argparse.Namespace, environ: Mapping[str, str]) -> int:
    """Start the stack for `args.scenario`, show the dashboard on it, stop the stack."""
    with gc_off_until_painted():
        # Imported with the GC off, as the dashboard's are (allintop.cli.commands.dashboard).
        from allintop.cli.setup import resolve
        from allintop.demo.binaries import find_alertmanager
        from allintop.demo.history import scraped_as_history
        from allintop.demo.stack import DemoStack

        launch = resolve(args, environ)
        try:  # Alertmanager is optional in the demo: it adds silences to show.
            find_alertmanager()
            with_alertmanager = True
        except SetupError:
            with_alertmanager = False
        rule_for = format_duration(launch.alert_for) if launch.alert_for else None
        print("Starting the demo stack (Prometheus + AllIN demo backend)…", file=sys.stderr)
        stack = DemoStack(
            args.scenario,
            rule_for=rule_for,
            # Short 'for:' durations only help if the rules are evaluated often too.
            rule_interval="1s" if rule_for else None,
            with_alertmanager=with_alertmanager,
            progress=lambda step: print(f"  {step}", file=sys.stderr),
        )
        with stack:
            on_stack = launch.on(stack.prometheus_url, stack.alertmanager_url)
            # The imported past is 10 s apart: Grafana's rate windows must span it.
            on_stack = replace(on_stack, adapt=scraped_as_history)
            return show(on_stack, stack.stop)
