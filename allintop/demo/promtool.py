"""promtool: the backend's past traffic imported into Prometheus' storage.

The backend writes the history (allintop.demo.history) as OpenMetrics text; promtool
turns it into TSDB blocks in the data dir before Prometheus opens it, so the
dashboard has a full range to draw at once.
"""

from __future__ import annotations

import subprocess
import time
from pathlib import Path

from allintop.demo.children import start_child, stop_children
from allintop.errors import SetupError


def import_history(promtool: str, history: Path, data: Path, log: Path, deadline: float) -> None:
    """Import `history` into the TSDB at `data` (SetupError, with promtool's log, if it
    fails or is not done by `deadline`, a monotonic time); `history` is removed."""
    command = [promtool, "tsdb", "create-blocks-from", "openmetrics", "--quiet"]
    command += [str(history), str(data)]
    child = start_child("promtool", command, log)
    try:
        child.process.wait(max(1.0, deadline - time.monotonic()))
    except subprocess.TimeoutExpired:
        stop_children([child])
        raise SetupError(
            f"promtool timed out importing the demo history:\n{child.log_tail()}"
        ) from None
    except BaseException:  # e.g. Ctrl-C: promtool is not tracked by the stack's stop()
        stop_children([child])
        raise
    finally:
        history.unlink(missing_ok=True)  # ~15 MB of text, no longer needed
    if child.process.returncode != 0:
        raise SetupError(f"promtool failed to import the demo history:\n{child.log_tail()}")
