"""Talking to servers: connection settings, the Prometheus and Alertmanager clients on
one HTTP base, the pure decoding of what they answer into plain dataclasses (answers),
the Protocols the live dashboard asks of a client, and Grafana's HTTP API."""

import sys
from types import ModuleType
from typing import cast

# httpx's package imports its command line (`httpx._main`: click, pygments and Rich's
# progress bars and syntax highlighting) whenever click happens to be installed, about
# a quarter of allintop's own start-up imports, for a CLI allintop never runs. httpx
# guards that import and falls back to a stub when it fails (its CLI extras not
# installed); a None entry in sys.modules is Python's documented way to make an import
# fail, so httpx takes that same fallback. Only if httpx is not imported yet (after,
# it changes nothing) and only for the CLI module; allintop/demo imports httpx after
# this package too.
if "httpx" not in sys.modules:
    # (typeshed's sys.modules has no room for the None that Python's import allows)
    cast(dict[str, ModuleType | None], sys.modules).setdefault("httpx._main", None)
