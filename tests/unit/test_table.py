"""A table of instant series: several queries joined on common labels, worst first."""

from allintop.draw.table import common_labels, join
from allintop.live.reports import SeriesView
from allintop.values.thresholds import Status, make_thresholds, series_order


def view(value: float, status: Status = Status.OK, **labels: str) -> SeriesView:
    return SeriesView("", labels, value, status)


def test_two_queries_join_on_their_common_labels_one_value_column_each() -> None:
    rates = [view(5.0, route="/a", job="api"), view(9.0, route="/b", job="api")]
    errors = [view(0.1, route="/b", job="api", code="500")]
    table = join([("rate", rates), ("errors", errors)])
    assert table.labels == ("route", "job")  # the one that tells rows apart first
    assert table.values == ("rate", "errors")
    assert [(r.labels, r.values) for r in table.rows] == [
        (("/b", "api"), (9.0, 0.1)),
        (("/a", "api"), (5.0, None)),
    ]


def test_rows_are_sorted_worst_first_then_by_the_panels_own_order() -> None:
    thresholds = make_thresholds(">99", "<95")
    series = [
        view(99.9, Status.OK, route="/"),
        view(90.0, Status.CRITICAL, route="/login"),
        view(97.0, Status.WARNING, route="/api"),
        view(99.5, Status.OK, route="/x"),
    ]
    table = join([("success", series)], series_order(thresholds))
    assert [r.labels[0] for r in table.rows] == ["/login", "/api", "/x", "/"]
    assert table.rows[0].status is Status.CRITICAL


def test_a_row_missing_from_a_query_is_unknown_there_and_worst_is_the_rows() -> None:
    table = join([("a", [view(1.0, x="1")]), ("b", [view(2.0, Status.CRITICAL, x="2")])])
    first = table.rows[0]
    assert first.labels == ("2",) and first.status is Status.CRITICAL
    assert table.rows[1].statuses == (Status.OK, Status.UNKNOWN)


def test_common_labels_ignore_the_metric_name_and_nothing_is_nothing() -> None:
    assert common_labels([[view(1, __name__="up", job="a")], [view(1, job="b", i="x")]]) == ["job"]
    assert join([]).rows == ()
    assert join([("a", [])]).labels == ()
