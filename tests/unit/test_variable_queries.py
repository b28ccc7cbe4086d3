"""Grafana's variable queries taken apart (allintop.promql.variable_queries)."""

from __future__ import annotations

import pytest

from allintop.promql.variable_queries import VariableQuery, parse_variable_query


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        (
            "label_values(allin_http_requests_total, job)",
            VariableQuery("label_values", "allin_http_requests_total", "job"),
        ),
        ("label_values(job)", VariableQuery("label_values", None, "job")),
        (
            'label_values(up{job="a",env="b"}, instance)',
            VariableQuery("label_values", 'up{job="a",env="b"}', "instance"),
        ),
        (
            '  label_values(up{job=~"$job"},instance)  ',
            VariableQuery("label_values", 'up{job=~"$job"}', "instance"),
        ),
        # The label may itself be a variable (a constant naming it), as may the metric.
        (
            "label_values(prometheus_build_info, $custom_label_name)",
            VariableQuery("label_values", "prometheus_build_info", "$custom_label_name"),
        ),
        ("label_values($metric, job)", VariableQuery("label_values", "$metric", "job")),
        ("label_names()", VariableQuery("label_names")),
        ('label_names(up{job="a"})', VariableQuery("label_names", 'up{job="a"}')),
        ("metrics(node_.*_bytes)", VariableQuery("metrics", argument="node_.*_bytes")),
        (
            'query_result({__name__=~"prometheus_.*_seconds"})',
            VariableQuery("query_result", argument='{__name__=~"prometheus_.*_seconds"}'),
        ),
        (
            "query_result(topk(5, sum by (job) (rate(up[$__range]))) > $min)",
            VariableQuery(
                "query_result", argument="topk(5, sum by (job) (rate(up[$__range]))) > $min"
            ),
        ),
    ],
)
def test_parse_variable_query(query: str, expected: VariableQuery) -> None:
    assert parse_variable_query(query) == expected


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("up", "unsupported variable query"),
        ("series(up)", "unsupported variable query"),
        ("label_values(up, 1abc)", "not a label name"),
        ("label_values(up, ${l:csv})", "not a label name"),
        ("label_values(up{, job)", "variable query"),
        ("label_values(sum(up), job)", "series selector"),
        ("label_names(sum(up))", "series selector"),
        ("query_result()", "needs an argument"),
        ("query_result(sum(up)", "unclosed left parenthesis"),
        ("query_result(sum(up) +)", "variable query"),
    ],
)
def test_parse_variable_query_rejects(query: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse_variable_query(query)
