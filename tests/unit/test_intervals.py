"""Grafana's $__interval and $__rate_interval: the arithmetic (allintop.promql.intervals),
each query's inputs (allintop.dashboard.timing: chart width, maxDataPoints, min
interval, the datasource's scrape interval), the scrape interval learnt from the
targets, and where the settings come from (panels.yaml, Grafana's JSON and API)."""

from __future__ import annotations

import asyncio
import time

import pytest

from allintop.dashboard import templating, timing
from allintop.dashboard.datasource import Auth
from allintop.dashboard.grafana import convert as grafana
from allintop.dashboard.grafana.to_yaml import to_yaml
from allintop.dashboard.loading import load_text
from allintop.errors import ConfigError, Unreachable
from allintop.live.queries import Queries
from allintop.live.scrapes import ask_scrape_intervals, scrape_intervals
from allintop.promql.intervals import Intervals, grafana_intervals, rate_interval
from allintop.sources.answers import Target
from allintop.sources.grafana import sources

# -- Grafana's arithmetic -------------------------------------------------------------------


def test_grafanas_rate_interval_for_a_15s_scrape_and_a_15s_interval_is_a_minute() -> None:
    assert rate_interval(15, 15) == 60  # max(15 + 15, 4 x 15)


def test_grafanas_intervals_for_a_1s_scrape_over_an_hour_in_200_points() -> None:
    assert grafana_intervals(3600, points=200, scrape=1) == Intervals(18, 19)


@pytest.mark.parametrize(
    ("range_", "points", "scrape", "least", "expected"),
    [
        # Never below the scrape interval: 15 m in 200 points is 4.5 s, a 15 s scrape.
        (900, 200, 15, None, Intervals(15, 60)),
        # A long range: the range over the points, plus a scrape.
        (86400, 200, 15, None, Intervals(432, 447)),
        # The panel's min interval is the lower limit and stands for the scrape
        # interval in the rate window (Grafana's "Min step").
        (900, 200, 15, 60, Intervals(60, 240)),
        (3600, 200, 1, 5, Intervals(18, 23)),
        (3600, 100, 1, None, Intervals(36, 37)),
    ],
)
def test_grafanas_intervals(
    range_: float, points: int, scrape: float, least: float | None, expected: Intervals
) -> None:
    assert grafana_intervals(range_, points, scrape, least) == expected


# -- each query's inputs ----------------------------------------------------------------------

BOARD = """\
refresh: 1m
range: 1h
datasources:
  fast: {url: "http://fast:9090", default: true}
  set: {url: "http://set:9090", scrape_interval: 30s}
rows:
  - title: R
    panels:
      - {title: card, expr: "rate(x[$__rate_interval])"}
      - {title: chart, kind: timeseries, width: 12, expr: "rate(x[$__rate_interval])"}
      - {title: points, width: 12, max_data_points: 100, expr: "rate(x[$__rate_interval])"}
      - {title: min, width: 12, interval: 1m, expr: "rate(x[$__rate_interval])"}
      - {title: settings, datasource: set, width: 12, expr: "rate(x[$__rate_interval])"}
"""


def test_max_data_points_are_the_panels_width_in_grafanas_pixels() -> None:
    dashboard = load_text(BOARD, "panels.yaml")
    # 200 columns: the card one of a line of 5, a fifth of Grafana's 1800 pixels; a
    # half-width panel 900 of them (maxDataPoints, where given, is applied after).
    assert timing.chart_points(dashboard, 200) == [360, 900, 900, 900, 900]
    # Not the terminal's cells: a narrower one changes only how many cards a line has.
    assert timing.chart_points(dashboard, 60) == [600, 900, 900, 900, 900]
    assert timing.chart_points(dashboard, None) == [200, 900, 900, 900, 900]


def test_each_query_has_the_intervals_of_its_chart_panel_and_datasource() -> None:
    dashboard = load_text(BOARD, "panels.yaml")
    found = timing.query_intervals(
        dashboard, {}, range_=3600, columns=200, learned={"fast": 1.0, "set": 5.0}
    )
    assert found == [
        Intervals(10, 11),  # 3600 s / 360 points, + the scrape interval its targets say
        Intervals(4, 5),  # 3600 / 900 + 1; 4 x 1 s is less
        Intervals(36, 37),  # 3600 / its maxDataPoints
        Intervals(60, 240),  # its min interval, standing for the scrape interval
        Intervals(30, 120),  # the datasource's setting (30 s), its least $__interval
    ]
    # Nothing learnt: Grafana's default scrape interval, 15 s.
    unknown = timing.query_intervals(dashboard, {}, range_=3600, columns=200)
    assert unknown[0] == Intervals(15, 60)  # at least the scrape interval; 4 x 15 s
    assert timing.unset_scrapes(dashboard, {}) == {"fast"}


def test_the_expressions_carry_each_querys_own_rate_window() -> None:
    queries = Queries.start(load_text(BOARD, "panels.yaml"), {}, columns=200)
    assert queries.exprs[3:] == ["rate(x[240000ms])", "rate(x[120000ms])"]
    assert queries.exprs[2] == "rate(x[60000ms])"  # 4 x 15 s: no scrape interval learnt


def test_a_learnt_scrape_interval_or_another_width_changes_the_queries_once() -> None:
    queries = Queries.start(load_text(BOARD, "panels.yaml"), {}, columns=200)
    assert queries.learn({"fast": 1.0})
    assert queries.exprs[2] == "rate(x[37000ms])"  # 36 s + the 1 s scrape
    assert not queries.learn({"fast": 1.0})  # the targets said it again: nothing new
    assert queries.exprs[0] == "rate(x[11000ms])"  # 3600 / 360 = 10 s, + 1 s
    assert not queries.resize(100)  # still five cards a line: the same queries
    assert queries.resize(60)  # three: 600 points each
    assert queries.exprs[0] == "rate(x[7000ms])"  # 3600 / 600 = 6 s, + 1 s
    assert queries.exprs[1:3] == ["rate(x[5000ms])", "rate(x[37000ms])"]  # 24ths: as before
    assert not queries.resize(60)


def test_another_contexts_servers_forget_the_scrape_intervals_learnt_of_these() -> None:
    dashboard = load_text(BOARD, "panels.yaml")
    queries = Queries.start(dashboard, {}, columns=200)
    queries.learn({"fast": 1.0})
    queries.take(dashboard)  # reloaded: the same servers
    assert queries.exprs[2] == "rate(x[37000ms])"
    queries.take(dashboard, switched=True)
    assert queries.exprs[2] == "rate(x[60000ms])"  # 15 s until their targets say


def test_a_builtin_given_on_the_command_line_stays_as_given() -> None:
    dashboard = load_text(BOARD, "panels.yaml")
    intervals = timing.query_intervals(dashboard, {}, range_=3600, columns=200)
    exprs = templating.exprs(dashboard, {"__rate_interval": "5m"}, intervals=intervals)
    assert set(exprs) == {"rate(x[5m])"}


# -- the scrape interval its targets say --------------------------------------------------


def _target(interval: float | None, datasource: str = "") -> Target:
    return Target("job", "h:1", "http://h:1/metrics", "up", 1.0, 0.01, "", interval, {}, datasource)


def test_the_scrape_interval_learnt_is_the_one_most_targets_are_scraped_at() -> None:
    targets = [_target(15.0), _target(15.0), _target(60.0), _target(None), _target(1.0, "b")]
    assert scrape_intervals(targets, default="a") == {"a": 15.0, "b": 1.0}
    # A tie goes to the longer: rate() then has its samples on more targets.
    assert scrape_intervals([_target(15.0), _target(30.0)]) == {"": 30.0}
    assert scrape_intervals([_target(None)]) == {}


class _Targets:
    """A datasource's targets answer: its targets, its error, or none ever (hung)."""

    def __init__(self, answer: list[Target] | Unreachable | None) -> None:
        self.answer = answer

    async def targets(self) -> list[Target]:
        if self.answer is None:
            await asyncio.Event().wait()
        if isinstance(self.answer, Unreachable):
            raise self.answer
        return self.answer or []


async def test_once_asks_the_targets_briefly_and_takes_what_answered() -> None:
    clients = {
        "a": _Targets([_target(1.0)]),
        "down": _Targets(Unreachable("connection refused")),
        "hung": _Targets(None),
        "unasked": _Targets([_target(5.0)]),
    }
    started = time.monotonic()
    learned = await ask_scrape_intervals(clients, ["a", "down", "hung"], within=0.2)
    assert learned == {"a": 1.0}
    assert time.monotonic() - started < 1.0


# -- where the settings come from -------------------------------------------------------------


def test_panels_yaml_refuses_a_scrape_interval_or_min_interval_that_is_no_duration() -> None:
    bad = BOARD.replace("scrape_interval: 30s", "scrape_interval: 0s")
    with pytest.raises(ConfigError, match="scrape_interval: must be more than 0"):
        load_text(bad, "panels.yaml")
    with pytest.raises(ConfigError, match="expected a whole number"):
        load_text(BOARD.replace("max_data_points: 100", "max_data_points: many"), "panels.yaml")


GRAFANA_PANEL = {
    "type": "timeseries",
    "title": "Requests",
    "gridPos": {"x": 0, "y": 0, "w": 12, "h": 8},
    "interval": "30s",
    "maxDataPoints": 300,
    "targets": [
        {"refId": "A", "expr": "rate(x[$__rate_interval])"},
        {"refId": "B", "expr": "rate(y[$__rate_interval])", "interval": ">1m"},
        {"refId": "C", "expr": "rate(z[$__rate_interval])", "interval": "$step"},
    ],
}


def test_the_grafana_loader_reads_min_interval_and_max_data_points_and_keeps_them() -> None:
    board = {"title": "T", "panels": [GRAFANA_PANEL]}
    converted = grafana.from_file({"dashboard": board}, "t.json")
    queries = converted.dashboard.queries
    # The target's own min interval, else the panel's; a variable's is Grafana's to fill.
    assert [q.min_interval for q in queries] == [30.0, 60.0, 30.0]
    assert {q.max_points for q in queries} == {300}
    # import-grafana writes them, and the panels.yaml reads them back.
    back = load_text(to_yaml(converted, "t.json"), "panels.yaml")
    assert [(q.min_interval, q.max_points) for q in back.queries] == [
        (30.0, 300),
        (60.0, 300),
        (30.0, 300),
    ]


def test_a_grafana_datasources_scrape_interval_setting_is_its_time_interval() -> None:
    listed = sources(
        [
            {"uid": "p1", "name": "P1", "type": "prometheus", "jsonData": {"timeInterval": "10s"}},
            {"uid": "p2", "name": "P2", "type": "prometheus", "jsonData": {}},
            {"uid": "p3", "name": "P3", "type": "prometheus", "jsonData": {"timeInterval": "?"}},
        ]
    )
    assert [source.scrape_interval for source in listed] == [10.0, None, None]
    board = {"title": "T", "panels": [{**GRAFANA_PANEL, "datasource": {"uid": "p1"}}]}
    auth = Auth(kind="bearer", secret_env="GRAFANA_TOKEN")
    converted = grafana.convert({"dashboard": board}, listed, "https://g.example/", auth)
    assert converted.dashboard.datasource.scrape_interval == 10.0


def test_another_range_is_another_interval_in_the_queries() -> None:
    queries = Queries.start(load_text(BOARD, "panels.yaml"), {}, columns=200)
    queries.learn({"fast": 1.0})
    assert queries.exprs[0] == "rate(x[11000ms])"  # 1 h over 360 points, + 1 s
    assert queries.next_range()  # `t`: 3 h
    assert queries.range == 3 * 3600
    assert queries.exprs[0] == "rate(x[31000ms])"  # 3 h over 360 points, + 1 s
