"""Secret files (tokens, passwords, private keys): read one way wherever they are named.

A secret file must exist, be UTF-8 text (keys excepted) and not be empty. One that
others can read still works, with a warning, as ssh warns about a private key: the
secret is only as private as the file. No network or UI imports.
"""

from __future__ import annotations

import stat
from pathlib import Path

from allintop.errors import ConfigError


def read_secret_file(path: Path, what: str) -> str:
    """The secret in `path` without its trailing newline; ConfigError when it cannot be."""
    try:
        # Token files usually end with a newline that is not part of the secret.
        secret = path.read_text(encoding="utf-8").strip()
    except (OSError, UnicodeDecodeError) as error:
        reason = getattr(error, "strerror", None) or "not UTF-8 text"
        raise ConfigError(
            f"cannot read the {what} file {path}: {reason}",
            hint="check the path and its permissions",
        ) from None
    if not secret:
        raise ConfigError(f"the {what} file {path} is empty")
    return secret


def exposure_warning(path: Path, what: str) -> str | None:
    """A warning when users other than the owner can read the secret `path`."""
    try:
        mode = path.stat().st_mode
    except OSError:
        return None  # reading it reports the problem
    if not mode & (stat.S_IRGRP | stat.S_IROTH):
        return None
    return (
        f"warning: the {what} file {path} is readable by other users "
        f"(mode {stat.S_IMODE(mode):04o}); chmod 600 {path}"
    )


def config_warning(path: Path) -> str | None:
    """A warning when users other than the owner can change the config `path`.

    panels.yaml holds no secret (auth names a variable or a file), so others may read
    it; but whoever can edit it can point allintop, and the credentials it sends, at a
    server of their own.
    """
    try:
        mode = path.stat().st_mode
    except OSError:
        return None
    if not mode & (stat.S_IWGRP | stat.S_IWOTH):
        return None
    return (
        f"warning: the config {path} is writable by other users "
        f"(mode {stat.S_IMODE(mode):04o}), who could send your credentials elsewhere; "
        f"chmod go-w {path}"
    )
