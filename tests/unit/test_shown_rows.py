"""Which rows the board shows (allintop.ui.shown_rows): the tab's, whose conditions
hold for the picks; and the plan of the rows shown, spread back over every row."""

from __future__ import annotations

from dataclasses import replace

from allintop.dashboard.loading import load_text
from allintop.dashboard.model import Condition, Dashboard, ShownWhen
from allintop.ui.layout import Box, Page
from allintop.ui.shown_rows import ShownRows

TABS = """\
title: Tabbed
rows:
  - title: Traffic
    tab: Service
    panels: [{title: A, expr: up}]
  - title: Production only
    panels: [{title: B, expr: up}]
  - title: Memory
    tab: Runtime
    panels: [{title: C, expr: up}]
"""


def _dashboard() -> Dashboard:
    """Two tabs; the Service tab's second row shown only while env is prod."""
    dashboard = load_text(TABS, "tabs.yaml")
    when = ShownWhen((Condition("env", "equals", "prod"),))
    rows = list(dashboard.rows)
    rows[1] = replace(rows[1], shown_when=when)
    return replace(dashboard, rows=tuple(rows))


def test_the_first_tabs_rows_whose_conditions_hold_are_shown() -> None:
    shown = ShownRows({"env": "prod"})
    dashboard = _dashboard()
    assert shown.built(dashboard) == (0, 1)
    assert shown.heading(dashboard) == (1, 2, "Service")
    shown.values = {"env": "dev"}
    assert shown.changed(dashboard) == (0,)
    assert shown.changed(dashboard) is None  # the same rows again: nothing to do
    assert shown.numbers == (0,)


def test_tabs_go_round_and_a_dashboard_without_them_stays() -> None:
    shown, dashboard = ShownRows(), _dashboard()
    shown.built(dashboard)
    assert shown.step_tab(dashboard, -1) and shown.changed(dashboard) == (2,)
    assert shown.heading(dashboard) == (2, 2, "Runtime")
    assert shown.step_tab(dashboard, 1) and shown.heading(dashboard) == (1, 2, "Service")
    plain = replace(dashboard, tabs=())
    assert not shown.step_tab(plain, 1) and shown.heading(plain) is None


def test_a_dashboard_with_fewer_tabs_is_shown_on_its_last() -> None:
    shown, dashboard = ShownRows(), _dashboard()
    shown.built(dashboard)
    shown.step_tab(dashboard, 1)
    fewer = replace(dashboard, tabs=dashboard.tabs[:1])
    assert shown.built(fewer) == (0,) and shown.heading(fewer) == (1, 1, "Service")


def test_no_change_is_taken_before_the_board_is_built_for_the_rows() -> None:
    shown = ShownRows()
    assert shown.changed(_dashboard()) is None and shown.numbers == ()


def test_the_plan_of_the_rows_shown_is_spread_over_every_row() -> None:
    shown, dashboard = ShownRows({"env": "dev"}), _dashboard()
    shown.step_tab(dashboard, 1)
    assert shown.built(dashboard) == (2,)
    box = Box(0, 1, 10, 4)
    page = shown.spread_page(Page((0,), ((box,),), 5))
    assert page == Page((0, 0, 0), ((), (), (box,)), 5)
    assert shown.spread(["body"], "") == ("", "", "body")
