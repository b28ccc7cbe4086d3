"""Grafana dashboards, run as they are (`allintop once -c FILE`), against real
exporters: a node dashboard against Debian's node-exporter scraped by a real
Prometheus, a dashboard of Prometheus' own metrics against a Prometheus scraping
itself, and the bundled AllIN overview in Grafana's JSON against the demo backend.
Each is the repository's own (tests/fixtures/grafana), and a real one of the public
corpus (Node Exporter Full, Prometheus 2.0 Stats; skipped without it).

What a panel should show is decided from the server, not from a list: each of its
queries is parsed (allintop.promql.parse, on promql_parser) for the metric names it selects,
and a query is expected to return data when the job's targets have those names
(/api/v1/label/__name__/values); `or` needs one side, `unless` its left side, and
absent() nothing. A Grafana panel is expected to show data when one of its queries
is, and shows data when `once --json` has a value for each of its expected queries
(allintop shows each query of a panel as a card titled "panel · legend"); NaN is a
value, Prometheus' answer (SWAP Used on a machine without swap), shown as Grafana
does. A failure lists every expected panel without data, with the query as sent and
allintop's reason, and every query left out for want of its metrics.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import promql_parser
import pytest

from allintop.demo.configs import JOB_NAME, NODE_JOB, SELF_JOB
from allintop.demo.stack import DemoStack
from allintop.live.poller import aligned
from allintop.promql.interpolate import interpolate
from allintop.promql.intervals import grafana_intervals
from allintop.promql.parse import metric_names, parse
from allintop.promql.variable_values import builtin_values
from allintop.values.durations import parse_duration
from tests import corpus
from tests.helpers import prom_query, run_allintop, wait_until

pytestmark = pytest.mark.stack

ROOT = Path(__file__).resolve().parents[2]
ALLIN_GRAFANA = ROOT / "allintop" / "dashboards" / "allin-overview-grafana.json"

# Each node dashboard's query variables, and the label of the exporter's
# node_uname_info series each is set to with --var (its `label_values(...)` query).
NODE_VARIABLES = {
    "node.json": {"job": "job", "node": "instance"},
    "node-exporter-full-latest.json": {"job": "job", "nodename": "nodename", "node": "instance"},
    "node-exporter-full-2022-graph.json": {"job": "job", "node": "instance"},
}
NODE_MIN_SHOWN = 0.9
# Scrapes each job must have had before the dashboard's evaluation time: rate() and
# irate() then have two samples of every series, rule groups have run.
SCRAPES_BEFORE = 10
# `once` runs at this refresh, not the files' own 1m; it evaluates at the time it runs,
# and the tests wait for scrapes before the last tick of this grid, which is stricter.
# The rate windows ($__rate_interval) are Grafana's for the stack's 1 s scrape interval,
# which `once` learns from its targets: two scrapes or more.
REFRESH = "5s"
STACK_SCRAPE = 1.0


@dataclass
class Query:
    ref: str
    expr: str  # with the variables filled in, as allintop sends it
    missing: frozenset[str]  # metric names it selects that the job does not have
    expected: bool
    value: Any = None
    reason: str = ""  # allintop's, when there is no value


@dataclass
class GrafanaPanel:
    row: str
    title: str
    queries: list[Query]
    cards: int = 0  # how many of allintop's cards are this panel's

    @property
    def place(self) -> str:
        return f"{self.row} / {self.title}" if self.row else self.title

    @property
    def expected(self) -> list[Query]:
        return [q for q in self.queries if q.expected]

    @property
    def shows_data(self) -> bool:
        return self.cards == len(self.queries) and all(q.value is not None for q in self.expected)


# -- the dashboard's panels and what their queries need ---------------------------------


def grafana_panels(board: Mapping[str, Any]) -> Iterator[tuple[str, Mapping[str, Any]]]:
    """(row title, panel) for every panel that is not a row: legacy `rows[]`, or the
    flat `panels` list in grid order, with collapsed rows holding their own."""
    for row in board.get("rows") or []:
        for panel in row.get("panels") or []:
            yield str(row.get("title") or ""), panel
    row_title = ""
    for panel in sorted(board.get("panels") or [], key=grid_position):
        if panel.get("type") == "row":
            row_title = str(panel.get("title") or "")
            for inner in panel.get("panels") or []:
                yield row_title, inner
        else:
            yield row_title, panel


def grid_position(panel: Mapping[str, Any]) -> tuple[int, int]:
    grid = panel.get("gridPos") or {}
    return grid.get("y", 0), grid.get("x", 0)


def selector_names(node: promql_parser.VectorSelector) -> set[str]:
    """The metric names one selector selects: its name, and `__name__="..."` matchers."""
    groups = [node.matchers.matchers, *node.matchers.or_matchers]
    named = {
        m.value
        for group in groups
        for m in group
        if m.name == "__name__" and m.op == promql_parser.MatchOp.Equal
    }
    return named | ({node.name} if node.name else set())


def can_have_data(node: promql_parser.Expr, known: frozenset[str]) -> bool:
    """Whether the expression can return anything when only the `known` metric names
    have series (a selector of a name not known selects nothing)."""
    if isinstance(node, promql_parser.VectorSelector):
        return selector_names(node) <= known
    if isinstance(node, promql_parser.MatrixSelector):
        return can_have_data(node.vector_selector, known)
    if isinstance(
        node,
        promql_parser.ParenExpr
        | promql_parser.UnaryExpr
        | promql_parser.AggregateExpr
        | promql_parser.SubqueryExpr,
    ):
        return can_have_data(node.expr, known)
    if isinstance(node, promql_parser.BinaryExpr):
        left, right = can_have_data(node.lhs, known), can_have_data(node.rhs, known)
        operator = str(node.op)
        if operator == "or":
            return left or right
        if operator == "unless":
            return left
        return left and right
    if isinstance(node, promql_parser.Call):
        if node.func.name in ("absent", "absent_over_time"):
            return True
        return all(can_have_data(arg, known) for arg in node.args if arg is not None)
    return True  # number and string literals


def panels_of(path: Path, values: Mapping[str, str], known: frozenset[str]) -> list[GrafanaPanel]:
    """Every Grafana panel of the file with its queries (hidden ones left out, as
    Grafana does), each filled in with `values` and judged against `known`."""
    board = json.loads(path.read_text())
    range_ = parse_duration(str(board["time"]["from"]).removeprefix("now-"))
    # The other variables (custom, constant, interval) as Grafana saved them.
    saved = {
        str(v["name"]): str(v["current"]["value"])
        for v in board.get("templating", {}).get("list", [])
        if v.get("type") not in ("query", "datasource") and (v.get("current") or {}).get("value")
    }
    intervals = grafana_intervals(range_, scrape=STACK_SCRAPE)  # no chart: 200 points
    filled = builtin_values(range_, intervals) | saved | dict(values)
    panels = []
    for row, panel in grafana_panels(board):
        queries = []
        for target in panel.get("targets") or []:
            if target.get("hide") or not str(target.get("expr") or "").strip():
                continue
            expr = interpolate(str(target["expr"]).strip(), filled)
            tree = parse(expr)  # a query that does not parse is a failure here
            missing = metric_names(expr) - known
            queries.append(
                Query(target.get("refId", ""), expr, missing, can_have_data(tree, known))
            )
        panels.append(GrafanaPanel(row, str(panel.get("title") or ""), queries))
    return panels


# -- the server and the command line -----------------------------------------------------


def known_names(prometheus_url: str, job: str) -> frozenset[str]:
    """The metric names the job's targets have (/api/v1/label/__name__/values)."""
    response = httpx.get(
        f"{prometheus_url}/api/v1/label/__name__/values",
        params={"match[]": f'{{job="{job}"}}'},
        timeout=5.0,
    )
    response.raise_for_status()
    return frozenset(response.json()["data"])


def wait_for_scrapes_before_grid(prometheus_url: str, jobs: list[str]) -> None:
    """Until the time `once` evaluates at (the last tick of the REFRESH grid, up to a
    refresh ago) comes after SCRAPES_BEFORE scrapes of every job: a
    just-started server has no data yet at a time before its first scrapes."""
    refresh = parse_duration(REFRESH)

    def scraped_before_grid() -> bool:
        at = aligned(time.time(), refresh)
        return all(
            prom_query(
                prometheus_url, f'count_over_time(up{{job="{job}"}}[1h]) >= {SCRAPES_BEFORE}', at
            )
            for job in jobs
        )

    wait_until(scraped_before_grid, timeout=refresh + 60, interval=1.0, what="scrapes before grid")


def run_once(path: Path, prometheus_url: str, values: Mapping[str, str]) -> list[dict[str, Any]]:
    """`allintop once --json -c FILE --url URL --var ...`: its cards, in order."""
    options = [arg for name, value in values.items() for arg in ("--var", f"{name}={value}")]
    result = run_allintop(
        "once", "--json", "-c", str(path), "--url", prometheus_url, "--refresh", REFRESH, *options
    )
    assert result.returncode in (0, 1, 2, 3), result.stderr  # 3: a card without a value
    assert "Traceback" not in result.stderr
    return [card for row in json.loads(result.stdout)["rows"] for card in row["panels"]]


def match_cards(panels: list[GrafanaPanel], cards: list[dict[str, Any]]) -> list[str]:
    """Give each query its card's value (by title: "panel" or "panel · legend", in
    query order); returns the titles of cards that belong to no panel."""
    claimed: set[int] = set()
    for panel in panels:
        mine = [
            i
            for i, card in enumerate(cards)
            if card["title"] == panel.title or card["title"].startswith(f"{panel.title} · ")
        ]
        claimed.update(mine)
        panel.cards = len(mine)
        if len(mine) != len(panel.queries):
            continue  # reported as such: the cards cannot be told apart
        for query, i in zip(panel.queries, mine, strict=True):
            query.value, query.reason = cards[i]["value"], cards[i]["reason"] or ""
    return [card["title"] for i, card in enumerate(cards) if i not in claimed]


def report(name: str, panels: list[GrafanaPanel]) -> str:
    """Every expected panel without data, and why; the panels not expected to have any."""
    expected = [p for p in panels if p.expected]
    shown = [p for p in expected if p.shows_data]
    lines = [
        f"{name}: {len(shown)} of the {len(expected)} panels whose metrics the server has "
        f"show data ({len(shown) / max(len(expected), 1):.0%}); {len(panels)} panels in all"
    ]
    for panel in expected:
        if panel.shows_data:
            continue
        lines.append(f"  NO DATA  {panel.place}")
        if panel.cards != len(panel.queries):
            lines.append(
                f"    allintop shows {panel.cards} cards for its {len(panel.queries)} queries"
            )
            continue
        for query in panel.expected:
            if query.value is None:
                lines.append(f"    [{query.ref}] {query.reason or 'no value'}: {query.expr}")
    for panel in panels:
        for query in panel.queries:
            if not query.expected:
                missing = ", ".join(sorted(query.missing))
                where = f"{panel.place} [{query.ref}]"
                lines.append(f"  (not expected: {where}: the server has no {missing})")
    return "\n".join(lines)


def ratio(panels: list[GrafanaPanel]) -> float:
    expected = [p for p in panels if p.expected]
    return sum(p.shows_data for p in expected) / len(expected)


# -- the tests ---------------------------------------------------------------------------


@pytest.mark.parametrize("name", list(NODE_VARIABLES))
def test_node_exporter_full_shows_the_node_exporters_metrics(node_stack, name: str) -> None:
    path, url = corpus.dashboard(name), node_stack.prometheus_url
    board = json.loads(path.read_text())
    query_variables = {v["name"] for v in board["templating"]["list"] if v["type"] == "query"}
    assert query_variables == set(NODE_VARIABLES[name]), "the fixture's variables changed"
    (uname,) = prom_query(url, f'node_uname_info{{job="{NODE_JOB}"}}')
    values = {var: uname["metric"][label] for var, label in NODE_VARIABLES[name].items()}
    wait_for_scrapes_before_grid(url, [NODE_JOB])

    panels = panels_of(path, values, known_names(url, NODE_JOB))
    strays = match_cards(panels, run_once(path, url, values))

    summary = report(name, panels)
    print(summary)  # the figures, also when it passes (pytest -s, or -rA)
    assert not strays, f"cards of no Grafana panel: {strays}\n{summary}"
    assert ratio(panels) >= NODE_MIN_SHOWN, summary


@pytest.fixture(scope="module")
def self_scraping() -> Iterator[DemoStack]:
    """A Prometheus scraping itself, with the seed's alert rules loaded (evaluated each
    second) so that its rule-group metrics exist; stopped at the end of the module."""
    demo = DemoStack(
        with_backend=False, scrape_self=True, with_rules=True, rule_interval="1s", history=0
    )
    demo.start(timeout=60)
    try:
        yield demo
    finally:
        demo.stop()


@pytest.mark.parametrize("name", ["prometheus-self.json", "prometheus-2-stats-grafana7.json"])
def test_prometheus_stats_shows_every_panel(self_scraping: DemoStack, name: str) -> None:
    path, url = corpus.dashboard(name), self_scraping.prometheus_url
    wait_for_scrapes_before_grid(url, [SELF_JOB])

    panels = panels_of(path, {}, known_names(url, SELF_JOB))
    strays = match_cards(panels, run_once(path, url, {}))

    summary = report(path.name, panels)
    print(summary)
    assert not strays, f"cards of no Grafana panel: {strays}\n{summary}"
    assert all(p.expected for p in panels), summary  # every panel's metrics exist
    assert all(p.shows_data for p in panels), summary


def test_the_allin_grafana_dashboard_shows_every_panel(stack: DemoStack) -> None:
    """The AllIN overview as a Grafana user would build it from the seed document
    (shipped as an example): on the demo backend, every panel with queries shows data,
    those of its collapsed row too, each query of a multi-query panel as its own card."""
    path, url = ALLIN_GRAFANA, stack.prometheus_url
    wait_for_scrapes_before_grid(url, [JOB_NAME])

    # $job as `once` fills it with no --var (all) selects the backend's job.
    everything = panels_of(path, {"job": JOB_NAME}, known_names(url, JOB_NAME))
    panels = [p for p in everything if p.queries]  # the text panel has none
    strays = match_cards(panels, run_once(path, url, {}))

    summary = report(path.name, panels)
    print(summary)
    assert not strays, f"cards of no Grafana panel: {strays}\n{summary}"
    assert len(panels) >= 20, summary
    assert all(p.expected for p in panels), summary  # every query reads the backend's metrics
    assert all(p.shows_data for p in panels), summary
