"""What the screens and cards may read of the running dashboard.

The app satisfies these Protocols; screens, cards and the zoom type against them, so
none of them imports the app (and the app can import all of them). A test can hand
them anything with the same members.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Protocol, cast, runtime_checkable

from allintop.live.history import QueryHistory
from allintop.live.state import DashboardState
from allintop.sources.protocols import Silencer


class PollerView(Protocol):
    """The history's time grid, as the zoom chart needs it."""

    @property
    def bucket(self) -> float:
        """Seconds per history bucket."""
        ...

    @property
    def capacity(self) -> int:
        """Buckets kept: the range at the history's resolution."""
        ...

    @property
    def range(self) -> float:
        """The time range shown, in seconds."""
        ...

    @property
    def step(self) -> float:
        """Seconds between polls."""
        ...


@runtime_checkable
class DashboardView(Protocol):
    """The running dashboard, read-only: its state, each panel's history, its clock
    and its poller's time grid."""

    @property
    def state(self) -> DashboardState:
        """What the dashboard knows now (panels, alerts, rules, targets, health)."""
        ...

    def history_of(self, index: int) -> QueryHistory | None:
        """Panel `index`'s per-series history (None: none kept)."""
        ...

    def clock(self) -> float:
        """The wall clock the dashboard runs on (tests freeze it)."""
        ...

    paused: bool
    """Whether polling is paused (`p`): what is shown is not being refreshed."""

    @property
    def poller(self) -> PollerView: ...


class Server(Protocol):
    """A datasource's client, as the targets screen lists it."""

    @property
    def host(self) -> str:
        """host:port."""
        ...


class SourcesView(DashboardView, Protocol):
    """A dashboard that also names the servers it queries: what the alerts and targets
    screens title themselves with and list."""

    @property
    def datasources_shown(self) -> str:
        """The context and the datasource(s) the panels query, as the header names them."""
        ...

    @property
    def datasources(self) -> Mapping[str, Server]:
        """Every datasource's client, by name."""
        ...

    def alertmanager_of(self, datasource: str) -> Silencer | None:
        """The Alertmanager client of the datasource `datasource` ("": the default's),
        for silences (None: that datasource names none)."""
        ...


_VIEWS: dict[type, bool] = {}  # by the app's class: whether it is a DashboardView


def view_of(app: object) -> DashboardView | None:
    """`app` as a DashboardView, if it is one (a card drawn in another app is not).
    Asked by every card at every tick: a Protocol's isinstance reads each of its
    members, so it is asked once per class."""
    kind = type(app)
    if kind not in _VIEWS:
        _VIEWS[kind] = isinstance(app, DashboardView)
    return cast(DashboardView, app) if _VIEWS[kind] else None
