"""Fault shapes a real Prometheus cannot produce, served over a real local socket."""

import json

import httpx
import pytest

from allintop.errors import BadResponse, HTTPStatusError, QueryError, RequestTimeout, Unreachable
from allintop.sources.prometheus import PrometheusClient
from tests.faultserver import Reply, closed_port, fault_server, url_of


async def _query(reply: Reply, limit: float = 2.0):
    with fault_server(reply) as server:
        async with PrometheusClient(url_of(server), timeout=limit) as client:
            return await client.query("up")


async def test_connection_refused_says_so():
    async with PrometheusClient(f"http://127.0.0.1:{closed_port()}") as client:
        with pytest.raises(Unreachable, match="connection refused") as info:
            await client.query("up")
    assert info.value.hint and "PROMETHEUS_URL" in info.value.hint


async def test_a_request_after_the_client_is_closed_fails_as_a_request_does():
    # A task the app started before letting the servers go (a context switch, the
    # exit) must not raise httpx's RuntimeError, which no caller expects.
    with fault_server(Reply(200, b"{}")) as server:
        client = PrometheusClient(url_of(server))
        await client.aclose()
        with pytest.raises(Unreachable, match="no longer asking"):
            await client.query("up")


async def test_slow_server_times_out_with_the_limit_in_the_message():
    with pytest.raises(RequestTimeout, match=r"within 0\.3s"):
        await _query(Reply(delay=1.5), limit=0.3)


async def test_html_from_a_proxy_is_named_by_its_title():
    page = b"<html><head><title>502 Bad Gateway</title></head><body>nginx</body></html>"
    with pytest.raises(HTTPStatusError, match="502 Bad Gateway") as info:
        await _query(Reply(502, page, "text/html"))
    assert info.value.short == "HTTP 502"
    assert "proxy" in (info.value.hint or "")


async def test_html_with_status_200_is_not_prometheus_json():
    login = b"<html><title>Sign in</title></html>"
    with pytest.raises(BadResponse, match=r"text/html.*Sign in"):
        await _query(Reply(200, login, "text/html"))


async def test_malformed_json_is_a_bad_response():
    with pytest.raises(BadResponse, match="did not answer with Prometheus JSON"):
        await _query(Reply(200, b'{"status": "success", "data": {'))


async def test_unexpected_shape_is_a_bad_response_not_a_crash():
    body = json.dumps({"status": "success", "data": {"resultType": "vector", "result": 5}})
    with pytest.raises(BadResponse, match="unexpected answer"):
        await _query(Reply(200, body.encode()))


async def test_prometheus_error_json_keeps_type_and_message():
    body = json.dumps(
        {"status": "error", "errorType": "timeout", "error": "query timed out in expression"}
    )
    with pytest.raises(QueryError, match="timeout: query timed out") as info:
        await _query(Reply(503, body.encode()))
    assert info.value.status == 503


async def test_reset_connection_is_unreachable():
    with pytest.raises(Unreachable, match="broke|failed|connect"):
        await _query(Reply(reset=True))


async def test_escape_sequences_in_server_errors_are_made_visible():
    body = json.dumps({"status": "error", "errorType": "bad_data", "error": "\x1b[2Jboom"})
    with pytest.raises(QueryError) as info:
        await _query(Reply(400, body.encode()))
    assert "\x1b" not in str(info.value)
    assert "\\e[2Jboom" in str(info.value)


async def test_warnings_are_kept():
    body = json.dumps(
        {
            "status": "success",
            "warnings": ["partial data"],
            "data": {"resultType": "vector", "result": []},
        }
    )
    result = await _query(Reply(200, body.encode()))
    assert result.warnings == ("partial data",)
    assert result.samples == ()


async def test_bearer_token_and_headers_are_sent():
    body = json.dumps({"status": "success", "data": {"resultType": "vector", "result": []}})
    with fault_server(Reply(200, body.encode())) as server:
        transport = _Recording()
        async with PrometheusClient(
            url_of(server), auth="s3cret", headers={"X-Scope-OrgID": "team-a"}, transport=transport
        ) as client:
            await client.query("up")
    assert transport.seen["authorization"] == "Bearer s3cret"
    assert transport.seen["x-scope-orgid"] == "team-a"


class _Recording(httpx.AsyncHTTPTransport):
    """The real transport, noting the headers of each request it sends."""

    def __init__(self) -> None:
        super().__init__()
        self.seen: dict[str, str] = {}

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.seen.update(request.headers)
        return await super().handle_async_request(request)


async def test_redirect_from_plain_http_is_reported_not_followed():
    moved = Reply(301, b"", headers={"Location": "https://prometheus.example/api/v1/query"})
    with fault_server(moved) as server:
        async with PrometheusClient(url_of(server)) as client:
            with pytest.raises(HTTPStatusError, match="redirects to https://prometheus") as info:
                await client.query("up")
        assert len(server.requests) == 1  # not followed
    assert "--url" in (info.value.hint or "")
