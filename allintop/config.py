"""panels.yaml: find it, read it, and validate it into plain frozen dataclasses.

The YAML is composed to nodes (not loaded to dicts) so that every check knows the line
it is about: a broken file gives exactly one ConfigError naming the file, the line, the
key path and, where one exists, a hint. Secrets never live in the file: auth names an
environment variable or a file, read when the secret is used.

The user config (config.yaml, at the end of this module) names contexts: sets of
datasources in panels.yaml's schema, read by the same readers.
"""

from __future__ import annotations

import difflib
import os
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from importlib import resources
from pathlib import Path
from types import MappingProxyType
from typing import Literal, NoReturn, TypeVar
from urllib.parse import urlsplit

import yaml
from yaml.constructor import ConstructorError, SafeConstructor
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from allintop import promql
from allintop.credentials import read_secret_file
from allintop.errors import ConfigError
from allintop.thresholds import (
    Threshold,
    Thresholds,
    UnitMismatchError,
    make_thresholds,
    parse_threshold,
)
from allintop.units import format_duration, parse_duration

T = TypeVar("T")

DEFAULT_REFRESH = 5.0
DEFAULT_RANGE = 15 * 60.0
DEFAULT_TIMEOUT = 10.0
CONFIG_NAME = "panels.yaml"
CONFIG_ENV = "ALLINTOP_CONFIG"
GENERIC_NAME = "prometheus-overview"
# The dashboards inside the package, by the name -c also accepts for them.
BUNDLED = {"allin-overview": CONFIG_NAME, GENERIC_NAME: f"dashboards/{GENERIC_NAME}.yaml"}
# A panels.yaml is a few KB (1,000 panels fit in 300 KB). Past these, a file is a
# mistake (a log, a dump, an alias bomb: 11 KB of YAML aliases make a million panels)
# and is refused at once rather than parsed for minutes or drawn as a million cards.
MAX_CONFIG_BYTES = 1024 * 1024
MAX_PANELS = 1000

# ---------------------------------------------------------------------------
# The model


@dataclass(frozen=True)
class Auth:
    """Credentials for the datasource, by reference: the secret itself is read from
    `secret_env` or `secret_file` by `resolve()` when it is used, so it is never part
    of the config, its repr, or an error message."""

    kind: Literal["bearer", "basic"]
    username: str | None = None
    secret_env: str | None = None
    secret_file: Path | None = None

    def resolve(self, environ: Mapping[str, str] | None = None) -> str:
        """The secret (token or password) now; ConfigError if it is missing or empty."""
        what = "token" if self.kind == "bearer" else "password"
        if self.secret_env is not None:
            secret = (os.environ if environ is None else environ).get(self.secret_env, "")
            if not secret:
                raise ConfigError(
                    f"the {what} variable ${self.secret_env} is not set",
                    hint=f"export {self.secret_env}=... before starting allintop",
                )
            return secret
        if self.secret_file is not None:
            return read_secret_file(self.secret_file, what)
        raise ConfigError(f"no {what} configured for {self.kind} auth")

    def credentials(self, environ: Mapping[str, str] | None = None) -> tuple[str, str] | str:
        """What the client sends: ``(username, password)`` for basic auth, the token
        for bearer auth (the two must not be confused: a password sent as a bearer
        token is refused with the right password)."""
        secret = self.resolve(environ)
        if self.kind == "basic":
            return (self.username or "", secret)
        return secret


def _no_headers() -> Mapping[str, str]:
    return MappingProxyType({})


DEFAULT_DATASOURCE = "default"


@dataclass(frozen=True)
class Datasource:
    """Where and how to reach Prometheus (or an engine that speaks its API). `url`
    None: the CLI decides ($PROMETHEUS_URL, then http://localhost:9090)."""

    url: str | None = None
    timeout: float = DEFAULT_TIMEOUT
    headers: Mapping[str, str] = field(default_factory=_no_headers)
    auth: Auth | None = None
    ca_file: Path | None = None
    cert_file: Path | None = None
    key_file: Path | None = None
    insecure: bool = False
    alertmanager: str | None = None
    name: str = DEFAULT_DATASOURCE
    # Thanos' query parameters: None sends nothing (the server's own default).
    partial_response: bool | None = None
    dedup: bool | None = None

    @property
    def query_params(self) -> dict[str, str]:
        """Parameters sent with every query (Thanos' partial_response and dedup)."""
        params = {"partial_response": self.partial_response, "dedup": self.dedup}
        return {key: str(value).lower() for key, value in params.items() if value is not None}


@dataclass(frozen=True)
class Panel:
    """One number on the dashboard: a PromQL expression and how to show it."""

    title: str
    expr: str
    unit: str = ""
    decimals: int | None = None
    thresholds: Thresholds | None = None
    alerts: tuple[str, ...] = ()
    legend: str | None = None  # Grafana-style series name template: "{{route}} {{status_code}}"
    line: int = 0  # where the panel starts in its file, for messages
    datasource: str | None = None
    """A datasource's name, or "$var" of a datasource variable; None: the default
    (the row's datasource is copied here when the panel names none)."""


@dataclass(frozen=True)
class Row:
    title: str
    panels: tuple[Panel, ...]
    datasource: str | None = None


@dataclass(frozen=True)
class Variable:
    """A template variable ($job): options from `query` (label_values) or `values`.

    A datasource variable (`kind` "datasource") chooses among the dashboard's
    datasources: its values are their names, and panels that say `datasource: $name`
    query the one chosen.
    """

    name: str
    query: str | None = None
    values: tuple[str, ...] = ()
    default: str = "all"
    kind: Literal["query", "datasource"] = "query"


def _no_datasources() -> Mapping[str, Datasource]:
    return MappingProxyType({})


@dataclass(frozen=True)
class DatasourceSet:
    """A dashboard's datasources as a user config's context gives them: they take
    the place of the dashboard's own `datasource:` / `datasources:`."""

    default: Datasource
    named: Mapping[str, Datasource] = field(default_factory=_no_datasources)


@dataclass(frozen=True)
class Dashboard:
    source: str
    datasource: Datasource
    """The default datasource: panels that name none query it."""
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
    datasources: Mapping[str, Datasource] = field(default_factory=_no_datasources)
    """Every named datasource, the default among them (empty: the default only)."""
    context: str | None = None
    """The user config's context whose datasources these are (None: the file's own)."""

    @property
    def datasource_set(self) -> DatasourceSet:
        """Its datasources, as a context would give them (to read the file again with)."""
        return DatasourceSet(self.datasource, self.datasources)

    @property
    def panels(self) -> tuple[Panel, ...]:
        """All panels, row by row, in file order."""
        return tuple(panel for row in self.rows for panel in row.panels)

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

    def panel_datasources(self, values: Mapping[str, str]) -> list[str]:
        """The name of the datasource each panel queries, in panel order, with
        datasource variables resolved by `values` (a name that is not one of the
        dashboard's falls back to the default)."""
        names = []
        for panel in self.panels:
            name = panel.datasource or self.datasource.name
            if name.startswith("$"):
                name = values.get(name[1:], self.datasource.name)
            names.append(name if name in self.sources else self.datasource.name)
        return names

    def variable_values(self, overrides: Mapping[str, str] | None = None) -> dict[str, str]:
        """Each variable's value: the override (--var, the / screen), else its default."""
        return {v.name: v.default for v in self.variables} | dict(overrides or {})

    def exprs(self, values: Mapping[str, str]) -> list[str]:
        """Every panel's expression, in panel order, with the variables filled in."""
        return [promql.interpolate(panel.expr, values) for panel in self.panels]


# ---------------------------------------------------------------------------
# Finding and loading the file


def bundled_default_path() -> Path:
    """The AllIN overview that ships inside the package."""
    return bundled_path("allin-overview")


def bundled_path(name: str) -> Path:
    """A dashboard that ships inside the package, by its name in BUNDLED."""
    return Path(str(resources.files("allintop").joinpath(BUNDLED[name])))


def discover(
    explicit: str | None, environ: Mapping[str, str], cwd: Path, home: Path
) -> Path | None:
    """The config file to use: -c, $ALLINTOP_CONFIG, ./panels.yaml, then
    $XDG_CONFIG_HOME (or ~/.config)/allintop/panels.yaml. None: use the bundled default.

    A file named explicitly (-c or the variable) must exist: ConfigError otherwise,
    unless no such file exists and the name is a bundled dashboard's ("allin-overview",
    "prometheus-overview").
    """
    if explicit:
        return _must_exist(explicit, cwd, "")
    if environ.get(CONFIG_ENV):
        return _must_exist(environ[CONFIG_ENV], cwd, f"${CONFIG_ENV}: ")
    local = cwd / CONFIG_NAME
    if local.is_file():
        return local
    config_home = Path(environ["XDG_CONFIG_HOME"]) if environ.get("XDG_CONFIG_HOME") else None
    user = (config_home or home / ".config") / "allintop" / CONFIG_NAME
    return user if user.is_file() else None


def _must_exist(name: str, cwd: Path, origin: str) -> Path:
    path = Path(name).expanduser()
    path = path if path.is_absolute() else cwd / path
    if not path.exists() and name in BUNDLED:
        return bundled_path(name)
    if not path.exists():
        raise ConfigError(
            f"{origin}config file not found: {name}",
            hint="check the path, or leave it out to use ./panels.yaml or the bundled default "
            f"(bundled dashboards by name: {', '.join(BUNDLED)})",
        )
    if not path.is_file():
        raise ConfigError(f"{origin}config file {name} is not a file")
    return path


def load(
    explicit: str | None = None,
    environ: Mapping[str, str] = os.environ,
    cwd: Path | None = None,
    home: Path | None = None,
    datasources: DatasourceSet | None = None,
) -> Dashboard:
    """Discover the config file and load it (the bundled default when none is found);
    `datasources` (a context's) take the place of the file's own."""
    cwd = Path.cwd() if cwd is None else cwd
    home = Path(os.path.expanduser("~")) if home is None else home
    path = discover(explicit, environ, cwd, home)
    return load_dashboard(bundled_default_path() if path is None else path, datasources)


def load_dashboard(path: Path, datasources: DatasourceSet | None = None) -> Dashboard:
    """Read and validate one panels.yaml; every problem is a ConfigError."""
    text = _read(path)
    return replace(
        load_text(text, str(path), base_dir=path.parent, datasources=datasources),
        source_path=path,
    )


def _read(path: Path) -> str:
    try:
        with path.open("rb") as file:
            data = file.read(MAX_CONFIG_BYTES + 1)
    except OSError as error:
        raise ConfigError(f"cannot read {path}: {error.strerror or error}") from None
    # Before decoding: the cut at the limit may split a character of a big file.
    if len(data) > MAX_CONFIG_BYTES:
        raise _too_big(str(path))
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise ConfigError(f"{path} is not UTF-8 text", hint="save it as UTF-8") from None


def _too_big(source: str) -> ConfigError:
    return ConfigError(
        f"{source}: more than {MAX_CONFIG_BYTES // 1024 // 1024} MB, too big for a panels.yaml",
        hint="is this the right file? a dashboard is a few KB",
    )


def load_text(
    text: str,
    source: str,
    base_dir: Path | None = None,
    datasources: DatasourceSet | None = None,
) -> Dashboard:
    """Validate panels.yaml text; `source` names it in messages and relative paths
    (ca_file, token_file) are taken from `base_dir` (default: the working directory).
    `datasources` (a context's) take the place of the file's own, and every
    `datasource:` in it is checked against them."""
    if len(text) > MAX_CONFIG_BYTES:
        raise _too_big(source)
    return _walk(
        text,
        source,
        lambda root: _dashboard(root, source, base_dir or Path.cwd(), datasources),
        "a panels.yaml needs at least rows: with panels (see the bundled default)",
    )


def _walk(text: str, source: str, read: Callable[[Node], T], empty_hint: str) -> T:
    """Compose `text` to nodes and `read` them; every problem is one ConfigError
    naming `source` and the line."""
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as error:
        raise _yaml_error(error, source, text) from None
    except RecursionError:  # pyyaml composes recursively: [[[[...]]]] thousands deep
        raise ConfigError(f"{source}: nested too deeply to be read") from None
    if root is None:
        raise ConfigError(f"{source}:1: the file is empty", hint=empty_hint)
    try:
        return read(root)
    except _Invalid as problem:
        where = f"{problem.path}: " if problem.path else ""
        raise ConfigError(
            f"{source}:{problem.line}: {where}{problem.message}", problem.hint
        ) from None
    except ConstructorError as error:  # a bad merge key (<<:) is found while walking
        raise _yaml_error(error, source, text) from None


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


# ---------------------------------------------------------------------------
# Walking the nodes


class _Invalid(Exception):
    """A problem at a node; load_text turns it into a ConfigError with the file name."""

    def __init__(self, node: Node, path: str, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.line = node.start_mark.line + 1
        self.path = path
        self.message = message
        self.hint = hint


def _fail(node: Node, path: str, message: str, hint: str | None = None) -> NoReturn:
    raise _Invalid(node, path, message, hint)


_NULL_TAG = "tag:yaml.org,2002:null"
_KINDS = {
    "tag:yaml.org,2002:str": "text",
    "tag:yaml.org,2002:int": "a number",
    "tag:yaml.org,2002:float": "a number",
    "tag:yaml.org,2002:bool": "true/false",
    _NULL_TAG: "nothing",
}


def _kind(node: Node) -> str:
    if isinstance(node, MappingNode):
        return "a mapping"
    if isinstance(node, SequenceNode):
        return "a list"
    return _KINDS.get(node.tag, "a value")


def _is_null(node: Node | None) -> bool:
    return node is None or (isinstance(node, ScalarNode) and node.tag == _NULL_TAG)


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def _fields(
    node: Node,
    path: str,
    allowed: Sequence[str],
    required: Sequence[str] = (),
    what: str = "key",
) -> dict[str, Node]:
    """A mapping's values by key, checked: only `allowed` keys (any key if empty), each
    once, and all of `required` present and not empty."""
    if not isinstance(node, MappingNode):
        _fail(node, path, f"expected a mapping (key: value lines), got {_kind(node)}")
    _reject_duplicates(node, path, what)
    SafeConstructor().flatten_mapping(node)  # resolve YAML merge keys (<<: *defaults)
    result: dict[str, Node] = {}
    for key_node, value_node in node.value:
        if not isinstance(key_node, ScalarNode) or _is_null(key_node):
            _fail(key_node, path, f"a {what} must be plain text, got {_kind(key_node)}")
        key = str(key_node.value)
        if allowed and key not in allowed:
            _fail(key_node, path, f'unknown {what} "{key}"', _closest(key, allowed))
        result[key] = value_node  # merged keys come first, so the file's own win
    for key in required:
        if _is_null(result.get(key)):
            _fail(result.get(key, node), path, f'missing key "{key}"', _EXAMPLES.get(key))
    return result


def _reject_duplicates(node: MappingNode, path: str, what: str) -> None:
    seen: set[str] = set()
    for key_node, _ in node.value:
        if isinstance(key_node, ScalarNode) and key_node.tag != "tag:yaml.org,2002:merge":
            if key_node.value in seen:
                _fail(
                    key_node,
                    path,
                    f'duplicate {what} "{key_node.value}"',
                    "each may appear once here (YAML would silently keep only the last)",
                )
            seen.add(key_node.value)


def _closest(key: str, allowed: Sequence[str]) -> str:
    close = difflib.get_close_matches(key, allowed, n=1, cutoff=0.6)
    if close:
        return f'did you mean "{close[0]}"?'
    return "valid keys here: " + ", ".join(allowed)


_EXAMPLES = {
    "title": "add a title, e.g. title: Requests/sec",
    "expr": "add a PromQL expression, e.g. expr: sum(rate(allin_http_requests_total[1m]))",
    "rows": "add rows: with a title and panels (see the bundled default panels.yaml)",
    "panels": "add panels: a list of panels, each with a title and an expr",
    "username": "basic auth needs username: as well as password_env or password_file",
}


def _text(node: Node, path: str) -> str:
    """Any single value as the text written in the file (title: 2024 is "2024")."""
    if not isinstance(node, ScalarNode) or _is_null(node):
        _fail(node, path, f"expected text, got {_kind(node)}")
    return str(node.value)


def _nonempty_text(node: Node, path: str) -> str:
    text = _text(node, path)
    if not text.strip():
        _fail(node, path, "must not be empty")
    return text


def _value(node: Node, path: str) -> object:
    if not isinstance(node, ScalarNode):
        _fail(node, path, f"expected a single value, got {_kind(node)}")
    try:
        return SafeConstructor().construct_object(node)
    except (ConstructorError, ValueError):
        _fail(node, path, "cannot read this value", "quote it to make it text")


def _bool(node: Node, path: str) -> bool:
    value = _value(node, path)
    if not isinstance(value, bool):
        _fail(node, path, f"expected true or false, got {_kind(node)}")
    return value


def _duration(node: Node, path: str) -> float:
    value = _value(node, path)
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        _fail(node, path, f"expected a duration, got {_kind(node)}")
    try:
        seconds = parse_duration(str(value))
    except ValueError as error:
        _fail(node, path, str(error), "units: ms, s, m, h, d, w, y, without spaces (1h30m)")
    return seconds


def _list(node: Node, path: str, example: str) -> list[Node]:
    if not isinstance(node, SequenceNode):
        _fail(node, path, f"expected a list, got {_kind(node)}", f"write a list: {example}")
    return list(node.value)


def _optional(
    fields: Mapping[str, Node], key: str, path: str, read: Callable[[Node, str], T]
) -> T | None:
    """Read `key` with `read` when present and not null; None otherwise."""
    node = fields.get(key)
    return None if node is None or _is_null(node) else read(node, _join(path, key))


# ---------------------------------------------------------------------------
# The file's sections

_TOP_KEYS = ("title", "datasource", "datasources", "refresh", "range", "variables", "rows")
_DATASOURCE_KEYS = (
    "url",
    "timeout",
    "headers",
    "auth",
    "ca_file",
    "cert_file",
    "key_file",
    "insecure",
    "alertmanager",
    "partial_response",
    "dedup",
)
_NAMED_DATASOURCE_KEYS = (*_DATASOURCE_KEYS, "default")
_AUTH_KEYS = ("kind", "username", "token_env", "token_file", "password_env", "password_file")
_VARIABLE_KEYS = ("type", "query", "values", "default")
_ROW_KEYS = ("title", "panels", "datasource", "repeat")
_PANEL_KEYS = ("title", "expr", "unit", "decimals", "thresholds", "alerts", "legend", "datasource")
_THRESHOLD_KEYS = ("target", "alert")
# Keys people use for an inline secret; refused with a pointer to the _env/_file keys.
_INLINE_SECRETS = ("password", "token", "secret", "credentials", "bearer_token", "api_key")
_SECRET_HINT = (
    "use token_env / token_file (or username: with password_env / password_file) to name "
    "the environment variable or file that holds the secret, e.g. token_env: PROM_TOKEN"
)


def _dashboard(
    root: Node, source: str, base_dir: Path, given: DatasourceSet | None = None
) -> Dashboard:
    if not isinstance(root, MappingNode):
        _fail(
            root,
            "",
            f"the top level must be a mapping (rows:, refresh:, ...), got {_kind(root)}",
            "see the bundled default panels.yaml for the shape",
        )
    fields = _fields(root, "", _TOP_KEYS, required=("rows",))
    refresh = _optional(fields, "refresh", "", _duration)
    refresh = DEFAULT_REFRESH if refresh is None else refresh
    if refresh <= 0:
        _fail(fields["refresh"], "refresh", "must be more than 0", "e.g. refresh: 5s")
    range_ = _read_range(fields, refresh)
    if given is None:
        default, named = _read_datasources(fields, base_dir)
    else:  # a context's: the file's own are not used (nor checked)
        default, named = given.default, dict(given.named)
    names = tuple(named) or (default.name,)
    variables = _optional(fields, "variables", "", lambda n, p: _variables(n, p, names)) or ()
    variables = tuple(_with_default(v, default.name) for v in variables)
    refs = _References(names, {v.name: v for v in variables if v.kind == "datasource"})
    return Dashboard(
        source=source,
        datasource=default,
        refresh=refresh,
        range=range_,
        variables=variables,
        rows=_rows(fields["rows"], "rows", _placeholders(variables), refs),
        title=_optional(fields, "title", "", _nonempty_text),
        datasources=MappingProxyType(named),
    )


def _with_default(variable: Variable, default: str) -> Variable:
    """A datasource variable without a default: the default datasource, if it offers it."""
    if variable.kind != "datasource" or variable.default:
        return variable
    return replace(variable, default=default if default in variable.values else variable.values[0])


def _read_datasources(
    fields: Mapping[str, Node], base_dir: Path, prefix: str = ""
) -> tuple[Datasource, dict[str, Datasource]]:
    """The default datasource and every named one (none: only `datasource:`, or none).
    `prefix` is where `fields` sit in the file (a context of the user config)."""
    if "datasources" in fields and "datasource" in fields:
        _fail(
            fields["datasource"],
            _join(prefix, "datasource"),
            "give either datasource: (one) or datasources: (several, by name), not both",
            "move it under datasources: with a name, and mark it default: true",
        )
    one = _optional(fields, "datasource", prefix, _datasource_reader(base_dir))
    if "datasources" not in fields:
        return one or Datasource(), {}
    node = fields["datasources"]
    section = _join(prefix, "datasources")
    entries = _fields(node, section, (), what="datasource")
    if not entries:
        _fail(node, section, "no datasources", "e.g. datasources: {prod: {url: ...}}")
    named: dict[str, Datasource] = {}
    defaults: list[str] = []
    for name, entry in entries.items():
        path = _join(section, name)
        if not _NAME.fullmatch(name):
            _fail(entry, path, f'"{name}" cannot be a datasource name', _NAME_HINT)
        source, is_default = _named_datasource(entry, path, base_dir)
        named[name] = replace(source, name=name)
        if is_default:
            defaults.append(name)
    if len(defaults) > 1:
        _fail(node, section, f"several defaults: {', '.join(defaults)}", "mark one")
    return named[defaults[0] if defaults else next(iter(named))], named


_NAME = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]*")
_NAME_HINT = "use letters, digits, _, - and ."


def _named_datasource(node: Node, path: str, base_dir: Path) -> tuple[Datasource, bool]:
    """One entry of datasources: (the datasource, whether it says default: true)."""
    if isinstance(node, ScalarNode):
        return Datasource(url=_url(node, path)), False
    fields = _fields(node, path, _NAMED_DATASOURCE_KEYS)
    is_default = bool(_optional(fields, "default", path, _bool))
    return _datasource_reader(base_dir, _NAMED_DATASOURCE_KEYS)(node, path), is_default


@dataclass(frozen=True)
class _References:
    """What a row's or panel's `datasource:` may name."""

    names: tuple[str, ...]
    variables: Mapping[str, Variable]

    def check(self, node: Node, path: str) -> str:
        name = _nonempty_text(node, path).strip()
        if name.startswith("$"):
            bare = name[1:].strip("{}")
            if bare not in self.variables:
                known = ", ".join(f"${v}" for v in self.variables) or "none"
                _fail(node, path, f'"{name}" is not a datasource variable', f"those: {known}")
            return f"${bare}"
        if name not in self.names:
            close = difflib.get_close_matches(name, self.names, n=1, cutoff=0.6)
            hint = f'did you mean "{close[0]}"?' if close else f"those: {', '.join(self.names)}"
            _fail(node, path, f'unknown datasource "{name}"', hint)
        return name


def _read_range(fields: Mapping[str, Node], refresh: float) -> float:
    range_ = _optional(fields, "range", "", _duration)
    default = ""
    if range_ is None:
        range_, default = DEFAULT_RANGE, ", the default"
        node, key = fields.get("refresh"), "refresh"
    else:
        node, key = fields["range"], "range"
    if range_ < refresh and node is not None:
        _fail(
            node,
            key,
            f"the range ({format_duration(range_)}{default}) is shorter than the refresh "
            f"interval ({format_duration(refresh)})",
            "the range must hold at least one refresh: raise range or lower refresh",
        )
    return range_


def _datasource_reader(
    base_dir: Path, allowed: Sequence[str] = _DATASOURCE_KEYS
) -> Callable[[Node, str], Datasource]:
    def read(node: Node, path: str) -> Datasource:
        if isinstance(node, ScalarNode):  # shorthand: datasource: http://host:9090
            return Datasource(url=_url(node, path))
        _reject_inline_secrets(node, path)
        fields = _fields(node, path, allowed)
        timeout = _optional(fields, "timeout", path, _duration)
        if timeout is not None and timeout <= 0:
            _fail(fields["timeout"], _join(path, "timeout"), "must be more than 0", "e.g. 10s")
        return Datasource(
            url=_optional(fields, "url", path, _url),
            timeout=DEFAULT_TIMEOUT if timeout is None else timeout,
            headers=_optional(fields, "headers", path, _headers) or _no_headers(),
            auth=_optional(fields, "auth", path, lambda n, p: _auth(n, p, base_dir)),
            ca_file=_optional(fields, "ca_file", path, lambda n, p: _tls_file(n, p, base_dir)),
            cert_file=_optional(fields, "cert_file", path, lambda n, p: _tls_file(n, p, base_dir)),
            key_file=_optional(fields, "key_file", path, lambda n, p: _tls_file(n, p, base_dir)),
            insecure=bool(_optional(fields, "insecure", path, _bool)),
            alertmanager=_optional(fields, "alertmanager", path, _url),
            partial_response=_optional(fields, "partial_response", path, _bool),
            dedup=_optional(fields, "dedup", path, _bool),
        )

    return read


def _url(node: Node, path: str) -> str:
    # The URL itself is never repeated in a message: it might carry a password.
    text = _nonempty_text(node, path).strip()
    try:
        parts = urlsplit(text)
        has_credentials = parts.username is not None or parts.password is not None
    except ValueError:
        _fail(node, path, "not a valid URL", "e.g. http://localhost:9090")
    if parts.scheme not in ("http", "https") or not parts.netloc:
        _fail(node, path, "expected an http:// or https:// URL", "e.g. http://localhost:9090")
    if has_credentials:
        _fail(node, path, "the URL carries credentials (user:password@)", _SECRET_HINT)
    return text


def _headers(node: Node, path: str) -> Mapping[str, str]:
    fields = _fields(node, path, (), what="header")
    headers: dict[str, str] = {}
    for name, value in fields.items():
        if name.lower() in ("authorization", "proxy-authorization"):
            _fail(value, _join(path, name), "a secret header inline in the file", _SECRET_HINT)
        headers[name] = _text(value, _join(path, name))
    return MappingProxyType(headers)


def _reject_inline_secrets(node: Node, path: str) -> None:
    if not isinstance(node, MappingNode):
        return  # the type error is reported by _fields
    for key_node, _ in node.value:
        if isinstance(key_node, ScalarNode) and key_node.value in _INLINE_SECRETS:
            _fail(key_node, path, f'inline secret "{key_node.value}" is not allowed', _SECRET_HINT)


def _file_path(node: Node, path: str, base_dir: Path) -> Path:
    file_path = Path(_nonempty_text(node, path)).expanduser()
    return file_path if file_path.is_absolute() else base_dir / file_path


def _tls_file(node: Node, path: str, base_dir: Path) -> Path:
    tls_file = _file_path(node, path, base_dir)
    if not tls_file.is_file():
        _fail(node, path, f"no such file: {tls_file}", "point it at a PEM file")
    return tls_file


_ENV_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def _auth(node: Node, path: str, base_dir: Path) -> Auth:
    _reject_inline_secrets(node, path)
    fields = _fields(node, path, _AUTH_KEYS)
    kind = _optional(fields, "kind", path, _text)
    if kind not in (None, "bearer", "basic"):
        _fail(fields["kind"], _join(path, "kind"), f'unknown auth kind "{kind}"', "bearer or basic")
    if kind is None:  # inferred: a username or password means basic auth
        basic_keys = ("username", "password_env", "password_file")
        kind = "basic" if any(key in fields for key in basic_keys) else "bearer"
    prefix, other = ("token", "password") if kind == "bearer" else ("password", "token")
    for key in (f"{other}_env", f"{other}_file"):
        if key in fields:
            _fail(fields[key], path, f'"{key}" does not belong to {kind} auth', _SECRET_HINT)
    username = _optional(fields, "username", path, _nonempty_text)
    if kind == "bearer" and username is not None:
        _fail(fields["username"], path, "bearer auth takes no username", "use kind: basic")
    if kind == "basic" and username is None:
        _fail(node, path, 'missing key "username"', _EXAMPLES["username"])
    secret_env = _optional(fields, f"{prefix}_env", path, _env_name)
    secret_file = _optional(fields, f"{prefix}_file", path, lambda n, p: _file_path(n, p, base_dir))
    if (secret_env is None) == (secret_file is None):
        _fail(node, path, f"give exactly one of {prefix}_env and {prefix}_file", _SECRET_HINT)
    return Auth(kind=kind, username=username, secret_env=secret_env, secret_file=secret_file)


def _env_name(node: Node, path: str) -> str:
    name = _nonempty_text(node, path)
    if not _ENV_NAME.fullmatch(name):
        # Not echoed: a secret pasted here by mistake must not end up in a message.
        _fail(node, path, "must name an environment variable (letters, digits, _)", _SECRET_HINT)
    return name


_VARIABLE_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_ALL = ("all", "All", "$__all")


def _variables(node: Node, path: str, datasources: Sequence[str]) -> tuple[Variable, ...]:
    fields = _fields(node, path, (), what="variable")
    return tuple(
        _variable(name, value, _join(path, name), datasources) for name, value in fields.items()
    )


def _variable(name: str, node: Node, path: str, datasources: Sequence[str]) -> Variable:
    if not _VARIABLE_NAME.fullmatch(name) or name.startswith("__"):
        _fail(node, path, f'"{name}" cannot be a variable name', "use letters, digits and _")
    if _is_null(node):
        return Variable(name=name)
    fields = _fields(node, path, _VARIABLE_KEYS)
    kind = _optional(fields, "type", path, _text) or "query"
    if kind == "datasource":
        return _datasource_variable(name, node, fields, path, datasources)
    if kind != "query":
        _fail(fields["type"], _join(path, "type"), f'unknown variable type "{kind}"', _TYPES)
    query = _optional(fields, "query", path, _variable_query)
    values = _optional(fields, "values", path, _text_list) or ()
    default = _optional(fields, "default", path, _text)
    if values and default is not None and default not in values and default not in _ALL:
        _fail(fields["default"], _join(path, "default"), f'"{default}" is not one of values')
    if default is None:
        default = values[0] if values and not query else "all"
    return Variable(name=name, query=query, values=values, default=default)


_TYPES = "query (label values, the default) or datasource (one of datasources:)"


def _datasource_variable(
    name: str, node: Node, fields: Mapping[str, Node], path: str, datasources: Sequence[str]
) -> Variable:
    """A variable whose values are datasource names: all of them, or those listed."""
    if "query" in fields:
        _fail(fields["query"], _join(path, "query"), "a datasource variable takes no query")
    values = _optional(fields, "values", path, _text_list) or tuple(datasources)
    for index, value in enumerate(values):
        if value not in datasources:
            where = _join(path, f"values[{index}]")
            hint = _closest(value, datasources)
            _fail(fields["values"], where, f'unknown datasource "{value}"', hint)
    default = _optional(fields, "default", path, _text)
    if default is not None and default not in values:
        _fail(fields["default"], _join(path, "default"), f'"{default}" is not one of {values}')
    # "" until the dashboard's default datasource is known (see _dashboard).
    return Variable(name=name, values=values, default=default or "", kind="datasource")


def _variable_query(node: Node, path: str) -> str:
    query = _nonempty_text(node, path)
    try:
        promql.parse_label_values(query)
    except ValueError as error:
        _fail(node, path, str(error), "e.g. label_values(allin_http_requests_total, job)")
    return query


def _text_list(node: Node, path: str) -> tuple[str, ...]:
    items = _list(node, path, "[a, b]")
    return tuple(_nonempty_text(item, f"{path}[{index}]") for index, item in enumerate(items))


def _placeholders(variables: Sequence[Variable]) -> dict[str, str]:
    """Values to check exprs with: each variable's default (all -> .*) and Grafana's
    built-ins, so that an expr is validated the way it will be queried."""
    values = promql.builtin_values(DEFAULT_RANGE, DEFAULT_REFRESH)
    values.update({variable.name: variable.default for variable in variables})
    return values


def _rows(
    node: Node, path: str, placeholders: Mapping[str, str], refs: _References
) -> tuple[Row, ...]:
    items = _list(node, path, "rows: [{title: ..., panels: [...]}]")
    if not items:
        _fail(node, path, "no rows", _EXAMPLES["rows"])
    _check_panel_count(node, path, items)
    rows: list[Row] = []
    for index, item in enumerate(items):
        rows += _row(item, f"{path}[{index}]", placeholders, refs)
    return tuple(rows)


def _check_panel_count(node: Node, path: str, rows: Sequence[Node]) -> None:
    """Counted on the nodes before any panel is read: YAML aliases can repeat a list
    of panels in every row, so the count can be vast while the file is small."""
    count = 0
    for row in rows:
        if isinstance(row, MappingNode):
            for key, value in row.value:
                if key.value == "panels" and isinstance(value, SequenceNode):
                    count += len(value.value)
    if count > MAX_PANELS:
        _fail(
            node,
            path,
            f"{count} panels: more than {MAX_PANELS} cannot be shown",
            "split the dashboard into several files (allintop -c FILE)",
        )


def _row(node: Node, path: str, placeholders: Mapping[str, str], refs: _References) -> list[Row]:
    """The row, or with `repeat: $var` one copy per datasource the variable offers."""
    fields = _fields(node, path, _ROW_KEYS, required=("title",))
    title = _nonempty_text(fields["title"], _join(path, "title"))
    datasource = _optional(fields, "datasource", path, refs.check)
    panels_node = fields.get("panels")
    if _is_null(panels_node):
        _fail(panels_node or node, path, f'row "{title}" has no panels', _EXAMPLES["panels"])
    items = _list(panels_node, _join(path, "panels"), "panels: [{title: ..., expr: ...}]")
    if not items:
        _fail(
            panels_node, _join(path, "panels"), f'row "{title}" has no panels', _EXAMPLES["panels"]
        )
    panels = tuple(
        _panel(item, f"{path}.panels[{index}]", placeholders, refs, datasource)
        for index, item in enumerate(items)
    )
    repeat = _optional(fields, "repeat", path, refs.check)
    if repeat is None:
        return [Row(title=title, panels=panels, datasource=datasource)]
    if not repeat.startswith("$"):
        _fail(fields["repeat"], _join(path, "repeat"), "repeat takes a datasource variable")
    return _repeated(Row(title=title, panels=panels), refs.variables[repeat[1:]])


def _repeated(row: Row, variable: Variable) -> list[Row]:
    """A row once per datasource `variable` offers, side by side: panels that follow
    the variable (or name no datasource) query that one; the title says which."""
    rows = []
    own = f"${variable.name}"
    for name in variable.values:
        panels = tuple(
            replace(panel, datasource=name) if panel.datasource in (None, own) else panel
            for panel in row.panels
        )
        title = promql.interpolate_text(row.title, {variable.name: name})
        rows.append(Row(title=title, panels=panels, datasource=name))
    return rows


def _panel(
    node: Node,
    path: str,
    placeholders: Mapping[str, str],
    refs: _References,
    row_datasource: str | None = None,
) -> Panel:
    fields = _fields(node, path, _PANEL_KEYS, required=("title", "expr"))
    unit = _optional(fields, "unit", path, _text) or ""
    return Panel(
        title=_nonempty_text(fields["title"], _join(path, "title")),
        expr=_expr(fields["expr"], _join(path, "expr"), placeholders),
        unit=unit,
        decimals=_optional(fields, "decimals", path, _decimals),
        thresholds=_optional(fields, "thresholds", path, lambda n, p: _thresholds(n, p, unit)),
        alerts=_optional(fields, "alerts", path, _alert_names) or (),
        legend=_optional(fields, "legend", path, _text),
        line=node.start_mark.line + 1,
        datasource=_optional(fields, "datasource", path, refs.check) or row_datasource,
    )


def _expr(node: Node, path: str, placeholders: Mapping[str, str]) -> str:
    expr = _text(node, path).strip()
    if not expr:
        _fail(node, path, "the expression is empty", _EXAMPLES["expr"])
    declared = set(placeholders)
    for name in sorted(promql.variables_used(expr) - declared):
        _fail(node, path, f'unknown variable "${name}"', _closest_variable(name, declared))
    # An expression our parser rejects is not a load error: one broken panel must not
    # keep the dashboard from starting. It goes to Prometheus as written, and the panel
    # shows Prometheus' own message, with the position (`allintop check` lists it).
    return expr


def _closest_variable(name: str, declared: set[str]) -> str:
    close = difflib.get_close_matches(name, sorted(declared), n=1, cutoff=0.6)
    if close:
        return f'did you mean "${close[0]}"?'
    return "declare it under variables:, e.g. variables: {job: {default: all}}"


def _decimals(node: Node, path: str) -> int:
    value = _value(node, path)
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 10:
        _fail(node, path, "expected a whole number from 0 to 10", "e.g. decimals: 1")
    return value


_THRESHOLD_HINT = (
    'thresholds look like "<200", ">=99" or "<1GB"; quote them, since YAML reads a '
    "leading > as a folded block"
)


_UNIT_HINT = (
    'suffixes convert within a kind (ms, s / bytes, MB, GB / B/s, MB/s, Mbit/s; "%" only on '
    "% panels)"
)


def _thresholds(node: Node, path: str, unit: str) -> Thresholds | None:
    fields = _fields(node, path, _THRESHOLD_KEYS)
    parsed: dict[str, Threshold] = {}
    for key in _THRESHOLD_KEYS:
        text = _optional(fields, key, path, _text)
        if text is not None:
            try:
                parsed[key] = parse_threshold(text, unit)
            except UnitMismatchError as error:
                _fail(fields[key], _join(path, key), str(error), _UNIT_HINT)
            except ValueError as error:
                _fail(fields[key], _join(path, key), str(error), _THRESHOLD_HINT)
    if not parsed:
        return None
    try:
        return make_thresholds(_written(parsed, "target"), _written(parsed, "alert"), unit)
    except ValueError as error:
        _fail(fields["alert"], path, str(error), 'e.g. target: "<200" with alert: ">500"')


def _written(parsed: Mapping[str, Threshold], key: str) -> str | None:
    threshold = parsed.get(key)
    return None if threshold is None else threshold.text


def _alert_names(node: Node, path: str) -> tuple[str, ...]:
    items = _list(node, path, "alerts: [HighErrorRate]")
    return tuple(
        _nonempty_text(item, f"{path}[{index}]").strip() for index, item in enumerate(items)
    )


# ---------------------------------------------------------------------------
# The user config: named contexts
#
# $XDG_CONFIG_HOME/allintop/config.yaml (else ~/.config/allintop/config.yaml) names
# the environments someone watches, each a set of datasources in panels.yaml's own
# schema (read by the same readers) and, optionally, the dashboard to show on them:
#
#   default_context: prod-eu
#   contexts:
#     prod-eu:
#       dashboard: allin-overview
#       datasources:
#         eu: {url: https://prom-eu.example, auth: {token_env: PROM_EU_TOKEN}}
#     staging:
#       datasource: http://prom-staging:9090

USER_CONFIG_NAME = "config.yaml"
_USER_KEYS = ("default_context", "contexts")
_CONTEXT_KEYS = ("datasource", "datasources", "dashboard")
_CONTEXT_HINT = "e.g. contexts: {prod: {datasource: http://prom:9090}}"


@dataclass(frozen=True)
class Context:
    """A named environment: the datasources to query, and the dashboard to show on
    them (None: the one -c or the usual discovery gives)."""

    name: str
    datasources: DatasourceSet
    dashboard: Path | None = None


@dataclass(frozen=True)
class UserConfig:
    """The user config's contexts, in file order, and the one used when none is named."""

    path: Path
    contexts: Mapping[str, Context]
    default: str | None = None

    def context(self, name: str, origin: str = "--context") -> Context:
        """The context called `name`; ConfigError naming the known ones otherwise."""
        if name not in self.contexts:
            raise ConfigError(
                f"{origin} {name}: {self.path} has no context {name!r}",
                hint=f"its contexts: {', '.join(self.contexts)}",
            )
        return self.contexts[name]


def user_config_path(environ: Mapping[str, str], home: Path) -> Path:
    """Where the user config is: $XDG_CONFIG_HOME, else ~/.config, then allintop/."""
    config_home = Path(environ["XDG_CONFIG_HOME"]) if environ.get("XDG_CONFIG_HOME") else None
    return (config_home or home / ".config") / "allintop" / USER_CONFIG_NAME


def load_user_config(
    environ: Mapping[str, str] = os.environ, home: Path | None = None
) -> UserConfig | None:
    """The user config, validated; None when there is none."""
    home = Path(os.path.expanduser("~")) if home is None else home
    path = user_config_path(environ, home)
    if not path.is_file():
        return None
    return load_user_text(_read(path), path)


def load_user_text(text: str, path: Path) -> UserConfig:
    """Validate user config text read from `path` (relative paths are taken from its
    directory); every problem is one ConfigError with the file and line."""
    return _walk(text, str(path), lambda root: _user_config(root, path), _CONTEXT_HINT)


def _user_config(root: Node, path: Path) -> UserConfig:
    fields = _fields(root, "", _USER_KEYS, required=("contexts",))
    entries = _fields(fields["contexts"], "contexts", (), what="context")
    if not entries:
        _fail(fields["contexts"], "contexts", "no contexts", _CONTEXT_HINT)
    contexts: dict[str, Context] = {}
    for name, node in entries.items():
        where = _join("contexts", name)
        if not _NAME.fullmatch(name):
            _fail(node, where, f'"{name}" cannot be a context name', _NAME_HINT)
        contexts[name] = _context(name, node, where, path.parent)
    default = _optional(fields, "default_context", "", _nonempty_text)
    if default is not None and default not in contexts:
        _fail(
            fields["default_context"],
            "default_context",
            f'unknown context "{default}"',
            f"its contexts: {', '.join(contexts)}",
        )
    return UserConfig(path, MappingProxyType(contexts), default)


def _context(name: str, node: Node, path: str, base_dir: Path) -> Context:
    fields = _fields(node, path, _CONTEXT_KEYS)
    if "datasource" not in fields and "datasources" not in fields:
        _fail(node, path, f'context "{name}" has no datasources', _CONTEXT_HINT)
    default, named = _read_datasources(fields, base_dir, path)
    # Nothing else would supply one: $PROMETHEUS_URL and --url are not per context.
    for source in named.values() or [default]:
        if source.url is None:
            where = fields.get("datasources") or fields["datasource"]
            label = f'the datasource "{source.name}"' if named else "the datasource"
            _fail(where, path, f"{label} has no url", "e.g. url: http://prom:9090")
    return Context(
        name=name,
        datasources=DatasourceSet(default, MappingProxyType(named)),
        dashboard=_optional(
            fields, "dashboard", path, lambda n, p: _dashboard_file(n, p, base_dir)
        ),
    )


def _dashboard_file(node: Node, path: str, base_dir: Path) -> Path:
    """A context's dashboard: a file (relative to the user config) or a bundled name,
    as -c takes them."""
    name = _nonempty_text(node, path).strip()
    file = _file_path(node, path, base_dir)
    if not file.exists() and name in BUNDLED:
        return bundled_path(name)
    if not file.is_file():
        _fail(node, path, f"no such file: {file}", f"a panels.yaml, or one of {', '.join(BUNDLED)}")
    return file
