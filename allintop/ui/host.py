"""What the app's parts (polling, reloading, switching contexts) ask of the app they
run in, besides what each reads of it: to run their workers, to tell the user. Each
part types the app as a Protocol built on these, so none imports the app."""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any, Protocol

from textual.notifications import SeverityLevel
from textual.worker import Worker

Work = Callable[[], Coroutine[Any, Any, None]]
"""A worker's work: an async function, called in the worker."""


class RunsWorkers(Protocol):
    """An app that runs workers (Textual's `run_worker`)."""

    def run_worker(
        self, work: Work, *, name: str, group: str, exit_on_error: bool, exclusive: bool = ...
    ) -> Worker[None]: ...


class Notifies(Protocol):
    """An app that tells its user things (Textual's `notify`)."""

    def notify(
        self,
        message: str,
        *,
        title: str = ...,
        severity: SeverityLevel = ...,
        timeout: float | None = ...,
        markup: bool = ...,
    ) -> None: ...
