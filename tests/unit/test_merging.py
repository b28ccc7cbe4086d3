from allintop.promql.parse import parse_error
from allintop.sources import merging
from allintop.sources.answers import InstantResult, RangeResult, Sample, Series

LEAVES = ["sum(rate(a[5m]))", 'sum by (le)(rate(b_bucket{job=~".*"}[5m]))']


def test_merged_expression_parses_and_tags_each_leaf_by_position():
    text = merging.merged(LEAVES)
    assert parse_error(text) is None
    assert text.count("label_replace(") == 2 and " or " in text
    assert f'"{merging.LEAF_LABEL}", "1"' in text


def test_split_instant_returns_each_leafs_samples_untagged():
    tag = merging.LEAF_LABEL
    answer = InstantResult(
        "vector",
        (
            Sample({tag: "0"}, 1.5, 10.0),
            Sample({"le": "0.1", tag: "1"}, 2.0, 10.0),
            Sample({"le": "+Inf", tag: "1"}, 3.0, 10.0),
            Sample({"stray": "x"}, 9.0, 10.0),  # no tag: not ours, dropped
            Sample({tag: "7"}, 9.0, 10.0),  # out of range: dropped
        ),
        warnings=("partial",),
    )
    parts = merging.split_instant(answer, LEAVES)
    assert [s.labels for s in parts[LEAVES[0]].samples] == [{}]
    assert [s.value for s in parts[LEAVES[1]].samples] == [2.0, 3.0]
    assert all(p.warnings == ("partial",) for p in parts.values())


def test_split_range_keeps_points_per_leaf():
    tag = merging.LEAF_LABEL
    answer = RangeResult((Series({tag: "1", "le": "1"}, (1.0, 2.0), (5.0, 6.0)),))
    parts = merging.split_range(answer, LEAVES)
    assert parts[LEAVES[0]].series == ()
    (series,) = parts[LEAVES[1]].series
    assert series.labels == {"le": "1"} and series.values == (5.0, 6.0)
