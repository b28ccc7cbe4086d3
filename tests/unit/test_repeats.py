"""Repeated rows and panels (allintop.dashboard.repeats): a copy per value picked,
placed as Grafana places them, each copy's queries and titles with its value."""

from __future__ import annotations

from allintop.dashboard.datasource import Datasource
from allintop.dashboard.loading import load_dashboard
from allintop.dashboard.model import Dashboard, Panel, Query, Row, Variable
from allintop.dashboard.repeats import expand, placed
from allintop.live.queries import Queries
from allintop.ui.layout import place
from tests import corpus

HOSTS = Variable("host", values=("a", "b", "c", "d", "e"), kind="custom", multi=True)


def _board(*rows: Row, variables=(HOSTS,)) -> Dashboard:
    return Dashboard("x.json", Datasource(), 5.0, 900.0, tuple(variables), rows, "Board")


def _row(*tiles: Panel, repeat: str | None = None, title: str = "Row") -> Row:
    queries = tuple(Query(t.title, f'up{{host=~"$host", n="{i}"}}') for i, t in enumerate(tiles))
    panels = tuple(Panel(**{**t.__dict__, "first": i, "count": 1}) for i, t in enumerate(tiles))
    return Row(title, queries, panels=panels, repeat=repeat)


def _places(row: Row) -> list[tuple[str, int | None, int | None, int]]:
    return [(p.title, p.x, p.y, p.width) for p in row.panels]


def test_copies_side_by_side_share_the_width_up_to_max_per_row() -> None:
    tile = Panel("CPU of $host", x=0, y=0, width=6, height=4, repeat="host")
    below = Panel("Below", x=0, y=4, width=24, height=3)
    board = _board(_row(tile, below))
    three = expand(board, {"host": ("a", "b", "c")}, {}).rows[0]
    assert _places(three) == [
        ("CPU of a", 0, 0, 8),
        ("CPU of b", 8, 0, 8),
        ("CPU of c", 16, 0, 8),
        ("Below", 0, 4, 24),
    ]
    # Five: a quarter each (Grafana's 4 a line), the fifth on a line of its own, and
    # the panel below moved down under it.
    five = expand(board, {"host": ("a", "b", "c", "d", "e")}, {}).rows[0]
    assert _places(five)[3:] == [("CPU of d", 18, 0, 6), ("CPU of e", 0, 4, 6), ("Below", 0, 8, 24)]
    # Each copy's queries select its own value.
    assert [q.expr for q in five.queries][:2] == ['up{host=~"a", n="0"}', 'up{host=~"b", n="0"}']
    assert [p.first for p in five.panels] == list(range(6))


def test_max_per_row_and_a_vertical_repeat() -> None:
    wide = Panel("$host", x=0, y=0, width=6, height=4, repeat="host", max_per_row=2)
    assert [(c.x, c.y, c.width) for c in placed(wide, 3)] == [(0, 0, 12), (12, 0, 12), (0, 4, 12)]
    tall = Panel("$host", x=12, y=2, width=12, height=3, repeat="host", repeat_direction="v")
    assert [(c.x, c.y, c.width) for c in placed(tall, 3)] == [(12, 2, 12), (12, 5, 12), (12, 8, 12)]


def test_a_repeated_row_is_the_row_per_value_with_its_panels_bound() -> None:
    row = _row(Panel("Load of $host", x=0, y=0, width=12, height=4), repeat="host")
    rows = expand(_board(row), {"host": ("a", "b")}, {}).rows
    assert [(r.title, r.panels[0].title, r.queries[0].expr) for r in rows] == [
        ("Row", "Load of a", 'up{host=~"a", n="0"}'),
        ("Row", "Load of b", 'up{host=~"b", n="0"}'),
    ]


def test_all_makes_a_copy_per_option_once_they_are_known() -> None:
    hosts = Variable("host", query="label_values(up, host)", multi=True, include_all=True)
    tile = Panel("$host", x=0, y=0, width=6, height=4, repeat="host")
    board = _board(_row(tile), variables=(hosts,))
    assert expand(board, {"host": "all"}, {}).rows == board.rows  # not asked yet: once
    (row,) = expand(board, {"host": "all"}, {"host": ("10.0.0.1:9100", "b")}).rows
    assert [p.title for p in row.panels] == ["10.0.0.1:9100", "b"]
    # A value lands in a regex matcher regex-quoted, as any value does.
    assert row.queries[0].expr == 'up{host=~"10\\\\.0\\\\.0\\\\.1:9100", n="0"}'


def test_a_repeat_over_no_known_variable_or_nothing_repeated_is_as_loaded() -> None:
    board = _board(_row(Panel("x", x=0, y=0, width=6, repeat="gone")))
    assert expand(board, {}, {}) == board
    plain = _board(_row(Panel("x", x=0, y=0, width=6)))
    assert expand(plain, {"host": "a"}, {}) is plain


def test_the_repositorys_repeated_row_and_panel_at_run_time() -> None:
    dashboard = load_dashboard(corpus.own("rows.json"))
    queries = Queries.start(dashboard, {"instance": ("a:9100", "b:9100")})
    rows = queries.dashboard.rows
    assert [r.title for r in rows[-2:]] == ["Per instance: a:9100", "Per instance: b:9100"]
    # The panel repeats for the row's own variable: once in each copy, with its value.
    assert [[p.title for p in r.panels] for r in rows[-2:]] == [["Up of a:9100"], ["Up of b:9100"]]
    assert queries.exprs[-2:] == ['up{instance=~"a:9100"}', 'up{instance=~"b:9100"}']
    # A new pick: other copies.
    assert queries.pick({"instance": ("c:9100",)})
    assert [r.title for r in queries.dashboard.rows][-1] == "Per instance: c:9100"
    assert queries.exprs[-1] == 'up{instance=~"c:9100"}'


def test_copies_on_the_grid_never_overlap_what_was_below() -> None:
    tile = Panel("$host", x=0, y=0, width=6, height=4, repeat="host")
    beside = Panel("Beside", x=12, y=0, width=12, height=8)
    below = Panel("Below", x=0, y=4, width=12, height=4)
    (row,) = expand(_board(_row(tile, beside, below)), {"host": ("a", "b", "c", "d", "e")}, {}).rows
    boxes = place(row.panels, 200, 57)
    for i, a in enumerate(boxes):
        for b in boxes[i + 1 :]:
            assert not (a.x < b.x + b.width and b.x < a.x + a.width and a.overlaps(b.y, b.bottom))
