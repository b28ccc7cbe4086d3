"""The zoom screen: one panel as a full chart, against the real demo stack.

The chart arithmetic (gaps, decimation, axes, names, colours) is checked directly
first; then the screen itself, driven with Pilot over the default dashboard and over
a small multi-series one.
"""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest

from allintop.dashboard.loading import bundled_default_path, load_dashboard
from allintop.draw.chart import (
    EXTRA_COLOURS,
    contrast,
    decimate,
    segments,
    time_ticks,
    value_axis,
    value_range,
)
from allintop.draw.legend import series_names
from allintop.live.history import label_key
from allintop.sources.prometheus import PrometheusClient
from allintop.ui.app import DashboardApp, make_app
from allintop.ui.cards.stat import StatCard
from allintop.ui.screens.zoom import ZoomScreen
from allintop.ui.screens.zoom_chart import ZoomChart, palette
from allintop.ui.screens.zoom_legend import ZoomLegend
from tests.faultserver import closed_port
from tests.tui.util import screen_lines, screen_text, wait_for

P95 = "P95 Response Time"
CLOCK_LABEL = re.compile(r"\b\d\d:\d\d(:\d\d)?\b")
MS_TICK = re.compile(r"\d+ ms[┤├]")
BY_ROUTE = """
refresh: 1s
range: 5m
rows:
  - title: Traffic
    panels:
      - title: Requests by route
        expr: sum by (route) (rate(allin_http_requests_total[1m]))
        unit: req/s
"""

# -- chart arithmetic --


def test_segments_split_at_gaps_and_never_invent_zeros():
    points = [(0, 1.0), (1, 2.0), (2, None), (3, None), (4, 0.0), (5, None), (6, 3.0)]
    assert segments(points) == [([0, 1], [1.0, 2.0]), ([4], [0.0]), ([6], [3.0])]
    assert segments([(0, None), (1, None)]) == []


def test_decimate_keeps_spikes_and_gaps_within_the_dots_available():
    points = [(float(t), 1.0) for t in range(100)]
    points[37] = (37.0, 50.0)  # a one-point spike
    for t in range(60, 80):
        points[t] = (float(t), None)
    out = decimate(points, 10)
    assert len(out) <= 40
    assert max(v for _, v in out if v is not None) == 50.0
    assert any(v is None for _, v in out)  # the gap survives
    assert [t for t, _ in out] == sorted(t for t, _ in out)
    assert out[0] == points[0] and out[-1] == points[-1]  # the line still ends at "now"
    assert decimate(points[:40], 10) == points[:40]  # few points: untouched


def test_value_axis_reaches_a_near_target_but_not_a_far_alert():
    # P95 around 97 ms: its 200 ms target is drawn, its 500 ms alert is not.
    bottom, top, drawn = value_range([95.0, 97.0, 99.0], [200.0, 500.0])
    assert drawn == [True, False]
    assert bottom < 95 and 200 < top < 500
    # CPU at 30 % shows its 70 % target, and so its 85 % alert, a little further.
    assert value_range([29.0, 31.0], [70.0, 85.0])[2] == [True, True]
    # 350 MB of memory: neither the 1 GB target nor the 1.5 GB alert.
    assert value_range([349.0, 352.0], [1024.0, 1536.0])[2] == [False, False]
    # No errors at all: any level is worth showing.
    bottom, top, drawn = value_range([0.0, 0.0], [1.0])
    assert drawn == [True] and bottom == 0 and top > 1
    # Never-negative data does not get a negative axis; no data at all still has one.
    assert value_range([0.2, 9.0], [])[0] == 0.0
    assert value_range([], [])[:2] == (0.0, 1.08)


def test_value_labels_share_one_unit_and_enough_decimals():
    assert value_axis(83.0, 206.0, 4, "ms")[1] == [
        "100 ms",
        "125 ms",
        "150 ms",
        "175 ms",
        "200 ms",
    ]
    assert value_axis(0.0, 1600.0, 4, "ms")[1] == ["0.0 s", "0.5 s", "1.0 s", "1.5 s"]
    assert value_axis(94.5, 100.5, 2, "%")[1] == ["95.0 %", "97.5 %", "100.0 %"]
    assert value_axis(0.0, 45000.0, 2, "")[1] == ["0k", "25k"]
    assert value_axis(0.0, 5.4e6, 2, "req/s")[1] == ["0.0M req/s", "2.5M req/s", "5.0M req/s"]
    assert value_axis(0.0, 1600.0, 3, "MB")[1] == ["0.0 GB", "0.5 GB", "1.0 GB", "1.5 GB"]


def test_time_ticks_are_clock_times_on_round_local_times():
    start = time.mktime((2026, 1, 2, 12, 0, 7, 0, 0, -1))
    ticks, labels = time_ticks(start, start + 900, 5)
    assert labels == ["12:05", "12:10", "12:15"]
    assert all(start <= t <= start + 900 for t in ticks)
    ticks, labels = time_ticks(start, start + 60, 4)
    assert labels == ["12:00:15", "12:00:30", "12:00:45", "12:01:00"]


def test_series_names_keep_only_the_labels_that_tell_series_apart():
    keys = [
        label_key({"__name__": "x", "job": "api", "route": "/a", "code": "200"}),
        label_key({"__name__": "x", "job": "api", "route": "/b", "code": "200"}),
        label_key({"__name__": "x", "job": "api", "route": "/b", "code": "500"}),
    ]
    names, by = series_names(keys, None)
    assert by == ("code", "route")
    assert list(names.values()) == ["200 /a", "200 /b", "500 /b"]
    # The panel's own template wins; a lone series keeps all its labels.
    assert series_names(keys, "{{route}}")[0][keys[0]] == "/a"
    assert series_names(keys[:1], None) == ({keys[0]: "code=200, job=api, route=/a"}, ())


def test_palette_skips_theme_colours_too_faint_on_the_chart():
    dark = {"primary": "#0178D4", "secondary": "#004578", "accent": "#FEA62B"}
    colours = palette({**dark, "surface": "#1E1E1E"})
    assert colours[:2] == [(1, 120, 212), (254, 166, 43)]
    assert (0, 69, 120) not in colours  # textual-dark's secondary: navy on near-black
    assert all(contrast(c, (30, 30, 30)) >= 2.5 for c in colours)
    light = palette({**dark, "surface": "#D8D8D8"})
    assert all(contrast(c, (216, 216, 216)) >= 2.5 for c in light)
    assert len(palette({"surface": "#808080"})) >= 1 and EXTRA_COLOURS


# -- the screen, without Prometheus: gaps and untrusted labels --


async def test_gaps_stay_gaps_and_label_values_cannot_inject(tmp_path: Path):
    path = tmp_path / "panels.yaml"
    path.write_text(BY_ROUTE)
    now = 1_800_000_000.0
    app = make_app(
        load_dashboard(path),
        PrometheusClient(f"http://127.0.0.1:{closed_port()}"),
        refresh=1.0,
        clock=lambda: now,
    )
    app.paused = True  # no polls: the history below is all there is
    history = app.poller.histories[0]
    evil = {"route": "/x\x1b[2J\x1b]0;pwned\x07[bold]"}
    steady = {"route": "/steady"}
    count, bucket = app.poller.capacity, app.poller.bucket
    first = now - (count - 1) * bucket
    for k in range(count):
        samples = [(steady, 2.0)]
        if not count // 3 <= k < 2 * count // 3:  # /x is missing for a third of the range
            samples.append((evil, 5.0))
        history.update(first + k * bucket, samples)
    async with app.run_test(size=(100, 30)) as pilot:
        app.push_screen(ZoomScreen(app, 0))
        await wait_for(pilot, lambda: isinstance(app.screen, ZoomScreen) and app.screen.data.lines)
        await pilot.pause()
        chart = app.screen.query_one(ZoomChart)
        monitor = chart.plt.monitor
        runs = [ys for ys, color in zip(monitor.y, monitor.color, strict=True) if 5.0 in ys]
        assert len(runs) == 2, "the gap splits the line in two"
        assert all(y == 5.0 for ys in runs for y in ys), "no zero drawn in the gap"
        text = screen_text(app)
        assert "\x1b" not in text and "\x07" not in text
        assert "/x\\e[2J\\e]0;pwned\\x07[bold]" in text  # shown, visibly, not obeyed
        assert "/steady" in text and "by route" in text


# -- the screen, live --


def _app(url: str, path: Path | None = None) -> DashboardApp:
    dashboard = load_dashboard(path or bundled_default_path())
    return make_app(dashboard, PrometheusClient(url), refresh=1.0)


def _ready(app: DashboardApp) -> bool:
    return all(c.state is not None and c.state.value is not None for c in app.query(StatCard))


def _card(app: DashboardApp, index: int) -> StatCard:
    return next(c for c in app.query(StatCard) if c.index == index)


async def _zoom(pilot, app: DashboardApp, title: str) -> ZoomScreen:
    """Push the zoom of `title` once the dashboard has values; wait for its chart."""
    await wait_for(pilot, lambda: _ready(app), what="every panel to show a value")
    index = next(i for i, p in enumerate(app.dashboard.queries) if p.title == title)
    app.push_screen(ZoomScreen(app, index))
    await wait_for(
        pilot,
        lambda: isinstance(app.screen, ZoomScreen) and bool(app.screen.data.lines),
        what="the zoom chart",
    )
    await pilot.pause()
    return app.screen  # type: ignore[return-value]


def _card_of(app: DashboardApp, index: int):
    """The card that shows panel `index`."""
    return next(shown.card for shown in app.board.panels if index in shown.indexes)


async def _still(pilot, app: DashboardApp) -> None:
    """Polling paused and the poll in flight landed, so that no tick comes between what
    the zoom says and what the card under it shows once it closes (a card under the
    zoom is handed no tick: it gets the latest then, allintop.ui.covered)."""
    app.action_pause()
    await wait_for(pilot, lambda: not app.waiting(), what="the poll in flight to land")
    await pilot.pause()


async def _back(pilot, app: DashboardApp) -> None:
    await pilot.press("escape")
    await wait_for(pilot, lambda: len(app.screen_stack) == 1, what="the dashboard")
    await pilot.pause()


def _legend_lines(app: DashboardApp) -> list[str]:
    legend = app.screen.query_one(ZoomLegend).region
    return screen_lines(app)[legend.y + 1 : legend.bottom]  # under its top border


@pytest.mark.stack
async def test_p95_zoom_at_80x24_shows_value_expression_axes_and_levels(stack):
    app = _app(stack.prometheus_url)
    async with app.run_test(size=(80, 24)) as pilot:
        zoom = await _zoom(pilot, app, P95)
        card = _card_of(app, zoom.index)
        await _still(pilot, app)
        lines = screen_lines(app)
        text = "\n".join(lines)
        assert lines[0].lstrip().startswith(P95)
        assert "histogram_quantile(0.95" in text
        assert "allin_http_request_duration_seconds_bucket" in text
        assert len(MS_TICK.findall(text)) >= 2, "value axis labelled in ms"
        assert len(CLOCK_LABEL.findall(text)) >= 2, "time axis labelled with clock times"
        legend = "\n".join(_legend_lines(app))
        assert f"━━ {P95}" in legend
        assert "target <200 ms" in legend and "alert >500 ms" in legend
        chart = zoom.query_one(ZoomChart)
        target = next(level for level in chart.levels if level.kind == "target")
        monitor = chart.plt.monitor
        if target.place:  # too far from the data to draw: the legend says where it is
            assert f"target <200 ms ({target.place} the chart)" in legend
        else:
            assert 200.0 in monitor.hcoord[0]
            assert re.search(r"200 ms├─{40}", text), "the target drawn across the chart"
        # At 80x24 the chart keeps most of the height, and nothing in the legend is cut.
        assert chart.size.height >= 12
        assert "…" not in legend
        # The value it heads with and lists is the one the card shows once it closes.
        await _back(pilot, app)
        value = card.value_plain
        assert value.endswith(" ms")
        assert value in lines[0] and value in legend


@pytest.mark.stack
async def test_p95_zoom_uses_a_large_terminal(stack):
    app = _app(stack.prometheus_url)
    async with app.run_test(size=(200, 60)) as pilot:
        zoom = await _zoom(pilot, app, P95)
        lines = screen_lines(app)
        # The expression prettified, one argument a line.
        assert any(line.strip() == "histogram_quantile(" for line in lines[:12])
        assert any(line.strip() == "0.95," for line in lines[:12])
        chart = zoom.query_one(ZoomChart)
        assert chart.size.width >= 190 and chart.size.height >= 35
        assert len(CLOCK_LABEL.findall(screen_text(app))) >= 8
        assert len(MS_TICK.findall(screen_text(app))) >= 6


@pytest.mark.stack
async def test_multi_series_zoom_has_one_legend_entry_per_series(stack, tmp_path: Path):
    path = tmp_path / "panels.yaml"
    path.write_text(BY_ROUTE)
    app = _app(stack.prometheus_url, path)
    async with app.run_test(size=(80, 24)) as pilot:
        zoom = await _zoom(pilot, app, "Requests by route")
        await wait_for(pilot, lambda: len(app.poller.histories[0].series) >= 2, what="routes")
        app.screen.refresh_from(app)
        await pilot.pause()
        routes = sorted(dict(key)["route"] for key in app.poller.histories[0].series)
        assert len(zoom.data.lines) == min(len(routes), 10)
        legend = "\n".join(_legend_lines(app))
        assert legend.count("━━") == len(zoom.data.lines)
        for line in zoom.data.lines:
            assert line.name in routes
            assert line.name in legend
        assert "by route" in legend
        # One colour per line; the chart draws each in it.
        assert len({line.color for line in zoom.data.lines}) == len(zoom.data.lines)
        monitor = zoom.query_one(ZoomChart).plt.monitor
        drawn = {colour for colours in monitor.color for colour in colours}
        assert {line.color for line in zoom.data.lines} <= drawn


@pytest.mark.stack
async def test_zoom_follows_new_ticks_without_recomposing(stack):
    app = _app(stack.prometheus_url)
    async with app.run_test(size=(100, 30)) as pilot:
        zoom = await _zoom(pilot, app, P95)
        chart = zoom.query_one(ZoomChart)
        end, ticks = zoom.data.end, app.ticks
        await wait_for(pilot, lambda: app.ticks >= ticks + 2, what="two more ticks")
        await wait_for(pilot, lambda: zoom.data.end > end, what="the chart to move on")
        assert zoom.query_one(ZoomChart) is chart
        assert chart.data is zoom.data
        # What is plotted is the new data, up to its newest point.
        assert max(max(xs) for xs in chart.plt.monitor.x) == zoom.data.end
        await _still(pilot, app)
        header = screen_lines(app)[0]
        await _back(pilot, app)
        assert _card_of(app, zoom.index).value_plain in header


@pytest.mark.stack
async def test_escape_and_enter_return_to_the_dashboard(stack):
    app = _app(stack.prometheus_url)
    async with app.run_test(size=(100, 30)) as pilot:
        await _zoom(pilot, app, P95)
        await pilot.press("escape")
        await wait_for(pilot, lambda: not isinstance(app.screen, ZoomScreen), what="back")
        assert "Requests/sec" in screen_text(app) and "Success Rate" in screen_text(app)
        await _zoom(pilot, app, "Success Rate")
        await pilot.press("enter")
        await wait_for(pilot, lambda: not isinstance(app.screen, ZoomScreen), what="back")
        ticks = app.ticks
        await wait_for(pilot, lambda: app.ticks > ticks, what="polling to go on")
