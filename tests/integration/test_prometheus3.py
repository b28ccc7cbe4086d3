"""Prometheus 3's answers, end to end, from a fake Prometheus 3 on a real socket
(Debian's 2.42 cannot give them): UTF-8 metric and label names through parsing,
interpolation, legends and the label-values API; `infos` shown as warnings are;
buckets written le="1.0"; the server's version on the targets screen."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from textual.widgets import Select

from allintop.dashboard.loading import load_dashboard
from allintop.sources.prometheus import PrometheusClient
from allintop.ui.app import make_app
from allintop.ui.cards.stat import StatCard
from allintop.ui.screens.targets import TargetsScreen
from tests.helpers import run_allintop
from tests.prom3server import VERSION, Prometheus3, Rule, prometheus3
from tests.tui.util import screen_text, select_values, wait_for

INFO = (
    "PromQL info: metric might not be a counter, name does not end in "
    '_total/_sum/_count/_bucket: "room.temperature"'
)
PANELS = """
refresh: 1s
range: 1m
variables:
  route: {query: 'label_values({"http.server.requests"}, "http.route")'}
rows:
  - title: Prometheus 3
    panels:
      - title: Requests by route
        expr: 'sum by ("http.route") (rate({"http.server.requests", "http.route"=~"$route"}[5m]))'
        legend: '{{http.route}}'
        unit: req/s
      - title: P70
        expr: histogram_quantile(0.7, sum by (le) (rate(http_request_duration_seconds_bucket[5m])))
        unit: s
      - title: Temperature rate
        expr: 'rate({"room.temperature"}[5m])'
"""


def _fake() -> Prometheus3:
    return Prometheus3(
        rules=[
            Rule(
                "http.server.requests",
                [({"http.route": "/api/posts"}, 3.0), ({"http.route": "/health"}, 1.0)],
            ),
            Rule(
                "http_request_duration_seconds_bucket",
                # Prometheus 3 writes every le as a float: "1.0", not "1".
                [({"le": "0.5"}, 50.0), ({"le": "1.0"}, 90.0), ({"le": "+Inf"}, 100.0)],
            ),
            Rule("room.temperature", [({"room": "a"}, 0.25)], infos=[INFO]),
        ],
        label_values={"http.route": ["/api/posts", "/health"]},
    )


def _panels(tmp_path: Path) -> Path:
    path = tmp_path / "panels.yaml"
    path.write_text(PANELS)
    return path


async def test_a_utf8_label_is_escaped_in_the_label_values_path() -> None:
    fake = _fake()
    with prometheus3(fake) as url:
        async with PrometheusClient(url) as client:
            values = await client.label_values("http.route", '{"http.server.requests"}')
            legacy = await client.label_values("job")
    assert values == ("/api/posts", "/health") and legacy == ()
    assert "/api/v1/label/U__http_2e_route/values" in fake.paths
    assert "/api/v1/label/job/values" in fake.paths


def test_once_reads_utf8_names_and_le_1_0_as_prometheus_3_answers(tmp_path: Path) -> None:
    fake = _fake()
    with prometheus3(fake) as url:
        result = run_allintop("once", "--json", "--url", url, "-c", str(_panels(tmp_path)))
    assert result.returncode == 0, result.stdout + result.stderr
    panels = {p["title"]: p for p in json.loads(result.stdout)["rows"][0]["panels"]}
    routes = panels["Requests by route"]["series"]
    assert [(s["name"], s["value"]) for s in routes] == [("/api/posts", 3.0), ("/health", 1.0)]
    assert panels["P70"]["value"] == pytest.approx(0.75)  # in (0.5, 1.0]: 0.5 + 0.5 * 20/40
    # The variable went into the query, its UTF-8 label quoted.
    sent = [q for q in fake.queries if "http.server.requests" in q]
    assert sent and all('"http.route"=~' in q for q in sent)


async def test_infos_show_like_warnings_and_the_targets_screen_names_the_version(
    tmp_path: Path,
) -> None:
    fake = _fake()
    with prometheus3(fake) as url:
        dashboard = load_dashboard(_panels(tmp_path))
        app = make_app(dashboard, PrometheusClient(url), refresh=1.0)
        async with app.run_test(size=(140, 36)) as pilot:
            temperature = next(
                c for c in app.query(StatCard) if c.target.title == "Temperature rate"
            )
            await wait_for(
                pilot,
                lambda: "info: PromQL info" in screen_text(app),
                within=20,
                what="the info under the panel",
            )
            assert float(temperature.value_plain) == 0.25
            assert "warning: info" not in screen_text(app)
            routes = next(c for c in app.query(StatCard) if c.target.title == "Requests by route")
            assert "/api/posts" in screen_text(app) and routes.value_plain.startswith("3")
            await pilot.press("g")
            assert isinstance(app.screen, TargetsScreen)
            await wait_for(
                pilot,
                lambda: f"Prometheus {VERSION}" in screen_text(app),
                within=20,
                what="the server's version",
            )
            assert "no UTF-8" not in screen_text(app)  # a Prometheus 3 lacks nothing said
            await pilot.press("escape", "slash")
            select = app.screen.query_one("#var-route", Select)
            # The options came from the escaped label-values path; a pick goes into
            # the query, and the legend names its series by the UTF-8 label.
            await wait_for(
                pilot, lambda: "/health" in select_values(select), what="the route's values"
            )
            assert "/api/v1/label/U__http_2e_route/values" in fake.paths
            select.value = "/health"
            await wait_for(
                pilot,
                lambda: app.queries.variables["route"] == "/health",
                what="the pick to apply",
            )
            assert any('"http.route"=~"/health"' in expr for expr in app.queries.exprs)
