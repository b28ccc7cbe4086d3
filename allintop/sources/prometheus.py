"""An async client for the Prometheus HTTP API, on one shared httpx connection pool.

It speaks the API that Prometheus, VictoriaMetrics, Thanos and Mimir share, returns
typed results, and turns every failure into a `PrometheusError` whose message a user
understands: connection refused, timeout, HTTP status, Prometheus' own error, or an
answer that is not Prometheus JSON (an HTML page from a proxy, say).
No UI imports: the poller and the commands use it alike.
"""

from __future__ import annotations

import json
import math
import ssl
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any, Self

import httpx
import yaml

from allintop.errors import (
    BadResponse,
    BadResult,
    HTTPStatusError,
    PrometheusError,
    QueryError,
    RequestTimeout,
    TooLarge,
    Unreachable,
)
from allintop.sources.answers import (
    Alert,
    AlertRule,
    BuildInfo,
    InstantResult,
    RangeResult,
    RuleGroup,
    Sample,
    Series,
    Target,
)
from allintop.sources.connection import ConnectionSettings, TLSFiles
from allintop.values.durations import parse_duration
from allintop.values.text import clean

__all__ = [
    "Alert",
    "AlertRule",
    "BadResponse",
    "BuildInfo",
    "HTTPStatusError",
    "InstantResult",
    "PrometheusClient",
    "PrometheusError",
    "QueryError",
    "RangeResult",
    "RequestTimeout",
    "RuleGroup",
    "Sample",
    "Series",
    "Target",
    "TooLarge",
    "Unreachable",
]

# --- parsing helpers -------------------------------------------------------------------


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


def _labels(raw: Any) -> dict[str, str]:
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        raise TypeError("labels are not an object")
    return {str(k): str(v) for k, v in raw.items()}


def _alert(raw: Mapping[str, Any]) -> Alert:
    labels = _labels(raw.get("labels"))
    return Alert(
        name=labels.get("alertname", ""),
        state=str(raw.get("state", "")),
        labels=labels,
        annotations=_labels(raw.get("annotations")),
        active_since=_timestamp(raw.get("activeAt")),
        value=_float(raw.get("value", "NaN")),
    )


def _rule(raw: Mapping[str, Any]) -> AlertRule:
    return AlertRule(
        name=str(raw["name"]),
        query=str(raw.get("query", "")),
        duration=float(raw.get("duration", 0) or 0),
        labels=_labels(raw.get("labels")),
        annotations=_labels(raw.get("annotations")),
        state=str(raw.get("state", "inactive")),
        health=str(raw.get("health", "")),
        last_error=str(raw.get("lastError", "") or ""),
        alerts=tuple(_alert(a) for a in raw.get("alerts") or ()),
    )


def _target(raw: Mapping[str, Any]) -> Target:
    labels = _labels(raw.get("labels"))
    interval = raw.get("scrapeInterval")
    return Target(
        job=labels.get("job", str(raw.get("scrapePool", ""))),
        instance=labels.get("instance", ""),
        scrape_url=str(raw.get("scrapeUrl", "")),
        health=str(raw.get("health", "unknown")),
        last_scrape=_timestamp(raw.get("lastScrape")),
        last_scrape_duration=float(raw.get("lastScrapeDuration", 0) or 0),
        last_error=str(raw.get("lastError", "") or ""),
        scrape_interval=_duration(interval) if interval else None,
        labels=labels,
    )


def _instant(data: Mapping[str, Any]) -> tuple[str, tuple[Sample, ...]]:
    kind = data["resultType"]
    result = data["result"]
    if kind in ("scalar", "string"):
        ts, value = result
        number = _float(value) if kind == "scalar" else math.nan
        return kind, (Sample({}, number, float(ts)),)
    if kind == "vector":
        samples = tuple(
            Sample(_labels(item.get("metric")), _float(item["value"][1]), float(item["value"][0]))
            for item in result
        )
        return kind, samples
    if kind == "matrix":
        raise BadResult(
            "the expression returns a range vector (e.g. foo[5m]); "
            "a panel needs an instant vector or a scalar",
            hint="wrap it in a function such as rate() or avg_over_time()",
        )
    raise TypeError(f"unknown resultType {kind!r}")


def _matrix(data: Mapping[str, Any]) -> tuple[Series, ...]:
    if data["resultType"] != "matrix":
        raise TypeError(f"range query answered with resultType {data['resultType']!r}")
    out = []
    for item in data["result"]:
        points = item.get("values") or ()
        out.append(
            Series(
                _labels(item.get("metric")),
                tuple(float(p[0]) for p in points),
                tuple(_float(p[1]) for p in points),
            )
        )
    return tuple(out)


def _snippet(response: httpx.Response) -> str:
    """A few words of a body that is not JSON, to tell a proxy page from a crash."""
    text = response.text.strip()
    if "<title>" in text.lower():
        start = text.lower().index("<title>") + len("<title>")
        end = text.lower().find("</title>", start)
        text = text[start:end] if end > start else text[start:]
    return clean(" ".join(text.split()), 120)


_CREDENTIAL_OPTIONS = (
    "--bearer-token-file FILE (or $ALLINTOP_BEARER_TOKEN), --basic-auth-user USER with "
    "$ALLINTOP_PASSWORD, or auth: under datasource: in panels.yaml"
)
_HINTS = {
    401: f"the server wants credentials: give them with {_CREDENTIAL_OPTIONS}",
    403: "the server refuses this client: check the user's permissions, or a proxy's rules",
    404: "is the URL a Prometheus server (and its path prefix right)?",
    405: "the server does not take this request: is the URL a Prometheus API "
    "(not a file server or a web page)?",
    501: "the server does not take this request: is the URL a Prometheus API "
    "(not a file server or a web page)?",
    502: "a proxy in front of Prometheus could not reach it",
    503: "Prometheus is overloaded or still starting",
}


#: The tenant header of Mimir, Cortex and Thanos (multi-tenant setups).
TENANT_HEADER = "X-Scope-OrgID"

# --- the client -----------------------------------------------------------------------


class HTTPAPIClient:
    """One `httpx.AsyncClient` (one connection pool) and the transport-error mapping
    that every monitoring API we speak shares.

    Args:
        url: base URL, e.g. ``http://localhost:9090`` (a path prefix is kept), or the
            whole ConnectionSettings (the CLI's way: one setup for every client).
        timeout: seconds a single request may take.
        headers: extra request headers (e.g. a tenant id for Mimir).
        auth: ``("user", "password")`` for basic auth, or a bearer token string.
        verify: False to skip TLS verification (--insecure).
        transport: an httpx transport (tests use it to shape faults).
    """

    service = "Prometheus"
    url_hint = "is Prometheus running there? set the URL with --url or $PROMETHEUS_URL"

    def __init__(
        self,
        url: str | ConnectionSettings,
        *,
        timeout: float = 10.0,
        headers: Mapping[str, str] | None = None,
        auth: tuple[str, str] | str | None = None,
        verify: bool = True,
        transport: httpx.AsyncBaseTransport | None = None,
        max_connections: int = 20,
    ) -> None:
        if isinstance(url, ConnectionSettings):
            settings = url
        else:
            settings = ConnectionSettings.make(
                url, timeout=timeout, headers=headers, auth=auth, tls=TLSFiles(insecure=not verify)
            )
        self.settings = settings
        self.url = settings.url
        self.timeout = settings.timeout
        all_headers = {"Accept": "application/json", **settings.headers}
        # Whether a 401 means "send credentials" or "the ones sent were refused".
        self.sends_credentials = settings.auth is not None or any(
            name.lower() == "authorization" for name in all_headers
        )
        basic: httpx.BasicAuth | None = None
        if isinstance(settings.auth, tuple):
            basic = httpx.BasicAuth(*settings.auth)
        elif isinstance(settings.auth, str):
            all_headers["Authorization"] = f"Bearer {settings.auth}"
        # A plain-http URL never needs TLS, and loading the CA bundle costs ~35 ms
        # and 3 MB at start-up; so skip it, and follow no redirects, so that a
        # redirect to https is reported (with its target) instead of followed
        # without verification.
        plain = httpx.URL(self.url).scheme == "http"
        self._http = httpx.AsyncClient(
            base_url=self.url,
            timeout=httpx.Timeout(settings.timeout),
            headers=all_headers,
            auth=basic,
            verify=False if plain else settings.verify,
            transport=transport,
            limits=httpx.Limits(max_connections=max_connections),
            follow_redirects=not plain,
        )

    def _broken_hint(self) -> str | None:
        # Over TLS 1.3 a server that wants a client certificate accepts the handshake
        # and then closes the connection: the client sees only a broken pipe.
        if httpx.URL(self.url).scheme == "https" and self.settings.tls.cert_file is None:
            return (
                "a server that requires a client certificate closes the connection when "
                "none is sent: give one with --cert-file and --key-file"
            )
        return None

    @property
    def host(self) -> str:
        """host:port, for the header line."""
        return httpx.URL(self.url).netloc.decode()

    async def aclose(self) -> None:
        await self._http.aclose()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    async def _send(
        self, method: str, path: str, *, max_bytes: int | None = None, **kwargs: Any
    ) -> httpx.Response:
        """One request; every transport failure becomes a PrometheusError subclass.
        With `max_bytes`, an answer that grows past it is dropped unread (TooLarge)."""
        try:
            if max_bytes is None:
                return await self._http.request(method, path, **kwargs)
            return await self._limited(method, path, max_bytes, **kwargs)
        except httpx.TimeoutException as exc:
            raise RequestTimeout(
                f"no answer from {self.host} within {self.timeout:g}s",
                hint=f"{self.service} is slow or overloaded; --timeout raises the limit",
            ) from exc
        # A raw SSLError: a TLS alert that arrives with the answer (TLS 1.3 sends the
        # server's verdict on the client after the handshake) escapes httpx's mapping.
        except (httpx.ConnectError, httpx.ReadError, httpx.WriteError, ssl.SSLError) as exc:
            tls = _tls_failure(exc, self.settings.tls.cert_file is not None)
            if tls is not None:
                raise Unreachable(f"TLS with {self.host} failed: {tls[0]}", hint=tls[1]) from exc
            if isinstance(exc, httpx.ConnectError):
                raise Unreachable(
                    f"cannot connect to {self.host}: {_connect_reason(exc)}", hint=self.url_hint
                ) from exc
            raise Unreachable(
                f"connection to {self.host} broke: {_reason(exc)}", hint=self._broken_hint()
            ) from exc
        except httpx.RemoteProtocolError as exc:
            raise Unreachable(f"connection to {self.host} broke: {_reason(exc)}") from exc
        except (httpx.UnsupportedProtocol, httpx.InvalidURL) as exc:
            raise Unreachable(f"bad {self.service} URL {self.url!r}: {_reason(exc)}") from exc
        except httpx.HTTPError as exc:
            raise Unreachable(f"request to {self.host} failed: {_reason(exc)}") from exc

    async def _limited(
        self, method: str, path: str, max_bytes: int, **kwargs: Any
    ) -> httpx.Response:
        """The answer read chunk by chunk (decompressed), up to `max_bytes`: memory
        stays bounded whatever the server sends."""
        request = self._http.build_request(method, path, **kwargs)
        response = await self._http.send(request, stream=True)
        try:
            chunks, size = [], 0
            async for chunk in response.aiter_bytes():
                size += len(chunk)
                if size > max_bytes:
                    raise TooLarge(
                        f"the answer from {self.host} is over {max_bytes // 1024 // 1024} MB",
                        hint="too many series: narrow the query with a label matcher or topk()",
                    )
                chunks.append(chunk)
        finally:
            await response.aclose()
        # Already decompressed: the copy must not claim an encoding or a length.
        dropped = ("content-encoding", "content-length", "transfer-encoding")
        headers = [(k, v) for k, v in response.headers.multi_items() if k.lower() not in dropped]
        return httpx.Response(
            response.status_code, headers=headers, content=b"".join(chunks), request=request
        )


class PrometheusClient(HTTPAPIClient):
    """The Prometheus HTTP API (also served by VictoriaMetrics, Thanos and Mimir)."""

    # -- queries --

    async def query(
        self, expr: str, time: float | None = None, *, stats: bool = False
    ) -> InstantResult:
        """Evaluate `expr` at `time` (default: the server's now)."""
        form: dict[str, str] = {**self.settings.query_params, "query": expr}
        if time is not None:
            form["time"] = _fmt_time(time)
        if stats:
            form["stats"] = "all"
        body = await self._api("POST", "/api/v1/query", data=form)
        kind, samples = self._decode(body, lambda d: _instant(d))
        return InstantResult(kind, samples, _warnings(body), _stats(body))  # type: ignore[arg-type]

    async def query_range(
        self,
        expr: str,
        start: float,
        end: float,
        step: float,
        *,
        stats: bool = False,
        max_bytes: int | None = None,
    ) -> RangeResult:
        """Evaluate `expr` over a range; with `max_bytes`, a bigger answer is TooLarge."""
        form = {
            **self.settings.query_params,
            "query": expr,
            "start": _fmt_time(start),
            "end": _fmt_time(end),
            "step": _fmt_time(step),
        }
        if stats:
            form["stats"] = "all"
        response = await self._send("POST", "/api/v1/query_range", data=form, max_bytes=max_bytes)
        body = self._body(response)
        series = self._decode(body, _matrix)
        return RangeResult(series, _warnings(body), _stats(body))

    async def label_values(
        self, label: str, match: str | Sequence[str] | None = None
    ) -> tuple[str, ...]:
        """The label's values, among the series that `match` (a selector, or several:
        any of them) selects."""
        matchers = [match] if isinstance(match, str) else list(match or ())
        params = {"match[]": matchers} if matchers else None
        body = await self._api("GET", f"/api/v1/label/{label}/values", params=params)
        return self._decode(body, lambda d: tuple(sorted(str(v) for v in d)))

    async def label_names(self, match: str | Sequence[str] | None = None) -> tuple[str, ...]:
        """The label names of the series that `match` selects (of every series if None)."""
        matchers = [match] if isinstance(match, str) else list(match or ())
        params = {"match[]": matchers} if matchers else None
        body = await self._api("GET", "/api/v1/labels", params=params)
        return self._decode(body, lambda d: tuple(sorted(str(v) for v in d)))

    # -- state --

    async def alerts(self) -> tuple[Alert, ...]:
        body = await self._api("GET", "/api/v1/alerts")
        return self._decode(body, lambda d: tuple(_alert(a) for a in d["alerts"]))

    async def rules(self) -> tuple[RuleGroup, ...]:
        """Alerting rules only (recording rules have no state to show)."""
        body = await self._api("GET", "/api/v1/rules", params={"type": "alert"})
        return self._decode(body, _groups)

    async def targets(self) -> tuple[Target, ...]:
        body = await self._api("GET", "/api/v1/targets", params={"state": "active"})
        return self._decode(body, lambda d: tuple(_target(t) for t in d["activeTargets"]))

    async def external_labels(self) -> dict[str, str]:
        """The server's global external_labels (from /api/v1/status/config): what it
        adds to an alert's labels when it sends the alert to Alertmanager."""
        body = await self._api("GET", "/api/v1/status/config")
        return self._decode(body, _external_labels)

    async def buildinfo(self) -> BuildInfo:
        body = await self._api("GET", "/api/v1/status/buildinfo")
        return self._decode(
            body, lambda d: BuildInfo(str(d.get("version", "")), str(d.get("revision", "")))
        )

    async def ready(self) -> bool:
        """True when the server answers /-/ready with 200; never raises."""
        try:
            response = await self._http.get("/-/ready")
        except httpx.HTTPError:
            return False
        return response.status_code == 200

    # -- transport and decoding --

    async def _api(self, method: str, path: str, **kwargs: Any) -> Mapping[str, Any]:
        return self._body(await self._send(method, path, **kwargs))

    def _body(self, response: httpx.Response) -> Mapping[str, Any]:
        try:
            body = json.loads(response.content)
        except ValueError:
            body = None
        if isinstance(body, dict) and body.get("status") == "error":
            raise QueryError(
                clean(body.get("errorType", "")),
                clean(body.get("error", "unknown error")),
                response.status_code,
            )
        if response.is_redirect:
            target = clean(response.headers.get("location", "?"), 120)
            raise HTTPStatusError(
                response.status_code,
                f"{self.host} redirects to {target}",
                hint="use that URL with --url (allintop follows no redirect from http)",
            )
        tenant = self._missing_tenant(response)
        if tenant is not None:
            raise tenant
        if response.status_code == 401 and self.sends_credentials:
            raise HTTPStatusError(
                401,
                f"HTTP 401 from {self.host}: credentials were sent and refused",
                hint="check the user name and the password or token (and that it has not expired)",
            )
        if response.status_code >= 400:
            raise HTTPStatusError(
                response.status_code,
                f"HTTP {response.status_code} {response.reason_phrase} from {self.host}"
                + (f": {_snippet(response)}" if response.content else ""),
                hint=_HINTS.get(response.status_code),
            )
        if not isinstance(body, dict) or body.get("status") != "success" or "data" not in body:
            kind = response.headers.get("content-type", "no content type").split(";")[0]
            raise BadResponse(
                f"{self.host} did not answer with Prometheus JSON ({kind}): {_snippet(response)}",
                hint="is the URL a Prometheus API (not a proxy login page or Grafana)?",
            )
        return body

    def _missing_tenant(self, response: httpx.Response) -> HTTPStatusError | None:
        """Mimir, Cortex and Thanos' receive refuse a request without a tenant
        ("no org id"): name the header that is missing, not credentials."""
        if response.status_code not in (400, 401, 403) or not response.content:
            return None
        if "org id" not in response.text[:300].lower():
            return None
        sent = any(name.lower() == TENANT_HEADER.lower() for name in self.settings.headers)
        what = "refused the tenant in" if sent else "wants the header"
        return HTTPStatusError(
            response.status_code,
            f"HTTP {response.status_code} from {self.host}: it {what} {TENANT_HEADER} "
            f"({_snippet(response)})",
            hint=f"give the tenant with --header '{TENANT_HEADER}: TENANT' or under the "
            "datasource's headers: in panels.yaml",
        )

    def _decode(self, body: Mapping[str, Any], decode: Any) -> Any:
        try:
            return decode(body["data"])
        except PrometheusError:
            raise
        except (KeyError, TypeError, ValueError, IndexError, AttributeError, yaml.YAMLError) as exc:
            raise BadResponse(
                f"unexpected answer from {self.host}: {clean(repr(exc), 80)}",
                hint="the server speaks a different version of the Prometheus API",
            ) from exc


def _external_labels(data: Mapping[str, Any]) -> dict[str, str]:
    parsed = yaml.safe_load(str(data["yaml"])) or {}
    labels = (parsed.get("global") or {}).get("external_labels") or {}
    return _labels(labels)


def _groups(data: Mapping[str, Any]) -> tuple[RuleGroup, ...]:
    return tuple(
        RuleGroup(
            name=str(g["name"]),
            file=str(g.get("file", "")),
            interval=float(g.get("interval", 0) or 0),
            rules=tuple(_rule(r) for r in g.get("rules") or () if r.get("type") == "alerting"),
        )
        for g in data["groups"]
    )


def _warnings(body: Mapping[str, Any]) -> tuple[str, ...]:
    return tuple(clean(w) for w in body.get("warnings") or ())


def _stats(body: Mapping[str, Any]) -> Mapping[str, Any] | None:
    stats = body["data"].get("stats") if isinstance(body.get("data"), dict) else None
    return stats if isinstance(stats, dict) else None


def _fmt_time(seconds: float) -> str:
    return f"{seconds:.3f}"


def _reason(exc: BaseException) -> str:
    return clean(str(exc) or type(exc).__name__, 120)


def _connect_reason(exc: httpx.ConnectError) -> str:
    """Find the OS-level cause (refused, no route, unknown host) in the exception chain."""
    cause: BaseException | None = exc
    while cause is not None:
        if isinstance(cause, ConnectionRefusedError):
            return "connection refused"
        if isinstance(cause, OSError) and cause.strerror:
            return cause.strerror.lower()
        cause = cause.__cause__ or cause.__context__
    text = str(exc)
    if "Name or service not known" in text or "nodename nor servname" in text:
        return "unknown host"
    if "refused" in text.lower():
        return "connection refused"
    return _reason(exc)


_CA_HINT = (
    "give the server's CA with --ca-file (or ca_file: in panels.yaml); --insecure skips the check"
)
_CLIENT_CERT_HINT = (
    "give a client certificate with --cert-file and --key-file (cert_file: and key_file:)"
)


def _tls_failure(exc: BaseException, sent_certificate: bool) -> tuple[str, str] | None:
    """(what failed, what to do) when `exc` comes from TLS, else None."""
    cause: BaseException | None = exc
    while cause is not None:
        if isinstance(cause, ssl.SSLCertVerificationError):
            return f"the server's certificate is not trusted ({cause.verify_message})", _CA_HINT
        if isinstance(cause, ssl.SSLError):
            reason = str(cause.reason or "")
            # Without a certificate of ours, a "bad certificate" verdict means none came.
            wanted = (
                "CERTIFICATE_REQUIRED",
                "HANDSHAKE_FAILURE",
                *(() if sent_certificate else ("BAD_CERTIFICATE",)),
            )
            if any(word in reason for word in wanted):
                return "the server requires a client certificate", _CLIENT_CERT_HINT
            if reason in ("BAD_CERTIFICATE", "UNKNOWN_CA") or "CERTIFICATE" in reason:
                return f"the server refused the client certificate ({_words(reason)})", (
                    "the server does not trust the certificate given with --cert-file"
                )
            if reason == "WRONG_VERSION_NUMBER":
                return "the server does not speak TLS there", "use http:// for this URL"
            return _words(reason) or _reason(cause), _CA_HINT
        cause = cause.__cause__ or cause.__context__
    return None


def _words(reason: str) -> str:
    return reason.replace("_", " ").lower()
