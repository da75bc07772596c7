"""Fixtures shared by the whole suite."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import config  # noqa: I001 - read before the environment below is set

# Importing app.py builds the module-level app; no background warm-up during tests.
os.environ.setdefault("TSM_WARM_UP", "0")
# plotly.js's basic bundle, when `tsm plotly-bundle` has fetched it (.ci/run does), is read from
# where it was fetched: the browser tests then load the pages as the deployed app serves them.
os.environ.setdefault("TSM_PLOTLY_DIR", str(config.plotly_dir()))
# Derived-data cache (DEMO set and state) per test session: hermetic, still built only once.
os.environ.setdefault("TSM_CACHE_DIR", tempfile.mkdtemp(prefix="tsm-test-cache-"))

import pandas as pd
import pytest
from hypothesis import settings

from analytics.tenors import CMT_SERIES, TENORS

# No per-example deadline (a loaded 2-core CI box is slow, not wrong); in CI the examples are
# derived from the test itself, so a red run can be replayed exactly.
settings.register_profile("tsm", deadline=None, print_blob=True)
settings.register_profile("tsm-ci", parent=settings.get_profile("tsm"), derandomize=True)
settings.load_profile("tsm-ci" if os.environ.get("CI") else "tsm")

#: ../shared beside the repository (CI clones main with shared/ next to it).
SHARED_DIR = Path(os.environ.get("TSM_SHARED_DIR", Path(__file__).resolve().parents[2] / "shared"))
SHARED_DATA = SHARED_DIR / "data"


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """Path of ../shared/data; skips the test with a reason when it is absent."""
    if not SHARED_DATA.is_dir():
        pytest.skip(f"real history not available: {SHARED_DATA} is absent (set TSM_SHARED_DIR)")
    return SHARED_DATA


@pytest.fixture(scope="session")
def real_yields(shared_data: Path) -> pd.DataFrame:
    """Daily CMT yields 1962-2026 from ../shared/data, columns named by tenor ("1m".."30y"), %."""
    wide = pd.read_csv(shared_data / "fred" / "treasury_cmt_wide.csv", parse_dates=["date"])
    wide = wide.set_index("date").sort_index()
    frame = wide.rename(columns={v: k for k, v in CMT_SERIES.items()})[list(TENORS)]
    frame.index.name = "date"
    return frame.astype(float)


def read_shared_series(shared_data: Path, relpath: str) -> pd.Series:
    """A `date,value` CSV of ../shared/data as a float Series indexed by date."""
    frame = pd.read_csv(shared_data / relpath, parse_dates=["date"])
    series = frame.set_index("date")["value"].astype(float).sort_index()
    series.name = Path(relpath).stem
    return series


def state_of_yields(yields: pd.DataFrame):
    """The market state of a store holding only these CMT yields (no other series, no CFTC)."""
    from analytics.state import build_state
    from analytics.tenors import CFTC_COLUMNS

    series = pd.DataFrame(index=pd.DatetimeIndex([], name="date"))
    cftc = pd.DataFrame(columns=list(CFTC_COLUMNS))
    return build_state(yields, series, cftc, revision=0, mode="imported")


@pytest.fixture(scope="session")
def real_yields_state(real_yields: pd.DataFrame):
    """The market state of the real CMT history 1962-2026 (built once per test session)."""
    return state_of_yields(real_yields)


def route_request(path: str, search: str = "", *, written: str | None = None,
                  current_as_of: str | None = None) -> dict:
    """The body dash-renderer posts to render a page: the shell router's callback, with the
    outputs as app.py registers them (the nav links are found from the page list)."""
    from components.pages import load_pages
    from components.shell import nav_id

    outputs = [("page", "children"), ("banner-slot", "children"), ("asof-message", "children"),
               ("app-asof", "date"), ("app-asof", "min_date_allowed"),
               ("app-asof", "max_date_allowed"), ("url-written", "data")]
    outputs += [(nav_id(p), "href") for p in load_pages()]
    return {
        "output": ".." + "...".join(f"{i}.{p}" for i, p in outputs) + "..",
        "outputs": [{"id": i, "property": p} for i, p in outputs],
        "inputs": [{"id": "url", "property": "pathname", "value": path},
                   {"id": "url", "property": "search", "value": search}],
        "state": [{"id": "url-written", "property": "data", "value": written},
                  {"id": "app-asof", "property": "date", "value": current_as_of}],
        "changedPropIds": ["url.pathname", "url.search"],
    }


#: Server the PostgreSQL-backed tests create their throw-away databases on (TSM_TEST_PG_URL;
#: default: the local server over its Unix socket, as .ci/run sets it up).
PG_ADMIN_URL = os.environ.get("TSM_TEST_PG_URL", "postgresql:///postgres?host=/var/run/postgresql")


def _pg_unavailable(reason: str) -> None:
    # In CI the server is installed and started by .ci/run: its absence is a failure there.
    if os.environ.get("CI"):
        pytest.fail(f"PostgreSQL is required in CI but unavailable: {reason}")
    pytest.skip(f"PostgreSQL not available here ({reason}); set TSM_TEST_PG_URL")


@pytest.fixture()
def pg_url():
    """URL of a fresh, empty PostgreSQL database, dropped after the test."""
    import uuid

    try:
        import psycopg
    except ImportError as exc:  # pragma: no cover
        _pg_unavailable(f"psycopg not installed: {exc}")
    name = f"tsm_test_{uuid.uuid4().hex[:12]}"
    try:
        admin = psycopg.connect(PG_ADMIN_URL, autocommit=True, connect_timeout=5)
    except psycopg.Error as exc:
        _pg_unavailable(str(exc).strip().splitlines()[0])
    with admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    base, _, query = PG_ADMIN_URL.partition("?")
    url = base.rsplit("/", 1)[0] + "/" + name + (f"?{query}" if query else "")
    try:
        yield url
    finally:
        with psycopg.connect(PG_ADMIN_URL, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(params=["sqlite", "postgresql"])
def store_location(request, tmp_path):
    """A store location on each backend: a SQLite file path, then a PostgreSQL URL."""
    if request.param == "sqlite":
        return tmp_path / "s.sqlite"
    return request.getfixturevalue("pg_url")
