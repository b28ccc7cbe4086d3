"""An async client for the Prometheus HTTP API, on one shared httpx connection pool.

It speaks the API that Prometheus, VictoriaMetrics, Thanos and Mimir share, returns
typed results (allintop.sources.answers), and turns every failure into a
`PrometheusError` whose message a user understands: connection refused, timeout (both
allintop.sources.http_api), HTTP status, Prometheus' own error, or an answer that is
not Prometheus JSON, an HTML page from a proxy, say (allintop.sources.decoding).
No UI imports: the poller and the commands use it alike.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any, TypeVar
from urllib.parse import quote

import httpx

from allintop.sources import decoding
from allintop.sources.answers import (
    Alert,
    BuildInfo,
    InstantResult,
    RangeResult,
    RuleGroup,
    Target,
)
from allintop.sources.http_api import HTTPAPIClient

T = TypeVar("T")


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
        return decoding.instant_result(body, self.host)

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
        return decoding.range_result(decoding.body(response, self.asker), self.host)

    async def label_values(
        self, label: str, match: str | Sequence[str] | None = None
    ) -> tuple[str, ...]:
        """The label's values, among the series that `match` (a selector, or several:
        any of them) selects."""
        path = f"/api/v1/label/{quote(escaped_label_name(label), safe='')}/values"
        body = await self._api("GET", path, params=_matchers(match))
        return self._decoded(body, decoding.names)

    async def label_names(self, match: str | Sequence[str] | None = None) -> tuple[str, ...]:
        """The label names of the series that `match` selects (of every series if None)."""
        body = await self._api("GET", "/api/v1/labels", params=_matchers(match))
        return self._decoded(body, decoding.names)

    # -- state --

    async def alerts(self) -> tuple[Alert, ...]:
        body = await self._api("GET", "/api/v1/alerts")
        return self._decoded(body, decoding.alerts)

    async def rules(self) -> tuple[RuleGroup, ...]:
        """Alerting rules only (recording rules have no state to show)."""
        body = await self._api("GET", "/api/v1/rules", params={"type": "alert"})
        return self._decoded(body, decoding.rule_groups)

    async def targets(self) -> tuple[Target, ...]:
        body = await self._api("GET", "/api/v1/targets", params={"state": "active"})
        return self._decoded(body, decoding.targets)

    async def external_labels(self) -> dict[str, str]:
        """The server's global external_labels (from /api/v1/status/config): what it
        adds to an alert's labels when it sends the alert to Alertmanager."""
        body = await self._api("GET", "/api/v1/status/config")
        return self._decoded(body, decoding.external_labels)

    async def buildinfo(self) -> BuildInfo:
        body = await self._api("GET", "/api/v1/status/buildinfo")
        return self._decoded(body, decoding.build_info)

    async def ready(self) -> bool:
        """True when the server answers /-/ready with 200; never raises."""
        try:
            response = await self._http.get("/-/ready")
        except httpx.HTTPError:
            return False
        return response.status_code == 200

    # -- transport and decoding --

    async def _api(self, method: str, path: str, **kwargs: Any) -> Mapping[str, Any]:
        return decoding.body(await self._send(method, path, **kwargs), self.asker)

    def _decoded(self, body: Mapping[str, Any], decode: Callable[[Mapping[str, Any]], T]) -> T:
        return decoding.decoded(body, decode, self.host)


def _legacy_rune(char: str, first: bool) -> bool:
    return char.isascii() and (char.isalpha() or char in "_:" or (char.isdigit() and not first))


def escaped_label_name(name: str) -> str:
    """A label name as the label-values path takes it: a legacy name as it is, any
    other (Prometheus 3's UTF-8 names, "http.route") in the `U__` escaping the server
    undoes: `_` doubled, each other rune outside the legacy set as _<hex code>_."""
    if name and all(_legacy_rune(c, k == 0) for k, c in enumerate(name)):
        return name
    out = ["U__"]
    for k, char in enumerate(name):
        if char == "_":
            out.append("__")
        elif _legacy_rune(char, k == 0):
            out.append(char)
        else:
            out.append(f"_{ord(char):x}_")
    return "".join(out)


def _matchers(match: str | Sequence[str] | None) -> dict[str, list[str]] | None:
    """The `match[]` parameters of a label lookup (none: every series)."""
    matchers = [match] if isinstance(match, str) else list(match or ())
    return {"match[]": matchers} if matchers else None


def _fmt_time(seconds: float) -> str:
    return f"{seconds:.3f}"
