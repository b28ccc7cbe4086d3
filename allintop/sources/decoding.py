"""The Prometheus API's answers read: JSON into the dataclasses of allintop.sources.answers,
and an answer that is not one (an error body, a redirect, a proxy's page) into the
PrometheusError that says what it is.

No I/O: the client (allintop.sources.prometheus) hands each answer over as it arrived,
so every shape of answer can be tested without a server. Alertmanager's answers share
`labels` with these.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal, TypeVar

import httpx
import yaml

from allintop.errors import BadResponse, BadResult, HTTPStatusError, PrometheusError, QueryError
from allintop.sources.answers import (
    Alert,
    AlertRule,
    BuildInfo,
    HistogramBucket,
    InstantResult,
    NativeHistogram,
    RangeResult,
    RuleGroup,
    Sample,
    Series,
    Target,
)
from allintop.values.durations import parse_duration
from allintop.values.text import clean

T = TypeVar("T")

#: What a decoder raises on an answer of another shape: `decoded` turns each into a
#: BadResponse (anything else would be a traceback).
SHAPE_ERRORS: tuple[type[Exception], ...] = (
    KeyError,
    TypeError,
    ValueError,
    IndexError,
    AttributeError,
    yaml.YAMLError,
)

# --- values -----------------------------------------------------------------------------


def _float(text: Any) -> float:
    """Prometheus sends values as strings: "1.5", "NaN", "+Inf", "-Inf"."""
    return float(text)


def _timestamp(text: Any) -> float | None:
    """RFC 3339 (with nanoseconds) -> epoch seconds; Go's zero time means never."""
    if not text or str(text).startswith("0001-01-01"):
        return None
    return datetime.fromisoformat(str(text)).timestamp()


def _duration(text: Any) -> float:
    """Go durations in targets ("1s", "15s", "1m") and bare seconds in rules."""
    if isinstance(text, int | float):
        return float(text)
    return parse_duration(str(text))


def labels(raw: Any) -> dict[str, str]:
    """A label set (or annotations) of any of the APIs; TypeError when not an object."""
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        raise TypeError("labels are not an object")
    return {str(k): str(v) for k, v in raw.items()}


# --- results ----------------------------------------------------------------------------

_INSTANT_KINDS: dict[str, Literal["vector", "scalar", "string"]] = {
    "vector": "vector",
    "scalar": "scalar",
    "string": "string",
}


#: Prometheus' boundary rules of a native histogram's bucket: 0 open left, 1 open
#: right, 2 open both, 3 closed both.
BOUNDARY_RULES = frozenset({0, 1, 2, 3})


def histogram(raw: Mapping[str, Any]) -> NativeHistogram:
    """A native histogram as the API writes it: count and sum as strings, and each
    bucket as [boundary_rule, lower, upper, count] (no buckets: none observed)."""
    buckets = []
    for rule, lower, upper, count in raw.get("buckets") or ():
        if not isinstance(rule, int) or rule not in BOUNDARY_RULES:
            raise ValueError(f"unknown bucket boundary rule {rule!r}")
        buckets.append(HistogramBucket(rule, _float(lower), _float(upper), _float(count)))
    return NativeHistogram(_float(raw["count"]), _float(raw["sum"]), tuple(buckets))


def _sample(item: Mapping[str, Any]) -> Sample:
    """One element of an instant vector: a float `value` or a native `histogram`."""
    found = labels(item.get("metric"))
    if "histogram" in item:
        ts, raw = item["histogram"]
        return Sample(found, math.nan, float(ts), histogram(raw))
    return Sample(found, _float(item["value"][1]), float(item["value"][0]))


def instant(data: Mapping[str, Any]) -> tuple[Sample, ...]:
    """An instant query's `data`: its samples (one, without labels, for a scalar or a
    string). BadResult for a range vector, which no panel can show."""
    kind = data["resultType"]
    result = data["result"]
    if kind in ("scalar", "string"):
        ts, value = result
        number = _float(value) if kind == "scalar" else math.nan
        return (Sample({}, number, float(ts)),)
    if kind == "vector":
        return tuple(_sample(item) for item in result)
    if kind == "matrix":
        raise BadResult(
            "the expression returns a range vector (e.g. foo[5m]); "
            "a panel needs an instant vector or a scalar",
            hint="wrap it in a function such as rate() or avg_over_time()",
        )
    raise TypeError(f"unknown resultType {kind!r}")


def matrix(data: Mapping[str, Any]) -> tuple[Series, ...]:
    """A range query's `data`: its series."""
    if data["resultType"] != "matrix":
        raise TypeError(f"range query answered with resultType {data['resultType']!r}")
    return tuple(_series(item) for item in data["result"])


def _series(item: Mapping[str, Any]) -> Series:
    """One series of a matrix: float `values`, native `histograms`, or both (a
    series that changed kind within the range), merged in time order."""
    found = labels(item.get("metric"))
    floats = [(float(t), _float(v), None) for t, v in item.get("values") or ()]
    natives = item.get("histograms") or ()
    if not natives:
        return Series(found, tuple(p[0] for p in floats), tuple(p[1] for p in floats))
    points = sorted(
        [*floats, *((float(t), math.nan, histogram(raw)) for t, raw in natives)],
        key=lambda p: p[0],
    )
    return Series(
        found,
        tuple(p[0] for p in points),
        tuple(p[1] for p in points),
        tuple(p[2] for p in points),
    )


def instant_result(body: Mapping[str, Any], host: str) -> InstantResult:
    """A whole instant query answer, its warnings and statistics with it."""
    samples = decoded(body, instant, host)
    kind = _INSTANT_KINDS[body["data"]["resultType"]]  # instant() accepted it
    return InstantResult(kind, samples, warnings(body), stats(body), infos(body))


def range_result(body: Mapping[str, Any], host: str) -> RangeResult:
    """A whole range query answer, its warnings and statistics with it."""
    return RangeResult(decoded(body, matrix, host), warnings(body), stats(body), infos(body))


def names(data: Any) -> tuple[str, ...]:
    """Label names or label values, sorted."""
    return tuple(sorted(str(v) for v in data))


def warnings(body: Mapping[str, Any]) -> tuple[str, ...]:
    return tuple(clean(w) for w in body.get("warnings") or ())


def infos(body: Mapping[str, Any]) -> tuple[str, ...]:
    """Prometheus 3's notes on a query (`infos`, beside `warnings`): a rate() over a
    metric that does not look like a counter, say."""
    return tuple(clean(i) for i in body.get("infos") or ())


def stats(body: Mapping[str, Any]) -> Mapping[str, Any] | None:
    found = body["data"].get("stats") if isinstance(body.get("data"), dict) else None
    return found if isinstance(found, dict) else None


# --- state: alerts, rules, targets, the server ------------------------------------------


def alert(raw: Mapping[str, Any]) -> Alert:
    found = labels(raw.get("labels"))
    return Alert(
        name=found.get("alertname", ""),
        state=str(raw.get("state", "")),
        labels=found,
        annotations=labels(raw.get("annotations")),
        active_since=_timestamp(raw.get("activeAt")),
        value=_float(raw.get("value", "NaN")),
    )


def alerts(data: Mapping[str, Any]) -> tuple[Alert, ...]:
    return tuple(alert(a) for a in data["alerts"])


def _rule(raw: Mapping[str, Any]) -> AlertRule:
    return AlertRule(
        name=str(raw["name"]),
        query=str(raw.get("query", "")),
        duration=float(raw.get("duration", 0) or 0),
        labels=labels(raw.get("labels")),
        annotations=labels(raw.get("annotations")),
        state=str(raw.get("state", "inactive")),
        health=str(raw.get("health", "")),
        last_error=str(raw.get("lastError", "") or ""),
        alerts=tuple(alert(a) for a in raw.get("alerts") or ()),
    )


def rule_groups(data: Mapping[str, Any]) -> tuple[RuleGroup, ...]:
    """The groups with their alerting rules (recording rules have no state to show)."""
    return tuple(
        RuleGroup(
            name=str(g["name"]),
            file=str(g.get("file", "")),
            interval=float(g.get("interval", 0) or 0),
            rules=tuple(_rule(r) for r in g.get("rules") or () if r.get("type") == "alerting"),
            last_evaluation=_timestamp(g.get("lastEvaluation")),
            evaluation_time=float(g.get("evaluationTime", 0) or 0),
        )
        for g in data["groups"]
    )


def _target(raw: Mapping[str, Any]) -> Target:
    found = labels(raw.get("labels"))
    interval = raw.get("scrapeInterval")
    return Target(
        job=found.get("job", str(raw.get("scrapePool", ""))),
        instance=found.get("instance", ""),
        scrape_url=str(raw.get("scrapeUrl", "")),
        health=str(raw.get("health", "unknown")),
        last_scrape=_timestamp(raw.get("lastScrape")),
        last_scrape_duration=float(raw.get("lastScrapeDuration", 0) or 0),
        last_error=str(raw.get("lastError", "") or ""),
        scrape_interval=_duration(interval) if interval else None,
        labels=found,
    )


def targets(data: Mapping[str, Any]) -> tuple[Target, ...]:
    return tuple(_target(t) for t in data["activeTargets"])


def external_labels(data: Mapping[str, Any]) -> dict[str, str]:
    """The global external_labels of the server's configuration (its YAML text)."""
    parsed = yaml.safe_load(str(data["yaml"])) or {}
    return labels((parsed.get("global") or {}).get("external_labels") or {})


def build_info(data: Mapping[str, Any]) -> BuildInfo:
    return BuildInfo(str(data.get("version", "")), str(data.get("revision", "")))


def decoded(body: Mapping[str, Any], decode: Callable[[Mapping[str, Any]], T], host: str) -> T:
    """`decode` of the body's data; an answer of another shape is a BadResponse."""
    try:
        return decode(body["data"])
    except PrometheusError:
        raise
    except SHAPE_ERRORS as exc:
        raise BadResponse(
            f"unexpected answer from {host}: {clean(repr(exc), 80)}",
            hint="the server speaks a different version of the Prometheus API",
        ) from exc


# --- answers that are not results -------------------------------------------------------

#: The tenant header of Mimir, Cortex and Thanos (multi-tenant setups).
TENANT_HEADER = "X-Scope-OrgID"

_CREDENTIAL_OPTIONS = (
    "--bearer-token-file FILE (or $ALLINTOP_BEARER_TOKEN), --basic-auth-user USER with "
    "$ALLINTOP_PASSWORD, or auth: under datasource: in panels.yaml"
)
_NOT_AN_API = (
    "the server does not take this request: is the URL a Prometheus API "
    "(not a file server or a web page)?"
)
_HINTS = {
    401: f"the server wants credentials: give them with {_CREDENTIAL_OPTIONS}",
    403: "the server refuses this client: check the user's permissions, or a proxy's rules",
    404: "is the URL a Prometheus server (and its path prefix right)?",
    405: _NOT_AN_API,
    501: _NOT_AN_API,
    502: "a proxy in front of Prometheus could not reach it",
    503: "Prometheus is overloaded or still starting",
}


@dataclass(frozen=True, slots=True)
class Asker:
    """Who asked, as an answer's error message needs it.

    Args:
        host: host:port, named in every message.
        sends_credentials: whether a 401 means "the credentials sent were refused"
            rather than "send credentials".
        sends_tenant: whether the tenant header was sent.
    """

    host: str
    sends_credentials: bool = False
    sends_tenant: bool = False


def snippet(response: httpx.Response) -> str:
    """A few words of a body that is not JSON, to tell a proxy page from a crash."""
    text = response.text.strip()
    if "<title>" in text.lower():
        start = text.lower().index("<title>") + len("<title>")
        end = text.lower().find("</title>", start)
        text = text[start:end] if end > start else text[start:]
    return clean(" ".join(text.split()), 120)


def body(response: httpx.Response, asker: Asker) -> Mapping[str, Any]:
    """The answer's JSON body when it is a successful Prometheus API answer; else the
    PrometheusError it amounts to: Prometheus' own error, a redirect, a missing tenant,
    refused credentials, an HTTP status, or a body that is not Prometheus JSON."""
    try:
        found = json.loads(response.content)
    except ValueError:
        found = None
    if isinstance(found, dict) and found.get("status") == "error":
        raise QueryError(
            clean(found.get("errorType", "")),
            clean(found.get("error", "unknown error")),
            response.status_code,
        )
    _check_status(response, asker)
    if not isinstance(found, dict) or found.get("status") != "success" or "data" not in found:
        kind = response.headers.get("content-type", "no content type").split(";")[0]
        raise BadResponse(
            f"{asker.host} did not answer with Prometheus JSON ({kind}): {snippet(response)}",
            hint="is the URL a Prometheus API (not a proxy login page or Grafana)?",
        )
    return found


def _check_status(response: httpx.Response, asker: Asker) -> None:
    """The HTTPStatusError that an answer's status (and a few words of it) says."""
    host = asker.host
    if response.is_redirect:
        target = clean(response.headers.get("location", "?"), 120)
        raise HTTPStatusError(
            response.status_code,
            f"{host} redirects to {target}",
            hint="use that URL with --url (allintop follows no redirect from http)",
        )
    tenant = missing_tenant(response, asker)
    if tenant is not None:
        raise tenant
    if response.status_code == 401 and asker.sends_credentials:
        raise HTTPStatusError(
            401,
            f"HTTP 401 from {host}: credentials were sent and refused",
            hint="check the user name and the password or token (and that it has not expired)",
        )
    if response.status_code >= 400:
        raise HTTPStatusError(
            response.status_code,
            f"HTTP {response.status_code} {response.reason_phrase} from {host}"
            + (f": {snippet(response)}" if response.content else ""),
            hint=_HINTS.get(response.status_code),
        )


def missing_tenant(response: httpx.Response, asker: Asker) -> HTTPStatusError | None:
    """Mimir, Cortex and Thanos' receive refuse a request without a tenant
    ("no org id"): name the header that is missing, not credentials."""
    if response.status_code not in (400, 401, 403) or not response.content:
        return None
    if "org id" not in response.text[:300].lower():
        return None
    what = "refused the tenant in" if asker.sends_tenant else "wants the header"
    return HTTPStatusError(
        response.status_code,
        f"HTTP {response.status_code} from {asker.host}: it {what} {TENANT_HEADER} "
        f"({snippet(response)})",
        hint=f"give the tenant with --header '{TENANT_HEADER}: TENANT' or under the "
        "datasource's headers: in panels.yaml",
    )
