"""Bar gauges in small tiles, on Grafana's own dashboards: a number is never cut while
its bar has cells to give, and "+N more" only counts bars that truly do not fit."""

from __future__ import annotations

from pathlib import Path

from allintop.draw.bars import EIGHTHS
from allintop.ui.cards.gauge import GaugeCard
from tests import corpus
from tests.fakeprom import FakePrometheus, FakeSeries, target
from tests.fast.fakeapp import make, settle
from tests.tui.util import screen_text, wait_for

MIB = 2**20
ALLIN = {"job": "allin", "instance": "app:3000"}


def _gauge(app, title: str) -> GaugeCard:
    return next(c for c in app.query(GaugeCard) if c.panel.title == title)


def _allin() -> FakePrometheus:
    """What the AllIN overview's System tab reads (counters as functions of time)."""
    return FakePrometheus(
        metrics={
            "allin_process_cpu_seconds_total": [FakeSeries(ALLIN, lambda t: 0.3 * t)],
            "allin_process_resident_memory_bytes": [FakeSeries(ALLIN, 353.4 * MIB)],
            "allin_process_heap_bytes": [FakeSeries(ALLIN, 120.5 * MIB)],
            "allin_nodejs_eventloop_lag_p95_seconds": [FakeSeries(ALLIN, 0.0118)],
        },
        target_list=[target("allin")],
    )


async def test_gauges_at_80x24_shrink_the_bar_not_the_number(tmp_path: Path) -> None:
    text = (corpus.OWN_V2 / "allin-overview-v2beta1.json").read_text()
    app, _, _ = make(tmp_path, _allin(), text=text)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot, app)
        await pilot.press("]")  # the System tab
        shown = {"CPU Usage": ["30.0 %"], "Memory Usage": ["353.4 MiB"]}
        shown |= {"Event Loop Lag": ["11.8 ms"], "Memory": ["353.4 MiB", "120.5 MiB"]}
        await wait_for(pilot, lambda: "Event Loop Lag" in screen_text(app), what="the tab")
        for title, numbers in shown.items():
            card = _gauge(app, title)
            body = card.body_plain()
            assert card.size.width < 24, "a small tile, as at 80 columns"
            for line, number in zip(body, numbers, strict=False):
                assert line.rstrip().endswith(" " + number), body
                assert set(line) & set(EIGHTHS[1:]), f"a bar drawn: {body}"
            assert len(body) >= len(numbers), body
        memory = _gauge(app, "Memory").body_plain()
        assert [line.split()[0][:3] for line in memory] == ["res", "hea"], memory


def _pressure() -> FakePrometheus:
    """CPU, memory and I/O pressure of one node (no Irq pressure on its kernel)."""
    node = {"job": "node", "instance": "host:9100"}
    waiting = {"cpu": 0.012, "memory": 0.0, "io": 0.031}
    metrics = {
        f"node_pressure_{kind}_waiting_seconds_total": [FakeSeries(node, lambda t, r=r: r * t)]
        for kind, r in waiting.items()
    }
    metrics["node_uname_info"] = [FakeSeries({**node, "nodename": "host"}, 1.0)]
    return FakePrometheus(metrics=metrics, target_list=[target("node")])


async def test_node_exporter_full_pressure_draws_a_third_bar_not_plus_one(tmp_path) -> None:
    # CPU, Mem and I/O pressure (no Irq on this kernel) in a tile of two body lines
    # and a detail line with nothing to say: the I/O bar takes the detail line.
    text = corpus.path("node-exporter-full-latest.json").read_text()
    app, _, _ = make(tmp_path, _pressure(), text=text)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot, app)
        card = _gauge(app, "Pressure")
        body = card.body_plain()
        assert [line.split()[0] for line in body] == ["CPU", "Mem", "I/O"], body
        assert body[2].rstrip().endswith("3.1 %"), body
        assert "more" not in screen_text(app)
        # Painting it again draws no line anew, the one on the detail line included.
        before = card.lines_drawn
        card.refresh()
        await pilot.pause()
        assert card.lines_drawn == before
