"""A Grafana dashboard's rows on the fake Prometheus: tiles laid out by gridPos for
the terminal's size, rows collapsed and expanded (by key and by click), scrolling and
page keys, and only what is shown is queried, as the fake's received queries show."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from textual import events

from allintop.dashboard import trimming
from allintop.dashboard.loading import load_dashboard
from allintop.live.datasources import Datasources
from allintop.ui.app import DashboardApp
from allintop.ui.layout import MIN_GRID_WIDTH, MIN_PANEL_WIDTH
from allintop.ui.row_title import RowTitle
from tests import corpus
from tests.fakeprom import FakeSeries
from tests.fast.fakeapp import DASHBOARD, Clock, advance, healthy, make, settle
from tests.tui.util import screen_text, wait_for

SERVICE = ("service:requests:rate", "service:latency_p95:ms", "service:queue_depth")
HOSTS = ("host:memory:bytes", "host:cpu:percent")


def _panel(title: str, expr: str, x: int, y: int, w: int, h: int, kind: str = "stat") -> dict:
    return {
        "type": kind,
        "title": title,
        "gridPos": {"x": x, "y": y, "w": w, "h": h},
        "targets": [{"refId": "A", "expr": expr}],
    }


def _row(title: str, y: int, collapsed: bool = False, panels: list | None = None) -> dict:
    row = {"type": "row", "title": title, "gridPos": {"x": 0, "y": y, "w": 24, "h": 1}}
    row["collapsed"] = collapsed
    if collapsed:
        row["panels"] = panels or []
    return row


def _board(*panels: dict) -> str:
    return json.dumps({"title": "Grafana-like", "refresh": "1s", "panels": list(panels)})


# A row of three 8/24 stats and a chart, then a collapsed row of two hosts' panels.
GRAFANA = _board(
    _row("Service", 0),
    _panel("Requests", SERVICE[0], 0, 1, 8, 4),
    _panel("P95 Latency", SERVICE[1], 8, 1, 8, 4),
    _panel("Queue Depth", SERVICE[2], 16, 1, 8, 4),
    _panel("Success Rate", "route:success_ratio:percent", 0, 5, 24, 8, "timeseries"),
    _row(
        "Hosts",
        13,
        collapsed=True,
        panels=[
            _panel("Memory", HOSTS[0], 0, 14, 12, 4),
            _panel("CPU", HOSTS[1], 12, 14, 12, 4),
        ],
    ),
)


def _asked(fake, metric: str) -> bool:
    """Whether any query (instant, range, merged) the fake received reads `metric`."""
    return any(metric in expr for expr in fake.received)


def _view(app, title: str):
    """The tile whose (first) query is the panel titled `title`."""
    return next(
        v for v in app.board.panels if app.dashboard.queries[v.indexes.start].title == title
    )


def _card(app, title: str):
    """That tile's widget."""
    return _view(app, title).card


def _tiles(app) -> list:
    return [shown.card for shown in app.board.panels]


def _state(app, title: str):
    return app.state.query(_view(app, title).indexes.start)


def _title(app, text: str) -> RowTitle:
    return next(t for t in app.query(RowTitle) if t.title == text)


def _shows_value(app, title: str) -> bool:
    state = _state(app, title)
    return state is not None and state.value is not None


async def test_a_collapsed_row_is_not_queried_until_space_expands_it(tmp_path: Path) -> None:
    app, fake, clock = make(tmp_path, text=GRAFANA)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot, app)
        await advance(pilot, app, clock)
        assert all(_asked(fake, metric) for metric in SERVICE)
        assert not any(_asked(fake, metric) for metric in HOSTS)
        text = screen_text(app)
        assert "▾ Service" in text and "▸ Hosts  (2 panels)" in text
        assert "Memory" not in text
        # End: the last place on the page, the collapsed row's title; space expands it.
        await pilot.press("end")
        assert app.focused is _title(app, "Hosts")
        fake.received.clear()
        await pilot.press("space")
        # Fetched at once, history and all, without waiting for a tick.
        await wait_for(pilot, lambda: _shows_value(app, "Memory"), what="Memory")
        assert all(_asked(fake, metric) for metric in HOSTS)
        assert _shows_value(app, "CPU")
        assert sum(v is not None for v in _state(app, "CPU").history) > 1, "with its history"
        await pilot.pause()
        text = screen_text(app)
        assert "▾ Hosts" in text and "Memory" in text and "CPU" in text
        assert app.screen.region.contains_region(_card(app, "Memory").region)
        # From now on each tick asks for them too.
        fake.received.clear()
        await advance(pilot, app, clock)
        assert all(_asked(fake, metric) for metric in HOSTS)


async def test_a_row_unfolded_before_textual_lays_it_out_still_scrolls_into_view(
    tmp_path: Path,
) -> None:
    """On a loaded machine the refresh after Space can come before the layout that
    shows the row: its tiles must still be scrolled to (and so handed their values),
    not left below the old end of the page."""
    app, _, _ = make(tmp_path, text=GRAFANA)
    async with app.run_test(size=(100, 18)) as pilot:
        await settle(pilot, app)
        await pilot.press("end")
        assert app.focused is _title(app, "Hosts")
        with app.batch_update():  # no layout until it ends; the refresh callbacks run
            await pilot.press("space")
            await pilot.pause()
        await wait_for(pilot, lambda: app.board.scroll_y > 0, what="scrolled to the row")
        await wait_for(pilot, lambda: _shows_value(app, "CPU"), what="CPU")
        assert app.screen.region.contains_region(_card(app, "Memory").region)
        assert "Memory" in screen_text(app)


async def test_collapsing_a_row_stops_its_queries_and_a_click_expands_it(tmp_path: Path) -> None:
    app, fake, clock = make(tmp_path, text=GRAFANA)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot, app)
        # Space on a panel folds the row it is in; the focus goes to the row's title.
        assert app.focused is _card(app, "Requests")
        await pilot.press("space")
        service = _title(app, "Service")
        assert service.collapsed and app.focused is service
        assert "Requests" not in screen_text(app)
        fake.received.clear()
        await advance(pilot, app, clock)
        assert not any(_asked(fake, metric) for metric in (*SERVICE, *HOSTS))
        # Nothing is asked but the alerts: they say the server is there.
        clock.now += 10
        await advance(pilot, app, clock)
        assert "● live" in screen_text(app).splitlines()[0]
        # A click on a title toggles it too; Enter on a focused title as well.
        await pilot.click(RowTitle, offset=(3, 0))
        await wait_for(pilot, lambda: not _title(app, "Service").collapsed, what="expanded")
        await wait_for(pilot, lambda: _asked(fake, SERVICE[0]), what="a query")
        await pilot.pause()
        assert "Requests" in screen_text(app)
        _title(app, "Hosts").focus()
        await pilot.press("enter")
        await wait_for(pilot, lambda: _shows_value(app, "CPU"), what="CPU")
        assert len(app.screen_stack) == 1, "Enter on a title folds, it does not zoom"


def _tall(rows: int = 8) -> str:
    """Rows of two full-width charts each, far taller than a terminal."""
    panels: list[dict] = []
    y = 0
    for number in range(rows):
        panels.append(_row(f"Row {number}", y))
        for k, metric in enumerate(("service:requests:rate", "service:queue_depth")):
            title = f"R{number} {metric.split(':')[1]}"
            expr = f'{metric}{{row="{number}"}}'
            panels.append(_panel(title, expr, 0, y + 1 + 8 * k, 24, 8, "timeseries"))
        y += 17
    return _board(*panels)


def _asked_row(fake, number: int) -> bool:
    return any(f'row="{number}"' in expr for expr in fake.received)


async def test_panels_far_below_are_not_queried_until_scrolled_near(tmp_path: Path) -> None:
    app, fake, clock = make(tmp_path, text=_tall())
    for metric in ("service:requests:rate", "service:queue_depth"):  # a series per row
        value = fake.metrics[metric][0].value
        fake.metrics[metric] = [FakeSeries({"row": str(n)}, value) for n in range(8)]
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot, app)
        await advance(pilot, app, clock)
        assert _asked_row(fake, 0) and _asked_row(fake, 1), "a screen below is asked too"
        assert not _asked_row(fake, 7), "far below: not asked"
        first = app.focused
        await pilot.press("pagedown")
        await pilot.pause()
        rows = app.query_one("#rows")
        assert rows.scroll_y > 0
        assert app.focused is not first and app.focused.region.y >= rows.region.y
        assert app.screen.region.contains_region(app.focused.region), "focus on the new screen"
        fake.received.clear()
        await pilot.press("end")
        await wait_for(pilot, lambda: _asked_row(fake, 7), what="the last row fetched")
        await wait_for(pilot, lambda: _shows_value(app, "R7 queue_depth"), what="its value")
        fake.received.clear()
        await advance(pilot, app, clock)
        assert _asked_row(fake, 7)
        assert not _asked_row(fake, 0) and not _asked_row(fake, 1), "far above now: not asked"
        await pilot.press("home")
        await pilot.pause()
        assert rows.scroll_y == 0 and app.focused is _title(app, "Row 0")
        # The arrows go past the screen's edge: the dashboard scrolls to the focus.
        await pilot.press(*["down"] * 7)
        await pilot.pause()
        assert app.focused is _card(app, "R2 requests")
        assert rows.scroll_y > 0
        assert app.screen.region.contains_region(app.focused.region)


async def test_arrows_move_between_tiles_and_row_titles(tmp_path: Path) -> None:
    app, _, _ = make(tmp_path, text=GRAFANA)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot, app)
        assert app.focused is _card(app, "Requests")
        await pilot.press("right")
        assert app.focused is _card(app, "P95 Latency")
        await pilot.press("down")
        assert app.focused is _card(app, "Success Rate")
        await pilot.press("down")
        assert app.focused is _title(app, "Hosts")
        await pilot.press("up", "up", "up")
        assert app.focused is _title(app, "Service")


async def test_arrows_that_arrive_in_one_burst_each_move_the_focus(tmp_path: Path) -> None:
    # Key repeat, a paste, a slow SSH link: the keys reach the app together, before
    # the focus of the first one has moved. Each must move on from the one before.
    app, _, _ = make(tmp_path, text=GRAFANA)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot, app)
        assert app.focused is _card(app, "Requests")
        for key in ("right", "down", "down"):
            app.post_message(events.Key(key, None))
        await pilot.pause()
        assert app.focused is _title(app, "Hosts")


# node-exporter-full's quick row: six 3/24 gauges and three 2/24 stats on one line.
QUICK = _board(
    _row("Quick", 0),
    *(_panel(f"Gauge {i}", SERVICE[0], 3 * i, 1, 3, 4, "gauge") for i in range(6)),
    *(_panel(f"Stat {i}", SERVICE[2], 18 + 2 * i, 1, 2, 2) for i in range(3)),
    _panel("Wide", SERVICE[1], 0, 5, 24, 8, "timeseries"),
)


@pytest.mark.parametrize("size", [(80, 24), (200, 60)])
async def test_tiles_fit_the_terminal_readable_and_never_overlapping(tmp_path, size) -> None:
    app, _, _ = make(tmp_path, text=QUICK)
    async with app.run_test(size=size) as pilot:
        await settle(pilot, app)
        cards = _tiles(app)
        regions = [card.region for card in cards]
        width = app.query_one("#rows").scrollable_content_region.width
        # On Grafana's grid a tile is at least MIN_GRID_WIDTH; reflowed, MIN_PANEL_WIDTH.
        least = MIN_GRID_WIDTH if size == (200, 60) else MIN_PANEL_WIDTH
        for card, region in zip(cards, regions, strict=True):
            assert region.x >= 0 and region.right <= width, card
            assert region.width >= least, (card, region)
        for i, a in enumerate(regions):
            for b in regions[i + 1 :]:
                assert not a.overlaps(b), (a, b)
        tops = {region.y for region in regions[:9]}
        if size == (200, 60):
            assert len(tops) == 1, "Grafana's line, as Grafana has it"
            wide = _card(app, "Wide").region
            assert wide.width == width and wide.height == 8, "a grid row of height a line"
        else:
            assert len(tops) == 3, "wrapped into three lines of three"
        text = screen_text(app)
        assert all(f"Gauge {i}" in text for i in range(6)), "titles not cut"


async def test_a_panels_yaml_row_does_not_fold_and_everything_is_asked(tmp_path: Path) -> None:
    app, fake, clock = make(tmp_path, text=DASHBOARD)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot, app)
        titles = list(app.query(RowTitle))
        assert [t.title for t in titles] == ["Service", "Hosts"]
        assert not any(t.can_focus for t in titles)
        assert "▾" not in screen_text(app)
        await pilot.press("space")
        assert all(t.display for t in app.query(".row-grid"))
        fake.received.clear()
        await advance(pilot, app, clock)
        assert all(_asked(fake, metric) for metric in (*SERVICE, *HOSTS))


async def test_a_resize_lays_the_tiles_out_for_the_new_size(tmp_path: Path) -> None:
    app, _, _ = make(tmp_path, text=QUICK)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot, app)
        assert len({card.region.y for card in _tiles(app)[:9]}) == 3
        await pilot.resize_terminal(200, 60)
        await wait_for(
            pilot,
            lambda: len({card.region.y for card in _tiles(app)[:9]}) == 1,
            what="one line at 200 columns",
        )
        assert _card(app, "Wide").region.right == app.query_one("#rows").region.right


async def test_a_reload_keeps_the_rows_the_user_expanded(tmp_path: Path) -> None:
    app, fake, clock = make(tmp_path, text=GRAFANA)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot, app)
        await pilot.press("end", "space")
        await wait_for(pilot, lambda: _shows_value(app, "CPU"), what="CPU")
        before = _title(app, "Hosts")
        await pilot.press("R")
        await wait_for(pilot, lambda: _title(app, "Hosts") is not before, what="the reload")
        assert not _title(app, "Hosts").collapsed
        await wait_for(pilot, lambda: not app.polling.busy, what="the backfill")
        fake.received.clear()
        await advance(pilot, app, clock)
        assert all(_asked(fake, metric) for metric in HOSTS)


async def test_enter_zooms_on_a_tile_and_help_lists_the_row_and_page_keys(tmp_path) -> None:
    app, _, _ = make(tmp_path, text=GRAFANA)
    async with app.run_test(size=(100, 40)) as pilot:
        await settle(pilot, app)
        await pilot.press("right", "enter")
        await wait_for(pilot, lambda: len(app.screen_stack) == 2, what="zoom")
        assert app.screen.index == _view(app, "P95 Latency").indexes.start  # type: ignore[attr-defined]
        await pilot.press("escape", "question_mark")
        await wait_for(pilot, lambda: "allintop — keys" in screen_text(app), what="help")
        text = screen_text(app)
        for shown in ("space", "PgDn", "PgUp", "Home", "End"):
            assert f" {shown} " in text, shown


async def test_a_row_expanded_while_paused_is_fetched_on_resume(tmp_path: Path) -> None:
    app, fake, _ = make(tmp_path, text=GRAFANA)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot, app)
        await pilot.press("p", "end")
        fake.received.clear()
        await pilot.press("space")
        cards = [_card(app, "Memory"), _card(app, "CPU")]
        await wait_for(pilot, lambda: all(c.region.height for c in cards), what="Hosts shown")
        await pilot.pause()
        assert not any(_asked(fake, metric) for metric in HOSTS), "paused: nothing is asked"
        await pilot.press("p")
        await wait_for(pilot, lambda: _shows_value(app, "Memory"), what="Memory")
        history = _state(app, "Memory").history
        assert sum(v is not None for v in history) > 1, "with its history"


@pytest.mark.parametrize("size", [(200, 60), (80, 24)], ids=["200x60", "80x24"])
async def test_node_exporter_full_puts_rootfs_total_under_cpu_cores(tmp_path, size) -> None:
    text = corpus.path("node-exporter-full-latest.json").read_text()
    app, _, _ = make(tmp_path, text=text)
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        await wait_for(pilot, lambda: app.board.laid_out, what="the layout")
        await pilot.pause()
        cores, rootfs = _card(app, "CPU Cores").region, _card(app, "RootFS Total").region
        ram, uptime = _card(app, "RAM Total").region, _card(app, "Uptime").region
        gauges = [_card(app, name).region for name in ("CPU Busy", "Root FS Used")]
        if size == (200, 60):
            # As in Grafana: under CPU Cores and RAM Total, beside the gauges.
            assert (rootfs.x, rootfs.y) == (cores.x, cores.bottom)
            assert (uptime.x, uptime.y) == (ram.x, ram.bottom)
            assert all(g.right <= cores.x and g.y <= rootfs.y < g.bottom for g in gauges)
        else:
            # Reflowed in Grafana's reading order: the gauges, then the stats of the
            # first grid line, then RootFS Total and Uptime; each readable.
            assert (gauges[1].y, gauges[1].x) < (cores.y, cores.x) < (rootfs.y, rootfs.x)
            assert (rootfs.y, rootfs.x) < (uptime.y, uptime.x)
            assert min(r.width for r in (cores, rootfs, ram, uptime)) >= MIN_PANEL_WIDTH
        text = screen_text(app)
        assert "CPU Cores" in text and "RootFS Total" in text


async def test_a_reload_keeps_the_generic_overview_trimmed_to_what_the_server_has(
    tmp_path: Path,
) -> None:
    """As when no config is given: the dashboard was trimmed to the metrics the server
    has; reading its file again (R) must not bring back the panels it cannot show."""
    path = tmp_path / "panels.yaml"
    path.write_text(DASHBOARD)
    trimmed = trimming.trim(load_dashboard(path), frozenset({"service:requests:rate"}))
    assert [q.title for q in trimmed.queries] == ["Requests"]
    fake = healthy()
    clock = Clock()
    sources = Datasources({trimmed.datasource.name: fake}, trimmed.datasource.name)
    app = DashboardApp(trimmed, sources, clock=clock, monotonic=clock.monotonic)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot, app)
        await pilot.press("R")
        await wait_for(
            pilot,
            lambda: any("reloaded" in n.message for n in app.notifications),
            what="the reload",
        )
        assert [q.title for q in app.dashboard.queries] == ["Requests"]
        assert "Success Rate" not in screen_text(app)
