"""Property tests: any input to the parsers ends in a value or a clear error.

allintop runs from cron and from scripts when things are broken; a traceback from its
own configuration or from a strange answer is never acceptable. Each property feeds
arbitrary input (text, bytes, YAML shapes, JSON shapes, numbers) and accepts exactly
two outcomes: the typed result, or the module's own error with a message.
"""

from __future__ import annotations

import contextlib
import json
import math
import tempfile
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from allintop.dashboard.loading import load_dashboard, load_text
from allintop.dashboard.model import Dashboard
from allintop.errors import ConfigError, PrometheusError
from allintop.sources.answers import InstantResult, RangeResult
from allintop.sources.decoding import instant, matrix
from allintop.sources.prometheus import PrometheusClient
from allintop.values.durations import format_duration, parse_duration
from allintop.values.thresholds import Thresholds, make_thresholds, parse_threshold
from allintop.values.units import convert, format_value

# Fast enough for every CI run; deadline off because the machines are shared.
FAST = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
UNITS = ["", "ms", "s", "%", "bytes", "B", "MB", "GB", "B/s", "MB/s", "bit/s", "Mbit/s",
         "req/s", "ops", "widgets", "µs", "ns", "KiB", "1/s", "m", "h"]  # fmt: skip


def _message(error: Exception) -> str:
    text = str(error)
    assert text.strip(), f"{type(error).__name__} without a message"
    return text


# -- config ---------------------------------------------------------------------------

CONFIG_KEYS = ["title", "refresh", "range", "rows", "panels", "expr", "unit", "decimals",
               "thresholds", "target", "alert", "alerts", "legend", "variables", "query",
               "values", "default", "datasource", "url", "timeout", "headers", "auth",
               "token_env", "token_file", "username", "password_env", "ca_file", "insecure",
               "alertmanager", "typo"]  # fmt: skip
SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**12), max_value=10**12),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from(
        [
            "5s",
            "15m",
            "0s",
            "-1s",
            "1h30m",
            "<200",
            ">500",
            "rate(x[5m])",
            "sum(",
            "ms",
            "%",
            "$job",
            "{{instance}}",
            "http://127.0.0.1:9090",
            "~/x",
            "",
            " ",
            "\t",
            "all",
        ]
    ),  # fmt: skip
    st.text(max_size=20),
)
YAMLISH = st.recursive(
    SCALARS,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.dictionaries(st.sampled_from(CONFIG_KEYS), inner, max_size=6),
    ),
    max_leaves=30,
)
PANEL = st.fixed_dictionaries(
    {"title": SCALARS, "expr": SCALARS},
    optional={
        "unit": st.one_of(st.sampled_from(UNITS), SCALARS),
        "decimals": SCALARS,
        "thresholds": st.one_of(
            SCALARS, st.dictionaries(st.sampled_from(["target", "alert", "x"]), SCALARS)
        ),
        "alerts": YAMLISH,
        "legend": SCALARS,
    },
)
DOCUMENT = st.fixed_dictionaries(
    {"rows": st.lists(st.fixed_dictionaries({"title": SCALARS, "panels": st.lists(PANEL)}))},
    optional={
        "title": SCALARS,
        "refresh": SCALARS,
        "range": SCALARS,
        "variables": YAMLISH,
        "datasource": YAMLISH,
    },  # fmt: skip
)


def _load(text: str) -> Dashboard | None:
    try:
        dashboard = load_text(text, "panels.yaml", base_dir=Path("/nonexistent"))
    except ConfigError as error:
        assert _message(error).startswith("panels.yaml"), error
        return None
    assert isinstance(dashboard, Dashboard)
    return dashboard


@FAST
@given(st.text(max_size=400))
def test_any_text_is_a_dashboard_or_a_config_error(text: str) -> None:
    _load(text)


@FAST
@given(YAMLISH)
def test_any_yaml_shape_is_a_dashboard_or_a_config_error(document: Any) -> None:
    _load(yaml.safe_dump(document, allow_unicode=True))


@FAST
@given(DOCUMENT)
def test_dashboard_shaped_documents_load_or_say_which_line(document: Any) -> None:
    text = yaml.safe_dump(document, allow_unicode=True, sort_keys=False)
    try:
        load_text(text, "panels.yaml", base_dir=Path("/nonexistent"))
    except ConfigError as error:
        # Every problem of a dashboard-shaped file names its line.
        assert _message(error).split(":")[1].strip().isdigit(), error


@FAST
@given(st.binary(max_size=400))
def test_any_bytes_on_disk_are_a_dashboard_or_a_config_error(data: bytes) -> None:
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "panels.yaml"
        path.write_bytes(data)
        try:
            assert isinstance(load_dashboard(path), Dashboard)
        except ConfigError as error:
            assert str(path) in _message(error)


# -- units and thresholds ---------------------------------------------------------------

NUMBERS = st.one_of(st.none(), st.floats(allow_nan=True, allow_infinity=True), st.integers())


@FAST
@given(NUMBERS, st.one_of(st.sampled_from(UNITS), st.text(max_size=8)),
       st.one_of(st.none(), st.integers(min_value=0, max_value=12)))  # fmt: skip
def test_format_value_always_gives_text(value: Any, unit: str, decimals: int | None) -> None:
    number, shown_unit = format_value(None if value is None else float(value), unit, decimals)
    assert isinstance(number, str) and number
    assert isinstance(shown_unit, str)
    assert len(number) < 40  # fits a card, whatever the magnitude


@FAST
@given(
    st.one_of(st.text(max_size=30), st.from_regex(r"[0-9.]{0,6}(ms|s|m|h|d|w|y)?", fullmatch=True))
)
def test_parse_duration_is_seconds_or_a_value_error(text: str) -> None:
    try:
        seconds = parse_duration(text)
    except ValueError as error:
        _message(error)
        return
    assert seconds >= 0 and not math.isnan(seconds)
    assert isinstance(format_duration(seconds), str)


@FAST
@given(st.floats(allow_nan=True, allow_infinity=True), st.sampled_from(UNITS),
       st.sampled_from(UNITS))  # fmt: skip
def test_convert_is_a_number_or_a_value_error(value: float, source: str, target: str) -> None:
    try:
        assert isinstance(convert(value, source, target), float | int)
    except ValueError as error:
        _message(error)


THRESHOLD_TEXT = st.one_of(
    st.text(max_size=20),
    st.from_regex(
        r"\s*(<|>|<=|>=|==|!=)?\s*-?[0-9.e+]{0,8}\s*(ms|s|%|MB|GB|B/s|bit/s|x)?", fullmatch=True
    ),  # fmt: skip
)


@FAST
@given(THRESHOLD_TEXT, st.sampled_from(UNITS))
def test_parse_threshold_is_a_threshold_or_a_value_error(text: str, unit: str) -> None:
    try:
        parse_threshold(text, unit)
    except ValueError as error:
        _message(error)


@FAST
@given(st.one_of(st.none(), THRESHOLD_TEXT), st.one_of(st.none(), THRESHOLD_TEXT),
       st.sampled_from(UNITS))  # fmt: skip
def test_make_thresholds_is_thresholds_or_a_value_error(
    target: str | None, alert: str | None, unit: str
) -> None:
    try:
        assert isinstance(make_thresholds(target, alert, unit), Thresholds)
    except ValueError as error:
        _message(error)


# -- Prometheus and Alertmanager answers --------------------------------------------------

JSON = st.recursive(
    st.one_of(
        st.none(),
        st.booleans(),
        st.integers(),
        st.floats(),
        st.text(max_size=12),
        st.sampled_from(
            [
                "success",
                "error",
                "vector",
                "matrix",
                "scalar",
                "string",
                "NaN",
                "+Inf",
                "1.5",
                "bad_data",
            ]
        ),
    ),  # fmt: skip
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.dictionaries(
            st.sampled_from(
                [
                    "status",
                    "data",
                    "error",
                    "errorType",
                    "resultType",
                    "result",
                    "metric",
                    "value",
                    "values",
                    "alerts",
                    "groups",
                    "rules",
                    "activeTargets",
                    "labels",
                    "annotations",
                    "state",
                    "name",
                    "type",
                    "warnings",
                    "stats",
                    "x",
                ]
            ),  # fmt: skip
            inner,
            max_size=6,
        ),
    ),
    max_leaves=40,
)
SAMPLE = st.fixed_dictionaries(
    {"metric": st.one_of(JSON, st.dictionaries(st.text(max_size=5), st.text(max_size=5))),
     "value": st.one_of(JSON, st.tuples(st.floats(), st.sampled_from(["1", "NaN", "x"])))}
)  # fmt: skip
ANSWER = st.one_of(
    JSON,
    st.fixed_dictionaries(
        {
            "status": st.just("success"),
            "data": st.fixed_dictionaries(
                {
                    "resultType": st.sampled_from(["vector", "matrix", "scalar", "string", "x"]),
                    "result": st.one_of(JSON, st.lists(SAMPLE, max_size=3)),
                }
            ),
        }  # fmt: skip
    ),
)
STATUS = st.sampled_from([200, 200, 200, 204, 301, 400, 401, 404, 422, 500, 502, 503])
CALLS = ["query", "query_range", "label_values", "alerts", "rules", "targets", "buildinfo"]


class _Canned(httpx.AsyncBaseTransport):
    """Answers every request with one canned response: the client's real path, from
    the HTTP status and the bytes through its decoding, with no network in between."""

    def __init__(self, status: int, content: bytes, content_type: str) -> None:
        self.status, self.content, self.content_type = status, content, content_type

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        headers = {"content-type": self.content_type}
        if 300 <= self.status < 400:
            headers["location"] = "http://elsewhere/"
        return httpx.Response(self.status, content=self.content, headers=headers)


async def _call(client: PrometheusClient, name: str) -> object:
    if name == "query":
        return await client.query("up", 1.0)
    if name == "query_range":
        return await client.query_range("up", 0.0, 60.0, 15.0)
    if name == "label_values":
        return await client.label_values("job")
    return await getattr(client, name)()


async def _outcome(status: int, content: bytes, call: str, content_type: str) -> object:
    client = PrometheusClient(
        "http://prometheus.test", transport=_Canned(status, content, content_type)
    )
    try:
        return await _call(client, call)
    except PrometheusError as error:
        _message(error)
        return error
    finally:
        await client.aclose()


@FAST
@given(STATUS, ANSWER, st.sampled_from(CALLS))
async def test_any_json_answer_is_a_result_or_a_prometheus_error(
    status: int, answer: Any, call: str
) -> None:
    content = json.dumps(answer).encode()
    outcome = await _outcome(status, content, call, "application/json")
    if call == "query" and not isinstance(outcome, PrometheusError):
        assert isinstance(outcome, InstantResult)
    if call == "query_range" and not isinstance(outcome, PrometheusError):
        assert isinstance(outcome, RangeResult)


@FAST
@given(STATUS, st.binary(max_size=300), st.sampled_from(CALLS),
       st.sampled_from(["application/json", "text/html", "text/plain"]))  # fmt: skip
async def test_any_bytes_answer_is_a_result_or_a_prometheus_error(
    status: int, content: bytes, call: str, content_type: str
) -> None:
    await _outcome(status, content, call, content_type)


@FAST
@given(JSON)
def test_result_decoders_fail_only_in_ways_the_client_turns_into_errors(data: Any) -> None:
    # decoded() turns exactly these into BadResponse; anything else would be a traceback.
    handled = (PrometheusError, KeyError, TypeError, ValueError, IndexError, AttributeError)
    for decode in (instant, matrix):
        with contextlib.suppress(*handled):
            decode(data)


@FAST
@given(STATUS, st.one_of(JSON, st.lists(st.fixed_dictionaries(
    {"labels": JSON, "status": st.one_of(JSON, st.fixed_dictionaries(
        {"state": JSON, "silencedBy": JSON, "inhibitedBy": JSON}))}))))  # fmt: skip
async def test_any_alertmanager_answer_is_alerts_or_an_error(status: int, answer: Any) -> None:
    from allintop.sources.alertmanager import AlertmanagerClient

    content = json.dumps(answer).encode()
    client = AlertmanagerClient(
        "http://alertmanager.test", transport=_Canned(status, content, "application/json")
    )
    try:
        assert isinstance(await client.alerts(), tuple)
    except PrometheusError as error:
        _message(error)
    finally:
        await client.aclose()


@pytest.mark.parametrize("value", ["NaN", "+Inf", "-Inf", "1e308", "-0"])
async def test_special_values_decode_to_floats(value: str) -> None:
    answer = {"status": "success", "data": {"resultType": "vector",
              "result": [{"metric": {}, "value": [1, value]}]}}  # fmt: skip
    result = await _outcome(200, json.dumps(answer).encode(), "query", "application/json")
    assert isinstance(result, InstantResult)
    assert isinstance(result.samples[0].value, float)
