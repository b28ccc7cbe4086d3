"""Grafana's template variables as allintop's (allintop.dashboard.grafana.variables):
each kind by value, and the queries their panels then make, on the repository's own
dashboards (tests/fixtures/grafana); then on real dashboards of the public corpus
(skipped without it)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from allintop.dashboard import templating
from allintop.dashboard.grafana import convert as grafana
from allintop.dashboard.grafana import to_yaml as grafana_import
from allintop.dashboard.loading import load_dashboard, load_text
from allintop.dashboard.model import Dashboard, Variable
from allintop.dashboard.panels_yaml.variables import placeholder_values
from allintop.promql.variable_values import AsWritten
from tests import corpus


def load(name: str) -> Dashboard:
    return load_dashboard(corpus.dashboard(name))


def variables(name: str) -> dict[str, Variable]:
    return {v.name: v for v in load(name).variables}


# -- the repository's own dashboards --------------------------------------------------


def test_query_variables_by_value() -> None:
    found = variables("variables.json")
    assert found["job"] == Variable(
        "job",
        query="label_values(up, job)",  # Grafana 8's {"query": ..., "refId": ...}
        default="all",  # saved as ["$__all"]
        multi=True,
        include_all=True,
        all_value=".+",
        sort="alphabetical",
        label="Job",
    )
    # No "All", and no value until its options are asked for.
    assert found["instance"] == Variable(
        "instance",
        query='label_values(up{job=~"$job"}, instance)',
        default="",
        regex="/([^:]+):\\d+/",
        sort="alphabetical-desc",
    )
    assert templating.depends(found["instance"]) == {"job"}
    assert found["quantile"] == Variable(
        "quantile",
        query='query_result({__name__=~"prometheus_.*_seconds", quantile!=""})',
        default="",
        regex='/quantile="([^"]+)"/',
        sort="alphabetical",
        label="Quantile",
    )


def test_custom_interval_constant_and_textbox_variables_by_value() -> None:
    found = variables("variables.json")
    assert found["env"] == Variable(
        "env",
        values=("prod", "stg", "a,b"),  # "text : value" pairs, and an escaped comma
        default=("prod", "stg"),
        kind="custom",
        multi=True,
        include_all=True,
        all_value="prod|stg",
    )
    assert found["resolution"] == Variable(
        "resolution", values=("1s", "15s", "30s", "1m"), default="30s", kind="custom"
    )
    assert found["interval"] == Variable(
        "interval",
        values=("1m", "10m", "30m", "1h"),
        default="auto",  # saved as $__auto_interval_interval
        kind="interval",
        auto=True,
        auto_count=300,
        auto_min="1m",
        label="Aggregation interval",
    )
    # A duration PromQL cannot read ("fortnight") is no option.
    assert found["window"] == Variable("window", values=("5m", "1h"), default="1h", kind="interval")
    assert found["cluster"] == Variable(
        "cluster", values=("eu-1",), default="eu-1", kind="constant"
    )
    assert found["filter"] == Variable("filter", default="web", kind="textbox")
    assert found["empty"] == Variable("empty", default="default text", kind="textbox")


def test_a_constant_of_an_export_is_filled_in_from_its_inputs() -> None:
    found = variables("export.json")
    assert found["label"] == Variable(
        "label", values=("job",), default="job", kind="constant", label="Label"
    )
    assert templating.depends(found["value"]) == {"label"}
    dashboard = load("export.json")
    assert templating.exprs(dashboard, dashboard.variable_values())[1] == (
        'sum by (job) (up{job=~".*"})'
    )


def test_what_of_the_variables_is_not_carried_over_is_said() -> None:
    path = corpus.own("variables.json")
    converted = grafana.from_file(json.loads(path.read_text()), str(path))
    found = {v.name: v for v in converted.dashboard.variables}
    assert {"datasource", "filters", "__private"}.isdisjoint(found)
    # A query allintop cannot ask: the value it was saved with; a regex it cannot read:
    # the options unfiltered.
    assert (found["odd"].query, found["odd"].default, found["odd"].include_all) == (
        None,
        "a",
        True,
    )
    assert (found["bad"].query, found["bad"].regex) == ("label_values(job)", None)
    assert converted.dropped == (
        "variable datasource (datasource): every one is the default datasource",
        "variable filters (adhoc): panels.yaml has no such kind",
        "variable odd (query): unsupported variable query \"up{job='x'}\": write "
        "label_values(metric, label), label_values(label), label_names(), metrics(regex) "
        "or query_result(promql): its value is the one it was saved with, else all",
        "variable bad (query): its regex '(': missing ), unterminated subpattern at "
        "position 0: its options are not filtered",
        "variable __private (custom): panels.yaml has no such kind",
        "annotation 'Annotations & Alerts': Grafana's built-in annotations (kept in "
        "Grafana): not shown",
        "dashboard links: panels.yaml has none",
    )


def test_a_query_result_variable_panel_queries_the_value_picked() -> None:
    dashboard = load("variables.json")
    assert dashboard.notice is None
    title = "$quantile quantile of request duration"
    picks = dashboard.variable_values({"quantile": "0.99"})
    assert templating.exprs(dashboard, picks)[0] == (
        "histogram_quantile(0.99, sum by (le) (rate(http_request_duration_seconds_bucket"
        '{job=~".+"}[1m])))'  # job's allValue; the auto interval over the last hour
    )
    # Until its options are asked for, $quantile stays as written, for Prometheus to name.
    unsettled = templating.exprs(dashboard, dashboard.variable_values())
    assert dashboard.queries[0].title == title
    assert unsettled[0].startswith("histogram_quantile($quantile,")


def test_a_chain_of_query_variables_is_asked_in_order() -> None:
    found = variables("node.json")
    assert [(v.name, v.query, v.default, v.include_all) for v in found.values()][:2] == [
        ("job", "label_values(node_uname_info, job)", "", False),
        ("node", 'label_values(node_uname_info{job="$job"}, instance)', "", False),
    ]
    chain = tuple(found.values())
    assert templating.dependents(chain, {"job"}) == {"node"}
    assert templating.needed_at_start(chain, {v.name: v.default for v in chain}) == (
        "job",
        "node",
    )
    # Listed before the variable it depends on, a variable is still asked after it.
    listed = tuple(variables("variables.json").values())
    assert [v.name for v in listed][:2] == ["instance", "job"]
    assert templating.refresh_order(listed, {"instance", "job"}) == ("job", "instance")


def test_a_single_custom_value_goes_into_its_matcher_as_the_regex_it_is() -> None:
    dashboard = load("variables.json")
    filled = placeholder_values(dashboard.variables)
    assert filled["devices"] == AsWritten("[a-z]+|nvme[0-9]+n[0-9]+")
    exprs = templating.exprs(dashboard, dashboard.variable_values())
    assert exprs[1] == (
        'rate(node_disk_reads_completed_total{device=~"[a-z]+|nvme[0-9]+n[0-9]+", '
        'cluster="eu-1"}[30s])'
    )


def test_saved_picks_go_into_the_queries() -> None:
    dashboard = load("variables.json")
    exprs = templating.exprs(dashboard, dashboard.variable_values())
    assert exprs[2] == 'sum(up{env=~"(prod|stg)", instance=~"$instance"})'
    assert exprs[3] == 'sum(rate(http_requests_total{handler=~"web", job=~".+"}[1h]))'
    # An interval variable's value in a range selector, and "all" of a custom one.
    picks = dashboard.variable_values({"window": "5m", "env": "all", "instance": "h"})
    exprs = templating.exprs(dashboard, picks)
    assert exprs[2] == 'sum(up{env=~"prod|stg", instance=~"h"})'  # its allValue
    assert exprs[3].endswith("[5m]))")


# -- the public corpus ------------------------------------------------------------------


def test_fusaklas_constant_intervals_and_query_result() -> None:
    found = variables("prometheus2-fusakla-3681.json")
    assert list(found) == [
        "instance",
        "custom_label_name",
        "custom_label_value",
        "aggregation_interval",
        "quantile",
        "long_term_interval",
    ]
    assert found["instance"] == Variable(
        "instance",
        query="label_values(prometheus_build_info, instance)",
        default="all",
        multi=True,
        include_all=True,
        sort="alphabetical-desc",
        label="Observed instance",
    )
    # The constant is filled in from the export's __inputs (its value there: "job").
    assert found["custom_label_name"] == Variable(
        "custom_label_name",
        values=("job",),
        default="job",
        kind="constant",
        label="Custom label name",
    )
    assert found["custom_label_value"].query == (
        "label_values(prometheus_build_info, $custom_label_name)"
    )
    assert templating.depends(found["custom_label_value"]) == {"custom_label_name"}
    assert found["aggregation_interval"] == Variable(
        "aggregation_interval",
        values=("1m", "10m", "30m", "1h", "6h", "12h", "1d", "7d", "14d", "30d"),
        default="auto",  # saved as $__auto_interval_aggregation_interval
        kind="interval",
        auto=True,
        auto_count=300,
        auto_min="1m",
        label="Aggregation intarval",
    )
    # No "All", and no value until its options are asked for.
    assert found["quantile"] == Variable(
        "quantile",
        query='query_result({__name__=~"prometheus_.*_seconds"})',
        default="",
        regex='/quantile="([^"]+)"/',
        sort="alphabetical",
        label="Quantile",
    )
    assert found["long_term_interval"].default == "3d"


def test_fusaklas_quantile_panels_are_shown_and_query_the_quantile_picked() -> None:
    # They were "not supported": $quantile had "all" for a value, and .* landed in
    # histogram_quantile's number.
    dashboard = load("prometheus2-fusakla-3681.json")
    assert dashboard.notice is None
    titles = [panel.title for panel in dashboard.queries]
    assert "$quantile quantile of HTTP request duration per handler" in titles
    picks = dashboard.variable_values({"quantile": "0.99"})
    exprs = dict(zip(titles, templating.exprs(dashboard, picks), strict=False))
    assert exprs["$quantile quantile of HTTP request duration per handler"] == (
        "histogram_quantile(0.99, sum(increase(prometheus_http_request_duration_seconds_bucket"
        '{instance=~".*",job=~".*"}[1m])) by (le,instance, handler))'
    )
    # Until its options are asked for, $quantile stays as written, for Prometheus to name.
    unsettled = templating.exprs(dashboard, dashboard.variable_values())
    assert (
        "histogram_quantile($quantile,"
        in unsettled[titles.index("$quantile quantile of HTTP request duration per handler")]
    )
    assert (
        'job=~".*", quantile="0.99"}'
        in exprs["$quantile quantile of query engine evaluation duration per slice"]
    )


def test_node_exporter_fulls_chain_job_nodename_instance() -> None:
    found = variables("node-exporter-full-latest.json")
    assert [(v.name, v.query, v.default, v.include_all) for v in found.values()] == [
        ("job", "label_values(node_uname_info, job)", "", False),
        ("nodename", 'label_values(node_uname_info{job="$job"}, nodename)', "", False),
        (
            "node",
            'label_values(node_uname_info{job="$job", nodename="$nodename"}, instance)',
            "",
            False,
        ),
    ]
    chain = tuple(found.values())
    assert templating.dependents(chain, {"job"}) == {"nodename", "node"}
    assert templating.dependents(chain, {"nodename"}) == {"node"}
    assert templating.needed_at_start(chain, {v.name: v.default for v in chain}) == (
        "job",
        "nodename",
        "node",
    )


def test_a_custom_regex_goes_into_its_matcher_as_the_regex_it_is() -> None:
    dashboard = load("node-exporter-full-2022-graph.json")
    disks = next(v for v in dashboard.variables if v.name == "diskdevices")
    assert disks == Variable(
        "diskdevices",
        values=("[a-z]+|nvme[0-9]+n[0-9]+|mmcblk[0-9]+",),
        default="[a-z]+|nvme[0-9]+n[0-9]+|mmcblk[0-9]+",
        kind="custom",
    )
    filled = placeholder_values(dashboard.variables)
    assert filled["diskdevices"] == AsWritten("[a-z]+|nvme[0-9]+n[0-9]+|mmcblk[0-9]+")
    picks = dashboard.variable_values({"job": "node", "node": "h:9100"})
    disk = [
        e for e in templating.exprs(dashboard, picks) if "node_disk_reads_completed_total" in e
    ][0]
    assert 'device=~"[a-z]+|nvme[0-9]+n[0-9]+|mmcblk[0-9]+"' in disk


def test_k8s_custom_resolution_and_a_multi_value_job_under_cluster() -> None:
    found = variables("k8s-views-global-dotdc.json")
    assert found["resolution"] == Variable(
        "resolution",
        values=("1s", "15s", "30s", "1m", "3m", "5m"),
        default="30s",
        kind="custom",
    )
    job = found["job"]
    assert (job.query, job.multi, job.include_all, job.default) == (
        'label_values(node_cpu_seconds_total{cluster="$cluster"},job)',
        True,
        False,
        "",
    )
    assert templating.depends(job) == {"cluster"}


def test_saved_all_picks_and_an_interval_in_a_range_selector() -> None:
    found = variables("docker-prometheus-monitoring-179.json")
    assert found["interval"] == Variable(
        "interval",
        values=("1m", "10m", "30m", "1h", "6h", "12h", "1d", "7d", "14d", "30d"),
        default="1m",
        kind="interval",
        label="interval",
    )
    assert [(n, found[n].default, found[n].multi) for n in ("node", "env", "name")] == [
        ("node", "all", True),
        ("env", "all", True),
        ("name", "all", True),
    ]
    chain = tuple(found.values())
    assert templating.refresh_order(chain, {"node", "env", "name"}) == ("env", "name", "node")


@pytest.mark.parametrize(
    "key", [*(f"own/{p.name}" for p in sorted(corpus.OWN.glob("*.json"))), *corpus.names()]
)
def test_every_fixtures_variables_load_back_from_import_grafana(key: str) -> None:
    path = corpus.own(key[4:]) if key.startswith("own/") else corpus.path(key)
    converted = grafana_import.convert(path.read_text(), str(path))
    back = load_text(grafana_import.to_yaml(converted, path.name), "back.yaml")
    assert back.variables == converted.dashboard.variables


# -- each kind, and what is not carried over ------------------------------------------


def _board(*variables: dict[str, Any], expr: str = "up", **target: Any) -> dict[str, Any]:
    return {
        "title": "Vars",
        "templating": {"list": list(variables)},
        "panels": [
            {
                "type": "stat",
                "title": "P",
                "gridPos": {"x": 0, "y": 0, "w": 6, "h": 4},
                "targets": [{"refId": "A", "expr": expr, **target}],
            }
        ],
    }


def _from(board: dict[str, Any]) -> grafana.Converted:
    return grafana.from_file(json.loads(json.dumps(board)), "board.json")


def test_textbox_custom_pairs_multi_picks_and_all_value() -> None:
    converted = _from(
        _board(
            {"name": "filter", "type": "textbox", "query": "api.*", "current": {"value": "web"}},
            {"name": "empty", "type": "textbox", "query": "default text"},
            {
                "name": "env",
                "type": "custom",
                "query": "Production : prod, Staging : stg,a\\,b",
                "multi": True,
                "includeAll": True,
                "allValue": "prod|stg",
                "current": {"value": ["prod", "stg"]},
            },
            {
                "name": "host",
                "type": "query",
                "query": {"query": "label_values(up, instance)", "refId": "A"},
                "regex": "/(?<value>[^:]+):.*/",
                "includeAll": True,
                "current": {"text": "All", "value": ["$__all"]},
            },
        )
    )
    found = {v.name: v for v in converted.dashboard.variables}
    assert found["filter"] == Variable("filter", default="web", kind="textbox")
    assert found["empty"] == Variable("empty", default="default text", kind="textbox")
    assert found["env"] == Variable(
        "env",
        values=("prod", "stg", "a,b"),
        default=("prod", "stg"),
        kind="custom",
        multi=True,
        include_all=True,
        all_value="prod|stg",
    )
    assert found["host"].regex == "/(?<value>[^:]+):.*/"
    assert found["host"].default == "all"
    assert converted.dropped == ()


def test_what_cannot_be_carried_over_is_said() -> None:
    converted = _from(
        _board(
            {"name": "filters", "type": "adhoc"},
            {"name": "odd", "type": "query", "query": "up{job='x'}", "current": {"value": "a"}},
            {"name": "bad", "type": "query", "query": "label_values(job)", "regex": "/(/"},
            {"name": "ds", "type": "datasource", "query": "prometheus"},
        )
    )
    found = {v.name: v for v in converted.dashboard.variables}
    assert "filters" not in found
    assert (found["odd"].query, found["odd"].default) == (None, "a")
    assert (found["bad"].query, found["bad"].regex) == ("label_values(job)", None)
    dropped = "\n".join(converted.dropped)
    assert "variable filters (adhoc): panels.yaml has no such kind" in dropped
    assert "variable odd (query): unsupported variable query" in dropped
    assert "variable bad (query): its regex '(': " in dropped
    assert "variable ds (datasource): every one is the default datasource" in dropped


@pytest.mark.parametrize(
    "reference",
    [
        {"type": "__expr__", "uid": "__expr__"},
        {"type": "__expr__", "uid": "some-uid", "name": "Expression"},
        "__expr__",
        "Expression",
        "-100",
    ],
)
def test_a_server_side_expression_is_named_not_sent(reference: object) -> None:
    board = _board()
    board["panels"][0]["datasource"] = "-- Mixed --"
    board["panels"][0]["targets"].append(
        {"refId": "B", "datasource": reference, "type": "math", "expression": "$A * 2"}
    )
    converted = _from(board)
    assert [p.expr for p in converted.dashboard.queries] == ["up"]  # B is not queried
    assert "P: a server-side expression (__expr__): not supported" in converted.unsupported
