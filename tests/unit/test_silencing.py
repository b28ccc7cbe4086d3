"""Making a silence, without a server: matchers read and written as amtool does, the
form's prefill, what a draft silences, its end, what is wrong with it, and the v2
API's JSON both ways."""

from __future__ import annotations

import time
from datetime import datetime

import pytest

from allintop.live.alerting import Suppression, summarize
from allintop.live.silencing import (
    covered,
    default_author,
    ends_at,
    format_matcher,
    parse_matcher,
    prefill,
    problems,
    silence_note,
)
from allintop.sources.alertmanager import _silence, rfc3339, silence_body
from allintop.sources.answers import Alert, AlertRule, Silence, SilenceMatcher

NOW = datetime(2026, 12, 7, 10, 0).timestamp()


def _alert(name, state="firing", **labels):
    return Alert(name, state, {"alertname": name, "severity": "critical", **labels}, {}, 1.0, 1.0)


def _rule(name, *alerts, state="firing"):
    return AlertRule(name, "up == 0", 0.0, {"severity": "critical"}, {}, state, "ok", "", alerts)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("alertname=HighErrorRate", SilenceMatcher("alertname", "HighErrorRate")),
        ('job="api"', SilenceMatcher("job", "api")),
        ('route!="/health"', SilenceMatcher("route", "/health", is_equal=False)),
        ('instance=~"api-.*"', SilenceMatcher("instance", "api-.*", is_regex=True)),
        ("code!~5..", SilenceMatcher("code", "5..", is_regex=True, is_equal=False)),
        (' msg = "say \\"hi\\"" ', SilenceMatcher("msg", 'say "hi"')),
        ("HighErrorRate", SilenceMatcher("alertname", "HighErrorRate")),  # amtool's way
        ('env=""', SilenceMatcher("env", "")),
    ],
)
def test_matchers_read_as_amtool_reads_them(text, expected):
    assert parse_matcher(text) == expected


@pytest.mark.parametrize("text", ["=x", "a b", 'job="open', "9lives=x"])
def test_a_matcher_that_does_not_read_says_so(text):
    with pytest.raises(ValueError, match="not a matcher|does not end"):
        parse_matcher(text)


def test_matchers_written_back_read_the_same():
    for matcher in (
        SilenceMatcher("route", 'a "quoted" \\ path', is_equal=False),
        SilenceMatcher("instance", "api-.*", is_regex=True),
        SilenceMatcher("x", "ünïcode"),
    ):
        assert parse_matcher(format_matcher(matcher)) == matcher
    assert format_matcher(SilenceMatcher("a", "b", is_regex=True, is_equal=False)) == 'a!~"b"'


def test_prefill_takes_the_labels_every_instance_shares_and_lists_the_rest():
    rule = _rule(
        "HighErrorRate",
        _alert("HighErrorRate", job="api", route="/a", code="500"),
        _alert("HighErrorRate", "pending", job="api", route="/b", code="500"),
    )
    start = prefill(rule)
    assert start.matchers == (
        SilenceMatcher("alertname", "HighErrorRate"),
        SilenceMatcher("code", "500"),
        SilenceMatcher("job", "api"),
        SilenceMatcher("severity", "critical"),
    )
    assert start.optional == (SilenceMatcher("route", "/a"), SilenceMatcher("route", "/b"))
    assert start.active == 2


def test_prefill_of_an_inactive_rule_is_its_name():
    start = prefill(_rule("Quiet", state="inactive"))
    assert start.matchers == (SilenceMatcher("alertname", "Quiet"),)
    assert start.optional == () and start.active == 0


def test_the_preview_matches_as_alertmanager_does_with_external_labels():
    alerts = [
        _alert("A", job="api"),
        _alert("A", "pending", job="web"),
        _alert("B", job="api"),
        _alert("A", "inactive", job="api"),
    ]
    mine = [SilenceMatcher("alertname", "A"), SilenceMatcher("cluster", "eu-.*", is_regex=True)]
    assert covered(mine, alerts) == []  # Prometheus' own list lacks the external label
    assert covered(mine, alerts, {"cluster": "eu-1"}) == alerts[:2]
    not_web = [SilenceMatcher("alertname", "A"), SilenceMatcher("job", "web", is_equal=False)]
    assert covered(not_web, alerts) == alerts[:1]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2h", NOW + 7200),
        ("1d", NOW + 86400),
        ("18:30", datetime(2026, 12, 7, 18, 30).timestamp()),
        ("09:15", datetime(2026, 12, 8, 9, 15).timestamp()),  # passed today: tomorrow
        ("2026-12-09 08:00", datetime(2026, 12, 9, 8, 0).timestamp()),
    ],
)
def test_the_end_from_a_duration_or_a_time(text, expected):
    assert ends_at(text, NOW) == expected


@pytest.mark.parametrize("text", ["", "soon", "25:00", "2026-13-01 00:00"])
def test_an_end_that_does_not_read_says_so(text):
    with pytest.raises(ValueError):
        ends_at(text, NOW)


def test_problems_before_asking_alertmanager():
    good = Silence("", (SilenceMatcher("alertname", "A"),), "me", "why", NOW + 60)
    assert problems(good, NOW) == []
    empty = Silence("", (SilenceMatcher("job", ".*", is_regex=True),), "", " ", NOW - 1)
    assert problems(empty, NOW) == [
        "at least one matcher must not match the empty string",
        "the end is in the past",
        "a comment is required: say why",
        "created-by is required",
    ]
    assert problems(Silence("", (), "me", "why", NOW + 60), NOW) == [
        "a silence needs at least one matcher"
    ]


def test_the_author_defaults_to_the_user():
    assert default_author({"USER": "alice", "LOGNAME": "bob"}) == "alice"
    assert default_author({"LOGNAME": "bob"}) == "bob"


def test_a_silenced_alert_carries_who_until_when_and_why():
    silence = Silence(
        "id1", (SilenceMatcher("alertname", "A"),), "alice", "deploy", NOW + 3600, "active"
    )
    suppression = Suppression(silences=(silence,))
    [active] = summarize([_alert("A")], suppression, suppression.covering)
    assert active.silenced and active.silences == (silence,)
    local = time.strftime("%H:%M", time.localtime(NOW + 3600))
    assert silence_note(silence, NOW) == f"by alice until {local} (1h): deploy"


def test_the_v2_json_both_ways():
    silence = Silence(
        "", (SilenceMatcher("job", "a.*", is_regex=True),), "me", "why", NOW + 60, "", NOW
    )
    body = silence_body(silence)
    assert body["matchers"] == [{"name": "job", "value": "a.*", "isRegex": True, "isEqual": True}]
    assert body["endsAt"] == rfc3339(NOW + 60) and body["endsAt"].endswith("Z")
    assert "id" not in body  # a new silence; with an id, an update
    back = _silence({**body, "id": "x", "status": {"state": "pending"}})
    assert back == Silence("x", silence.matchers, "me", "why", NOW + 60, "pending", NOW)
