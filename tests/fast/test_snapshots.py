"""What the user sees, as SVG snapshots: the dashboard healthy and in an incident, the
alerts, targets and zoom screens. Fake Prometheus, frozen clock: the same every run.

After a deliberate change to what is drawn, look at the new pictures and accept them
with `pytest tests/fast --snapshot-update`.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests import corpus
from tests.fast.fakeapp import advance, incident, make, settle

SIZE = (100, 30)


def test_dashboard_healthy(tmp_path: Path, snap_compare) -> None:
    app, _, _ = make(tmp_path)

    async def run_before(pilot) -> None:
        await settle(pilot, app)

    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)


def _in_incident(tmp_path: Path, *keys: str):
    app, fake, clock = make(tmp_path)

    async def run_before(pilot) -> None:
        await settle(pilot, app)
        incident(fake, since=clock.now - 180)
        await advance(pilot, app, clock)
        await advance(pilot, app, clock)
        for key in keys:
            await pilot.press(key)
            await pilot.pause()
        await advance(pilot, app, clock)  # a screen on top follows the next tick

    return app, run_before


def test_dashboard_in_incident(tmp_path: Path, snap_compare) -> None:
    app, run_before = _in_incident(tmp_path)
    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)


def test_alerts_screen(tmp_path: Path, snap_compare) -> None:
    app, run_before = _in_incident(tmp_path, "a")
    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)


def test_targets_screen(tmp_path: Path, snap_compare) -> None:
    app, run_before = _in_incident(tmp_path, "g")
    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)


def test_zoom_on_the_failing_success_rate(tmp_path: Path, snap_compare) -> None:
    app, run_before = _in_incident(tmp_path, "enter")
    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)


@pytest.mark.parametrize("size", [(200, 60), (80, 24)], ids=["200x60", "80x24"])
def test_grafanas_grid_stacks_small_panels_beside_a_tall_one(
    tmp_path: Path, snap_compare, size: tuple[int, int]
) -> None:
    # 200x60: the grid as Grafana has it; 80x24: reflowed in its reading order.
    app, _, _ = make(tmp_path, text=corpus.own("grid.json").read_text())

    async def run_before(pilot) -> None:
        await settle(pilot, app)

    assert snap_compare(app, terminal_size=size, run_before=run_before)
