"""The HTTP client against a real local server: retries, rate limits, size and truncation."""

from __future__ import annotations

import logging
import socket
import time
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from data.http import (
    BROWSER_USER_AGENT,
    DEFAULT_USER_AGENT,
    HttpClient,
    HttpSettings,
    SourceError,
    redact,
    retry_after_seconds,
)
from tests.fixtures.http_server import LocalServer, Reply

KEY = "abcdef0123456789abcdef0123456789"


def settings(**overrides: float) -> HttpSettings:
    values: dict[str, float] = dict(timeout_s=2.0, retries=2, backoff_s=0.01, max_retry_after_s=2.0,
                                    max_bytes=10_000, min_interval_s=0.0)
    values.update(overrides)
    return HttpSettings(
        timeout_s=values["timeout_s"], retries=int(values["retries"]), backoff_s=values["backoff_s"],
        max_retry_after_s=values["max_retry_after_s"], max_bytes=int(values["max_bytes"]),
        min_interval_s=values["min_interval_s"], deadline_s=values.get("deadline_s"),
    )


@pytest.fixture()
def server() -> Iterator[LocalServer]:
    with LocalServer() as running:
        yield running


def test_ok_body_is_returned_with_our_user_agent_or_a_browser_one(server: LocalServer) -> None:
    server.route("/a", Reply(200, b"hello"))
    client = HttpClient(settings=settings())
    assert client.get(server.url + "/a", source="fred", series="DGS10") == b"hello"
    assert client.get(server.url + "/a", source="treasury", browser=True) == b"hello"
    agents = [r.headers["User-Agent"] for r in server.hits("/a")]
    assert agents == [DEFAULT_USER_AGENT, BROWSER_USER_AGENT]


def test_query_parameters_are_sent(server: LocalServer) -> None:
    server.route("/q", Reply(200, b"x"))
    HttpClient(settings=settings()).get(server.url + "/q", source="nyfed",
                                        params={"startDate": "2024-06-01", "endDate": "2024-06-06"})
    assert server.hits("/q")[0].query == {"startDate": ["2024-06-01"], "endDate": ["2024-06-06"]}


def test_gzip_body_is_decoded_and_not_mistaken_for_truncation(server: LocalServer) -> None:
    # Content-Length counts the compressed bytes; the decoded body is longer.
    body = b"observation_date,DGS10\n" + b"2024-01-02,3.95\n" * 200
    server.route("/gz", Reply(200, body, gzip=True))
    assert HttpClient(settings=settings()).get(server.url + "/gz", source="fred") == body


def test_timeout_is_retried_then_fails_naming_source_series_and_cause(server: LocalServer) -> None:
    server.route("/slow", Reply(200, b"late", delay_s=1.5))
    client = HttpClient(settings=settings(timeout_s=0.3, retries=1))
    started = time.monotonic()
    with pytest.raises(SourceError) as info:
        client.get(server.url + "/slow", source="fred", series="DGS10")
    message = str(info.value)
    assert message.startswith("fred DGS10: ")
    assert "timed out after 0.3 s" in message
    assert "gave up after 2 attempts" in message
    assert len(server.hits("/slow")) == 2
    assert time.monotonic() - started < 1.4  # did not wait for the slow server


def test_429_with_short_retry_after_is_honoured_then_succeeds(server: LocalServer) -> None:
    server.route("/rl", Reply(429, b"slow down", headers={"Retry-After": "1"}), Reply(200, b"ok"))
    client = HttpClient(settings=settings(backoff_s=0.0))
    started = time.monotonic()
    assert client.get(server.url + "/rl", source="fred", series="SOFR") == b"ok"
    assert time.monotonic() - started >= 0.95
    assert len(server.hits("/rl")) == 2


def test_429_with_retry_after_beyond_the_cap_fails_at_once_as_rate_limited(server: LocalServer) -> None:
    server.route("/rl", Reply(429, b"", headers={"Retry-After": "3600"}), Reply(200, b"ok"))
    client = HttpClient(settings=settings(max_retry_after_s=2.0))
    started = time.monotonic()
    with pytest.raises(SourceError) as info:
        client.get(server.url + "/rl", source="cftc", series="TFF")
    assert "rate-limited" in str(info.value)
    assert "3600 s" in str(info.value) and "2 s" in str(info.value)
    assert info.value.status == 429
    assert len(server.hits("/rl")) == 1
    assert time.monotonic() - started < 1.0


def test_429_retry_after_as_http_date_is_understood(server: LocalServer) -> None:
    server.route("/rl", Reply(429, b"", headers={"Retry-After": "Wed, 21 Oct 2065 07:28:00 GMT"}))
    with pytest.raises(SourceError, match="rate-limited"):
        HttpClient(settings=settings()).get(server.url + "/rl", source="fred")
    assert len(server.hits("/rl")) == 1


def test_persistent_429_without_retry_after_ends_as_rate_limited(server: LocalServer) -> None:
    server.route("/rl", Reply(429, b""))
    with pytest.raises(SourceError) as info:
        HttpClient(settings=settings(retries=2)).get(server.url + "/rl", source="fred", series="DGS2")
    assert str(info.value).startswith("fred DGS2: rate-limited: HTTP 429")
    assert len(server.hits("/rl")) == 3


def test_500_then_success_is_retried(server: LocalServer) -> None:
    server.route("/x", Reply(500, b"oops"), Reply(503, b"busy"), Reply(200, b"fine"))
    assert HttpClient(settings=settings(retries=2)).get(server.url + "/x", source="gsw") == b"fine"
    assert len(server.hits("/x")) == 3


def test_persistent_500_gives_a_clear_error_after_bounded_retries(server: LocalServer) -> None:
    server.route("/x", Reply(500, b"oops"))
    with pytest.raises(SourceError) as info:
        HttpClient(settings=settings(retries=2)).get(server.url + "/x", source="nyfed", series="SOFR")
    assert str(info.value).startswith("nyfed SOFR: HTTP 500 Internal Server Error (gave up after 3 attempts)")
    assert info.value.status == 500
    assert len(server.hits("/x")) == 3


def test_404_is_not_retried_and_quotes_the_error_body(server: LocalServer) -> None:
    server.route("/missing", Reply(400, b'<error code="400" message="Bad Request.  The series does not exist."/>'))
    with pytest.raises(SourceError) as info:
        HttpClient(settings=settings()).get(server.url + "/missing", source="fred", series="NOPE")
    assert "HTTP 400" in str(info.value) and "The series does not exist." in str(info.value)
    assert len(server.hits("/missing")) == 1


def test_truncated_body_is_retried_then_reported(server: LocalServer) -> None:
    server.route("/cut", Reply(200, b"x" * 100, declared_length=1000))
    with pytest.raises(SourceError) as info:
        HttpClient(settings=settings(retries=1)).get(server.url + "/cut", source="gsw", series="feds200628")
    assert "truncated body: received 100 of 1000 bytes" in str(info.value)
    assert len(server.hits("/cut")) == 2


def test_truncated_body_then_a_complete_one_succeeds(server: LocalServer) -> None:
    server.route("/cut", Reply(200, b"x" * 100, declared_length=1000), Reply(200, b"y" * 1000))
    assert HttpClient(settings=settings()).get(server.url + "/cut", source="gsw") == b"y" * 1000


def test_declared_oversize_body_is_refused_without_retry(server: LocalServer) -> None:
    server.route("/big", Reply(200, b"z" * 20_000))
    with pytest.raises(SourceError) as info:
        HttpClient(settings=settings(max_bytes=10_000)).get(server.url + "/big", source="gsw")
    assert "20000 bytes exceeds the 10000-byte limit" in str(info.value)
    assert len(server.hits("/big")) == 1


def test_streamed_oversize_body_without_length_stops_reading(server: LocalServer) -> None:
    server.route("/big", Reply(200, b"z" * 500_000, declared_length=-1))
    with pytest.raises(SourceError) as info:
        HttpClient(settings=settings(max_bytes=10_000)).get(server.url + "/big", source="gsw")
    assert "exceeds the 10000-byte limit (stopped reading)" in str(info.value)


def test_api_key_never_appears_in_errors_or_logs(
    server: LocalServer, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FRED_API_KEY", KEY)
    server.route("/fred/series/observations", Reply(500, f"echo api_key={KEY}".encode()))
    url = f"{server.url}/fred/series/observations?series_id=DGS10&api_key={KEY}"
    caplog.set_level(logging.INFO, logger="data.http")
    with pytest.raises(SourceError) as info:
        HttpClient(settings=settings(retries=1)).get(url, source="fred", series="DGS10")
    assert KEY not in str(info.value)
    assert "api_key=***" in str(info.value)
    assert caplog.records and KEY not in caplog.text

    # A refused connection: requests puts the URL with its query in the exception text.
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    with pytest.raises(SourceError) as refused:
        HttpClient(settings=settings(retries=0)).get(
            f"http://127.0.0.1:{closed_port}/fred/series/observations?series_id=X&api_key={KEY}",
            source="fred", series="X")
    assert f"cannot connect to 127.0.0.1:{closed_port}: connection refused" in str(refused.value)
    assert KEY not in str(refused.value)


def test_redact_masks_api_keys_and_tokens() -> None:
    assert redact(f"GET /x?series_id=A&api_key={KEY}&file_type=json") == \
        "GET /x?series_id=A&api_key=***&file_type=json"
    assert redact("resource.json?$$app_token=SECRET123&$limit=5") == "resource.json?$$app_token=***&$limit=5"


def test_requests_are_paced_by_min_interval(server: LocalServer) -> None:
    server.route("/p", Reply(200, b"."))
    client = HttpClient(settings=settings(min_interval_s=0.2))
    started = time.monotonic()
    for _ in range(3):
        client.get(server.url + "/p", source="fred")
    assert time.monotonic() - started >= 0.4


def test_retry_after_seconds_reads_delta_seconds_and_http_dates() -> None:
    now = datetime(2026, 1, 2, 12, 0, 0, tzinfo=UTC)
    assert retry_after_seconds("7", now=now) == 7.0
    assert retry_after_seconds("Fri, 02 Jan 2026 12:00:30 GMT", now=now) == 30.0
    assert retry_after_seconds("Fri, 02 Jan 2026 11:00:00 GMT", now=now) == 0.0
    assert retry_after_seconds(None) is None
    assert retry_after_seconds("soon") is None


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [("timeout_s", 0.0, "timeout_s must be > 0"), ("retries", -1, "retries must be >= 0"),
     ("max_bytes", 0, "max_bytes must be > 0")],
)
def test_settings_reject_out_of_range_values(field: str, value: float, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        settings(**{field: value})


@pytest.mark.parametrize("declared", [None, -1], ids=["with-length", "without-length"])
def test_a_trickling_server_is_cut_off_at_the_total_deadline(server: LocalServer, declared) -> None:
    # One byte every 0.3 s: each read is well within the 1 s timeout, the whole body
    # (40 bytes, 12 s) is not within the 1.5 s deadline.
    server.route("/slow", Reply(body=b"x" * 40, trickle_s=0.3, declared_length=declared))
    client = HttpClient(settings=settings(timeout_s=1.0, retries=1, deadline_s=1.5), sleep=lambda s: None)
    started = time.monotonic()
    with pytest.raises(SourceError, match=r"fred DGS10: no complete answer within the 1.5 s deadline"):
        client.get(f"{server.url}/slow", source="fred", series="DGS10")
    # Two attempts of at most 1.5 s each, plus the server's last byte in flight.
    assert time.monotonic() - started < 5.0


def test_the_deadline_defaults_to_four_timeouts_and_comes_from_the_environment(monkeypatch) -> None:
    monkeypatch.setenv("TSM_HTTP_TIMEOUT", "2")
    monkeypatch.delenv("TSM_HTTP_DEADLINE", raising=False)
    assert HttpSettings.from_config().total_s == 8.0
    monkeypatch.setenv("TSM_HTTP_DEADLINE", "5")
    assert HttpSettings.from_config().total_s == 5.0


def test_a_gzip_bomb_stops_at_the_size_limit(server: LocalServer) -> None:
    import gzip as gz

    bomb = gz.compress(b"\0" * (50 * 1024 * 1024), compresslevel=9)  # 50 MB in about 50 kB
    assert len(bomb) < 100_000
    server.route("/bomb", Reply(raw_body=bomb, headers={"Content-Encoding": "gzip"}))
    client = HttpClient(settings=settings(max_bytes=1_000_000), sleep=lambda s: None)
    with pytest.raises(SourceError, match="exceeds the 1000000-byte limit"):
        client.get(f"{server.url}/bomb", source="fred", series="DGS10")


def test_a_host_that_does_not_resolve_fails_at_once_without_retries() -> None:
    # .invalid never resolves (RFC 2606): what every source looks like with no network.
    client = HttpClient(settings=settings(retries=3, backoff_s=5.0))
    with pytest.raises(SourceError) as info:
        client.get("http://tsm-test.invalid/x", source="fred", series="DGS10")
    text = str(info.value)
    assert "cannot connect to tsm-test.invalid" in text and "does not resolve" in text
    assert "gave up after" not in text  # one attempt: no 5 s, 10 s, 20 s backoff
