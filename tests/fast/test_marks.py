"""Which panels a down target and a firing alert mark: those whose query selects the
target's job or could read the alert's series, not every panel on the dashboard."""

from __future__ import annotations

from pathlib import Path

import pytest

from allintop.ui.cards.stat import StatCard
from tests.fakeprom import FakePrometheus, FakeSeries, firing, rule_for, target
from tests.fast.fakeapp import advance, make, settle

DASHBOARD = """\
refresh: 1s
range: 5m
rows:
  - title: Jobs
    panels:
      - {title: All requests, expr: "service:requests:rate"}
      - {title: Api requests, expr: 'service:requests:rate{job="api"}'}
      - {title: Node requests, expr: 'service:requests:rate{job="node"}'}
"""


def _fake() -> FakePrometheus:
    return FakePrometheus(
        metrics={
            "service:requests:rate": [
                FakeSeries({"job": "api"}, 850.0),
                FakeSeries({"job": "node"}, 12.0),
            ]
        },
        target_list=[target("api"), target("node")],
    )


def _card(app, title: str) -> StatCard:
    return next(c for c in app.query(StatCard) if c.target.title == title)


async def test_a_down_target_marks_only_the_panels_that_select_its_job(tmp_path: Path) -> None:
    app, fake, clock = make(tmp_path, _fake(), text=DASHBOARD)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot, app)
        fake.target_list = [target("api"), target("node", "down", 'Get "http://node": EOF')]
        await advance(pilot, app, clock, 5.0)  # targets are asked every 5 s
        await advance(pilot, app, clock)
        assert _card(app, "Node requests").detail_plain.startswith("node down")
        # Names no job: its value comes from api too, and is not node's to spoil.
        assert "down" not in _card(app, "All requests").detail_plain
        assert "down" not in _card(app, "Api requests").detail_plain


@pytest.mark.parametrize(
    ("name", "rule"),
    [
        pytest.param("ApiBusy", 'service:requests:rate{job="api"} > 500', id="the rule's job"),
        # The rule names no job; the instance that fires is api's.
        pytest.param("TooBusy", "service:requests:rate > 500", id="the instance's job"),
    ],
)
async def test_an_alert_on_one_job_does_not_mark_a_panel_on_another(
    tmp_path: Path, name: str, rule: str
) -> None:
    app, fake, clock = make(tmp_path, _fake(), text=DASHBOARD)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot, app)
        alert = firing(name, clock.now - 60, job="api")
        fake.alert_list = [alert]
        fake.rule_groups = [rule_for(alert, rule)]
        await advance(pilot, app, clock, 60.0)  # rules are asked once a minute
        await advance(pilot, app, clock)
        assert _card(app, "Api requests").detail_plain.startswith(f"▲ {name}")
        assert _card(app, "All requests").detail_plain.startswith(f"▲ {name}")
        assert name not in _card(app, "Node requests").detail_plain
