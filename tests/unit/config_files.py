"""Small panels.yaml files for the tests of reading them."""

from __future__ import annotations

import textwrap
from pathlib import Path

PANEL = "rows:\n  - title: R\n    panels:\n      - title: A\n        expr: up\n"


def write(tmp_path: Path, text: str, name: str = "panels.yaml") -> Path:
    path = tmp_path / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path
