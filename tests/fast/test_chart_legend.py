"""A chart's legend on Node Exporter Full: at any width it names what fits and counts
the rest ("+N" never dropped), and a name too long for the line is cut, not left out."""

from __future__ import annotations

import re

from allintop.ui.cards.chart import ChartCard
from tests import corpus
from tests.fakeprom import FakePrometheus, FakeSeries, target
from tests.fast.fakeapp import make, settle

NODE = {"job": "node", "instance": "host:9100"}


def _network(devices: list[str]) -> FakePrometheus:
    """Received and sent bytes of each device: counters as functions of time."""
    metrics = {
        f"node_network_{way}_bytes_total": [
            FakeSeries({**NODE, "device": device}, lambda t, r=rate * (k + 1): r * t)
            for k, device in enumerate(devices)
        ]
        for way, rate in (("receive", 1000.0), ("transmit", 300.0))
    }
    metrics["node_uname_info"] = [FakeSeries({**NODE, "nodename": "host"}, 1.0)]
    return FakePrometheus(metrics=metrics, target_list=[target("node")])


def _legend(card: ChartCard) -> tuple[list[str], int]:
    """The legend line's entries (after each swatch) and its "+N" (0: none)."""
    line = card.body_plain()[-1]
    more = re.search(r"\+(\d+)\s*$", line)
    text = line[: more.start()] if more else line
    return [entry.strip() for entry in text.split("━")[1:]], int(more.group(1)) if more else 0


async def test_network_traffic_legend_counts_every_series_it_does_not_name(tmp_path) -> None:
    text = corpus.path("node-exporter-full-latest.json").read_text()
    app, _, _ = make(tmp_path, _network(["eth0", "docker0", "wlp0s20f3"]), text=text)
    async with app.run_test(size=(200, 60)) as pilot:
        await settle(pilot, app)
        card = next(c for c in app.query(ChartCard) if c.panel.title == "Network Traffic Basic")
        seen = set()
        for width in range(160, 150, -1):  # the tile narrows a cell every two columns
            await pilot.resize_terminal(width, 60)
            await pilot.pause()
            entries, more = _legend(card)
            seen.add((len(entries), more))
            assert len(entries) + more == 6, (width, card.body_plain()[-1])
            assert entries and all(e.split()[0] in ("Rx", "Tx") for e in entries), entries
        assert len(seen) > 1, seen  # widths where fewer entries fit


async def test_a_legend_name_too_long_for_the_line_is_cut_with_an_ellipsis(tmp_path) -> None:
    text = corpus.path("node-exporter-full-latest.json").read_text()
    device = "enx" + "0123456789ab" * 6  # a USB adapter's name, longer than the tile
    app, _, _ = make(tmp_path, _network([device]), text=text)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot, app)
        card = next(c for c in app.query(ChartCard) if c.panel.title == "Network Traffic Basic")
        entries, more = _legend(card)
        assert more == 1 and len(entries) == 1, card.body_plain()[-1]
        assert entries[0].startswith("Rx enx0123") and "…" in entries[0], entries
        assert entries[0].endswith("bit/s"), "the value kept, the name cut"
