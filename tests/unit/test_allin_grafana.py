"""The AllIN overview as a Grafana user would have built it from the seed document
(allintop/dashboards/allin-overview-grafana.json, an "export for sharing"): it ships in
the package, loads as every kind of tile, and carries the seed's target table as its
panels' thresholds. (Its round trip through `import-grafana` is in test_grafana_files;
that every panel shows data on the demo stack, in tests/integration/test_grafana_live.)
"""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path

import pytest

from allintop.dashboard.loading import load_dashboard
from allintop.dashboard.model import Dashboard
from allintop.values.thresholds import Status, status_of

GIB = 1024**3
PATH = Path(str(resources.files("allintop").joinpath("dashboards/allin-overview-grafana.json")))


def _dashboard() -> Dashboard:
    return load_dashboard(PATH)


def test_it_is_a_grafana_export_for_sharing() -> None:
    board = json.loads(PATH.read_text())
    assert board["__inputs"][0]["name"] == "DS_PROMETHEUS"
    assert 36 <= board["schemaVersion"] <= 41
    for panel in board["panels"]:
        if panel["type"] not in ("row", "text"):
            assert panel["datasource"] == {"type": "prometheus", "uid": "${DS_PROMETHEUS}"}


def test_it_loads_as_every_kind_of_tile_in_the_seeds_three_rows() -> None:
    dashboard = _dashboard()
    assert [row.title for row in dashboard.rows] == [
        "Request Metrics",
        "System Health",
        "Application Metrics",
        "Details",
    ]
    assert [row.collapsed for row in dashboard.rows] == [False, False, False, True]
    kinds = {tile.kind for row in dashboard.rows for tile in row.layout}
    assert kinds == {"stat", "gauge", "bargauge", "timeseries", "table", "text", "heatmap"}
    assert dashboard.notice is None  # nothing in it is left out
    assert [v.name for v in dashboard.variables] == ["job"]


# The seed's performance target table: each row's panel, and values on target,
# between target and alert level, and past the alert level.
TARGETS = [
    ("P50 Response Time", 40, 70, 150),
    ("P95 Response Time", 150, 300, 700),
    ("P99 Response Time", 800, 1500, 2500),
    ("Success Rate", 99.5, 97, 90),
    ("Cache Hit Rate", 95, 70, 40),
    ("CPU Usage", 50, 75, 90),
    ("Memory Usage", 0.5 * GIB, 1.25 * GIB, 1.75 * GIB),
    ("Event Loop Lag", 20, 70, 150),
]


@pytest.mark.parametrize(
    ("title", "ok", "warning", "critical"), TARGETS, ids=[t[0] for t in TARGETS]
)
def test_the_seeds_target_table_is_its_thresholds(
    title: str, ok: float, warning: float, critical: float
) -> None:
    (panel,) = [p for row in _dashboard().rows for p in row.queries if p.title == title]
    statuses = [status_of(value, panel.thresholds) for value in (ok, warning, critical)]
    assert statuses == [Status.OK, Status.WARNING, Status.CRITICAL]
