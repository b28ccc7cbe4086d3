"""The `/` picker on the fake Prometheus: variables in the dashboard's order, settled
at start, and a chained variable asked again when the one it depends on changes."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import Select, SelectionList, Static

from allintop.ui.screens.variables import VariablesScreen
from tests.fakeprom import FakePrometheus, FakeSeries
from tests.fast.fakeapp import advance, make, settle
from tests.tui.util import screen_lines, screen_text, select_values, wait_for

CHAINED = """\
title: Chained
refresh: 1s
range: 5m
variables:
  job: {query: 'label_values(up, job)', include_all: false}
  instance: {label: Host, query: 'label_values(up{job="$job"}, instance)', multi: true}
  quantile:
    query: 'query_result(latency_seconds)'
    regex: '/quantile="([^"]+)"/'
    include_all: false
  region: {type: constant, value: eu-1}
rows:
  - title: Hosts
    panels:
      - {title: Load, expr: 'node_load1{job="$job", instance=~"$instance"}'}
      - {title: Latency, expr: 'latency_seconds{quantile="$quantile", region="$region"}'}
"""


def fake() -> FakePrometheus:
    def up(job: str, instance: str) -> FakeSeries:
        return FakeSeries({"job": job, "instance": instance}, 1.0)

    return FakePrometheus(
        metrics={
            "up": [up("api", "a:9100"), up("api", "b:9100"), up("node", "n:9100")],
            "node_load1": [up("api", "a:9100"), up("api", "b:9100"), up("node", "n:9100")],
            "latency_seconds": [
                FakeSeries({"quantile": q, "region": "eu-1"}, 0.2) for q in ("0.5", "0.99")
            ],
        }
    )


def _offered(widget: Select | SelectionList) -> list[str]:
    if isinstance(widget, Select):
        return select_values(widget)
    return [widget.get_option_at_index(i).value for i in range(widget.option_count)]


async def test_the_picker_asks_a_chained_variable_again_when_its_parent_changes(
    tmp_path: Path,
) -> None:
    app, _, clock = make(tmp_path, fake(), text=CHAINED)
    async with app.run_test(size=(100, 40)) as pilot:
        # At start, as Grafana on load: a variable without a value gets its first option.
        await wait_for(
            pilot, lambda: app.queries.variables["quantile"] == "0.5", what="the quantile"
        )
        await settle(pilot, app)
        assert app.queries.variables["job"] == "api"
        assert app.queries.exprs == [
            'node_load1{job="api", instance=~".*"}',
            'latency_seconds{quantile="0.5", region="eu-1"}',
        ]

        await pilot.press("slash")
        screen = app.screen
        assert isinstance(screen, VariablesScreen)
        titles = [str(title.render()) for title in screen.query(".var-title").results(Static)]
        assert titles == ["job", "Host  $instance  several", "quantile", "region  constant"]
        job = screen.query_one("#var-job", Select)
        hosts = screen.query_one("#var-instance", SelectionList)
        await wait_for(pilot, lambda: _offered(job) == ["api", "node"], what="jobs")
        assert _offered(hosts) == ["all", "a:9100", "b:9100"]
        assert _offered(screen.query_one("#var-quantile", Select)) == ["0.5", "0.99"]

        hosts.select("b:9100")  # ticking a host unticks "all"
        await wait_for(pilot, lambda: app.queries.variables["instance"] == ("b:9100",))
        assert hosts.selected == ["b:9100"]
        assert app.queries.exprs[0] == 'node_load1{job="api", instance=~"b:9100"}'

        job.value = "node"  # what choosing it in the drop-down does
        # The hosts are asked again for the new job; b:9100 is gone, so: all.
        await wait_for(pilot, lambda: app.queries.variables["job"] == "node", what="job")
        await wait_for(pilot, lambda: _offered(hosts) == ["all", "n:9100"])
        assert app.queries.variables["instance"] == "all"
        assert hosts.selected == ["all"]
        assert app.queries.exprs[0] == 'node_load1{job="node", instance=~".*"}'

        await pilot.press("escape")
        assert "job=node" in screen_lines(app)[0]
        assert "instance=all" in screen_lines(app)[0]
        await advance(pilot, app, clock)
        assert "no data" not in screen_text(app)


TITLED = CHAINED.replace("  - title: Hosts\n", '  - title: "Hosts of $job"\n').replace(
    "{title: Load,", '{title: "Load on ${instance:csv}", kind: stat,'
)


async def test_titles_say_the_picks_and_follow_a_new_one(tmp_path: Path) -> None:
    app, _, clock = make(tmp_path, fake(), text=TITLED)
    async with app.run_test(size=(100, 40)) as pilot:
        await wait_for(pilot, lambda: "Hosts of api" in screen_text(app), what="title")
        await settle(pilot, app)
        # All, before the instances are asked for: "All" in any format.
        assert "Load on All" in screen_text(app)
        await pilot.press("slash")
        screen = app.screen
        assert isinstance(screen, VariablesScreen)
        job = screen.query_one("#var-job", Select)
        await wait_for(pilot, lambda: _offered(job) == ["api", "node"], what="jobs")
        job.value = "node"
        await wait_for(pilot, lambda: app.queries.variables["job"] == "node", what="job")
        await pilot.press("escape")
        await wait_for(pilot, lambda: "Hosts of node" in screen_text(app), what="retitled")
        await advance(pilot, app, clock)
        text = screen_text(app)
        assert "Hosts of api" not in text and "Load on n:9100" in text
        assert "no data" not in text  # the rebuilt cards show values
        assert app.state.queries[0].title == "Load on n:9100"  # what the zoom names
