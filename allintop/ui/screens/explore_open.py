"""What Explore is opened with (by allintop.ui.screens.explore.open_explore), read
from the running dashboard: `e` (an empty prompt) or `E` (the focused panel's query,
its variables filled in), the datasource (the focused panel's, else the default),
the range and series cap of the dashboard, and the panels.yaml that `ctrl+s` may
append to."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from allintop.dashboard.datasource import DatasourceSet
from allintop.dashboard.explore_panels import refusal
from allintop.dashboard.model import Dashboard
from allintop.live.datasources import Datasources
from allintop.live.fanout import FanOut
from allintop.live.queries import Queries
from allintop.promql.tokens import one_line
from allintop.sources.protocols import QueryClient
from allintop.ui.board import Board


class ExploreHost(Protocol):
    """The dashboard app, as Explore reads it."""

    board: Board
    queries: Queries
    datasources: Datasources
    explore_to: Path | None

    @property
    def dashboard(self) -> Dashboard: ...

    @property
    def poller(self) -> FanOut: ...


@dataclass(frozen=True)
class ExploreSetup:
    """Explore's starting point.

    Args:
        client: the datasource's client the queries go to.
        datasource: its name.
        default: whether it is the dashboard's default (a panel saved then names none).
        range_: the dashboard's time range, in seconds.
        cap: the dashboard's series cap.
        query: the text the prompt starts with.
        write_to: the panels.yaml that ctrl+s appends to (None: none may be written).
        refused: why none may be written, when none may.
        datasources: the dashboard's datasources, to check the file written with.
    """

    client: QueryClient
    datasource: str
    default: bool
    range_: float
    cap: int
    query: str = ""
    write_to: Path | None = None
    refused: str | None = None
    datasources: DatasourceSet | None = None


def setup_of(
    host: ExploreHost, *, panel_query: bool, index: int | None = None
) -> ExploreSetup | None:
    """Explore's setup from the dashboard now, on the query `index` (None: the focused
    panel's first); None for `E` with no panel focused (or a panel without a query:
    a text panel)."""
    if index is None:
        focused = host.board.focused_panel()
        index = focused.indexes.start if focused is not None and focused.indexes else None
    if panel_query and index is None:
        return None
    sources = host.datasources
    name = sources.default
    bindings = host.queries.bindings
    if index is not None and index < len(bindings) and bindings[index] in sources:
        name = bindings[index]
    query = host.queries.exprs[index] if panel_query and index is not None else ""
    query = one_line(query) if "\n" in query else query  # the prompt is one line
    dashboard = host.dashboard
    write_to = host.explore_to or dashboard.source_path
    why = refusal(write_to)
    # The dashboard's own datasources check a panel added to its own file; a file of
    # -o's is checked on its own.
    checked = dashboard.datasource_set if write_to == dashboard.source_path else None
    return ExploreSetup(
        client=sources[name],
        datasource=name,
        default=name == sources.default,
        range_=host.queries.range,
        cap=host.poller.max_series,
        query=query,
        write_to=write_to if why is None else None,
        refused=why,
        datasources=checked,
    )
