"""plotly.js's "basic" bundle: fetched from the npm registry, checked, kept on disk.

Every chart here is a scatter or bar trace, yet Dash ships the full plotly.js (4.8 MB, every
trace type). On an empty browser cache the browser spends about 1.1 s of its main thread
compiling and running that bundle before Dash's renderer can start; the basic bundle
(scatter, bar and pie, with all of the core: axes, shapes, annotations, range selectors, the
mode bar) is 1.2 MB and takes about 0.2 s (headless Chromium here, same machine).

The basic bundle is published on the npm registry by the plotly.js project (the package
``plotly.js-basic-dist-min``, in step with plotly.js's releases). It is not kept in this
repository: ``tsm plotly-bundle`` downloads the release matching the plotly.js that the
installed ``plotly`` package ships, checks it against the registry's published sha512 (pinned
below, per release), and writes it to ``config.plotly_dir()`` (TSM_PLOTLY_DIR, else
``plotly/`` in the cache folder); the Dockerfile runs it at build time. When the file is absent
(the command never run, or a plotly upgrade whose release is not pinned below), the app serves
Dash's full bundle as before; nothing else changes. Serving it is
:mod:`components.plotly_bundle`'s part.
"""

from __future__ import annotations

import base64
import hashlib
import io
import logging
import os
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Final

import config
from data.http import HttpClient, HttpSettings, SourceError

log = logging.getLogger(__name__)

__all__ = [
    "BasicBundle",
    "BundleError",
    "PINNED",
    "bundle_file",
    "fetch",
    "local_bundle",
    "plotlyjs_version",
    "TRACE_TYPES",
]

#: The trace types the basic bundle registers; every figure of the app must use only these.
TRACE_TYPES: Final[frozenset[str]] = frozenset({"scatter", "bar", "pie"})

#: sha512 of ``plotly.js-basic-dist-min`` tarballs on the npm registry, by plotly.js release
#: (the ``dist.integrity`` of ``npm view plotly.js-basic-dist-min@<release>``).
PINNED: Final[dict[str, str]] = {
    "4.1.1": "sha512-1oNF8PeQx2hv/y7tqEVWKD3JGwn/MGEMQ8mL9HUwsaqG9FGy/OU5FHUHvzqbqxN4mnwZGI9abTiE775C4kkjMQ==",
}

_PACKAGE: Final[str] = "plotly.js-basic-dist-min"
_MEMBER: Final[str] = "package/plotly-basic.min.js"
_REGISTRY: Final[str] = "https://registry.npmjs.org"
#: Largest tarball accepted (the 4.1.1 one is 0.4 MB).
_MAX_BYTES: Final[int] = 16 * 1024 * 1024


class BundleError(RuntimeError):
    """The basic bundle could not be fetched or checked (the message says why)."""


@dataclass(frozen=True)
class BasicBundle:
    """The fetched bundle: its plotly.js release, file and content."""

    version: str
    path: Path
    body: bytes

    @property
    def digest(self) -> str:
        """sha256 of the content, hex (names the URL it is served at)."""
        return hashlib.sha256(self.body).hexdigest()


def plotlyjs_version() -> str:
    """The plotly.js release the installed ``plotly`` package ships (and Dash serves)."""
    from plotly.offline import get_plotlyjs_version

    return str(get_plotlyjs_version())


def bundle_file(version: str, directory: Path | None = None) -> Path:
    """Where the basic bundle of ``version`` is kept."""
    return (directory or config.plotly_dir()) / f"plotly-basic-{version}.min.js"


def local_bundle(directory: Path | None = None) -> BasicBundle | None:
    """The fetched bundle matching the installed plotly.js, or None (absent, or unreadable:
    logged). ``TSM_PLOTLY_BUNDLE=full`` always answers None (serve Dash's full bundle)."""
    if os.environ.get("TSM_PLOTLY_BUNDLE", "").strip().lower() == "full":
        return None
    version = plotlyjs_version()
    path = bundle_file(version, directory)
    try:
        body = path.read_bytes()
    except FileNotFoundError:
        return None
    except OSError as exc:
        log.warning("plotly.js basic bundle %s unreadable (%s); serving the full bundle", path, exc)
        return None
    if not body:
        log.warning("plotly.js basic bundle %s is empty; serving the full bundle", path)
        return None
    return BasicBundle(version=version, path=path, body=body)


def _integrity(data: bytes) -> str:
    return "sha512-" + base64.b64encode(hashlib.sha512(data).digest()).decode("ascii")


def fetch(
    directory: Path | None = None,
    *,
    version: str | None = None,
    registry: str = _REGISTRY,
    integrity: str | None = None,
    client: HttpClient | None = None,
) -> Path:
    """Download the basic bundle of ``version`` (default: the installed plotly.js's) from the npm
    registry, check its sha512, and write it atomically; returns the file written.

    Raises
    ------
    BundleError
        No pinned checksum for the release (and none given), the registry unreachable or
        answering an error, a checksum mismatch, or a tarball without the bundle. A file
        already in place is left as it was.
    """
    version = version or plotlyjs_version()
    expected = integrity or PINNED.get(version)
    if expected is None:
        raise BundleError(
            f"no checksum is pinned for plotly.js {version} (data/plotly_bundle.py PINNED "
            f"has {', '.join(sorted(PINNED))}); the app serves the full bundle")
    url = f"{registry.rstrip('/')}/{_PACKAGE}/-/{_PACKAGE}-{version}.tgz"
    own = client is None
    http = client or HttpClient(settings=_settings())
    try:
        data = http.get(url, source="npm", series=f"{_PACKAGE}@{version}")
    except SourceError as exc:
        raise BundleError(f"download failed: {exc}") from exc
    finally:
        if own:
            http.close()
    got = _integrity(data)
    if got != expected:
        raise BundleError(f"{url}: checksum mismatch (got {got[:30]}..., expected {expected[:30]}...); "
                          "nothing written")
    body = _member(data, url)
    target = bundle_file(version, directory)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=target.name + ".", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(body)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return target


def _settings() -> HttpSettings:
    base = HttpSettings.from_config()
    return HttpSettings(timeout_s=base.timeout_s, retries=base.retries, backoff_s=base.backoff_s,
                        max_retry_after_s=base.max_retry_after_s, max_bytes=_MAX_BYTES,
                        deadline_s=base.deadline_s)


def _member(data: bytes, url: str) -> bytes:
    """The bundle's bytes from the tarball (read in memory: nothing is extracted to disk)."""
    try:
        with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as archive:
            member = archive.getmember(_MEMBER)
            handle = archive.extractfile(member) if member.isfile() else None
            body = handle.read() if handle is not None else b""
    except (tarfile.TarError, KeyError, OSError, EOFError) as exc:
        raise BundleError(f"{url}: no {_MEMBER} in the tarball ({exc})") from exc
    if not body:
        raise BundleError(f"{url}: {_MEMBER} is empty")
    return body
