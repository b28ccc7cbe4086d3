"""Annotations and alert history on the zoom chart, against the real demo stack in
its incident: a Grafana dashboard's Prometheus annotation queries are asked over the
range and marked on the chart, with their text listed under it; the span during
which the panel's alert fired is shaded."""

from __future__ import annotations

import pytest

from allintop.dashboard.loading import load_dashboard
from allintop.sources.prometheus import PrometheusClient
from allintop.ui.app import DashboardApp, make_app
from allintop.ui.cards.chart import ChartCard
from allintop.ui.screens.zoom import ZoomScreen
from allintop.ui.screens.zoom_chart import ZoomChart
from allintop.ui.screens.zoom_marks import span_colour
from tests import corpus
from tests.tui.test_alerts import FAST_RULES
from tests.tui.util import screen_strips, screen_text, wait_for

pytestmark = pytest.mark.stack

PANEL = "Success Rate"


def _firing(app: DashboardApp, name: str) -> bool:
    return any(a.name == name and a.state == "firing" for a in app.state.active)


def _chart_cells(app: DashboardApp) -> list[tuple[str, tuple[int, int, int] | None]]:
    """Each cell of the zoom chart's plot as shown: its character and colour."""
    region = app.screen.query_one(ZoomChart).region
    cells = []
    for strip in screen_strips(app)[region.y : region.bottom]:
        x = 0
        for segment in strip:
            for char in segment.text:
                colour = segment.style.color if segment.style else None
                if region.x <= x < region.right:
                    triplet = colour.triplet if colour is not None else None
                    cells.append((char, tuple(triplet) if triplet else None))
                x += 1
    return cells


async def test_annotations_marked_and_firing_alert_shaded_on_the_zoom_chart(make_stack):
    demo = make_stack("healthy", **FAST_RULES)
    demo.set_scenario("incident")
    dashboard = load_dashboard(corpus.own("annotations.json"))
    app = make_app(dashboard, PrometheusClient(demo.prometheus_url), refresh=1.0)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: _firing(app, "HighErrorRate"), within=60, what="firing")
        # On the dashboard, the time series card marks them along its chart's bottom.
        card = next(c for c in app.query(ChartCard) if c.panel.title == PANEL)
        await wait_for(
            pilot,
            lambda: any("▲" in line or "▬" in line for line in card.body_plain()[-2:]),
            within=30,
            what="the annotations marked on the card",
        )
        index = next(i for i, q in enumerate(app.dashboard.queries) if q.title == PANEL)
        app.push_screen(ZoomScreen(app, index))

        def listed() -> str:
            return screen_text(app) if isinstance(app.screen, ZoomScreen) else ""

        # The annotation's title, text and tags from the series' labels; the alert span.
        await wait_for(
            pilot,
            lambda: "HighErrorRate went active" in listed() and "HighErrorRate firing" in listed(),
            within=30,
            what="the annotation and the alert span listed",
        )
        text = listed()
        assert "Error alert active" in text and "severity critical" in text
        assert "– now  HighErrorRate firing" in text  # still firing: the span runs on
        assert "HighErrorRate pending" in text  # the seconds before it fired
        assert "SlowResponseTime" not in text  # the annotation's $alert: the one picked
        assert "[HighErrorRate, critical]" in text
        assert "Annotations & Alerts" not in text and "Deploy logs" not in text
        zoom = app.screen
        assert isinstance(zoom, ZoomScreen)
        shaded = [m for m in zoom.data.marks if m.shade]
        lines = [m for m in zoom.data.marks if not m.shade]
        assert shaded and lines
        firing = span_colour("firing", app.get_css_variables())
        assert firing in {m.color for m in shaded}
        # The firing span shaded in its colour, the annotations' moments lines in theirs
        # (once the chart is replotted with them: on a busy machine, a tick later).
        await wait_for(
            pilot,
            lambda: sum(1 for c in _chart_cells(app) if c == ("░", firing)) >= 10,
            within=20,
            what="the firing span shaded on the chart",
        )
        colours = {m.color for m in lines}
        assert any(char == "│" and colour in colours for char, colour in _chart_cells(app))
