"""Beyond one Prometheus: the dashboard on the engines users move to, and on several
datasources at once, each a real server process on a loopback port."""

from __future__ import annotations

import math
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest
from textual.widgets import Select

from allintop.dashboard.loading import bundled_default_path, load_dashboard, load_text
from allintop.live.datasources import Datasources
from allintop.sources.prometheus import PrometheusClient
from allintop.ui.app import DashboardApp, make_app
from allintop.ui.cards.stat import StatCard
from allintop.ui.screens.targets import TargetsScreen
from allintop.values.thresholds import Status
from tests.engines import Federation, VictoriaMetrics
from tests.faultserver import closed_port
from tests.tui.util import screen_text, select_values, wait_for

pytestmark = pytest.mark.stack

UNAVAILABLE = "alerts not available from this datasource"


@pytest.fixture(scope="module")
def federation() -> Iterator[Federation]:
    with Federation() as federated:
        yield federated


@pytest.fixture(scope="module")
def victoria(stack) -> Iterator[VictoriaMetrics]:
    """VictoriaMetrics scraping the session stack's backend."""
    with VictoriaMetrics([stack.backend_url]) as vm:
        yield vm


@pytest.fixture(params=["prometheus", "victoria-metrics", "federated-global"])
def engine(request: pytest.FixtureRequest) -> tuple[str, str]:
    """(engine, URL) of a real server holding the demo backend's metrics."""
    if request.param == "prometheus":
        return request.param, request.getfixturevalue("stack").prometheus_url
    if request.param == "victoria-metrics":
        return request.param, request.getfixturevalue("victoria").url
    return request.param, request.getfixturevalue("federation").global_url


def _cards(app: DashboardApp) -> list[StatCard]:
    return list(app.query(StatCard))


def _word(app: DashboardApp) -> str:
    return app.status_word()[0]


def _newest_filled(app: DashboardApp, seconds: float) -> bool:
    """Every panel's sparkline has its newest `seconds`: no gap at the end (the history
    is in buckets of `app.poller.bucket` seconds)."""
    points = max(math.ceil(seconds / app.poller.bucket), 1)
    return all(
        card.state is not None and None not in card.state.history[-points:] for card in _cards(app)
    )


async def test_default_dashboard_shows_values_on_each_engine(engine: tuple[str, str]) -> None:
    name, url = engine
    dashboard = load_dashboard(bundled_default_path())
    app = make_app(dashboard, PrometheusClient(url), refresh=1.0)
    async with app.run_test(size=(120, 34)) as pilot:
        await wait_for(
            pilot,
            lambda: all(card.state and card.state.value is not None for card in _cards(app)),
            within=60,
            what=f"every panel to show a value on {name}",
        )
        # The history too, up to now: VictoriaMetrics' latency offset (the newest
        # ~30 s) must not show as a gap at the end of the sparklines, nor as stale.
        await wait_for(pilot, lambda: _newest_filled(app, 10), within=20, what="sparklines")
        ticks = app.ticks
        await wait_for(pilot, lambda: app.ticks >= ticks + 3, what="three more ticks")
        assert _newest_filled(app, 10)
        assert _word(app) == "live", f"{name}: the header says {_word(app)!r}"
        text = screen_text(app)
        assert "Requests/sec" in text and "no data" not in text
        # VictoriaMetrics evaluates no alerting rules itself (vmalert does): the bar
        # says so, where Prometheus' empty list means that nothing fires.
        if name == "victoria-metrics":
            await wait_for(pilot, lambda: UNAVAILABLE in screen_text(app), what="the note")
        else:
            assert UNAVAILABLE not in text


TWO_CLUSTERS = """\
title: Two clusters
datasources:
  global: {{url: "{global_url}", default: true}}
  cluster-a: "{a}"
  cluster-b: "{b}"
variables:
  cluster: {{type: datasource, values: [cluster-a, cluster-b]}}
rows:
  - title: Cluster $cluster
    repeat: $cluster
    panels:
      - {{title: Connections, expr: 'sum(allin_active_connections)'}}
      - {{title: Heap, expr: 'max(allin_process_heap_bytes) / 1024 / 1024', unit: MB}}
  - title: Both clusters, through the global Prometheus
    panels:
      - title: Connections by cluster
        expr: sum by (cluster) (allin_active_connections)
        legend: "{{{{cluster}}}}"
"""


def _two_clusters(federation: Federation, tmp_path: Path) -> DashboardApp:
    path = tmp_path / "clusters.yaml"
    a, b = (leaf.prometheus_url for leaf in federation.leaves)
    path.write_text(TWO_CLUSTERS.format(global_url=federation.global_url, a=a, b=b))
    dashboard = load_dashboard(path)
    clients = {name: PrometheusClient(s.url or "") for name, s in dashboard.sources.items()}
    return make_app(dashboard, Datasources(clients, "global"), refresh=1.0)


def _by_datasource(app: DashboardApp, name: str) -> list[StatCard]:
    return [card for card in _cards(app) if app.queries.bindings[card.index] == name]


def _valued(cards: list[StatCard]) -> bool:
    return all(card.state is not None and card.state.value is not None for card in cards)


def _grey(cards: list[StatCard]) -> bool:
    return all(card.state is not None and card.state.status is Status.UNKNOWN for card in cards)


async def test_two_clusters_side_by_side_and_a_dead_backend_greys_only_its_own(
    federation: Federation, tmp_path: Path
) -> None:
    app = _two_clusters(federation, tmp_path)
    async with app.run_test(size=(120, 34)) as pilot:
        await wait_for(pilot, lambda: _valued(_cards(app)), within=30, what="every value")
        text = screen_text(app)
        assert "Cluster cluster-a" in text and "Cluster cluster-b" in text
        assert "cluster-a + cluster-b + global" in text  # the header names them
        overall = _by_datasource(app, "global")[0]
        assert overall.state is not None and overall.state.total == 2  # a and b

        await pilot.press("g")
        screen = app.screen
        assert isinstance(screen, TargetsScreen)
        await wait_for(
            pilot,
            lambda: screen_text(app).count("1/1 targets up") == 2,
            what="each leaf's target up on the targets screen",
        )
        assert "global" in screen_text(app)
        await pilot.press("escape")

        federation.leaves[1].stop_backend()
        try:
            await wait_for(
                pilot,
                lambda: _grey(_by_datasource(app, "cluster-b")),
                within=30,
                what="cluster b's panels to turn grey",
            )
            assert _valued(_by_datasource(app, "cluster-a"))
            assert _valued(_by_datasource(app, "global"))  # cluster a's part is still there
            assert _word(app) == "live"
            await pilot.press("g")
            await wait_for(
                pilot, lambda: "0/1 targets up" in screen_text(app), what="b's target down"
            )
        finally:
            federation.leaves[1].start_backend()


async def test_an_unreachable_datasource_greys_only_its_panels_and_is_named(stack) -> None:
    text = textwrap.dedent(
        f"""\
        datasources:
          live: "{stack.prometheus_url}"
          dead: "http://127.0.0.1:{closed_port()}"
        rows:
          - title: Live
            panels:
              - {{title: Connections, expr: 'sum(allin_active_connections)'}}
          - title: Dead
            datasource: dead
            panels:
              - {{title: Dead connections, expr: 'sum(allin_active_connections)'}}
              - {{title: Dead heap, expr: 'max(allin_process_heap_bytes)'}}
        """
    )
    dashboard = load_text(text, "two.yaml")
    clients = {name: PrometheusClient(s.url or "") for name, s in dashboard.sources.items()}
    app = make_app(dashboard, Datasources(clients, "live"), refresh=1.0)
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for(
            pilot,
            lambda: (
                _valued(_by_datasource(app, "live"))
                and _grey(_by_datasource(app, "dead"))
                and app.state.trouble is not None
            ),
            what="the live panel's value and the dead ones grey",
        )
        assert [card.value_plain for card in _by_datasource(app, "dead")] == ["unreachable"] * 2
        # One dead datasource of two does not make the dashboard unreachable. On a loaded
        # machine a tick may land late ("overdue"), so the word is awaited, not read once.
        assert _word(app) != "unreachable"
        await wait_for(pilot, lambda: _word(app) == "live", what="the header saying live")
        # The status line is drawn with the next report, not with the state.
        said = "dead: unreachable: cannot connect to 127.0.0.1"
        await wait_for(pilot, lambda: said in screen_text(app), what="the dead datasource named")


async def test_picking_a_datasource_variable_moves_its_panels(stack) -> None:
    text = textwrap.dedent(
        f"""\
        datasources:
          dead: "http://127.0.0.1:{closed_port()}"
          live: "{stack.prometheus_url}"
        variables:
          where: {{type: datasource}}
        rows:
          - title: Chosen
            datasource: $where
            panels:
              - {{title: Connections, expr: 'sum(allin_active_connections)'}}
        """
    )
    dashboard = load_text(text, "chosen.yaml")
    clients = {name: PrometheusClient(s.url or "") for name, s in dashboard.sources.items()}
    app = make_app(dashboard, Datasources(clients, "dead"), refresh=1.0)
    async with app.run_test(size=(100, 30)) as pilot:
        card = _cards(app)[0]
        await wait_for(pilot, lambda: card.value_plain == "unreachable", what="the default's")
        assert "dead 127.0.0.1" in screen_text(app)  # the header names it
        await pilot.press("slash")
        select = app.screen.query_one("#var-where", Select)
        assert select_values(select) == ["dead", "live"]  # no "all"
        select.value = "live"  # what choosing it in the drop-down does
        await wait_for(pilot, lambda: app.queries.variables["where"] == "live", what="the pick")
        await pilot.press("escape")
        await wait_for(pilot, lambda: _valued([card]), what="the live datasource's value")
        assert f"live {stack.prometheus_url.removeprefix('http://')}" in screen_text(app)
        assert app.state.trouble is None and _word(app) == "live"
