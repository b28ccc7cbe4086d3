"""panels.yaml loading, validation and discovery (allintop.config)."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from allintop.dashboard.loading import (
    bundled_default_path,
    discover,
    load,
    load_dashboard,
    load_text,
)
from allintop.dashboard.model import Auth, Dashboard, Datasource, Panel, Row, Tile, Variable
from allintop.dashboard.panels_yaml.rows import MAX_PANELS
from allintop.errors import ConfigError
from allintop.values import reducers
from allintop.values.mappings import ValueMapping
from allintop.values.thresholds import Threshold, Thresholds

GOOD = """\
title: Test board
datasource:
  url: https://prom.example:9090
  timeout: 3s
  headers: {X-Scope-OrgID: team-a}
  auth: {kind: bearer, token_env: PROM_TOKEN}
  insecure: true
  alertmanager: http://am.example:9093
refresh: 10s
range: 1h
variables:
  job: {query: 'label_values(up, job)', default: all}
  interval: {values: [1m, 5m]}
rows:
  - title: Requests
    panels:
      - title: Rate
        expr: sum(rate(http_requests_total{job=~"$job"}[$interval]))
        unit: req/s
        decimals: 1
        legend: "{{route}}"
        alerts: [HighErrorRate, SlowResponseTime]
      - title: P95
        expr: histogram_quantile(0.95, sum by (le) (rate(x_bucket[5m]))) * 1000
        unit: ms
        thresholds: {target: "<200", alert: ">500"}
  - title: Memory
    panels:
      - title: RSS
        expr: process_resident_memory_bytes / 1024 / 1024
        unit: MB
        thresholds:
          target: "<1GB"
          alert: ">1.5GB"
"""

PANEL = "rows:\n  - title: R\n    panels:\n      - title: A\n        expr: up\n"


def write(tmp_path: Path, text: str, name: str = "panels.yaml") -> Path:
    path = tmp_path / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def test_good_file_round_trips_into_dataclasses(tmp_path: Path) -> None:
    path = write(tmp_path, GOOD)
    dashboard = load_dashboard(path)
    assert dashboard == Dashboard(
        source=str(path),
        source_path=path,
        datasource=Datasource(
            url="https://prom.example:9090",
            timeout=3.0,
            headers={"X-Scope-OrgID": "team-a"},
            auth=Auth(kind="bearer", username=None, secret_env="PROM_TOKEN", secret_file=None),
            ca_file=None,
            insecure=True,
            alertmanager="http://am.example:9093",
        ),
        refresh=10.0,
        range=3600.0,
        variables=(
            # As before there were kinds: a query and a list both offer "all".
            Variable(name="job", query="label_values(up, job)", default="all", include_all=True),
            Variable(
                name="interval",
                values=("1m", "5m"),
                default="1m",
                kind="custom",
                include_all=True,
            ),
        ),
        rows=(
            Row(
                title="Requests",
                panels=(
                    Panel(
                        title="Rate",
                        expr='sum(rate(http_requests_total{job=~"$job"}[$interval]))',
                        unit="req/s",
                        decimals=1,
                        alerts=("HighErrorRate", "SlowResponseTime"),
                        legend="{{route}}",
                        line=17,
                    ),
                    Panel(
                        title="P95",
                        expr="histogram_quantile(0.95, sum by (le) (rate(x_bucket[5m]))) * 1000",
                        unit="ms",
                        thresholds=Thresholds(
                            target=Threshold("<", 200.0, "<200"),
                            alert=Threshold(">", 500.0, ">500"),
                        ),
                        line=23,
                    ),
                ),
            ),
            Row(
                title="Memory",
                panels=(
                    Panel(
                        title="RSS",
                        expr="process_resident_memory_bytes / 1024 / 1024",
                        unit="MB",
                        thresholds=Thresholds(
                            target=Threshold("<", 1024.0, "<1GB"),
                            alert=Threshold(">", 1536.0, ">1.5GB"),
                        ),
                        line=29,
                    ),
                ),
            ),
        ),
        title="Test board",
    )
    assert [panel.title for panel in dashboard.panels] == ["Rate", "P95", "RSS"]


def test_minimal_file_gets_the_defaults() -> None:
    dashboard = load_text(PANEL, "mini.yaml")
    assert dashboard.refresh == 5.0
    assert dashboard.range == 900.0
    assert dashboard.datasource == Datasource()
    assert dashboard.datasource.url is None  # the CLI falls back to $PROMETHEUS_URL
    assert dashboard.variables == ()
    assert dashboard.title is None
    assert dashboard.panels == (Panel(title="A", expr="up", line=4),)


def test_model_is_frozen() -> None:
    dashboard = load_text(PANEL, "mini.yaml")
    with pytest.raises(AttributeError):
        dashboard.refresh = 1.0  # type: ignore[misc]
    with pytest.raises(TypeError):
        dashboard.datasource.headers["X"] = "y"  # type: ignore[index]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("refresh: 30\n", 30.0),  # a bare number is seconds
        ("refresh: 1.5\n", 1.5),
        ("refresh: 500ms\n", 0.5),
        ("refresh: 1m\nrange: 1m\n", 60.0),  # range == refresh is fine
    ],
)
def test_durations(text: str, expected: float) -> None:
    assert load_text(text + PANEL, "x.yaml").refresh == expected


def test_text_fields_keep_what_was_written() -> None:
    text = "rows:\n  - title: 2024\n    panels:\n      - {title: yes, expr: 1, unit: 010}\n"
    panel = load_text(text, "x.yaml").panels[0]
    assert (panel.title, panel.expr, panel.unit) == ("yes", "1", "010")
    assert load_text(text, "x.yaml").rows[0].title == "2024"


def test_yaml_merge_keys_apply_panel_defaults() -> None:
    text = """\
    rows:
      - title: R
        panels:
          - &ms {title: A, expr: up, unit: ms}
          - <<: *ms
            title: B
    """
    panels = load_text(textwrap.dedent(text), "x.yaml").panels
    assert [(p.title, p.unit) for p in panels] == [("A", "ms"), ("B", "ms")]


def test_datasource_shorthand_url() -> None:
    dashboard = load_text("datasource: http://localhost:9090\n" + PANEL, "x.yaml")
    assert dashboard.datasource.url == "http://localhost:9090"


# Each bad file: (text, line, words in the message, words in the hint).
BAD_FILES = {
    "yaml syntax": (
        PANEL + "        thresholds:\n          alert: >500\n",
        7,
        "invalid YAML",
        'quote values that start with > or <, e.g. alert: ">500"',
    ),
    "yaml syntax in flow": (
        "rows:\n  - title: R\n    panels:\n      - {title: A, expr: up, thresholds: {alert: >5}}\n",
        4,
        "invalid YAML",
        "quote values",
    ),
    "yaml tab": ("rows:\n\t- title: R\n", 2, "invalid YAML", "tabs"),
    "yaml unquoted colon": (
        "rows:\n  - title: Latency: P95\n",
        2,
        "mapping values are not allowed",
        "quote a value",
    ),
    "yaml two documents": (PANEL + "---\n" + PANEL, 6, "another document", "one document"),
    "yaml undefined alias": ("rows: *nope\n", 1, "undefined alias", "indentation"),
    "yaml bad merge": ("rows:\n  - <<: 5\n    title: R\n", 2, "merging", "indentation"),
    "empty file": ("", 1, "the file is empty", "rows:"),
    "only comments": ("# nothing yet\n", 1, "the file is empty", "rows:"),
    "top level list": ("- title: R\n", 1, "top level must be a mapping", "bundled default"),
    "top level text": ("hello\n", 1, "top level must be a mapping", "bundled default"),
    "unknown top key": ("refersh: 5s\n" + PANEL, 1, 'unknown key "refersh"', '"refresh"'),
    "unknown panel key": (
        PANEL + "        treshold: {target: '<5'}\n",
        6,
        'rows[0].panels[0]: unknown key "treshold"',
        'did you mean "thresholds"?',
    ),
    "unknown row key": (
        "rows:\n  - title: R\n    panel:\n      - {title: A, expr: up}\n",
        3,
        'rows[0]: unknown key "panel"',
        '"panels"',
    ),
    "unknown key, nothing close": (
        PANEL + "        zzz: 1\n",
        6,
        'unknown key "zzz"',
        "valid keys here: title, expr, unit",
    ),
    "unknown threshold key": (
        PANEL + "        thresholds: {targte: '<5'}\n",
        6,
        'thresholds: unknown key "targte"',
        '"target"',
    ),
    "unknown datasource key": (
        "datasource: {ulr: http://x}\n" + PANEL,
        1,
        'datasource: unknown key "ulr"',
        '"url"',
    ),
    "unknown variable key": (
        "variables:\n  job: {defualt: all}\n" + PANEL,
        2,
        'variables.job: unknown key "defualt"',
        '"default"',
    ),
    "missing rows": ("refresh: 5s\n", 1, 'missing key "rows"', "add rows:"),
    "missing row title": (
        "rows:\n  - panels:\n      - {title: A, expr: up}\n",
        2,
        'rows[0]: missing key "title"',
        "title:",
    ),
    "missing panel title": (
        "rows:\n  - title: R\n    panels:\n      - expr: up\n",
        4,
        'rows[0].panels[0]: missing key "title"',
        "title:",
    ),
    "missing expr": (
        "rows:\n  - title: R\n    panels:\n      - title: A\n",
        4,
        'rows[0].panels[0]: missing key "expr"',
        "expr: sum(rate(",
    ),
    "null expr": (
        "rows:\n  - title: R\n    panels:\n      - title: A\n        expr:\n",
        5,
        'missing key "expr"',
        "expr:",
    ),
    "rows is text": ("rows: none\n", 1, "rows: expected a list, got text", "write a list"),
    "rows is a mapping": ("rows: {title: R}\n", 1, "expected a list, got a mapping", "list"),
    "panels is text": (
        "rows:\n  - title: R\n    panels: up\n",
        3,
        "rows[0].panels: expected a list, got text",
        "panels: [{title: ..., expr: ...}]",
    ),
    "alerts is text": (
        PANEL + "        alerts: HighErrorRate\n",
        6,
        "alerts: expected a list, got text",
        "alerts: [HighErrorRate]",
    ),
    "panel is text": (
        "rows:\n  - title: R\n    panels:\n      - up\n",
        4,
        "rows[0].panels[0]: expected a mapping",
        None,
    ),
    "title is a list": (
        "rows:\n  - title: [a]\n    panels:\n      - {title: A, expr: up}\n",
        2,
        "rows[0].title: expected text, got a list",
        None,
    ),
    "decimals not a number": (
        PANEL + "        decimals: two\n",
        6,
        "decimals: expected a whole number from 0 to 10",
        "decimals: 1",
    ),
    "decimals fraction": (PANEL + "        decimals: 1.5\n", 6, "whole number", "decimals: 1"),
    "insecure not bool": (
        "datasource: {insecure: maybe}\n" + PANEL,
        1,
        "insecure: expected true or false",
        None,
    ),
    "bad duration": ("refresh: 5 minutes\n" + PANEL, 1, "refresh: not a duration", "1h30m"),
    "bad range duration": ("range: abc\n" + PANEL, 1, "range: not a duration", "1h30m"),
    "negative duration": ("refresh: -5s\n" + PANEL, 1, "negative", "1h30m"),
    "duration is a list": ("refresh: [5s]\n" + PANEL, 1, "expected a single value", None),
    "bad timeout": ("datasource: {timeout: soon}\n" + PANEL, 1, "timeout: not a duration", "ms"),
    "zero timeout": ("datasource: {timeout: 0s}\n" + PANEL, 1, "must be more than 0", "10s"),
    "threshold without operator": (
        PANEL + "        thresholds: {target: '200'}\n",
        6,
        'thresholds.target: threshold "200" has no comparison operator',
        '"<200"',
    ),
    "threshold number": (
        PANEL + "        thresholds: {target: 200}\n",
        6,
        "no comparison operator",
        "quote them",
    ),
    "threshold double operator": (
        PANEL + "        thresholds:\n          alert: '<<5'\n",
        7,
        'thresholds.alert: threshold "<<5" needs a number',
        '">=99"',
    ),
    "threshold not a number": (
        PANEL + "        thresholds: {target: '<abc'}\n",
        6,
        "needs a number",
        '"<1GB"',
    ),
    "threshold unit incompatible": (
        PANEL + "        unit: ms\n        thresholds:\n          target: '<1GB'\n",
        8,
        'threshold "<1GB" is in "GB" but the panel\'s unit is "ms"',
        "suffixes convert within a kind",
    ),
    "threshold size on a rate panel": (
        PANEL + "        unit: MB/s\n        thresholds:\n          alert: '>10MB'\n",
        8,
        'threshold ">10MB" is in "MB" but the panel\'s unit is "MB/s"; "MB" is a size',
        "B/s, MB/s, Mbit/s",
    ),
    "threshold rate on a ms panel": (
        PANEL + "        unit: ms\n        thresholds: {target: '<10MB/s'}\n",
        7,
        '"MB/s" is a data rate, "ms" a duration',
        "suffixes convert within a kind",
    ),
    "threshold percent on unitless panel": (
        PANEL + "        thresholds: {target: '>99%'}\n",
        6,
        "the panel's unit is none",
        '"%" only on % panels',
    ),
    "thresholds same direction": (
        PANEL + "        thresholds:\n          target: '<200'\n          alert: '<500'\n",
        8,
        'thresholds: target "<200" and alert "<500" point the same way',
        'alert: ">500"',
    ),
    "thresholds overlap": (
        PANEL + "        thresholds: {target: '<200', alert: '>100'}\n",
        6,
        "overlap",
        'alert: ">500"',
    ),
    "empty expr": (
        "rows:\n  - title: R\n    panels:\n      - title: A\n        expr: '  '\n",
        5,
        "rows[0].panels[0].expr: the expression is empty",
        "expr: sum(rate(",
    ),
    "expr unknown variable": (
        "variables:\n  job: {default: all}\n"
        'rows:\n  - title: R\n    panels:\n      - title: A\n        expr: up{job=~"$jbo"}\n',
        7,
        'unknown variable "$jbo"',
        'did you mean "$job"?',
    ),
    "expr undeclared variable": (
        'rows:\n  - title: R\n    panels:\n      - title: A\n        expr: up{job=~"$job"}\n',
        5,
        'unknown variable "$job"',
        "declare it under variables:",
    ),
    "refresh zero": ("refresh: 0s\n" + PANEL, 1, "refresh: must be more than 0", "refresh: 5s"),
    "range shorter than refresh": (
        "refresh: 1m\nrange: 30s\n" + PANEL,
        2,
        "range: the range (30s) is shorter than the refresh interval (1m)",
        "raise range or lower refresh",
    ),
    "refresh longer than default range": (
        "refresh: 20m\n" + PANEL,
        1,
        "the range (15m, the default) is shorter",
        "raise range",
    ),
    "empty rows": ("rows: []\n", 1, "rows: no rows", "add rows:"),
    "null rows": ("rows:\n", 1, 'missing key "rows"', "add rows:"),
    "row without panels key": (
        "rows:\n  - title: Empty\n",
        2,
        'rows[0]: row "Empty" has no panels',
        "add panels:",
    ),
    "row with empty panels": (
        "rows:\n  - title: R\n    panels: []\n",
        3,
        'row "R" has no panels',
        "add panels:",
    ),
    "second row without panels": (
        PANEL + "  - title: Second\n    panels:\n",
        7,
        'rows[1]: row "Second" has no panels',
        "add panels:",
    ),
    "inline password": (
        "datasource:\n  auth:\n    username: admin\n    password: hunter2\n" + PANEL,
        4,
        'datasource.auth: inline secret "password" is not allowed',
        "use token_env / token_file",
    ),
    "inline token": (
        "datasource:\n  url: http://x:9090\n  token: abc123\n" + PANEL,
        3,
        'datasource: inline secret "token" is not allowed',
        "use token_env / token_file",
    ),
    "inline token in auth": (
        "datasource:\n  auth: {token: abc123}\n" + PANEL,
        2,
        'inline secret "token"',
        "token_file",
    ),
    "authorization header": (
        "datasource:\n  headers:\n    Authorization: Bearer abc123\n" + PANEL,
        3,
        "headers.Authorization: a secret header inline",
        "token_env",
    ),
    "credentials in url": (
        "datasource: {url: 'http://me:abc123@x:9090'}\n" + PANEL,
        1,
        "the URL carries credentials",
        "token_env",
    ),
    "secret pasted as env name": (
        "datasource:\n  auth: {token_env: eyJhbGciOi.abc123}\n" + PANEL,
        2,
        "token_env: must name an environment variable",
        "token_file",
    ),
    "auth with both env and file": (
        "datasource:\n  auth: {token_env: A, token_file: /t}\n" + PANEL,
        2,
        "exactly one of token_env and token_file",
        "token_env",
    ),
    "auth with no secret": (
        "datasource:\n  auth: {kind: bearer}\n" + PANEL,
        2,
        "exactly one of token_env and token_file",
        "token_env",
    ),
    "basic auth without username": (
        "datasource:\n  auth: {kind: basic, password_env: P}\n" + PANEL,
        2,
        'missing key "username"',
        "username:",
    ),
    "bearer with password key": (
        "datasource:\n  auth: {kind: bearer, password_env: P}\n" + PANEL,
        2,
        '"password_env" does not belong to bearer auth',
        "token_env",
    ),
    "unknown auth kind": (
        "datasource:\n  auth: {kind: oauth, token_env: T}\n" + PANEL,
        2,
        'unknown auth kind "oauth"',
        "bearer or basic",
    ),
    "bad url scheme": (
        "datasource: {url: 'localhost:9090'}\n" + PANEL,
        1,
        "expected an http:// or https:// URL",
        "http://localhost:9090",
    ),
    "missing ca file": (
        "datasource: {ca_file: /nonexistent/ca.pem}\n" + PANEL,
        1,
        "no such file: /nonexistent/ca.pem",
        "PEM",
    ),
    "duplicate variable": (
        "variables:\n  job: {default: all}\n  job: {default: api}\n" + PANEL,
        3,
        'variables: duplicate variable "job"',
        "only the last",
    ),
    "duplicate key": (
        "rows:\n  - title: R\n    title: S\n    panels:\n      - {title: A, expr: up}\n",
        3,
        'rows[0]: duplicate key "title"',
        "only the last",
    ),
    "bad variable name": (
        "variables:\n  __job: {default: all}\n" + PANEL,
        2,
        '"__job" cannot be a variable name',
        "letters",
    ),
    "bad variable query": (
        "variables:\n  job: {query: 'up'}\n" + PANEL,
        2,
        "variables.job.query: unsupported variable query",
        "label_values(allin_http_requests_total, job)",
    ),
    "variable default not in values": (
        "variables:\n  env: {values: [a, b], default: c}\n" + PANEL,
        2,
        '"c" is not one of values',
        None,
    ),
    "non-text key": ("? [a]\n: x\n" + PANEL, 1, "a key must be plain text, got a list", None),
    "number key": ("1: x\n" + PANEL, 1, 'unknown key "1"', "valid keys here: title"),
}


@pytest.mark.parametrize(
    ("text", "line", "message", "hint"), list(BAD_FILES.values()), ids=list(BAD_FILES)
)
def test_bad_file_gives_one_clear_error(
    tmp_path: Path, text: str, line: int, message: str, hint: str | None
) -> None:
    path = write(tmp_path, text)
    with pytest.raises(ConfigError) as caught:
        load_dashboard(path)
    error = caught.value
    assert error.message.startswith(f"{path}:{line}: "), error.message
    assert message in error.message
    if hint is not None:
        assert error.hint is not None and hint in error.hint, error.hint
        assert hint in str(error)  # what the CLI prints


@pytest.mark.parametrize("text", [v[0] for v in BAD_FILES.values()], ids=list(BAD_FILES))
def test_secrets_never_appear_in_errors(text: str) -> None:
    with pytest.raises(ConfigError) as caught:
        load_text(text, "panels.yaml")
    assert "hunter2" not in str(caught.value)
    assert "abc123" not in str(caught.value)


def test_only_config_error_escapes_for_garbage() -> None:
    garbage = ["\x07", "{", "[", ":", "? [a]\n: b\n", "rows: !!python/object:os.system x\n"]
    for text in [*garbage, "[" * 5000 + "]" * 5000]:
        with pytest.raises(ConfigError):
            load_text(text, "g.yaml")


def test_unreadable_files(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="cannot read"):
        load_dashboard(tmp_path / "missing.yaml")
    with pytest.raises(ConfigError, match="cannot read"):
        load_dashboard(tmp_path)  # a directory
    latin1 = tmp_path / "latin1.yaml"
    latin1.write_bytes(b"title: caf\xe9\n")
    with pytest.raises(ConfigError, match="not UTF-8") as caught:
        load_dashboard(latin1)
    assert caught.value.hint


# -- auth ---------------------------------------------------------------------


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


# -- discovery ----------------------------------------------------------------


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


# -- purity -------------------------------------------------------------------


def test_an_expression_the_parser_rejects_still_loads_for_prometheus_to_judge() -> None:
    # One broken panel must not keep the dashboard from starting: the panel is sent
    # as written and shows Prometheus' message (with its position) instead.
    text = (
        "rows:\n  - title: R\n    panels:\n"
        "      - title: Broken\n        expr: sum(rate(x[5m])\n"
        "      - title: Fine\n        expr: up\n"
    )
    dashboard = load_text(text, "x.yaml")
    assert [p.expr for p in dashboard.panels] == ["sum(rate(x[5m])", "up"]
    assert dashboard.panels[0].line == 4


# -- tiles: how a panel is drawn ----------------------------------------------

TILED = """\
rows:
  - title: R
    collapsed: true
    panels:
      - title: Up
        expr: up
      - title: Latency
        kind: timeseries
        width: 12
        height: 8
        unit: ms
        thresholds: {target: "<200"}
        queries:
          - {expr: 'p50', legend: "{{route}}"}
          - {expr: 'p95'}
          - {expr: 'p99', title: Worst, datasource: default}
      - title: Notes
        kind: text
        width: 24
        content: "# Read me\\nfirst"
      - title: Disk
        kind: gauge
        expr: disk_used
        reducer: mean
        graph: false
        min: 0
        max: 1e-5
        mappings:
          - {value: 1, text: UP, color: green}
          - {from: 0, to: 0.5, text: low}
          - {from: 0.5, text: high}
          - {special: nan, text: n/a}
      - title: Pie
        kind: other
        note: a piechart panel
"""


def test_drawing_keys_make_tiles_over_the_rows_panels() -> None:
    (row,) = load_text(TILED, "x.yaml").rows
    assert row.collapsed
    assert [(p.title, p.expr, p.unit, p.legend, p.datasource) for p in row.panels] == [
        ("Up", "up", "", None, None),
        ("Latency · {{route}}", "p50", "ms", "{{route}}", None),
        ("Latency · B", "p95", "ms", None, None),  # Grafana's refId, as its conversion
        ("Worst", "p99", "ms", None, "default"),
        ("Disk", "disk_used", "", None, None),
    ]
    assert all(p.thresholds is not None for p in row.panels[1:4])  # shared by the queries
    assert [p.line for p in row.panels] == [5, 14, 15, 16, 21]
    assert row.tiles == (
        Tile("Up", first=0, count=1, line=5),
        Tile("Latency", kind="timeseries", first=1, count=3, width=12, height=8, line=7),
        Tile("Notes", kind="text", first=4, count=0, width=24, content="# Read me\nfirst", line=17),
        Tile(
            "Disk",
            kind="gauge",
            first=4,
            count=1,
            reducer="mean",
            graph=False,
            min=0.0,
            max=1e-5,  # YAML reads 1e-5 as text: it is still the number
            mappings=(
                ValueMapping("value", "UP", value="1", color="green"),
                ValueMapping("range", "low", low=0.0, high=0.5),
                ValueMapping("range", "high", low=0.5),
                ValueMapping("special", "n/a", special="nan"),
            ),
            line=21,
        ),
        Tile("Pie", kind="other", first=5, count=0, note="a piechart panel", line=33),
    )
    assert row.layout == row.tiles


def test_plain_rows_get_no_tiles() -> None:
    text = PANEL.replace("  - title: R\n", "  - title: R\n    collapsed: true\n")
    (row,) = load_text(text, "x.yaml").rows
    assert row.tiles == ()
    assert row.collapsed
    assert row.layout == (Tile("A", line=5),)
    assert load_text(PANEL, "x.yaml").rows[0].collapsed is False


def test_one_query_in_queries_is_the_panel_itself() -> None:
    text = PANEL.replace("        expr: up\n", "        queries: [{expr: up, legend: '{{job}}'}]\n")
    (row,) = load_text(text, "x.yaml").rows
    assert [(p.title, p.legend) for p in row.panels] == [("A", "{{job}}")]
    assert row.tiles == (Tile("A", line=4),)  # queries: says it is a tile


def test_an_untitled_tile_names_its_queries_untitled() -> None:
    text = (
        "rows:\n  - title: R\n    panels:\n"
        "      - {title: '', width: 6, queries: [{expr: a}, {expr: b}]}\n"
        "      - {title: '', kind: text}\n"
    )
    (row,) = load_text(text, "x.yaml").rows
    assert [p.title for p in row.panels] == ["untitled · A", "untitled · B"]
    assert [t.title for t in row.tiles] == ["", ""]


def test_a_repeated_row_keeps_its_tiles_and_collapse() -> None:
    text = """\
    datasources:
      eu: {url: http://eu:9090}
      us: {url: http://us:9090}
    variables:
      ds: {type: datasource, values: [eu, us]}
    rows:
      - title: Region $ds
        repeat: $ds
        collapsed: true
        panels:
          - {title: Up, kind: timeseries, expr: up}
    """
    rows = load_text(textwrap.dedent(text), "x.yaml").rows
    assert [(r.title, r.collapsed, r.tiles[0].kind) for r in rows] == [
        ("Region eu", True, "timeseries"),
        ("Region us", True, "timeseries"),
    ]


def test_the_panel_limit_counts_queries() -> None:
    queries = "".join(f"          - expr: up{i}\n" for i in range(MAX_PANELS + 1))
    text = "rows:\n  - title: R\n    panels:\n      - title: A\n        queries:\n" + queries
    with pytest.raises(ConfigError, match=f"{MAX_PANELS + 1} panels: more than {MAX_PANELS}"):
        load_text(text, "x.yaml")


_TILE = "rows:\n  - title: R\n    panels:\n      - title: A\n"  # the panel's keys: line 5 on

# Each bad tile: (the panel's keys, line, words in the message, words in the hint).
BAD_TILES = {
    "unknown kind": ("kind: guage\nexpr: up\n", 5, 'kind: unknown kind "guage"', '"gauge"'),
    "grafana kind name": ("kind: graph\nexpr: up\n", 5, 'unknown kind "graph"', "timeseries"),
    "kind nothing close": ("kind: zzz\nexpr: up\n", 5, "unknown kind", "stat, gauge"),
    "width zero": ("width: 0\nexpr: up\n", 5, "width: expected a whole number from 1 to 24", None),
    "width too wide": ("expr: up\nwidth: 25\n", 6, "from 1 to 24", "width: 12"),
    "width in words": ("width: half\nexpr: up\n", 5, "from 1 to 24", None),
    "width a fraction": ("width: 6.5\nexpr: up\n", 5, "from 1 to 24", None),
    "height zero": ("height: 0\nexpr: up\n", 5, "height: expected a whole number from 1", None),
    "unknown reducer": ("reducer: lastNotNul\nexpr: up\n", 5, "unknown reducer", "lastNotNull"),
    # Grafana's "step" reducer is not computed here: refused, not quietly the last value.
    "reducer not computed": ("reducer: step\nexpr: up\n", 5, 'unknown reducer "step"', None),
    "graph not a boolean": ("graph: maybe\nexpr: up\n", 5, "graph: expected true or false", None),
    "min not a number": ("min: low\nexpr: up\n", 5, "min: expected a number", "e.g. 0"),
    "max not finite": ("max: .inf\nexpr: up\n", 5, "max: expected a number", None),
    "max below min": ("min: 10\nmax: 5\nexpr: up\n", 6, "max 5 is not above min 10", "min up"),
    "content on a stat": (
        "content: hi\nexpr: up\n",
        5,
        "content: only for kind: text; this panel is kind: stat",
        "kind: text",
    ),
    "note on a stat": ("note: hi\nexpr: up\n", 5, "note: only for kind: other", None),
    "text with a query": ("kind: text\nexpr: up\n", 6, "a text panel shows its content", "remove"),
    "expr and queries": (
        "expr: up\nqueries: [{expr: a}]\n",
        6,
        "expr: or queries:, not both",
        None,
    ),
    "no expr": ("kind: gauge\n", 4, 'missing key "expr"', "or several: queries:"),
    "null expr": ("expr:\nkind: gauge\n", 5, 'missing key "expr"', None),
    "queries empty": ("queries: []\n", 5, "queries: no queries", "legend"),
    "queries not a list": ("queries: up\n", 5, "queries: expected a list", "queries: [{expr"),
    "query without expr": (
        "queries:\n  - {legend: x}\n",
        6,
        'queries[0]: missing key "expr"',
        None,
    ),
    "query unknown key": (
        "queries:\n  - {expr: up, legnd: x}\n",
        6,
        'queries[0]: unknown key "legnd"',
        '"legend"',
    ),
    "query unknown variable": (
        "queries:\n  - {expr: 'up{job=\"$jb\"}'}\n",
        6,
        'queries[0].expr: unknown variable "$jb"',
        "variables:",
    ),
    "query unknown datasource": (
        "queries:\n  - {expr: up, datasource: nope}\n",
        6,
        'unknown datasource "nope"',
        None,
    ),
    "mappings not a list": ("mappings: {value: 1}\nexpr: up\n", 5, "expected a list", "text: UP"),
    "mapping two matches": (
        "expr: up\nmappings:\n  - {value: 1, from: 0, text: x}\n",
        7,
        "mappings[0]: a mapping matches by value:, from:/to: or special:; this has value and",
        "text: low",
    ),
    "mapping no match": ("expr: up\nmappings: [{text: x}]\n", 6, "this has none of these", None),
    "mapping shows nothing": ("expr: up\nmappings: [{value: 1}]\n", 6, "it has neither", "color:"),
    "mapping unknown special": (
        "expr: up\nmappings: [{special: nul, text: x}]\n",
        6,
        'mappings[0].special: unknown special value "nul"',
        '"null"',
    ),
    "mapping range upside down": (
        "expr: up\nmappings:\n  - {from: 5, to: 1, text: x}\n",
        7,
        "mappings[0].to: to 1 is below from 5",
        None,
    ),
    "mapping unknown key": (
        "expr: up\nmappings: [{value: 1, txt: x}]\n",
        6,
        'unknown key "txt"',
        '"text"',
    ),
    "mapping bound not a number": (
        "expr: up\nmappings: [{from: a, text: x}]\n",
        6,
        "mappings[0].from: expected a number",
        None,
    ),
}


@pytest.mark.parametrize(
    ("keys", "line", "message", "hint"), list(BAD_TILES.values()), ids=list(BAD_TILES)
)
def test_a_bad_tile_key_is_one_clear_error(
    keys: str, line: int, message: str, hint: str | None
) -> None:
    text = _TILE + textwrap.indent(keys, " " * 8)
    with pytest.raises(ConfigError) as caught:
        load_text(text, "x.yaml")
    error = caught.value
    assert error.message.startswith(f"x.yaml:{line}: rows[0].panels[0]"), error.message
    assert message in error.message
    if hint is not None:
        assert error.hint is not None and hint in error.hint, error.hint


def test_only_a_tile_may_be_untitled() -> None:
    with pytest.raises(ConfigError) as caught:
        load_text(PANEL.replace("title: A", "title: ''"), "x.yaml")
    assert caught.value.message == "x.yaml:4: rows[0].panels[0].title: must not be empty"
    assert caught.value.hint is not None and "title: Requests/sec" in caught.value.hint


def test_the_readmes_example_of_drawing_keys_loads() -> None:
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    section = readme.split("### How a panel is drawn", 1)[1]
    example = section.split("```yaml\n", 1)[1].split("```", 1)[0]
    (row,) = load_text(example, "README.md").rows
    assert [(t.kind, t.count) for t in row.tiles] == [("timeseries", 2), ("gauge", 1), ("text", 0)]
    assert row.collapsed


@pytest.mark.parametrize(
    "text",
    [
        # a panel of 600 queries, merged into a second panel
        "rows:\n  - title: R\n    panels:\n      - &p\n        title: A\n        queries:\n"
        + "".join(f"          - {{expr: up{i}}}\n" for i in range(600))
        + "      - <<: *p\n",
        # a row of 600 panels, merged into a second row
        "rows:\n  - &r\n    title: R\n    panels:\n"
        + "".join(f"      - {{title: A{i}, expr: up}}\n" for i in range(600))
        + "  - <<: *r\n",
    ],
    ids=["merged panel", "merged row"],
)
def test_the_panel_limit_counts_what_merge_keys_repeat(text: str) -> None:
    with pytest.raises(ConfigError, match="1200 panels: more than 1000"):
        load_text(text, "x.yaml")


@pytest.mark.parametrize("name", ["p95", "p1", "stdDev", "avg", "last", "allIsNull"])
def test_a_tile_takes_every_reducer_that_is_computed(name: str) -> None:
    panel = f"      - title: T\n        reducer: {name}\n        expr: up\n"
    text = "rows:\n  - title: R\n    panels:\n" + panel
    (row,) = load_text(text, "x.yaml").rows
    assert row.tiles[0].reducer == name
    assert reducers.is_known(name)
