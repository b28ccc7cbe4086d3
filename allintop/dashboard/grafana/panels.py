"""A Grafana panel as allintop draws it: its targets become queries (the model's
panels, one PromQL expression each) and the panel one tile over them, of the kind its
type is drawn as; with a report of what of it was dropped and why.

A target is left out, and said so, when it queries no Prometheus datasource, has no
expression, or does not parse once the variables have their defaults (a variable
only Grafana can fill, such as a query_result() one used as a number).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from allintop.dashboard.grafana import fieldconfig, stat_options
from allintop.dashboard.grafana.datasources import References, resolve
from allintop.dashboard.grafana.documents import dicts, mapping, number
from allintop.dashboard.grafana.layout import GrafanaRow, in_grid_order, position, repeat_of, size
from allintop.dashboard.model import GRAFANA_KINDS, Panel, Query, listing
from allintop.promql.interpolate import interpolate
from allintop.promql.parse import parse
from allintop.promql.variable_values import Value
from allintop.values.durations import parse_duration


@dataclass(frozen=True)
class PanelReport:
    """One Grafana panel: the panels it became, what of it was dropped and why, and
    why any of its queries could not be shown."""

    title: str
    queries: tuple[Query, ...]
    dropped: tuple[str, ...] = ()
    unsupported: tuple[str, ...] = ()
    panel: Panel | None = None  # how it is drawn; None: not at all

    @property
    def status(self) -> str:
        if self.panel is None or self.panel.kind == "other":
            return "not supported"
        return "partly" if self.dropped or self.unsupported else "converted"


@dataclass
class Reading:
    """What reading one dashboard's panels needs, and what could not be shown."""

    references: References
    checks: Mapping[str, Value]
    """Each variable's default and the built-ins: what an expression is checked with."""
    unsupported: list[str] = field(default_factory=list)
    """What could not be shown, one line each ("title: why")."""


@dataclass(frozen=True)
class RowPanels:
    """A row's queries (one panel each), its tiles, each over its own, and a report
    of each Grafana panel."""

    queries: tuple[Query, ...]
    panels: tuple[Panel, ...]
    reports: tuple[PanelReport, ...]


def row_panels(row: GrafanaRow, reading: Reading) -> RowPanels:
    """The panels, tiles and reports of a Grafana row's panels, in grid order."""
    panels: list[Query] = []
    tiles: list[Panel] = []
    reports: list[PanelReport] = []
    for grafana in in_grid_order(row.panels):
        title = str(grafana.get("title") or "")
        named = title or "untitled"
        first_panel, first_reason = len(panels), len(reading.unsupported)
        panels += _queries(grafana, named, reading)
        tile = _tile(grafana, title, row, first_panel, len(panels) - first_panel)
        if tile is not None:
            tiles.append(tile)
            panels[first_panel:] = listing(tuple(panels[first_panel:]), tile.kind)
        reasons = reading.unsupported[first_reason:]
        reports.append(
            PanelReport(
                named,
                tuple(panels[first_panel:]),
                _dropped(grafana),
                tuple(reason.removeprefix(f"{named}: ") for reason in reasons),
                tile,
            )
        )
    return RowPanels(tuple(panels), tuple(tiles), tuple(reports))


def _tile(
    grafana: Mapping[str, Any], title: str, row: GrafanaRow, first: int, count: int
) -> Panel | None:
    """How the Grafana panel is drawn, over its `count` queries from `first`; None for
    a panel of queries none of which could be shown (named in the report only)."""
    kind_name = str(grafana.get("type") or "")
    kind = GRAFANA_KINDS.get(kind_name, "other")
    if not count and kind not in ("text", "other"):
        return None
    options = mapping(grafana.get("options"))
    width, height = size(grafana, row)
    x, y = position(grafana, row)
    low, high = fieldconfig.value_range(grafana, kind)
    return Panel(
        title=title,
        kind=kind,
        first=first,
        count=count,
        width=width,
        height=height,
        reducer=fieldconfig.reducer(grafana),
        mappings=fieldconfig.value_mappings(grafana),
        graph=fieldconfig.sparkline(grafana),
        min=low,
        max=high,
        content=str(options.get("content") or grafana.get("content") or "")
        if kind == "text"
        else "",
        note=f"a {kind_name or 'untyped'} panel" if kind == "other" else "",
        x=x,
        y=y,
        repeat=repeat_of(grafana),
        repeat_direction="v" if grafana.get("repeatDirection") == "v" else "h",
        max_per_row=_max_per_row(grafana.get("maxPerRow")),
        text_mode=stat_options.text_mode(grafana),
        color_mode=stat_options.color_mode(grafana),
        orientation=stat_options.orientation(grafana),
        justify=stat_options.justify(grafana),
    )


def _max_per_row(given: object) -> int | None:
    """Grafana's maxPerRow: a whole number of copies a line, from 1; None: its default."""
    found = number(given)
    return max(1, min(24, round(found))) if found is not None else None


def _queries(grafana: Mapping[str, Any], title: str, reading: Reading) -> list[Query]:
    """The panels one Grafana panel's targets become; why each other target is left
    out goes to `reading.unsupported`."""
    targets = [t for t in dicts(grafana.get("targets")) if not t.get("hide")]
    unit = fieldconfig.unit(grafana)
    decimals = fieldconfig.decimals(grafana)
    thresholds = fieldconfig.thresholds(grafana)[0]
    kind = str(grafana.get("type") or "untyped")
    max_points = _max_points(grafana.get("maxDataPoints"))
    if not targets and kind not in ("text", "row"):  # a library panel's reference, hidden
        reading.unsupported.append(f"{title}: a {kind} panel without queries: not supported")
    found = []
    for target in targets:
        name, why = resolve(reading.references, grafana, target)
        expr = str(target.get("expr") or "").strip()
        if name is None:
            reading.unsupported.append(f"{title}: {why}")
            continue
        if not expr:
            reading.unsupported.append(f"{title}: a target without a PromQL expression")
            continue
        unparsable = _unparsable(expr, reading.checks)
        if unparsable:
            reading.unsupported.append(f"{title}: {unparsable}: not supported")
            continue
        legend = str(target.get("legendFormat") or "") or None
        shown = title if len(targets) == 1 else f"{title} · {legend or target.get('refId', '')}"
        found.append(
            Query(
                title=shown,
                expr=expr,
                unit=unit,
                decimals=decimals,
                thresholds=thresholds,
                legend=None if legend == "__auto" else legend,
                datasource=None if reading.references.local else name,
                min_interval=_min_interval(target.get("interval"))
                or _min_interval(grafana.get("interval")),
                max_points=max_points,
            )
        )
    return found


def _min_interval(text: object) -> float | None:
    """A panel's or target's min interval ("30s"; Grafana's old ">30s"), in seconds;
    None when it has none, or one only Grafana fills in (a "$variable")."""
    if not isinstance(text, str):
        return None
    text = text.strip().removeprefix(">")
    if not text or text.startswith("$"):
        return None
    try:
        seconds = parse_duration(text)
    except ValueError:
        return None
    return seconds if seconds >= 0.001 else None  # a duration panels.yaml can write


def _max_points(value: object) -> int | None:
    """A panel's maxDataPoints, when it is a count."""
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        return None
    try:
        points = int(float(value))
    except (ValueError, OverflowError):
        return None
    return points if points > 0 else None


def _unparsable(expr: str, values: Mapping[str, Value]) -> str | None:
    """Why `expr` is no PromQL once its variables have their defaults, or None."""
    try:
        parse(interpolate(expr, values))
    except ValueError as error:
        return f"its query does not parse with the variables' defaults ({error})"
    return None


def _dropped(grafana: Mapping[str, Any]) -> tuple[str, ...]:
    """What of a Grafana panel a panels.yaml does not (yet) carry, and why."""
    kind = str(grafana.get("type") or "")
    dropped = []
    if kind not in GRAFANA_KINDS:
        dropped.append(
            f"a {kind or 'untyped'} panel: not drawn in the terminal, its queries listed"
        )
    dropped += fieldconfig.semantics_dropped(grafana)
    dropped += _transformations(grafana)
    if fieldconfig.stacked(grafana):
        dropped.append("stacking: the series are drawn unstacked")
    hidden = [str(t.get("refId", "")) for t in dicts(grafana.get("targets")) if t.get("hide")]
    if hidden:
        dropped.append(f"hidden queries {', '.join(hidden)}: left out")
    return tuple(dropped)


def _transformations(grafana: Mapping[str, Any]) -> list[str]:
    """The panel's transformations but a table's merge, which is what allintop's
    table does anyway (its queries joined on their common labels)."""
    kinds = [str(t.get("id") or "?") for t in dicts(grafana.get("transformations"))]
    if grafana.get("type") in ("table", "table-old"):
        kinds = [kind for kind in kinds if kind != "merge"]
    return [f"transformations {', '.join(kinds)}: panels.yaml has none"] if kinds else []
