"""Reading YAML as nodes, so that every check knows its line.

`walk` composes the text (never loads it to dicts) and turns the first `Invalid` a
reader raises into one ConfigError naming the file, the line, the key path and a
hint; the small readers here (`mapping`, `as_text`, `duration`, ...) are what the
schema readers of the other modules are built from."""

from __future__ import annotations

import difflib
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import NoReturn, TypeVar

import yaml
from yaml.constructor import ConstructorError, SafeConstructor
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from allintop.errors import ConfigError
from allintop.values.durations import parse_duration

T = TypeVar("T")

# libyaml's parser when PyYAML was built with it: a panels.yaml composes some 30 times
# faster (0.6 ms for the bundled one, against 18 ms in pure Python), at every start.
_LOADER: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def walk(text: str, source: str, read: Callable[[Node], T], empty_hint: str) -> T:
    """Compose `text` to nodes and `read` them; every problem is one ConfigError
    naming `source` and the line."""
    try:
        root = yaml.compose(text, Loader=_LOADER)
    except yaml.YAMLError:
        root = _compose_again(text, source)
    if root is None:
        raise ConfigError(f"{source}:1: the file is empty", hint=empty_hint)
    try:
        return read(root)
    except Invalid as problem:
        where = f"{problem.path}: " if problem.path else ""
        raise ConfigError(
            f"{source}:{problem.line}: {where}{problem.message}", problem.hint
        ) from None
    except ConstructorError as error:  # a bad merge key (<<:) is found while walking
        raise _yaml_error(error, source, text) from None


def _compose_again(text: str, source: str) -> Node | None:
    """A text libyaml refused, composed by PyYAML's own parser: the messages (and the
    hints that match them) are its, and so are the limits (libyaml stops at 1,000
    levels of nesting; Python's recursion limit stops PyYAML)."""
    try:
        return yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as error:
        raise _yaml_error(error, source, text) from None
    except RecursionError:  # pyyaml composes recursively: [[[[...]]]] thousands deep
        raise ConfigError(f"{source}: nested too deeply to be read") from None


def _yaml_error(error: yaml.YAMLError, source: str, text: str) -> ConfigError:
    """pyyaml's error as one line with its line number, and a hint for common slips."""
    if isinstance(error, yaml.MarkedYAMLError):
        mark = error.problem_mark or error.context_mark
        line = mark.line + 1 if mark else 1
        problem = error.problem or error.context or "invalid YAML"
        detail = f"{problem} ({error.context})" if error.context and error.problem else problem
    else:
        position = getattr(error, "position", 0)
        line = text.count("\n", 0, position) + 1
        detail = str(error).splitlines()[0]
    return ConfigError(f"{source}:{line}: invalid YAML: {detail}", _yaml_hint(detail))


def _yaml_hint(detail: str) -> str:
    if "chomping" in detail or "'>'" in detail or "'<'" in detail:
        return 'quote values that start with > or <, e.g. alert: ">500"'
    if "'\\t'" in detail:
        return "indent with spaces: YAML does not allow tabs"
    if "mapping values are not allowed" in detail:
        return 'quote a value that contains ": ", e.g. title: "Latency: P95"'
    if "another document" in detail:
        return "keep one document per file (remove the second ---)"
    return "check the indentation and the quoting on this line and the one before"


class Invalid(Exception):
    """A problem at a node; load_text turns it into a ConfigError with the file name."""

    def __init__(self, node: Node, path: str, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.line = node.start_mark.line + 1
        self.path = path
        self.message = message
        self.hint = hint


def fail(node: Node, path: str, message: str, hint: str | None = None) -> NoReturn:
    raise Invalid(node, path, message, hint)


_NULL_TAG = "tag:yaml.org,2002:null"
_KINDS = {
    "tag:yaml.org,2002:str": "text",
    "tag:yaml.org,2002:int": "a number",
    "tag:yaml.org,2002:float": "a number",
    "tag:yaml.org,2002:bool": "true/false",
    _NULL_TAG: "nothing",
}


def kind_of(node: Node) -> str:
    if isinstance(node, MappingNode):
        return "a mapping"
    if isinstance(node, SequenceNode):
        return "a list"
    return _KINDS.get(node.tag, "a value")


def is_null(node: Node | None) -> bool:
    return node is None or (isinstance(node, ScalarNode) and node.tag == _NULL_TAG)


def key_path(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def mapping(
    node: Node,
    path: str,
    allowed: Sequence[str],
    required: Sequence[str] = (),
    what: str = "key",
) -> dict[str, Node]:
    """A mapping's values by key, checked: only `allowed` keys (any key if empty), each
    once, and all of `required` present and not empty."""
    if not isinstance(node, MappingNode):
        fail(node, path, f"expected a mapping (key: value lines), got {kind_of(node)}")
    _reject_duplicates(node, path, what)
    SafeConstructor().flatten_mapping(node)  # resolve YAML merge keys (<<: *defaults)
    result: dict[str, Node] = {}
    for key_node, value_node in node.value:
        if not isinstance(key_node, ScalarNode) or is_null(key_node):
            fail(key_node, path, f"a {what} must be plain text, got {kind_of(key_node)}")
        key = str(key_node.value)
        if allowed and key not in allowed:
            fail(key_node, path, f'unknown {what} "{key}"', closest(key, allowed))
        result[key] = value_node  # merged keys come first, so the file's own win
    for key in required:
        if is_null(result.get(key)):
            fail(result.get(key, node), path, f'missing key "{key}"', EXAMPLES.get(key))
    return result


def _reject_duplicates(node: MappingNode, path: str, what: str) -> None:
    seen: set[str] = set()
    for key_node, _ in node.value:
        if isinstance(key_node, ScalarNode) and key_node.tag != "tag:yaml.org,2002:merge":
            if key_node.value in seen:
                fail(
                    key_node,
                    path,
                    f'duplicate {what} "{key_node.value}"',
                    "each may appear once here (YAML would silently keep only the last)",
                )
            seen.add(key_node.value)


def closest(key: str, allowed: Sequence[str]) -> str:
    close = difflib.get_close_matches(key, allowed, n=1, cutoff=0.6)
    if close:
        return f'did you mean "{close[0]}"?'
    return "valid keys here: " + ", ".join(allowed)


EXAMPLES = {
    "title": "add a title, e.g. title: Requests/sec",
    "expr": "add a PromQL expression, e.g. expr: sum(rate(allin_http_requests_total[1m]))",
    "rows": "add rows: with a title and panels (see the bundled default panels.yaml)",
    "panels": "add panels: a list of panels, each with a title and an expr",
    "queries": "queries: [{expr: up, legend: '{{job}}'}, {expr: ...}], one a series",
    "username": "basic auth needs username: as well as password_env or password_file",
}


def as_text(node: Node, path: str) -> str:
    """Any single value as the text written in the file (title: 2024 is "2024")."""
    if not isinstance(node, ScalarNode) or is_null(node):
        fail(node, path, f"expected text, got {kind_of(node)}")
    return str(node.value)


def nonempty_text(node: Node, path: str) -> str:
    text = as_text(node, path)
    if not text.strip():
        fail(node, path, "must not be empty")
    return text


def scalar(node: Node, path: str) -> object:
    if not isinstance(node, ScalarNode):
        fail(node, path, f"expected a single value, got {kind_of(node)}")
    try:
        return SafeConstructor().construct_object(node)
    except (ConstructorError, ValueError):
        fail(node, path, "cannot read this value", "quote it to make it text")


def boolean(node: Node, path: str) -> bool:
    value = scalar(node, path)
    if not isinstance(value, bool):
        fail(node, path, f"expected true or false, got {kind_of(node)}")
    return value


def duration(node: Node, path: str) -> float:
    value = scalar(node, path)
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        fail(node, path, f"expected a duration, got {kind_of(node)}")
    try:
        seconds = parse_duration(str(value))
    except ValueError as error:
        fail(node, path, str(error), "units: ms, s, m, h, d, w, y, without spaces (1h30m)")
    return seconds


def positive_duration(node: Node, path: str) -> float:
    """A duration of more than 0 (an interval: 0 would be none)."""
    seconds = duration(node, path)
    if seconds <= 0:
        fail(node, path, "must be more than 0", "e.g. 30s")
    return seconds


def positive_count(node: Node, path: str) -> int:
    """A whole number of 1 or more."""
    value = scalar(node, path)
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        fail(node, path, "expected a whole number of 1 or more", "e.g. 100")
    return value


def sequence(node: Node, path: str, example: str) -> list[Node]:
    if not isinstance(node, SequenceNode):
        fail(node, path, f"expected a list, got {kind_of(node)}", f"write a list: {example}")
    return list(node.value)


def optional(
    fields: Mapping[str, Node], key: str, path: str, read: Callable[[Node, str], T]
) -> T | None:
    """Read `key` with `read` when present and not null; None otherwise."""
    node = fields.get(key)
    return None if node is None or is_null(node) else read(node, key_path(path, key))


def file_at(node: Node, path: str, base_dir: Path) -> Path:
    file_path = Path(nonempty_text(node, path)).expanduser()
    return file_path if file_path.is_absolute() else base_dir / file_path
