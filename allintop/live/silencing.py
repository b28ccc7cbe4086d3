"""Making a silence: its matchers written and read as amtool writes them, what the
silence form prefills for an alert rule, what a draft silences now, when it ends,
and what is wrong with it before Alertmanager is asked.

Pure: the clock is an argument, nothing here talks to a server or draws. The same
functions serve the silence form and `allintop silence add`.
"""

from __future__ import annotations

import getpass
import json
import re
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from allintop.live.alerting import silence_matches
from allintop.sources.answers import Alert, AlertRule, Silence, SilenceMatcher
from allintop.values.durations import format_left, parse_duration

OPERATORS = ("=", "!=", "=~", "!~")
DEFAULT_DURATION = "2h"
PRESETS = ("1h", "2h", "4h", "1d")
#: Instance-specific label pairs the form offers to add (a rule with 500 instances
#: would otherwise list them all).
MAX_OPTIONAL = 12

# A label name, then the operator; the value is read apart (it may be quoted).
_MATCHER = re.compile(r"\s*([A-Za-z_][A-Za-z0-9_]*)\s*(=~|!~|!=|=)(.*)", re.DOTALL)


_OPS = {(False, True): "=", (False, False): "!=", (True, True): "=~", (True, False): "!~"}


def operator(matcher: SilenceMatcher) -> str:
    """=, !=, =~ or !~."""
    return _OPS[(matcher.is_regex, matcher.is_equal)]


def format_matcher(matcher: SilenceMatcher) -> str:
    """`name="value"` with its operator, the value quoted as amtool quotes it."""
    value = json.dumps(matcher.value, ensure_ascii=False)
    return f"{matcher.name}{operator(matcher)}{value}"


def parse_matcher(text: str) -> SilenceMatcher:
    """`name=value`, `name!="value"`, `name=~regex`, `name!~"regex"`; a bare word is
    `alertname=word`, as amtool reads it. ValueError says what is wrong."""
    found = _MATCHER.fullmatch(text)
    if found is None:
        word = text.strip()
        if re.fullmatch(r"[A-Za-z_:][A-Za-z0-9_:.-]*", word):
            return SilenceMatcher("alertname", word)
        raise ValueError(
            f"not a matcher: {text.strip()!r} (write name=value, name!=value, "
            "name=~regex or name!~regex)"
        )
    name, op, raw = found[1], found[2], found[3].strip()
    return SilenceMatcher(name, _unquote(raw), is_regex="~" in op, is_equal=op[0] == "=")


def _unquote(raw: str) -> str:
    if raw.startswith('"'):
        try:
            value = json.loads(raw)
        except ValueError:
            value = None
        if not isinstance(value, str):
            raise ValueError(f"a quoted value that does not end where it should: {raw}")
        return value
    if len(raw) >= 2 and raw[0] == raw[-1] == "'":
        return raw[1:-1]
    return raw


@dataclass(frozen=True)
class Prefill:
    """What the silence form starts with for a rule.

    matchers: alertname and the labels all its active instances share.
    optional: the instance-specific label pairs, offered to add (not checked).
    active: how many instances are firing or pending now (0: nothing fires).
    """

    matchers: tuple[SilenceMatcher, ...]
    optional: tuple[SilenceMatcher, ...]
    active: int


def prefill(rule: AlertRule) -> Prefill:
    """The form's matchers for `rule`: alertname plus the labels every instance has
    alike; those that differ between instances are listed to add."""
    instances = [a for a in rule.alerts if a.state in ("firing", "pending")]
    first = [SilenceMatcher("alertname", rule.name)]
    if not instances:
        return Prefill(tuple(first), (), 0)
    shared = dict(instances[0].labels)
    for alert in instances[1:]:
        shared = {k: v for k, v in shared.items() if alert.labels.get(k) == v}
    shared.pop("alertname", None)
    pairs = {
        (k, v)
        for alert in instances
        for k, v in alert.labels.items()
        if k not in shared and k != "alertname"
    }
    optional = [SilenceMatcher(k, v) for k, v in sorted(pairs)][:MAX_OPTIONAL]
    first += [SilenceMatcher(k, v) for k, v in sorted(shared.items())]
    return Prefill(tuple(first), tuple(optional), len(instances))


def covered(
    matchers: Sequence[SilenceMatcher],
    alerts: Iterable[Alert],
    external: Mapping[str, str] | None = None,
) -> list[Alert]:
    """The current (firing or pending) alerts the matchers would silence, matched as
    Alertmanager matches: on the labels it sees, the server's external ones included."""
    probe = Silence("", tuple(matchers))
    outer = dict(external or {})
    return [
        alert
        for alert in alerts
        if alert.state in ("firing", "pending")
        and silence_matches(probe, {**outer, **alert.labels})
    ]


def ends_at(text: str, now: float) -> float:
    """When a silence given `text` ends: a duration from now ("2h", "1d"), a clock
    time today (or tomorrow, if it has passed: "18:30"), or a date and time
    ("2026-12-08 09:00", local). ValueError says what was not understood."""
    text = text.strip()
    if not text:
        raise ValueError("give a duration (2h) or an end time (18:30)")
    if re.fullmatch(r"\d{1,2}:\d\d", text):
        hours, minutes = (int(part) for part in text.split(":"))
        if hours > 23 or minutes > 59:
            raise ValueError(f"not a time of day: {text}")
        day = datetime.fromtimestamp(now)
        end = day.replace(hour=hours, minute=minutes, second=0, microsecond=0).timestamp()
        return end if end > now else end + 86400
    if re.fullmatch(r"\d{4}-\d\d-\d\d([ T].*)?", text):
        try:
            return datetime.fromisoformat(text).timestamp()
        except ValueError:
            raise ValueError(f"not a date and time: {text} (write 2026-12-08 09:00)") from None
    try:
        return now + parse_duration(text)
    except ValueError:
        raise ValueError(
            f"not a duration or an end time: {text} (write 2h, 1d, 18:30 or 2026-12-08 09:00)"
        ) from None


def problems(draft: Silence, now: float) -> list[str]:
    """What Alertmanager would refuse, or we will not send, said before asking it."""
    found = []
    if not draft.matchers:
        found.append("a silence needs at least one matcher")
    elif all(silence_matches(Silence("", (m,)), {}) for m in draft.matchers):
        found.append("at least one matcher must not match the empty string")
    if draft.ends_at is not None and draft.ends_at <= now:
        found.append("the end is in the past")
    if not draft.comment.strip():
        found.append("a comment is required: say why")
    if not draft.created_by.strip():
        found.append("created-by is required")
    return found


def default_author(environ: Mapping[str, str]) -> str:
    """Who makes a silence when not said: $USER, $LOGNAME, else the login name."""
    name = environ.get("USER") or environ.get("LOGNAME")
    if name:
        return name
    try:
        return getpass.getuser()
    except (OSError, KeyError):  # no passwd entry (a container's random uid)
        return ""


def when(seconds: float | None, now: float) -> str:
    """A local time as the silences are shown: "14:05", or with its date when not today."""
    if seconds is None:
        return "?"
    moment, today = time.localtime(seconds), time.localtime(now)
    same_day = moment[:3] == today[:3]
    return time.strftime("%H:%M" if same_day else "%Y-%m-%d %H:%M", moment)


def silence_note(silence: Silence, now: float) -> str:
    """Who, until when and why: "by alice until 14:05 (1h 59m): deploy in progress"."""
    left = f" ({format_left(silence.ends_at - now)})" if silence.ends_at is not None else ""
    why = f": {silence.comment}" if silence.comment else ""
    return f"by {silence.created_by or '?'} until {when(silence.ends_at, now)}{left}{why}"
