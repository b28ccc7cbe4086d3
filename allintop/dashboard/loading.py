"""Finding the panels.yaml to use (-c, $ALLINTOP_CONFIG, ./panels.yaml, the user's
config dir, the bundled dashboards) and reading it, within a size limit."""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import replace
from importlib import resources
from pathlib import Path

from allintop.dashboard.datasource import DatasourceSet
from allintop.dashboard.model import Dashboard
from allintop.dashboard.panels_yaml.document import TOP_KEYS, read_dashboard
from allintop.dashboard.panels_yaml.nodes import walk
from allintop.errors import ConfigError

CONFIG_NAME = "panels.yaml"
CONFIG_ENV = "ALLINTOP_CONFIG"
GENERIC_NAME = "prometheus-overview"
# The dashboards inside the package, by the name -c also accepts for them.
BUNDLED = {
    "allin-overview": CONFIG_NAME,
    GENERIC_NAME: f"dashboards/{GENERIC_NAME}.yaml",
    # The same overview as a Grafana user would have built it: every panel kind.
    "allin-grafana": "dashboards/allin-overview-grafana.json",
}
# A panels.yaml is a few KB (1,000 panels fit in 300 KB). Past these, a file is a
# mistake (a log, a dump, an alias bomb: 11 KB of YAML aliases make a million panels)
# and is refused at once rather than parsed for minutes or drawn as a million cards.
MAX_CONFIG_BYTES = 1024 * 1024


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
    "prometheus-overview", "allin-grafana").
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
    """Read and validate one panels.yaml, or a Grafana dashboard's JSON as it is (told
    apart by content, not by name); every problem is a ConfigError."""
    text = read_file(path)
    grafana = _grafana_dashboard(text, path, datasources)
    if grafana is not None:
        return replace(grafana, source_path=path)
    return replace(
        load_text(text, str(path), base_dir=path.parent, datasources=datasources),
        source_path=path,
    )


def _grafana_dashboard(
    text: str, path: Path, datasources: DatasourceSet | None
) -> Dashboard | None:
    """The file as a Grafana dashboard, or None when it is a panels.yaml (YAML, or JSON
    with only panels.yaml's keys)."""
    if not text.lstrip().startswith("{"):
        return None
    # Imported only for a JSON file: the Grafana converter is a fifth of start-up's
    # imports, and the bundled and most users' dashboards are panels.yaml.
    from allintop.dashboard.grafana.convert import from_file, notice
    from allintop.dashboard.grafana.documents import is_dashboard

    try:
        document = json.loads(text)
    except ValueError as error:
        if path.suffix.lower() != ".json":
            return None  # a YAML flow mapping, perhaps: the YAML reader says what is wrong
        raise ConfigError(
            f"{path}: not valid JSON: {getattr(error, 'msg', error)} "
            f"(line {getattr(error, 'lineno', '?')})"
        ) from None
    if isinstance(document, dict) and set(document) <= set(TOP_KEYS):
        return None
    if not is_dashboard(document):
        raise ConfigError(
            f"{path} is JSON but neither a Grafana dashboard nor a panels.yaml",
            hint='a Grafana dashboard has "panels" (or the old "rows"); the HTTP API\'s '
            'answer has "dashboard" and "meta"',
        )
    converted = from_file(document, str(path), datasources)
    return replace(converted.dashboard, notice=notice(converted.unsupported))


def read_file(path: Path) -> str:
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
    return walk(
        text,
        source,
        lambda root: read_dashboard(root, source, base_dir or Path.cwd(), datasources),
        "a panels.yaml needs at least rows: with panels (see the bundled default)",
    )
