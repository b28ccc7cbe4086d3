"""The architecture's one direction of flow, enforced: pure logic imports no UI and
no network, and nothing below the UI imports Textual."""

import json
import subprocess
import sys

import pytest

PURE = [
    "config",
    "thresholds",
    "units",
    "promql",
    "history",
    "quantiles",
    "sharing",
    "merging",
    "alerting",
    "model",
    "text",
    "credentials",
    "urls",
    "exits",
    "grafana",
    "reports",
    "scrapes",
]
BELOW_UI = [
    "prometheus",
    "alertmanager",
    "poller",
    "fetching",
    "watch",
    "snapshot",
    "cli",
    "choice",
    "connection",
    "grafana_api",
    # Pure, but built on the poller's types (the poller brings asyncio):
    "chart",
    "state",
]


def _imported(module: str, roots: set[str]) -> list[str]:
    code = (
        f"import json, sys, allintop.{module}\n"
        f"print(json.dumps(sorted(m for m in sys.modules if m.split('.')[0] in {sorted(roots)!r})))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    return json.loads(result.stdout)


@pytest.mark.parametrize("module", PURE)
def test_pure_modules_import_no_ui_or_network(module):
    assert _imported(module, {"textual", "httpx", "rich", "plotext", "socket"}) == []


@pytest.mark.parametrize("module", BELOW_UI)
def test_modules_below_the_ui_import_no_textual(module):
    assert _imported(module, {"textual", "plotext", "textual_plotext"}) == []
