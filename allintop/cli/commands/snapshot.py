"""`allintop once` and `allintop check`: the dashboard's queries without a screen.

`once` evaluates every panel once and prints a table (or JSON) with the same values,
units and statuses the dashboard shows; its exit code is the worst status, so it
serves scripts and cron checks. `check` validates every expression against the server.
Both see the dashboard as the app shows it at start: the variables settled, each
repeated row and panel made into its copies (one per value, titled with it), and
$var in titles filled in.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import sys
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import TextIO

from allintop.cli.exits import EXIT_CRITICAL, EXIT_OK, EXIT_UNKNOWN, EXIT_WARNING, exit_code
from allintop.cli.setup import resolve
from allintop.dashboard import repeats, templating, timing
from allintop.dashboard.model import Dashboard, Pick, Query
from allintop.errors import PrometheusError
from allintop.live import scrapes
from allintop.live import variables as live_variables
from allintop.live.datasources import Datasources
from allintop.live.fanout import FanOut
from allintop.live.reports import QueryState, server_error, server_side
from allintop.promql.parse import metric_names, promql_string
from allintop.sources.prometheus import PrometheusClient
from allintop.sources.protocols import QueryClient
from allintop.values.text import clean
from allintop.values.thresholds import Status
from allintop.values.units import format_value


def run(args: argparse.Namespace, environ: Mapping[str, str]) -> int:
    """`once` or `check`, as `args.command` says, on the run the command line resolves;
    what the user should be told goes to stderr before the table."""
    launch = resolve(args, environ)
    for notice in launch.notices:
        print(f"allintop: {notice}", file=sys.stderr)
    dashboard, datasources = launch.timed(), launch.datasources()
    if args.command == "once":
        return asyncio.run(run_once(dashboard, datasources, launch.variables, as_json=args.json))
    return asyncio.run(run_check(dashboard, datasources, launch.variables))


def _sources(dashboard: Dashboard, client: PrometheusClient | Datasources) -> Datasources:
    if isinstance(client, PrometheusClient):
        return Datasources.single(client, dashboard.datasource.name)
    return client


@dataclass(frozen=True)
class Settled:
    """The dashboard as shown at start, and the picks and options it was made for."""

    dashboard: Dashboard
    picks: Mapping[str, Pick]
    options: Mapping[str, tuple[str, ...]]


async def settled(
    dashboard: Dashboard, sources: Datasources, variables: Mapping[str, Pick]
) -> Settled:
    """The picks, with those only the datasource can settle settled, as the dashboard
    does at start (a query_result variable's first option; the options of one a row
    or panel repeats for, when All is picked); then the repeats made for them and
    the titles filled in, as the app shows them. A variable that cannot be settled
    stays unsettled: its panels then say what Prometheus makes of them."""
    asked = await live_variables.at_start(
        dashboard.variables,
        dashboard.variable_values(variables),
        sources.client,
        range_=dashboard.range,
        repeated=repeats.repeats(dashboard),
    )
    picks, options = dict(asked.picks), dict(asked.options)
    expanded = repeats.expand(dashboard, picks, options)
    titles = templating.title_values(dashboard.variables, picks, options, range_=dashboard.range)
    return Settled(templating.titled(expanded, titles), picks, options)


async def filled(
    dashboard: Dashboard,
    sources: Datasources,
    values: Mapping[str, Pick],
    options: Mapping[str, tuple[str, ...]] | None = None,
) -> list[str]:
    """The panels' expressions for `values` (and `options`: what All is), Grafana's
    intervals computed from each datasource's scrape interval: its setting, else
    asked of its targets (only when a query's built-ins need it), else 15 s. No
    chart: DEFAULT_POINTS each."""
    asked = await scrapes.ask_scrape_intervals(sources, timing.unset_scrapes(dashboard, values))
    intervals = timing.query_intervals(dashboard, values, range_=dashboard.range, learned=asked)
    return templating.exprs(dashboard, values, options, intervals=intervals)


async def snapshot(
    dashboard: Dashboard,
    client: PrometheusClient | Datasources,
    variables: Mapping[str, Pick],
    exprs: Sequence[str] | None = None,
) -> list[QueryState]:
    """Every panel's state at one instant, each from its datasource (`exprs`: the
    expressions as `filled` makes them, if made already)."""
    sources = _sources(dashboard, client)
    values = dashboard.variable_values(variables)
    poller = FanOut(
        sources,
        dashboard.queries,
        await filled(dashboard, sources, values) if exprs is None else exprs,
        dashboard.query_datasources(values),
        step=dashboard.refresh,
        range_=dashboard.range,
        alerts=False,
    )
    budget = max(source.timeout for source in sources.values()) + 1
    report = await poller.tick(time.time(), budget=budget)
    await poller.aclose()
    return report.panels


def _json_value(value: float | None) -> float | str | None:
    # JSON has no NaN or Inf: say them as strings, as Prometheus does.
    if value is None or math.isfinite(value):
        return value
    return "NaN" if math.isnan(value) else ("+Inf" if value > 0 else "-Inf")


def _as_json(dashboard: Dashboard, states: list[QueryState], code: int) -> str:
    by_index = {s.index: s for s in states}
    rows = []
    index = 0
    for row in dashboard.rows:
        panels = []
        for panel in row.queries:
            state = by_index.get(index)
            index += 1
            panels.append(
                {
                    "title": panel.title,
                    "unit": panel.unit,
                    "value": _json_value(state.value if state else None),
                    "status": (state.status if state else Status.UNKNOWN).value,
                    "reason": state.reason if state else "no answer in time",
                    "series": [
                        {
                            "name": s.name,
                            "labels": dict(s.labels),
                            "value": _json_value(s.value),
                            "status": s.status.value,
                        }
                        for s in (state.series if state else ())
                    ],
                    "total_series": state.total if state else 0,
                }
            )
        rows.append({"title": row.title, "panels": panels})
    document = {"time": time.time(), "exit_code": code, "rows": rows}
    return json.dumps(document, indent=2)


def _as_table(dashboard: Dashboard, states: list[QueryState]) -> str:
    by_index = {s.index: s for s in states}
    lines = []
    index = 0
    width = max((len(p.title) for p in dashboard.queries), default=10)
    for row in dashboard.rows:
        lines.append(f"== {clean(row.title)}")
        for panel in row.queries:
            state = by_index.get(index)
            index += 1
            if state is None or state.value is None:
                shown = clean(state.reason if state else "no answer in time", 100)
            elif state.total > 1:
                shown = f"{state.total} series"
            else:
                shown = _shown(state.value, panel)
            status = state.status.value if state else "unknown"
            lines.append(f"  {clean(panel.title):<{width}}  {shown:<24} {status}")
            if state is not None and state.total > 1:
                lines += _series_lines(state, panel, width)
    return "\n".join(lines)


def _shown(value: float, panel: Query) -> str:
    number, unit = format_value(value, panel.unit, panel.decimals)
    return f"{number} {unit}".strip()


def _series_lines(state: QueryState, panel: Query, width: int) -> list[str]:
    """A panel of several series: one line each, under the panel's (as its stat
    shows one value each), and how many more there are past those listed."""
    lines = [
        f"    {clean(s.name, 60) or '{}':<{width - 2}}  {_shown(s.value, panel):<24} "
        f"{s.status.value}"
        for s in state.series
    ]
    if state.total > len(state.series):
        lines.append(f"    … {state.total - len(state.series)} more")
    return lines


async def unknown_metrics(client: QueryClient, exprs: Sequence[str]) -> list[str]:
    """The metric names `exprs` select that the server has no series of (one request).

    Empty when nothing can be said: an expression our parser cannot read, or a
    server that will not answer the lookup.
    """
    names: set[str] = set()
    for expr in exprs:
        try:
            names |= metric_names(expr)
        except ValueError:
            continue
    if not names:
        return []
    matchers = [f'{{__name__="{promql_string(name)}"}}' for name in sorted(names)]
    try:
        known = set(await client.label_values("__name__", matchers))
    except PrometheusError:
        return []
    return sorted(names - known)


async def _explain_no_data(
    clients: Sequence[QueryClient], exprs: Sequence[str], states: list[QueryState]
) -> list[QueryState]:
    """A panel without data says which of its metrics its server does not know."""
    explained = []
    for state in states:
        if state.error is None and not state.series and not state.native:
            missing = await unknown_metrics(clients[state.index], [exprs[state.index]])
            if missing:
                state = replace(state, reason=f"no data: {_unknown_text(missing)}")
        explained.append(state)
    return explained


def _unknown_text(missing: Sequence[str]) -> str:
    shown = ", ".join(missing[:5]) + (f" and {len(missing) - 5} more" if len(missing) > 5 else "")
    return f"the server has no series named {shown}"


async def run_once(
    dashboard: Dashboard,
    client: PrometheusClient | Datasources,
    variables: Mapping[str, Pick],
    *,
    as_json: bool = False,
    out: TextIO = sys.stdout,
) -> int:
    """Print every panel once; the exit code is the worst of their states (allintop.cli.exits):
    a panel without a value makes the run UNKNOWN, never OK."""
    sources = _sources(dashboard, client)
    shown = await settled(dashboard, sources, variables)
    dashboard = shown.dashboard
    values = dashboard.variable_values(shown.picks)
    clients = [sources[name] for name in dashboard.query_datasources(values)]
    try:
        exprs = await filled(dashboard, sources, values, shown.options)
        states = await snapshot(dashboard, sources, values, exprs)
        error = server_error(states)
        if error is None:
            states = await _explain_no_data(clients, exprs, states)
    finally:
        await sources.aclose()
    if error is not None:
        # One message, not the same one on every panel.
        print(f"allintop: {error}", file=sys.stderr)
        return EXIT_UNKNOWN
    by_index = {s.index: s for s in states}
    statuses = [
        by_index[i].status if i in by_index else Status.UNKNOWN
        for i in range(len(dashboard.queries))
    ]
    code = exit_code(statuses)
    print(
        _as_json(dashboard, states, code) if as_json else _as_table(dashboard, states),
        file=out,
    )
    return code


@dataclass(frozen=True, slots=True)
class _Checked:
    """One panel's check: what failed ("" when it ran and has data)."""

    panel: Query
    problem: str = ""
    rejected: bool = False


async def _check_panel(client: QueryClient, panel: Query, expr: str) -> _Checked:
    """Run one expression; PrometheusError for a fault of the server's (not the panel's)."""
    try:
        result = await client.query(expr)
    except PrometheusError as exc:
        if server_side(exc):
            raise
        return _Checked(panel, f"{exc}", rejected=True)
    if result.samples:
        return _Checked(panel)
    missing = await unknown_metrics(client, [expr])
    return _Checked(panel, "no data" + (f": {_unknown_text(missing)}" if missing else ""))


async def run_check(
    dashboard: Dashboard,
    client: PrometheusClient | Datasources,
    variables: Mapping[str, Pick],
    out: TextIO = sys.stdout,
) -> int:
    """Evaluate every expr once and report each the server rejects or has no data for.

    Exit 0 when all run and return data, 1 when some return nothing, 2 when some are
    rejected (invalid PromQL, say), 3 when the server cannot be asked.
    """
    sources = _sources(dashboard, client)
    shown = await settled(dashboard, sources, variables)
    dashboard = shown.dashboard
    values = dashboard.variable_values(shown.picks)
    bindings = dashboard.query_datasources(values)
    checked: list[_Checked] = []
    try:
        exprs = await filled(dashboard, sources, values, shown.options)
        for panel, expr, name in zip(dashboard.queries, exprs, bindings, strict=True):
            try:
                checked.append(await _check_panel(sources[name], panel, expr))
            except PrometheusError as exc:
                named = f"{name}: " if len(sources) > 1 else ""
                print(f"allintop: {named}{exc}", file=sys.stderr)
                return EXIT_UNKNOWN
    finally:
        await sources.aclose()
    for result in checked:
        if result.problem:
            # A Grafana JSON's queries have no line (a file of one line, or none).
            line = f":{result.panel.line}" if result.panel.line else ""
            where = f"{dashboard.source}{line}: {clean(result.panel.title)}"
            print(f"{where}: {clean(result.problem, 500)}", file=out)
    rejected = sum(c.rejected for c in checked)
    empty = sum(bool(c.problem) and not c.rejected for c in checked)
    summary = [f"{rejected} rejected"] if rejected else []
    summary += [f"{empty} without data"] if empty else []
    print(
        f"{dashboard.source}: {_queries(len(dashboard.queries))}, "
        + (", ".join(summary) if summary else "all run and return data"),
        file=out,
    )
    if rejected:
        return EXIT_CRITICAL
    return EXIT_WARNING if empty else EXIT_OK


def _queries(count: int) -> str:
    """How many queries were checked (a Grafana panel may have several)."""
    return f"{count} {'query' if count == 1 else 'queries'}"
