"""`allintop import-grafana FILE`: the panels.yaml equivalent of a Grafana dashboard's
JSON, and with --report what of each panel was converted, dropped or not supported."""

from __future__ import annotations

from pathlib import Path

from allintop.dashboard.grafana import to_yaml
from allintop.dashboard.loading import read_file
from allintop.errors import ConfigError


def run(path: Path, output: Path | None, with_report: bool) -> int:
    """The panels.yaml to `output` (or stdout), and/or the report on stdout."""
    path = path.expanduser()
    converted = to_yaml.convert(read_file(path), str(path))
    if with_report:
        print(to_yaml.report(converted), end="")
    if output is None and with_report:
        return 0
    text = to_yaml.to_yaml(converted, path.name)
    if output is None:
        print(text, end="")
        return 0
    try:
        output.expanduser().write_text(text, encoding="utf-8")
    except OSError as error:
        raise ConfigError(f"-o {output}: cannot write it: {error.strerror or error}") from None
    return 0
