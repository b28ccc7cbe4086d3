"""`once` and `check` make a dashboard's repeats as the app does: a repeated panel
or row once per value of its variable (All: each option, asked of the real
Prometheus), each copy titled with its value and querying it alone; from a
panels.yaml and from a Grafana schema v2 dashboard's repeats alike."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from allintop.demo.stack import DemoStack
from tests import corpus
from tests.helpers import run_allintop

#: A panel and a row repeated by job; the node stack has two: node and prometheus.
PER_JOB = """
title: Per job
variables:
  job: {query: 'label_values(up, job)', default: all}
rows:
  - title: Targets
    panels:
      - title: Up $job
        expr: up{job="$job"}
        repeat: $job
  - title: Job $job
    repeat: $job
    panels:
      - title: Series of $job
        expr: sum(scrape_series_added{job="$job"}) >= 0
"""

pytestmark = pytest.mark.stack


def _panels(tmp_path: Path) -> Path:
    path = tmp_path / "panels.yaml"
    path.write_text(PER_JOB)
    return path


def test_once_lists_each_copy_titled_with_its_value(node_stack: DemoStack, tmp_path: Path):
    path = _panels(tmp_path)
    result = run_allintop("once", "-c", str(path), "--url", node_stack.prometheus_url)
    assert result.returncode == 0, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    assert [line for line in lines if line.startswith("==")] == [
        "== Targets",
        "== Job node",
        "== Job prometheus",
    ]
    titles = [line.split()[:2] for line in lines if line.startswith("  ")]
    assert titles == [["Up", "node"], ["Up", "prometheus"], ["Series", "of"], ["Series", "of"]]
    document = json.loads(
        run_allintop("once", "--json", "-c", str(path), "--url", node_stack.prometheus_url).stdout
    )
    shown = {
        row["title"]: [(p["title"], p["value"]) for p in row["panels"]] for row in document["rows"]
    }
    # Each copy asks for its own job: one series, up.
    assert shown["Targets"] == [("Up node", 1.0), ("Up prometheus", 1.0)]
    assert [title for title, _ in shown["Job node"]] == ["Series of node"]
    assert [title for title, _ in shown["Job prometheus"]] == ["Series of prometheus"]


def test_a_picked_value_makes_one_copy(node_stack: DemoStack, tmp_path: Path):
    path = _panels(tmp_path)
    url = node_stack.prometheus_url
    result = run_allintop("once", "--json", "-c", str(path), "--url", url, "--var", "job=node")
    rows = json.loads(result.stdout)["rows"]
    assert [(r["title"], [p["title"] for p in r["panels"]]) for r in rows] == [
        ("Targets", ["Up node"]),
        ("Job node", ["Series of node"]),
    ]


def test_check_runs_every_copy(node_stack: DemoStack, tmp_path: Path):
    path = _panels(tmp_path)
    result = run_allintop("check", "-c", str(path), "--url", node_stack.prometheus_url)
    assert result.returncode == 0, result.stdout + result.stderr
    # Two copies of the panel and two of the row's: four queries, each with data
    # (one of all jobs at once would have no "job" of "$job" to select).
    assert f"{path}: 4 queries, all run and return data" in result.stdout


def test_a_v2_dashboards_repeats_are_copied_and_placed(node_stack: DemoStack, tmp_path: Path):
    path = corpus.OWN_V2 / "repeats-v2beta1.json"
    url = node_stack.prometheus_url
    result = run_allintop("once", "--json", "-c", str(path), "--url", url)
    assert result.returncode == 0, result.stdout + result.stderr
    shown = [
        (row["title"], [(p["title"], p["value"] is not None) for p in row["panels"]])
        for row in json.loads(result.stdout)["rows"]
    ]
    assert shown == [
        ("Targets", [("Up node", True), ("Up prometheus", True)]),
        ("Job node", [("Samples scraped by node", True)]),
        ("Job prometheus", [("Samples scraped by prometheus", True)]),
    ]
    # import-grafana carries them as panels.yaml's repeat keys, and the queryOptions
    # as the panel's interval.
    written = tmp_path / "panels.yaml"
    imported = run_allintop("import-grafana", str(path), "-o", str(written))
    assert imported.returncode == 0, imported.stderr
    text = written.read_text()
    assert text.count('repeat: "$job"') == 2, text
    assert "max_per_row: 2" in text and 'interval: "30s"' in text, text
