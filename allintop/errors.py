"""The error hierarchy: every error a user can see carries a message and a hint.

The errors of a request to Prometheus live here too, not in the httpx client: the
poller and the screens handle them without importing the network layer.
"""

from __future__ import annotations

import re


class AllintopError(Exception):
    """An error meant for the user: `message` says what went wrong, `hint` what to do."""

    title = "Error"

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return self.message if not self.hint else f"{self.message}\n  hint: {self.hint}"


class ConfigError(AllintopError):
    """panels.yaml (or a command-line value) is wrong; fatal, exit code 2."""

    title = "Configuration error"


class SetupError(AllintopError):
    """Something the command needs is missing from this machine (e.g. a prometheus binary)."""

    title = "Setup error"


# --- a request to Prometheus (or a server speaking its API) -------------------------


class PrometheusError(AllintopError):
    """A request to Prometheus failed. `short` is the few words a panel has room for."""

    title = "Prometheus error"
    short = "error"

    @property
    def headline(self) -> str:
        """What failed, in a panel's value line: "timeout", "HTTP 502"; the cause
        goes on the line below."""
        return self.short

    @property
    def cause(self) -> str:
        """Why it failed, for the line under the headline."""
        return self.message


def from_datasource(error: PrometheusError, name: str) -> PrometheusError:
    """The same error, its message saying which datasource it came from (when a
    dashboard has several)."""
    # Not copy.copy: it rebuilds an exception from its args, which are not what
    # HTTPStatusError's or QueryError's __init__ takes.
    kind = type(error)
    named = kind.__new__(kind)
    named.__dict__.update(vars(error))
    named.message = f"{name}: {error.message}"
    named.args = (named.message,)
    named.__cause__ = error.__cause__
    return named


class Unreachable(PrometheusError):
    title = "Prometheus unreachable"
    short = "unreachable"


class RequestTimeout(PrometheusError):
    title = "Prometheus timeout"
    short = "timeout"


class HTTPStatusError(PrometheusError):
    title = "HTTP error"

    def __init__(self, status: int, message: str, hint: str | None = None) -> None:
        super().__init__(message, hint)
        self.status = status
        self.short = f"HTTP {status}"


class QueryError(PrometheusError):
    """Prometheus answered with `status: error`: a bad expression, a timeout, too many samples."""

    title = "Query error"

    def __init__(self, error_type: str, error: str, status: int) -> None:
        super().__init__(f"{error_type}: {error}" if error_type else error)
        self.error_type = error_type
        self.error = error
        self.status = status
        self.short = "query error"

    @property
    def headline(self) -> str:
        """ "query error: bad_data": the kind of error Prometheus named, if any."""
        return f"{self.short}: {self.error_type}" if self.error_type else self.short

    @property
    def cause(self) -> str:
        return self.error

    @property
    def position(self) -> tuple[int, int] | None:
        """(line, column), both from 1, of a parse error in the expression, as
        Prometheus reports it ("1:18: parse error: unclosed left parenthesis")."""
        found = _PARSE_POSITION.search(self.error)
        return (int(found[1]), int(found[2])) if found else None


# Prometheus' parse errors start with the position; this reads its message, not PromQL.
_PARSE_POSITION = re.compile(r"\b(\d+):(\d+): parse error")


class BadResponse(PrometheusError):
    """The server answered, but not with Prometheus API JSON."""

    title = "Bad answer"
    short = "bad answer"


class TooLarge(BadResponse):
    """The answer grew past the size the caller allowed; it was not read further."""

    short = "too large"


class BadResult(QueryError):
    """The query ran, but its result cannot be shown (a range vector on a panel)."""

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__("", message, 200)
        self.hint = hint
        self.short = "range vector"
