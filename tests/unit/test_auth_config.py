"""A datasource's credentials in panels.yaml: by reference (an environment variable or
a file, relative to the config), read when used, never shown."""

from __future__ import annotations

from pathlib import Path

import pytest

from allintop.dashboard.datasource import Auth
from allintop.dashboard.loading import load_dashboard, load_text
from allintop.errors import ConfigError
from tests.unit.config_files import PANEL, write


def test_auth_from_env_resolves_at_use_time() -> None:
    text = "datasource:\n  auth: {token_env: PROM_TOKEN}\n" + PANEL
    auth = load_text(text, "x.yaml").datasource.auth
    assert auth == Auth(kind="bearer", username=None, secret_env="PROM_TOKEN", secret_file=None)
    assert auth.resolve({"PROM_TOKEN": "s3cret-value"}) == "s3cret-value"
    with pytest.raises(ConfigError, match=r"\$PROM_TOKEN is not set") as caught:
        auth.resolve({})
    assert "export PROM_TOKEN" in str(caught.value)
    with pytest.raises(ConfigError):
        auth.resolve({"PROM_TOKEN": ""})


def test_basic_auth_from_file_relative_to_the_config(tmp_path: Path) -> None:
    (tmp_path / "secrets").mkdir()
    (tmp_path / "secrets" / "pw").write_text("s3cret-value\n", encoding="utf-8")
    path = write(
        tmp_path, "datasource:\n  auth: {username: admin, password_file: secrets/pw}\n" + PANEL
    )
    auth = load_dashboard(path).datasource.auth
    assert auth is not None
    assert (auth.kind, auth.username) == ("basic", "admin")  # kind inferred
    assert auth.secret_file == tmp_path / "secrets" / "pw"
    assert auth.resolve() == "s3cret-value"  # without the trailing newline
    assert "s3cret-value" not in repr(auth)
    assert "s3cret-value" not in repr(load_dashboard(path))


def test_auth_file_problems_are_config_errors(tmp_path: Path) -> None:
    missing = Auth(kind="bearer", username=None, secret_env=None, secret_file=tmp_path / "no")
    with pytest.raises(ConfigError, match="cannot read the token file"):
        missing.resolve()
    empty = tmp_path / "empty"
    empty.write_text("\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="is empty"):
        Auth(kind="basic", username="u", secret_env=None, secret_file=empty).resolve()


def test_ca_file_relative_to_the_config(tmp_path: Path) -> None:
    (tmp_path / "ca.pem").write_text("PEM", encoding="utf-8")
    path = write(tmp_path, "datasource: {ca_file: ca.pem}\n" + PANEL)
    assert load_dashboard(path).datasource.ca_file == tmp_path / "ca.pem"
