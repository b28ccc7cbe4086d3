"""`allintop import-grafana`: a Grafana dashboard as the panels.yaml that shows the same
panels, with a comment on every panel or option that could not be carried over and
why; and the per-panel report (converted / partly / not supported).

Pure: allintop.grafana's conversion in, text out. Every string is written as a
double-quoted YAML scalar, so no title or expression from the file can change the
YAML's structure; comments are single lines without control characters.
"""

from __future__ import annotations

import json
from collections.abc import Sequence

import yaml

from allintop import grafana
from allintop.config import Panel, Variable
from allintop.errors import ConfigError
from allintop.grafana import Converted, PanelReport
from allintop.units import format_duration


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
    if not grafana.is_dashboard(document):
        raise ConfigError(
            f"{source} is JSON but not a Grafana dashboard",
            hint='a Grafana dashboard has "panels" (or the old "rows"); the HTTP API\'s '
            'answer has "dashboard" and "meta"',
        )
    return grafana.from_file(document, source)


def to_yaml(converted: Converted, source: str) -> str:
    """The panels.yaml text of a converted Grafana dashboard file."""
    dashboard = converted.dashboard
    lines = [
        f"# From the Grafana dashboard {_comment(source)} (allintop import-grafana).",
        "# Every Prometheus datasource it referenced is the default one here: --url,",
        "# $PROMETHEUS_URL or http://localhost:9090. Every panel is drawn as a value and",
        "# its sparkline for now, whatever its kind in Grafana.",
        *(f"# Not carried over: {_line(text)}" for text in converted.dropped),
        f"title: {_quoted(dashboard.title or 'Grafana dashboard')}",
        f"refresh: {format_duration(dashboard.refresh)}",
        f"range: {format_duration(dashboard.range)}",
    ]
    if dashboard.variables:
        lines.append("variables:")
        for variable in dashboard.variables:
            lines += _variable(variable)
    lines.append("rows:")
    for title, reports in converted.layout:
        lines += _row(title, reports)
    return "\n".join(lines) + "\n"


def report(converted: Converted) -> str:
    """Per Grafana panel, by row: converted, partly (what was dropped) or not supported
    (why)."""
    lines: list[str] = []
    counts = {"converted": 0, "partly": 0, "not supported": 0}
    lines += (f"dashboard: {_line(text)}" for text in converted.dropped)
    for title, reports in converted.layout:
        lines.append(f"== {_line(title)}")
        for panel in reports:
            counts[panel.status] += 1
            why = "; ".join(_line(text) for text in (*panel.unsupported, *panel.dropped))
            lines.append(
                f"  {panel.status:<13}  {_line(panel.title)}" + (f": {why}" if why else "")
            )
    lines.append(", ".join(f"{count} {status}" for status, count in counts.items()))
    return "\n".join(lines) + "\n"


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


def _row(title: str, reports: Sequence[PanelReport]) -> list[str]:
    shown = [report for report in reports if report.panels]
    if not shown:
        lines = [f"  # Row {_comment(title)}: none of its panels can be shown."]
        return lines + [line for report in reports for line in _notes(report, "  ")]
    lines = [f"  - title: {_quoted(title)}", "    panels:"]
    for report in reports:
        lines += _notes(report, "      ")
        for panel in report.panels:
            lines += _panel(panel)
    return lines


def _notes(report: PanelReport, indent: str) -> list[str]:
    """The comment over a Grafana panel: what of it is not here, and why."""
    if report.status == "converted":
        return []
    head = f"{indent}# Grafana panel {_comment(report.title)}: {report.status}"
    return [head] + [
        f"{indent}#   {_line(text)}" for text in (*report.unsupported, *report.dropped)
    ]


def _panel(panel: Panel) -> list[str]:
    lines = [f"      - title: {_quoted(panel.title)}", f"        expr: {_quoted(panel.expr)}"]
    if panel.unit:
        lines.append(f"        unit: {_quoted(panel.unit)}")
    if panel.legend:
        lines.append(f"        legend: {_quoted(panel.legend)}")
    return lines


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
