"""The user config (config.yaml): named contexts.

$XDG_CONFIG_HOME/allintop/config.yaml (else ~/.config/allintop/config.yaml) names
the environments someone watches, each a set of datasources in panels.yaml's own
schema (read by the same readers) and, optionally, the dashboard to show on them:

  default_context: prod-eu
  contexts:
    prod-eu:
      dashboard: allin-overview
      datasources:
        eu: {url: https://prom-eu.example, auth: {token_env: PROM_EU_TOKEN}}
    staging:
      datasource: http://prom-staging:9090
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType

from yaml.nodes import Node

from allintop.dashboard.datasource import DatasourceSet
from allintop.dashboard.loading import BUNDLED, bundled_path, read_file
from allintop.dashboard.panels_yaml.datasources import NAME, NAME_HINT, read_datasources
from allintop.dashboard.panels_yaml.nodes import (
    fail,
    file_at,
    key_path,
    mapping,
    nonempty_text,
    optional,
    walk,
)
from allintop.errors import ConfigError

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
    return load_user_text(read_file(path), path)


def load_user_text(text: str, path: Path) -> UserConfig:
    """Validate user config text read from `path` (relative paths are taken from its
    directory); every problem is one ConfigError with the file and line."""
    return walk(text, str(path), lambda root: _user_config(root, path), _CONTEXT_HINT)


def _user_config(root: Node, path: Path) -> UserConfig:
    fields = mapping(root, "", _USER_KEYS, required=("contexts",))
    entries = mapping(fields["contexts"], "contexts", (), what="context")
    if not entries:
        fail(fields["contexts"], "contexts", "no contexts", _CONTEXT_HINT)
    contexts: dict[str, Context] = {}
    for name, node in entries.items():
        where = key_path("contexts", name)
        if not NAME.fullmatch(name):
            fail(node, where, f'"{name}" cannot be a context name', NAME_HINT)
        contexts[name] = _context(name, node, where, path.parent)
    default = optional(fields, "default_context", "", nonempty_text)
    if default is not None and default not in contexts:
        fail(
            fields["default_context"],
            "default_context",
            f'unknown context "{default}"',
            f"its contexts: {', '.join(contexts)}",
        )
    return UserConfig(path, MappingProxyType(contexts), default)


def _context(name: str, node: Node, path: str, base_dir: Path) -> Context:
    fields = mapping(node, path, _CONTEXT_KEYS)
    if "datasource" not in fields and "datasources" not in fields:
        fail(node, path, f'context "{name}" has no datasources', _CONTEXT_HINT)
    default, named = read_datasources(fields, base_dir, path)
    # Nothing else would supply one: $PROMETHEUS_URL and --url are not per context.
    for source in named.values() or [default]:
        if source.url is None:
            where = fields.get("datasources") or fields["datasource"]
            label = f'the datasource "{source.name}"' if named else "the datasource"
            fail(where, path, f"{label} has no url", "e.g. url: http://prom:9090")
    return Context(
        name=name,
        datasources=DatasourceSet(default, MappingProxyType(named)),
        dashboard=optional(fields, "dashboard", path, lambda n, p: _dashboard_file(n, p, base_dir)),
    )


def _dashboard_file(node: Node, path: str, base_dir: Path) -> Path:
    """A context's dashboard: a file (relative to the user config) or a bundled name,
    as -c takes them."""
    name = nonempty_text(node, path).strip()
    file = file_at(node, path, base_dir)
    if not file.exists() and name in BUNDLED:
        return bundled_path(name)
    if not file.is_file():
        fail(node, path, f"no such file: {file}", f"a panels.yaml, or one of {', '.join(BUNDLED)}")
    return file
