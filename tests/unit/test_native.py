"""Native histograms and Prometheus 3's answers: decoded with their boundary rules,
never shown as a number that is not in the answer, drawn by a heatmap."""

from __future__ import annotations

import math
import struct
from typing import Any

import pytest

from allintop.dashboard.model import Query
from allintop.draw.heatmap import heatmap, ordered
from allintop.errors import BadResponse
from allintop.live.native import NATIVE_REASON, bucket_series, bucket_values
from allintop.live.poller import Poller
from allintop.sources import merging
from allintop.sources.answers import InstantResult, RangeResult, Sample, Series
from allintop.sources.decoding import instant_result, range_result
from allintop.values.thresholds import Status

HISTOGRAM = {
    "count": "12",
    "sum": "3.5",
    "buckets": [
        [3, "-0.001", "0.001", "2"],
        [0, "0.25", "0.5", "4"],
        [0, "0.5", "1", "6"],
    ],
}


def _vector(*items: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {"status": "success", "data": {"resultType": "vector", "result": list(items)}, **extra}


def test_an_instant_histogram_is_decoded_with_its_boundary_rules_and_no_value() -> None:
    body = _vector({"metric": {"job": "a"}, "histogram": [1700000000.5, HISTOGRAM]})
    [sample] = instant_result(body, "h:1").samples
    assert math.isnan(sample.value) and sample.timestamp == 1700000000.5
    histogram = sample.histogram
    assert histogram is not None
    assert (histogram.count, histogram.sum) == (12.0, 3.5)
    zero, mid, top = histogram.buckets
    assert (zero.boundary, zero.lower, zero.upper, zero.count) == (3, -0.001, 0.001, 2.0)
    assert (top.boundary, top.lower, top.upper, top.count) == (0, 0.5, 1.0, 6.0)


def test_a_histogram_without_buckets_observed_nothing() -> None:
    body = _vector({"metric": {}, "histogram": [1.0, {"count": "0", "sum": "0"}]})
    [sample] = instant_result(body, "h:1").samples
    assert sample.histogram is not None and sample.histogram.buckets == ()


def test_an_unknown_boundary_rule_is_a_bad_answer_not_a_guess() -> None:
    broken = {**HISTOGRAM, "buckets": [[7, "0", "1", "1"]]}
    with pytest.raises(BadResponse, match="boundary rule"):
        instant_result(_vector({"metric": {}, "histogram": [1.0, broken]}), "h:1")


def test_a_range_series_of_floats_then_histograms_keeps_both_in_time_order() -> None:
    body = {
        "status": "success",
        "data": {
            "resultType": "matrix",
            "result": [
                {
                    "metric": {"__name__": "x"},
                    "values": [[10, "1"], [11, "2"]],
                    "histograms": [[12, HISTOGRAM], [13, HISTOGRAM]],
                }
            ],
        },
    }
    [series] = range_result(body, "h:1").series
    assert series.timestamps == (10.0, 11.0, 12.0, 13.0)
    assert series.values[:2] == (1.0, 2.0) and all(math.isnan(v) for v in series.values[2:])
    assert series.histograms[:2] == (None, None) and series.histograms[2] is not None


def test_prometheus_3_infos_are_kept_beside_warnings() -> None:
    body = _vector(warnings=["w"], infos=["PromQL info: metric might not be a counter"])
    result = instant_result(body, "h:1")
    assert result.warnings == ("w",) and result.infos[0].startswith("PromQL info")


def test_a_merged_answer_split_back_keeps_histograms_and_infos() -> None:
    leaves = ["sum(rate(x[1m]))", "up"]
    body = _vector(
        {"metric": {merging.LEAF_LABEL: "0"}, "histogram": [1.0, HISTOGRAM]},
        {"metric": {merging.LEAF_LABEL: "1"}, "value": [1.0, "1"]},
        infos=["i"],
    )
    parts = merging.split_instant(instant_result(body, "h:1"), leaves)
    assert parts[leaves[0]].samples[0].histogram is not None
    assert parts[leaves[0]].infos == ("i",)


def test_native_buckets_become_series_by_upper_bound_counting_their_own() -> None:
    [sample] = instant_result(
        _vector({"metric": {"job": "a"}, "histogram": [1.0, HISTOGRAM]}), "h:1"
    ).samples
    assert bucket_values([sample]) == [
        ({"job": "a", "le": "0.001"}, 2.0),
        ({"job": "a", "le": "0.5"}, 4.0),
        ({"job": "a", "le": "1.0"}, 6.0),
    ]
    [series] = range_result(
        {
            "status": "success",
            "data": {
                "resultType": "matrix",
                "result": [{"metric": {}, "histograms": [[1, HISTOGRAM], [2, HISTOGRAM]]}],
            },
        },
        "h:1",
    ).series
    found = {labels["le"]: (list(ts), list(vs)) for labels, ts, vs in bucket_series([series])}
    assert found["0.5"] == ([1.0, 2.0], [4.0, 4.0])


# --- what a panel shows ----------------------------------------------------------------

NATIVE = "sum(rate(x[1m]))"
LEAF = "sum(rate(x[1m]))"


class NativeClient:
    """Answers every instant query with one native histogram, ranges with two points."""

    def __init__(self, whole: dict[str, float] | None = None) -> None:
        self.sent: list[str] = []
        self.whole = whole or {}

    def _answer(self, expr: str) -> dict[str, Any]:
        if expr in self.whole:
            return _vector({"metric": {}, "value": [1000.0, str(self.whole[expr])]})
        return _vector({"metric": {}, "histogram": [1000.0, HISTOGRAM]}, infos=["an info"])

    def _instant(self, expr: str) -> InstantResult:
        return instant_result(self._answer(expr), "h:1")

    async def query(self, expr: str, time: float | None = None, **_: Any) -> InstantResult:
        self.sent.append(expr)
        return self._instant(expr)

    async def query_range(self, expr: str, *_: Any, **__: Any) -> RangeResult:
        self.sent.append(expr)
        points = [[999, HISTOGRAM], [1000, HISTOGRAM]]
        body = {
            "status": "success",
            "data": {"resultType": "matrix", "result": [{"metric": {}, "histograms": points}]},
        }
        return range_result(body, "h:1")

    async def alerts(self) -> tuple[()]:
        return ()

    async def targets(self) -> tuple[()]:
        return ()


def _poller(client: NativeClient, exprs: list[str]) -> Poller:
    panels = [Query(f"panel {i}", expr) for i, expr in enumerate(exprs)]
    return Poller(client, panels, exprs, step=1.0, range_=60.0, alerts=False, merge=False)


async def test_a_panel_of_native_histograms_states_no_value_and_says_why() -> None:
    poller = _poller(NativeClient(), [NATIVE])
    [state] = (await poller.tick(1000.0, budget=1.0)).panels
    assert state.value is None and state.series == ()
    assert state.status is Status.UNKNOWN and state.reason == NATIVE_REASON
    assert state.native and state.warnings == ("info: an info",)
    assert all(v is None for v in state.history)  # no sparkline of a bucket
    buckets = {dict(key)["le"] for key in poller.histories[0].series}
    assert buckets == {"0.001", "0.5", "1.0"}  # for a heatmap


async def test_a_backfill_of_native_histograms_fills_bucket_histories() -> None:
    poller = _poller(NativeClient(), [NATIVE])
    [state] = (await poller.backfill(1000.5)).panels
    assert state.value is None and state.reason == NATIVE_REASON
    history = poller.histories[0]
    key = next(k for k in history.series if dict(k)["le"] == "0.5")
    assert history.series[key].values()[-2:] == [4.0, 4.0]
    carried = poller.states.carried(0, 1001.0)
    assert carried is not None and carried.native and carried.value is None


async def test_arithmetic_over_a_native_leaf_is_asked_whole_in_the_same_tick() -> None:
    doubled = f"{NATIVE} * 2"
    quantile = "histogram_quantile(0.9, sum by (le) (rate(x[1m])))"
    client = NativeClient(whole={doubled: 5.0, quantile: 0.25})
    poller = _poller(client, [doubled, quantile])
    first = {s.index: s for s in (await poller.tick(1000.0, budget=1.0)).panels}
    assert first[0].value == 5.0 and first[1].value == 0.25  # never NaN * 2, nor an error
    assert doubled in client.sent and quantile in client.sent
    client.sent.clear()
    second = {s.index: s for s in (await poller.tick(1001.0, budget=1.0)).panels}
    assert sorted(client.sent) == sorted([doubled, quantile])  # whole from then on
    assert second[0].value == 5.0


async def test_a_backfill_over_a_native_leaf_asks_the_whole_range_at_once() -> None:
    doubled = f"{NATIVE} * 2"
    client = NativeClient()
    poller = _poller(client, [doubled])
    [state] = (await poller.backfill(1000.5)).panels
    assert doubled in client.sent  # the whole, after the leaf came back native
    assert state.error is None and state.native and state.reason == NATIVE_REASON


# --- drawing ---------------------------------------------------------------------------


def test_native_buckets_are_drawn_as_they_are_not_decumulated() -> None:
    labels, grid = heatmap({"0.5": [4.0, 4.0], "1.0": [6.0, 6.0]}, 2, 2, cumulative=False)
    assert labels == ["1.0", "0.5"]
    assert grid == [[4, 4], [3, 3]]  # 6 is the fullest; 4 is 2/3 of it


def test_le_written_1_and_1_0_is_one_bucket() -> None:
    # Prometheus 3 normalises le="1" to "1.0": across the upgrade both series exist.
    merged = ordered({"1": [1.0, None], "1.0": [None, 2.0], "+Inf": [3.0, 3.0]})
    assert merged == [("1", [1.0, 2.0]), ("+Inf", [3.0, 3.0])]


def test_series_points_of_floats_stay_as_they_are() -> None:
    plain = Series({"a": "b"}, (1.0,), (2.0,))
    assert bucket_series([plain]) == [({"a": "b"}, [1.0], [2.0])]


def test_the_client_side_quantile_reads_le_1_and_1_0_as_one_bound() -> None:
    from allintop.promql.quantiles import histogram_quantile

    before = [({"le": "0.5"}, 5.0), ({"le": "1"}, 10.0), ({"le": "+Inf"}, 10.0)]
    after = [({"le": "0.5"}, 5.0), ({"le": "1.0"}, 10.0), ({"le": "+Inf"}, 10.0)]
    assert histogram_quantile(0.75, before) == histogram_quantile(0.75, after) == [({}, 0.75)]
    both = [({"le": "1"}, 4.0), ({"le": "1.0"}, 6.0), ({"le": "+Inf"}, 10.0)]
    assert histogram_quantile(0.5, both) == [({}, 0.5)]  # coalesced: 10 under 1


# --- merging never hides a native histogram ---------------------------------------------


class Prometheus242:
    """Answers a merged query as Prometheus 2.42 does: label_replace() makes a native
    histogram the float 0; alone, a leaf answers with its histogram."""

    def __init__(self, native: set[str], floats: dict[str, float]) -> None:
        self.native = native
        self.floats = floats
        self.sent: list[str] = []
        self.merged_leaves: list[str] = []

    async def query(self, expr: str, time: float | None = None, **_: Any) -> InstantResult:
        self.sent.append(expr)
        if merging.LEAF_LABEL not in expr:
            if expr in self.native:
                return NativeClient()._instant(expr)
            return InstantResult("vector", (Sample({}, self.floats[expr], 1.0),))
        assert expr == merging.merged(self.merged_leaves)
        return InstantResult(
            "vector",
            tuple(
                Sample({merging.LEAF_LABEL: str(k)}, self.floats.get(leaf, 0.0), 1.0)
                for k, leaf in enumerate(self.merged_leaves)
            ),
        )

    async def query_range(self, *_: Any, **__: Any) -> RangeResult:
        return RangeResult(())

    async def alerts(self) -> tuple[()]:
        return ()

    async def targets(self) -> tuple[()]:
        return ()


async def test_a_merged_zero_is_checked_alone_once_and_a_native_leaf_goes_alone() -> None:
    from allintop.promql.sharing import plan_panel

    exprs = ["sum(rate(x[1m]))", "sum(rate(e[1m]))", "sum(rate(r[1m]))"]
    native, errors, busy = (plan_panel(e).leaves[0] for e in exprs)
    client = Prometheus242({native}, {errors: 0.0, busy: 5.0})
    queries = [Query(f"panel {i}", e) for i, e in enumerate(exprs)]
    poller = Poller(client, queries, exprs, step=1.0, range_=60.0, alerts=False)
    client.merged_leaves = poller.fetcher.mergeable(list(poller.plan.leaves))
    first = {s.index: s for s in (await poller.tick(1000.0, budget=5)).panels}
    assert first[0].value is None and first[0].reason == NATIVE_REASON  # not 0
    assert first[1].value == 0.0 and first[2].value == 5.0
    alone = [sent for sent in client.sent if merging.LEAF_LABEL not in sent]
    assert sorted(alone) == sorted([native, errors])  # the zeros, checked once
    client.sent.clear()
    client.merged_leaves = poller.fetcher.mergeable(list(poller.plan.leaves))
    assert native not in client.merged_leaves
    second = {s.index: s for s in (await poller.tick(1001.0, budget=5)).panels}
    assert second[0].reason == NATIVE_REASON and second[1].value == 0.0
    assert native in client.sent  # alone from now on
    assert errors not in client.sent  # its zero is trusted now


# --- the protobuf exposition ---------------------------------------------------------------


def test_varints_and_zigzag_are_protobufs() -> None:
    from allintop.demo import protobuf

    assert protobuf.varint(1) == b"\x01" and protobuf.varint(300) == b"\xac\x02"
    assert [protobuf.zigzag(n) for n in (0, -1, 1, -2, 2)] == [0, 1, 2, 3, 4]


def test_a_native_histogram_is_written_as_spans_and_deltas() -> None:
    from allintop.demo import protobuf

    native = protobuf.Native(2, 0.5, 0, {-1: 2, 0: 5, 3: 1})
    body = protobuf.histogram(8, 1.5, native=native)
    # Histogram (field 7) holding: count 8, sum, schema 2 (zigzag 4), zero threshold,
    # zero count 0, spans (-1, 2) and (2, 1), deltas 2, 3, -4.
    expected = (
        b"\x08\x08"
        + b"\x11"
        + struct.pack("<d", 1.5)
        + b"\x28\x04"
        + b"\x31"
        + struct.pack("<d", 0.5)
        + b"\x38\x00"
        + b"\x62\x04\x08\x01\x10\x02"
        + b"\x62\x04\x08\x04\x10\x01"
        + b"\x68\x04\x68\x06\x68\x07"
    )
    assert body == b"\x3a" + bytes([len(expected)]) + expected


def test_an_empty_native_histogram_has_its_no_op_span() -> None:
    from allintop.demo import protobuf

    body = protobuf.histogram(0, 0.0, native=protobuf.Native(2, 0.5, 0, {}))
    assert body.endswith(b"\x62\x04\x08\x00\x10\x00")


def test_only_a_scrape_asking_for_protobuf_gets_it() -> None:
    from allintop.demo.protobuf import wants_protobuf

    prometheus = (
        "application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;"
        "encoding=delimited;q=0.5,application/openmetrics-text;version=1.0.0;q=0.4,"
        "text/plain;version=0.0.4;q=0.2,*/*;q=0.1"
    )
    assert wants_protobuf(prometheus)
    assert not wants_protobuf("text/plain;version=0.0.4;q=0.2,*/*;q=0.1")
    assert not wants_protobuf(prometheus.replace("q=0.5", "q=0"))
    assert not wants_protobuf("")
