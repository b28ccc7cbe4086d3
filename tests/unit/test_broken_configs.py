"""A corpus of broken panels.yaml files: each ends in one clear ConfigError naming the
file and the line, in bounded time and memory. The huge and binary ones are made
here rather than kept in the repository."""

from __future__ import annotations

import os
import random
import resource
import time
from pathlib import Path

import pytest

from allintop.dashboard.loading import MAX_CONFIG_BYTES, load_dashboard, load_text
from allintop.dashboard.panels_yaml.rows import MAX_PANELS
from allintop.errors import ConfigError

CORPUS = Path(__file__).resolve().parent.parent / "data" / "broken-configs"

# file: (line, words the message must hold, words the hint must hold or None)
EXPECTED: dict[str, tuple[int, str, str | None]] = {
    "alias-bomb.yaml": (2, "1681 panels: more than 1000 cannot be shown", "split"),
    "bom-then-bad-refresh.yaml": (4, "refresh: not a duration: 'soon'", "units"),
    "colon-in-title.yaml": (4, "invalid YAML: mapping values", 'quote a value that contains ": "'),
    "control-characters.yaml": (3, "special characters are not allowed", None),
    "crlf-wrong-decimals.yaml": (7, "decimals: expected a whole number", "decimals: 1"),
    "decimals-is-text.yaml": (6, "decimals: expected a whole number", "decimals: 1"),
    "duplicate-keys.yaml": (8, 'duplicate key "unit"', "silently keep only the last"),
    "empty.yaml": (1, "the file is empty", "rows:"),
    "inline-secret.yaml": (3, 'inline secret "token" is not allowed', "token_env"),
    "negative-refresh.yaml": (1, "is negative", None),
    "only-comments.yaml": (1, "the file is empty", None),
    "panel-is-a-string.yaml": (4, "expected a mapping (key: value lines), got text", None),
    "refresh-is-a-list.yaml": (1, "refresh: expected a single value, got a list", None),
    "rows-is-text.yaml": (2, "rows: expected a list, got text", "rows: [{title"),
    "tabs.yaml": (4, "invalid YAML", "indent with spaces"),
    "two-documents.yaml": (4, "another document", "remove the second ---"),
    "unclosed-bracket.yaml": (7, "invalid YAML", "indentation and the quoting"),
    "unknown-key.yaml": (6, 'unknown key "treshold"', 'did you mean "thresholds"?'),
    "unquoted-threshold.yaml": (7, "invalid YAML", "quote values that start with > or <"),
}
TIME_LIMIT_S = 2.0


def _error(path: Path) -> tuple[ConfigError, float]:
    started = time.monotonic()
    with pytest.raises(ConfigError) as caught:
        load_dashboard(path)
    return caught.value, time.monotonic() - started


def test_every_corpus_file_has_an_expectation() -> None:
    assert sorted(p.name for p in CORPUS.glob("*.yaml")) == sorted(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_broken_config_is_one_clear_error_at_its_line(name: str) -> None:
    line, words, hint = EXPECTED[name]
    path = CORPUS / name
    error, elapsed = _error(path)
    assert error.message.startswith(f"{path}:{line}: "), error.message
    assert words in error.message
    if hint is not None:
        assert error.hint is not None and hint in error.hint
    assert "Traceback" not in str(error)
    assert elapsed < TIME_LIMIT_S


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def test_a_50_mb_file_is_refused_without_reading_it_all(tmp_path: Path) -> None:
    path = tmp_path / "panels.yaml"
    line = b"      - {title: Requests, expr: 'sum(rate(allin_http_requests_total[5m]))'}\n"
    with path.open("wb") as out:
        out.write(b"rows:\n  - title: Traffic\n    panels:\n")
        out.write(line * (50 * 1024 * 1024 // len(line)))
    assert path.stat().st_size > 49 * 1024 * 1024
    before = _peak_rss_mb()
    error, elapsed = _error(path)
    assert error.message == f"{path}: more than 1 MB, too big for a panels.yaml"
    assert error.hint and "right file" in error.hint
    assert elapsed < TIME_LIMIT_S
    assert _peak_rss_mb() - before < 20  # read 1 MB, not 50


def test_large_text_is_refused_too() -> None:
    with pytest.raises(ConfigError, match="too big for a panels.yaml"):
        load_text("#" * (MAX_CONFIG_BYTES + 1), "big.yaml")


def test_a_file_just_under_the_limit_still_loads(tmp_path: Path) -> None:
    path = tmp_path / "panels.yaml"
    body = "rows:\n  - title: Traffic\n    panels: [{title: Requests, expr: up}]\n"
    path.write_text(body + "#" * (MAX_CONFIG_BYTES - len(body) - 1) + "\n")
    assert path.stat().st_size == MAX_CONFIG_BYTES
    assert load_dashboard(path).queries[0].title == "Requests"


def test_exactly_the_panel_limit_loads(tmp_path: Path) -> None:
    path = tmp_path / "panels.yaml"
    panels = "".join(f"      - {{title: p{i}, expr: up}}\n" for i in range(MAX_PANELS))
    path.write_text(f"rows:\n  - title: Many\n    panels:\n{panels}")
    assert len(load_dashboard(path).queries) == MAX_PANELS
    path.write_text(
        f"rows:\n  - title: Many\n    panels:\n{panels}      - {{title: x, expr: up}}\n"
    )
    error, _ = _error(path)
    assert f"{MAX_PANELS + 1} panels" in error.message


@pytest.mark.parametrize("seed", range(5))
def test_binary_garbage_is_refused_as_not_utf8(tmp_path: Path, seed: int) -> None:
    data = random.Random(seed).randbytes(4096)
    path = tmp_path / "panels.yaml"
    path.write_bytes(data)
    error, elapsed = _error(path)
    assert error.message == f"{path} is not UTF-8 text"
    assert elapsed < TIME_LIMIT_S


def test_nul_bytes_in_utf8_text_are_a_yaml_error_at_their_line(tmp_path: Path) -> None:
    path = tmp_path / "panels.yaml"
    path.write_bytes(b"rows:\n  - title: A\x00B\n")
    error, _ = _error(path)
    assert error.message.startswith(f"{path}:2: invalid YAML")


def test_deep_nesting_is_refused_quickly(tmp_path: Path) -> None:
    path = tmp_path / "panels.yaml"
    path.write_text("rows: " + "[" * 100_000 + "]" * 100_000 + "\n")
    error, elapsed = _error(path)
    assert "nested too deeply" in error.message
    assert elapsed < 10 * TIME_LIMIT_S


def test_a_directory_or_unreadable_file_is_a_config_error(tmp_path: Path) -> None:
    error, _ = _error(tmp_path)
    assert error.message.startswith(f"cannot read {tmp_path}")
    if os.geteuid() != 0:  # root reads anything
        path = tmp_path / "panels.yaml"
        path.write_text("rows: []\n")
        path.chmod(0)
        error, _ = _error(path)
        assert "cannot read" in error.message
