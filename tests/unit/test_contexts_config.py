"""The user config (config.yaml): named contexts, each a set of datasources in
panels.yaml's schema and an optional dashboard (dashboard.contexts)."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from allintop.dashboard.contexts import UserConfig, load_user_config, load_user_text
from allintop.dashboard.loading import bundled_default_path, load_text
from allintop.errors import ConfigError

USER = textwrap.dedent(
    """\
    default_context: eu
    contexts:
      eu:
        dashboard: allin-overview
        datasources:
          prom: {url: http://prom-eu:9090, auth: {token_env: PROM_EU_TOKEN}}
          thanos: {url: http://thanos-eu:10902, dedup: true, default: true}
      staging:
        datasource: http://prom-staging:9090
    """
)

TWO = textwrap.dedent(
    """\
    datasources:
      prom: http://x:9090
      thanos: http://y:9090
    rows:
      - title: R
        panels:
          - {title: A, expr: up}
          - {title: B, expr: up, datasource: prom}
    """
)


def _user(text: str, tmp_path: Path) -> UserConfig:
    return load_user_text(text, tmp_path / "config.yaml")


def test_contexts_read_with_panels_yaml_datasource_schema(tmp_path: Path) -> None:
    user = _user(USER, tmp_path)
    assert list(user.contexts) == ["eu", "staging"] and user.default == "eu"
    eu = user.context("eu")
    assert eu.dashboard == bundled_default_path()
    assert eu.datasources.default.name == "thanos"
    assert eu.datasources.default.query_params == {"dedup": "true"}
    auth = eu.datasources.named["prom"].auth
    assert auth is not None and auth.secret_env == "PROM_EU_TOKEN"
    staging = user.context("staging")
    assert staging.dashboard is None and staging.datasources.default.url == (
        "http://prom-staging:9090"
    )


def test_a_contexts_datasources_replace_the_dashboards_and_are_checked_against_it(
    tmp_path: Path,
) -> None:
    given = _user(USER, tmp_path).context("eu").datasources
    dashboard = load_text(TWO, "two.yaml", datasources=given)
    assert dict(dashboard.sources) == dict(given.named)
    assert dashboard.query_datasources({}) == ["thanos", "prom"]
    staging = _user(USER, tmp_path).context("staging").datasources
    with pytest.raises(ConfigError) as caught:
        load_text(TWO, "two.yaml", datasources=staging)
    assert str(caught.value).startswith(
        'two.yaml:8: rows[0].panels[1].datasource: unknown datasource "prom"'
    )
    assert caught.value.hint == "those: default"


def test_the_file_is_found_under_xdg_config_home_else_dot_config(tmp_path: Path) -> None:
    assert load_user_config({}, home=tmp_path) is None
    (tmp_path / ".config" / "allintop").mkdir(parents=True)
    (tmp_path / ".config" / "allintop" / "config.yaml").write_text(USER)
    assert load_user_config({}, home=tmp_path) is not None
    xdg = tmp_path / "xdg"
    assert load_user_config({"XDG_CONFIG_HOME": str(xdg)}, home=tmp_path) is None


def test_an_unknown_context_lists_the_known_ones(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as caught:
        _user(USER, tmp_path).context("us")
    assert "has no context 'us'" in caught.value.message
    assert caught.value.hint == "its contexts: eu, staging"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("contexts: {}\n", "config.yaml:1: contexts: no contexts"),
        ("contexts:\n  a: {}\n", 'config.yaml:2: contexts.a: context "a" has no datasources'),
        (
            "contexts:\n  a:\n    datasource: {url: http://x, password: hunter2}\n",
            'config.yaml:3: contexts.a.datasource: inline secret "password" is not allowed',
        ),
        (
            "contexts:\n  a:\n    datasources:\n      p: {timeout: 3s}\n",
            'config.yaml:4: contexts.a: the datasource "p" has no url',
        ),
        (
            "contexts:\n  a:\n    datasource: http://x\n    dashbord: x.yaml\n",
            'config.yaml:4: contexts.a: unknown key "dashbord"',
        ),
        (
            "contexts:\n  a:\n    datasource: http://x\n    dashboard: nope.yaml\n",
            "config.yaml:4: contexts.a.dashboard: no such file",
        ),
        (
            "default_context: b\ncontexts:\n  a: {datasource: http://x}\n",
            'config.yaml:1: default_context: unknown context "b"',
        ),
        ("contexts:\n  a b: {datasource: http://x}\n", '"a b" cannot be a context name'),
        ("contexts: [a]\n", "config.yaml:1: contexts: expected a mapping"),
    ],
)
def test_a_broken_user_config_is_one_error_with_file_and_line(
    text: str, expected: str, tmp_path: Path
) -> None:
    with pytest.raises(ConfigError) as caught:
        _user(text, tmp_path)
    assert expected in str(caught.value)
    assert "hunter2" not in str(caught.value)
