"""The zoom screen's headline names the panel as its card does."""

from __future__ import annotations

import json
from pathlib import Path

from allintop.ui.screens.zoom import ZoomScreen
from tests.fakeprom import FakePrometheus, FakeSeries, target
from tests.fast.fakeapp import make, settle
from tests.tui.util import screen_text, wait_for

#: A Grafana panel of two targets: each query is titled "Disk IO · <its legend>".
DASHBOARD = {
    "title": "Disks",
    "refresh": "1s",
    "panels": [
        {
            "type": "timeseries",
            "title": "Disk IO",
            "gridPos": {"x": 0, "y": 0, "w": 24, "h": 8},
            "targets": [
                {"expr": "disk:reads:rate", "legendFormat": "{{device}} read", "refId": "A"},
                {"expr": "disk:writes:rate", "legendFormat": "{{device}} write", "refId": "B"},
            ],
        }
    ],
}


async def test_the_zoom_headline_is_the_cards_title_without_legend_templates(
    tmp_path: Path,
) -> None:
    fake = FakePrometheus(
        metrics={
            "disk:reads:rate": [FakeSeries({"device": "sda"}, 5.0)],
            "disk:writes:rate": [FakeSeries({"device": "sda"}, 3.0)],
        },
        target_list=[target("node")],
    )
    app, _, _ = make(tmp_path, fake, text=json.dumps(DASHBOARD))
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot, app)
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, ZoomScreen), what="the zoom")
        await pilot.pause()
        text = screen_text(app)
        assert text.splitlines()[0].startswith(" Disk IO  5"), text
        assert "{{" not in text


async def test_a_zoom_on_a_failing_query_says_the_servers_error(tmp_path: Path) -> None:
    # An error without a position (too many samples, one the server cannot evaluate)
    # has no caret to show: the legend says it, where it would say "no series".
    board = (
        "refresh: 1s\nrange: 5m\nrows:\n  - title: Service\n    panels:\n"
        "      - {title: Summed, expr: 'sum(service:requests:rate)'}\n"
        "      - {title: Rate, expr: service:requests:rate}\n"
    )
    app, _, _ = make(tmp_path, text=board)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot, app)
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, ZoomScreen), what="the zoom")
        await wait_for(pilot, lambda: "cannot evaluate" in screen_text(app), what="the error")
        assert "no series in range" not in screen_text(app)
