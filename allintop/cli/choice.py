"""Which dashboard to show when no config was given at all.

The bundled default is the AllIN overview. On someone else's Prometheus every one of
its panels says "no data", so when the server has none of the metrics it reads, the
generic Prometheus overview is shown instead, trimmed to what the server has (a
panel that reads a metric the server has never had cannot show anything), and the
user is told which dashboard this is and how to pick another.

One cheap question decides it: the label values of __name__, restricted to the
metrics the two dashboards read (an index lookup, no samples read). If the server
cannot be asked, the AllIN overview stays; the dashboard then says why.

`choose` is pure (the trimming: allintop.dashboard.trimming); `pick` asks the server
and is what `once` and `check` call. The live dashboard does not wait for the answer
before it starts: it gets `later`'s question and asks it as its first work, its frame
already on screen (allintop.ui.app), so the round trip overlaps Textual's start.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import sys
from collections.abc import Callable, Coroutine, Iterable, Mapping
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from allintop.dashboard.loading import (
    CONFIG_ENV,
    GENERIC_NAME,
    bundled_path,
    discover,
    load_dashboard,
)
from allintop.dashboard.model import Dashboard
from allintop.dashboard.trimming import metric_names, trim
from allintop.errors import AllintopError

if TYPE_CHECKING:
    from allintop.sources.prometheus import PrometheusClient

PROBE_TIMEOUT = 3.0  # seconds: a slow answer must not hold up the dashboard's start

ClientFactory = Callable[[], "PrometheusClient"]
#: The choice as a question the app asks once it runs: the dashboard to show.
Chooser = Callable[[], Coroutine[Any, Any, Dashboard]]


def name_selector(names: Iterable[str]) -> str:
    """A series selector for exactly these metric names (escaped for the regex, then
    quoted as a PromQL string, which follows JSON's escapes for \\ and ")."""
    pattern = "|".join(re.escape(name) for name in sorted(names))
    return f"{{__name__=~{json.dumps(pattern)}}}"


def choose(
    default: Dashboard, generic: Dashboard, known: frozenset[str] | None, host: str
) -> Dashboard:
    """The default (AllIN) dashboard if the server has any of its metrics or could not
    be asked (`known` None); else the generic one, trimmed, with a notice saying so."""
    if known is None or metric_names(default) & known:
        return default
    notice = (
        f"{host} has none of the AllIN metrics: showing the generic Prometheus overview "
        f"(without panels whose metrics it lacks). Pick a dashboard with -c FILE or "
        f"${CONFIG_ENV}; -c allin-overview for the AllIN one."
    )
    return replace(trim(generic, known), notice=notice)


async def known_metrics(client: PrometheusClient, names: Iterable[str]) -> frozenset[str] | None:
    """Which of `names` the server has series of; None if it cannot tell us in time."""
    try:
        async with asyncio.timeout(PROBE_TIMEOUT):
            found = await client.label_values("__name__", match=name_selector(names))
    except (AllintopError, TimeoutError):
        return None
    return frozenset(found)


def pick(
    dashboard: Dashboard,
    explicit: str | None,
    environ: Mapping[str, str],
    make_client: ClientFactory,
    announce: Callable[[str], None] | None = None,
    cwd: Path | None = None,
    home: Path | None = None,
) -> Dashboard:
    """What the CLI shows: `dashboard` as loaded, unless no config was given at all
    (`explicit` is -c; discovery as in discover) and the server has none of its
    metrics (see `choose`). The choice is announced (default: a line on stderr)."""
    ask = later(dashboard, explicit, environ, make_client, cwd, home)
    if ask is None:
        return dashboard
    chosen = asyncio.run(ask())
    if chosen.notice is not None:
        (announce or _to_stderr)(chosen.notice)
    return chosen


def later(
    dashboard: Dashboard,
    explicit: str | None,
    environ: Mapping[str, str],
    make_client: ClientFactory,
    cwd: Path | None = None,
    home: Path | None = None,
) -> Chooser | None:
    """The choice `pick` makes, as a question to ask later (in the app's event loop);
    None when there is no choice to make (a config was found: `dashboard` it is).
    The dashboard it answers is on the datasources `dashboard` was resolved on: the
    bundled two name the same one, "default"."""
    cwd = Path.cwd() if cwd is None else cwd
    home = Path(os.path.expanduser("~")) if home is None else home
    if discover(explicit, environ, cwd, home) is not None:
        return None

    async def ask() -> Dashboard:
        # On a context's datasources, as the default dashboard was.
        given = dashboard.datasource_set if dashboard.context is not None else None
        generic = load_dashboard(bundled_path(GENERIC_NAME), given)
        generic = replace(generic, context=dashboard.context)
        client = make_client()
        async with client:
            names = metric_names(dashboard) | metric_names(generic)
            known = await known_metrics(client, names)
        return choose(dashboard, generic, known, client.host)

    return ask


def _to_stderr(notice: str) -> None:
    print(f"allintop: {notice}", file=sys.stderr)
