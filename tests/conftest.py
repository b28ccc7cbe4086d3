"""Shared fixtures: one real demo stack for the whole run, and private ones on demand.

``stack`` is started lazily, by the first test that asks for it, so unit tests never
pay for it. It runs the ``healthy`` scenario with the alert rules shortened
(``for: 2s``, group interval 1s). Don't switch its scenario: the seed's queries use
``[5m]`` windows, so another scenario's traffic keeps showing for five minutes after
switching back, and would break every later test that expects "healthy". A test that
needs another scenario (or stops the backend for long) uses ``make_stack``; a test that
does touch the session stack must restore it (``set_scenario("healthy")``,
``start_backend()``) before it ends.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from allintop.demo.stack import DemoStack

SESSION_RULE_FOR = "2s"
SESSION_RULE_INTERVAL = "1s"
START_TIMEOUT = 60.0  # generous: CI machines can be slow, and start() fails fast anyway

MakeStack = Callable[..., DemoStack]


@pytest.fixture(autouse=True)
def _own_state_dir(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch):
    """What the app keeps across runs (Explore's past queries) goes to a directory of
    the test's, never the user's ~/.local/state."""
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path_factory.mktemp("state")))


@pytest.fixture
def utc(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Local time is UTC, whatever the machine's zone: clock times and dates shown
    are the same anywhere (the snapshots compare them)."""
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


@pytest.fixture(scope="session")
def stack() -> Iterator[DemoStack]:
    """The session's DemoStack (healthy, rules shortened), stopped at the end of the run."""
    demo = DemoStack(
        scenario="healthy", rule_for=SESSION_RULE_FOR, rule_interval=SESSION_RULE_INTERVAL
    )
    demo.start(timeout=START_TIMEOUT)
    try:
        yield demo
    finally:
        demo.stop()


@pytest.fixture
def make_stack() -> Iterator[MakeStack]:
    """A factory of private DemoStacks, each stopped when the test ends (pass or fail).

    ``make_stack("incident", rule_for="2s")`` takes DemoStack's arguments and returns
    the stack started; ``start=False`` returns it unstarted (still stopped at the end).
    """
    stacks: list[DemoStack] = []

    def make(scenario: str = "healthy", *, start: bool = True, **kwargs: Any) -> DemoStack:
        demo = DemoStack(scenario, **kwargs)
        stacks.append(demo)
        return demo.start(timeout=START_TIMEOUT) if start else demo

    try:
        yield make
    finally:
        for demo in stacks:
            demo.stop()


@pytest.fixture(scope="session")
def node_stack() -> Iterator[DemoStack]:
    """Someone else's Prometheus: no AllIN backend, scraping itself and a real
    node-exporter, stopped (both, and its temp dir) at the end of the run.

    Returned once rate() over both jobs has an answer, so every rate panel can too.
    """
    from tests.helpers import prom_query, wait_until

    demo = DemoStack(
        with_backend=False, with_node_exporter=True, scrape_self=True, with_rules=False
    )
    demo.start(timeout=START_TIMEOUT)
    try:
        for expr in (
            "rate(node_cpu_seconds_total[5m])",
            "rate(prometheus_tsdb_head_samples_appended_total[5m]) > 0",
        ):
            wait_until(lambda e=expr: prom_query(demo.prometheus_url, e), what=expr)
        yield demo
    finally:
        demo.stop()
