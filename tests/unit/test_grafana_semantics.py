"""Named panels' unit, decimals, thresholds, value mappings and reducer, checked by
value against what Grafana shows for them: the repository's own (tests/fixtures/grafana),
then real dashboards of the public corpus (skipped without it)."""

from __future__ import annotations

import json
from functools import cache

from allintop.dashboard.grafana import convert as grafana
from allintop.dashboard.grafana.panels import PanelReport
from allintop.dashboard.model import Panel, Query
from allintop.values.mappings import ValueMapping, mapped
from allintop.values.reducers import reduce
from allintop.values.thresholds import Status, status_of
from allintop.values.units import format_value
from tests import corpus


@cache
def _reports(name: str) -> dict[str, PanelReport]:
    path = corpus.dashboard(name)
    converted = grafana.from_file(json.loads(path.read_text()), str(path))
    return {report.title: report for _, reports in converted.layout for report in reports}


def _panel(name: str, title: str) -> tuple[Query, Panel, PanelReport]:
    report = _reports(name)[title]
    assert report.panel is not None and report.queries
    return report.queries[0], report.panel, report


def _texts(panel: Query) -> tuple[str | None, str | None]:
    thresholds = panel.thresholds
    assert thresholds is not None
    return (
        thresholds.target and thresholds.target.text,
        thresholds.alert and thresholds.alert.text,
    )


# -- the repository's own dashboards ------------------------------------------------------

OWN = "fieldconfig.json"
LEGACY = "legacy-rows.json"


def test_a_percent_gauge_with_colour_steps_and_a_null_mapping() -> None:
    panel, tile, _ = _panel(OWN, "CPU busy")
    assert (tile.kind, panel.unit, panel.decimals) == ("gauge", "percent", 1)
    assert _texts(panel) == ("<85", ">=95")  # rgba green, orange from 85, red from 95
    assert (tile.min, tile.max) == (0.0, 100.0)  # none given: a percent gauge's own
    assert format_value(91.234, panel.unit, panel.decimals) == ("91.2", "%")
    assert [status_of(v, panel.thresholds) for v in (10, 85, 95)] == [
        Status.OK, Status.WARNING, Status.CRITICAL,
    ]  # fmt: skip
    assert mapped(None, tile.mappings) == ValueMapping("special", "N/A", special="null")


def test_percentage_steps_of_a_ratio_and_bar_gauges_of_zero_to_one() -> None:
    panel, tile, _ = _panel(OWN, "Pressure")
    assert (tile.kind, panel.unit, panel.decimals) == ("bargauge", "percentunit", 1)
    assert _texts(panel) == ("<0.7", ">=0.9")  # 70 % and 90 % of 0..1
    assert (tile.min, tile.max) == (0.0, 1.0)
    assert format_value(0.7531, panel.unit, panel.decimals) == ("75.3", "%")
    usage, usage_tile, _ = _panel(OWN, "RAM usage")
    assert (usage_tile.kind, usage.unit, usage.decimals, usage_tile.min, usage_tile.max) == (
        "bargauge", "percentunit", 2, 0.0, 1.0,
    )  # fmt: skip
    assert usage.thresholds is None  # coloured by a gradient, not by its steps
    assert format_value(0.4567, usage.unit, usage.decimals) == ("45.67", "%")


def test_a_stat_that_colours_nothing_has_no_thresholds() -> None:
    uptime, tile, _ = _panel(OWN, "Uptime")
    assert (uptime.unit, uptime.decimals, uptime.thresholds) == ("s", 1, None)
    assert (tile.min, tile.max, tile.graph) == (None, None, False)
    ram, _, _ = _panel(OWN, "RAM total")
    assert (ram.unit, ram.decimals) == ("bytes", 0)
    assert format_value(16 * 1024**3, ram.unit, ram.decimals) == ("16", "GiB")
    fixed, _, _ = _panel(OWN, "Fixed colour")
    assert fixed.thresholds is None  # Grafana colours it one fixed colour


def test_a_band_of_colours_is_approximated_and_said_so() -> None:
    panel, _, report = _panel(OWN, "Scrape success")
    assert panel.unit == "bool"
    assert _texts(panel) == (">=1", "<1")  # green, dark-red from 0, green from 1
    assert [status_of(v, panel.thresholds) for v in (0, 1)] == [Status.CRITICAL, Status.OK]
    assert format_value(1, panel.unit) == ("True", "")
    assert report.dropped == (
        "thresholds: colour steps ok, critical from 0, ok from 1 approximated as "
        "target >=1, alert <1",
    )


def test_yes_no_and_temperatures_and_time_series_steps() -> None:
    power, _, _ = _panel(OWN, "Power supply")
    assert (power.unit, format_value(1, power.unit), format_value(0, power.unit)) == (
        "bool_yes_no", ("Yes", ""), ("No", ""),
    )  # fmt: skip
    heat, tile, _ = _panel(OWN, "Temperature")
    assert (tile.kind, heat.unit, heat.thresholds, tile.min) == ("timeseries", "celsius", None, 0)
    assert format_value(48.5, heat.unit) == ("48.5", "°C")
    # Every new Grafana panel has steps, which a time series does not show...
    cpu, cpu_tile, _ = _panel(OWN, "CPU utilisation")
    assert (cpu_tile.kind, cpu.unit, cpu.thresholds) == ("timeseries", "percentunit", None)
    # ... unless it draws them.
    lines, _, _ = _panel(OWN, "Threshold lines")
    assert _texts(lines) == ("<250", ">=250")


def test_value_mappings_of_a_health_stat() -> None:
    panel, tile, _ = _panel(OWN, "Health")
    assert _texts(panel) == (">=1", "<1")
    assert [(m.value, m.text) for m in tile.mappings] == [("0", "DOWN"), ("1", "UP")]
    assert (mapped(1.0, tile.mappings) or ValueMapping("value", "")).text == "UP"
    assert (mapped(0.0, tile.mappings) or ValueMapping("value", "")).text == "DOWN"


def test_decimal_bytes_binary_rates_and_a_given_range() -> None:
    memory, _, _ = _panel(OWN, "Host memory")
    assert format_value(8e9, memory.unit) == ("8.00", "GB")  # decimal, as Grafana's
    network, _, _ = _panel(OWN, "Network received")
    assert format_value(3 * 1024**2, network.unit) == ("3.00", "MiB/s")
    ranged, tile, _ = _panel(OWN, "Ranged")
    assert (ranged.decimals, tile.min, tile.max) == (10, 10.0, 20.0)  # decimals 14: at most 10


def test_a_singlestats_thresholds_colours_and_value_name() -> None:
    panel, tile, _ = _panel(LEGACY, "Used swap")
    assert (tile.kind, panel.unit) == ("stat", "percent")
    assert _texts(panel) == ("<10", ">=25")  # thresholds "10,25", three rgba colours
    assert (tile.reducer, tile.graph, tile.min, tile.max) == ("lastNotNull", True, 0.0, 100.0)
    # mappingType 1: its value maps, not its range maps
    assert tile.mappings == (ValueMapping("special", "N/A", special="null"),)


def test_a_singlestats_average_and_hidden_gauge() -> None:
    panel, tile, _ = _panel(LEGACY, "Load average")
    assert (panel.unit, panel.decimals, tile.reducer) == ("percent", 2, "mean")  # "avg"
    assert _texts(panel) == ("<65", ">=90")
    cores, cores_tile, _ = _panel(LEGACY, "Cores")
    assert (cores.thresholds, cores_tile.min, cores_tile.max) == (None, None, None)
    assert reduce([None, 2.0, 4.0], tile.reducer) == 3.0


def test_a_reversed_singlestats_colours_fall_to_ok() -> None:
    panel, _, _ = _panel(LEGACY, "Targets online")
    assert _texts(panel) == (">=1", "<0")  # red, orange from 0, green from 1
    assert [status_of(v, panel.thresholds) for v in (-1, 0, 3)] == [
        Status.CRITICAL, Status.WARNING, Status.OK,
    ]  # fmt: skip


def test_singlestat_max_and_a_value_map() -> None:
    panel, tile, _ = _panel(LEGACY, "WAL corruptions")
    assert tile.reducer == "max"
    assert _texts(panel) == ("<0.1", ">=1")
    assert [(m.kind, m.value, m.text) for m in tile.mappings] == [("value", "0", "None")]


def test_graph_units_and_threshold_lines_below() -> None:
    memory, tile, report = _panel(LEGACY, "Memory")
    assert (tile.kind, memory.unit, memory.thresholds) == ("timeseries", "bytes", None)
    assert report.dropped == ("stacking: the series are drawn unstacked",)
    ratio, _, _ = _panel(LEGACY, "Success ratio")
    assert ratio.unit == "percentunit"  # its left axis' format
    assert _texts(ratio) == (">=0.8", "<0.5")  # lines below 0.5 and 0.8 fall to ok


def test_what_is_shown_otherwise_of_the_own_panels_is_only_what_they_ask_for() -> None:
    noted = {
        (report.title, line)
        for name in (OWN, LEGACY)
        for report in _reports(name).values()
        for line in report.dropped
        if line.startswith(("unit", "reducer"))
    }
    assert noted == {
        ("Odd", "unit 'furlongs': not one allintop knows, shown as the number, then 'furlongs'"),
        ("Odd", "reducer 'step': not computed here, the last value is shown instead"),
        ("Date", "unit 'dateTimeFromNow': shown as an ISO date and time, not as an age"),
    }
    assert _reports(OWN)["Odd"].dropped == (
        "unit 'furlongs': not one allintop knows, shown as the number, then 'furlongs'",
        "value mappings: a regex mapping: not supported",
        "reducer 'step': not computed here, the last value is shown instead",
        "field overrides of unit: each series shows the panel's own",
    )
    date = _reports(OWN)["Date"].panel
    assert date is not None and date.reducer == "p95"
    assert _reports(OWN)["Stacked"].dropped == (
        "transformations organize: panels.yaml has none",
        "stacking: the series are drawn unstacked",
    )


# -- the public corpus --------------------------------------------------------------------


def test_node_exporter_cpu_busy_gauge() -> None:
    panel, tile, _ = _panel("node-exporter-full-latest.json", "CPU Busy")
    assert (tile.kind, panel.unit, panel.decimals) == ("gauge", "percent", 1)
    assert _texts(panel) == ("<85", ">=95")  # green, rgba orange 85, red 95
    assert (tile.min, tile.max) == (0.0, 100.0)
    assert format_value(91.234, panel.unit, panel.decimals) == ("91.2", "%")
    assert [status_of(v, panel.thresholds) for v in (10, 85, 95)] == [
        Status.OK, Status.WARNING, Status.CRITICAL,
    ]  # fmt: skip
    assert mapped(None, tile.mappings) == ValueMapping("special", "N/A", special="null")


def test_node_exporter_pressure_is_a_ratio_shown_in_percent() -> None:
    panel, tile, _ = _panel("node-exporter-full-latest.json", "Pressure")
    assert (tile.kind, panel.unit, panel.decimals) == ("bargauge", "percentunit", 1)
    assert _texts(panel) == ("<0.7", ">=0.9")  # percent steps of a 0..1 range
    assert (tile.min, tile.max) == (0.0, 1.0)
    assert format_value(0.7531, panel.unit, panel.decimals) == ("75.3", "%")


def test_node_exporter_uptime_and_totals() -> None:
    uptime, tile, _ = _panel("node-exporter-full-latest.json", "Uptime")
    assert (uptime.unit, uptime.decimals, uptime.thresholds) == ("s", 1, None)
    assert (tile.min, tile.max) == (None, None)
    ram, _, _ = _panel("node-exporter-full-latest.json", "RAM Total")
    assert (ram.unit, ram.decimals) == ("bytes", 0)
    assert format_value(16 * 1024**3, ram.unit, ram.decimals) == ("16", "GiB")


def test_node_exporter_scrape_band_of_colours_is_approximated() -> None:
    panel, _, report = _panel("node-exporter-full-latest.json", "Node Exporter Scrape")
    assert panel.unit == "bool"
    assert _texts(panel) == (">=1", "<1")  # green, dark-red from 0, green from 1
    assert [status_of(v, panel.thresholds) for v in (0, 1)] == [Status.CRITICAL, Status.OK]
    assert format_value(1, panel.unit) == ("True", "")
    assert any("approximated" in line for line in report.dropped)


def test_node_exporter_yes_no_and_temperatures() -> None:
    power, _, _ = _panel("node-exporter-full-latest.json", "Power Supply")
    assert (power.unit, format_value(1, power.unit), format_value(0, power.unit)) == (
        "bool_yes_no", ("Yes", ""), ("No", ""),
    )  # fmt: skip
    heat, tile, _ = _panel("node-exporter-full-latest.json", "Hardware Temperature Monitor")
    assert (tile.kind, heat.unit, heat.thresholds) == ("timeseries", "celsius", None)
    assert format_value(48.5, heat.unit) == ("48.5", "°C")


def test_singlestat_thresholds_colours_and_value_name() -> None:
    panel, tile, _ = _panel("node-exporter-full-2020-rows.json", "Used SWAP")
    assert (tile.kind, panel.unit) == ("stat", "percent")
    assert _texts(panel) == ("<10", ">=25")  # thresholds "10,25", three rgba colours
    assert tile.reducer == "lastNotNull"  # valueName "current"


def test_singlestat_average_and_hidden_gauge() -> None:
    panel, tile, _ = _panel("docker-containers-dockprom.json", "CPU Load")
    assert (panel.unit, panel.decimals, tile.reducer) == ("percent", 2, "mean")  # "avg"
    assert _texts(panel) == ("<65", ">=90")
    cores, cores_tile, _ = _panel("docker-containers-dockprom.json", "CPU Cores")
    assert (cores.thresholds, cores_tile.min, cores_tile.max) == (None, None, None)
    assert reduce([None, 2.0, 4.0], tile.reducer) == 3.0


def test_reversed_singlestat_colours_fall_to_ok() -> None:
    panel, _, _ = _panel("docker-prometheus-monitoring-179.json", "Targets Online")
    assert _texts(panel) == (">=1", "<0")  # red, orange from 0, green from 1
    assert [status_of(v, panel.thresholds) for v in (-1, 0, 3)] == [
        Status.CRITICAL, Status.WARNING, Status.OK,
    ]  # fmt: skip


def test_coredns_health_value_mappings() -> None:
    panel, tile, _ = _panel("k8s-system-coredns-dotdc.json", "CoreDNS - Health Status")
    assert _texts(panel) == (">=1", "<1")
    assert [(m.value, m.text) for m in tile.mappings] == [("0", "DOWN"), ("1", "UP")]
    assert (mapped(1.0, tile.mappings) or ValueMapping("value", "")).text == "UP"
    assert (mapped(0.0, tile.mappings) or ValueMapping("value", "")).text == "DOWN"


def test_grafana_7_stat_max_and_type_1_mapping() -> None:
    panel, tile, _ = _panel("prometheus-2-stats-grafana7.json", "WAL Corruptions")
    assert tile.reducer == "max"
    assert _texts(panel) == ("<0.1", ">=1")
    assert [(m.kind, m.value, m.text) for m in tile.mappings] == [("value", "0", "None")]


def test_percentunit_bar_gauges_span_zero_to_one() -> None:
    panel, tile, _ = _panel("k8s-views-global-dotdc.json", "Global RAM Usage")
    assert (tile.kind, panel.unit, panel.decimals, tile.min, tile.max) == (
        "bargauge", "percentunit", 2, 0.0, 1.0,
    )  # fmt: skip
    assert format_value(0.4567, panel.unit, panel.decimals) == ("45.67", "%")


def test_time_series_default_steps_are_not_thresholds() -> None:
    # Every new Grafana panel has steps green, red 80, which a time series does not show.
    panel, tile, _ = _panel("k8s-views-global-dotdc.json", "Cluster CPU Utilization")
    assert (tile.kind, panel.unit, panel.thresholds) == ("timeseries", "percentunit", None)


def test_decbytes_and_binary_rates() -> None:
    memory, _, _ = _panel("docker-prometheus-monitoring-179.json", "Host Memory")
    assert format_value(8e9, memory.unit) == ("8.00", "GB")  # decimal, as Grafana's
    network, _, _ = _panel("k8s-views-global-dotdc.json", "Network Received by namespace")
    assert format_value(3 * 1024**2, network.unit) == ("3.00", "MiB/s")


def test_no_fixture_panel_names_a_unit_or_reducer_allintop_does_not_know() -> None:
    for path in sorted(corpus.require().glob("*.json")):
        for report in _reports(path.name).values():
            lines = [line for line in report.dropped if line.startswith(("unit", "reducer"))]
            assert not lines, (path.name, report.title, lines)


def _synthetic(**panel: object) -> PanelReport:
    board = {
        "title": "Synthetic",
        "panels": [
            {"title": "P", "targets": [{"refId": "A", "expr": "up"}], "type": "stat", **panel}
        ],
    }
    converted = grafana.from_file(board, "synthetic.json")
    return converted.layout[0][1][0]


def test_what_is_shown_otherwise_is_listed() -> None:
    report = _synthetic(
        fieldConfig={
            "defaults": {
                "unit": "furlongs",
                "mappings": [{"type": "regex", "options": {"pattern": "x", "result": {}}}],
            },
            "overrides": [{"matcher": {}, "properties": [{"id": "unit", "value": "s"}]}],
        },
        options={"reduceOptions": {"calcs": ["step"]}},
    )
    assert report.dropped == (
        "unit 'furlongs': not one allintop knows, shown as the number, then 'furlongs'",
        "value mappings: a regex mapping: not supported",
        "reducer 'step': not computed here, the last value is shown instead",
        "field overrides of unit: each series shows the panel's own",
    )
    assert report.panel is not None and report.panel.reducer == "lastNotNull"


def test_decimals_are_clamped_and_stat_colour_modes_respected() -> None:
    base, red = {"color": "green", "value": None}, {"color": "red", "value": 5}
    steps = {"mode": "absolute", "steps": [base, red]}
    report = _synthetic(fieldConfig={"defaults": {"decimals": 14, "thresholds": steps}})
    assert report.queries[0].decimals == 10
    assert report.queries[0].thresholds is not None
    fixed = _synthetic(fieldConfig={"defaults": {"thresholds": steps, "color": {"mode": "fixed"}}})
    assert fixed.queries[0].thresholds is None  # Grafana colours it one fixed colour
    graph = _synthetic(
        type="graph",
        yaxes=[{"format": "percentunit"}, {"format": "short"}],
        thresholds=[{"op": "lt", "value": 0.5, "colorMode": "critical"},
                    {"op": "lt", "value": 0.8, "colorMode": "warning"}],
    )  # fmt: skip
    assert graph.queries[0].unit == "percentunit"
    assert _texts(graph.queries[0]) == (">=0.8", "<0.5")
