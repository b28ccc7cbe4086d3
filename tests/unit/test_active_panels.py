"""Only what is shown is asked: the poller's active panels, and their backfill when
they are shown again (a row expanded, a panel scrolled near)."""

from __future__ import annotations

from typing import Any

import pytest

from allintop.dashboard.model import Query
from allintop.live.fanout import FanOut
from allintop.promql.sharing import plan
from allintop.sources.answers import Series
from tests.unit.test_poller import (
    ANSWERS,
    LEAF_BUCKETS,
    P50,
    P95,
    RATIO,
    WHOLE,
    FakeClient,
    _poller,
    _target,
    _values,
)

EXPRS = [P50, P95, RATIO, WHOLE]


def test_a_plan_names_the_leaves_some_panels_need_each_once_in_order():
    planned = plan(EXPRS)
    assert planned.leaves_of([1, 0]) == (LEAF_BUCKETS,)
    assert planned.leaves_of([3, 2]) == ("sum(a{})", "sum(b{})", WHOLE)
    assert planned.leaves_of([]) == ()


async def test_a_tick_asks_and_computes_only_the_active_panels():
    client = FakeClient(ANSWERS)
    poller = _poller(client, EXPRS)
    poller.set_active({1, 3})
    report = await poller.tick(1000.0, budget=1.0)
    assert sorted(client.sent) == sorted([LEAF_BUCKETS, WHOLE])
    assert sorted(_values(report)) == [1, 3]
    # A leaf shared with an inactive panel does not compute that panel.
    assert not poller.histories[0].series
    poller.set_active(None)
    client.sent.clear()
    await poller.tick(1001.0, budget=1.0)
    assert sorted(client.sent) == sorted(ANSWERS)


async def test_no_active_panel_asks_nothing_but_the_alerts():
    client = FakeClient(ANSWERS)
    poller = _poller(client, EXPRS)
    poller.set_active(())
    report = await poller.tick(1000.0, budget=1.0)
    assert client.sent == [] and report.panels == []


def _ranged(client: FakeClient, end: float = 1000.0) -> None:
    times = (end - 2, end - 1, end)
    client.ranges = {
        "sum(a{})": [Series({}, times, (1.0, 2.0, 3.0))],
        "sum(b{})": [Series({}, times, (4.0, 4.0, 4.0))],
        WHOLE: [Series({"instance": "x"}, times, (5.0, 6.0, 7.0))],
    }


async def test_the_backfill_fills_the_active_panels_only():
    client = FakeClient(ANSWERS)
    _ranged(client)
    poller = _poller(client, EXPRS)
    poller.set_active({2})
    report = await poller.backfill(1000.0)  # the first evaluation is at its own time
    assert sorted(client.sent) == ["sum(a{})", "sum(b{})"]
    assert _values(report) == {2: 75.0}


async def test_a_panel_shown_again_is_backfilled_alone_and_the_tick_grid_stays():
    client = FakeClient(ANSWERS)
    _ranged(client)
    poller = _poller(client, EXPRS)
    poller.set_active({2})
    await poller.backfill(1000.5)
    await poller.tick(1001.0, budget=1.0)
    client.sent.clear()
    _ranged(client, end=1001.0)
    poller.set_active({2, 3})
    shown = await poller.backfill(1001.2, only=[3])
    assert client.sent == [WHOLE]
    assert _values(shown) == {3: 7.0}
    assert shown.panels[0].history[-3:] == (5.0, 6.0, 7.0)
    # The grid time 1001 was evaluated already: a second tick for it is skipped, as
    # if the partial backfill had not happened.
    again = await poller.tick(1001.5, budget=1.0)
    assert again.skipped
    client.sent.clear()
    later = await poller.tick(1002.0, budget=1.0)
    assert sorted(_values(later)) == [2, 3]
    assert sorted(client.sent) == sorted(["sum(a{})", "sum(b{})", WHOLE])


async def test_carrying_forward_looks_only_at_the_active_panels():
    # Panel 3 was never asked (inactive): it must not stop the others being carried.
    client = FakeClient(ANSWERS, targets=[_target(1000.2, 15.0)])
    poller = _poller(client, [RATIO, WHOLE])
    poller.set_active({0})
    reports = [await poller.tick(t, budget=1.0) for t in (1001.05, 1002.05, 1003.05)]
    assert [r.carried for r in reports] == [False, False, True]
    assert _values(reports[-1]) == {0: 75.0}


class Named(FakeClient):
    def __init__(self, name: str, answers: Any) -> None:
        super().__init__(answers)
        self.name = name


async def test_fanout_maps_the_active_panels_to_each_datasource():
    one, two = Named("one", ANSWERS), Named("two", ANSWERS)
    _ranged(two)
    panels = [Query(f"p{i}", expr) for i, expr in enumerate(EXPRS)]
    fan = FanOut(
        {"one": one, "two": two},
        panels,
        EXPRS,
        ["one", "one", "two", "two"],
        step=1.0,
        range_=60.0,
        alerts=False,
        merge=False,
    )
    fan.set_active({0, 3})
    report = await fan.tick(1000.0, budget=1.0)
    assert sorted(_values(report)) == [0, 3]
    assert one.sent == [LEAF_BUCKETS] and two.sent == [WHOLE]
    one.sent.clear()
    two.sent.clear()
    shown = await fan.backfill(1000.5, only=[3])
    assert one.sent == [] and two.sent == [WHOLE]  # "one" has none of them: not asked
    assert [state.index for state in shown.panels] == [3]
    assert (await fan.backfill(1000.5, only=[])).panels == []


@pytest.mark.parametrize("active", [None, {0, 1, 2, 3}])
async def test_all_active_is_the_same_as_none(active):
    client = FakeClient(ANSWERS)
    poller = _poller(client, EXPRS)
    poller.set_active(active)
    report = await poller.tick(1000.0, budget=1.0)
    assert sorted(_values(report)) == [0, 1, 2, 3]
