"""Every tile kind on the fake Prometheus, drawn as an operator reads it in Grafana:
stat with its reducer and mappings, gauge and bar gauge, chart, table, heatmap,
markdown text, and a card for kinds the terminal does not draw; Enter on each."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

from allintop.dashboard.loading import load_dashboard
from allintop.live.datasources import Datasources
from allintop.ui.screens.explore import ExploreScreen
from allintop.ui.screens.text import TextScreen
from allintop.ui.screens.zoom import ZoomScreen
from allintop.values.reducers import reduce
from allintop.values.units import format_value
from tests.fakeprom import FakeSeries
from tests.fast.fakeapp import Clock, advance, settle
from tests.fast.tileapp import PanelsApp, fake, make_panels, tile
from tests.tui.util import screen_text, wait_for

SIZE = (120, 40)


async def test_stats_apply_their_reducer_mappings_and_graph_mode(tmp_path: Path) -> None:
    app, _, clock = make_panels(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        requests = tile(app, "Requests (mean)")
        # The mean over the range, not the current value.
        mean = reduce(requests.state.history, "mean")
        number, unit = format_value(mean, "req/s")
        assert requests.value_plain == f"{number} {unit}"
        assert requests.state.value != mean
        assert any(row.strip() for row in requests.spark_plain())
        backend = tile(app, "Backend")
        assert backend.value_plain == "UP"  # the mapping's text, not "1"
        assert not any(row.strip() for row in backend.spark_plain())  # graphMode none
        assert "UP" in screen_text(app)
        await advance(pilot, app, clock, 20)  # the range moves on: a new mean is shown
        later = reduce(requests.state.history, "mean")
        number, unit = format_value(later, "req/s")
        assert later != mean and requests.value_plain == f"{number} {unit}"


async def test_gauges_draw_a_bar_per_series_in_its_threshold_colour(tmp_path: Path) -> None:
    app, _, _ = make_panels(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        cpu = tile(app, "CPU")
        value, gauge, span = cpu.body_plain()[:3]
        assert value.strip() == "75.0 %" and gauge.startswith("███")
        assert "┊" in gauge  # the 90 % alert level marked on the empty part
        assert span.strip() == "0.0 % … 100.0 %"
        assert cpu.has_class("-warning")  # 75 % is past the <70 target, not the >90 alert
        routes = tile(app, "Success by route")
        lines = routes.body_plain()
        # Worst first: the route under its target leads, each with its bar and value.
        assert [line.split()[0] for line in lines[:3]] == ["/login", "/api", "/"]
        assert lines[0].rstrip().endswith("96.5 %") and "█" in lines[0]
        assert routes.has_class("-warning")


async def test_a_timeseries_charts_every_query_with_axis_levels_and_legend(
    tmp_path: Path,
) -> None:
    app, _, _ = make_panels(tmp_path)
    async with app.run_test(size=(160, 40)) as pilot:
        await settle(pilot, app)
        chart = tile(app, "Latency and queue")
        lines = chart.body_plain()
        assert lines[0].startswith("537 ms") and lines[-2].split()[0] == "3.21"
        dots = "".join(lines[:-1])
        assert sum(ch >= "\u2801" and ch <= "\u28ff" for ch in dots) > 20
        assert "⠄⠄⠄⠄" in lines[0]  # the 500 ms alert level, dotted
        legend = lines[-1]
        assert "━ p95 120 ms" in legend and "━ queue" in legend
        owners = {part for line in chart.drawn_body()[:-1] for _, part in line}
        assert {"tile--s0", "tile--s1", "tile--alert"} <= owners  # two series, a level


async def test_a_table_joins_its_queries_on_common_labels_worst_row_first(
    tmp_path: Path,
) -> None:
    app, _, _ = make_panels(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        lines = tile(app, "Routes").body_plain()
        assert lines[0].split() == ["route", "A", "B"]
        assert lines[1].split() == ["/login", "96.5", "%", "45.0", "%"]
        assert [line.split()[0] for line in lines[2:4]] == ["/api", "/"]


async def test_a_heatmap_shades_buckets_over_time_highest_on_top(tmp_path: Path) -> None:
    app, _, _ = make_panels(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        lines = tile(app, "Latency buckets").body_plain()
        assert [line.split()[0] for line in lines] == ["+Inf", "1", "0.5", "0.1", "0.05"]
        # Most requests fall in the lowest bucket: its row is the darkest.
        assert lines[-1].count("█") > lines[0].count("█")


async def test_text_is_markdown_and_other_kinds_say_they_are_not_drawn(
    tmp_path: Path,
) -> None:
    app, _, _ = make_panels(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        text = screen_text(app)
        assert "On call: page #backend" in text  # **bold** rendered, not shown as stars
        assert "[red]errors[/red]" in text  # Rich markup in content is text
        other = tile(app, "Traffic share").body_plain()
        assert other[0].strip() == "a piechart panel"
        assert other[1].strip() == "not drawn in the terminal"


async def test_label_values_are_never_markup_in_tables_and_bars(tmp_path: Path) -> None:
    prometheus = fake()
    evil = FakeSeries({"route": "[bold red]/x[/]\x1b[2J"}, 10.0)
    prometheus.metrics["route:success_ratio:percent"].append(evil)
    prometheus.metrics["route:requests:rate"].append(evil)
    app, _, _ = make_panels(tmp_path, prometheus)
    async with app.run_test(size=(200, 40)) as pilot:
        await settle(pilot, app)
        assert "[bold red]/x[/]\\e[2J" in tile(app, "Routes").body_plain()[1]
        assert "[bold" in tile(app, "Success by route").body_plain()[0]


async def test_enter_zooms_on_every_kind_and_lists_a_tiles_queries(tmp_path: Path) -> None:
    app, _, clock = make_panels(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        for widget in app.panels:
            widget.focus()
            await pilot.press("enter")
            await pilot.pause()
            screen = app.screen
            title = widget.panel.title
            if widget.panel.kind == "text":
                assert isinstance(screen, TextScreen), title
                assert "On call" in screen_text(app)
            else:
                assert isinstance(screen, ZoomScreen), title
                assert screen.index == widget.index
            if title == "Latency and queue":
                await advance(pilot, app, clock)
                text = screen_text(app)
                assert "A  service:latency_p95:ms" in text
                assert "B  service:queue_depth" in text
            if title == "Traffic share":
                text = screen_text(app)
                assert "a piechart panel, not drawn in the terminal" in text
                assert "route:requests:rate" in text
            await pilot.press("escape")
            await pilot.pause()
            assert not isinstance(app.screen, (ZoomScreen, TextScreen)), title


def test_tile_kinds_snapshot(tmp_path: Path, snap_compare) -> None:
    app, _, _ = make_panels(tmp_path)

    async def run_before(pilot) -> None:
        await settle(pilot, app)

    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)


async def test_a_timeseries_axis_spans_the_panels_min_and_max(tmp_path: Path) -> None:
    app, _, _ = make_panels(tmp_path)
    async with app.run_test(size=(160, 40)) as pilot:
        await settle(pilot, app)
        chart = tile(app, "Latency and queue")
        chart.panel = replace(chart.panel, min=0.0, max=2000.0)  # Grafana's axis bounds
        chart.redraw()
        lines = chart.body_plain()
        assert lines[0].startswith("2.00 s") and lines[-2].split()[:2] == ["0", "ms"]
        chart.panel = replace(chart.panel, min=None, max=100.0)  # below the data: no cut
        chart.redraw()
        assert chart.body_plain()[0].startswith("537 ms")


ESCAPES = "\x1b]2;PWNED\x07\x1b[2J\x1b[41m"


async def test_a_files_escape_sequences_are_shown_never_sent_to_the_terminal(
    tmp_path: Path,
) -> None:
    """A downloaded dashboard is untrusted text too: escape sequences in a text panel,
    a custom unit or a textbox's default are shown as text, never written raw."""
    path = tmp_path / "evil.json"
    path.write_text(
        json.dumps(
            {
                "title": "evil",
                "templating": {
                    "list": [{"name": "tb", "type": "textbox", "query": "zz" + ESCAPES}]
                },
                "panels": [
                    {"type": "text", "title": "Notes", "options": {"content": "hi " + ESCAPES}},
                    {
                        "type": "stat",
                        "title": "Requests",
                        "targets": [{"expr": "service:requests:rate"}],
                        "fieldConfig": {"defaults": {"unit": "suffix:" + ESCAPES}},
                    },
                ],
            }
        )
    )
    board = load_dashboard(path)
    prometheus = fake()
    sources = Datasources({board.datasource.name: prometheus}, board.datasource.name)
    clock = Clock()
    app = PanelsApp(board, sources, clock=clock, monotonic=clock.monotonic)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        assert "\\e]2;PWNED" in screen_text(app)  # the unit and the text, as text
        assert "\x1b" not in app.export_screenshot()
        await pilot.press("slash")
        await pilot.pause()
        assert "zz\\e]2;PWNED" in screen_text(app)
        assert "\x1b" not in app.export_screenshot()


async def _zoom_on_requests(pilot, app) -> None:
    """The tile app settled, then Enter on its "Requests (mean)" stat."""
    await settle(pilot, app)
    tile(app, "Requests (mean)").focus()
    await pilot.press("enter")
    await pilot.pause()
    assert isinstance(app.screen, ZoomScreen)


async def test_the_zoom_says_paused_while_polling_is(tmp_path: Path) -> None:
    app, _, _ = make_panels(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await _zoom_on_requests(pilot, app)
        assert "every 1s" in screen_text(app) and "paused" not in screen_text(app)
        await pilot.press("p")
        await pilot.pause()
        assert "paused" in screen_text(app) and "every 1s" not in screen_text(app)
        await pilot.press("p")
        await pilot.pause()
        assert "every 1s" in screen_text(app)


async def test_e_on_a_zoom_opens_its_query_in_explore(tmp_path: Path) -> None:
    app, _, _ = make_panels(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await _zoom_on_requests(pilot, app)
        expr = app.screen.expr
        await pilot.press("E")
        await wait_for(pilot, lambda: isinstance(app.screen, ExploreScreen), what="Explore")
        assert expr in screen_text(app)
