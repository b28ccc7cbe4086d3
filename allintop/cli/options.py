"""The command line's values, each checked before anything starts.

The parser gives strings; these are the durations, variables, headers, credentials
and files they stand for. A value that cannot be used is a ConfigError naming the
option (exit code 64), raised before any server is asked or any process started.
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from allintop.dashboard.credentials import read_secret_file
from allintop.dashboard.model import Pick
from allintop.errors import ConfigError
from allintop.sources.connection import Auth, TLSFiles
from allintop.values.durations import parse_duration


@dataclass(frozen=True)
class Options:
    """What the command line says, checked.

    `auth` and `tls` are the command line's own: they override the config's for the
    default datasource (and, with --grafana, are Grafana's).
    """

    variables: Mapping[str, Pick]
    headers: Mapping[str, str]
    refresh: float | None
    range_: float | None
    timeout: float | None
    alert_for: float | None
    auth: Auth
    tls: TLSFiles
    token_file: Path | None
    """--bearer-token-file, for the warning when others can read it."""

    @classmethod
    def read(cls, args: argparse.Namespace, environ: Mapping[str, str]) -> Options:
        """The parsed command line's values; ConfigError for the first that is wrong."""
        return cls(
            variables=variables(args.var),
            headers=headers(args.header),
            refresh=duration(args.refresh, "--refresh"),
            range_=duration(args.range_, "--range"),
            timeout=duration(args.timeout, "--timeout"),
            alert_for=duration(getattr(args, "alert_for", None), "--alert-for"),
            auth=_auth(args, environ),
            tls=TLSFiles(
                ca_file=_path(args.ca_file),
                cert_file=_path(args.cert_file),
                key_file=_path(args.key_file),
                insecure=bool(args.insecure),
            ),
            token_file=Path(args.bearer_token_file) if args.bearer_token_file else None,
        )


def variables(pairs: Sequence[str]) -> dict[str, Pick]:
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


def headers(pairs: Sequence[str]) -> dict[str, str]:
    """--header 'Name: value' pairs, by name."""
    out = {}
    for pair in pairs:
        name, sep, value = pair.partition(":")
        if not sep or not name.strip():
            raise ConfigError(f"--header {pair!r} is not 'Name: value'")
        out[name.strip()] = value.strip()
    return out


def duration(text: str | None, option: str) -> float | None:
    """A duration option's seconds (more than zero); None when it was not given."""
    if text is None:
        return None
    try:
        seconds = parse_duration(text)
    except ValueError as exc:
        raise ConfigError(f"{option} {text!r}: {exc}", hint="e.g. 5s, 1m, 15m, 1h") from exc
    if seconds <= 0:
        raise ConfigError(f"{option} must be more than zero")
    return seconds


def screenshot(path: Path | None) -> Path | None:
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


def _auth(args: argparse.Namespace, environ: Mapping[str, str]) -> Auth:
    if args.bearer_token_file:
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


def _path(option: str | None) -> Path | None:
    return Path(option).expanduser() if option else None
