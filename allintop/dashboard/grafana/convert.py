"""A Grafana dashboard's Prometheus targets as an allintop dashboard.

`allintop --grafana URL` reads dashboards from a Grafana server and queries through
Grafana's datasource proxy (/api/datasources/proxy/uid/<uid>/api/v1/...), so the
user needs nothing but Grafana's URL and a token; `-c dashboard.json` reads a file
(from_file), its Prometheus references all being the default datasource. Until a
full Grafana JSON loader exists, a dashboard is shown as its Prometheus targets:
each target of a panel is a panel (title, expression, legend, unit where Grafana's
maps to ours), in Grafana's row and grid order. What cannot be shown (a Loki target,
a server-side expression, a datasource the server lacks) is listed as not supported.

Pure: the JSON in, dataclasses out; the HTTP side is allintop.sources.grafana.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from types import MappingProxyType
from typing import Any

from allintop.dashboard import templating
from allintop.dashboard.model import (
    ALL,
    DEFAULT_DATASOURCE,
    DEFAULT_RANGE,
    DEFAULT_REFRESH,
    GRAFANA_KINDS,
    GRID_COLUMNS,
    VARIABLE_SORTS,
    Auth,
    Dashboard,
    Datasource,
    DatasourceSet,
    Panel,
    Pick,
    Row,
    Tile,
    TileKind,
    Variable,
    VariableSort,
    listing,
)
from allintop.dashboard.panels_yaml.variables import placeholder_values
from allintop.errors import ConfigError
from allintop.promql.interpolate import interpolate, interpolate_text
from allintop.promql.parse import parse
from allintop.promql.variable_queries import parse_variable_query
from allintop.promql.variable_values import ALL_VALUES
from allintop.values import mappings, reducers, units
from allintop.values.durations import parse_duration
from allintop.values.thresholds import Step, Thresholds, from_steps
from allintop.values.unit_ids import APPROXIMATED

TOKEN_ENV = "GRAFANA_TOKEN"
PROXY_PATH = "/api/datasources/proxy/uid/"

# Grafana unit ids that say no more than no unit at all: a panel's unit is otherwise
# Grafana's id as it is (allintop.values.units formats Grafana's ids: allintop.values.unit_ids).
UNITS = {"short": "", "none": "", "string": ""}


@dataclass(frozen=True)
class GrafanaSource:
    """One of the server's datasources, as /api/datasources lists it."""

    uid: str
    name: str
    type: str
    is_default: bool = False


@dataclass(frozen=True)
class PanelReport:
    """One Grafana panel: the panels it became, what of it was dropped and why, and
    why any of its queries could not be shown."""

    title: str
    panels: tuple[Panel, ...]
    dropped: tuple[str, ...] = ()
    unsupported: tuple[str, ...] = ()
    tile: Tile | None = None  # how it is drawn; None: not at all

    @property
    def status(self) -> str:
        if self.tile is None or self.tile.kind == "other":
            return "not supported"
        return "partly" if self.dropped or self.unsupported else "converted"


@dataclass(frozen=True)
class Converted:
    """The dashboard, and what of Grafana's could not be shown, one line each; `layout`
    is every Grafana panel, by row, as it was converted."""

    dashboard: Dashboard
    unsupported: tuple[str, ...] = ()
    layout: tuple[tuple[str, tuple[PanelReport, ...]], ...] = ()
    dropped: tuple[str, ...] = ()  # the dashboard's own options not carried over


@dataclass
class _Context:
    """What resolving one dashboard's references needs, and what it found."""

    sources: Sequence[GrafanaSource]
    variables: Mapping[str, str]  # datasource variables: name -> current value
    used: dict[str, GrafanaSource] = field(default_factory=dict)  # our name -> source
    unsupported: list[str] = field(default_factory=list)
    # A file on its own: every Prometheus reference is the one default datasource.
    local: bool = False
    kinds: Mapping[str, str] = field(default_factory=dict)  # datasource variable -> plugin
    # Each variable's default and the built-ins: what an expression is checked with.
    checks: Mapping[str, str] = field(default_factory=dict)
    reports: list[PanelReport] = field(default_factory=list)  # the row's, so far


def convert(
    document: Mapping[str, Any],
    server: Sequence[GrafanaSource],
    grafana_url: str,
    auth: Auth,
) -> Converted:
    """The /api/dashboards/uid/<uid> answer as a dashboard querying through Grafana's
    datasource proxy, with `auth` (the token, by reference)."""
    board = document.get("dashboard", document)
    if not isinstance(board, Mapping):
        raise ConfigError("Grafana's dashboard answer holds no dashboard")
    templating = (board.get("templating") or {}).get("list") or []
    context = _Context(server, _datasource_variables(templating))
    converted = _convert(board, context, None, {})
    named = {
        name: Datasource(
            url=grafana_url.rstrip("/") + PROXY_PATH + source.uid, auth=auth, name=name
        )
        for name, source in context.used.items()
    }
    default = next((n for n, s in context.used.items() if s.is_default), next(iter(named)))
    return Converted(
        replace(
            converted.dashboard,
            source=f"Grafana dashboard {board.get('uid', '')}".strip(),
            datasource=named[default],
            datasources=MappingProxyType(named),
        ),
        converted.unsupported,
        converted.layout,
        converted.dropped,
    )


def _convert(
    board: Mapping[str, Any],
    context: _Context,
    default: Datasource | None,
    named: Mapping[str, Datasource],
) -> Converted:
    """The dashboard's rows, panels and variables; its datasources are the caller's."""
    title = str(board.get("title") or "Grafana dashboard")
    refresh = _duration(board.get("refresh"), DEFAULT_REFRESH)
    range_ = _duration(str((board.get("time") or {}).get("from", "")).removeprefix("now-"), 0)
    range_ = max(range_ or DEFAULT_RANGE, refresh)
    templating = (board.get("templating") or {}).get("list") or []
    variables = _variables(templating)
    context.checks = placeholder_values(variables)
    rows, layout = [], []
    for grafana_row in _rows(board, title):
        context.reports = []
        panels, tiles = _panels(grafana_row, context)
        if tiles:
            rows.append(
                Row(
                    grafana_row.title,
                    tuple(panels),
                    tiles=tuple(tiles),
                    collapsed=grafana_row.collapsed,
                )
            )
        if context.reports:
            layout.append((grafana_row.title, tuple(context.reports)))
    if not any(row.panels for row in rows):
        why = "; ".join(context.unsupported[:3])
        raise ConfigError(
            f"the Grafana dashboard {title!r} has no Prometheus target allintop can show",
            hint=why or None,
        )
    return Converted(
        Dashboard(
            source="",
            datasource=default or Datasource(),
            refresh=refresh,
            range=range_,
            variables=variables,
            rows=tuple(rows),
            title=title,
            datasources=MappingProxyType(dict(named)),
        ),
        tuple(context.unsupported),
        tuple(layout),
        _dashboard_dropped(board, {v.name for v in variables}),
    )


def token_auth(token_file: Path | None) -> Auth:
    """The Grafana token, by reference: --grafana-token-file's file, else $GRAFANA_TOKEN."""
    if token_file is not None:
        return Auth(kind="bearer", secret_file=token_file)
    return Auth(kind="bearer", secret_env=TOKEN_ENV)


# A dashboard file's own datasource, standing for every Prometheus one it references.
LOCAL = GrafanaSource(uid="", name=DEFAULT_DATASOURCE, type="prometheus", is_default=True)


def is_dashboard(document: object) -> bool:
    """Whether JSON is a Grafana dashboard: a plain or "export for sharing" one (it has
    `panels` or legacy `rows`), or the HTTP API's {"dashboard": ..., "meta": ...}."""
    if not isinstance(document, Mapping):
        return False
    if isinstance(document.get("dashboard"), Mapping) and "meta" in document:
        return True
    return isinstance(document.get("panels"), list) or isinstance(document.get("rows"), list)


def from_file(
    document: Mapping[str, Any], source: str, datasources: DatasourceSet | None = None
) -> Converted:
    """A dashboard file as it is: every Prometheus datasource it references (by name,
    uid, `$datasource`, `${DS_...}` of an export for sharing, or none) is the default
    one, i.e. --url / $PROMETHEUS_URL / the default; or a context's, if given."""
    board = document.get("dashboard", document)
    if not isinstance(board, Mapping):
        raise ConfigError(f"{source}: its dashboard is not a JSON object")
    board = _filled(board, _constants(board.get("__inputs")))
    templating = (board.get("templating") or {}).get("list") or []
    context = _Context((LOCAL,), {}, local=True, kinds=_datasource_kinds(templating))
    given = datasources or DatasourceSet(Datasource())
    converted = _convert(board, context, given.default, given.named)
    return replace(converted, dashboard=replace(converted.dashboard, source=source))


def notice(unsupported: Sequence[str], shown: int = 8) -> str | None:
    """What of a dashboard is not shown, as one line for stderr and the screen."""
    if not unsupported:
        return None
    more = len(unsupported) - shown
    listed = "; ".join(unsupported[:shown])
    return f"not shown (not supported here): {listed}" + (f"; {more} more" if more > 0 else "")


def _constants(inputs: object) -> dict[str, str]:
    """An export for sharing's constant inputs: ${NAME} -> the value it was exported with
    (Grafana's import asks for each, offering that value)."""
    return {
        "${" + str(item.get("name")) + "}": str(item.get("value") or "")
        for item in _dicts(inputs)
        if item.get("type") == "constant" and item.get("name")
    }


def _filled(item: Any, constants: Mapping[str, str]) -> Any:
    """`item` with every ${NAME} of `constants` replaced, in every string, as Grafana's
    import does."""
    if not constants:
        return item
    if isinstance(item, str):
        for name, value in constants.items():
            item = item.replace(name, value)
        return item
    if isinstance(item, Mapping):
        return {key: _filled(value, constants) for key, value in item.items()}
    if isinstance(item, list):
        return [_filled(value, constants) for value in item]
    return item


# -- layout --


@dataclass(frozen=True)
class _GrafanaRow:
    title: str
    panels: list[Mapping[str, Any]]
    collapsed: bool = False
    legacy: bool = False  # a top-level `rows[]` row: widths are 12ths (`span`)
    height: int = 0  # a legacy row's height, in grid rows


def _rows(board: Mapping[str, Any], title: str) -> list[_GrafanaRow]:
    """The rows in Grafana's order: legacy top-level `rows[]`, or the flat `panels`
    list cut at its row panels (a collapsed row holds its own panels)."""
    if board.get("rows"):
        return [
            _GrafanaRow(
                str(row.get("title") or title),
                list(_dicts(row.get("panels"))),
                collapsed=bool(row.get("collapse")),
                legacy=True,
                height=_legacy_height(row.get("height")),
            )
            for row in board["rows"]
            if isinstance(row, Mapping)
        ]
    rows = [_GrafanaRow(title, [])]
    for panel in sorted(_dicts(board.get("panels")), key=_position):
        if panel.get("type") == "row":
            rows.append(
                _GrafanaRow(
                    str(panel.get("title") or title),
                    list(_dicts(panel.get("panels"))),
                    collapsed=bool(panel.get("collapsed")),
                )
            )
        else:
            rows[-1].panels.append(panel)
    return rows


#: Pixels of one Grafana grid row (gridPos.h counts these).
_GRID_ROW_PX = 30


def _legacy_height(height: object) -> int:
    """A legacy row's height ("250px", 250) in grid rows."""
    try:
        pixels = float(str(height).removesuffix("px"))
    except ValueError:
        return 0
    return max(1, round(pixels / _GRID_ROW_PX)) if pixels > 0 else 0


def _position(panel: Mapping[str, Any]) -> tuple[int, int]:
    grid = panel.get("gridPos") or {}
    return (int(grid.get("y", 0) or 0), int(grid.get("x", 0) or 0))


def _dicts(items: object) -> list[Mapping[str, Any]]:
    return [item for item in items if isinstance(item, Mapping)] if isinstance(items, list) else []


# -- panels and their targets --


def _panels(row: _GrafanaRow, context: _Context) -> tuple[list[Panel], list[Tile]]:
    """A row's queries (one panel each) and its tiles, each tile over its own."""
    panels: list[Panel] = []
    tiles: list[Tile] = []
    for grafana in sorted(row.panels, key=_position):
        title = str(grafana.get("title") or "")
        first_panel, first_reason = len(panels), len(context.unsupported)
        _panel_targets(grafana, title or "untitled", context, panels)
        tile = _tile(grafana, title, row, first_panel, len(panels) - first_panel)
        if tile is not None:
            tiles.append(tile)
            panels[first_panel:] = listing(tuple(panels[first_panel:]), tile.kind)
        context.reports.append(
            PanelReport(
                title or "untitled",
                tuple(panels[first_panel:]),
                _dropped(grafana),
                tuple(
                    u.removeprefix(f"{title or 'untitled'}: ")
                    for u in context.unsupported[first_reason:]
                ),
                tile,
            )
        )
    return panels, tiles


def _tile(
    grafana: Mapping[str, Any], title: str, row: _GrafanaRow, first: int, count: int
) -> Tile | None:
    """How the Grafana panel is drawn, over its `count` queries from `first`; None for
    a panel of queries none of which could be shown (named in the report only)."""
    kind_name = str(grafana.get("type") or "")
    kind = GRAFANA_KINDS.get(kind_name, "other")
    if not count and kind not in ("text", "other"):
        return None
    options = grafana.get("options") if isinstance(grafana.get("options"), Mapping) else {}
    width, height = _size(grafana, row)
    low, high = _range(grafana, kind)
    return Tile(
        title=title,
        kind=kind,
        first=first,
        count=count,
        width=width,
        height=height,
        reducer=_reducer(grafana, options),
        mappings=_mappings(grafana),
        graph=_graph(grafana, options),
        min=low,
        max=high,
        content=str(options.get("content") or grafana.get("content") or "")
        if kind == "text"
        else "",
        note=f"a {kind_name or 'untyped'} panel" if kind == "other" else "",
    )


def _field_defaults(grafana: Mapping[str, Any]) -> Mapping[str, Any]:
    field_config = grafana.get("fieldConfig")
    defaults = field_config.get("defaults") if isinstance(field_config, Mapping) else None
    return defaults if isinstance(defaults, Mapping) else {}


def _size(grafana: Mapping[str, Any], row: _GrafanaRow) -> tuple[int, int]:
    """Width in 24ths and height in grid rows: gridPos, or a legacy panel's `span`
    (12ths) in its row's height."""
    if row.legacy:
        span = _number(grafana.get("span")) or 12
        return max(1, min(GRID_COLUMNS, round(span * 2))), row.height
    grid = grafana.get("gridPos") if isinstance(grafana.get("gridPos"), Mapping) else {}
    width = _number(grid.get("w")) or GRID_COLUMNS
    height = _number(grid.get("h")) or 0
    return max(1, min(GRID_COLUMNS, round(width))), max(0, round(height))


def _reducer(grafana: Mapping[str, Any], options: Mapping[str, Any]) -> str:
    """The Grafana reducer's name, as allintop.values.reducers takes it: a stat's
    reduceOptions.calcs, a singlestat's valueName ("current" is lastNotNull, "avg"
    mean); "lastNotNull" when it says none or one allintop does not know."""
    written, legacy = _written_reducer(grafana, options)
    return reducers.normalise(written, legacy=legacy)


def _written_reducer(grafana: Mapping[str, Any], options: Mapping[str, Any]) -> tuple[str, bool]:
    """The reducer as the panel names it, and whether that is a singlestat's valueName."""
    reduce_options = options.get("reduceOptions")
    if isinstance(reduce_options, Mapping):
        calcs = reduce_options.get("calcs")
        if isinstance(calcs, list) and calcs:
            return str(calcs[0]), False
    if grafana.get("valueName"):
        return str(grafana["valueName"]), True
    return reducers.DEFAULT, False


def _mappings(grafana: Mapping[str, Any]) -> tuple[mappings.ValueMapping, ...]:
    """Its value mappings: fieldConfig's, else a singlestat's valueMaps / rangeMaps."""
    return mappings.from_grafana(
        _field_defaults(grafana).get("mappings"),
        grafana.get("valueMaps"),
        grafana.get("rangeMaps"),
        grafana.get("mappingType"),
    )


def _range(grafana: Mapping[str, Any], kind: TileKind) -> tuple[float | None, float | None]:
    """Its min and max: fieldConfig's, a singlestat gauge's; a gauge in percent without
    them spans 0..100 (0..1 in percentunit), as Grafana's does."""
    defaults = _field_defaults(grafana)
    gauge = grafana.get("gauge") if isinstance(grafana.get("gauge"), Mapping) else {}
    gauge = gauge if gauge.get("show") else {}  # a singlestat's hidden gauge: no range
    low = _number(defaults.get("min", grafana.get("minValue", gauge.get("minValue"))))
    high = _number(defaults.get("max", grafana.get("maxValue", gauge.get("maxValue"))))
    full = {"percent": 100.0, "percentunit": 1.0}.get(_unit(grafana))
    if kind in ("gauge", "bargauge") and full is not None:
        low = 0.0 if low is None else low
        high = full if high is None else high
    return low, high


def _graph(grafana: Mapping[str, Any], options: Mapping[str, Any]) -> bool:
    """Whether a stat shows its sparkline: graphMode "area", a singlestat's sparkline."""
    if grafana.get("type") == "singlestat":
        sparkline = grafana.get("sparkline")
        return bool(sparkline.get("show")) if isinstance(sparkline, Mapping) else False
    return str(options.get("graphMode") or "area") != "none"


def _number(value: object) -> float | None:
    if isinstance(value, bool) or value is None or value == "":
        return None
    try:
        number = float(str(value))
    except ValueError:
        return None
    return number if number == number and abs(number) != float("inf") else None


def _panel_targets(
    grafana: Mapping[str, Any],
    title: str,
    context: _Context,
    panels: list[Panel],
) -> None:
    """The panels one Grafana panel's targets become, added to `panels`."""
    targets = [t for t in _dicts(grafana.get("targets")) if not t.get("hide")]
    unit = _unit(grafana)
    decimals = _decimals(grafana)
    thresholds = _thresholds(grafana)[0]
    kind = str(grafana.get("type") or "untyped")
    if not targets and kind not in ("text", "row"):  # a library panel's reference, hidden
        context.unsupported.append(f"{title}: a {kind} panel without queries: not supported")
    for target in targets:
        name = _target_source(grafana, target, title, context)
        expr = str(target.get("expr") or "").strip()
        if name is None:
            continue
        if not expr:
            context.unsupported.append(f"{title}: a target without a PromQL expression")
            continue
        why = _unparsable(expr, context.checks)
        if why:
            context.unsupported.append(f"{title}: {why}: not supported")
            continue
        legend = str(target.get("legendFormat") or "") or None
        shown = title if len(targets) == 1 else f"{title} · {legend or target.get('refId', '')}"
        panels.append(
            Panel(
                title=shown,
                expr=expr,
                unit=unit,
                decimals=decimals,
                thresholds=thresholds,
                legend=None if legend == "__auto" else legend,
                datasource=None if context.local else name,
            )
        )


def _dashboard_dropped(board: Mapping[str, Any], carried: set[str]) -> tuple[str, ...]:
    """The dashboard's variables, annotations and links that were not carried over."""
    dropped = []
    for item in _dicts(((board.get("templating") or {}).get("list")) or []):
        name, kind = str(item.get("name") or ""), str(item.get("type") or "")
        if kind == "datasource":
            dropped.append(f"variable {name} (datasource): every one is the default datasource")
        elif name not in carried:
            dropped.append(f"variable {name} ({kind or 'untyped'}): panels.yaml has no such kind")
        else:
            dropped += (f"variable {name} ({kind}): {why}" for why in _variable_dropped(item))
    annotations = (board.get("annotations") or {}).get("list") or []
    named = [str(a.get("name") or "") for a in _dicts(annotations) if not a.get("builtIn")]
    if named:
        dropped.append(f"annotations {', '.join(named)}: allintop draws none")
    if board.get("links"):
        dropped.append("dashboard links: panels.yaml has none")
    return tuple(dropped)


def _variable_dropped(item: Mapping[str, Any]) -> list[str]:
    """What of a carried-over variable could not be: a query or a regex allintop
    cannot ask or read."""
    if item.get("type") != "query":
        return []
    dropped = []
    query = _query_text(item)
    try:
        parse_variable_query(query)
    except ValueError as error:
        dropped.append(f"{error}: its value is the one it was saved with, else all")
    problem = _regex_problem(str(item.get("regex") or "") or None)
    if problem is not None:
        dropped.append(f"its {problem}: its options are not filtered")
    return dropped


def _dropped(grafana: Mapping[str, Any]) -> tuple[str, ...]:
    """What of a Grafana panel a panels.yaml does not (yet) carry, and why."""
    kind = str(grafana.get("type") or "")
    dropped = []
    if kind not in GRAFANA_KINDS:
        dropped.append(
            f"a {kind or 'untyped'} panel: not drawn in the terminal, its queries listed"
        )
    dropped.extend(_semantics_dropped(grafana))
    dropped += _transformations(grafana)
    if _stacked(grafana):
        dropped.append("stacking: the series are drawn unstacked")
    hidden = [str(t.get("refId", "")) for t in _dicts(grafana.get("targets")) if t.get("hide")]
    if hidden:
        dropped.append(f"hidden queries {', '.join(hidden)}: left out")
    return tuple(dropped)


def _transformations(grafana: Mapping[str, Any]) -> list[str]:
    """The panel's transformations but a table's merge, which is what allintop's
    table does anyway (its queries joined on their common labels)."""
    kinds = [str(t.get("id") or "?") for t in _dicts(grafana.get("transformations"))]
    if grafana.get("type") in ("table", "table-old"):
        kinds = [kind for kind in kinds if kind != "merge"]
    return [f"transformations {', '.join(kinds)}: panels.yaml has none"] if kinds else []


def _stacked(grafana: Mapping[str, Any]) -> bool:
    """Whether Grafana stacks the series: a graph's `stack`, a time series' stacking."""
    if grafana.get("type") == "graph":
        return bool(grafana.get("stack"))
    custom = _field_defaults(grafana).get("custom")
    stacking = custom.get("stacking") if isinstance(custom, Mapping) else None
    return isinstance(stacking, Mapping) and stacking.get("mode") not in (None, "none")


def _unparsable(expr: str, values: Mapping[str, str]) -> str | None:
    """Why `expr` is no PromQL once its variables have their defaults (a variable only
    Grafana can fill, such as a query_result() one used as a number), or None."""
    try:
        parse(interpolate(expr, values))
    except ValueError as error:
        return f"its query does not parse with the variables' defaults ({error})"
    return None


def _unit(panel: Mapping[str, Any]) -> str:
    """Its Grafana unit id, as it is: fieldConfig's, a singlestat's `format`, a graph's
    left axis' format ("short" and "none" are no unit)."""
    unit = _written_unit(panel)
    return UNITS.get(unit, unit)


def _written_unit(panel: Mapping[str, Any]) -> str:
    axes = panel.get("yaxes")
    axis = axes[0] if isinstance(axes, list) and axes and isinstance(axes[0], Mapping) else {}
    unit = _field_defaults(panel).get("unit") or panel.get("format") or axis.get("format")
    return str(unit) if isinstance(unit, str) else ""


def _decimals(panel: Mapping[str, Any]) -> int | None:
    """Its decimals (fieldConfig's, or a legacy panel's), within the 0..10 allowed."""
    number = _number(_field_defaults(panel).get("decimals", panel.get("decimals")))
    return None if number is None else max(0, min(10, round(number)))


def _thresholds(panel: Mapping[str, Any]) -> tuple[Thresholds | None, str | None]:
    """Its thresholds, and what of them was approximated: fieldConfig's colour steps,
    a singlestat's "80,90" with its three colours, or a graph's threshold lines."""
    if not _coloured(panel):
        return None, None
    defaults = _field_defaults(panel)
    block = defaults.get("thresholds")
    if isinstance(block, Mapping) and isinstance(block.get("steps"), list):
        steps: list[Step] = [
            (str(step.get("color") or ""), _number(step.get("value")))
            for step in _dicts(block["steps"])
            if step.get("value") is None or _number(step.get("value")) is not None
        ]
        low, high = _number(defaults.get("min")), _number(defaults.get("max"))
        return from_steps(steps, str(block.get("mode") or "absolute"), low, high)
    legacy = panel.get("thresholds")
    if isinstance(legacy, str | int | float) and not isinstance(legacy, bool):
        return from_steps(_singlestat_steps(str(legacy), panel.get("colors")))
    if isinstance(legacy, list):
        steps, note = _graph_steps(_dicts(legacy))
        thresholds, approximated = from_steps(steps)
        return thresholds, "; ".join(n for n in (note, approximated) if n) or None
    return None, None


def _coloured(panel: Mapping[str, Any]) -> bool:
    """Whether Grafana shows its thresholds at all: a stat, gauge or bar gauge colours
    by them unless told otherwise, a singlestat when it colours its value, background
    or gauge, a graph draws its threshold lines; a time series only when it draws them
    or colours by them (every new panel has steps green, red 80 it does not show)."""
    kind = str(panel.get("type") or "")
    defaults = _field_defaults(panel)
    color = defaults.get("color") if isinstance(defaults.get("color"), Mapping) else {}
    by_thresholds = color.get("mode") in (None, "thresholds")
    if kind == "singlestat":
        gauge = panel.get("gauge") if isinstance(panel.get("gauge"), Mapping) else {}
        return bool(panel.get("colorValue") or panel.get("colorBackground") or gauge.get("show"))
    if kind == "graph":
        return True
    if kind in ("stat", "gauge", "bargauge"):
        options = panel.get("options") if isinstance(panel.get("options"), Mapping) else {}
        return by_thresholds and options.get("colorMode") != "none"
    custom = defaults.get("custom") if isinstance(defaults.get("custom"), Mapping) else {}
    style = (
        custom.get("thresholdsStyle") if isinstance(custom.get("thresholdsStyle"), Mapping) else {}
    )
    return color.get("mode") == "thresholds" or style.get("mode") not in (None, "off")


# A singlestat's colours when it names none (Grafana's defaults).
_SINGLESTAT_COLORS = ("#299c46", "rgba(237, 129, 40, 0.89)", "#d44a3a")


def _singlestat_steps(text: str, colors: object) -> list[Step]:
    """ "80,90" with colours [below, between, above] as colour steps."""
    values = [_number(part) for part in text.split(",")]
    palette = [str(c) for c in colors] if isinstance(colors, list) else []
    palette += list(_SINGLESTAT_COLORS[len(palette) :])
    starts = [v for v in values if v is not None][: len(palette) - 1]
    return [(palette[0], None), *((palette[i + 1], v) for i, v in enumerate(starts))]


def _graph_steps(items: list[Mapping[str, Any]]) -> tuple[list[Step], str | None]:
    """A graph's threshold lines ({op: gt|lt, value, colorMode}) as colour steps: those
    above ("gt") rise from ok; those below ("lt"), when all are, fall to ok."""
    lines = [
        (str(i.get("op") or "gt"), _graph_color(i), _number(i.get("value")))
        for i in items
        if _number(i.get("value")) is not None
    ]
    above = sorted(((c, v) for op, c, v in lines if op != "lt"), key=lambda s: s[1] or 0.0)
    below = sorted(((c, v) for op, c, v in lines if op == "lt"), key=lambda s: s[1] or 0.0)
    if below and not above:
        colors = [color for color, _ in below] + ["ok"]
        starts = [value for _, value in below]
        return [(colors[0], None), *zip(colors[1:], starts, strict=True)], None
    note = "threshold lines below a value (lt) among ones above (gt): left out" if below else None
    return [("ok", None), *above], note


def _graph_color(item: Mapping[str, Any]) -> str:
    mode = str(item.get("colorMode") or "critical")
    return str(item.get("fillColor") or item.get("lineColor") or "") if mode == "custom" else mode


def _semantics_dropped(grafana: Mapping[str, Any]) -> list[str]:
    """What of its unit, thresholds, mappings and reducer is shown otherwise, and why."""
    dropped = []
    unit = _unit(grafana)
    if unit in APPROXIMATED:
        dropped.append(f"unit {unit!r}: {APPROXIMATED[unit]}")
    elif unit and not units.is_known(unit):
        dropped.append(f"unit {unit!r}: not one allintop knows, shown as the number, then {unit!r}")
    note = _thresholds(grafana)[1]
    if note:
        dropped.append(f"thresholds: {note}")
    for line in mappings.unsupported(_field_defaults(grafana).get("mappings")):
        dropped.append(f"value mappings: {line}")
    options = grafana.get("options") if isinstance(grafana.get("options"), Mapping) else {}
    written, _ = _written_reducer(grafana, options)
    if not reducers.is_known(written):
        dropped.append(f"reducer {written!r}: not computed here, the last value is shown instead")
    overridden = sorted(_overridden(grafana) & _SEMANTIC_PROPERTIES)
    if overridden:
        dropped.append(
            f"field overrides of {', '.join(overridden)}: each series shows the panel's own"
        )
    return dropped


_SEMANTIC_PROPERTIES = {"unit", "decimals", "thresholds", "mappings", "min", "max"}


def _overridden(grafana: Mapping[str, Any]) -> set[str]:
    """The properties its field overrides set ("unit", "custom.width", ...)."""
    field_config = grafana.get("fieldConfig")
    overrides = field_config.get("overrides") if isinstance(field_config, Mapping) else None
    return {
        str(item.get("id"))
        for override in _dicts(overrides)
        for item in _dicts(override.get("properties"))
    }


def _target_source(
    panel: Mapping[str, Any], target: Mapping[str, Any], title: str, context: _Context
) -> str | None:
    """Our name of the Prometheus datasource the target queries, or None (and why,
    in context.unsupported)."""
    reference = target.get("datasource") or panel.get("datasource")
    if _uid(reference) == MIXED:  # each target names its own; one that does not: default
        reference = None
    if _is_expression(reference):
        context.unsupported.append(f"{title}: a server-side expression (__expr__): not supported")
        return None
    source = _local(reference, context) if context.local else _resolve(reference, context)
    if isinstance(source, str):
        context.unsupported.append(f"{title}: {source}")
        return None
    if source.type != "prometheus":
        context.unsupported.append(
            f"{title}: datasource {source.name!r} is {source.type or 'of no type'}: not supported"
        )
        return None
    name = _name(source)
    context.used[name] = source
    return name


MIXED = "-- Mixed --"


def _uid(reference: object) -> str:
    return str(reference.get("uid") or "") if isinstance(reference, Mapping) else str(reference)


# How Grafana names its server-side expressions: the reference's type and uid, its
# name, and a legacy id it still honours.
_EXPRESSION = ("__expr__", "Expression", "-100")


def _is_expression(reference: object) -> bool:
    if isinstance(reference, Mapping):
        return reference.get("type") == "__expr__" or reference.get("uid") in _EXPRESSION
    return reference in _EXPRESSION


def _resolve(reference: object, context: _Context) -> GrafanaSource | str:
    """The server's datasource a reference means: a name, {type, uid}, a variable
    (`$datasource`, `${DS_PROMETHEUS}`), or nothing (the server's default)."""
    if isinstance(reference, Mapping):
        uid = str(reference.get("uid") or "")
        kind = str(reference.get("type") or "")
        if not uid:
            return _default(context, kind)
        text = uid
    elif reference is None or reference in ("", "default"):
        return _default(context, "")
    else:
        text = str(reference)
    if text.startswith("$"):
        variable = text.strip("${}").split(":")[0]
        value = context.variables.get(variable)
        if value in (None, "", "default") or str(value).startswith("$"):
            # ${DS_PROMETHEUS} of an export: Grafana's import asks; we take the default.
            return _default(context, "prometheus")
        text = str(value)
    for source in context.sources:
        if text in (source.uid, source.name):
            return source
    return f"datasource {text!r} is not on the Grafana server"


def _local(reference: object, context: _Context) -> GrafanaSource:
    """In a file on its own: the default datasource, unless the reference says it is
    another kind (`{"type": "loki"}`, a variable of loki datasources, a name like
    "Loki"): then a stand-in of that kind, which is not supported."""
    if isinstance(reference, Mapping):
        kind = str(reference.get("type") or "")
        text = str(reference.get("uid") or "")
    else:
        kind, text = "", "" if reference is None else str(reference)
    if text.startswith("$"):
        kind = kind or context.kinds.get(text.strip("${}").split(":")[0], "")
    elif not kind and text.casefold() in _OTHER_KINDS:
        kind = text.casefold()
    if kind in ("", "prometheus", "datasource"):
        return LOCAL
    return GrafanaSource(uid=text, name=text or kind, type=kind)


# Datasource names that say their kind: a target on "Loki" is not PromQL.
_OTHER_KINDS = ("loki", "elasticsearch", "influxdb", "graphite", "tempo", "mysql", "postgres")


def _default(context: _Context, kind: str) -> GrafanaSource | str:
    """The server's default datasource (of `kind`, if given and the default is not)."""
    candidates = [s for s in context.sources if not kind or s.type == kind]
    if not candidates:
        return f"the Grafana server has no {kind or 'default'} datasource"
    return min(candidates, key=lambda s: not s.is_default)


_NOT_NAME = re.compile(r"[^A-Za-z0-9_.-]+")


def _name(source: GrafanaSource) -> str:
    """A datasource name allintop takes (letters, digits, _ . -), from Grafana's."""
    return _NOT_NAME.sub("-", source.name).strip("-.") or source.uid or "grafana"


# -- variables --


def _datasource_variables(templating: Sequence[Any]) -> dict[str, str]:
    """Each datasource variable's current value (a uid or name)."""
    found = {}
    for item in _dicts(list(templating)):
        if item.get("type") == "datasource":
            current = item.get("current") or {}
            found[str(item.get("name"))] = str(current.get("value") or current.get("text") or "")
    return found


def _datasource_kinds(templating: Sequence[Any]) -> dict[str, str]:
    """Each datasource variable's kind of datasource (its `query`: "prometheus", "loki")."""
    return {
        str(item.get("name")): str(item.get("query") or "")
        for item in _dicts(list(templating))
        if item.get("type") == "datasource"
    }


def _variables(templating: Sequence[Any]) -> tuple[Variable, ...]:
    """Grafana's query, custom, interval, constant and textbox variables as ours, in
    the dashboard's order (a datasource variable is the datasource the panels were
    bound to: see _resolve; other kinds are named in _dashboard_dropped)."""
    variables = []
    for item in _dicts(list(templating)):
        name, kind = str(item.get("name") or ""), str(item.get("type") or "")
        read = _VARIABLE_KINDS.get(kind)
        if read is not None and re.fullmatch(r"[A-Za-z_]\w*", name) and not name.startswith("__"):
            label = str(item.get("label") or "") or None
            variables.append(replace(read(name, item), label=label))
    return tuple(variables)


#: Grafana's `sort` numbers, by name.
_SORTS: Mapping[int, VariableSort] = MappingProxyType(dict(enumerate(VARIABLE_SORTS)))


def _query_variable(name: str, item: Mapping[str, Any]) -> Variable:
    """Options from its query (one Grafana's Prometheus datasource knows), filtered by
    its regex; a query or regex of another kind is dropped (and said so) and the
    value is then the one it was saved with, else "all"."""
    query: str | None = _query_text(item)
    try:
        parse_variable_query(query or "")
    except ValueError:
        query = None
    include_all = bool(item.get("includeAll"))
    regex = str(item.get("regex") or "") or None
    sort = item.get("sort")
    variable = Variable(
        name,
        query=query,
        kind="query",
        multi=bool(item.get("multi")),
        include_all=include_all or query is None,
        all_value=_all_value(item),
        regex=regex if _regex_problem(regex) is None else None,
        sort=_SORTS.get(sort if isinstance(sort, int) else 0, "none"),
    )
    return replace(variable, default=_current(item, variable))


def _all_value(item: Mapping[str, Any]) -> str | None:
    """Its allValue, where it offers All (without, Grafana never writes it)."""
    return str(item.get("allValue") or "") or None if item.get("includeAll") else None


def _regex_problem(regex: str | None) -> str | None:
    """Why a variable's regex cannot be used here (None: it can, or there is none)."""
    if regex is None:
        return None
    try:
        templating.js_regex(interpolate_text(regex, {}))
    except ValueError as error:
        return str(error)
    return None


def _custom_variable(name: str, item: Mapping[str, Any]) -> Variable:
    variable = Variable(
        name,
        values=_custom_values(_query_text(item)),
        kind="custom",
        multi=bool(item.get("multi")),
        include_all=bool(item.get("includeAll")),
        all_value=_all_value(item),
    )
    return replace(variable, default=_current(item, variable))


def _custom_values(query: str) -> tuple[str, ...]:
    """A custom variable's options: its query split at commas (but `\\,`), each
    option's value the part after " : " where it is written `text : value`."""
    options, part, escaped = [], "", False
    for char in query + ",":
        if escaped:
            part += char if char == "," else "\\" + char
            escaped = False
        elif char == "\\":
            escaped = True
        elif char == ",":
            options.append(part.partition(" : ")[2] or part if " : " in part else part)
            part = ""
        else:
            part += char
    return tuple(dict.fromkeys(option.strip() for option in options if option.strip()))


def _interval_variable(name: str, item: Mapping[str, Any]) -> Variable:
    """Its durations (those PromQL reads), and "auto" where it has it."""
    values = tuple(v.strip() for v in _query_text(item).split(",") if _is_duration(v.strip()))
    count = item.get("auto_count")
    minimum = str(item.get("auto_min") or "10s")
    variable = Variable(
        name,
        values=values,
        kind="interval",
        auto=bool(item.get("auto")),
        auto_count=count if isinstance(count, int) and count > 0 else 30,
        auto_min=minimum if _is_duration(minimum) else "10s",
    )
    return replace(variable, default=_current(item, variable))


def _is_duration(text: str) -> bool:
    try:
        return parse_duration(text) > 0
    except ValueError:
        return False


def _constant_variable(name: str, item: Mapping[str, Any]) -> Variable:
    value = _query_text(item)  # an export's ${VAR_...} is filled in from __inputs
    return Variable(name, values=(value,), default=value, kind="constant")


def _textbox_variable(name: str, item: Mapping[str, Any]) -> Variable:
    current = _current(item, Variable(name, kind="textbox"))
    default = current if isinstance(current, str) and current else _query_text(item)
    return Variable(name, default=default, kind="textbox")


_VARIABLE_KINDS: Mapping[str, Callable[[str, Mapping[str, Any]], Variable]] = MappingProxyType(
    {
        "query": _query_variable,
        "custom": _custom_variable,
        "interval": _interval_variable,
        "constant": _constant_variable,
        "textbox": _textbox_variable,
    }
)


def _query_text(item: Mapping[str, Any]) -> str:
    """A variable's query: a string, or (Grafana 8 on) {"query": ..., "refId": ...}."""
    query = item.get("query")
    if isinstance(query, Mapping):
        query = query.get("query")
    return str(query or "")


def _current(item: Mapping[str, Any], variable: Variable) -> Pick:
    """The pick the dashboard was saved with, where it still means something here:
    "all" for Grafana's All, "auto" for an auto interval; else All where offered,
    else the first option; "" when the options are not known until asked for."""
    value = (item.get("current") or {}).get("value")
    picked = [str(v) for v in value] if isinstance(value, list) else [str(value or "")]
    picked = ["auto" if v.startswith("$__auto_interval") else v for v in picked if v]
    # An export's unfilled "${VAR_...}" is no value.
    picked = [v for v in picked if not v.startswith("$") or v in ALL_VALUES]
    options = variable.options
    if picked and templating.is_all(tuple(picked)):
        if variable.include_all or variable.kind == "query":
            return ALL
        picked = []
    if options:
        picked = [v for v in picked if v in options]
    if picked:
        return tuple(picked) if variable.multi and len(picked) > 1 else picked[0]
    if variable.include_all:
        return ALL
    return options[0] if options else ""


def _duration(text: object, fallback: float) -> float:
    try:
        seconds = parse_duration(str(text))
    except ValueError:
        return fallback
    return seconds if seconds > 0 else fallback
