"""Which dashboard allintop shows when no config was given (allintop.cli.choice)."""

from __future__ import annotations

from pathlib import Path

import pytest

from allintop.cli import choice
from allintop.dashboard import trimming
from allintop.dashboard.loading import (
    GENERIC_NAME,
    bundled_default_path,
    bundled_path,
    discover,
    load_dashboard,
    load_text,
)
from allintop.dashboard.model import Dashboard
from allintop.errors import ConfigError
from allintop.promql.parse import may_select, metric_names, parse_error
from allintop.sources.prometheus import PrometheusClient
from tests.faultserver import closed_port

ALLIN = load_dashboard(bundled_default_path())
GENERIC = load_dashboard(bundled_path(GENERIC_NAME))
GENERIC_NAMES = trimming.metric_names(GENERIC)
NODE_NAMES = frozenset(name for name in GENERIC_NAMES if name.startswith("node_"))


def titles(dashboard: Dashboard) -> list[str]:
    return [panel.title for panel in dashboard.queries]


def test_the_generic_overview_reads_scrapes_prometheus_and_node_exporter() -> None:
    rows = [row.title for row in GENERIC.rows]
    assert rows == ["Scrape Targets", "Prometheus", "Node"]
    assert {"up", "scrape_duration_seconds", "prometheus_tsdb_head_series"} <= GENERIC_NAMES
    assert {"node_cpu_seconds_total", "node_load1"} <= NODE_NAMES
    # None of them is an AllIN metric, or the choice could never pick it.
    assert not trimming.metric_names(ALLIN) & GENERIC_NAMES
    assert "allin_http_requests_total" in trimming.metric_names(ALLIN)


def test_name_selector_is_one_valid_selector_for_exactly_those_names() -> None:
    selector = choice.name_selector(["up", "node_load1", 'odd"name'])
    assert parse_error(selector) is None
    assert metric_names(selector) == frozenset()  # a regex names no one metric
    assert may_select(selector, "__name__", "up")
    assert may_select(selector, "__name__", 'odd"name')
    assert not may_select(selector, "__name__", "up2")
    assert not may_select(selector, "__name__", "node_load15")


def test_a_server_with_an_allin_metric_keeps_the_allin_overview() -> None:
    known = GENERIC_NAMES | {"allin_active_connections"}
    chosen = choice.choose(ALLIN, GENERIC, known, "prom:9090")
    assert chosen is ALLIN and chosen.notice is None


def test_a_server_that_cannot_be_asked_keeps_the_allin_overview() -> None:
    assert choice.choose(ALLIN, GENERIC, None, "prom:9090") is ALLIN


def test_a_server_without_allin_metrics_gets_the_generic_overview_and_is_told() -> None:
    chosen = choice.choose(ALLIN, GENERIC, GENERIC_NAMES, "prom:9090")
    assert chosen.title == "Prometheus Overview"
    assert titles(chosen) == titles(GENERIC)
    assert chosen.notice is not None
    for words in ("prom:9090", "none of the AllIN metrics", "generic Prometheus overview"):
        assert words in chosen.notice
    for how in ("-c FILE", "$ALLINTOP_CONFIG", "-c allin-overview"):
        assert how in chosen.notice


def test_without_node_exporter_the_node_row_is_left_out() -> None:
    chosen = choice.choose(ALLIN, GENERIC, GENERIC_NAMES - NODE_NAMES, "prom:9090")
    assert [row.title for row in chosen.rows] == ["Scrape Targets", "Prometheus"]


def test_a_panel_goes_when_any_metric_it_reads_is_missing() -> None:
    known = GENERIC_NAMES - {
        "node_memory_MemTotal_bytes",
        "prometheus_rule_evaluation_failures_total",
    }
    trimmed = trimming.trim(GENERIC, known)
    assert "Memory Used" not in titles(trimmed)  # reads MemAvailable / MemTotal
    assert "Rule Failures" not in titles(trimmed)  # no rules loaded: no series
    assert len(trimmed.queries) == len(GENERIC.queries) - 2
    # What stays is unchanged, variables and all.
    assert trimmed.variables == GENERIC.variables and trimmed.refresh == GENERIC.refresh


def test_trimming_everything_away_keeps_the_whole_dashboard() -> None:
    assert trimming.trim(GENERIC, frozenset()) is GENERIC


def test_a_panel_whose_names_cannot_be_read_is_kept() -> None:
    dashboard = load_text(
        "rows:\n  - title: A\n    panels:\n"
        "      - {title: unreadable, expr: 'rate(up[5m]'}\n"
        "      - {title: gone, expr: 'missing_metric'}\n"
        "      - {title: kept, expr: 'up'}\n",
        "test.yaml",
    )
    assert titles(trimming.trim(dashboard, frozenset({"up"}))) == ["unreadable", "kept"]


def test_grafanas_built_ins_are_filled_in_before_the_names_are_read() -> None:
    dashboard = load_text(
        "rows:\n  - title: A\n    panels:\n"
        "      - {title: builtin, expr: 'rate(missing_total[$__rate_interval])'}\n"
        "      - {title: kept, expr: 'rate(up[$__rate_interval])'}\n",
        "test.yaml",
    )
    assert titles(trimming.trim(dashboard, frozenset({"up"}))) == ["kept"]


# -- pick: only without any config, and never without an answer -----------------------


@pytest.fixture
def empty(tmp_path: Path) -> Path:
    """A working directory and home without any panels.yaml."""
    return tmp_path


def closed_client_factory(calls: list[str]):
    def make() -> PrometheusClient:
        calls.append("asked")
        return PrometheusClient(f"http://127.0.0.1:{closed_port()}", timeout=2)

    return make


def test_pick_leaves_a_found_config_alone_without_asking_the_server(empty: Path) -> None:
    (empty / "panels.yaml").write_text("rows: []\n")
    calls: list[str] = []
    told: list[str] = []
    make = closed_client_factory(calls)
    assert choice.pick(ALLIN, None, {}, make, told.append, cwd=empty, home=empty) is ALLIN
    env = {"ALLINTOP_CONFIG": str(empty / "panels.yaml")}
    assert choice.pick(ALLIN, None, env, make, told.append, cwd=empty / "x", home=empty) is ALLIN
    named = choice.pick(ALLIN, "panels.yaml", {}, make, told.append, cwd=empty, home=empty)
    assert named is ALLIN
    assert calls == [] and told == []


def test_pick_keeps_the_allin_overview_when_the_server_is_unreachable(empty: Path) -> None:
    calls: list[str] = []
    told: list[str] = []
    make = closed_client_factory(calls)
    assert choice.pick(ALLIN, None, {}, make, told.append, cwd=empty, home=empty) is ALLIN
    assert calls == ["asked"] and told == []


# -- bundled dashboards by name ----------------------------------------------------


def test_c_accepts_the_bundled_dashboards_by_name(empty: Path) -> None:
    found = discover("prometheus-overview", {}, empty, empty)
    assert found == bundled_path(GENERIC_NAME) and found.is_file()
    assert discover("allin-overview", {}, empty, empty) == bundled_default_path()
    env = {"ALLINTOP_CONFIG": "prometheus-overview"}
    assert discover(None, env, empty, empty) == bundled_path(GENERIC_NAME)
    # A file of that name is still the file.
    (empty / "prometheus-overview").write_text("rows: []\n")
    assert discover("prometheus-overview", {}, empty, empty) == empty / "prometheus-overview"


def test_a_missing_config_names_the_bundled_dashboards(empty: Path) -> None:
    with pytest.raises(ConfigError) as caught:
        discover("no-such.yaml", {}, empty, empty)
    assert "prometheus-overview" in str(caught.value.hint)
