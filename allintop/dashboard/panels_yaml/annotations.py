"""panels.yaml's `annotations:`: Grafana's Prometheus annotation queries, one mapping
each, with Grafana's fields in panels.yaml's spelling (titleFormat is title_format).

    annotations:
      - name: Restarts
        expr: changes(process_start_time_seconds[5m]) > 0
        step: 1m
        title_format: "{{job}} restarted"
        text_format: "{{instance}}"
        tag_keys: [job, instance]
        color: orange
"""

from __future__ import annotations

from collections.abc import Mapping

from yaml.nodes import Node

from allintop.dashboard.annotations import DEFAULT_COLOR, DEFAULT_STEP, Annotation
from allintop.dashboard.panels_yaml.nodes import (
    as_text,
    boolean,
    fail,
    key_path,
    mapping,
    nonempty_text,
    optional,
    positive_duration,
    sequence,
)
from allintop.dashboard.panels_yaml.rows import References
from allintop.promql.variable_values import Value, variables_used

ANNOTATION_KEYS = (
    "name",
    "expr",
    "datasource",
    "step",
    "title_format",
    "text_format",
    "tag_keys",
    "use_value_for_time",
    "enable",
    "hide",
    "color",
)
_EXAMPLE = "annotations: [{name: Restarts, expr: 'changes(process_start_time_seconds[5m]) > 0'}]"


def read_annotations(
    node: Node, path: str, placeholders: Mapping[str, Value], refs: References
) -> tuple[Annotation, ...]:
    """Each entry of the list, checked, with its line."""
    found = []
    names: set[str] = set()
    for number, item in enumerate(sequence(node, path, _EXAMPLE)):
        at = f"{path}[{number}]"
        annotation = _annotation(item, at, placeholders, refs)
        if annotation.name in names:
            fail(item, at, f'a second annotation named "{annotation.name}"', "name each once")
        names.add(annotation.name)
        found.append(annotation)
    return tuple(found)


def _annotation(
    node: Node, path: str, placeholders: Mapping[str, Value], refs: References
) -> Annotation:
    fields = mapping(node, path, ANNOTATION_KEYS, required=("name", "expr"))
    expr = nonempty_text(fields["expr"], key_path(path, "expr")).strip()
    for name in sorted(variables_used(expr) - set(placeholders)):
        fail(fields["expr"], key_path(path, "expr"), f'unknown variable "${name}"')
    step = optional(fields, "step", path, positive_duration)

    def flag(key: str, default: bool) -> bool:
        given = optional(fields, key, path, boolean)
        return default if given is None else given

    return Annotation(
        name=nonempty_text(fields["name"], key_path(path, "name")),
        expr=expr,
        datasource=optional(fields, "datasource", path, refs.check),
        step=DEFAULT_STEP if step is None else step,
        title_format=optional(fields, "title_format", path, as_text) or "",
        text_format=optional(fields, "text_format", path, as_text) or "",
        tag_keys=optional(fields, "tag_keys", path, _labels) or (),
        use_value_for_time=flag("use_value_for_time", False),
        enable=flag("enable", True),
        hide=flag("hide", False),
        color=optional(fields, "color", path, nonempty_text) or DEFAULT_COLOR,
        line=node.start_mark.line + 1,
    )


def _labels(node: Node, path: str) -> tuple[str, ...]:
    """Label names: a list, or one line of them separated by commas (Grafana's)."""
    if isinstance(node.value, str):
        names = as_text(node, path).split(",")
    else:
        items = sequence(node, path, "tag_keys: [job, instance]")
        names = [nonempty_text(item, f"{path}[{i}]") for i, item in enumerate(items)]
    return tuple(name.strip() for name in names if name.strip())
