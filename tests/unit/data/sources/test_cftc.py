"""CFTC TFF: the annual text file, its zip, and the Socrata JSON, into long position rows."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from data.http import HttpClient, HttpSettings, SourceError
from data.sources import PayloadError, Query
from data.sources.cftc import (
    CftcProvider,
    normalise_code,
    parse_cftc_annual,
    parse_cftc_socrata_json,
    parse_cftc_zip,
)
from data.store import CFTC_STATUS_ID
from tests.fixtures import payload
from tests.fixtures.http_server import LocalServer, Reply

# The recorded 2025-04-29 UST 10Y row (DATA_SOURCES.md section 4b), by group: long, short, spread.
TEN_YEAR_0429 = {
    "dealer": (211473, 617770, 110124),
    "asset_mgr": (2773117, 712093, 558118),
    "lev_money": (237175, 2070536, 99802),
    "other_rept": (410501, 387473, 7271),
    "nonrept": (472429, 316823, np.nan),
}


def position(frame: pd.DataFrame, day: str, code: str, group: str) -> tuple[float, float, float, float]:
    row = frame[(frame["report_date"] == pd.Timestamp(day)) & (frame["contract_code"] == code)
                & (frame["trader_group"] == group)]
    assert len(row) == 1
    return (float(row["long"].iloc[0]), float(row["short"].iloc[0]), float(row["spreading"].iloc[0]),
            float(row["open_interest"].iloc[0]))


def zipped(name: str, data: bytes) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(name, data)
    return buffer.getvalue()


def test_annual_text_gives_five_groups_for_the_treasury_contracts_only() -> None:
    batch = parse_cftc_annual(payload("cftc/FinFut25.txt"))
    frame = batch.cftc
    assert set(frame["contract_code"]) == {"043602", "042601"}  # fed funds and micro yield dropped
    assert len(frame) == 3 * 5
    for group, (long_, short, spread) in TEN_YEAR_0429.items():
        got = position(frame, "2025-04-29", "043602", group)
        assert got[:2] == (long_, short)
        assert (np.isnan(got[2]) and np.isnan(spread)) or got[2] == spread
        assert got[3] == 4880010
    assert batch.observations.empty and batch.source == "cftc"


def test_annual_text_agrees_with_the_shared_history(shared_data: Path) -> None:
    history = pd.read_csv(shared_data / "cftc" / "tff_treasury_futures.csv", dtype={"cftc_code": str},
                          parse_dates=["report_date"]).set_index(["report_date", "cftc_code"])
    frame = parse_cftc_annual(payload("cftc/FinFut25.txt")).cftc
    pairs = frame[["report_date", "contract_code"]].drop_duplicates().itertuples(index=False)
    checked = 0
    for day, code in pairs:
        row = history.loc[(day, code)]
        stamp = f"{day:%Y-%m-%d}"
        for group in ("dealer", "asset_mgr", "lev_money", "other_rept"):
            assert position(frame, stamp, code, group) == (
                row[f"{group}_long"], row[f"{group}_short"], row[f"{group}_spread"], row["open_interest"])
        assert position(frame, stamp, code, "nonrept")[:2] == (row["nonrept_long"], row["nonrept_short"])
        checked += 1
    assert checked == 3


def test_older_header_vintage_keys_on_the_yymmdd_column() -> None:
    text = payload("cftc/FinFut25.txt").replace(b'"Report_Date_as_YYYY-MM-DD"', b'"Report_Date_as_MM_DD_YYYY"')
    frame = parse_cftc_annual(text).cftc
    assert sorted(frame["report_date"].unique()) == list(pd.to_datetime(["2025-04-22", "2025-04-29"]))


def test_annual_zip_with_its_single_member() -> None:
    frame = parse_cftc_zip(zipped("FinFutYY.txt", payload("cftc/FinFut25.txt"))).cftc
    assert position(frame, "2025-04-29", "042601", "lev_money")[:2] == (408652, 2295808)


def test_annual_text_malformed_number_names_line_and_column() -> None:
    text = payload("cftc/FinFut25.txt").replace(b" 2070536,", b" 20x0536,", 1)
    with pytest.raises(PayloadError) as info:
        parse_cftc_annual(text)
    assert (info.value.line, info.value.column) == (2, "Lev_Money_Positions_Short_All")


def test_combined_report_is_refused() -> None:
    text = payload("cftc/FinFut25.txt").replace(b'"FutOnly"', b'"Combined"')
    with pytest.raises(PayloadError, match="combined report"):
        parse_cftc_annual(text)


def test_socrata_json_with_uneven_suffixes_and_absent_keys() -> None:
    frame = parse_cftc_socrata_json(payload("cftc/socrata_tff.json")).cftc
    for group, (long_, short, spread) in TEN_YEAR_0429.items():
        got = position(frame, "2025-04-29", "043602", group)
        assert got[:2] == (long_, short)
        assert (np.isnan(got[2]) and np.isnan(spread)) or got[2] == spread
    # other_rept_positions_spread is absent from the 2Y record: missing, not zero.
    assert np.isnan(position(frame, "2025-04-29", "042601", "other_rept")[2])
    assert set(frame["contract_code"]) == {"043602", "042601"}


def test_socrata_empty_answer_is_an_empty_batch_and_errors_are_named() -> None:
    assert parse_cftc_socrata_json(b"[]").cftc.empty
    with pytest.raises(PayloadError) as info:
        parse_cftc_socrata_json(b'[{"report_date_as_yyyy_mm_dd":"2025-04-29T00:00:00.000",'
                                b'"cftc_contract_market_code":"043602","open_interest_all":"x"}]')
    assert "'x' is not a number" in info.value.problem and "open_interest_all" in str(info.value.column)


def test_contract_codes_keep_leading_zeros() -> None:
    assert normalise_code("43602") == "043602"
    assert normalise_code(" 043602 ") == "043602"
    assert normalise_code("13874A") == "13874A"


def test_plan_filters_the_six_contracts_from_the_start(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TSM_CFTC_URL", "http://cftc.test")
    provider = CftcProvider(client=HttpClient(settings=HttpSettings(1, 0, 0, 0, 1000)))
    (unit,) = provider.plan(Query({CFTC_STATUS_ID: date(2025, 4, 15)}, date(2025, 5, 1)))
    assert unit.url == "http://cftc.test/resource/gpe5-46if.json"
    assert unit.params["$where"] == ("cftc_contract_market_code in('042601','044601','043602','043607',"
                                     "'020601','020604') AND report_date_as_yyyy_mm_dd >= '2025-04-15'")
    assert unit.params["$limit"] == "100000"


@pytest.fixture()
def server() -> Iterator[LocalServer]:
    with LocalServer() as running:
        yield running


def test_fetch_falls_back_to_annual_zips_when_the_api_fails(
    server: LocalServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TSM_CFTC_URL", server.url)
    monkeypatch.setenv("TSM_CFTC_FILES_URL", server.url)
    server.route("/resource/gpe5-46if.json", Reply(503, b"down"))
    text = payload("cftc/FinFut25.txt")
    header_only = text.splitlines(keepends=True)[0]
    this_year = date.today().year
    server.route("/files/dea/history/fut_fin_txt_2025.zip", Reply(200, zipped("FinFutYY.txt", text)))
    for year in range(2026, this_year):
        server.route(f"/files/dea/history/fut_fin_txt_{year}.zip",
                     Reply(200, zipped("FinFutYY.txt", header_only)))
    # The current year's file is absent (404), as early in January: forgiven for that year only.
    provider = CftcProvider(client=HttpClient(settings=HttpSettings(2, 0, 0, 0, 10_000_000)))
    (unit,) = provider.plan(Query({CFTC_STATUS_ID: date(2025, 4, 25)}, date.today()))
    frame = provider.fetch(unit).cftc
    assert sorted(frame["report_date"].unique()) == [pd.Timestamp("2025-04-29")]
    assert position(frame, "2025-04-29", "043602", "lev_money")[:2] == (237175, 2070536)


def test_fetch_reports_both_failures_when_the_fallback_fails_too(
    server: LocalServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TSM_CFTC_URL", server.url)
    monkeypatch.setenv("TSM_CFTC_FILES_URL", server.url)
    server.route("/resource/gpe5-46if.json", Reply(500, b"down"))
    provider = CftcProvider(client=HttpClient(settings=HttpSettings(2, 0, 0, 0, 1000)))
    (unit,) = provider.plan(Query({CFTC_STATUS_ID: date(2025, 1, 1)}, date(2025, 2, 1)))
    with pytest.raises(SourceError) as info:
        provider.fetch(unit)
    text = str(info.value)
    assert text.startswith("cftc TFF: API failed (HTTP 500")
    assert "annual files failed too" in text and "HTTP 404" in text
