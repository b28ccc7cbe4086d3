"""Which panels.yaml is used: -c, $ALLINTOP_CONFIG, ./panels.yaml, the user's config
dir, else the bundled default (allintop.dashboard.loading.discover)."""

from __future__ import annotations

from pathlib import Path

import pytest

from allintop.dashboard.loading import bundled_default_path, discover, load
from allintop.errors import ConfigError
from tests.unit.config_files import PANEL, write


@pytest.fixture
def places(tmp_path: Path) -> dict[str, Path]:
    """A working directory, a home, and a config file in each possible place."""
    paths = {name: tmp_path / name for name in ("cwd", "home", "xdg", "elsewhere")}
    for path in paths.values():
        path.mkdir()
    write(paths["elsewhere"], PANEL, "explicit.yaml")
    write(paths["elsewhere"], PANEL, "from-env.yaml")
    write(paths["cwd"], PANEL)
    (paths["home"] / ".config" / "allintop").mkdir(parents=True)
    write(paths["home"] / ".config" / "allintop", PANEL)
    (paths["xdg"] / "allintop").mkdir()
    write(paths["xdg"] / "allintop", PANEL)
    return paths


def test_discovery_order(places: dict[str, Path]) -> None:
    cwd, home, elsewhere = places["cwd"], places["home"], places["elsewhere"]
    env = {"ALLINTOP_CONFIG": str(elsewhere / "from-env.yaml")}
    explicit = str(elsewhere / "explicit.yaml")
    assert discover(explicit, env, cwd, home) == elsewhere / "explicit.yaml"
    assert discover(None, env, cwd, home) == elsewhere / "from-env.yaml"
    assert discover(None, {}, cwd, home) == cwd / "panels.yaml"
    (cwd / "panels.yaml").unlink()
    assert discover(None, {}, cwd, home) == home / ".config" / "allintop" / "panels.yaml"
    xdg = {"XDG_CONFIG_HOME": str(places["xdg"])}
    assert discover(None, xdg, cwd, home) == places["xdg"] / "allintop" / "panels.yaml"
    (home / ".config" / "allintop" / "panels.yaml").unlink()
    assert discover(None, {}, cwd, home) is None  # the bundled default


def test_discovery_relative_explicit_path(places: dict[str, Path]) -> None:
    cwd = places["cwd"]
    write(cwd, PANEL, "mine.yaml")
    assert discover("mine.yaml", {}, cwd, places["home"]) == cwd / "mine.yaml"


@pytest.mark.parametrize(
    ("explicit", "environ", "message"),
    [
        ("/nonexistent/panels.yaml", {}, "config file not found: /nonexistent/panels.yaml"),
        (None, {"ALLINTOP_CONFIG": "/nonexistent/p.yaml"}, "$ALLINTOP_CONFIG: config file not"),
    ],
)
def test_named_config_must_exist(
    places: dict[str, Path], explicit: str | None, environ: dict[str, str], message: str
) -> None:
    with pytest.raises(ConfigError) as caught:
        discover(explicit, environ, places["cwd"], places["home"])
    assert message in caught.value.message
    assert caught.value.hint


def test_named_config_must_be_a_file(places: dict[str, Path]) -> None:
    with pytest.raises(ConfigError, match="is not a file"):
        discover(str(places["cwd"]), {}, places["cwd"], places["home"])


def test_load_uses_discovery_and_falls_back_to_the_bundled_default(
    places: dict[str, Path],
) -> None:
    cwd, home = places["cwd"], places["home"]
    assert load(None, {}, cwd, home).source == str(cwd / "panels.yaml")
    empty = places["elsewhere"]
    bundled = load(None, {}, empty, empty)
    assert bundled.source == str(bundled_default_path())
    assert bundled.title == "AllIN Platform Overview"
