"""`tsm migrate --to postgresql://...`: a SQLite store moves to PostgreSQL, and the app and
`tsm status` then read the same data from there."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

import cli
from data.market import clear_cache
from data.model import Batch
from data.store import Store


def test_migrating_a_sqlite_store_to_postgresql(tmp_path: Path, pg_url: str,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    old = tmp_path / "old.sqlite"
    frame = pd.DataFrame({"series_id": ["DGS2", "DGS10", "DGS10"],
                          "date": pd.to_datetime(["2024-01-02", "2024-01-02", "2024-01-03"]),
                          "value": [4.33, 3.95, 3.91]})
    with Store.open(old) as store:
        store.write([Batch("fred", "imported", frame)])
    assert cli.main(["--store", str(old), "migrate", "--to", pg_url]) == 0
    out = capsys.readouterr().out
    assert "observations" in out and "point TSM_STORE at the new store" in out

    clear_cache()
    assert cli.main(["--store", pg_url, "status", "--json"]) == 0
    status = json.loads(capsys.readouterr().out)
    rows = {r["series_id"]: r for r in status["series"]}
    assert status["data"] == "imported"
    assert rows["DGS10"]["rows"] == 2 and rows["DGS10"]["last_date"] == "2024-01-03"

    # A second migration into the now non-empty store is refused, nothing changes.
    assert cli.main(["--store", str(old), "migrate", "--to", pg_url]) == 1
    assert "already holds data" in capsys.readouterr().err


def test_migrating_from_an_absent_store_fails_clearly(tmp_path: Path, pg_url: str,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["--store", str(tmp_path / "none.sqlite"), "migrate", "--to", pg_url]) == 1
    assert "does not exist" in capsys.readouterr().err


def test_the_app_serves_a_postgresql_store(pg_url: str) -> None:
    from app import create_app
    from tests.integration.test_app_routes import route

    frame = pd.DataFrame({"series_id": ["DGS2", "DGS10"], "date": pd.to_datetime(["2024-01-02"] * 2),
                          "value": [4.3, 3.9]})
    with Store.open(pg_url) as store:
        store.write([Batch("fred", "imported", frame)])
    clear_cache()
    app = create_app(pg_url)
    out = route(app.server.test_client(), "/")
    assert "IMPORTED DATA" in json.dumps(out["banner-slot"])
    assert app.server.test_client().get("/readyz").get_json()["checks"]["store"].startswith("ok")
