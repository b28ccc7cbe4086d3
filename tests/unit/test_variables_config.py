"""panels.yaml's `variables:`: every kind of Grafana's, read into Variables, with one
clear error for each mistake; and the queries they make."""

from __future__ import annotations

import pytest

from allintop.dashboard import templating
from allintop.dashboard.loading import load_text
from allintop.dashboard.model import Dashboard, Variable
from allintop.errors import ConfigError
from allintop.promql.intervals import Intervals

ROWS = "rows:\n  - title: R\n    panels:\n      - {title: A, expr: 'EXPR'}\n"

EVERY_KIND = """\
variables:
  job: {query: 'label_values(up, job)'}
  instance:
    label: Host
    query: 'label_values(up{job=~"$job"}, instance)'
    multi: true
    all_value: '.*'
    regex: '/(.*):9100/'
    sort: natural
  quantile:
    query: 'query_result(x{quantile!=""})'
    regex: '/quantile="([^"]+)"/'
    include_all: false
  env: {type: custom, values: [prod, staging], multi: true, default: [prod, staging]}
  step: {type: interval, values: [1m, 5m], auto: true, auto_count: 10, auto_min: 30s}
  region: {type: constant, value: eu-1}
  filter: {type: textbox, default: 'api.*'}
  names: {query: 'label_names()', include_all: false}
  legacy: {values: [a, b]}
"""


def load(text: str, expr: str = "up") -> Dashboard:
    return load_text(text + ROWS.replace("EXPR", expr), "panels.yaml")


def test_every_kind_is_read_as_written() -> None:
    variables = {v.name: v for v in load(EVERY_KIND).variables}
    assert list(variables) == [
        "job",
        "instance",
        "quantile",
        "env",
        "step",
        "region",
        "filter",
        "names",
        "legacy",
    ]
    assert variables["job"] == Variable(
        "job", query="label_values(up, job)", default="all", include_all=True
    )
    assert variables["instance"] == Variable(
        "instance",
        query='label_values(up{job=~"$job"}, instance)',
        default="all",
        multi=True,
        include_all=True,
        all_value=".*",
        regex="/(.*):9100/",
        sort="natural",
        label="Host",
    )
    assert templating.depends(variables["instance"]) == {"job"}
    quantile = variables["quantile"]
    assert (quantile.kind, quantile.include_all, quantile.default) == ("query", False, "")
    assert variables["env"] == Variable(
        "env", values=("prod", "staging"), default=("prod", "staging"), kind="custom", multi=True
    )
    assert variables["step"] == Variable(
        "step",
        values=("1m", "5m"),
        default="auto",
        kind="interval",
        auto=True,
        auto_count=10,
        auto_min="30s",
    )
    assert variables["region"] == Variable(
        "region", values=("eu-1",), default="eu-1", kind="constant"
    )
    assert variables["filter"] == Variable("filter", default="api.*", kind="textbox")
    assert variables["names"].default == ""
    # A list without a type, as before there were kinds: a custom one offering "all".
    assert variables["legacy"] == Variable(
        "legacy", values=("a", "b"), default="a", kind="custom", include_all=True
    )


def test_the_queries_every_kind_makes() -> None:
    expr = (
        'sum by ($names) (rate(x{job=~"$job", instance=~"$instance", env=~"$env",'
        ' region="$region", f=~"$filter", q="$quantile"}[$step]))'
    )
    dashboard = load(EVERY_KIND, expr)
    picks = dashboard.variable_values({"quantile": "0.99", "names": "job"})
    assert templating.exprs(dashboard, picks) == [
        'sum by (job) (rate(x{job=~".*", instance=~".*", env=~"(prod|staging)",'
        ' region="eu-1", f=~"api.*", q="0.99"}[2m]))'  # 15m in 10 steps, rounded
    ]


def test_grafanas_built_ins_are_filled_in_when_queried() -> None:
    # Grafana's, not the refresh's: 1 h over 200 points is 18 s, at least the scrape
    # interval (15 s when nothing says it); the rate window at least 4 scrapes.
    dashboard = load("refresh: 30s\nrange: 1h\n", "rate(x[$__rate_interval]) * $__range_s")
    assert templating.exprs(dashboard, {}) == ["rate(x[60000ms]) * 3600"]
    assert templating.exprs(dashboard, {}, range_=300) == ["rate(x[60000ms]) * 300"]
    fast = [Intervals(interval=18, rate=19)]
    assert templating.exprs(dashboard, {}, intervals=fast) == ["rate(x[19000ms]) * 3600"]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("variables:\n  v: {type: nosuch}\n", 'unknown variable type "nosuch"'),
        (
            "variables:\n  v: {type: custom, regex: x, values: [a]}\n",
            'a custom variable takes no "regex"',
        ),
        ("variables:\n  v: {type: custom}\n", "no values"),
        ("variables:\n  v: {type: constant}\n", "a constant needs a value"),
        ("variables:\n  v: {type: interval, values: [1m, soon]}\n", "soon"),
        ("variables:\n  v: {type: interval}\n", "needs values"),
        ("variables:\n  v: {query: 'series(up)'}\n", "unsupported variable query"),
        ("variables:\n  v: {query: 'label_values(job)', regex: '/(/'}\n", "regex"),
        (
            "variables:\n  v: {query: 'label_values(job)', sort: upwards}\n",
            'unknown sort "upwards"',
        ),
        ("variables:\n  v: {type: custom, values: [a], default: [a]}\n", "not multi"),
        ("variables:\n  v: {type: custom, values: [a], default: all}\n", '"all" is not offered'),
        ("variables:\n  v: {type: custom, values: [a], default: b}\n", '"b" is not one of values'),
        (
            "variables:\n  v: {query: 'label_values(job)', include_all: false, all_value: x}\n",
            "all_value needs include_all",
        ),
        ("variables:\n  v: {type: interval, values: [1m], auto_count: 0}\n", "whole number"),
    ],
)
def test_a_mistake_is_one_clear_error(text: str, message: str) -> None:
    with pytest.raises(ConfigError) as caught:
        load(text)
    assert message in caught.value.message
    assert caught.value.message.startswith("panels.yaml:2: ")


def test_var_given_again_picks_several_values() -> None:
    from allintop.cli.options import variables

    assert variables(["job=a", "env=x", "job=b", "job=c"]) == {"job": ("a", "b", "c"), "env": "x"}
    with pytest.raises(ConfigError, match="not NAME=VALUE"):
        variables(["job"])
