"""The one HTTP client every data source uses.

It adds to `requests` what the public sources need: a timeout on every request, bounded
retries with exponential backoff on connection errors, timeouts, HTTP 429 and 5xx, respect for
``Retry-After`` (seconds or an HTTP date, capped), a cap on the response size (the body is
streamed and reading stops past the cap), detection of truncated bodies, optional pacing
between requests (FRED rejects bursts) and a browser-like User-Agent for sources whose web
firewall rejects plain clients.

Every failure is a :class:`SourceError` whose message names the source, the series and the
cause. URLs and messages are redacted: an ``api_key=...`` query value never reaches a message
or a log line.
"""

from __future__ import annotations

import logging
import re
import socket
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Final

import requests

import config

__all__ = [
    "BROWSER_USER_AGENT",
    "CHUNK_BYTES",
    "DEFAULT_USER_AGENT",
    "ERROR_SNIPPET_CHARS",
    "HttpClient",
    "HttpSettings",
    "SourceError",
    "redact",
    "retry_after_seconds",
]

log = logging.getLogger(__name__)

#: User-Agent sent by default: says what we are, as API etiquette asks.
DEFAULT_USER_AGENT: Final[str] = "treasury-stress-monitor/0.1 (self-hosted dashboard; python-requests)"

#: User-Agent for sources behind a web firewall that rejects non-browser clients (Treasury, FRED
#: graph downloads).
BROWSER_USER_AGENT: Final[str] = (
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/126.0.0.0 Safari/537.36"
)

#: Bytes read per chunk while streaming a body.
CHUNK_BYTES: Final[int] = 64 * 1024

#: Characters of an error body quoted in a 4xx message (FRED explains bad requests there).
ERROR_SNIPPET_CHARS: Final[int] = 200

_RETRY_STATUSES: Final[frozenset[int]] = frozenset({429, 500, 502, 503, 504})
_SECRET_QUERY = re.compile(r"(?i)(api_key|\$\$app_token|app_token|token)=([^&\s'\"<>]+)")


def _host(url: str) -> str:
    match = re.match(r"^[a-z]+://([^/?#]+)", url)
    return match.group(1) if match else url


_NO_NAME: Final = re.compile(
    r"Name or service not known|nodename nor servname|Temporary failure in name resolution|"
    r"getaddrinfo failed|No address associated with hostname")


def _connection_cause(exc: BaseException) -> str:
    """The root cause of a connection error in a few words (requests nests urllib3's)."""
    text = str(exc)
    for pattern, words in (
        (_NO_NAME.pattern, "the host name does not resolve (no network or DNS?)"),
        (r"Connection refused", "connection refused"),
        (r"Network is unreachable|No route to host", "network unreachable"),
        (r"CERTIFICATE_VERIFY_FAILED|SSLError|SSL:", "TLS handshake failed"),
        (r"Connection reset|RemoteDisconnected|Connection aborted", "connection dropped by the server"),
    ):
        if re.search(pattern, text):
            return words
    return _short(exc)


def redact(text: str) -> str:
    """`text` with secrets removed: every ``api_key=VALUE`` (and app tokens) becomes
    ``api_key=***``, and the configured FRED key is masked wherever it appears."""
    cleaned = _SECRET_QUERY.sub(lambda m: f"{m.group(1)}=***", text)
    key = config.fred_api_key()
    if key:
        cleaned = cleaned.replace(key, "***")
    return cleaned


class SourceError(RuntimeError):
    """A data source could not deliver: the message names source, series and cause.

    Attributes
    ----------
    source : source name ("fred", "nyfed", ...).
    series : series id or fetch label the request was for (None when not specific).
    cause : readable cause, already redacted.
    status : HTTP status code when the server answered, else None.
    url : the request URL, redacted, when known.
    """

    def __init__(
        self,
        *,
        source: str,
        cause: str,
        series: str | None = None,
        status: int | None = None,
        url: str | None = None,
    ) -> None:
        self.source = source
        self.series = series
        self.cause = redact(cause)
        self.status = status
        self.url = redact(url) if url else None
        where = f"{source} {series}" if series else source
        text = f"{where}: {self.cause}"
        if self.url:
            text += f" [{self.url}]"
        super().__init__(text)


@dataclass(frozen=True)
class HttpSettings:
    """Limits of one :class:`HttpClient`.

    Attributes
    ----------
    timeout_s : connect and read timeout of each attempt, in seconds.
    retries : attempts after the first on retryable failures (so ``retries + 1`` in all).
    backoff_s : base of the exponential backoff, in seconds (waits backoff, 2x, 4x...).
    max_retry_after_s : longest ``Retry-After`` honoured, in seconds; a longer one fails at
        once with a "rate-limited" error.
    max_bytes : largest accepted body, in bytes.
    min_interval_s : least time between the starts of two requests, in seconds (pacing).
    deadline_s : longest time one attempt may take from its start to the last body byte, in
        seconds (None: four times ``timeout_s``). The timeout bounds each read; a server that
        trickles a byte now and then never trips it, the deadline does.
    """

    timeout_s: float
    retries: int
    backoff_s: float
    max_retry_after_s: float
    max_bytes: int
    min_interval_s: float = 0.0
    deadline_s: float | None = None

    def __post_init__(self) -> None:
        if not self.timeout_s > 0:
            raise ValueError(f"timeout_s must be > 0 seconds, got {self.timeout_s}")
        if self.retries < 0:
            raise ValueError(f"retries must be >= 0, got {self.retries}")
        if self.backoff_s < 0 or self.max_retry_after_s < 0 or self.min_interval_s < 0:
            raise ValueError("backoff_s, max_retry_after_s and min_interval_s must be >= 0 seconds")
        if self.max_bytes <= 0:
            raise ValueError(f"max_bytes must be > 0, got {self.max_bytes}")
        if self.deadline_s is not None and not self.deadline_s > 0:
            raise ValueError(f"deadline_s must be > 0 seconds, got {self.deadline_s}")

    @property
    def total_s(self) -> float:
        """The per-attempt deadline in seconds."""
        return self.deadline_s if self.deadline_s is not None else 4 * self.timeout_s

    @classmethod
    def from_config(cls, *, min_interval_s: float = 0.0) -> HttpSettings:
        """Settings read from :mod:`config` (environment) now, plus the given pacing."""
        return cls(
            timeout_s=config.http_timeout_s(),
            retries=config.http_retries(),
            backoff_s=config.http_backoff_s(),
            max_retry_after_s=config.http_max_retry_after_s(),
            max_bytes=config.http_max_bytes(),
            min_interval_s=min_interval_s,
            deadline_s=config.http_deadline_s(),
        )


def retry_after_seconds(value: str | None, *, now: datetime | None = None) -> float | None:
    """Seconds to wait from a ``Retry-After`` header value (delta-seconds or an HTTP date).

    Returns None when the header is absent or unreadable; a date in the past gives 0.
    """
    if value is None or not value.strip():
        return None
    text = value.strip()
    if re.fullmatch(r"\d+(\.\d+)?", text):
        return float(text)
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    reference = now or datetime.now(UTC)
    return max(0.0, (when - reference).total_seconds())


class _Retryable(Exception):
    """An attempt failed in a way worth retrying; carries the readable cause."""

    def __init__(self, cause: str, *, status: int | None = None, wait_s: float | None = None):
        super().__init__(cause)
        self.cause = cause
        self.status = status
        self.wait_s = wait_s


class HttpClient:
    """GET with timeouts, bounded retries, size cap, truncation checks and pacing.

    Parameters
    ----------
    settings : limits; read from :mod:`config` when None.
    session : a `requests.Session` to reuse (one is created when None).
    sleep : function used to wait between attempts (``time.sleep``).
    """

    def __init__(
        self,
        *,
        settings: HttpSettings | None = None,
        session: requests.Session | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.settings = settings or HttpSettings.from_config()
        self._session = session or requests.Session()
        self._sleep = sleep
        self._last_start: float | None = None

    def close(self) -> None:
        self._session.close()

    def __enter__(self) -> HttpClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def get(
        self,
        url: str,
        *,
        source: str,
        series: str | None = None,
        params: Mapping[str, str] | None = None,
        headers: Mapping[str, str] | None = None,
        browser: bool = False,
    ) -> bytes:
        """The body of ``GET url`` (decoded from gzip when the server compressed it).

        Parameters
        ----------
        url : request URL (may already carry a query string).
        source, series : named in error messages.
        params : extra query parameters.
        headers : extra request headers.
        browser : send a browser-like User-Agent (for firewalled sites).

        Raises
        ------
        SourceError
            On a 4xx other than 429, a rate limit beyond the cap, an oversize body, or when
            every attempt failed (the message gives the last cause and the attempt count).
        """
        settings = self.settings
        request_headers = {
            "User-Agent": BROWSER_USER_AGENT if browser else DEFAULT_USER_AGENT,
            "Accept-Encoding": "gzip, deflate",
        }
        request_headers.update(headers or {})
        shown_url = self._display_url(url, params)
        attempts = settings.retries + 1
        last: _Retryable | None = None
        for attempt in range(attempts):
            if attempt:
                assert last is not None
                delay = settings.backoff_s * (2 ** (attempt - 1))
                if last.wait_s is not None:
                    delay = max(delay, last.wait_s)
                log.info(
                    "%s %s: %s; retry %d/%d in %.2f s", source, series or "", redact(last.cause),
                    attempt, settings.retries, delay,
                )
                self._sleep(delay)
            try:
                return self._attempt(
                    url, params=params, headers=request_headers, source=source, series=series,
                    shown_url=shown_url,
                )
            except _Retryable as exc:
                last = exc
        assert last is not None
        cause = f"{last.cause} (gave up after {attempts} attempt{'s' if attempts > 1 else ''})"
        if last.status == 429:
            cause = f"rate-limited: {cause}"
        raise SourceError(source=source, series=series, cause=cause, status=last.status, url=shown_url)

    # -- one attempt -----------------------------------------------------------------------
    def _attempt(
        self,
        url: str,
        *,
        params: Mapping[str, str] | None,
        headers: Mapping[str, str],
        source: str,
        series: str | None,
        shown_url: str,
    ) -> bytes:
        settings = self.settings
        self._pace()
        watchdog = _Watchdog(settings.total_s)
        try:
            response = self._session.get(
                url, params=dict(params or {}), headers=dict(headers),
                timeout=(settings.timeout_s, watchdog.read_timeout(settings.timeout_s)),
                stream=True,
            )
        except requests.Timeout as exc:
            watchdog.cancel()
            raise _Retryable(f"timed out after {settings.timeout_s:g} s") from exc
        except requests.ConnectionError as exc:
            watchdog.cancel()
            cause = f"cannot connect to {_host(shown_url)}: {_connection_cause(exc)}"
            if _NO_NAME.search(str(exc)):
                # No network (or no DNS): a retry a second later finds the same, and an offline
                # refresh would wait seconds per source for nothing.
                raise SourceError(source=source, series=series, cause=cause, url=shown_url) from exc
            raise _Retryable(cause) from exc
        except requests.RequestException as exc:
            watchdog.cancel()
            raise SourceError(source=source, series=series, cause=f"request failed: {_short(exc)}",
                              url=shown_url) from exc
        watchdog.arm(response)
        try:
            with response:
                body = self._respond(response, source=source, series=series, shown_url=shown_url)
        except _Retryable as exc:
            if watchdog.fired:
                raise _Retryable(watchdog.cause()) from exc
            raise
        finally:
            watchdog.cancel()
        if watchdog.fired:
            # The shut-down socket can read as a clean end of a body without a length.
            raise _Retryable(watchdog.cause())
        return body

    def _respond(
        self, response: requests.Response, *, source: str, series: str | None, shown_url: str
    ) -> bytes:
        settings = self.settings
        status = response.status_code
        if status in _RETRY_STATUSES:
            wait = retry_after_seconds(response.headers.get("Retry-After"))
            if wait is not None and wait > settings.max_retry_after_s:
                raise SourceError(
                    source=source, series=series, status=status, url=shown_url,
                    cause=(f"rate-limited: HTTP {status}, the server asks to wait {wait:.0f} s, "
                           f"more than the {settings.max_retry_after_s:g} s this app waits"),
                )
            raise _Retryable(f"HTTP {status} {response.reason or ''}".strip(), status=status,
                             wait_s=wait)
        if status >= 400:
            snippet = _snippet(response, settings.max_bytes)
            cause = f"HTTP {status} {response.reason or ''}".strip()
            raise SourceError(source=source, series=series, status=status, url=shown_url,
                              cause=f"{cause}: {snippet}" if snippet else cause)
        return self._read_body(response, source=source, series=series, shown_url=shown_url)

    def _read_body(
        self, response: requests.Response, *, source: str, series: str | None, shown_url: str
    ) -> bytes:
        limit = self.settings.max_bytes
        declared_raw = response.headers.get("Content-Length")
        declared = int(declared_raw) if declared_raw and declared_raw.strip().isdigit() else None
        if declared is not None and declared > limit:
            raise SourceError(source=source, series=series, url=shown_url,
                              cause=f"response of {declared} bytes exceeds the {limit}-byte limit")
        chunks: list[bytes] = []
        total = 0
        try:
            for chunk in response.iter_content(chunk_size=CHUNK_BYTES):
                total += len(chunk)
                if total > limit:
                    raise SourceError(
                        source=source, series=series, url=shown_url,
                        cause=f"response exceeds the {limit}-byte limit (stopped reading)",
                    )
                chunks.append(chunk)
        except requests.RequestException as exc:
            # A connection cut mid-body (chunked or not) or a read timeout: worth a retry.
            raise _Retryable(f"body read failed: {_short(exc)}") from exc
        except (OSError, ValueError, AttributeError) as exc:
            # The watchdog shut the socket down under the read (total deadline passed).
            raise _Retryable(f"body read failed: {_short(exc)}") from exc
        # The raw (pre-decompression) byte count is what Content-Length promises; urllib3 1.x
        # does not enforce it, so a connection closed early would pass silently otherwise.
        received = int(response.raw.tell()) if response.raw is not None else total
        if declared is not None and received < declared:
            raise _Retryable(f"truncated body: received {received} of {declared} bytes")
        return b"".join(chunks)

    def _pace(self) -> None:
        gap = self.settings.min_interval_s
        now = time.monotonic()
        if gap > 0 and self._last_start is not None:
            wait = self._last_start + gap - now
            if wait > 0:
                self._sleep(wait)
                now = time.monotonic()
        self._last_start = now

    @staticmethod
    def _display_url(url: str, params: Mapping[str, str] | None) -> str:
        if not params:
            return redact(url)
        prepared = requests.Request("GET", url, params=dict(params)).prepare()
        return redact(prepared.url or url)


class _Watchdog:
    """Cuts an attempt off at its total deadline by shutting its socket down.

    Each socket read has its own timeout; only the total time of the attempt is watched here.
    The socket is reached through urllib3's response (``connection.sock``); when it cannot be
    found the deadline is still enforced between chunks by the body loop's clock.
    """

    def __init__(self, total_s: float) -> None:
        self.total_s = total_s
        self.started = time.monotonic()
        self.fired = False
        self._timer: threading.Timer | None = None

    def read_timeout(self, timeout_s: float) -> float:
        return min(timeout_s, self.total_s)

    def remaining(self) -> float:
        return self.total_s - (time.monotonic() - self.started)

    def cause(self) -> str:
        return f"no complete answer within the {self.total_s:g} s deadline (the server is too slow)"

    def arm(self, response: requests.Response) -> None:
        sock = _socket_of(response)
        left = self.remaining()
        if left <= 0:
            self._fire(sock)
            return
        self._timer = threading.Timer(left, self._fire, args=(sock,))
        self._timer.daemon = True
        self._timer.start()

    def _fire(self, sock: socket.socket | None) -> None:
        self.fired = True
        if sock is not None:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def cancel(self) -> None:
        if self._timer is not None:
            self._timer.cancel()


def _socket_of(response: requests.Response) -> socket.socket | None:
    raw = response.raw
    connection = getattr(raw, "connection", None) or getattr(raw, "_connection", None)
    sock = getattr(connection, "sock", None)
    if isinstance(sock, socket.socket):
        return sock
    fp = getattr(getattr(getattr(raw, "_fp", None), "fp", None), "raw", None)
    sock = getattr(fp, "_sock", None)
    return sock if isinstance(sock, socket.socket) else None


def _short(exc: BaseException) -> str:
    text = redact(str(exc)) or type(exc).__name__
    return text if len(text) <= 300 else text[:297] + "..."


def _snippet(response: requests.Response, limit: int) -> str:
    try:
        raw = response.raw.read(min(limit, 4 * ERROR_SNIPPET_CHARS), decode_content=True)
    except Exception:  # noqa: BLE001 - the body of an error page is a courtesy, never a failure
        return ""
    text = raw.decode("utf-8", errors="replace") if isinstance(raw, bytes) else ""
    text = re.sub(r"\s+", " ", text).strip()
    return redact(text[:ERROR_SNIPPET_CHARS])
