"""Thanos' and Mimir's conventions, through a gateway in front of the real Prometheus:
the API under a path prefix, a tenant header required, partial_response / dedup
parameters, and warnings in a 200 answer."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from allintop.dashboard.loading import bundled_default_path, load_dashboard, load_text
from allintop.dashboard.model import Dashboard
from allintop.errors import HTTPStatusError
from allintop.sources.prometheus import PrometheusClient
from allintop.ui.app import DashboardApp, make_app
from allintop.ui.cards.stat import StatCard
from tests.tenantproxy import TENANT, TenantProxy
from tests.tui.util import screen_text, wait_for

pytestmark = pytest.mark.stack

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def gateway(stack) -> Iterator[TenantProxy]:
    with TenantProxy(stack.prometheus_url, prefix="/prometheus") as proxy:
        yield proxy


def _dashboard(tmp_path: Path, url: str, extra: str = "") -> Dashboard:
    """The bundled AllIN overview, its datasource written as a user would."""
    path = tmp_path / "panels.yaml"
    default = yaml.safe_load(bundled_default_path().read_text())
    default["datasource"] = {"url": url, **(yaml.safe_load(extra) or {})}
    path.write_text(yaml.safe_dump(default, sort_keys=False))
    return load_dashboard(path)


def _cards(app: DashboardApp) -> list[StatCard]:
    return list(app.query(StatCard))


def _valued(app: DashboardApp) -> bool:
    return all(card.state is not None and card.state.value is not None for card in _cards(app))


async def test_prefix_and_tenant_header_work_everywhere(gateway: TenantProxy, tmp_path) -> None:
    extra = f"headers: {{{TENANT}: team-a}}\npartial_response: false\ndedup: true\n"
    dashboard = _dashboard(tmp_path, gateway.url, extra)
    client = PrometheusClient(dashboard.datasource.url or "", headers=dashboard.datasource.headers)
    assert await client.ready()  # /-/ready under the prefix, with the tenant
    await client.aclose()
    from allintop.cli.parser import build_parser
    from allintop.cli.setup import resolve

    args = build_parser().parse_args(["-c", str(tmp_path / "panels.yaml"), "--url", gateway.url])
    launch = resolve(args, {"XDG_CONFIG_HOME": str(tmp_path)})  # no user config
    app = make_app(launch.dashboard, launch.datasources(), refresh=1.0)
    async with app.run_test(size=(120, 34)) as pilot:
        await wait_for(pilot, lambda: _valued(app), within=30, what="every panel's value")
        await pilot.press("a")
        await wait_for(pilot, lambda: "HighErrorRate" in screen_text(app), what="the rules")
        await pilot.press("escape", "g")
        await wait_for(pilot, lambda: "backend-api-dev" in screen_text(app), what="the targets")
    assert {
        "/-/ready",
        "/api/v1/query",
        "/api/v1/query_range",
        "/api/v1/alerts",
        "/api/v1/rules",
        "/api/v1/targets",
    } <= gateway.paths()
    assert all(request.tenant == "team-a" for request in gateway.seen)
    queries = [r for r in gateway.seen if r.path.startswith("/api/v1/query")]
    assert all(
        r.params.get("partial_response") == ["false"] and r.params.get("dedup") == ["true"]
        for r in queries
    )


async def test_without_the_tenant_header_the_message_names_it(gateway: TenantProxy) -> None:
    client = PrometheusClient(gateway.url)
    with pytest.raises(HTTPStatusError) as caught:
        await client.query("up")
    await client.aclose()
    assert f"wants the header {TENANT}" in caught.value.message
    assert f"--header '{TENANT}: TENANT'" in (caught.value.hint or "")
    # From the command line: one message naming it, and UNKNOWN; with it, an answer.
    without = _once("--url", gateway.url)
    assert without.returncode == 3
    assert f"wants the header {TENANT}" in without.stderr
    assert "Traceback" not in without.stderr
    with_header = _once("--url", gateway.url, "--header", f"{TENANT}: team-a")
    assert with_header.returncode in (0, 1, 2), with_header.stderr
    assert "Requests/sec" in with_header.stdout


def _once(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "allintop", "once", "-c", "allin-overview", *args],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=ROOT,
    )


async def test_warnings_in_a_200_answer_show_on_the_panel(gateway: TenantProxy) -> None:
    gateway.warnings = ("partial response: store eu-2 is unreachable",)
    dashboard = load_text(
        f"""\
datasource: {{url: "{gateway.url}", headers: {{{TENANT}: team-a}}}}
rows:
  - title: Traffic
    panels:
      - {{title: Requests/sec, expr: 'sum(rate(allin_http_requests_total[1m]))'}}
      - title: By route
        expr: sum by (route) (rate(allin_http_requests_total[1m]))
        legend: "{{{{route}}}}"
""",
        "warnings.yaml",
    )
    client = PrometheusClient(dashboard.datasource.url or "", headers=dashboard.datasource.headers)
    app = make_app(dashboard, client, refresh=1.0)
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for(pilot, lambda: _valued(app), within=30, what="every panel's value")
        by_route = _cards(app)[1]
        assert by_route.state is not None and by_route.state.total > 1
        # A partial answer says so, also on a panel whose line shows its top series.
        await wait_for(
            pilot,
            lambda: all("store eu-2" in card.detail_plain for card in _cards(app)),
            what="the warning on every panel",
        )
        assert "warning: partial response" in screen_text(app)
