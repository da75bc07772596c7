"""The data page's pieces: uploads imported all-or-nothing, status summary, refresh progress."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import pytest

from components import refresh_job
from components.pages import data as page
from data.store import SeriesStatus, Store

GOOD_DGS10 = b"date,value\n2024-06-03,4.41\n2024-06-04,4.33\n"
GOOD_DGS2 = b"date,value\n2024-06-03,4.89\n2024-06-04,4.77\n"
# Line 3, column "value": not a number.
BAD_DGS5 = b"date,value\n2024-06-03,4.40\n2024-06-04,four\n"


def _revision(path: Path) -> int:
    with Store.open(path) as store:
        return store.revision()


def test_upload_imports_every_file_in_one_write(tmp_path: Path) -> None:
    store = tmp_path / "s.sqlite"
    outcome = page.import_uploads(store, [("DGS10.csv", GOOD_DGS10), ("DGS2.csv", GOOD_DGS2)])
    assert outcome.error is None and outcome.report is not None
    assert [(f.path.name, f.series, f.inserted) for f in outcome.report.files] == [
        ("DGS10.csv", ("DGS10",), 2), ("DGS2.csv", ("DGS2",), 2)]
    assert str(outcome.report.files[0].path) == "DGS10.csv"  # not the temporary folder
    with Store.open(store) as opened:
        frame = opened.read_series(["DGS10", "DGS2"])
    assert frame.loc["2024-06-04", "DGS10"] == 4.33 and frame.loc["2024-06-03", "DGS2"] == 4.89
    assert outcome.revision == _revision(store)
    # The same files again: nothing new, all unchanged.
    again = page.import_uploads(store, [("DGS10.csv", GOOD_DGS10)])
    assert again.report is not None and again.report.total.unchanged == 2
    assert again.report.total.inserted == 0


def test_one_bad_file_stores_nothing_and_names_file_line_and_column(tmp_path: Path) -> None:
    store = tmp_path / "s.sqlite"
    page.import_uploads(store, [("DGS2.csv", GOOD_DGS2)])
    before = _revision(store)
    outcome = page.import_uploads(store, [("DGS10.csv", GOOD_DGS10), ("DGS5.csv", BAD_DGS5)])
    assert outcome.report is None and outcome.error is not None
    assert outcome.error.startswith("import failed: DGS5.csv line 3, column value")
    assert outcome.error.endswith("nothing was written")
    assert "tsm-upload" not in outcome.error  # the user's file name, not our temporary path
    assert _revision(store) == before
    with Store.open(store) as opened:
        assert "DGS10" not in opened.series_ids()


def test_upload_names_are_reduced_to_a_plain_file_name(tmp_path: Path) -> None:
    outcome = page.import_uploads(tmp_path / "s.sqlite", [("../../etc/DGS10.csv", GOOD_DGS10)])
    assert outcome.report is not None and outcome.report.files[0].path == Path("DGS10.csv")
    refused = page.import_uploads(tmp_path / "s.sqlite", [("..", GOOD_DGS10)])
    assert refused.error is not None and "unusable file name" in refused.error


def test_upload_over_the_size_limit_is_refused(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("TSM_UPLOAD_MAX_MB", "0.00001")  # 10 bytes
    outcome = page.import_uploads(tmp_path / "s.sqlite", [("DGS10.csv", GOOD_DGS10)])
    assert outcome.error is not None and "MB accepted; nothing was written" in outcome.error
    assert not (tmp_path / "s.sqlite").exists() or _revision(tmp_path / "s.sqlite") == 0


def test_decode_upload_reads_data_urls_and_refuses_junk() -> None:
    url = "data:text/csv;base64," + base64.b64encode(GOOD_DGS10).decode()
    assert page.decode_upload(url) == GOOD_DGS10
    with pytest.raises(ValueError, match="not a data URL"):
        page.decode_upload("just text")
    with pytest.raises(ValueError, match="not valid base64"):
        page.decode_upload("data:text/csv;base64,@@@")


def _row(sid: str, last: str | None, *, stale: bool, error: str | None = None) -> SeriesStatus:
    return SeriesStatus(sid, sid, "fred", "live", "2000-01-03", last, 10, None, None, error,
                        stale, None, "daily", "stale" if stale else "ok")


def test_status_summary_counts_stale_and_errors_and_names_the_oldest() -> None:
    rows = [_row("DGS10", "2026-11-30", stale=False), _row("SOFR", "2026-10-01", stale=True),
            _row("RRPONTSYD", "2025-01-02", stale=True, error="HTTP 500"),
            _row("MOVE", None, stale=True)]
    assert page.status_summary(rows) == (
        "4 series: 3 stale or empty, 1 with a refresh error; oldest: RRPONTSYD (last 2025-01-02).")


def test_status_table_lists_every_series_problems_first(tmp_path: Path) -> None:
    from dataclasses import replace

    from data.market import demo_market_data

    demo = demo_market_data(tmp_path / "absent.sqlite")
    assert len(page.status_table(demo).children[1].children) == len(demo.status_rows) > 20
    rows = (_row("DGS10", "2026-11-30", stale=False), _row("SOFR", "2026-10-01", stale=True),
            _row("RRPONTSYD", "2025-01-02", stale=True, error="HTTP 500"),
            _row("DGS2", "2026-11-30", stale=False), _row("MOVE", None, stale=True))
    body = page.status_table(replace(demo, status_rows=rows)).children[1].children
    assert [tr.children[0].children for tr in body] == ["RRPONTSYD", "MOVE", "SOFR", "DGS10", "DGS2"]
    assert [tr.className for tr in body] == ["row-error", "row-stale", "row-stale", "", ""]
    assert body[0].children[-1].children == "HTTP 500"


def test_progress_view_of_a_running_and_a_failed_refresh() -> None:
    running = refresh_job.JobStatus(state="running", done=3, total=12, label="fred DGS10",
                                    started="2026-12-02 06:00:00 UTC")
    text = json.dumps(page.progress_view(running), default=str)
    assert "Refreshing: 3 of 12 requests (25%), now fred DGS10" in text
    assert "width" in text and "25%" in text
    failed = refresh_job.JobStatus(state="partial", done=2, total=2, finished="x",
                                   message="1 series ok, 1 failed",
                                   failures=[["nyfed", "SOFR", "nyfed SOFR: cannot connect"]])
    shown = page.progress_view(failed)
    assert "Refresh finished with failures at x: 1 series ok, 1 failed" in json.dumps(shown, default=str)
    assert shown[-1].id == "data-refresh-failures"


def test_status_file_of_a_dead_refresh_reads_interrupted(tmp_path: Path) -> None:
    store = tmp_path / "s.sqlite"
    refresh_job.status_path(store).write_text(json.dumps({"state": "running", "done": 1, "total": 5}))
    status = refresh_job.read_status(store)  # nobody holds the lock
    assert status.state == "interrupted" and "stopped before it finished" in status.message
    assert refresh_job.read_status(tmp_path / "other.sqlite").state == "idle"
