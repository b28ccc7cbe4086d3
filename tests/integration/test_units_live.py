"""Rates of bytes and bits from the real demo stack, through `allintop once`.

The panels' values are checked against the server's own answer (plain httpx, not
allintop's client), and their statuses against thresholds worked out by hand here,
in another magnitude than the panel's unit (MB/s on a B/s panel, Gbit/s on a bit/s
one).
"""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import pytest

from tests.helpers import prom_scalar, run_allintop

ROOT = Path(__file__).resolve().parents[2]
MIB = 1024**2
# The demo backend exports no byte counter. Its resident memory (about 350 MiB,
# wandering by a few per cent) spread over a minute is a real series from the server
# in the MiB/s range, steady enough to judge against thresholds a factor 2 away.
PER_MINUTE = "allin_process_resident_memory_bytes / 60"
NO_ERRORS = 'sum(rate(allin_http_requests_total{status_code=~"5.."}[1m]))'


def allintop(*args: str) -> subprocess.CompletedProcess[str]:
    return run_allintop(*args)


def _panels(rate: float) -> str:
    """Three panels over the same byte rate (B/s, `rate` now) with thresholds that put
    it on target, in between, and past the alert level; and one that is zero."""
    mib = rate / MIB  # MiB/s, which the thresholds call MB/s (binary, as the seed's MB)
    mbit = rate * 8 / 1e6  # Mbit/s (decimal)
    return f"""
rows:
  - title: Rates
    panels:
      - title: on target
        expr: {PER_MINUTE}
        unit: B/s
        thresholds: {{target: "<{2 * mib:.4f}MB/s", alert: ">{4 * mib:.4f}MB/s"}}
      - title: in between
        expr: {PER_MINUTE}
        unit: bytes/s
        thresholds: {{target: "<{mbit / 2:.4f}Mbit/s", alert: ">{mbit * 2:.4f} Mbit/s"}}
      - title: alerting
        expr: {PER_MINUTE} * 8
        unit: bit/s
        thresholds: {{target: "<{mbit / 4000:.7f}Gbit/s", alert: ">{mib / 2:.4f}MB/s"}}
      - title: no errors
        expr: {NO_ERRORS}
        unit: req/s
        thresholds: {{target: "<0.05", alert: ">1"}}
"""


def _shown(table: str, title: str) -> tuple[str, str]:
    """(value as shown, status) of one panel's line in the `once` table."""
    match = re.search(
        rf"^  {re.escape(title)}\s+(.+?)\s+(ok|warning|critical|unknown)$", table, re.M
    )
    assert match, f"{title!r} not in:\n{table}"
    return match[1], match[2]


@pytest.mark.stack
def test_byte_and_bit_rates_judged_against_thresholds_in_other_magnitudes(stack, tmp_path):
    rate = prom_scalar(stack.prometheus_url, PER_MINUTE)
    assert rate is not None and 3 * MIB < rate < 10 * MIB, rate  # MiB/s, as the demo's
    assert prom_scalar(stack.prometheus_url, NO_ERRORS) == 0.0
    panels = tmp_path / "panels.yaml"
    panels.write_text(_panels(rate))
    url = ("--url", stack.prometheus_url)

    data = json.loads(allintop("once", "--json", "-c", str(panels), *url).stdout)
    by_title = {p["title"]: p for row in data["rows"] for p in row["panels"]}
    for title in ("on target", "in between"):
        assert by_title[title]["value"] == pytest.approx(rate, rel=0.02)
    assert by_title["alerting"]["value"] == pytest.approx(8 * rate, rel=0.02)
    assert [by_title[t]["status"] for t in ("on target", "in between", "alerting")] == [
        "ok",
        "warning",
        "critical",
    ]
    assert (by_title["no errors"]["value"], by_title["no errors"]["status"]) == (0.0, "ok")
    assert by_title["on target"]["unit"] == "B/s"  # the unit as configured

    result = allintop("once", "-c", str(panels), *url)
    assert result.returncode == 2, result.stdout + result.stderr  # the worst: critical
    for title, status in (("on target", "ok"), ("in between", "warning")):
        shown, seen = _shown(result.stdout, title)
        number, unit = shown.split()
        assert (unit, seen) == ("MiB/s", status)
        assert float(number) == pytest.approx(rate / MIB, rel=0.02)
        assert re.fullmatch(r"\d\.\d\d", number)  # three significant digits
    shown, seen = _shown(result.stdout, "alerting")
    number, unit = shown.split()
    assert (unit, seen) == ("Mbit/s", "critical")
    assert float(number) == pytest.approx(8 * rate / 1e6, rel=0.02)
    assert _shown(result.stdout, "no errors") == ("0 req/s", "ok")


def test_a_size_threshold_on_a_rate_panel_is_a_configuration_error(tmp_path):
    panels = tmp_path / "panels.yaml"
    panels.write_text(
        "rows:\n"
        "  - title: Rates\n"
        "    panels:\n"
        "      - title: Traffic\n"
        "        expr: rate(node_network_receive_bytes_total[1m])\n"
        "        unit: B/s\n"
        "        thresholds: {target: '<10MB'}\n"
    )
    result = allintop("once", "-c", str(panels))
    assert result.returncode == 64
    assert f"{panels}:7" in result.stderr
    assert 'threshold "<10MB" is in "MB" but the panel\'s unit is "B/s"' in result.stderr
    assert '"MB" is a size, "B/s" a data rate' in result.stderr
    assert "MB/s" in result.stderr  # the hint: how a rate is written
    assert "Traceback" not in result.stderr
