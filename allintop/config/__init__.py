"""panels.yaml and config.yaml: find them, read them, and validate them into plain
frozen dataclasses.

The YAML is composed to nodes (not loaded to dicts) so that every check knows the line
it is about: a broken file gives exactly one ConfigError naming the file, the line, the
key path and, where one exists, a hint. Secrets never live in the file: auth names an
environment variable or a file, read when the secret is used.

One idea a module:

  model        the dataclasses a dashboard is made of
  discovery    which file to use (-c, $ALLINTOP_CONFIG, ./panels.yaml, bundled) and reading it
  nodes        YAML nodes -> values, each failure with its line and key path
  dashboard    the top level of a panels.yaml
  datasources  datasource: / datasources:, auth by reference
  variables    variables:
  panels       rows:, panels (one query or several), thresholds
  tiles        how a panel is drawn: kind, width, height, reducer, mappings...
  contexts     the user config's named contexts, read with the same readers

Everything the rest of allintop uses is importable from `allintop.config` itself.
"""

from allintop.config.contexts import (
    USER_CONFIG_NAME,
    Context,
    UserConfig,
    load_user_config,
    load_user_text,
    user_config_path,
)
from allintop.config.discovery import (
    BUNDLED,
    CONFIG_ENV,
    CONFIG_NAME,
    GENERIC_NAME,
    MAX_CONFIG_BYTES,
    bundled_default_path,
    bundled_path,
    discover,
    load,
    load_dashboard,
    load_text,
)
from allintop.config.model import (
    DEFAULT_DATASOURCE,
    DEFAULT_RANGE,
    DEFAULT_REFRESH,
    DEFAULT_TIMEOUT,
    GRID_COLUMNS,
    TILE_KINDS,
    Auth,
    Dashboard,
    Datasource,
    DatasourceSet,
    Panel,
    Row,
    Tile,
    TileKind,
    Variable,
)
from allintop.config.panels import MAX_PANELS
from allintop.errors import ConfigError

__all__ = [
    "BUNDLED",
    "CONFIG_ENV",
    "CONFIG_NAME",
    "DEFAULT_DATASOURCE",
    "DEFAULT_RANGE",
    "DEFAULT_REFRESH",
    "DEFAULT_TIMEOUT",
    "GRID_COLUMNS",
    "GENERIC_NAME",
    "MAX_CONFIG_BYTES",
    "MAX_PANELS",
    "TILE_KINDS",
    "USER_CONFIG_NAME",
    "Auth",
    "ConfigError",
    "Context",
    "Dashboard",
    "Datasource",
    "DatasourceSet",
    "Panel",
    "Row",
    "Tile",
    "TileKind",
    "UserConfig",
    "Variable",
    "bundled_default_path",
    "bundled_path",
    "discover",
    "load",
    "load_dashboard",
    "load_text",
    "load_user_config",
    "load_user_text",
    "user_config_path",
]
