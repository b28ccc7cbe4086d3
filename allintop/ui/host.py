"""What the app's helpers (reload, switching) ask of the app besides their own state:
to tell the user something, and to run work in a worker."""

from __future__ import annotations

from collections.abc import Coroutine
from typing import Any, Protocol

from textual.notifications import SeverityLevel
from textual.worker import Worker


class Host(Protocol):
    """The app as its helpers use it: notifications and workers (Textual's own calls)."""

    def notify(
        self,
        message: str,
        *,
        title: str = ...,
        severity: SeverityLevel = ...,
        timeout: float | None = ...,
        markup: bool = ...,
    ) -> None: ...

    def run_worker(
        self,
        work: Coroutine[Any, Any, None],
        *,
        name: str,
        group: str,
        exit_on_error: bool,
        exclusive: bool = ...,
    ) -> Worker[None]: ...
