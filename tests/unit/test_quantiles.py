"""Client-side histogram_quantile: Prometheus' own algorithm, corner cases included."""

from __future__ import annotations

import math

import pytest

from allintop.promql.quantiles import bucket_quantile, divide, histogram_quantile, parse_le

INF = math.inf
BUCKETS = [(0.1, 10.0), (0.5, 30.0), (1.0, 40.0), (INF, 40.0)]


def test_interpolates_linearly_within_the_bucket():
    # rank 20 falls into (0.1, 0.5] holding observations 10..30: halfway.
    assert bucket_quantile(0.5, BUCKETS) == pytest.approx(0.3)


def test_lowest_bucket_starts_at_zero_when_its_bound_is_positive():
    assert bucket_quantile(0.05, BUCKETS) == pytest.approx(0.02)


@pytest.mark.parametrize("bound", [-1.0, 0.0])
def test_lowest_bucket_with_a_bound_at_or_below_zero_returns_that_bound(bound):
    assert bucket_quantile(0.1, [(bound, 5.0), (bound + 2, 10.0), (INF, 10.0)]) == bound


def test_rank_in_the_inf_bucket_returns_the_second_highest_bound():
    assert bucket_quantile(0.9, [(1.0, 5.0), (2.0, 8.0), (INF, 10.0)]) == 2.0


def test_q_one_and_zero():
    assert bucket_quantile(1.0, [(1.0, 5.0), (2.0, 10.0), (INF, 10.0)]) == 2.0
    assert bucket_quantile(0.0, [(1.0, 5.0), (2.0, 10.0), (INF, 10.0)]) == 0.0
    # An empty lowest bucket makes q=0 compute 0/0 in Prometheus: NaN, no exception.
    assert math.isnan(bucket_quantile(0.0, [(1.0, 0.0), (2.0, 5.0), (INF, 5.0)]))


def test_input_order_does_not_matter():
    assert bucket_quantile(0.5, list(reversed(BUCKETS))) == pytest.approx(0.3)


@pytest.mark.parametrize(("q", "expected"), [(-0.1, -INF), (1.5, INF), (-INF, -INF), (INF, INF)])
def test_q_out_of_range(q, expected):
    assert bucket_quantile(q, BUCKETS) == expected
    # Checked before the buckets, as in Prometheus: even for a histogram without +Inf.
    assert bucket_quantile(q, [(1.0, 1.0)]) == expected


@pytest.mark.parametrize(
    "buckets",
    [
        [],  # empty
        [(INF, 10.0)],  # only the +Inf bucket
        [(1.0, 5.0), (2.0, 10.0)],  # no +Inf bucket
        [(1.0, 0.0), (2.0, 0.0), (INF, 0.0)],  # no observations
        [(INF, 4.0), (INF, 6.0)],  # duplicates of +Inf coalesce into one bucket
    ],
    ids=["empty", "only-inf", "no-inf", "zero-counts", "inf-twice"],
)
def test_nan_cases(buckets):
    assert math.isnan(bucket_quantile(0.5, buckets))


def test_nan_q_is_nan():
    assert math.isnan(bucket_quantile(math.nan, BUCKETS))


def test_duplicate_bounds_are_added_together():
    merged = [(1.0, 5.0), (INF, 10.0)]
    split = [(1.0, 2.0), (INF, 10.0), (1.0, 3.0)]
    assert bucket_quantile(0.3, split) == bucket_quantile(0.3, merged) == pytest.approx(0.6)


def test_non_monotonic_counts_are_raised_to_the_envelope():
    # Counts 5, 3, 10: the le=2 bucket is read as 5. Without that, the binary search
    # would land in (2, 3] and answer 2.14; Prometheus answers 0.8 (rank 4 of 5 in le=1).
    buckets = [(1.0, 5.0), (2.0, 3.0), (3.0, 10.0), (INF, 10.0)]
    assert bucket_quantile(0.4, buckets) == pytest.approx(0.8)


def test_divide_is_ieee():
    assert divide(1.0, 0.0) == INF
    assert divide(-1.0, 0.0) == -INF
    assert divide(1.0, -0.0) == -INF
    assert math.isnan(divide(0.0, 0.0))
    assert math.isnan(divide(math.nan, 0.0))
    assert divide(3.0, 2.0) == 1.5


# --- histogram_quantile over a vector ---------------------------------------------------


def _samples(route: str, counts: list[float], name: str = "x_bucket"):
    bounds = ["0.1", "0.5", "1", "+Inf"]
    return [
        ({"__name__": name, "route": route, "le": le}, c)
        for le, c in zip(bounds, counts, strict=True)
    ]


def test_one_quantile_per_group_labelled_without_le_and_name():
    vector = _samples("/a", [10, 30, 40, 40]) + _samples("/b", [0, 0, 10, 10])
    out = dict((labels["route"], (labels, v)) for labels, v in histogram_quantile(0.5, vector))
    assert out["/a"][0] == {"route": "/a"}
    assert out["/a"][1] == pytest.approx(0.3)
    assert out["/b"][1] == pytest.approx(0.75)


def test_samples_without_a_parsable_le_are_ignored():
    vector = [*_samples("/a", [10, 30, 40, 40]), ({"route": "/a"}, 99.0)]
    vector.append(({"route": "/a", "le": "one"}, 99.0))
    assert histogram_quantile(0.5, vector) == [({"route": "/a"}, pytest.approx(0.3))]


def test_empty_vector_gives_empty_result():
    assert histogram_quantile(0.5, []) == []
    assert histogram_quantile(0.5, [({"route": "/a"}, 1.0)]) == []


def test_groups_that_differ_only_by_name_collide_as_in_prometheus():
    vector = _samples("/a", [1, 2, 3, 3], name="x_bucket") + _samples("/a", [1, 2, 3, 3], "y")
    with pytest.raises(ValueError, match="same labelset"):
        histogram_quantile(0.5, vector)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("+Inf", INF),
        ("Inf", INF),
        ("inf", INF),
        ("-Inf", -INF),
        ("+Infinity", INF),
        ("0.005", 0.005),
        ("1e-3", 0.001),
        ("1E+06", 1e6),
        ("10", 10.0),
        (".5", 0.5),
        ("5.", 5.0),
        ("1_000", 1000.0),
        ("0x1p-2", 0.25),
        ("1e-400", 0.0),  # underflow is not an error in Go
    ],
)
def test_le_parses_as_go_parses_floats(text, expected):
    assert parse_le(text) == expected


@pytest.mark.parametrize(
    "text",
    [None, "", " 1", "1 ", "+nan", "abc", "1e400", "0x1", "1__0", "_1", "1_", "١", "infin", "."],
)
def test_le_that_go_rejects_is_skipped(text):
    assert parse_le(text) is None


def test_nan_le_parses():
    assert math.isnan(parse_le("NaN"))  # type: ignore[arg-type]
