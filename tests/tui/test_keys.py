"""Keys and screens as the README describes them: the command palette, screenshots,
reloading panels.yaml, Esc, the help and variables screens, the range labels and the
focused card; driven with Pilot against the real demo stack."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from textual.widgets import Select

from allintop.dashboard.loading import bundled_default_path, load_dashboard
from allintop.dashboard.model import Dashboard
from allintop.sources.prometheus import PrometheusClient
from allintop.ui.app import DashboardApp, make_app
from allintop.ui.cards.stat import StatCard
from tests.tui.util import (
    app_seconds,
    notes,
    screen_lines,
    screen_strips,
    screen_text,
    select_overlay,
    select_values,
    wait_for,
)

pytestmark = pytest.mark.stack

SMALL = """\
title: Reload test
refresh: 1s
range: 5m
rows:
  - title: Traffic
    panels:
      - title: Requests/sec
        expr: sum(rate(allin_http_requests_total[1m]))
        unit: req/s
      - title: Scrapes up
        expr: count(up == 1)
"""


def _app(url: str, dashboard: Dashboard | None = None, **options) -> DashboardApp:
    dashboard = dashboard or load_dashboard(bundled_default_path())
    return make_app(dashboard, PrometheusClient(url), refresh=1.0, **options)


def _values(app: DashboardApp) -> bool:
    cards = list(app.query(StatCard))
    return bool(cards) and all(c.state is not None and c.state.value is not None for c in cards)


def _on_dashboard(app: DashboardApp) -> bool:
    return len(app.screen_stack) == 1 and "Requests/sec" in screen_text(app)


# -- 14: the command palette --------------------------------------------------------

ACTIONS = {
    "Quit": "q",
    "Help": "?",
    "Pause": "p",
    "Refresh": "r",
    "Slower": "+",
    "Faster": "-",
    "Range": "t",
    "Alerts": "a",
    "Targets": "g",
    "Variables": "/",
    "Contexts": "c",
    "Zoom": "enter",
    "Screenshot": "s",
    "Reload config": "R",
    "Next tab": "]",
    "Previous tab": "[",
}


async def test_ctrl_p_lists_every_action_with_its_key_and_runs_one(stack):
    app = _app(stack.prometheus_url)
    # Tall enough for every command at once (the palette lists them by name).
    async with app.run_test(size=(100, 72)) as pilot:
        await wait_for(pilot, lambda: _values(app), what="values")
        await pilot.press("ctrl+p")
        await wait_for(pilot, lambda: "Search for commands" in screen_text(app), what="palette")
        lines = [line.strip() for line in screen_lines(app)]
        for name, key in ACTIONS.items():
            assert name in lines, f"{name!r} not in the palette"
            # Under each name: its key and what it does.
            below = lines[lines.index(name) + 1]
            assert below.startswith(f"{key}  ") and len(below) > len(key) + 8, (name, below)
        await pilot.press(*"pause", "enter")
        await wait_for(pilot, lambda: "● paused" in screen_lines(app)[0], what="paused")
        assert app.paused and len(app.screen_stack) == 1


async def test_footer_fits_80_columns_and_shows_the_palette_key(stack):
    app = _app(stack.prometheus_url)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: "Quit" in screen_lines(app)[-1], what="the footer")
        footer = screen_lines(app)[-1]
        for shown in ("q Quit", "? Help", "p Pause", "t Range", "a Alerts", "g Targets"):
            assert shown in footer, (shown, footer)
        assert footer.rstrip().endswith("^p Commands"), footer


# -- 14: screenshots ----------------------------------------------------------------


async def test_s_saves_the_screen_on_top_as_svg_and_says_where(stack, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    app = _app(stack.prometheus_url)
    async with app.run_test(size=(100, 30), notifications=True) as pilot:
        await wait_for(pilot, lambda: _values(app), what="values")
        await pilot.press("s")
        await wait_for(pilot, lambda: len(list(tmp_path.glob("*.svg"))) == 1, what="an SVG")
        (first,) = tmp_path.glob("*.svg")
        assert re.fullmatch(r"allintop-\d{8}-\d{6}\.svg", first.name)
        svg = first.read_text()
        assert svg.startswith("<svg") and "Requests/sec" in svg
        await wait_for(pilot, lambda: "saved" in screen_text(app), what="a note on screen")
        assert any(f"saved {first}" in note for note in notes(app))
        # Whatever screen is on top: here the help.
        await pilot.press("question_mark")
        await pilot.press("s")
        await wait_for(pilot, lambda: len(list(tmp_path.glob("*.svg"))) == 2, what="a second")
        (second,) = set(tmp_path.glob("*.svg")) - {first}
        assert "allintop&#160;—&#160;keys" in second.read_text()


async def test_s_says_why_when_the_directory_is_not_writable(stack, monkeypatch):
    monkeypatch.chdir("/proc")  # no one creates files there, not even root
    app = _app(stack.prometheus_url)
    async with app.run_test(size=(100, 30), notifications=True) as pilot:
        await wait_for(pilot, lambda: app.ticks >= 1, what="a tick")
        await pilot.press("s")
        await wait_for(pilot, lambda: "cannot write" in screen_text(app), what="the error")
        assert any("cannot write /proc/allintop-" in note for note in notes(app))
        assert app.is_running


def _run_cli(*args: str, cwd: Path) -> tuple[int, str]:
    import subprocess
    import sys

    env = {**os.environ, "COLUMNS": "100", "LINES": "30"}
    result = subprocess.run(
        [sys.executable, "-m", "allintop", *args],
        capture_output=True,
        text=True,
        timeout=90,
        cwd=cwd,
        env=env,
    )
    return result.returncode, result.stderr


def test_screenshot_option_writes_the_dashboard_with_values_and_exits(stack, tmp_path):
    out = tmp_path / "dash.svg"
    code, stderr = _run_cli("--url", stack.prometheus_url, "--screenshot", str(out), cwd=tmp_path)
    assert code == 0, stderr
    svg = out.read_text()
    assert "Requests/sec" in svg and "●&#160;live" in svg
    assert re.search(r">\d[\d.]*&#160;req/s<", svg), "no value on the Requests/sec panel"
    assert "Traceback" not in stderr


def test_screenshot_option_to_a_missing_directory_is_a_clear_error(stack, tmp_path):
    out = tmp_path / "no-such-dir" / "dash.svg"
    code, stderr = _run_cli("--url", stack.prometheus_url, "--screenshot", str(out), cwd=tmp_path)
    assert code == 64
    assert f"--screenshot {out}: cannot write in {out.parent}" in stderr
    assert "Traceback" not in stderr and not out.exists()


# -- 14: reloading panels.yaml ------------------------------------------------------


def _small(tmp_path: Path) -> Path:
    path = tmp_path / "panels.yaml"
    path.write_text(SMALL)
    return path


async def test_an_edited_panels_yaml_is_reloaded_by_itself(stack, tmp_path):
    path = _small(tmp_path)
    app = _app(stack.prometheus_url, load_dashboard(path))
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for(pilot, lambda: _values(app), what="values")
        path.write_text(
            SMALL.replace("title: Scrapes up", "title: Targets up").replace(
                "refresh: 1s", "refresh: 1s\ndatasource: {timeout: 3s}"
            )
            + "      - title: Series\n        expr: count(up)\n"
        )
        await wait_for(pilot, lambda: "Targets up" in screen_text(app), what="the new title")
        assert "Scrapes up" not in screen_text(app)
        assert "Series" in screen_text(app)
        # Said once the new cards are up, which the screen may show a moment before.
        await wait_for(pilot, lambda: any("reloaded" in n for n in notes(app)), what="notice")
        # The client was made at start: a new datasource waits for a restart, and says so.
        assert any("datasource changed" in note for note in notes(app))
        # The new panel is polled like the others.
        await wait_for(pilot, lambda: _values(app), what="values for the new panels")
        assert len(app.query(StatCard)) == 3


async def test_a_broken_panels_yaml_keeps_the_old_dashboard_and_says_why(stack, tmp_path):
    path = _small(tmp_path)
    app = _app(stack.prometheus_url, load_dashboard(path))
    async with app.run_test(size=(100, 30), notifications=True) as pilot:
        await wait_for(pilot, lambda: _values(app), what="values")
        path.write_text(
            SMALL.replace("title: Scrapes up", "title: Targets up\n        treshold: 1")
        )
        await wait_for(pilot, lambda: "not reloaded" in screen_text(app), what="the error")
        assert "treshold" in screen_text(app)
        assert any(f"{path}:11:" in note and "hint:" in note for note in notes(app))
        text = screen_text(app)
        assert "Scrapes up" in text and "Targets up" not in text
        ticks = app.ticks
        await wait_for(pilot, lambda: app.ticks > ticks + 1 and _values(app), what="polling on")
        # Fixed again: it is picked up.
        path.write_text(SMALL.replace("title: Scrapes up", "title: Targets up"))
        await wait_for(pilot, lambda: "Targets up" in screen_text(app), what="the fixed file")


async def test_capital_r_reloads_the_file(stack, tmp_path):
    path = _small(tmp_path)
    app = _app(stack.prometheus_url, load_dashboard(path))
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for(pilot, lambda: _values(app), what="values")
        # Same size and mtime: the file watch cannot see this edit, only R can.
        before = path.stat()
        path.write_text(SMALL.replace("Scrapes up", "Scrapes ok"))
        os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
        await app_seconds(pilot, app, 4)  # the file watch looks every second
        assert "Scrapes ok" not in screen_text(app)
        await pilot.press("R")
        await wait_for(pilot, lambda: "Scrapes ok" in screen_text(app), what="the reload")


# -- 15: Esc, help, variables, range labels, focus ----------------------------------


async def test_esc_returns_to_the_dashboard_from_every_screen(stack):
    app = _app(stack.prometheus_url)
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for(pilot, lambda: _values(app), what="values")
        for keys in (["question_mark"], ["a"], ["g"], ["slash"], ["enter"]):
            await pilot.press(*keys)
            await wait_for(pilot, lambda: len(app.screen_stack) == 2, what=f"{keys} to open")
            await pilot.press("escape")
            await wait_for(pilot, lambda: _on_dashboard(app), what=f"esc after {keys}")
        # The rule detail sits on the alerts screen: Esc closes both.
        await pilot.press("a")
        await wait_for(pilot, lambda: bool(getattr(app.screen, "rules", None)), what="rules")
        await pilot.press("enter")
        await wait_for(pilot, lambda: len(app.screen_stack) == 3, what="the rule detail")
        await pilot.press("escape")
        await wait_for(pilot, lambda: _on_dashboard(app), what="esc from the rule detail")


async def test_help_scrolls_at_80x24(stack):
    app = _app(stack.prometheus_url)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("question_mark")
        await wait_for(pilot, lambda: "allintop — keys" in screen_text(app), what="the help")
        last = "pending one."
        assert last not in screen_text(app)  # taller than the screen: the end is below
        await pilot.press("end")
        await wait_for(pilot, lambda: last in screen_text(app), what="the end of the help")
        await pilot.press("home")
        await wait_for(pilot, lambda: "allintop — keys" in screen_text(app), what="the top")


async def test_variables_dropdown_stays_inside_its_box(stack):
    app = _app(stack.prometheus_url)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("slash")
        select = app.screen.query_one("#var-job", Select)
        await wait_for(pilot, lambda: len(select_values(select)) >= 2, what="the job values")
        await pilot.press("enter")
        overlay = select_overlay(select)
        await wait_for(pilot, lambda: select.expanded and overlay.region.height > 0)
        box = app.screen.query_one("#variables")
        await wait_for(pilot, lambda: box.region.contains_region(overlay.region), what="placed")
        assert box.region.contains_region(overlay.region), (box.region, overlay.region)
        # On screen: every option line lies between the box's two side borders.
        lines = screen_lines(app)
        for row in range(overlay.region.y, overlay.region.bottom):
            assert lines[row][box.region.x] == "│" == lines[row][box.region.right - 1], lines[row]


def _readme_ranges() -> list[str]:
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    listed = re.search(r"\| `t` \| next time range \(([^)]*)\)", readme)
    assert listed is not None
    return listed.group(1).split(", ")


async def test_t_labels_read_as_the_readme_writes_them(stack):
    labels = _readme_ranges()
    app = _app(stack.prometheus_url, range_=300.0)
    async with app.run_test(size=(100, 30)) as pilot:
        seen = []
        for _ in labels:
            header = screen_lines(app)[0]
            seen.append(header.split("  ")[3].strip())  # allintop, host, job, range
            await pilot.press("t")
            await wait_for(pilot, lambda h=header: screen_lines(app)[0] != h, what="next range")
        assert seen == labels


def _title_styles(app: DashboardApp, title: str) -> list[bool]:
    """Whether each cell of `title` as drawn on screen is in reverse video."""
    for strip in screen_strips(app):
        text = strip.text
        if title in text:
            start = text.index(title)
            cells: list[bool] = []
            for segment in strip:
                filtered = segment.style
                for line_filter in app.get_line_filters():
                    filtered = line_filter.apply([segment], app.screen.styles.background)[0].style
                cells.extend([bool(filtered and filtered.reverse)] * len(segment.text))
            return cells[start : start + len(title)]
    raise AssertionError(f"{title!r} not on screen")


@pytest.mark.parametrize("no_color", [False, True])
async def test_the_focused_card_stands_out(stack, monkeypatch, no_color):
    if no_color:
        monkeypatch.setenv("NO_COLOR", "1")
    app = _app(stack.prometheus_url)
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for(pilot, lambda: _values(app), what="values")
        assert all(_title_styles(app, "Requests/sec"))  # focused first
        assert not any(_title_styles(app, "Success Rate"))
        await pilot.press("right")
        await wait_for(pilot, lambda: all(_title_styles(app, "Success Rate")), what="focus")
        assert all(_title_styles(app, "Success Rate"))
        assert not any(_title_styles(app, "Requests/sec"))
