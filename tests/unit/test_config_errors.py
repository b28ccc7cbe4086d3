"""A broken panels.yaml: one clear error with file:line and a hint for each mistake,
secrets never in it, and nothing but ConfigError for any input."""

from __future__ import annotations

from pathlib import Path

import pytest

from allintop.dashboard.loading import load_dashboard, load_text
from allintop.errors import ConfigError
from tests.unit.config_files import PANEL, write

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
