"""Repeated rows and panels on the fake Prometheus: a copy per value picked, each
showing its own value, made again when the pick changes on the `/` screen."""

from __future__ import annotations

import json
from pathlib import Path

from textual.widgets import SelectionList

from allintop.ui.screens.variables import VariablesScreen
from tests.fast.fakeapp import advance, make, settle
from tests.tui.util import screen_text, wait_for

REPEATED = json.dumps(
    {
        "title": "Repeats",
        "refresh": "1m",
        "time": {"from": "now-5m", "to": "now"},
        "templating": {
            "list": [
                {
                    "name": "route",
                    "type": "custom",
                    "query": "/,/api,/login",
                    "multi": True,
                    "current": {"text": ["/", "/api"], "value": ["/", "/api"]},
                }
            ]
        },
        "panels": [
            {"type": "row", "title": "Routes", "gridPos": {"x": 0, "y": 0, "w": 24, "h": 1}},
            {
                "type": "stat",
                "title": "Success of $route",
                "gridPos": {"x": 0, "y": 1, "w": 8, "h": 4},
                "repeat": "route",
                "repeatDirection": "h",
                "fieldConfig": {"defaults": {"unit": "percent"}},
                "targets": [{"refId": "A", "expr": 'route:success_ratio:percent{route="$route"}'}],
            },
            {
                "type": "stat",
                "title": "Below",
                "gridPos": {"x": 0, "y": 5, "w": 24, "h": 3},
                "targets": [{"refId": "A", "expr": "service:queue_depth"}],
            },
        ],
    }
)


async def test_a_repeated_panel_has_a_copy_per_value_side_by_side(tmp_path: Path) -> None:
    app, _, clock = make(tmp_path, text=REPEATED)
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot, app)
        titles = [panel.title for panel in app.board.panels]
        assert titles == ["Success of /", "Success of /api", "Below"]
        first, second, below = (panel.card.region for panel in app.board.panels)
        # Side by side, each half the width (24/2 columns), the panel below under them.
        assert first.y == second.y and second.x == first.right and below.y >= first.bottom
        assert abs(first.width - second.width) <= 1 and first.width >= 55
        # Each copy asks its own route (the fake Prometheus has no regex matchers, so
        # the query says route="$route"): its value, one series, no "+2".
        text = screen_text(app)
        assert "99.95 %" in text and "99.9 %" in text and "+2" not in text

        await pilot.press("slash")
        screen = app.screen
        assert isinstance(screen, VariablesScreen)
        routes = screen.query_one("#var-route", SelectionList)
        routes.select("/login")
        await wait_for(
            pilot,
            lambda: app.queries.variables["route"] == ("/", "/api", "/login"),
            what="the pick",
        )
        await pilot.press("escape")
        await wait_for(pilot, lambda: len(app.board.panels) == 4, what="a third copy")
        await advance(pilot, app, clock)
        assert [p.title for p in app.board.panels][:3] == [
            "Success of /",
            "Success of /api",
            "Success of /login",
        ]
        assert "Success of /login" in screen_text(app)
        assert "99.7 %" in screen_text(app)  # the new copy asks its own route


ROWS_PER_ROUTE = json.dumps(
    {
        "title": "Rows per route",
        "refresh": "1m",
        "time": {"from": "now-5m", "to": "now"},
        "templating": {
            "list": [
                {
                    "name": "route",
                    "type": "query",
                    "query": "label_values(route:success_ratio:percent, route)",
                    "multi": True,
                    "includeAll": True,
                    "current": {"text": ["All"], "value": ["$__all"]},
                }
            ]
        },
        "panels": [
            {
                "type": "row",
                "title": "Route $route",
                "repeat": "route",
                "gridPos": {"x": 0, "y": 0, "w": 24, "h": 1},
            },
            {
                "type": "stat",
                "title": "Success",
                "gridPos": {"x": 0, "y": 1, "w": 12, "h": 3},
                "fieldConfig": {"defaults": {"unit": "percent"}},
                "targets": [{"refId": "A", "expr": 'route:success_ratio:percent{route="$route"}'}],
            },
        ],
    }
)


async def test_a_row_repeated_over_all_is_a_row_per_option_asked_at_start(
    tmp_path: Path,
) -> None:
    app, _, _ = make(tmp_path, text=ROWS_PER_ROUTE)
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for(pilot, lambda: len(app.board.panels) == 3, what="a row per route")
        await settle(pilot, app)
        text = screen_text(app)
        assert all(f"Route {route}" in text for route in ("/", "/api", "/login"))
        assert "99.95 %" in text and "99.9 %" in text and "99.7 %" in text  # each its own
