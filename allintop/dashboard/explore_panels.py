"""Explore's query kept as a panel: appended to a row "Explore" at the end of the
user's panels.yaml, as text, so the file's comments and layout survive.

The file is read as YAML nodes only to find where the rows and the Explore row's
panels end; the new lines are inserted there, indented as their neighbours are, and
the whole new text is read back as a panels.yaml before it replaces the file. The
dashboards bundled with allintop and Grafana's JSON files are never written: the
user names a panels.yaml to write to instead (`-o FILE`).
"""

from __future__ import annotations

from pathlib import Path

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from allintop.dashboard.datasource import DatasourceSet
from allintop.dashboard.loading import BUNDLED, bundled_path, load_text, read_file
from allintop.errors import ConfigError

ROW_TITLE = "Explore"
#: What the refusals offer instead.
HINT = "start allintop with -o FILE to keep Explore's panels in a panels.yaml of yours"


def refusal(path: Path | None) -> str | None:
    """Why Explore must not write to `path`, or None when it may."""
    if path is None:
        return "the dashboard was not read from a file"
    resolved = path.resolve()
    if any(resolved == bundled_path(name).resolve() for name in BUNDLED):
        return f"{path} is a dashboard bundled with allintop, not written to"
    if path.suffix.lower() == ".json":
        return f"{path} is a Grafana dashboard (JSON), not written to"
    return None


def append_panel(
    path: Path,
    title: str,
    expr: str,
    datasource: str | None = None,
    datasources: DatasourceSet | None = None,
) -> None:
    """Append a panel of `expr` to the row "Explore" of the panels.yaml at `path`
    (the row made at the end of the rows if there is none; the file made if it does
    not exist). ConfigError, the file untouched, when it cannot be done."""
    why = refusal(path)
    if why is not None:
        raise ConfigError(why, hint=HINT)
    text = read_file(path) if path.exists() else ""
    if text.lstrip().startswith("{"):
        raise ConfigError(f"{path} is JSON, not written to", hint=HINT)
    panel: dict[str, str] = {"title": title, "expr": expr}
    if datasource:
        panel["datasource"] = datasource
    updated = with_panel(text, panel, str(path))
    load_text(updated, str(path), base_dir=path.parent, datasources=datasources)
    partial = path.with_name(path.name + ".partial")
    try:
        partial.write_text(updated, encoding="utf-8")
        partial.replace(path)  # whole or not at all: the dashboard reloads on every save
    except OSError as error:
        raise ConfigError(f"cannot write {path}: {error.strerror or error}") from None


def _dumped(item: object, indent: int) -> str:
    """`item` as one block-sequence entry ("- ..."), each line `indent` spaces in."""
    block = yaml.safe_dump(
        [item], sort_keys=False, allow_unicode=True, default_flow_style=False, width=1_000_000
    )
    return "".join(" " * indent + line for line in block.splitlines(keepends=True))


def with_panel(text: str, panel: dict[str, str], source: str) -> str:
    """`text` (a panels.yaml, or empty) with `panel` appended to its row "Explore"."""
    if not text.strip():
        return f"rows:\n{_dumped({'title': ROW_TITLE, 'panels': [panel]}, 2)}"
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as error:
        raise ConfigError(f"{source}: not valid YAML, not written to: {error}") from None
    rows = _value(root, "rows") if isinstance(root, MappingNode) else None
    if not isinstance(rows, SequenceNode) or rows.flow_style or not rows.value:
        raise ConfigError(
            f"{source}: no block list of rows to add the Explore row to",
            hint="add the panel by hand, or name another file with -o FILE",
        )
    explore = next((row for row in rows.value if _title(row) == ROW_TITLE), None)
    if explore is None:
        row = {"title": ROW_TITLE, "panels": [panel]}
        return _inserted(text, rows.value[-1], _dumped(row, _dash_column(text, rows.value[-1])))
    panels = _value(explore, "panels")
    if not isinstance(panels, SequenceNode) or panels.flow_style or not panels.value:
        raise ConfigError(
            f"{source}: its row {ROW_TITLE!r} has no block list of panels to add to",
            hint="add the panel by hand, or name another file with -o FILE",
        )
    last = panels.value[-1]
    return _inserted(text, last, _dumped(panel, _dash_column(text, last)))


def _value(node: Node | None, key: str) -> Node | None:
    if not isinstance(node, MappingNode):
        return None
    for name, value in node.value:
        if isinstance(name, ScalarNode) and name.value == key and isinstance(value, Node):
            return value
    return None


def _title(row: Node) -> str | None:
    title = _value(row, "title")
    return str(title.value) if isinstance(title, ScalarNode) else None


def _dash_column(text: str, item: Node) -> int:
    """The column of the "-" that starts the sequence entry `item`."""
    mark = item.start_mark
    line = text.splitlines()[mark.line] if mark.line < len(text.splitlines()) else ""
    dash = line.rfind("-", 0, mark.column)
    return dash if dash >= 0 else max(mark.column - 2, 0)


def _end_line(node: Node) -> int:
    """The index of the line after the last line `node`'s own text is on (its
    trailing comments and blank lines not counted)."""
    children: list[Node] = []
    if isinstance(node, MappingNode):
        children = [part for pair in node.value for part in pair]
    elif isinstance(node, SequenceNode):
        children = list(node.value)
    if children:
        return max(_end_line(child) for child in children)
    mark = node.end_mark
    return mark.line if mark.column == 0 else mark.line + 1


def _inserted(text: str, after: Node, block: str) -> str:
    """`text` with `block` as new lines after those of the entry `after`."""
    lines = text.splitlines(keepends=True)
    at = _end_line(after)
    if at > 0 and at <= len(lines) and not lines[at - 1].endswith("\n"):
        lines[at - 1] += "\n"
    return "".join(lines[:at]) + block + "".join(lines[at:])
