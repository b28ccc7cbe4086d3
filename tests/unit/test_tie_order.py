"""Series that tie on value keep one order, by their labels, whatever order the
answer lists them in: a tick must not swap "node" and "prometheus" because they
came back the other way round."""

from allintop.dashboard.model import Query
from allintop.draw.table import join
from allintop.live.history import QueryHistory, label_key
from allintop.live.panel_states import QueryStates
from allintop.live.reports import SeriesView
from allintop.sources.answers import Sample
from allintop.values.thresholds import Status, make_thresholds, series_order

JOBS = [{"job": "prometheus"}, {"job": "node"}, {"job": "alertmanager"}]


def _names(series) -> list[str]:
    return [view.name for view in series]


def test_a_panels_series_of_equal_value_are_listed_by_their_labels_on_every_tick() -> None:
    for thresholds in (None, make_thresholds(">0.5", "<0.1", "")):
        states = QueryStates([Query("Up", "up", legend="{{job}}", thresholds=thresholds)], 10)
        states.reset(1.0, 10)
        for t, jobs in enumerate((JOBS, JOBS[::-1], JOBS[1:] + JOBS[:1])):
            samples = [Sample(job, 1.0, float(t)) for job in jobs]
            state = states.evaluated(0, float(t), samples, ())
            assert _names(state.series) == ["alertmanager", "node", "prometheus"], t
        # A real difference still leads: the biggest (or the worst) first.
        samples = [Sample(job, 2.0 if job["job"] == "node" else 1.0, 9.0) for job in JOBS]
        first = states.evaluated(0, 9.0, samples, ()).series[0].name
        assert first == ("node" if thresholds is None else "alertmanager")


def test_a_historys_ranking_of_equal_latest_values_is_by_labels_not_arrival() -> None:
    for jobs in (JOBS, JOBS[::-1]):
        history = QueryHistory(step=1, capacity=4)
        history.update(0, [(job, 1.0) for job in jobs])
        ranked = [key for key, _ in history.ranked()]
        assert ranked == [label_key({"job": j}) for j in ("alertmanager", "node", "prometheus")]


def test_a_backfill_at_the_cap_keeps_the_same_series_of_equal_value() -> None:
    kept = []
    for jobs in (JOBS, JOBS[::-1]):
        history = QueryHistory(step=1, capacity=4, max_series=2, order=series_order(None))
        history.backfill([(job, [1.0], [1.0]) for job in jobs], end=1)
        kept.append(set(history.series))
    assert kept[0] == kept[1] == {label_key({"job": "alertmanager"}), label_key({"job": "node"})}


def test_a_tables_rows_of_equal_value_are_in_label_order() -> None:
    for jobs in (JOBS, JOBS[::-1]):
        views = [SeriesView(j["job"], {**j, "i": "x"}, 1.0, Status.OK) for j in jobs]
        table = join([("Up", views)])
        assert [row.labels[0] for row in table.rows] == ["alertmanager", "node", "prometheus"]
