"""What the dashboard app is started with, besides its dashboard and datasources."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, TypedDict

from allintop.dashboard.model import Dashboard, Pick
from allintop.live.datasources import ContextSwitch
from allintop.ui.choosing import Chooser

if TYPE_CHECKING:  # not imported at start: silences are for later
    from allintop.live.alertmanagers import Alertmanagers
    from allintop.sources.alertmanager import AlertmanagerClient


class AppOptions(TypedDict, total=False):
    """DashboardApp's options, each optional.

    Args:
        variables: template variables' picks (name -> value, or values).
        refresh: seconds between ticks (overrides the dashboard's).
        range_: the sparklines' time range in seconds.
        clock: the wall clock, for times (the query grid, "since"); tests freeze it.
        monotonic: the clock durations are measured on (retries, the overdue verdict,
            the next poll's delay), which a wall clock stepped by NTP does not move.
        alertmanager: each datasource's Alertmanager client (Alertmanagers), or one
            client: the default datasource's; for silences.
        notices: messages for the user shown as notifications at start.
        screenshot: save the screen there once the first values are in, then exit.
        contexts: the user config's contexts, for `c` to switch among live.
        explore_to: the panels.yaml Explore's ctrl+s appends to (-o; default: the
            dashboard's own, unless it is bundled or a Grafana file).
        choose: with no config given, the question that chooses the dashboard,
            asked once the app runs (allintop.ui.choosing).
        adapt: what the run makes of the dashboard, at start and each time its
            file is read again (the demo: its history's step as the scrape interval).
    """

    variables: Mapping[str, Pick] | None
    refresh: float | None
    range_: float | None
    clock: Callable[[], float]
    monotonic: Callable[[], float]
    alertmanager: AlertmanagerClient | Alertmanagers | None
    notices: Sequence[str]
    screenshot: Path | None
    contexts: ContextSwitch | None
    explore_to: Path | None
    choose: Chooser | None
    adapt: Callable[[Dashboard], Dashboard] | None
