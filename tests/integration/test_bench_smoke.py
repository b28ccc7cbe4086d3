"""The benchmark cannot silently rot: a short real run, and its cleanup.

One short `python -m bench` (the dashboard in tmux and the naive client, 4 s each)
checks that every figure is measured from the real thing: a first paint read off the
terminal, samples from Prometheus' query log, CPU and RSS from /proc, ticks grouped
from the log. Its third run is interrupted with Ctrl-C, which must leave no process
and no temp dir behind. Timings are not asserted: machines are noisy.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from bench import screen
from bench.querylog import QueryRecord, summarize
from tests.helpers import wait_until

pytestmark = [
    pytest.mark.stack,
    pytest.mark.skipif(shutil.which("tmux") is None, reason="the bench needs tmux"),
]

REPO = Path(__file__).resolve().parents[2]
WORKDIRS = re.compile(r"workdirs: (\S+) (\S+);")


def _hear_ctrl_c() -> None:
    # A test run started in the background of a shell (`make test &`) ignores SIGINT,
    # and so would the bench it starts: Python keeps an ignored SIGINT ignored.
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def bench(*args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "bench", *args],
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,  # a Ctrl-C for the bench only, not for pytest
        preexec_fn=_hear_ctrl_c,
    )


def leftovers(workdirs: list[str]) -> list[str]:
    """Live processes mentioning one of the bench's workdirs, and dirs still there."""
    found = [d for d in workdirs if Path(d).exists()]
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            state = stat.read_text().rsplit(")", 1)[1].split()[0]
            cmdline = (stat.parent / "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            continue
        if state != "Z" and any(d in cmdline for d in workdirs):
            found.append(cmdline)
    return found


def test_short_run_measures_every_figure_and_ctrl_c_stops_everything(tmp_path: Path) -> None:
    out = tmp_path / "result.json"
    process = bench(
        "--duration", "4", "--quick", "--out", str(out),
        "--phases", "default-1s,naive-default-1s,default-5s",
    )  # fmt: skip
    assert process.stderr is not None
    lines = []
    deadline = time.monotonic() + 90
    for line in process.stderr:  # the third run has started its dashboard: interrupt it
        lines.append(line)
        if "run default-5s" in line or time.monotonic() > deadline:
            break
    workdirs = WORKDIRS.search("".join(lines))
    assert workdirs, "".join(lines)
    # The third run is going once its terminal is up, its dashboard ticking if it
    # does within 2 s (its 4 s count from launch).
    workdir = Path(workdirs.group(1))
    socket, ticks = workdir / "default-5s.tmux", workdir / "default-5s.ticks.jsonl"
    wait_until(socket.exists, timeout=60, interval=0.05, what="the third run's terminal")
    with contextlib.suppress(AssertionError):
        wait_until(ticks.exists, timeout=2, interval=0.05)
    assert process.poll() is None and leftovers(list(workdirs.groups())), "the run is going"
    os.killpg(process.pid, signal.SIGINT)
    stdout, stderr = process.communicate(timeout=30)
    assert process.returncode == 130, "".join(lines) + stderr + stdout
    # Gone within the half second this check has always allowed.
    wait_until(lambda: not leftovers(list(workdirs.groups())), 0.5, 0.1, what="nothing left behind")

    # The two finished runs are reported and written, with every figure measured.
    assert "samples/min" in stdout and "first paint" in stdout
    result = json.loads(out.read_text())
    assert result["stack"]["backfilled"] and result["stack"]["range_15m_has_data"]
    assert result["stack"]["rate_5m_has_data"] and result["stack"]["query_log_has_sample_stats"]
    ours, naive = result["phases"]
    for phase in (ours, naive):
        assert "error" not in phase, phase
        log = phase["querylog"]
        assert log["queries"] > 0 and log["samples"] > 0 and log["ticks"] >= 1, log
        assert phase["cpu_s"] > 0 and phase["peak_rss_mb"] > 10
        assert phase["first_paint_s"] is not None and phase["first_paint_s"] > 0
        assert log["tick_wall_ms_median"] is not None and log["tick_ratio_median"] is not None
    assert ours["first_paint_visible_cards"] == 13 and ours["live_at_end"]
    assert ours["querylog"]["backfill"]["queries"] >= 1
    assert "/api/v1/query_range" in naive["querylog"]["by_path"]


def test_screen_and_log_parsers_on_canned_input() -> None:
    lines = [
        " allintop  127.0.0.1:9090  job=all  15m  every 1s          12:00:00  ● live",
        " Request Metrics",
        "▌ Requests/sec      ▌ P95 Response Time ▌ Requests/sec max",
        "▌ 24.4 req/s        ▌ …                 ▌ 3",
        "▌ ▁▂▃               ▌                   ▌",
    ]
    assert screen.card_value(lines, "Requests/sec") == "24.4 req/s"
    state = screen.paint_state(lines, ["Requests/sec", "P95 Response Time", "Absent"])
    assert (state.live, state.visible, state.painted, state.done) == (True, 2, 1, False)

    def entry(end: str, ts: str, took: float, samples: int) -> QueryRecord:
        record = QueryRecord.from_entry(
            {
                "httpRequest": {"path": "/api/v1/query"},
                "params": {"start": end, "end": end, "step": 0, "query": "up"},
                "stats": {
                    "timings": {"evalTotalTime": took, "execTotalTime": took},
                    "samples": {"totalQueryableSamples": samples},
                },
                "ts": ts,
            }
        )
        assert record is not None
        return record

    rule = {"ruleGroup": {"name": "g"}, "params": {}, "stats": {}, "ts": "2026-01-01T00:00:00Z"}
    assert QueryRecord.from_entry(rule) is None
    t = "2026-01-01T00:00:01.000Z"
    records = [
        entry(t, "2026-01-01T00:00:01.060Z", 0.010, 100),
        entry(t, "2026-01-01T00:00:01.080Z", 0.020, 300),
    ]
    since = records[0].began - 1
    figures = summarize(records, since, since + 30, "/api/v1/query")
    assert figures["samples"] == 400 and figures["samples_per_min"] == 800
    assert figures["ticks"] == 1 and figures["tick_wall_ms_median"] == pytest.approx(30.0)
    assert figures["tick_ratio_median"] == pytest.approx(1.5)


def test_a_baseline_that_is_no_commit_is_refused_before_anything_starts() -> None:
    process = bench("--quick", "--baseline", "no-such-revision-anywhere")
    stdout, stderr = process.communicate(timeout=60)
    assert process.returncode == 2, stderr
    assert "--baseline 'no-such-revision-anywhere' is not a commit of this repository" in stderr
    assert "Traceback" not in stderr and "starting the demo stack" not in stderr
    assert stdout == ""
