"""A Grafana dashboard as an allintop dashboard: the entry points.

`allintop --grafana URL` reads dashboards from a Grafana server and queries through
Grafana's datasource proxy (/api/datasources/proxy/uid/<uid>/api/v1/...), so the
user needs nothing but Grafana's URL and a token (`convert`); `-c dashboard.json`
reads a file (`from_file`), its Prometheus references all being the default
datasource. Each Grafana panel is a tile over its Prometheus targets, one query each,
in Grafana's row and grid order. What cannot be shown (a Loki target, a server-side
expression, a datasource the server lacks) is listed as not supported (`notice`).

The parts: documents (the JSON as given), layout (rows and the grid), panels (a
panel's targets and tile), fieldconfig (units, thresholds, mappings, reducers),
datasources (references), variables (templating). Pure: the JSON in, dataclasses
out; the HTTP side is allintop.sources.grafana.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from types import MappingProxyType
from typing import Any

from allintop.dashboard.datasource import Auth, Datasource, DatasourceSet
from allintop.dashboard.grafana import documents, layout, v2
from allintop.dashboard.grafana.annotations import read_annotations
from allintop.dashboard.grafana.datasources import (
    GrafanaSource,
    References,
    in_file,
    on_server,
    proxied,
)
from allintop.dashboard.grafana.documents import mapping
from allintop.dashboard.grafana.panels import PanelReport, Reading, row_panels
from allintop.dashboard.grafana.v2.conditions import saved_picks, settle
from allintop.dashboard.grafana.variables import not_carried, variables
from allintop.dashboard.model import (
    DEFAULT_RANGE,
    DEFAULT_REFRESH,
    Dashboard,
    Row,
    ShownWhen,
    Tab,
    Variable,
)
from allintop.dashboard.panels_yaml.variables import placeholder_values
from allintop.errors import ConfigError
from allintop.values.durations import parse_duration

TOKEN_ENV = "GRAFANA_TOKEN"


@dataclass(frozen=True)
class Converted:
    """The dashboard, and what of Grafana's could not be shown, one line each; `layout`
    is every Grafana panel, by row, as it was converted."""

    dashboard: Dashboard
    unsupported: tuple[str, ...] = ()
    layout: tuple[tuple[str, tuple[PanelReport, ...]], ...] = ()
    dropped: tuple[str, ...] = ()  # the dashboard's own options not carried over


def convert(
    document: Mapping[str, Any],
    server: Sequence[GrafanaSource],
    grafana_url: str,
    auth: Auth,
) -> Converted:
    """The /api/dashboards/uid/<uid> answer as a dashboard querying through Grafana's
    datasource proxy, with `auth` (the token, by reference)."""
    board, placed = _board(document)
    if board is None:
        raise ConfigError("Grafana's dashboard answer holds no dashboard")
    references = on_server(server, documents.templating_list(board))
    converted = _convert(board, references, None, {}, placed)
    default, named = proxied(references, grafana_url, auth)
    return replace(
        converted,
        dashboard=replace(
            converted.dashboard,
            source=f"Grafana dashboard {board.get('uid', '')}".strip(),
            datasource=default,
            datasources=MappingProxyType(named),
        ),
    )


def from_file(
    document: Mapping[str, Any], source: str, datasources: DatasourceSet | None = None
) -> Converted:
    """A dashboard file as it is: every Prometheus datasource it references (by name,
    uid, `$datasource`, `${DS_...}` of an export for sharing, or none) is the default
    one, i.e. --url / $PROMETHEUS_URL / the default; or a context's, if given."""
    board, placed = _board(document)
    if board is None:
        raise ConfigError(f"{source}: its dashboard is not a JSON object")
    board = documents.imported(board)
    references = in_file(documents.templating_list(board))
    given = datasources or DatasourceSet(Datasource())
    converted = _convert(board, references, given.default, given.named, placed)
    return replace(converted, dashboard=replace(converted.dashboard, source=source))


def _board(
    document: Mapping[str, Any],
) -> tuple[Mapping[str, Any] | None, v2.V2Board | None]:
    """The classic dashboard of a document, and, for a schema v2 one, its rows and
    tabs as placed (allintop.dashboard.grafana.v2)."""
    inner = documents.board_of(document)
    if inner is not None and v2.is_v2(inner):
        placed = v2.read(inner)
        return placed.board, placed
    return inner, None


def token_auth(token_file: Path | None) -> Auth:
    """The Grafana token, by reference: --grafana-token-file's file, else $GRAFANA_TOKEN."""
    if token_file is not None:
        return Auth(kind="bearer", secret_file=token_file)
    return Auth(kind="bearer", secret_env=TOKEN_ENV)


def notice(unsupported: Sequence[str], shown: int = 8) -> str | None:
    """What of a dashboard is not shown, as one line for stderr and the screen."""
    if not unsupported:
        return None
    more = len(unsupported) - shown
    listed = "; ".join(unsupported[:shown])
    return f"not shown (not supported here): {listed}" + (f"; {more} more" if more > 0 else "")


def _convert(
    board: Mapping[str, Any],
    references: References,
    default: Datasource | None,
    named: Mapping[str, Datasource],
    placed: v2.V2Board | None = None,
) -> Converted:
    """The dashboard's rows, panels and variables; its datasources are the caller's;
    a v2 dashboard's rows and tabs as `placed` gives them."""
    title = str(board.get("title") or "Grafana dashboard")
    refresh = _duration(board.get("refresh"), DEFAULT_REFRESH)
    range_ = _duration(str(mapping(board.get("time")).get("from", "")).removeprefix("now-"), 0)
    range_ = max(range_ or DEFAULT_RANGE, refresh)
    listed = documents.templating_list(board)
    found = variables(listed)
    reading = Reading(references, placeholder_values(found))
    rows: list[Row] = []
    converted: list[tuple[str, tuple[PanelReport, ...]]] = []
    grafana_rows = layout.rows(board, title) if placed is None else placed.rows
    kept: dict[int, int] = {}  # a Grafana row's index -> its row's, if it has panels
    tab_of = {i: name for name, numbers in (placed.tabs if placed else ()) for i in numbers}
    for number, grafana_row in enumerate(grafana_rows):
        read = row_panels(grafana_row, reading)
        if read.panels:
            kept[number] = len(rows)
            rows.append(
                Row(
                    grafana_row.title,
                    read.queries,
                    panels=read.panels,
                    collapsed=grafana_row.collapsed,
                    shown_when=_shown_when(placed, number, found, listed),
                    tab=tab_of.get(number),
                    repeat=grafana_row.repeat,
                )
            )
        if read.reports:
            converted.append((grafana_row.title, read.reports))
    if not any(row.queries for row in rows):
        why = "; ".join(reading.unsupported[:3])
        raise ConfigError(
            f"the Grafana dashboard {title!r} has no Prometheus target allintop can show",
            hint=why or None,
        )
    noted = read_annotations(board, references)
    dashboard = Dashboard(
        source="",
        datasource=default or Datasource(),
        refresh=refresh,
        range=range_,
        variables=found,
        rows=tuple(rows),
        title=title,
        datasources=MappingProxyType(dict(named)),
        tabs=_tabs(placed, kept),
        annotations=noted.annotations,
    )
    dropped = not_carried(listed, {v.name for v in found}) + list(noted.skipped)
    dropped += _not_drawn(board)
    dropped += placed.notes if placed else ()
    dropped += (f"tab {tab}: nothing allintop shows: left out" for tab in _empty_tabs(placed, kept))
    return Converted(dashboard, tuple(reading.unsupported), tuple(converted), tuple(dropped))


def _shown_when(
    placed: v2.V2Board | None,
    number: int,
    carried: Sequence[Variable],
    listed: Sequence[Mapping[str, Any]],
) -> ShownWhen | None:
    """A v2 row's conditions, those on variables not carried over settled by the
    picks it was saved with."""
    if placed is None:
        return None
    names = {variable.name for variable in carried}
    return settle(placed.shown_when[number], names, saved_picks(listed))


def _tabs(placed: v2.V2Board | None, kept: Mapping[int, int]) -> tuple[Tab, ...]:
    """A v2 dashboard's tabs, each with the rows of its that have panels."""
    if placed is None:
        return ()
    tabs = (
        Tab(title, tuple(kept[i] for i in numbers if i in kept)) for title, numbers in placed.tabs
    )
    return tuple(tab for tab in tabs if tab.rows)


def _empty_tabs(placed: v2.V2Board | None, kept: Mapping[int, int]) -> list[str]:
    """A v2 dashboard's tabs without a row allintop shows."""
    tabs = placed.tabs if placed else ()
    return [title for title, numbers in tabs if not any(i in kept for i in numbers)]


def _not_drawn(board: Mapping[str, Any]) -> list[str]:
    """The dashboard's links, which allintop does not carry over."""
    dropped = []
    if board.get("links"):
        dropped.append("dashboard links: panels.yaml has none")
    return dropped


def _duration(text: object, fallback: float) -> float:
    try:
        seconds = parse_duration(str(text))
    except ValueError:
        return fallback
    return seconds if seconds > 0 else fallback
