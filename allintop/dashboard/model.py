"""What a dashboard is, as plain frozen dataclasses: queries, panels, rows, variables,
and the dashboard that gathers them (its datasources: allintop.dashboard.datasource)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from types import MappingProxyType
from typing import Literal, get_args

from allintop.dashboard.annotations import Annotation
from allintop.dashboard.datasource import Datasource, DatasourceSet, no_datasources
from allintop.errors import ConfigError
from allintop.values.mappings import ValueMapping
from allintop.values.reducers import DEFAULT as DEFAULT_REDUCER
from allintop.values.thresholds import Thresholds

DEFAULT_REFRESH = 5.0
DEFAULT_RANGE = 15 * 60.0


#: Series a panel's state lists (its top ones); the rest are counted. A stat shows
#: one value per series, as Grafana does, so it lists as many as a history keeps.
LISTED_SERIES = 50


@dataclass(frozen=True)
class Query:
    """One query of a panel (Grafana's target): a PromQL expression and how to show
    its number."""

    title: str
    expr: str
    unit: str = ""
    decimals: int | None = None
    thresholds: Thresholds | None = None
    alerts: tuple[str, ...] = ()
    legend: str | None = None  # Grafana-style series name template: "{{route}} {{status_code}}"
    line: int = 0  # where the query starts in its file, for messages
    datasource: str | None = None
    """A datasource's name, or "$var" of a datasource variable; None: the default
    (the row's datasource is copied here when the query names none)."""
    listed: int = LISTED_SERIES
    """Series its state lists by name (the rest are counted): a card names its top
    few; a table or a bar gauge draws each (see `listing`)."""
    min_interval: float | None = None
    """Grafana's min interval (the panel's `interval`, a target's): the lower limit
    of its $__interval, standing for the scrape interval in $__rate_interval."""
    max_points: int | None = None
    """Grafana's `maxDataPoints`: its $__interval is the range over these; None: over
    its chart's width."""


#: How a panel is drawn: a value card (stat), bars (gauge, bargauge), a chart
#: (timeseries), rows of series (table), markdown (text), shaded buckets (heatmap),
#: or a card naming a kind the terminal does not draw (other).
PanelKind = Literal["stat", "gauge", "bargauge", "timeseries", "table", "text", "heatmap", "other"]
PANEL_KINDS: tuple[PanelKind, ...] = get_args(PanelKind)
#: Grafana's panel types and the panel kind each is drawn as; any other is "other".
GRAFANA_KINDS: Mapping[str, PanelKind] = MappingProxyType(
    {
        "stat": "stat",
        "singlestat": "stat",
        "gauge": "gauge",
        "bargauge": "bargauge",
        "timeseries": "timeseries",
        "graph": "timeseries",
        "table": "table",
        "table-old": "table",
        "text": "text",
        "heatmap": "heatmap",
    }
)
#: Columns of the layout grid a panel's `width` counts in (Grafana's gridPos).
GRID_COLUMNS = 24


#: Series a panel of these kinds draws, one row or bar each (the history keeps as many).
LISTED_BY_KIND: Mapping[str, int] = MappingProxyType({"table": 50, "bargauge": 50, "gauge": 50})


def listing(queries: tuple[Query, ...], kind: str) -> tuple[Query, ...]:
    """The queries of a panel of `kind`, listing as many series as it draws."""
    listed = LISTED_BY_KIND.get(kind)
    return queries if listed is None else tuple(replace(q, listed=listed) for q in queries)


#: Grafana's stat options, as its JSON spells them: what a value's cell says, how it
#: is coloured, which way several values go, and where the text sits.
TextMode = Literal["auto", "value", "value_and_name", "name", "none"]
TEXT_MODES: tuple[TextMode, ...] = get_args(TextMode)
ColorMode = Literal["value", "background", "none"]
COLOR_MODES: tuple[ColorMode, ...] = get_args(ColorMode)
Orientation = Literal["auto", "horizontal", "vertical"]
ORIENTATIONS: tuple[Orientation, ...] = get_args(Orientation)
Justify = Literal["auto", "center"]
JUSTIFY_MODES: tuple[Justify, ...] = get_args(Justify)


@dataclass(frozen=True)
class Panel:
    """One box on the screen (a Grafana panel): how it is drawn and where, over the
    queries it shows: `count` of its row's queries from `first`. The poller knows
    only queries, so a panel of several queries is several queries drawn together.
    A text panel has none."""

    title: str
    kind: PanelKind = "stat"
    first: int = 0
    count: int = 1
    width: int = 0
    """Columns of GRID_COLUMNS; 0: the card grid decides."""
    height: int = 0
    """Grafana grid rows (gridPos.h); 0: the kind's own height."""
    reducer: str = DEFAULT_REDUCER
    """How a series becomes one number: last, lastNotNull, mean, max, min, sum..."""
    mappings: tuple[ValueMapping, ...] = ()
    graph: bool = True
    """A stat's sparkline (Grafana's graphMode "area")."""
    min: float | None = None
    max: float | None = None
    content: str = ""
    """A text panel's markdown."""
    note: str = ""
    """Why a panel of kind "other" is not drawn ("a piechart panel")."""
    line: int = 0
    x: int | None = None
    """Where it starts in the GRID_COLUMNS columns (gridPos.x); None: the panels
    flow in order (allintop.ui.layout)."""
    y: int | None = None
    """Where it starts in grid rows from its row's top (gridPos.y, made relative);
    None: the panels flow in order."""
    repeat: str | None = None
    """A variable's name: one copy of the panel per value picked
    (allintop.dashboard.repeats); None: shown once."""
    repeat_direction: Literal["h", "v"] = "h"
    """Copies side by side (h), or stacked (v)."""
    max_per_row: int | None = None
    """Side by side, at most this many copies a line (None: Grafana's 4)."""
    text_mode: TextMode = "auto"
    """What a stat's value cell says (Grafana's textMode): auto names the series
    when there are several."""
    color_mode: ColorMode = "value"
    """What a stat's threshold colour paints: the value, its cell's background, or
    nothing (Grafana's colorMode)."""
    orientation: Orientation = "auto"
    """Which way a stat's or gauge's values go: auto by the tile's shape, horizontal
    (stacked rows), vertical (side by side)."""
    justify: Justify = "auto"
    """Where a stat's text sits in its cell (Grafana's justifyMode)."""

    @property
    def span(self) -> range:
        """Its queries' indices in the row."""
        return range(self.first, self.first + self.count)


@dataclass(frozen=True)
class Row:
    title: str
    queries: tuple[Query, ...]
    datasource: str | None = None
    panels: tuple[Panel, ...] = ()
    """The boxes drawn over its queries; empty: one stat card per query (panels.yaml's
    own)."""
    collapsed: bool = False
    """Shown as its title only until expanded; its queries are not asked meanwhile."""
    shown_when: ShownWhen | None = None
    """Shown only while the variables' picks meet it (Grafana's conditional
    rendering); None: always."""
    tab: str | None = None
    """The tab it is on (panels.yaml's `tab:`); None: the previous row's."""
    repeat: str | None = None
    """A variable's name: the row once per value picked (allintop.dashboard.repeats);
    None: shown once."""

    @property
    def layout(self) -> tuple[Panel, ...]:
        """Its panels: the given ones, else one stat card per query."""
        if self.panels:
            return self.panels
        return tuple(
            Panel(title=query.title, first=index, line=query.line)
            for index, query in enumerate(self.queries)
        )


#: Kinds of template variable, as Grafana names them.
VariableKind = Literal["query", "custom", "interval", "constant", "textbox", "datasource"]
VARIABLE_KINDS: tuple[VariableKind, ...] = get_args(VariableKind)
#: Orders of a query variable's options (Grafana's `sort`, by name).
VariableSort = Literal[
    "none",
    "alphabetical",
    "alphabetical-desc",
    "numerical",
    "numerical-desc",
    "alphabetical-ci",
    "alphabetical-ci-desc",
    "natural",
    "natural-desc",
]
VARIABLE_SORTS: tuple[VariableSort, ...] = get_args(VariableSort)
#: A variable's pick: one value, several (a multi-value variable), or "all".
Pick = str | tuple[str, ...]
#: The pick that stands for every option (Grafana's "All", "$__all").
ALL = "all"


@dataclass(frozen=True)
class Variable:
    """A template variable ($job), of one of Grafana's kinds.

    - query: options from `query` (label_values, label_names, metrics or
      query_result), asked of the datasource, filtered by `regex`, in `sort` order;
      `values` are options known beforehand (a panels.yaml's fixed list).
    - custom: options `values`; interval: durations `values`, and "auto" if `auto`;
      constant: its one value (`default`), not picked; textbox: free text.
    - datasource: chooses among the dashboard's datasources (`values`, their names);
      panels that say `datasource: $name` query the one chosen.

    `multi` lets several options be picked at once; `include_all` offers "all",
    written as `all_value` when there is one (Grafana's allValue, as is), else as
    every option. `default` is the pick at start; "" when it is not known until
    the options are (then the first option, or "all").
    """

    name: str
    query: str | None = None
    values: tuple[str, ...] = ()
    default: Pick = ALL
    kind: VariableKind = "query"
    multi: bool = False
    include_all: bool = False
    all_value: str | None = None
    regex: str | None = None
    """Grafana's option filter ("/pattern/flags" or a bare pattern): an option it does
    not match is dropped; its first group (or a group named "value") is the option."""
    sort: VariableSort = "none"
    auto: bool = False
    """An interval variable's "auto" option: the range in `auto_count` steps, at least
    `auto_min`."""
    auto_count: int = 30
    auto_min: str = "10s"
    label: str | None = None
    """What the picker calls it (Grafana's label); None: its name."""

    @property
    def options(self) -> tuple[str, ...]:
        """The options known without asking anyone: a custom, interval, constant or
        datasource variable's (with "auto" first for an auto interval); a query
        variable's are asked for (allintop.dashboard.templating)."""
        if self.kind == "interval" and self.auto:
            return ("auto", *self.values)
        return self.values


@dataclass(frozen=True)
class Condition:
    """A variable's pick compared with a value (Grafana's conditional rendering):
    `equals`/`notEquals` compare a pick (any of a multi-value pick) as text,
    `matches`/`notMatches` search it with a regex, `includes`/`excludes` look for
    the value among the picked ones. A pick of "all" is every option: it includes
    and matches anything."""

    variable: str
    operator: str
    value: str

    def holds(self, values: Mapping[str, Pick]) -> bool:
        pick = values.get(self.variable)
        picked = (pick,) if isinstance(pick, str) else tuple(pick or ())
        if ALL in picked and self.operator in ("includes", "matches", "equals"):
            return True
        if self.operator in ("matches", "notMatches"):
            try:
                found = any(re.search(self.value, value) for value in picked)
            except re.error:
                found = False
            return found == (self.operator == "matches")
        found = self.value in picked
        return found == (self.operator in ("equals", "includes"))


@dataclass(frozen=True)
class ShownWhen:
    """When a row is shown: while all (`any`: one) of its conditions hold, or, when
    `hide`, while they do not."""

    conditions: tuple[Condition, ...]
    any: bool = False
    hide: bool = False

    def holds(self, values: Mapping[str, Pick]) -> bool:
        met = [condition.holds(values) for condition in self.conditions]
        held = any(met) if self.any else all(met)
        return held != self.hide


@dataclass(frozen=True)
class Tab:
    """One tab of a dashboard (Grafana's TabsLayout): its title and the rows it
    holds (indices into the dashboard's rows). A tab inside a tab is one tab titled
    "Outer / Inner"."""

    title: str
    rows: tuple[int, ...] = ()


@dataclass(frozen=True)
class Dashboard:
    source: str
    datasource: Datasource
    """The default datasource: queries that name none ask it."""
    refresh: float
    range: float
    variables: tuple[Variable, ...]
    rows: tuple[Row, ...]
    title: str | None = None
    source_path: Path | None = None
    """The file it was read from (None: given as text)."""
    # Why allintop picked this dashboard itself (no config was given), to tell the
    # user once; None when the user's config or -c chose it.
    notice: str | None = None
    datasources: Mapping[str, Datasource] = field(default_factory=no_datasources)
    """Every named datasource, the default among them (empty: the default only)."""
    context: str | None = None
    """The user config's context whose datasources these are (None: the file's own)."""
    tabs: tuple[Tab, ...] = ()
    """Its tabs, each holding some of its rows; none: every row is shown."""
    annotations: tuple[Annotation, ...] = ()
    """Its annotation queries (allintop.dashboard.annotations)."""
    trimmed_to: frozenset[str] | None = None
    """The metrics a server had when its panels were trimmed to them
    (allintop.dashboard.trimming); None: not trimmed."""

    @property
    def datasource_set(self) -> DatasourceSet:
        """Its datasources, as a context would give them (to read the file again with)."""
        return DatasourceSet(self.datasource, self.datasources)

    @property
    def queries(self) -> tuple[Query, ...]:
        """All queries, row by row, in file order."""
        return tuple(query for row in self.rows for query in row.queries)

    @property
    def sources(self) -> Mapping[str, Datasource]:
        """Every datasource by name, the default one included."""
        return self.datasources or {self.datasource.name: self.datasource}

    def with_default(self, name: str) -> Dashboard:
        """The dashboard with another of its datasources as the default (--datasource);
        ConfigError naming the datasources it has when there is no such one."""
        if name not in self.sources:
            raise ConfigError(
                f"--datasource {name}: {self.source} has no datasource {name!r}",
                hint=f"its datasources: {', '.join(self.sources)}",
            )
        defaults = {
            v.name: replace(v, default=name)
            for v in self.variables
            if v.kind == "datasource" and v.default == self.datasource.name and name in v.values
        }
        variables = tuple(defaults.get(v.name, v) for v in self.variables)
        return replace(self, datasource=self.sources[name], variables=variables)

    def query_datasources(self, values: Mapping[str, Pick]) -> list[str]:
        """The name of the datasource each query asks, in query order, with
        datasource variables resolved by `values` (a name that is not one of the
        dashboard's falls back to the default)."""
        names = []
        for query in self.queries:
            name = query.datasource or self.datasource.name
            if name.startswith("$"):
                chosen = values.get(name[1:], self.datasource.name)
                name = chosen if isinstance(chosen, str) else self.datasource.name
            names.append(name if name in self.sources else self.datasource.name)
        return names

    def shown_rows(self, tab: int, values: Mapping[str, Pick]) -> tuple[int, ...]:
        """The rows shown on tab `tab` (every row when there are no tabs) whose
        conditions hold for the variables' picks `values`."""
        rows = self.tabs[tab].rows if self.tabs else range(len(self.rows))
        return tuple(
            number
            for number in rows
            if (when := self.rows[number].shown_when) is None or when.holds(values)
        )

    def variable_values(self, overrides: Mapping[str, Pick] | None = None) -> dict[str, Pick]:
        """Each variable's pick: the override (--var, the / screen), else its default."""
        return {v.name: v.default for v in self.variables} | dict(overrides or {})
