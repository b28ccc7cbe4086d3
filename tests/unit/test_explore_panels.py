"""Explore's ctrl+s: the query appended as a panel to the row "Explore" of the
user's panels.yaml, as text (comments and layout survive); bundled dashboards and
Grafana files are never written."""

from __future__ import annotations

from pathlib import Path

import pytest

from allintop.dashboard.explore_panels import append_panel, refusal, with_panel
from allintop.dashboard.loading import BUNDLED, bundled_path, load_dashboard
from allintop.errors import ConfigError

USERS = """\
# My team's dashboard: keep this comment.
refresh: 5s   # fast enough
rows:
  - title: Overview   # the top row
    panels:
      - title: Up
        expr: up  # is it up?
      - title: Rates
        expr: |
          sum(
            rate(allin_http_requests_total[1m]))

  # a note after the rows
range: 15m
"""


def _rows(path: Path) -> list[tuple[str, list[tuple[str, str]]]]:
    dashboard = load_dashboard(path)
    out = []
    for row in dashboard.rows:
        out.append((row.title, [(q.title, q.expr) for q in row.queries]))
    return out


def test_a_row_explore_is_made_at_the_end_and_then_reused(tmp_path: Path):
    path = tmp_path / "panels.yaml"
    path.write_text(USERS)
    append_panel(path, "5xx", 'sum(rate(allin_http_requests_total{code=~"5.."}[1m]))')
    append_panel(path, "by route # not a comment", "sum by (route) (up)")
    text = path.read_text()
    # Every line the user wrote is still there, in order, comments included.
    kept = iter(text.splitlines())
    assert all(any(line == mine for line in kept) for mine in USERS.splitlines())
    rows = _rows(path)
    assert [title for title, _ in rows] == ["Overview", "Explore"]
    assert rows[1][1] == [
        ("5xx", 'sum(rate(allin_http_requests_total{code=~"5.."}[1m]))'),
        ("by route # not a comment", "sum by (route) (up)"),
    ]
    assert text.count("title: Explore") == 1
    assert load_dashboard(path).range == 900  # the keys after the rows still read


def test_an_explore_row_anywhere_is_the_one_added_to(tmp_path: Path):
    path = tmp_path / "panels.yaml"
    path.write_text(
        "rows:\n"
        "- title: Explore\n"
        "  panels:\n"
        "  - {title: Old, expr: up}   # flow style inside is fine\n"
        "- title: Later\n"
        "  panels:\n"
        "  - title: L\n"
        "    expr: up\n"
    )
    append_panel(path, "New", "count(up)", datasource=None)
    assert _rows(path) == [
        ("Explore", [("Old", "up"), ("New", "count(up)")]),
        ("Later", [("L", "up")]),
    ]
    assert "# flow style inside is fine" in path.read_text()


def test_a_new_file_gets_the_row_and_a_datasource_is_named_when_not_the_default(
    tmp_path: Path,
):
    path = tmp_path / "mine.yaml"
    append_panel(path, "Up", "up")
    assert _rows(path) == [("Explore", [("Up", "up")])]
    text = with_panel(path.read_text(), {"title": "B", "expr": "up", "datasource": "b"}, "x")
    assert "datasource: b" in text


def test_bundled_and_grafana_files_are_refused_and_left_alone(tmp_path: Path):
    for name in BUNDLED:
        path = bundled_path(name)
        before = path.read_bytes()
        with pytest.raises(ConfigError, match="bundled with allintop") as refused:
            append_panel(path, "x", "up")
        assert "-o FILE" in str(refused.value)
        assert path.read_bytes() == before
    grafana = tmp_path / "board.json"
    grafana.write_text('{"panels": []}')
    with pytest.raises(ConfigError, match="Grafana dashboard"):
        append_panel(grafana, "x", "up")
    assert grafana.read_text() == '{"panels": []}'
    assert refusal(None) is not None and refusal(tmp_path / "panels.yaml") is None


def test_what_cannot_be_added_to_is_said_and_the_file_untouched(tmp_path: Path):
    path = tmp_path / "panels.yaml"
    for text, said in (
        ("rows: [{title: A, panels: [{title: B, expr: up}]}]\n", "no block list of rows"),
        ("rows:\n  - title: Explore\n    panels: []\n", "no block list of panels"),
        ("rows:\n  - title: [unclosed\n", "not valid YAML"),
    ):
        path.write_text(text)
        with pytest.raises(ConfigError, match=said):
            append_panel(path, "x", "up")
        assert path.read_text() == text
    # A panel the file cannot take (a datasource it does not have) is not written.
    path.write_text(USERS)
    with pytest.raises(ConfigError):
        append_panel(path, "x", "up", datasource="nowhere")
    assert path.read_text() == USERS


def test_o_names_the_file_explore_writes_to_and_refuses_what_it_must_not(tmp_path: Path):
    from allintop.cli.parser import build_parser
    from allintop.cli.setup import resolve

    config = tmp_path / "panels.yaml"
    config.write_text(USERS)

    def launch(*argv: str):
        args = build_parser().parse_args(["-c", str(config), *argv])
        return resolve(args, {"XDG_CONFIG_HOME": str(tmp_path / "xdg")})

    assert launch().explore_to is None
    mine = tmp_path / "explored.yaml"
    assert launch("-o", str(mine)).explore_to == mine
    assert launch("--explore-to", str(mine)).explore_to == mine
    for bad, said in (
        (str(bundled_path("allin-overview")), "bundled with allintop"),
        (str(tmp_path / "board.json"), "Grafana dashboard"),
        (str(tmp_path / "missing" / "x.yaml"), "does not exist"),
        (str(tmp_path), "is a directory"),
    ):
        with pytest.raises(ConfigError, match=said) as refused:
            launch("-o", bad)
        assert str(refused.value).startswith("-o ")
