"""A silence goes to the Alertmanager of the alert's datasource: the demo's Prometheus
under two names, only the second naming the demo's Alertmanager, set up as the
command line sets it up."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from allintop.cli.parser import build_parser
from allintop.cli.setup import resolve
from allintop.ui.app import make_app
from tests.tui.util import screen_text, wait_for

pytestmark = pytest.mark.stack

FAST_RULES = {"rule_for": "3s", "rule_interval": "1s", "rule_window": "15s"}

CONFIG = """\
title: Two names
datasources:
  local: {{url: "{prometheus}", default: true}}
  paging: {{url: "{prometheus}", alertmanager: "{alertmanager}"}}
rows:
  - title: Up
    panels:
      - {{title: Local up, expr: 'sum(up)'}}
      - {{title: Paging up, expr: 'sum(up)', datasource: paging}}
"""


def _active(alertmanager_url: str) -> list[dict]:
    response = httpx.get(f"{alertmanager_url}/api/v2/silences", timeout=5)
    response.raise_for_status()
    return [s for s in response.json() if s["status"]["state"] == "active"]


def _rows(app) -> list[tuple[str, str]]:
    """The alerts screen's rows: (state, alert name)."""
    table = app.screen.query_one("#alerts-table")
    return [(str(row[0]), str(row[1])) for row in map(table.get_row_at, range(table.row_count))]


def _highlighted(app) -> str:
    table = app.screen.query_one("#alerts-table")
    return str(table.get_row_at(table.cursor_row)[1])


async def test_s_on_the_second_datasources_alert_silences_it_on_its_alertmanager(
    make_stack, tmp_path: Path
) -> None:
    demo = make_stack("incident", with_alertmanager=True, **FAST_RULES)
    config = tmp_path / "panels.yaml"
    config.write_text(
        CONFIG.format(prometheus=demo.prometheus_url, alertmanager=demo.alertmanager_url)
    )
    config.chmod(0o600)
    args = build_parser().parse_args(["-c", str(config)])
    launch = resolve(args, {"XDG_CONFIG_HOME": str(tmp_path / "xdg")})
    app = make_app(
        launch.dashboard,
        launch.datasources(),
        refresh=1.0,
        alertmanager=launch.alertmanager_clients(),
    )
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("a")
        # Firing rules come first; each datasource lists the same rules, the default's
        # (local) first, so the first row is local's and the second paging's.
        await wait_for(
            pilot,
            lambda: "datasource: local" in screen_text(app) and _rows(app)[1][0] == "firing",
            within=40,
            what="a firing rule of each datasource",
        )
        name = _highlighted(app)
        assert _rows(app)[:2] == [("firing", name), ("firing", name)]
        # local names no Alertmanager: its alert cannot be silenced from here.
        await pilot.press("S")
        await wait_for(pilot, lambda: f"Silence {name}" in screen_text(app), what="the form")
        await pilot.press(*"not here")
        await pilot.press("enter")
        await wait_for(
            pilot, lambda: "no Alertmanager configured" in screen_text(app), what="the refusal"
        )
        assert "the rule's datasource: local" in screen_text(app)
        await pilot.press("escape")
        await wait_for(pilot, lambda: "Alert rules" in screen_text(app))
        assert _active(demo.alertmanager_url) == []
        # paging's alert: the silence is made on paging's Alertmanager.
        await pilot.press("down")
        await wait_for(pilot, lambda: "datasource: paging" in screen_text(app))
        assert _highlighted(app) == name
        await pilot.press("S")
        await wait_for(pilot, lambda: f"Silence {name}" in screen_text(app), what="the form")
        await wait_for(pilot, lambda: "current alert" in screen_text(app), what="the preview")
        await pilot.press(*"paged: on it")
        await pilot.press("enter")
        await wait_for(pilot, lambda: bool(_active(demo.alertmanager_url)), what="the silence")
        [made] = _active(demo.alertmanager_url)
        assert made["comment"] == "paged: on it"
        alertname = {"name": "alertname", "value": name, "isRegex": False, "isEqual": True}
        assert alertname in made["matchers"]
        # Silenced as paging's Alertmanager says: paging's row; local's is not (its
        # alerts would go to an Alertmanager of its own, and it names none).
        await wait_for(
            pilot,
            lambda: ("firing (silenced)", name) in _rows(app),
            within=20,
            what="paging's rule shown silenced",
        )
        assert ("firing", name) in _rows(app)
        assert "silenced by " in screen_text(app) and "on it" in screen_text(app)
        # The silences view is paging's Alertmanager's, for paging's rule.
        await pilot.press("l")
        await wait_for(pilot, lambda: made["id"][:8] in screen_text(app), what="the silences")
        await pilot.press("escape")
        await wait_for(pilot, lambda: "Alert rules" in screen_text(app))
        await pilot.press("up")
        await wait_for(pilot, lambda: "datasource: local" in screen_text(app))
        await pilot.press("l")
        await wait_for(pilot, lambda: "no Alertmanager configured" in screen_text(app))
