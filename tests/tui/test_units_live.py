"""Units and flat series on the live dashboard, against the real demo stack.

A zero series (no 5xx under "healthy") and a constant one (the number of request
series) are low lines on their cards and in zoom; a byte rate reads in MiB/s and is
judged against a threshold written in MB/s; a bytes axis is labelled in round MiB.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from allintop.dashboard.loading import load_dashboard
from allintop.sources.prometheus import PrometheusClient
from allintop.ui.app import DashboardApp, make_app
from allintop.ui.cards.stat import StatCard
from allintop.ui.screens.zoom import ZoomScreen
from allintop.ui.screens.zoom_chart import ZoomChart
from tests.helpers import prom_scalar
from tests.tui.util import screen_lines, screen_text, wait_for

pytestmark = pytest.mark.stack

MIB = 1024**2
PER_MINUTE = "allin_process_resident_memory_bytes / 60"  # a real series in MiB/s
PANELS = f"""
refresh: 1s
range: 5m
rows:
  - title: Units
    panels:
      - title: 5xx errors
        expr: sum(rate(allin_http_requests_total{{status_code=~"5.."}}[1m]))
        unit: req/s
      - title: Request series
        expr: count(allin_http_requests_total)
      - title: Memory
        expr: allin_process_resident_memory_bytes
        unit: bytes
      - title: Memory per minute
        expr: {PER_MINUTE}
        unit: B/s
        thresholds: {{target: "<10MB/s", alert: ">50MB/s"}}
"""
BRAILLE = re.compile("[\u2801-\u28ff]")  # plotext's dots (U+2800 is a blank)


def _card(app: DashboardApp, title: str) -> StatCard:
    return next(c for c in app.query(StatCard) if c.target.title == title)


def _filled(app: DashboardApp) -> bool:
    """Every card has a value and most of its sparkline's history."""
    return all(
        c.state is not None
        and c.state.value is not None
        and sum(v is not None for v in c.state.history) > len(c.state.history) // 2
        for c in app.query(StatCard)
    )


def _spark_rows(card: StatCard) -> list[str]:
    return card.spark_plain()


async def _zoom(pilot, app: DashboardApp, title: str) -> list[str]:
    """Zoom into `title`; the rows inside the chart's frame, top first."""
    index = next(i for i, p in enumerate(app.dashboard.queries) if p.title == title)
    app.push_screen(ZoomScreen(app, index))
    await wait_for(
        pilot,
        lambda: isinstance(app.screen, ZoomScreen) and bool(app.screen.data.lines),
        what=f"the zoom chart of {title}",
    )
    await pilot.pause()
    region = app.screen.query_one(ZoomChart).region
    rows = screen_lines(app)[region.y : region.bottom]
    top = next(i for i, row in enumerate(rows) if "┌" in row)
    bottom = next(i for i, row in enumerate(rows) if "└" in row)
    return rows[top + 1 : bottom]


def _line_height(plot: list[str]) -> float:
    """How far up the plot a flat line is drawn: 0 on the floor, 1 at the top."""
    drawn = [i for i, row in enumerate(plot) if BRAILLE.search(row)]
    assert len(drawn) == 1, f"a flat line is one row, not {drawn}:\n" + "\n".join(plot)
    return (len(plot) - 1 - drawn[0]) / (len(plot) - 1)


async def test_flat_series_are_low_lines_and_byte_rates_read_in_their_unit(stack, tmp_path: Path):
    path = tmp_path / "panels.yaml"
    path.write_text(PANELS)
    dashboard = load_dashboard(path)
    app = make_app(dashboard, PrometheusClient(stack.prometheus_url), refresh=1.0)
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for(pilot, lambda: _filled(app), within=30, what="values and history")

        # Zero, and constant: one row of the lowest block, nothing above it.
        assert _card(app, "5xx errors").value_plain == "0 req/s"
        for title in ("5xx errors", "Request series"):
            rows = _spark_rows(_card(app, title))
            assert len(rows) >= 2
            assert "▁" in rows[-1] and set(rows[-1]) <= {" ", "▁"}, (title, rows)
            assert not "".join(rows[:-1]).strip(), (title, rows)

        # A byte rate reads in MiB/s, and its MB/s target holds it.
        rate = _card(app, "Memory per minute")
        number, unit = rate.value_plain.split()
        assert unit == "MiB/s" and re.fullmatch(r"\d\.\d\d", number)
        expected = prom_scalar(stack.prometheus_url, PER_MINUTE)
        assert expected is not None
        assert float(number) == pytest.approx(expected / MIB, rel=0.02)
        assert rate.has_class("-ok")

        # The bytes axis: round numbers of MiB, evenly spaced.
        await _zoom(pilot, app, "Memory")
        labels = [float(n) for n in re.findall(r"(\d+(?:\.\d)?) MiB[┤├]", screen_text(app))]
        assert len(labels) >= 3, screen_text(app)
        assert not re.search(r"\d\.\d{2,} MiB", screen_text(app)), "no 104.90417 MiB"
        steps = {round(b - a, 6) for a, b in zip(labels, labels[1:], strict=False)}
        assert len(steps) == 1 and steps.pop() in (-0.5, -1, -2, -2.5, -5, -10, -20, -25, -50)
        app.pop_screen()

        # In zoom, zero lies on the floor, a constant a quarter of the way up.
        assert _line_height(await _zoom(pilot, app, "5xx errors")) == 0
        app.pop_screen()
        assert 0.1 <= _line_height(await _zoom(pilot, app, "Request series")) <= 0.4
