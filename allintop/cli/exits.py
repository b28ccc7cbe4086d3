"""Exit codes, monitoring-plugin style, so `once` and `check` plug into Nagios, Icinga,
cron and scripts as they are.

A run that could not tell the state is never OK: no answer, or any panel without a
value, is UNKNOWN. Between states, CRITICAL outranks UNKNOWN, which outranks WARNING
(what Icinga and check_multi do when they combine results).
"""

from __future__ import annotations

from allintop.values.thresholds import Status

EXIT_OK = 0
EXIT_WARNING = 1
EXIT_CRITICAL = 2
EXIT_UNKNOWN = 3
#: A bad command line or configuration (sysexits' EX_USAGE).
EXIT_USAGE = 64
#: Something the command needs is not installed (sysexits' EX_UNAVAILABLE).
EXIT_SETUP = 69
#: The reader of our output went away (128 + SIGPIPE, as a shell says of a process
#: a broken pipe ended).
EXIT_BROKEN_PIPE = 141

_CODES = {
    Status.OK: EXIT_OK,
    Status.WARNING: EXIT_WARNING,
    Status.CRITICAL: EXIT_CRITICAL,
    Status.UNKNOWN: EXIT_UNKNOWN,
}
_RANK = {EXIT_OK: 0, EXIT_WARNING: 1, EXIT_UNKNOWN: 2, EXIT_CRITICAL: 3}


def exit_code(statuses: list[Status]) -> int:
    """The code for a set of panel statuses; no panels at all is UNKNOWN too."""
    if not statuses:
        return EXIT_UNKNOWN
    return max((_CODES[s] for s in statuses), key=_RANK.__getitem__)
