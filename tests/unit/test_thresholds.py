"""Threshold notation and status (allintop.values.thresholds)."""

from __future__ import annotations

import math

import pytest

from allintop.values.thresholds import (
    Status,
    Threshold,
    Thresholds,
    UnitMismatchError,
    make_thresholds,
    parse_threshold,
    series_order,
    status_of,
)

INF = math.inf
NAN = math.nan


@pytest.mark.parametrize(
    ("text", "unit", "op", "value"),
    [
        ("<200", "", "<", 200.0),
        ("<=200", "", "<=", 200.0),
        (">99", "", ">", 99.0),
        (">= 99", "", ">=", 99.0),
        ("  < 50  ", "ms", "<", 50.0),
        ("<1.5", "", "<", 1.5),
        ("<.5", "", "<", 0.5),
        ("<1e3", "", "<", 1000.0),
        (">-5", "", ">", -5.0),
        (">99%", "%", ">", 99.0),
        ("<50ms", "ms", "<", 50.0),
        ("<50 ms", "ms", "<", 50.0),
        ("<1s", "ms", "<", 1000.0),
        ("<500ms", "s", "<", 0.5),
        ("<1GB", "MB", "<", 1024.0),
        (">1.5GB", "MB", ">", 1536.0),
        ("<1GB", "bytes", "<", 1073741824.0),
        (">100req/s", "req/s", ">", 100.0),
        # byte rates, written in another magnitude of the panel's unit (binary)
        ("<10MB/s", "B/s", "<", 10 * 1024**2),
        ("<10 MB/s", "bytes/s", "<", 10 * 1024**2),
        (">512KB/s", "MB/s", ">", 0.5),
        ("<1GiB/s", "Bps", "<", 1024**3),
        # bit rates (decimal), also on a byte-rate panel
        ("<1Gbit/s", "bit/s", "<", 1e9),
        ("<100Mbps", "bps", "<", 1e8),
        (">1.5Gbit/s", "Mbit/s", ">", 1500.0),
        ("<1Gbit/s", "B/s", "<", 125_000_000.0),
    ],
)
def test_parse_threshold(text: str, unit: str, op: str, value: float) -> None:
    threshold = parse_threshold(text, unit)
    assert threshold.op == op
    assert threshold.value == pytest.approx(value)
    assert threshold.text == text.strip()  # as written


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("200", "no comparison operator"),
        ("=200", "no comparison operator"),
        ("==200", "no comparison operator"),
        ("", "empty threshold"),
        ("<<5", "needs a number"),
        ("<abc", "needs a number"),
        ("<", "needs a number"),
        ("< 5 5", "panel's unit"),  # "5" is read as a unit suffix, which converts to nothing
    ],
)
def test_parse_threshold_rejects_bad_notation(text: str, message: str) -> None:
    with pytest.raises(ValueError, match=message) as caught:
        parse_threshold(text)
    if "operator" in message or "number" in message:
        assert '"<200"' in str(caught.value)  # shows how to write it


@pytest.mark.parametrize(
    ("text", "unit"),
    [("<1GB", "ms"), ("<50ms", "%"), (">99%", ""), (">99%", "ms"), ("<5ms", "MB"), ("<1x", "")],
)
def test_parse_threshold_rejects_incompatible_unit(text: str, unit: str) -> None:
    with pytest.raises(UnitMismatchError, match="panel's unit"):
        parse_threshold(text, unit)


@pytest.mark.parametrize(
    ("text", "unit", "why"),
    [
        ("<10MB/s", "ms", '"MB/s" is a data rate, "ms" a duration'),
        ("<10MB", "MB/s", '"MB" is a size, "MB/s" a data rate'),
        ("<1Gbit/s", "GB", '"Gbit/s" is a data rate, "GB" a size'),
        ("<10MB/s", "req/s", ""),  # req/s is no kind allintop knows: nothing to explain
    ],
)
def test_a_rate_threshold_on_a_panel_of_another_kind_says_why(
    text: str, unit: str, why: str
) -> None:
    with pytest.raises(UnitMismatchError) as caught:
        parse_threshold(text, unit)
    message = str(caught.value)
    assert message.startswith(f'threshold "{text}" is in "{text[1:].lstrip("0123456789 ")}"')
    assert f'the panel\'s unit is "{unit}"' in message
    assert why in message
    assert "write it without a unit" in message


@pytest.mark.parametrize(
    ("op", "limit", "value", "met"),
    [
        ("<", 200, 199.9, True),
        ("<", 200, 200, False),  # the boundary does not meet a strict target
        ("<", 200, 200.1, False),
        ("<=", 200, 200, True),
        ("<=", 200, 200.1, False),
        (">", 99, 99, False),
        (">", 99, 99.01, True),
        (">=", 99, 99, True),
        (">=", 99, 98.99, False),
        ("<", 200, -INF, True),
        ("<", 200, INF, False),
        (">", 99, INF, True),
        ("<", 200, NAN, False),
        (">=", 99, NAN, False),
    ],
)
def test_met_by(op: str, limit: float, value: float, met: bool) -> None:
    threshold = parse_threshold(f"{op}{limit}")
    assert threshold.met_by(value) is met


P95 = make_thresholds("<200", ">500", "ms")
SUCCESS = make_thresholds(">99", "<95", "%")


@pytest.mark.parametrize(
    ("value", "thresholds", "status"),
    [
        # lower is better (P95: target <200, alert >500)
        (100, P95, Status.OK),
        (199.99, P95, Status.OK),
        (200, P95, Status.WARNING),  # not < 200, not > 500
        (500, P95, Status.WARNING),
        (500.01, P95, Status.CRITICAL),
        (INF, P95, Status.CRITICAL),
        (-INF, P95, Status.OK),
        (None, P95, Status.UNKNOWN),
        (NAN, P95, Status.UNKNOWN),
        # higher is better (Success Rate: target >99, alert <95)
        (99.5, SUCCESS, Status.OK),
        (99, SUCCESS, Status.WARNING),
        (95, SUCCESS, Status.WARNING),
        (94.9, SUCCESS, Status.CRITICAL),
        (-INF, SUCCESS, Status.CRITICAL),
        # only a target
        (10, Thresholds(target=parse_threshold("<50")), Status.OK),
        (50, Thresholds(target=parse_threshold("<50")), Status.WARNING),
        (1e9, Thresholds(target=parse_threshold("<50")), Status.WARNING),
        (NAN, Thresholds(target=parse_threshold("<50")), Status.UNKNOWN),
        # only an alert
        (10, Thresholds(alert=parse_threshold(">100")), Status.OK),
        (100, Thresholds(alert=parse_threshold(">100")), Status.OK),
        (100.5, Thresholds(alert=parse_threshold(">100")), Status.CRITICAL),
        (100, Thresholds(alert=parse_threshold(">=100")), Status.CRITICAL),
        (None, Thresholds(alert=parse_threshold(">100")), Status.UNKNOWN),
        # no thresholds
        (42, None, Status.OK),
        (42, Thresholds(), Status.OK),
        (-INF, None, Status.OK),
        (None, None, Status.UNKNOWN),
        (NAN, None, Status.UNKNOWN),
        (NAN, Thresholds(), Status.UNKNOWN),
    ],
)
def test_status_of(value: float | None, thresholds: Thresholds | None, status: Status) -> None:
    assert status_of(value, thresholds) is status


def test_status_is_a_string_for_css_classes() -> None:
    assert [str(status) for status in Status] == ["ok", "warning", "critical", "unknown"]
    assert f"-{Status.CRITICAL}" == "-critical"


@pytest.mark.parametrize(
    ("target", "alert", "unit", "values"),
    [
        ("<50", ">100", "ms", (50.0, 100.0)),
        ("<200", ">500", "ms", (200.0, 500.0)),
        (">99", "<95", "%", (99.0, 95.0)),
        ("<1GB", ">1.5GB", "MB", (1024.0, 1536.0)),
        ("<10MB/s", ">50MB/s", "B/s", (10 * 1024**2, 50 * 1024**2)),
        ("<800Mbit/s", ">1Gbit/s", "bit/s", (8e8, 1e9)),
        ("<200", ">200", "", (200.0, 200.0)),  # touching, but exactly 200 is neither
        ("<=200", ">200", "", (200.0, 200.0)),
        ("<200", ">=200", "", (200.0, 200.0)),
        (">=99", "<99", "", (99.0, 99.0)),
        ("<200", None, "", (200.0, None)),
        (None, ">500", "", (None, 500.0)),
        (None, None, "", (None, None)),
    ],
)
def test_make_thresholds(
    target: str | None, alert: str | None, unit: str, values: tuple[float | None, float | None]
) -> None:
    thresholds = make_thresholds(target, alert, unit)
    assert (_value(thresholds.target), _value(thresholds.alert)) == values


def _value(threshold: Threshold | None) -> float | None:
    return None if threshold is None else threshold.value


@pytest.mark.parametrize(
    ("target", "alert", "message"),
    [
        ("<200", "<500", "point the same way"),
        (">99", ">95", "point the same way"),
        ("<=200", "<=500", "point the same way"),
        ("<200", ">100", "overlap"),  # 150 would be both on target and alerting
        (">95", "<99", "overlap"),
        ("<=200", ">=200", "overlap"),  # 200 would meet both
        (">=99", "<=99", "overlap"),
    ],
)
def test_make_thresholds_rejects_inconsistent_pairs(target: str, alert: str, message: str) -> None:
    with pytest.raises(ValueError, match=message) as caught:
        make_thresholds(target, alert)
    assert target in str(caught.value) and alert in str(caught.value)


def test_make_thresholds_reports_bad_notation() -> None:
    with pytest.raises(ValueError, match="no comparison operator"):
        make_thresholds("<200", "500")


def test_thresholds_are_frozen() -> None:
    threshold = parse_threshold("<200")
    with pytest.raises(AttributeError):
        threshold.value = 5  # type: ignore[misc]


# -- worst first --------------------------------------------------------------------


def _ordered(values, target=None, alert=None, unit=""):
    thresholds = None if target is None and alert is None else make_thresholds(target, alert, unit)
    return sorted(values, key=series_order(thresholds))


def test_without_thresholds_the_biggest_leads_and_nan_is_last():
    assert _ordered([1.0, math.nan, 5.0, 3.0])[:3] == [5.0, 3.0, 1.0]


def test_a_higher_is_better_target_puts_the_lowest_first():
    assert _ordered([99.9, 99.5, 80.0, 97.0], ">99", "<95") == [80.0, 97.0, 99.5, 99.9]


def test_a_lower_is_better_target_puts_the_highest_first():
    assert _ordered([100.0, 700.0, 300.0], "<200", ">500") == [700.0, 300.0, 100.0]


def test_an_alert_level_alone_says_which_way_is_worse():
    assert _ordered([10.0, 90.0, 50.0], alert=">80") == [90.0, 50.0, 10.0]
    assert _ordered([10.0, 90.0, 50.0], alert="<20") == [10.0, 50.0, 90.0]


def test_severity_comes_before_value():
    # Critical before warning before ok, NaN (no verdict) after them all.
    ordered = _ordered([math.nan, 99.5, 96.0, 90.0], ">99", "<95")
    assert ordered[:3] == [90.0, 96.0, 99.5] and math.isnan(ordered[3])
