"""A stat of several series shows one value per series, as Grafana does: each with its
name, in its own status colour (or background), "+N" only for what cannot fit."""

from __future__ import annotations

from pathlib import Path

import pytest

from allintop.ui.cards.gauge import GaugeCard
from allintop.ui.cards.stat import StatCard
from allintop.ui.cards.stats import StatsCard
from tests.fakeprom import FakePrometheus, FakeSeries, target
from tests.fast.fakeapp import make, settle
from tests.tui.util import screen_text


def _card(app, title: str) -> StatCard:
    return next(c for c in app.query(StatCard) if c.target.title == title)


def _shards(count: int) -> FakePrometheus:
    return FakePrometheus(
        metrics={
            "shard:load": [FakeSeries({"shard": f"s{i:02}"}, float(10 + i)) for i in range(count)],
            "jobs:up": [FakeSeries({"job": "api"}, 1.0), FakeSeries({"job": "node"}, 0.0)],
        },
        target_list=[target("api")],
    )


def _board(panels: str) -> str:
    return f"refresh: 1s\nrange: 5m\nrows:\n  - title: Load\n    panels:\n{panels}"


async def test_a_stat_of_several_series_shows_each_ones_name_and_value(tmp_path: Path) -> None:
    app, _, _ = make(tmp_path)  # Success Rate: three routes
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot, app)
        card = _card(app, "Success Rate")
        grid = "\n".join(card.grid_plain())
        text = screen_text(app)
        for route, value in (("/login", "99.7 %"), ("/api", "99.9 %"), ("/", "99.95 %")):
            assert route in grid and value in grid, grid
            assert value in text
        assert "+" not in card.detail_plain  # all three fit: nothing counted away


async def test_plus_n_only_when_the_values_cannot_fit(tmp_path: Path) -> None:
    narrow = "      - {title: Narrow, expr: shard:load, legend: '{{shard}}', width: 3}\n"
    wide = "      - {title: Wide, expr: shard:load, legend: '{{shard}}', width: 21}\n"
    app, _, _ = make(tmp_path, _shards(12), text=_board(narrow + wide))
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot, app)
        wide_card, narrow_card = _card(app, "Wide"), _card(app, "Narrow")
        shown = "\n".join(wide_card.grid_plain())
        for i in range(12):
            assert f"s{i:02}" in shown and f"{10 + i}" in shown, shown
        assert "+" not in wide_card.detail_plain
        drawn = "\n".join(narrow_card.grid_plain())
        hidden = sum(f"s{i:02}" not in drawn for i in range(12))
        assert hidden > 0
        assert narrow_card.detail_plain.startswith(f"+{hidden} more"), narrow_card.detail_plain
        assert f"+{hidden} more" in screen_text(app)


async def test_background_colour_mode_paints_each_values_cell_in_its_status(
    tmp_path: Path,
) -> None:
    panel = (
        "      - title: Jobs up\n"
        "        expr: jobs:up\n"
        "        legend: '{{job}}'\n"
        "        color_mode: background\n"
        "        thresholds: {target: '>=1', alert: '<1'}\n"
    )
    app, _, _ = make(tmp_path, _shards(1), text=_board(panel))
    async with app.run_test(size=(80, 20)) as pilot:
        await settle(pilot, app)
        card = _card(app, "Jobs up")
        ok = card.piece_style("card--bg-ok").bgcolor
        critical = card.piece_style("card--bg-critical").bgcolor
        assert ok is not None and critical is not None and ok != critical
        backgrounds: dict[str, set[object]] = {"api": set(), "node": set()}
        for y in range(1, card.size.height - 1):
            for segment in card.render_line(y):
                for job in backgrounds:
                    if job in segment.text and segment.style is not None:
                        backgrounds[job].add(segment.style.bgcolor)
        assert backgrounds["api"] == {ok}, backgrounds
        assert backgrounds["node"] == {critical}, backgrounds


async def test_value_colour_mode_colours_the_value_not_its_background(tmp_path: Path) -> None:
    panel = (
        "      - title: Jobs up\n"
        "        expr: jobs:up\n"
        "        legend: '{{job}}'\n"
        "        thresholds: {target: '>=1', alert: '<1'}\n"
    )
    app, _, _ = make(tmp_path, _shards(1), text=_board(panel))
    async with app.run_test(size=(80, 20)) as pilot:
        await settle(pilot, app)
        card = _card(app, "Jobs up")
        critical = card.piece_style("card--critical").color
        colours = {
            segment.style.color
            for y in range(1, card.size.height - 1)
            for segment in card.render_line(y)
            if segment.text.strip() == "0" and segment.style is not None
        }
        assert colours == {critical}


async def test_each_cell_is_drawn_on_its_cards_background_focused_or_not(
    tmp_path: Path,
) -> None:
    # The cells' colours are styled once for all cards (the board's inks), on a
    # card's background and on the focused card's: a cell must not show either on
    # the other card.
    panels = "".join(
        f"      - {{title: Jobs {name}, expr: jobs:up, legend: '{{{{job}}}}'}}\n"
        for name in ("A", "B")
    )
    app, _, _ = make(tmp_path, _shards(1), text=_board(panels))
    async with app.run_test(size=(80, 20)) as pilot:
        await settle(pilot, app)
        first, second = _card(app, "Jobs A"), _card(app, "Jobs B")
        for focused, other in ((first, second), (second, first)):
            focused.focus()
            await pilot.pause()
            assert app.focused is focused
            assert focused.rich_style.bgcolor != other.rich_style.bgcolor
            for card in (focused, other):
                cells = {
                    segment.style.bgcolor
                    for y in range(1, card.size.height - 1)
                    for segment in card.render_line(y)
                    if segment.text.strip() in ("api", "node") and segment.style is not None
                }
                assert cells == {card.rich_style.bgcolor}, (card.target.title, cells)


async def test_a_stat_of_several_queries_shows_every_series_of_each(tmp_path: Path) -> None:
    # Grafana's stat of two targets shows both targets' series; so does the tile.
    panel = (
        "      - title: Both\n"
        "        width: 24\n"
        "        queries:\n"
        "          - {expr: jobs:up, legend: '{{job}}'}\n"
        "          - {expr: 'shard:load{shard=\"s00\"}', legend: 'load {{shard}}'}\n"
    )
    app, _, _ = make(tmp_path, _shards(3), text=_board(panel))
    async with app.run_test(size=(80, 20)) as pilot:
        await settle(pilot, app)
        card = app.query_one(StatsCard)
        body = "\n".join(card.body_plain())
        words = body.replace("│", " ").split()  # wide cells are parted by a rule
        for name in ("api", "node", "load", "s00"):
            assert name in words, body
        assert {"1", "0", "10"} <= set(words), body
        assert "+" not in screen_text(app)


async def test_gauges_of_several_series_stand_side_by_side_in_a_wide_tile(
    tmp_path: Path,
) -> None:
    # Grafana's gauge panel of several series, wider than tall: a dial each, side by side.
    panel = (
        "      - {title: Load, kind: gauge, expr: shard:load, legend: '{{shard}}',"
        " width: 12, height: 6, max: 30}\n"
    )
    app, _, _ = make(tmp_path, _shards(4), text=_board(panel))
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot, app)
        card = app.query_one(GaugeCard)
        body = card.body_plain()
        assert body[0].split() == ["s03", "s02", "s01", "s00"], body
        assert body[1].split() == ["13", "12", "11", "10"], body
        assert body[2].count("█") >= 4  # a bar under each
        assert "more" not in "\n".join(body)


async def test_one_values_colour_and_text_modes(tmp_path: Path) -> None:
    # One series: the value line keeps its own drawing (and its line cache); its
    # colour mode paints the value's background, its text mode names the series.
    panels = (
        "      - {title: Api bg, expr: 'jobs:up{job=\"api\"}', color_mode: background,"
        " thresholds: {target: '>=1', alert: '<1'}}\n"
        "      - {title: Api named, expr: 'jobs:up{job=\"api\"}', legend: '{{job}}',"
        " text_mode: value_and_name}\n"
        "      - {title: Api plain, expr: 'jobs:up{job=\"node\"}', color_mode: none,"
        " thresholds: {target: '>=1', alert: '<1'}}\n"
    )
    app, _, _ = make(tmp_path, _shards(1), text=_board(panels))
    async with app.run_test(size=(100, 20)) as pilot:
        await settle(pilot, app)
        painted = _card(app, "Api bg")
        assert painted.grid_plain() == [] and painted.value_plain == "1"
        ok = painted.get_component_rich_style("card--value").bgcolor
        assert ok is not None and ok == painted.piece_style("card--bg-ok").bgcolor
        assert _card(app, "Api named").value_plain == "api 1"
        plain = _card(app, "Api plain")
        assert plain.has_class("-critical")  # judged, but its value not coloured
        value = plain.get_component_rich_style("card--value").color
        assert value == plain.piece_style("card--none").color


async def test_a_tick_that_changes_no_value_redraws_no_cell(tmp_path: Path) -> None:
    app, _, _ = make(tmp_path)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot, app)
        card = _card(app, "Success Rate")
        assert card.grid_plain()
        before = card.lines_drawn
        card.show(card.state)  # the same state again: every line from the cache
        await pilot.pause()
        assert card.lines_drawn == before


SHOWCASE = (
    "      - {title: Jobs up (background), expr: jobs:up, legend: '{{job}}', width: 8,"
    " color_mode: background, thresholds: {target: '>=1', alert: '<1'}}\n"
    "      - {title: Jobs up (value), expr: jobs:up, legend: '{{job}}', width: 8,"
    " thresholds: {target: '>=1', alert: '<1'}}\n"
    "      - {title: Narrow, expr: shard:load, legend: '{{shard}}', width: 4}\n"
    "      - {title: Tall, expr: shard:load, legend: '{{shard}}', width: 4, height: 8}\n"
    "      - {title: Gauges, kind: gauge, expr: shard:load, legend: '{{shard}}', width: 12,"
    " height: 6, max: 30}\n"
)


def test_stat_layouts_snapshot(tmp_path: Path, snap_compare) -> None:
    """Several series by the tile's shape: side by side, wrapped, stacked, "+N", a
    background colour mode, gauges side by side."""
    app, _, _ = make(tmp_path, _shards(5), text=_board(SHOWCASE))

    async def run_before(pilot) -> None:
        await settle(pilot, app)

    assert snap_compare(app, terminal_size=(120, 24), run_before=run_before)


@pytest.mark.parametrize(
    ("count", "bars", "more"),
    [(5, ["s04", "s03", "s02", "s01", "s00"], ""), (6, ["s05", "s04", "s03", "s02"], "+2 more")],
    ids=["five-all-drawn", "six-two-counted"],
)
async def test_bars_that_do_not_fit_are_counted_under_them(
    tmp_path: Path, count: int, bars: list[str], more: str
) -> None:
    # A bar gauge of four body lines and a detail line: five bars all fit, the fifth
    # on the detail line ("+1 more" there would take the line that bar needs); of
    # six, four bars and "+2 more" on the detail line.
    panel = (
        "      - {title: Load, kind: bargauge, expr: shard:load, legend: '{{shard}}',"
        " width: 12, max: 30}\n"
    )
    app, _, _ = make(tmp_path, _shards(count), text=_board(panel))
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot, app)
        card = app.query_one(GaugeCard)
        assert card.size.height == 6  # title, four lines, detail
        body = card.body_plain()
        assert [line.split()[0] for line in body] == bars, body
        text = screen_text(app)
        assert (more in text) if more else ("more" not in text), text


def _modes() -> FakePrometheus:
    # Three series whose labels differ only in the last one: whole label lists
    # ("instance=host-one.example:9100, job=node, mode=idle") cut to a cell's width
    # would read the same.
    modes = (("idle", 0.7), ("user", 0.2), ("system", 0.1))
    labels = {"instance": "host-one.example:9100", "job": "node"}
    return FakePrometheus(
        metrics={"host:cpu:ratio": [FakeSeries({**labels, "mode": m}, v) for m, v in modes]},
        target_list=[target("node")],
    )


async def test_series_are_named_by_the_labels_that_tell_them_apart(tmp_path: Path) -> None:
    panels = (
        "      - {title: Modes, expr: 'host:cpu:ratio', width: 8}\n"
        "      - {title: Bars, kind: bargauge, expr: 'host:cpu:ratio', width: 8, max: 1}\n"
    )
    app, _, _ = make(tmp_path, _modes(), text=_board(panels))
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot, app)
        grid = "\n".join(_card(app, "Modes").grid_plain())
        assert {"idle", "user", "system"} <= set(grid.split()), grid
        bars = app.query_one(GaugeCard).body_plain()
        assert [line.split()[0] for line in bars] == ["idle", "user", "system"], bars


async def test_bar_gauge_names_cut_to_their_label_keep_the_part_that_differs(
    tmp_path: Path,
) -> None:
    ports = (("127.0.0.1:35073", 0.93), ("127.0.0.1:47717", 0.12))
    fake = FakePrometheus(
        metrics={
            "host:cpu:ratio": [FakeSeries({"instance": i, "job": "node"}, v) for i, v in ports]
        },
        target_list=[target("node")],
    )
    panel = "      - {title: CPU, kind: bargauge, expr: 'host:cpu:ratio', width: 6, max: 1}\n"
    app, _, _ = make(tmp_path, fake, text=_board(panel))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot, app)
        bars = app.query_one(GaugeCard).body_plain()
        assert bars[0].startswith("…35073") and bars[1].startswith("…47717"), bars
