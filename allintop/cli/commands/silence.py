"""`allintop silence add|ls|expire`: Alertmanager's silences for scripts.

Exit codes: 0 done, 2 Alertmanager refused (a 400 or 403, its message shown),
3 unreachable, 64 a bad command line, 69 no Alertmanager configured. `add` prints
the new silence's id on stdout (so a script can expire it later) and, on stderr,
what it silences now, or a warning when its matchers match no current alert (the
silence is still made: the alert may not fire yet).
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from collections.abc import Mapping

from allintop.cli.exits import EXIT_CRITICAL, EXIT_OK, EXIT_SETUP, EXIT_UNKNOWN
from allintop.cli.setup import Launch, alertmanager_only
from allintop.errors import ConfigError, HTTPStatusError, PrometheusError
from allintop.live.silencing import (
    covered,
    default_author,
    ends_at,
    format_matcher,
    parse_matcher,
    problems,
    silence_note,
    when,
)
from allintop.sources.alertmanager import AlertmanagerClient, SilenceRefused
from allintop.sources.answers import Alert, Silence
from allintop.sources.prometheus import PrometheusClient
from allintop.values.text import clean

NO_ALERTMANAGER = (
    "no Alertmanager configured: give --alertmanager URL, or alertmanager: under the "
    "datasource in panels.yaml (or the context's datasource in config.yaml)"
)


def run(args: argparse.Namespace, environ: Mapping[str, str]) -> int:
    launch = alertmanager_only(args, environ)
    for notice in launch.notices:
        print(f"allintop: {notice}", file=sys.stderr)
    if launch.alertmanager is None:
        print(f"allintop: {NO_ALERTMANAGER}", file=sys.stderr)
        return EXIT_SETUP
    draft = _draft(args, environ) if args.silence_action == "add" else None
    try:
        return asyncio.run(_act(args, launch, draft))
    except PrometheusError as failed:
        print(f"allintop: Alertmanager: {failed}", file=sys.stderr)
        return EXIT_CRITICAL if _refused(failed) else EXIT_UNKNOWN


def _refused(error: PrometheusError) -> bool:
    """Alertmanager answered, and said no (a write refused, or a read it forbids)."""
    if isinstance(error, SilenceRefused):
        return True
    return isinstance(error, HTTPStatusError) and 400 <= error.status < 500


def _draft(args: argparse.Namespace, environ: Mapping[str, str]) -> Silence:
    """The silence `add` asks for; a ConfigError (exit 64) for what is wrong in it."""
    now = time.time()
    try:
        matchers = tuple(parse_matcher(text) for text in args.matchers)
        end = ends_at(args.duration, now)
    except ValueError as error:
        raise ConfigError(str(error), hint="see 'allintop silence add --help'") from None
    author = args.author or default_author(environ)
    draft = Silence("", matchers, author, args.comment, end, "", now)
    wrong = problems(draft, now)
    if wrong:
        hint = "give --author NAME ($USER is not set)" if not author else None
        raise ConfigError("; ".join(wrong), hint=hint)
    return draft


async def _act(args: argparse.Namespace, launch: Launch, draft: Silence | None) -> int:
    settings = launch.alertmanager
    assert settings is not None  # checked by run()
    async with AlertmanagerClient(settings) as client:
        if draft is not None:
            return await _add(client, launch, draft)
        if args.silence_action == "ls":
            return await _list(client, show_all=args.all)
        await client.expire_silence(args.id)
        print(f"expired {clean(args.id)}", file=sys.stderr)
        return EXIT_OK


async def _add(client: AlertmanagerClient, launch: Launch, draft: Silence) -> int:
    found = await _current(launch)
    silence_id = await client.create_silence(draft)
    print(silence_id)
    matchers = ", ".join(clean(format_matcher(m)) for m in draft.matchers)
    print(f"allintop: silenced {matchers} {silence_note(draft, time.time())}", file=sys.stderr)
    if isinstance(found, str):
        print(f"allintop: cannot tell what it silences now: {found}", file=sys.stderr)
        return EXIT_OK
    matched = covered(draft.matchers, found[0], found[1])
    if not matched:
        print(
            "allintop: warning: it matches no alert firing or pending now "
            "(it will silence those that match later)",
            file=sys.stderr,
        )
    else:
        names = sorted({a.name for a in matched})
        print(
            f"allintop: it silences {len(matched)} current alert(s): {clean(', '.join(names))}",
            file=sys.stderr,
        )
    return EXIT_OK


async def _current(launch: Launch) -> tuple[tuple[Alert, ...], dict[str, str]] | str:
    """Prometheus' firing and pending alerts and its external labels; why not, as text."""
    async with PrometheusClient(launch.connection) as prometheus:
        try:
            return await prometheus.alerts(), await prometheus.external_labels()
        except PrometheusError as error:
            return clean(error.message, 200)


async def _list(client: AlertmanagerClient, *, show_all: bool) -> int:
    now = time.time()
    order = {"active": 0, "pending": 1, "expired": 2}
    shown = sorted(
        (s for s in await client.all_silences() if show_all or s.state != "expired"),
        key=lambda s: (order.get(s.state, 3), s.ends_at or 0),
    )
    rows = [("ID", "STATE", "ENDS", "CREATED BY", "MATCHERS", "COMMENT")]
    for silence in shown:
        matchers = ", ".join(format_matcher(m) for m in silence.matchers)
        rows.append(
            (
                silence.id,
                silence.state,
                when(silence.ends_at, now),
                clean(silence.created_by, 30),
                clean(matchers, 120),
                clean(silence.comment, 80),
            )
        )
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]) - 1)]
    for row in rows:
        padded = [cell.ljust(width) for cell, width in zip(row, widths, strict=False)]
        print("  ".join([*padded, row[-1]]))
    return EXIT_OK
