"""The poller on a fake client: shared leaves, slow leaves, failures, skipped scrapes."""

from __future__ import annotations

import asyncio
import math
from collections.abc import Mapping, Sequence
from typing import Any

import pytest

from allintop.dashboard.model import Query
from allintop.errors import BadResponse, HTTPStatusError, PrometheusError, QueryError, Unreachable
from allintop.live.fetching import SLOW_MERGES
from allintop.live.poller import Poller, evaluated_at
from allintop.live.scrapes import ScrapeSchedule
from allintop.sources import merging
from allintop.sources.answers import InstantResult, RangeResult, Sample, Series, Target
from allintop.values.thresholds import Status, make_thresholds

BUCKETS = "sum by (le) (rate(x_bucket[5m]))"
LEAF_BUCKETS = "sum by (le)(rate(x_bucket{}[5m]))"
P50 = f"histogram_quantile(0.5, {BUCKETS}) * 1000"
P95 = f"histogram_quantile(0.95, {BUCKETS}) * 1000"
RATIO = "sum(a) / sum(b) * 100"
WHOLE = "rate(c[5m])"

Vector = list[tuple[dict[str, str], float]]
BUCKET_VECTOR: Vector = [
    ({"le": "0.1"}, 10.0),
    ({"le": "0.5"}, 30.0),
    ({"le": "1"}, 40.0),
    ({"le": "+Inf"}, 40.0),
]
ANSWERS: dict[str, Vector] = {
    LEAF_BUCKETS: BUCKET_VECTOR,
    "sum(a{})": [({}, 3.0)],
    "sum(b{})": [({}, 4.0)],
    WHOLE: [({"instance": "x"}, 7.0), ({"instance": "y"}, 9.0)],
}


class FakeClient:
    """Answers from a table; a leaf with a gate waits for it; every request is logged."""

    def __init__(
        self,
        answers: Mapping[str, Vector | PrometheusError],
        targets: Sequence[Target] | PrometheusError = (),
    ) -> None:
        self.answers = dict(answers)
        self.ranges: dict[str, list[Series]] = {}
        self.scrape_targets = targets
        self.gates: dict[str, asyncio.Event] = {}
        self.sent: list[str] = []
        self.asked_at: list[float | None] = []
        self.target_lookups = 0

    async def query(self, expr: str, time: float | None = None, **_: Any) -> InstantResult:
        self.sent.append(expr)
        self.asked_at.append(time)
        if expr in self.gates:
            await self.gates[expr].wait()
        answer = self.answers[expr]
        if isinstance(answer, PrometheusError):
            raise answer
        return InstantResult("vector", tuple(Sample(lb, v, time or 0.0) for lb, v in answer))

    async def query_range(self, expr: str, *_: Any, **__: Any) -> RangeResult:
        self.sent.append(expr)
        return RangeResult(tuple(self.ranges.get(expr, ())))

    async def alerts(self) -> tuple[()]:
        return ()

    async def targets(self) -> Sequence[Target]:
        self.target_lookups += 1
        if isinstance(self.scrape_targets, PrometheusError):
            raise self.scrape_targets
        return self.scrape_targets


def _target(last_scrape: float | None = 1000.2, interval: float | None = 15.0) -> Target:
    return Target("job", "host:1", "http://host:1/metrics", "up", last_scrape, 0.01, "", interval)


def _poller(
    client: FakeClient, exprs: Sequence[str], step: float = 1.0, merge: bool = False
) -> Poller:
    """A poller that sends each leaf alone unless `merge`: the fake answers per leaf."""
    panels = [Query(f"panel {i}", expr) for i, expr in enumerate(exprs)]
    return Poller(client, panels, exprs, step=step, range_=60.0, alerts=False, merge=merge)


def _values(report: Any) -> dict[int, float | None]:
    return {state.index: state.value for state in report.panels}


async def test_a_tick_sends_each_leaf_once_and_computes_every_panel():
    client = FakeClient(ANSWERS)
    poller = _poller(client, [P50, P95, RATIO, WHOLE])
    report = await poller.tick(1000.0, budget=1.0)
    assert sorted(client.sent) == sorted(ANSWERS)  # the bucket vector once for P50 and P95
    values = _values(report)
    assert values[0] == pytest.approx(300.0)
    assert values[1] == pytest.approx(1000 * (0.5 + 0.5 * 8 / 10))  # rank 38 in (0.5, 1]
    assert values[2] == 75.0
    assert values[3] == 9.0  # the biggest series leads
    assert report.panels[3].total == 2
    assert poller.histories[0].series  # history extended by the computed value


async def test_a_failed_leaf_fails_only_the_panels_that_use_it():
    client = FakeClient({**ANSWERS, "sum(b{})": Unreachable("cannot connect")})
    poller = _poller(client, [P50, RATIO])
    report = await poller.tick(1000.0, budget=1.0)
    p50, ratio = report.panels
    assert p50.error is None and p50.value == pytest.approx(300.0)
    assert isinstance(ratio.error, Unreachable)
    assert ratio.reason == "unreachable: cannot connect"


async def test_a_slow_leaf_delays_nobody_and_is_not_sent_again():
    client = FakeClient(ANSWERS)
    client.gates[LEAF_BUCKETS] = asyncio.Event()
    poller = _poller(client, [P50, P95, RATIO])
    late: list[Any] = []
    both = asyncio.Event()  # the straggler's two panels have come

    def sink(state: Any) -> None:
        late.append(state)
        if len(late) == 2:
            both.set()

    first = await poller.tick(1000.0, budget=0.05, sink=sink)
    assert [s.index for s in first.panels] == [2]
    second = await poller.tick(1001.0, budget=0.05, sink=sink)
    assert [s.index for s in second.panels] == [2]
    assert client.sent.count(LEAF_BUCKETS) == 1  # still in flight: not sent again
    client.gates[LEAF_BUCKETS].set()
    await asyncio.wait_for(both.wait(), 5)
    assert sorted((s.index, s.time) for s in late) == [(0, 1000.0), (1, 1000.0)]
    assert late[0].value == pytest.approx(300.0)


async def test_literal_only_panels_ask_nothing():
    client = FakeClient({})
    report = await _poller(client, ["1 + 1"]).tick(1000.0, budget=1.0)
    assert client.sent == []
    assert _values(report) == {0: 2.0}


async def test_empty_operand_shows_no_data():
    client = FakeClient({**ANSWERS, "sum(a{})": []})
    [ratio] = (await _poller(client, [RATIO]).tick(1000.0, budget=1.0)).panels
    assert ratio.value is None and ratio.reason == "no data"


async def test_backfill_sends_one_range_query_per_leaf_and_computes_each_step():
    client = FakeClient(ANSWERS)
    times = (998.0, 999.0, 1000.0)
    client.ranges = {
        "sum(a{})": [Series({}, times, (1.0, 2.0, 3.0))],
        "sum(b{})": [Series({}, times, (4.0, 4.0, 4.0))],
    }
    poller = _poller(client, [RATIO, RATIO + " + 0"])
    report = await poller.backfill(1000.0)  # the first evaluation is at its own time
    assert sorted(client.sent) == ["sum(a{})", "sum(b{})"]
    assert _values(report) == {0: 75.0, 1: 75.0}
    assert report.panels[0].history[-3:] == (25.0, 50.0, 75.0)


async def test_the_first_tick_is_evaluated_when_asked_and_later_ones_on_the_grid():
    # A Prometheus started 40 s ago has nothing at the last minute's grid time: a 1 m
    # dashboard evaluated there would say "no data" for up to a minute.
    client = FakeClient(ANSWERS)
    poller = _poller(client, [WHOLE], step=60.0)
    first = await poller.tick(1000.5, budget=1.0)  # the grid time before it: 960
    assert (first.time, client.asked_at) == (1000.5, [1000.5])
    assert _values(first) == {0: 9.0}
    # The same grid step is not asked again; the next one is on the grid.
    assert (await poller.tick(1010.0, budget=1.0)).skipped
    second = await poller.tick(1020.05, budget=1.0)
    assert (second.time, client.asked_at[-1]) == (1020.0, 1020.0)
    # A panel shown meanwhile is backfilled as of the last tick, as the others are.
    assert (await poller.backfill(1030.0, only=[0])).time == 1020.0
    # `r` (or a new grid) starts over: its first evaluation is when it is asked again.
    poller.reset_tick()
    assert (await poller.tick(1031.0, budget=1.0)).time == 1031.0


async def test_the_history_backfill_of_a_new_grid_ends_when_asked_as_its_first_tick_does():
    client = FakeClient(ANSWERS)
    client.ranges = {WHOLE: [Series({"instance": "x"}, (880.5, 940.5, 1000.5), (5.0, 6.0, 7.0))]}
    poller = _poller(client, [WHOLE], step=60.0)
    tick, filled = await asyncio.gather(poller.tick(1000.5, budget=1.0), poller.backfill(1000.5))
    assert tick.time == filled.time == 1000.5
    assert _values(filled) == {0: 7.0}  # its last point is the first tick's time


def test_evaluated_at_is_the_grid_time_but_never_before_the_grid_began():
    assert evaluated_at(1000.5, 60.0, start=1000.5) == 1000.5
    assert evaluated_at(1019.0, 60.0, start=1000.5) == 1000.5
    assert evaluated_at(1020.1, 60.0, start=1000.5) == 1020.0
    assert evaluated_at(1003.7, 1.0, start=1000.5) == 1003.0


async def test_a_split_leaf_that_cannot_be_decoded_falls_back_to_the_whole_expression():
    # Native histograms: the bucket vector is not floats, but the quantile of it is.
    client = FakeClient({**ANSWERS, LEAF_BUCKETS: BadResponse("unexpected answer")})
    client.answers[P50] = [({}, 250.0)]
    poller = _poller(client, [P50, RATIO])
    first = await poller.tick(1000.0, budget=1.0)
    assert isinstance(first.panels[0].error, BadResponse)
    second = await poller.tick(1001.0, budget=1.0)
    assert P50 in client.sent
    assert _values(second) == {0: 250.0, 1: 75.0}


# --- no new scrape, no query ---------------------------------------------------------------


def test_scrape_schedule_predicts_the_next_scrape():
    schedule = ScrapeSchedule.from_targets([_target(1000.2, 15.0)])
    assert schedule is not None
    assert schedule.scraped_between(1001.0, 1002.0, sent=1001.05) is False
    assert schedule.scraped_between(1015.0, 1016.0, sent=1015.05) is True  # at 1015.2
    assert schedule.scraped_between(1001.0, 1020.0, sent=1001.05) is True
    # A scrape just before the last evaluation may not have been stored by then.
    assert schedule.scraped_between(1000.2, 1001.0, sent=1000.2) is True
    assert schedule.scraped_between(1000.3, 1001.0, sent=1000.35) is False


def test_scrape_schedule_unknown_means_never_skip():
    assert ScrapeSchedule.from_targets([]) is None
    assert ScrapeSchedule.from_targets([_target(interval=None)]) is None
    assert ScrapeSchedule.from_targets([_target(last_scrape=None)]) is None
    assert ScrapeSchedule.from_targets([_target(), _target(interval=None)]) is None


def test_the_fastest_target_sets_the_pace():
    schedule = ScrapeSchedule.from_targets([_target(1000.2, 15.0), _target(1000.7, 1.0)])
    assert schedule is not None
    assert schedule.scraped_between(1002.0, 1003.0, sent=1002.05) is True


async def _ticks(poller: Poller, times: Sequence[float]) -> list[Any]:
    return [await poller.tick(t, budget=1.0) for t in times]


async def test_ticks_between_scrapes_carry_values_forward_without_queries():
    client = FakeClient(ANSWERS, targets=[_target(1000.2, 15.0)])
    poller = _poller(client, [P50, RATIO])
    reports = await _ticks(poller, [1001.05, 1002.05])  # the second looks the schedule up
    assert client.target_lookups == 1
    sent = len(client.sent)
    reports += await _ticks(poller, [t + 0.05 for t in range(1003, 1016)])
    assert [r.carried for r in reports] == [False, False] + [True] * 13
    assert len(client.sent) == sent  # nothing asked until the next scrape, at 1015.2
    assert _values(reports[-1]) == _values(reports[1])
    assert poller.histories[1].values({})[-15:] == [75.0] * 15  # no gaps in the sparkline
    after_scrape = await poller.tick(1016.05, budget=1.0)  # 1015.2 was scraped
    assert not after_scrape.carried and len(client.sent) > sent
    assert client.target_lookups == 1


async def test_refresh_forces_a_query_even_without_a_new_scrape():
    client = FakeClient(ANSWERS, targets=[_target(1000.2, 15.0)])
    poller = _poller(client, [RATIO])
    await _ticks(poller, [1001.05, 1002.05])
    poller.reset_tick()
    [report] = await _ticks(poller, [1003.05])
    assert not report.carried


@pytest.mark.parametrize(
    "targets", [Unreachable("down"), [_target(interval=None)], []], ids=["error", "unknown", "none"]
)
async def test_without_a_known_schedule_every_tick_queries(targets):
    client = FakeClient(ANSWERS, targets=targets)
    poller = _poller(client, [RATIO])
    reports = await _ticks(poller, [1001.05, 1002.05, 1003.05, 1004.05])
    assert not any(r.carried for r in reports)
    assert client.sent.count("sum(a{})") == 4


async def test_a_failed_panel_is_asked_again_rather_than_carried():
    client = FakeClient({**ANSWERS, "sum(b{})": Unreachable("down")}, [_target(1000.2, 15.0)])
    poller = _poller(client, [RATIO])
    reports = await _ticks(poller, [1001.05, 1002.05, 1003.05])
    assert not any(r.carried for r in reports)


async def test_one_shot_snapshot_does_not_look_targets_up():
    client = FakeClient(ANSWERS, targets=[_target()])
    poller = _poller(client, [RATIO])
    await poller.tick(1001.05, budget=1.0)
    await poller.aclose()
    assert client.target_lookups == 0


async def test_nan_values_carry_as_nan():
    client = FakeClient({**ANSWERS, "sum(b{})": [({}, 0.0)], "sum(a{})": [({}, 0.0)]})
    [state] = (await _poller(client, [RATIO]).tick(1000.0, budget=1.0)).panels
    assert state.value is not None and math.isnan(state.value)
    assert state.reason == "NaN"


# --- merged leaves -------------------------------------------------------------------


class MergingClient(FakeClient):
    """Answers a merged query the way Prometheus does: each leaf's answer, tagged."""

    refuse = False

    async def query(self, expr: str, time: float | None = None, **_: Any) -> InstantResult:
        if merging.LEAF_LABEL not in expr:
            return await super().query(expr, time)
        self.sent.append(expr)
        if self.refuse:
            raise QueryError("bad_data", "one leaf is broken", 400)
        samples = []
        for index, leaf in enumerate(self.merged_leaves):
            for labels, value in self.answers[leaf]:  # type: ignore[union-attr]
                tagged = {**labels, merging.LEAF_LABEL: str(index)}
                samples.append(Sample(tagged, value, time or 0.0))
        return InstantResult("vector", tuple(samples))


async def test_mergeable_leaves_travel_as_one_query_with_the_same_values():
    exprs = [P50, P95, RATIO, WHOLE]
    alone = FakeClient(ANSWERS)
    expected = _values(await _poller(alone, exprs).tick(1000.0, budget=5))
    client = MergingClient(ANSWERS)
    poller = _poller(client, exprs, merge=True)
    client.merged_leaves = poller.fetcher.mergeable(list(poller.plan.leaves))
    report = await poller.tick(1000.0, budget=5)
    assert _values(report) == expected
    assert len(client.sent) == 1 and merging.LEAF_LABEL in client.sent[0]
    assert poller.merge


async def test_a_refused_merge_falls_back_to_leaves_alone_for_good():
    exprs = [P50, RATIO, WHOLE]
    client = MergingClient(ANSWERS)
    client.refuse = True
    poller = _poller(client, exprs, merge=True)
    client.merged_leaves = poller.fetcher.mergeable(list(poller.plan.leaves))
    expected = _values(await _poller(FakeClient(ANSWERS), exprs).tick(1000.0, budget=5))
    assert _values(await poller.tick(1000.0, budget=5)) == expected
    assert not poller.merge
    client.sent.clear()
    await poller.tick(1001.0, budget=5)
    assert all(merging.LEAF_LABEL not in sent for sent in client.sent)


class SlowMergingClient(MergingClient):
    """A merged answer takes `delay` seconds of the client's wall clock."""

    delay = 0.0

    async def query(self, expr: str, time: float | None = None, **_: Any) -> InstantResult:
        if merging.LEAF_LABEL in expr:
            await asyncio.sleep(self.delay)
        return await super().query(expr, time)


async def test_merging_stops_only_after_slow_merged_answers_in_a_row():
    client = SlowMergingClient(ANSWERS)
    poller = _poller(client, [P50, RATIO], step=0.1, merge=True)
    client.merged_leaves = poller.fetcher.mergeable(list(poller.plan.leaves))
    ticks = (1000.0 + k for k in range(20))  # each on a grid time of its own
    client.delay = 0.06  # over half the 0.1 s step: a busy loop, or a slow leaf
    for _ in range(SLOW_MERGES - 1):
        await poller.tick(next(ticks), budget=5)
    client.delay = 0.0  # one quick answer: what was slow was not the leaves
    await poller.tick(next(ticks), budget=5)
    client.delay = 0.06
    for _ in range(SLOW_MERGES - 1):
        await poller.tick(next(ticks), budget=5)
    assert poller.merge
    await poller.tick(next(ticks), budget=5)  # slow SLOW_MERGES times in a row
    assert not poller.merge
    client.sent.clear()
    await poller.tick(next(ticks), budget=5)
    assert client.sent and all(merging.LEAF_LABEL not in sent for sent in client.sent)


async def test_unreachable_during_a_merge_is_every_panels_error_and_keeps_merging():
    client = MergingClient(ANSWERS)
    poller = _poller(client, [P50, RATIO], merge=True)
    client.merged_leaves = poller.fetcher.mergeable(list(poller.plan.leaves))

    async def down(*_: Any, **__: Any) -> InstantResult:
        raise Unreachable("cannot connect to h:9090: connection refused")

    client.query = down  # type: ignore[method-assign]
    report = await poller.tick(1000.0, budget=5)
    assert all(state.error is not None for state in report.panels)
    assert poller.merge


async def test_a_proxy_refusing_the_merged_body_falls_back_to_leaves_alone():
    client = MergingClient(ANSWERS)
    poller = _poller(client, [P50, RATIO], merge=True)
    client.merged_leaves = poller.fetcher.mergeable(list(poller.plan.leaves))
    real = client.query

    async def refuse_long(expr: str, time: float | None = None, **kw: Any) -> InstantResult:
        if merging.LEAF_LABEL in expr:
            raise HTTPStatusError(413, "HTTP 413 Request Entity Too Large from proxy")
        return await real(expr, time, **kw)

    client.query = refuse_long  # type: ignore[method-assign]
    expected = _values(await _poller(FakeClient(ANSWERS), [P50, RATIO]).tick(1000.0, budget=5))
    assert _values(await poller.tick(1000.0, budget=5)) == expected
    assert not poller.merge


async def test_a_clock_stepped_back_restarts_the_grid_instead_of_skipping():
    poller = _poller(FakeClient(ANSWERS), [RATIO])
    assert not (await poller.tick(1000.0, budget=5)).skipped
    assert (await poller.tick(1000.5, budget=5)).skipped  # same grid time
    back = await poller.tick(900.0, budget=5)  # NTP stepped the clock back
    assert not back.skipped and _values(back) == {0: 75.0}


# --- worst first ---------------------------------------------------------------------------

SUCCESS = "sum by (route) (rate(ok[5m])) / sum by (route) (rate(all[5m])) * 100"
ROUTES: Vector = [
    ({"route": "/fast"}, 99.95),
    ({"route": "/broken"}, 91.0),
    ({"route": "/slow"}, 99.5),
]


def _success_poller(client: FakeClient, max_series: int = 50) -> Poller:
    panel = Query("Success", SUCCESS, "%", thresholds=make_thresholds(">99", "<95", "%"))
    return Poller(
        client, [panel], [SUCCESS], step=1.0, range_=60.0, max_series=max_series, alerts=False
    )


async def test_a_split_success_rate_shows_and_colours_its_worst_route():
    client = FakeClient({SUCCESS: ROUTES})
    (state,) = (await _success_poller(client).tick(1000.0, budget=1.0)).panels
    assert state.value == 91.0, "the headline is the failing route, not the best one"
    assert state.status is Status.CRITICAL
    assert state.series[0].labels == {"route": "/broken"}
    assert [s.labels["route"] for s in state.series] == ["/broken", "/slow", "/fast"]
    assert state.history[-1] == 91.0  # and its sparkline


async def test_the_history_cap_keeps_the_failing_route():
    healthy: Vector = [({"route": f"/{i}"}, 99.9 + i / 1000) for i in range(10)]
    client = FakeClient({SUCCESS: [*healthy, ({"route": "/broken"}, 50.0)]})
    poller = _success_poller(client, max_series=3)
    await poller.tick(1000.0, budget=1.0)
    assert {"route": "/broken"} in [dict(key) for key in poller.histories[0].series]


async def test_the_history_is_at_display_resolution_at_any_range():
    client = FakeClient({SUCCESS: ROUTES})
    panel = Query("Success", SUCCESS, "%")
    poller = Poller(client, [panel], [SUCCESS], step=1.0, range_=86400.0, alerts=False)
    assert poller.capacity == 200 and poller.bucket == 432.0
    assert poller.backfill_spacing == poller.bucket  # one backfill point per bucket
    (state,) = (await poller.tick(1000.0, budget=1.0)).panels
    assert len(state.history) == 200
    (later,) = (await poller.tick(1001.0, budget=1.0)).panels
    assert later.version != state.version


async def test_a_card_lists_every_series_and_a_query_told_fewer_its_top_ones():
    # A stat shows one value per series, as Grafana does: its state lists them all
    # (up to the history's cap); a query listing fewer counts the rest.
    routes: Vector = [({"route": f"/r{i}"}, float(i)) for i in range(6)]
    client = FakeClient({"rate(c[5m])": routes})
    card = Query("card", "rate(c[5m])")
    few = Query("few", "rate(c[5m])", listed=4)
    poller = Poller(client, [card, few], ["rate(c[5m])"] * 2, step=1.0, range_=60.0, alerts=False)
    report = await poller.tick(1000.0, budget=1.0)
    shown = {state.index: [s.name for s in state.series] for state in report.panels}
    assert sorted(shown[0]) == sorted(f"route=/r{i}" for i in range(6))
    assert shown[1] == ["route=/r5", "route=/r4", "route=/r3", "route=/r2"]
    assert all(state.total == 6 for state in report.panels)
