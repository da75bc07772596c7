"""plotly.js's basic bundle: fetched from a (local) npm registry, checked, kept, and served in
place of Dash's full bundle."""

from __future__ import annotations

import base64
import hashlib
import io
import re
import tarfile

import pytest

from data.http import HttpClient, HttpSettings
from tests.fixtures.http_server import LocalServer, Reply

PACKAGE = "plotly.js-basic-dist-min"
BUNDLE_JS = b"/* a stand-in for plotly-basic.min.js */ window.Plotly = {version: 'test'};"


def tarball(members: dict[str, bytes]) -> bytes:
    """A gzipped tar as npm publishes them (every file under package/)."""
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w:gz") as archive:
        for name, body in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(body)
            archive.addfile(info, io.BytesIO(body))
    return raw.getvalue()


def sri(data: bytes) -> str:
    """Subresource-integrity form of the sha512, as the npm registry publishes it."""
    return "sha512-" + base64.b64encode(hashlib.sha512(data).digest()).decode()


def quick_client() -> HttpClient:
    return HttpClient(settings=HttpSettings(timeout_s=2.0, retries=1, backoff_s=0.0,
                                            max_retry_after_s=0.0, max_bytes=10_000_000))


def tgz_path(version: str) -> str:
    return f"/{PACKAGE}/-/{PACKAGE}-{version}.tgz"


def test_fetch_writes_the_checked_bundle_from_the_registry(tmp_path):
    from data.plotly_bundle import fetch

    data = tarball({"package/plotly-basic.min.js": BUNDLE_JS, "package/package.json": b"{}"})
    with LocalServer() as registry:
        registry.route(tgz_path("9.9.9"), Reply(200, data))
        path = fetch(tmp_path, version="9.9.9", registry=registry.url, integrity=sri(data),
                     client=quick_client())
    assert path == tmp_path / "plotly-basic-9.9.9.min.js"
    assert path.read_bytes() == BUNDLE_JS
    assert [p.name for p in tmp_path.iterdir()] == [path.name]  # no temporary file left


def test_a_checksum_mismatch_writes_nothing_and_keeps_the_file_in_place(tmp_path):
    from data.plotly_bundle import BundleError, fetch

    kept = tmp_path / "plotly-basic-9.9.9.min.js"
    kept.write_bytes(b"the bundle fetched last time")
    data = tarball({"package/plotly-basic.min.js": b"tampered"})
    with LocalServer() as registry:
        registry.route(tgz_path("9.9.9"), Reply(200, data))
        with pytest.raises(BundleError, match="checksum mismatch"):
            fetch(tmp_path, version="9.9.9", registry=registry.url,
                  integrity=sri(b"what was published"), client=quick_client())
    assert kept.read_bytes() == b"the bundle fetched last time"


def test_a_tarball_without_the_bundle_is_refused(tmp_path):
    from data.plotly_bundle import BundleError, fetch

    data = tarball({"package/README.md": b"no script here"})
    with LocalServer() as registry:
        registry.route(tgz_path("9.9.9"), Reply(200, data))
        with pytest.raises(BundleError, match="no package/plotly-basic.min.js"):
            fetch(tmp_path, version="9.9.9", registry=registry.url, integrity=sri(data),
                  client=quick_client())
    assert not list(tmp_path.iterdir())


def test_a_registry_that_fails_is_retried_then_named_in_the_error(tmp_path):
    from data.plotly_bundle import BundleError, fetch

    with LocalServer() as registry:
        registry.route(tgz_path("9.9.9"), Reply(503, b"down"))
        with pytest.raises(BundleError, match=r"download failed: .*503.*2 attempts"):
            fetch(tmp_path, version="9.9.9", registry=registry.url, integrity=sri(b"x"),
                  client=quick_client())
        assert len(registry.hits(tgz_path("9.9.9"))) == 2
    assert not list(tmp_path.iterdir())


def test_a_release_without_a_pinned_checksum_is_not_downloaded(tmp_path):
    from data.plotly_bundle import PINNED, BundleError, fetch

    assert "0.0.1" not in PINNED
    with pytest.raises(BundleError, match="no checksum is pinned for plotly.js 0.0.1"):
        fetch(tmp_path, version="0.0.1", registry="http://127.0.0.1:9")


def test_the_installed_plotly_js_release_has_a_pinned_checksum():
    """A plotly upgrade must pin its basic bundle too, else the app quietly serves the full one."""
    from data.plotly_bundle import PINNED, plotlyjs_version

    assert plotlyjs_version() in PINNED
    assert re.fullmatch(r"sha512-[A-Za-z0-9+/]{86}==", PINNED[plotlyjs_version()])


def _page(app) -> str:
    return app.server.test_client().get("/").get_data(as_text=True)


def _app():
    from dash import Dash, html

    app = Dash(__name__, eager_loading=True)
    app.layout = html.Div("chart page")
    return app


def _scripts(page: str) -> list[str]:
    """The page's script URLs, plotly.js's only once (each Dash() in a process adds it again)."""
    out: list[str] = []
    for src in re.findall(r'<script src="([^"]+)"', page):
        full = "/plotly/package_data/plotly" in src
        if not (full and any("/plotly/package_data/plotly" in seen for seen in out)):
            out.append(src)
    return out


def test_the_index_page_loads_the_basic_bundle_in_place_of_the_full_one(tmp_path):
    from components.plotly_bundle import install, url_path
    from data.plotly_bundle import BasicBundle

    app = _app()
    bundle = BasicBundle(version="9.9.9", path=tmp_path / "b.js", body=BUNDLE_JS)
    assert install(app, bundle) is bundle
    page = _page(app)
    plain = _scripts(_page(_app()))
    full = [s for s in plain if "/plotly/package_data/plotly" in s]
    assert len(full) == 1  # Dash's own tag, which install() must find

    assert "/plotly/package_data/plotly" not in page  # no copy of the full bundle is left
    scripts = _scripts(page)
    # The same scripts in the same order, the full bundle replaced by the basic one.
    assert scripts == [url_path(bundle) if s == full[0] else s for s in plain]

    served = app.server.test_client().get(url_path(bundle))
    assert served.status_code == 200
    assert served.get_data() == BUNDLE_JS
    assert served.headers["Content-Type"].startswith("application/javascript")
    assert "immutable" in served.headers["Cache-Control"]


def test_the_bundle_url_changes_with_its_content(tmp_path):
    from components.plotly_bundle import url_path
    from data.plotly_bundle import BasicBundle

    one = BasicBundle(version="9.9.9", path=tmp_path / "b.js", body=b"one")
    two = BasicBundle(version="9.9.9", path=tmp_path / "b.js", body=b"two")
    assert url_path(one) != url_path(two) and "9.9.9" in url_path(one)


def test_without_a_fetched_bundle_the_page_is_left_as_dash_renders_it(tmp_path, monkeypatch):
    from components.plotly_bundle import install
    from data.plotly_bundle import local_bundle

    monkeypatch.setenv("TSM_PLOTLY_DIR", str(tmp_path))
    assert local_bundle() is None
    app = _app()
    assert install(app) is None
    assert _scripts(_page(app)) == _scripts(_page(_app()))


def test_a_fetched_bundle_is_found_and_full_can_be_forced(tmp_path, monkeypatch):
    from data.plotly_bundle import bundle_file, local_bundle, plotlyjs_version

    monkeypatch.setenv("TSM_PLOTLY_DIR", str(tmp_path))
    path = bundle_file(plotlyjs_version())
    assert path.parent == tmp_path
    path.write_bytes(BUNDLE_JS)
    found = local_bundle()
    assert found is not None and found.body == BUNDLE_JS and found.version == plotlyjs_version()
    monkeypatch.setenv("TSM_PLOTLY_BUNDLE", "full")
    assert local_bundle() is None


def test_every_app_of_a_process_loads_plotly_js_once(tmp_path):
    """Dash adds plotly.js to dcc's script list at each Dash(): the n-th app's page loaded it n
    times (the test suite creates an app per test)."""
    from app import create_app

    for k in range(3):
        page = _page(create_app(tmp_path / "absent.sqlite"))
        plotly = [s for s in re.findall(r'<script src="([^"]+)"', page) if "plotly" in s]
        assert len(plotly) == 1, (k, plotly)
