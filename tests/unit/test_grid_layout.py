"""Grafana's grid on the terminal (allintop.ui.grid, through allintop.ui.layout.place):
tiles at their gridPos, a grid row of height a line, and the reflow at narrow widths."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from allintop.dashboard.model import Panel
from allintop.ui.grid import Cell, settled
from allintop.ui.layout import MIN_GRID_WIDTH, MIN_PANEL_HEIGHT, MIN_PANEL_WIDTH, Box, place


def _tile(title: str, x: int, y: int, w: int, h: int, kind: str = "stat") -> Panel:
    return Panel(title, kind=kind, width=w, height=h, x=x, y=y)  # type: ignore[arg-type]


def _overlap(a: Box, b: Box) -> bool:
    return a.x < b.x + b.width and b.x < a.x + a.width and a.overlaps(b.y, b.bottom)


def _no_overlaps(boxes) -> None:
    for i, a in enumerate(boxes):
        for b in boxes[i + 1 :]:
            assert not _overlap(a, b), (a, b)


#: A tall chart on the left half, four small stats stacked on its right.
TALL_AND_STACKED = [
    _tile("tall", 0, 0, 12, 8, "timeseries"),
    _tile("one", 12, 0, 12, 2),
    _tile("two", 12, 2, 6, 2),
    _tile("three", 18, 2, 6, 2),
    _tile("four", 12, 4, 12, 4),
]


def test_small_tiles_stack_beside_a_tall_one_as_in_grafana():
    tall, one, two, three, four = place(TALL_AND_STACKED, 200, 57)
    assert (tall.x, tall.width) == (0, 100)
    assert one.x == two.x == four.x == 100 and three.x == 150
    # Each stacked under the one above it, beside the tall one, never under it.
    assert one.y == 0 and two.y == three.y == one.bottom and four.y == two.bottom
    assert min(one.height, two.height) == MIN_PANEL_HEIGHT  # 2 grid rows: held at 3 lines
    assert four.height == 4  # a grid row a line
    # The tall tile reaches the bottom of the stack beside it.
    assert tall.y == 0 and tall.bottom == four.bottom
    _no_overlaps(place(TALL_AND_STACKED, 200, 57))


def test_node_exporter_quick_row_puts_rootfs_under_cpu_cores_beside_the_gauges():
    gauges = [_tile(f"g{i}", 3 * i, 0, 3, 4, "gauge") for i in range(6)]
    stats = [
        _tile("CPU Cores", 18, 0, 2, 2),
        _tile("RAM Total", 20, 0, 2, 2),
        _tile("SWAP Total", 22, 0, 2, 2),
        _tile("RootFS Total", 18, 2, 2, 2),
        _tile("Uptime", 20, 2, 4, 2),
    ]
    boxes = place(gauges + stats, 198, 57)
    cores, ram, _, rootfs, uptime = boxes[6:]
    assert rootfs.x == cores.x and rootfs.y == cores.bottom
    assert uptime.x == ram.x and uptime.y == ram.bottom
    assert all(g.x + g.width <= cores.x for g in boxes[:6])  # beside the gauges
    assert rootfs.y < boxes[0].bottom  # on the gauges' lines, not under them
    _no_overlaps(boxes)


def test_grid_y_follows_grafanas_and_a_gap_floats_up():
    # Grafana compacts its grid upwards: nothing above the second, so it moves up to
    # the first one's bottom; the third, in other columns, goes to the top.
    tiles = [_tile("a", 0, 0, 12, 3), _tile("b", 0, 10, 12, 3), _tile("c", 12, 5, 12, 3)]
    a, b, c = place(tiles, 120, 40)
    assert (a.y, b.y, c.y) == (0, 3, 0)


def test_overlapping_and_odd_grid_positions_are_made_whole():
    tiles = [
        _tile("a", 0, 0, 12, 4),
        _tile("overlaps a", 6, 1, 12, 4),
        _tile("past the edge", 20, 0, 10, 3),
        _tile("same place", 0, 0, 12, 4),
    ]
    cells = settled([Cell(t.x or 0, t.y or 0, t.width, t.height) for t in tiles])
    assert cells[2].x + cells[2].w == 24 and cells[2].w == 10
    boxes = place(tiles, 200, 57)
    _no_overlaps(boxes)
    assert boxes[1].y >= boxes[0].bottom and boxes[3].y >= boxes[0].bottom
    assert all(b.x >= 0 and b.x + b.width <= 200 for b in boxes)


def test_at_80_columns_the_row_reflows_in_grafanas_reading_order():
    # Given out of order (a panels.yaml may be): read top to bottom, then left to right.
    tiles = [
        _tile("under", 0, 4, 4, 2),
        _tile("right", 8, 0, 4, 4),
        _tile("left", 0, 0, 4, 4),
        _tile("middle", 4, 0, 4, 4),
    ]
    assert place(tiles, 200, 57)[2].width >= MIN_GRID_WIDTH  # wide enough: a grid
    under, right, left, middle = place(tiles, 80, 21)
    assert all(b.width >= MIN_PANEL_WIDTH for b in (under, right, left, middle))
    reading = sorted(
        [("under", under), ("right", right), ("left", left), ("middle", middle)],
        key=lambda named: (named[1].y, named[1].x),
    )
    assert [name for name, _ in reading] == ["left", "middle", "right", "under"]


def test_tiles_without_grid_places_flow_as_they_are_given():
    tiles = [Panel("a", width=12, height=4), Panel("b", width=12, height=4)]
    a, b = place(tiles, 200, 57)
    assert (a.y, b.y, a.x, b.x) == (0, 0, 0, 100)


@given(
    st.lists(
        st.tuples(st.integers(0, 30), st.integers(0, 40), st.integers(0, 24), st.integers(0, 30)),
        min_size=1,
        max_size=12,
    ),
    st.integers(10, 320),
    st.integers(3, 80),
)
def test_any_grid_is_placed_without_overlaps_inside_the_width(cells, width, height):
    tiles = [_tile(str(i), x, y, w, h) for i, (x, y, w, h) in enumerate(cells)]
    boxes = place(tiles, width, height)
    assert len(boxes) == len(tiles)
    _no_overlaps(boxes)
    for box in boxes:
        assert box.x >= 0 and box.x + box.width <= width
        assert box.height >= min(MIN_PANEL_HEIGHT, height)
