"""`allintop import-grafana`: a Grafana dashboard as the panels.yaml that shows the same
panels, with a comment on every panel or option that could not be carried over and
why; and the per-panel report (converted / partly / not supported).

Each Grafana panel is one entry of its row's `panels:`, with what of its tile
differs from the defaults (kind, width, height, its place x and y, its repeat,
reducer, mappings, graph, min, max, content) and its query (`expr:`) or queries (`queries:`),
so the file loads back as the same tiles over the same panels.

Pure: allintop.dashboard.grafana.convert's conversion in, text out. Every string is written as a
double-quoted YAML scalar and every number as YAML writes it, so no title or
expression from the file can change the YAML's structure; comments are single
lines without control characters.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence

import yaml

from allintop.dashboard.annotations import DEFAULT_STEP, Annotation
from allintop.dashboard.grafana.convert import Converted, from_file
from allintop.dashboard.grafana.documents import is_dashboard
from allintop.dashboard.grafana.panels import PanelReport
from allintop.dashboard.model import Panel, Query, Row, ShownWhen, Variable
from allintop.dashboard.panels_yaml.rows import UNTITLED, query_name
from allintop.errors import ConfigError
from allintop.values import reducers
from allintop.values.durations import format_duration
from allintop.values.mappings import ValueMapping


def convert(text: str, source: str) -> Converted:
    """A Grafana dashboard file's text, converted as `-c FILE` shows it."""
    try:
        document = json.loads(text)
    except ValueError as error:
        raise ConfigError(
            f"{source}: not valid JSON: {getattr(error, 'msg', error)} "
            f"(line {getattr(error, 'lineno', '?')})",
            hint="import-grafana reads a dashboard's JSON, as Grafana exports it",
        ) from None
    if not is_dashboard(document):
        raise ConfigError(
            f"{source} is JSON but not a Grafana dashboard",
            hint='a Grafana dashboard has "panels" (or the old "rows"); the HTTP API\'s '
            'answer has "dashboard" and "meta"',
        )
    return from_file(document, source)


def to_yaml(converted: Converted, source: str) -> str:
    """The panels.yaml text of a converted Grafana dashboard file."""
    dashboard = converted.dashboard
    lines = [
        f"# From the Grafana dashboard {_comment(source)} (allintop import-grafana).",
        "# Every Prometheus datasource it referenced is the default one here: --url,",
        "# $PROMETHEUS_URL or http://localhost:9090.",
        *(f"# Not carried over: {_line(text)}" for text in converted.dropped),
        f"title: {_quoted(dashboard.title or 'Grafana dashboard')}",
        f"refresh: {format_duration(dashboard.refresh)}",
        f"range: {format_duration(dashboard.range)}",
    ]
    if dashboard.variables:
        lines.append("variables:")
        for variable in dashboard.variables:
            lines += _variable(variable)
    lines += _annotations(dashboard.annotations)
    lines.append("rows:")
    rows = iter(dashboard.rows)
    for title, reports in converted.layout:
        lines += _row(title, reports, rows)
    return "\n".join(lines) + "\n"


def report(converted: Converted) -> str:
    """Per Grafana panel, by row: converted, partly (what was dropped) or not supported
    (why)."""
    lines: list[str] = []
    counts = {"converted": 0, "partly": 0, "not supported": 0}
    lines += (f"dashboard: {_line(text)}" for text in converted.dropped)
    rows = iter(converted.dashboard.rows)  # the rows of the Grafana rows with a tile
    for title, reports in converted.layout:
        row = next(rows) if any(report.panel for report in reports) else None
        tab = f"  (tab {_line(row.tab)})" if row is not None and row.tab is not None else ""
        lines.append(f"== {_line(title)}{tab}")
        for panel in reports:
            status, reasons = _status(panel)
            counts[status] += 1
            why = "; ".join(_line(text) for text in reasons)
            lines.append(f"  {status:<13}  {_line(panel.title)}" + (f": {why}" if why else ""))
    lines.append(", ".join(f"{count} {status}" for status, count in counts.items()))
    return "\n".join(lines) + "\n"


def _annotations(annotations: Sequence[Annotation]) -> list[str]:
    """panels.yaml's `annotations:` (allintop.dashboard.panels_yaml.annotations); the
    datasource is left out, as every one is the default one here."""
    lines = ["annotations:"] if annotations else []
    for item in annotations:
        lines += [f"  - name: {_quoted(item.name)}", f"    expr: {_quoted(item.expr)}"]
        if item.step != DEFAULT_STEP:
            lines.append(f"    step: {format_duration(item.step)}")
        for key, text in (("title_format", item.title_format), ("text_format", item.text_format)):
            if text:
                lines.append(f"    {key}: {_quoted(text)}")
        if item.tag_keys:
            lines.append(f"    tag_keys: [{', '.join(_quoted(k) for k in item.tag_keys)}]")
        for key, flag, default in (
            ("use_value_for_time", item.use_value_for_time, False),
            ("enable", item.enable, True),
            ("hide", item.hide, False),
        ):
            if flag != default:
                lines.append(f"    {key}: {str(flag).lower()}")
        lines.append(f"    color: {_quoted(item.color)}")
    return lines


def _variable(variable: Variable) -> list[str]:
    """The variable as panels.yaml writes it: every key that is not the reader's own
    default for its kind (include_all always: a panels.yaml query offers "all" unless
    told not to, while Grafana's does not unless told to)."""
    lines = [f"  {variable.name}:", f"    type: {variable.kind}"]
    if variable.label:
        lines.append(f"    label: {_quoted(variable.label)}")
    if variable.kind == "constant":
        return [*lines, f"    value: {_quoted(str(variable.default))}"]
    if variable.query:
        lines.append(f"    query: {_quoted(variable.query)}")
    elif variable.kind == "query":
        lines.append("    # its query is none allintop can ask: its value is its default")
    if variable.values:
        lines.append(f"    values: [{', '.join(_quoted(v) for v in variable.values)}]")
    lines += _variable_options(variable)
    if isinstance(variable.default, tuple):
        lines.append(f"    default: [{', '.join(_quoted(v) for v in variable.default)}]")
    elif variable.default or variable.kind == "textbox":
        lines.append(f"    default: {_quoted(variable.default)}")
    return lines


def _variable_options(variable: Variable) -> list[str]:
    if variable.kind == "interval":
        if not variable.auto:
            return []
        return [
            "    auto: true",
            f"    auto_count: {variable.auto_count}",
            f"    auto_min: {_quoted(variable.auto_min)}",
        ]
    if variable.kind not in ("query", "custom"):
        return []
    lines = [f"    include_all: {str(variable.include_all).lower()}"]
    if variable.multi:
        lines.append("    multi: true")
    if variable.all_value is not None:
        lines.append(f"    all_value: {_quoted(variable.all_value)}")
    if variable.regex:
        lines.append(f"    regex: {_quoted(variable.regex)}")
    if variable.sort != "none":
        lines.append(f"    sort: {variable.sort}")
    return lines


def _row(title: str, reports: Sequence[PanelReport], rows: Iterator[Row]) -> list[str]:
    """A Grafana row's entries; `rows` holds the dashboard's rows, each Grafana row
    with a tile being the next of them."""
    if not any(report.panel for report in reports):
        lines = [f"  # Row {_comment(title)}: none of its panels can be shown."]
        return lines + [line for report in reports for line in _notes(report, "  ")]
    row = next(rows)
    lines = []
    if row.shown_when is not None:
        lines.append(
            f"  # Grafana shows row {_comment(title)} only {_when(row.shown_when)}: "
            "panels.yaml cannot say so; it is always shown."
        )
    lines.append(f"  - title: {_quoted(title)}")
    if row.tab is not None:
        lines.append(f"    tab: {_quoted(row.tab)}")
    if row.collapsed:
        lines.append("    collapsed: true")
    if row.repeat:
        lines.append(f"    repeat: {_quoted('$' + row.repeat)}")
    lines.append("    panels:")
    for report in reports:
        lines += _notes(report, "      ")
        if report.panel is not None:
            lines += _entry(report.panel, report.queries)
    return lines


def _when(shown: ShownWhen) -> str:
    """A row's conditions, as a person reads them ("when env equals prod")."""
    said = [f"{c.variable} {c.operator} {c.value}" for c in shown.conditions]
    joined = (" or " if shown.any else " and ").join(said)
    return f"{'unless' if shown.hide else 'when'} {_comment(joined)}"


def _notes(report: PanelReport, indent: str) -> list[str]:
    """The comment over a Grafana panel: what of it is not here, and why."""
    status, why = _status(report)
    if status == "converted":
        return []
    head = f"{indent}# Grafana panel {_comment(report.title)}: {status}"
    return [head] + [f"{indent}#   {_line(text)}" for text in why]


def _status(report: PanelReport) -> tuple[str, tuple[str, ...]]:
    """A Grafana panel's status in the written file, and what of it is not there:
    the conversion's, and what of its tile panels.yaml cannot say."""
    left_out = () if report.panel is None else _unwritable(report.panel)
    why = (*report.unsupported, *report.dropped, *left_out)
    if report.status == "converted" and left_out:
        return "partly", why
    return report.status, why


def _unwritable(tile: Panel) -> tuple[str, ...]:
    """What of a tile a panels.yaml cannot say, and why (it is left at the default)."""
    why = []
    if not reducers.is_known(tile.reducer) and tile.reducer != _DEFAULT.reducer:
        why.append(f"reducer {_comment(tile.reducer)}: unknown here, {_DEFAULT.reducer} used")
    why += (
        f"value mapping {_described(m)}: nothing to show"
        for m in tile.mappings
        if _mapping(m) is None
    )
    return tuple(why)


_DEFAULT = Panel(title="")


def _entry(tile: Panel, panels: Sequence[Query]) -> list[str]:
    """A tile as one entry of `panels:`: its title, kind and size, its queries and
    how their values are shown, then what of the tile's looks differs from a stat
    card's (what of it cannot be written is in the comment over it)."""
    lines = [f"      - title: {_quoted(tile.title)}", *_indented(_layout(tile))]
    if panels:
        lines += _queries(tile.title or UNTITLED, panels) + _shared(panels[0])
    lines += _indented(_looks(tile))
    mappings = [text for text in map(_mapping, tile.mappings) if text]
    if mappings:
        lines.append("        mappings:")
        lines += (f"          - {text}" for text in mappings)
    return lines


def _indented(lines: Sequence[str]) -> list[str]:
    return [f"        {line}" for line in lines]


def _layout(tile: Panel) -> list[str]:
    """Its kind and size, where they are not a stat card's defaults."""
    lines = [] if tile.kind == _DEFAULT.kind else [f"kind: {tile.kind}"]
    lines += [
        f"{name}: {getattr(tile, name)}"
        for name in ("width", "height", "x", "y", "repeat_direction", "max_per_row")
        if getattr(tile, name) != getattr(_DEFAULT, name)
    ]
    return lines + ([f"repeat: {_quoted('$' + tile.repeat)}"] if tile.repeat else [])


def _looks(tile: Panel) -> list[str]:
    """Its reducer, sparkline, bounds and text where they are not the defaults."""
    lines = []
    if reducers.is_known(tile.reducer) and tile.reducer != _DEFAULT.reducer:
        lines.append(f"reducer: {tile.reducer}")  # a known name: a plain word
    if tile.graph != _DEFAULT.graph:
        lines.append(f"graph: {str(tile.graph).lower()}")
    lines += (  # the stat's options: each one of a few plain words
        f"{name}: {getattr(tile, name)}"
        for name in ("text_mode", "color_mode", "orientation", "justify")
        if getattr(tile, name) != getattr(_DEFAULT, name)
    )
    lines += (
        f"{name}: {_number(getattr(tile, name))}"
        for name in ("min", "max")
        if getattr(tile, name) is not None
    )
    lines += (
        f"{name}: {_quoted(getattr(tile, name))}"
        for name in ("content", "note")
        if getattr(tile, name)
    )
    return lines


def _described(mapping: ValueMapping) -> str:
    what = mapping.value or mapping.special or f"{mapping.low}..{mapping.high}"
    return f"{mapping.kind} {_comment(str(what))}"


def _mapping(mapping: ValueMapping) -> str | None:
    """A value mapping as a flow mapping; None if it is not one panels.yaml can say."""
    if mapping.kind == "value" and mapping.value is not None:
        match = [f"value: {_quoted(mapping.value)}"]
    elif mapping.kind == "special" and mapping.special is not None:
        match = [f"special: {_quoted(mapping.special)}"]
    elif mapping.kind == "range":
        match = [f"from: {_number(mapping.low)}", f"to: {_number(mapping.high)}"]
    else:
        return None
    shown = [f"text: {_quoted(mapping.text)}"]
    if mapping.color is not None:
        shown.append(f"color: {_quoted(mapping.color)}")
    elif not mapping.text:
        return None  # nothing to show: panels.yaml refuses it
    return "{" + ", ".join(match + shown) + "}"


def _shared(panel: Query) -> list[str]:
    """What every query of a tile is shown with (a tile's queries share them)."""
    lines = []
    if panel.unit:
        lines.append(f"unit: {_quoted(panel.unit)}")
    if panel.decimals is not None:
        lines.append(f"decimals: {panel.decimals}")
    if panel.thresholds is not None:
        given = {
            name: threshold.text
            for name in ("target", "alert")
            if (threshold := getattr(panel.thresholds, name)) is not None
        }
        written = ", ".join(f"{name}: {_quoted(text)}" for name, text in given.items())
        lines += [f"thresholds: {{{written}}}"] if given else []
    if panel.alerts:
        lines.append(f"alerts: [{', '.join(_quoted(name) for name in panel.alerts)}]")
    if panel.max_points is not None:
        lines.append(f"max_data_points: {panel.max_points}")
    return _indented(lines)


def _queries(title: str, panels: Sequence[Query]) -> list[str]:
    """One query as `expr:`, several as `queries:`, each with what is its own."""
    if len(panels) == 1 and panels[0].title == title:
        return [f"        {line}" for line in _query(panels[0], None)]
    lines = ["        queries:"]
    for index, panel in enumerate(panels):
        name = query_name(title, panel.legend, index, len(panels))
        query = _query(panel, None if panel.title == name else panel.title)
        lines += [f"          - {query[0]}", *(f"            {line}" for line in query[1:])]
    return lines


def _query(panel: Query, title: str | None) -> list[str]:
    lines = [f"expr: {_quoted(panel.expr)}"]
    if panel.legend:
        lines.append(f"legend: {_quoted(panel.legend)}")
    if panel.datasource:
        lines.append(f"datasource: {_quoted(panel.datasource)}")
    if title is not None:
        lines.append(f"title: {_quoted(title)}")
    if panel.min_interval is not None:
        lines.append(f"interval: {_quoted(format_duration(panel.min_interval))}")
    return lines


def _number(value: float | None) -> str:
    """A number as YAML reads it back exactly (1e-05 is "1.0e-05": YAML's floats
    need a dot); None as null."""
    return yaml.safe_dump(value).splitlines()[0]


def _quoted(text: str) -> str:
    dumped = yaml.dump(
        text, Dumper=yaml.SafeDumper, default_style='"', allow_unicode=True, width=1 << 30
    )
    return dumped.rstrip("\n")


def _line(text: str) -> str:
    """Text from the file on one line, without control characters."""
    return " ".join("".join(c if c.isprintable() else " " for c in text).split())


def _comment(text: str) -> str:
    return repr(_line(text))
