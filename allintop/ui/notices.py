"""What the dashboard tells its user besides what it shows: notifications, kept.

`NoticesApp` is Textual's App that keeps what it notified (`notifications`, for
whoever asks later: a test, a screenshot script), shows the notices of the command
line at start, and says when a worker failed rather than let a bug pass unseen.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Sequence

from textual.app import App
from textual.notifications import Notification, SeverityLevel
from textual.worker import Worker, WorkerState

from allintop.values.text import clean

#: Notifications kept in `notifications`, the latest last.
NOTIFICATIONS_KEPT = 100


class NoticesApp(App[None]):
    """An App that keeps its notifications and reports its workers' failures."""

    def __init__(self) -> None:
        super().__init__()
        self.notifications: deque[Notification] = deque(maxlen=NOTIFICATIONS_KEPT)
        """What was notified, the latest last (shown or already gone)."""

    def notify(
        self,
        message: str,
        *,
        title: str = "",
        severity: SeverityLevel = "information",
        timeout: float | None = None,
        markup: bool = True,
    ) -> None:
        """Textual's, and kept in `notifications`."""
        self.notifications.append(Notification(message, title, severity, markup=markup))
        super().notify(message, title=title, severity=severity, timeout=timeout, markup=markup)

    def tell(self, notices: Sequence[str], chosen: str | None) -> None:
        """At start: how the command line was read (`notices`, e.g. a URL fixed up;
        those starting "warning:" as warnings), and why allintop chose the dashboard
        itself (`chosen`), if it did."""
        for notice in notices:
            severity: SeverityLevel = "warning" if notice.startswith("warning:") else "information"
            self.notify(notice, severity=severity, timeout=10, markup=False)
        if chosen:
            self.notify(clean(chosen, 300), title="Dashboard", timeout=30, markup=False)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """A bug in a worker (a poll's, say) must not pass unseen: say so, with no
        traceback; polling goes on, because a poll re-arms its timer whatever
        happens."""
        if event.state is WorkerState.ERROR:
            error = event.worker.error
            self.notify(
                clean(f"internal error in {event.worker.name}: {error!r}", 300),
                title="allintop",
                severity="error",
                timeout=10,
                markup=False,
            )
