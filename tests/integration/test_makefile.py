"""The Makefile's installs: `make demo` installs only what the demo needs, `make test`
adds the test extras, and neither installs anything a second time (dry runs, `make -n`,
against a venv path of the test's own)."""

from __future__ import annotations

import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
RUNTIME_INSTALL = "pip install --quiet -e ."
TEST_INSTALL = "pip install --quiet -e '.[test]'"


def dry_run(target: str, venv: Path) -> str:
    result = subprocess.run(
        ["make", "-n", "-C", str(ROOT), target, f"VENV={venv}"],
        capture_output=True,
        text=True,
        timeout=30,
        check=True,
    )
    return result.stdout


def installs(target: str, venv: Path) -> list[str]:
    return [line for line in dry_run(target, venv).splitlines() if "pip install" in line]


def test_demo_installs_only_the_runtime_package(tmp_path):
    venv = tmp_path / "venv"
    commands = installs("demo", venv)
    assert len(commands) == 1 and commands[0].endswith(RUNTIME_INSTALL), commands
    assert "[test]" not in dry_run("demo", venv)
    assert f"-m venv {venv}" in dry_run("demo", venv)


def test_test_installs_the_extras_once(tmp_path):
    venv = tmp_path / "venv"
    commands = installs("test", venv)
    assert len(commands) == 1 and commands[0].endswith(TEST_INSTALL), commands


def test_each_install_happens_once_whichever_target_runs_first(tmp_path):
    venv = tmp_path / "venv"
    (venv / "bin").mkdir(parents=True)
    (venv / "bin" / "python").touch()
    # After `make demo`: the demo has what it needs, the tests still lack the extras.
    (venv / ".installed-runtime").touch()
    assert installs("demo", venv) == []
    assert [c.endswith(TEST_INSTALL) for c in installs("test", venv)] == [True]
    # After `make test` too: nothing left to install for either.
    (venv / ".installed-test").touch()
    assert installs("test", venv) == []
    assert installs("demo", venv) == []
    # `make test` alone renews the runtime stamp too: a later `make demo` installs nothing.
    recipe = dry_run("test", tmp_path / "fresh")
    assert ".installed-runtime" in recipe.split(TEST_INSTALL)[1]
