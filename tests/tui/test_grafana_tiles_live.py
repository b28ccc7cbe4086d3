"""A node dashboard as it is (the repository's own, and Node Exporter Full of the
public corpus, skipped without it), in the TUI at 200x60, against Debian's node-exporter
scraped by a real Prometheus: the panels of its expanded rows whose metrics the
exporter has show data in their tiles; a collapsed row is not queried until Space
opens it, and then its panels show data too; nothing goes wrong on the way.

What a panel should show is decided as in tests/integration/test_grafana_live.py:
from the server's metric names and each query's parse tree, not from a list; there
each query's value is checked, here that each tile draws data.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import pytest
from textual.pilot import Pilot
from textual.widget import Widget

from allintop.dashboard.loading import load_dashboard
from allintop.demo.configs import NODE_JOB
from allintop.demo.stack import DemoStack
from allintop.live.reports import QueryState
from allintop.sources.prometheus import PrometheusClient
from allintop.ui.app import DashboardApp, make_app
from allintop.ui.row_title import RowTitle
from tests import corpus
from tests.helpers import prom_query
from tests.integration.test_grafana_live import (
    NODE_MIN_SHOWN,
    NODE_VARIABLES,
    GrafanaPanel,
    known_names,
    panels_of,
)
from tests.tui.util import screen_text, wait_for

pytestmark = pytest.mark.stack

SIZE = (200, 60)
Placed = tuple[int, GrafanaPanel, Widget]  # row number, Grafana panel, its tile's widget


def _states(widget: Widget) -> Mapping[int, QueryState]:
    """The states a tile's widget draws, by the offset of the query in its tile: a
    stat card holds its first query's, the other kinds each of theirs."""
    states = getattr(widget, "states", None)
    if states is not None:
        return states
    state = getattr(widget, "state", None)
    return {} if state is None else {0: state}


def _shows(widget: Widget, panel: GrafanaPanel) -> bool:
    """Whether the tile draws data: a series of one of its queries that can have
    some (a chart of 8 of its 9 lines shows data, as Grafana's does; a stat card
    shows its first query only, so that one must have it)."""
    states = _states(widget)
    offsets = [i for i, query in enumerate(panel.queries) if query.expected]
    if not hasattr(widget, "states"):
        offsets = offsets[:1]
    return any(i in states and states[i].series for i in offsets)


def _tiles(app: DashboardApp, grafana: list[GrafanaPanel]) -> list[Placed]:
    """(row number, Grafana panel, its tile's widget), in the dashboard's order: the
    tiles are the Grafana panels one for one, text panels included."""
    views = list(app.board.panels)
    assert len(views) == len(grafana), "a Grafana panel without its tile"
    return [(view.row, panel, view.card) for view, panel in zip(views, grafana, strict=True)]


def _values(stack: DemoStack, name: str) -> dict[str, str]:
    (uname,) = prom_query(stack.prometheus_url, f'node_uname_info{{job="{NODE_JOB}"}}')
    return {var: uname["metric"][label] for var, label in NODE_VARIABLES[name].items()}


def _summary(name: str, tiles: list[Placed]) -> str:
    lines = [name]
    for _, panel, widget in tiles:
        if panel.expected and not _shows(widget, panel):
            states = _states(widget)
            why = "; ".join(
                f"[{panel.queries[i].ref}] {s.reason or s.error or 'no series'}"
                for i, s in sorted(states.items())
                if not s.series
            )
            lines.append(f"  NO DATA  {panel.place}: {why or 'not asked'}")
    return "\n".join(lines)


def _enough(group: list[Placed]) -> bool:
    shown = sum(_shows(widget, panel) for _, panel, widget in group)
    return shown >= NODE_MIN_SHOWN * len(group)


async def _wait_shown(pilot: Pilot, group: list[Placed], name: str, within: float) -> None:
    """Until NODE_MIN_SHOWN of the group's panels show data; else fail, saying which
    do not and why, as they are at the end."""
    try:
        await wait_for(pilot, lambda: _enough(group), within)
    except AssertionError:
        raise AssertionError(_summary(name, group)) from None


@pytest.mark.parametrize("name", list(NODE_VARIABLES))
async def test_node_exporter_full_in_the_tui(node_stack: DemoStack, name: str) -> None:
    path: Path = corpus.dashboard(name)
    url = node_stack.prometheus_url
    values = _values(node_stack, name)
    grafana = panels_of(path, values, known_names(url, NODE_JOB))
    dashboard = load_dashboard(path)
    # Every 5 s rather than the file's minute: the test needs no minute-old grid.
    app = make_app(dashboard, PrometheusClient(url), variables=values, refresh=5.0)
    async with app.run_test(size=SIZE) as pilot:
        tiles = _tiles(app, grafana)
        expanded = [t for t in tiles if not dashboard.rows[t[0]].collapsed and t[1].expected]
        assert len(expanded) >= 10, "the file's expanded rows hold its quick look"

        await _wait_shown(pilot, expanded, name, 40)

        # A collapsed row: none of its panels asked, until Space opens it.
        row = next(
            number
            for number, r in enumerate(dashboard.rows)
            if r.collapsed and any(t[0] == number and t[1].expected for t in tiles)
        )
        inside = [t for t in tiles if t[0] == row and t[1].expected]
        assert not any(_states(widget) for _, _, widget in inside), "a collapsed row was queried"
        title = next(t for t in app.query(RowTitle) if t.row == row)
        title.focus()
        await pilot.press("space")
        await _wait_shown(pilot, inside, name, 30)
        assert f"▾ {dashboard.rows[row].title}" in screen_text(app)

        await pilot.press("end")
        board = app.board
        await wait_for(pilot, lambda: board.scroll_y >= board.max_scroll_y, what="the end")
        await pilot.pause()
        assert "internal error" not in screen_text(app)
        assert not [n for n in app.notifications if n.severity == "error"]
