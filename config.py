"""Every setting of the app in one place; each can be overridden by an environment variable.

README.md documents the variables. Read them through the functions here so that the value a
worker uses is the value of its environment, not an import-time global that could differ.
"""

from __future__ import annotations

import hashlib
import os
import re
from pathlib import Path

#: Default store location when neither --store nor TSM_STORE is given.
DEFAULT_STORE_PATH = Path.home() / ".local" / "share" / "tsm" / "store.sqlite"


def _env(name: str, default: str) -> str:
    value = os.environ.get(name)
    return default if value is None or value.strip() == "" else value.strip()


def _env_float(name: str, default: float) -> float:
    raw = _env(name, str(default))
    try:
        return float(raw)
    except ValueError as exc:
        raise ValueError(f"environment variable {name}={raw!r} is not a number") from exc


class StoreUrl(str):
    """A PostgreSQL store URL (``postgresql://user:password@host:port/dbname``).

    Printing it (``str``, f-strings, ``repr``) shows it without its password, so that status
    lines and logs never carry the secret; :attr:`dsn` is the full URL for connecting.
    """

    @property
    def dsn(self) -> str:
        return str.__str__(self)

    @property
    def shown(self) -> str:
        return re.sub(r"(://[^:/@]*):[^@/]*@", r"\1:***@", self.dsn)

    def __str__(self) -> str:
        return self.shown

    def __repr__(self) -> str:
        return f"StoreUrl({self.shown!r})"

    def __format__(self, spec: str) -> str:
        return format(self.shown, spec)

    def exists(self) -> bool:
        """A server store always "exists": the server says otherwise when connecting."""
        return True

    def expanduser(self) -> StoreUrl:
        return self


#: Where a store lives: a SQLite file, or a PostgreSQL server.
StoreLocation = Path | StoreUrl


def is_store_url(text: str | os.PathLike[str]) -> bool:
    """True for a PostgreSQL URL (``postgresql://`` or ``postgres://``)."""
    return isinstance(text, str) and re.match(r"(?i)^postgres(ql)?://", text.strip()) is not None


def store_path(explicit: str | os.PathLike[str] | None = None) -> StoreLocation:
    """The store: the explicit path or URL, else $TSM_STORE, else the default SQLite file.

    A value starting ``postgresql://`` names a PostgreSQL database (several replicas can share
    it); anything else is a SQLite file path.
    """
    raw: str | os.PathLike[str] = explicit if explicit else _env("TSM_STORE", str(DEFAULT_STORE_PATH))
    if isinstance(raw, StoreUrl):
        return raw
    if is_store_url(raw):
        return StoreUrl(str(raw).strip())
    return Path(raw).expanduser()


def host() -> str:
    """Interface `python app.py` binds to (TSM_HOST, default 127.0.0.1)."""
    return _env("TSM_HOST", "127.0.0.1")


def port() -> int:
    """Port `python app.py` listens on (TSM_PORT, default 8050)."""
    return int(_env_float("TSM_PORT", 8050))


def http_timeout_s() -> float:
    """Seconds before an HTTP request to a data source is abandoned (TSM_HTTP_TIMEOUT)."""
    return _env_float("TSM_HTTP_TIMEOUT", 30.0)


def http_retries() -> int:
    """Retries after the first attempt on timeouts, 429 and 5xx (TSM_HTTP_RETRIES)."""
    return int(_env_float("TSM_HTTP_RETRIES", 3))


def http_backoff_s() -> float:
    """Base of the exponential backoff between retries, in seconds (TSM_HTTP_BACKOFF)."""
    return _env_float("TSM_HTTP_BACKOFF", 1.0)


def http_max_retry_after_s() -> float:
    """Longest Retry-After the client will honour before giving up (TSM_HTTP_MAX_RETRY_AFTER)."""
    return _env_float("TSM_HTTP_MAX_RETRY_AFTER", 120.0)


def http_max_bytes() -> int:
    """Largest response body accepted from a source, in bytes (TSM_HTTP_MAX_BYTES)."""
    return int(_env_float("TSM_HTTP_MAX_BYTES", 64 * 1024 * 1024))


def http_deadline_s() -> float:
    """Longest time one HTTP request may take from start to last byte, in seconds
    (TSM_HTTP_DEADLINE; default four times TSM_HTTP_TIMEOUT). A server that trickles bytes
    slower than that is cut off even though each read is within the timeout."""
    return _env_float("TSM_HTTP_DEADLINE", 4 * http_timeout_s())


def import_max_bytes() -> int:
    """Largest file `tsm import` reads, in bytes (TSM_IMPORT_MAX_BYTES, default 256 MB)."""
    return int(_env_float("TSM_IMPORT_MAX_BYTES", 256 * 1024 * 1024))


def lock_wait_s() -> float:
    """Seconds an import waits for another writer (refresh or import) to finish before giving
    up (TSM_LOCK_WAIT, default 600)."""
    return _env_float("TSM_LOCK_WAIT", 600.0)


def max_request_bytes() -> int:
    """Largest HTTP request body the web app accepts, in bytes (TSM_MAX_REQUEST_BYTES,
    default 4 MiB: a 2 MB portfolio upload is about 2.7 MB once base64-encoded)."""
    return int(_env_float("TSM_MAX_REQUEST_BYTES", 4 * 1024 * 1024))


def fred_api_key() -> str | None:
    """FRED API key (FRED_API_KEY); server-side only, never logged or sent to the page."""
    key = os.environ.get("FRED_API_KEY", "").strip()
    return key or None


def base_url(source: str, default: str) -> str:
    """Base URL of a source, overridable as TSM_<SOURCE>_URL (tests point it at a local server)."""
    return _env(f"TSM_{source.upper()}_URL", default).rstrip("/")


def warm_up() -> bool:
    """Compute the full-history measures in the background when the app module loads
    (TSM_WARM_UP, default 1; the test suite sets 0)."""
    return _env("TSM_WARM_UP", "1") not in ("0", "false", "no")


def state_dir(store: StoreLocation) -> Path:
    """Where the market state of ``store`` is persisted (TSM_STATE_DIR, else beside a SQLite
    file as ``<file>.state``, else for a PostgreSQL store a folder per server and database under
    ``~/.cache/tsm``). Replicas share one state when this is a shared volume."""
    explicit = _env("TSM_STATE_DIR", "")
    if explicit:
        return Path(explicit).expanduser()
    if isinstance(store, StoreUrl):
        digest = hashlib.sha256(store.dsn.encode()).hexdigest()[:16]
        return Path.home() / ".cache" / "tsm" / f"state-{digest}"
    return store.with_name(store.name + ".state")


def cache_dir() -> Path:
    """Where derived data that any process can rebuild is kept between runs (the DEMO set and
    its market state): TSM_CACHE_DIR, else ``$XDG_CACHE_HOME/tsm``, else ``~/.cache/tsm``."""
    explicit = _env("TSM_CACHE_DIR", "")
    if explicit:
        return Path(explicit).expanduser()
    xdg = _env("XDG_CACHE_HOME", "")
    return (Path(xdg).expanduser() if xdg else Path.home() / ".cache") / "tsm"


def plotly_dir() -> Path:
    """Where ``tsm plotly-bundle`` keeps plotly.js's basic bundle (data/plotly_bundle.py):
    TSM_PLOTLY_DIR, else ``plotly/`` in :func:`cache_dir`."""
    explicit = _env("TSM_PLOTLY_DIR", "")
    return Path(explicit).expanduser() if explicit else cache_dir() / "plotly"


def response_cache_mb() -> float:
    """Memory per worker for callback responses kept per data revision, MB
    (TSM_RESPONSE_CACHE_MB, default 64; 0 turns the cache off). See components/response_cache.py."""
    return _env_float("TSM_RESPONSE_CACHE_MB", 64.0)


def live_poll_s() -> float:
    """Seconds between an open page's checks for a new store revision (TSM_LIVE_POLL_SECONDS,
    default 15; 0 turns the check off). A new revision is shown after two checks agree."""
    return _env_float("TSM_LIVE_POLL_SECONDS", 15.0)


def upload_max_mb() -> float:
    """Largest file the data page accepts for import, in MB (TSM_UPLOAD_MAX_MB, default 50)."""
    return _env_float("TSM_UPLOAD_MAX_MB", 50.0)
