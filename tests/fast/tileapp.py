"""The app with one widget per tile, made by `panel_widget`, on the fake Prometheus: what
the tile kinds' tests drive. `PanelsApp` is the DashboardApp, listing its tiles' widgets.
"""

from __future__ import annotations

import dataclasses
import math
from pathlib import Path

from textual.widget import Widget

import allintop.ui.app
from allintop.dashboard.loading import load_dashboard
from allintop.dashboard.model import Dashboard
from allintop.live.datasources import Datasources
from allintop.ui.app import DashboardApp
from allintop.values.mappings import ValueMapping
from allintop.values.thresholds import make_thresholds
from tests.fakeprom import FakePrometheus, FakeSeries, target
from tests.fast.fakeapp import Clock, wave

DASHBOARD = Path(__file__).with_name("tiles_dashboard.json")


class PanelsApp(DashboardApp):
    """DashboardApp, with its tiles' widgets listed for the tests."""

    # Textual reads CSS_PATH next to the subclass's module: point at the app's own.
    CSS_PATH = str(Path(allintop.ui.app.__file__).with_name("allintop.tcss"))

    @property
    def panels(self) -> list[Widget]:
        """Every tile's widget, in the dashboard's order."""
        return [shown.card for shown in self.board.panels]


def fake() -> FakePrometheus:
    routes = [("/", 99.95, 120.0), ("/api", 99.9, 640.0), ("/login", 96.5, 45.0)]
    buckets = [("0.05", 40.0), ("0.1", 70.0), ("0.5", 95.0), ("1", 99.0), ("+Inf", 100.0)]
    return FakePrometheus(
        metrics={
            "service:requests:rate": [FakeSeries({}, wave(850.0, 150.0, 90.0))],
            "up": [FakeSeries({"job": "api"}, 1.0)],
            "host:cpu:percent": [FakeSeries({}, wave(75.0, 10.0, 30.0))],
            "route:success_ratio:percent": [
                FakeSeries({"route": r}, wave(v, 0.02)) for r, v, _ in routes
            ],
            "route:requests:rate": [FakeSeries({"route": r}, rate) for r, _, rate in routes],
            "service:latency_p95:ms": [FakeSeries({}, wave(120.0, 30.0))],
            "service:queue_depth": [FakeSeries({}, wave(60.0, 20.0, 45.0))],
            "latency_bucket": [
                FakeSeries({"le": le}, wave(count, count / 10, 60.0 + math.sqrt(count)))
                for le, count in buckets
            ],
        },
        target_list=[target("api")],
    )


def dashboard() -> Dashboard:
    """The tile kinds' dashboard, with what the Grafana import does not read yet (a
    value mapping, threshold levels) set on it."""
    loaded = load_dashboard(DASHBOARD)
    up = (
        ValueMapping("value", "UP", value="1", color="green"),
        ValueMapping("value", "DOWN", value="0", color="red"),
    )
    rows = []
    for row in loaded.rows:
        tiles = tuple(
            dataclasses.replace(t, mappings=up) if t.title == "Backend" else t for t in row.panels
        )
        panels = tuple(
            dataclasses.replace(p, thresholds=_thresholds(p.title, p.unit)) for p in row.queries
        )
        rows.append(dataclasses.replace(row, panels=tiles, queries=panels))
    return dataclasses.replace(loaded, rows=tuple(rows))


def _thresholds(title: str, unit: str):
    if title == "CPU":
        return make_thresholds("<70", ">90", unit)
    if title in ("Success by route", "Routes · A"):
        return make_thresholds(">99", "<95", unit)
    if title.endswith("p95"):
        return make_thresholds("<200", ">500", unit)
    return None


def make_panels(
    tmp_path: Path, fake_prometheus: FakePrometheus | None = None
) -> tuple[PanelsApp, FakePrometheus, Clock]:
    prometheus = fake_prometheus or fake()
    board = dashboard()
    clock = Clock()
    sources = Datasources({board.datasource.name: prometheus}, board.datasource.name)
    app = PanelsApp(board, sources, clock=clock, monotonic=clock.monotonic)
    return app, prometheus, clock


def tile(app: PanelsApp, title: str) -> Widget:
    return next(w for w in app.panels if getattr(w, "panel", None) and w.panel.title == title)  # type: ignore[attr-defined]
