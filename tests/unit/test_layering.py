"""The import contracts of pyproject.toml, checked once more at run time: importing a
module of a forbidden contract must not load what the contract forbids, however it is
reached (an import inside a function called at import time, a plugin, a lazy import).
import-linter reads the code; this runs it. The lists are pyproject's own, not a copy."""

from __future__ import annotations

import json
import pkgutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

import allintop

PYPROJECT = Path(__file__).resolve().parents[2] / "pyproject.toml"


def _contracts() -> list[dict]:
    config = tomllib.loads(PYPROJECT.read_text())
    return config["tool"]["importlinter"]["contracts"]


def _modules(name: str) -> list[str]:
    """The module `name` and, for a package, every module in it."""
    spec = __import__(name, fromlist=["_"])
    if not hasattr(spec, "__path__"):
        return [name]
    return [name] + [m.name for m in pkgutil.walk_packages(spec.__path__, f"{name}.")]


def _cases() -> list[tuple[str, str, tuple[str, ...]]]:
    cases = []
    for contract in _contracts():
        if contract["type"] != "forbidden":
            continue
        external = tuple(m for m in contract["forbidden_modules"] if not m.startswith("allintop"))
        for source in contract["source_modules"]:
            for module in _modules(source):
                cases.append((contract["name"], module, external))
    return cases


def _loaded(module: str, roots: tuple[str, ...]) -> list[str]:
    code = (
        f"import json, sys, {module}\n"
        # A None entry is an import blocked, not a module loaded (allintop.sources
        # blocks httpx's command line).
        f"print(json.dumps(sorted(m for m, loaded in sys.modules.items()"
        f" if loaded is not None and m.split('.')[0] in {roots!r})))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    return json.loads(result.stdout)


def test_the_contracts_name_real_modules():
    for contract in _contracts():
        for name in contract.get("source_modules", []) + contract.get("layers", []):
            for part in name.split("|"):
                assert _modules(part.strip()), part


@pytest.mark.parametrize(("contract", "module", "forbidden"), _cases())
def test_importing_loads_nothing_forbidden(contract, module, forbidden):
    assert _loaded(module, forbidden) == [], f"{contract}: {module}"


def test_the_package_is_the_one_under_test():
    assert Path(allintop.__file__).resolve().parents[1] == PYPROJECT.parent
