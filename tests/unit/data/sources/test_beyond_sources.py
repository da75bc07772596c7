"""Issue-11 sources: OFR FSI, ACM workbook, Fiscal Data auctions, Eris SOFR par curve and the desk
swap-curve import; parsers on recorded-format payloads, clients against a local HTTP server."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from data.http import HttpClient, HttpSettings, SourceError
from data.sources import PayloadError, Query, make_provider
from data.sources.acm import parse_acm_xls
from data.sources.auctions import parse_auction_table, parse_auctions_json, tenor_of_term
from data.sources.eris import ErisProvider, eris_file_name, parse_eris_curve
from data.sources.ofr import CATEGORY_SERIES, parse_ofr_fsi
from data.sources.swapcurve import parse_swap_curve_csv, tenor_years
from tests.fixtures import payload
from tests.fixtures.http_server import LocalServer, Reply

xlwt = pytest.importorskip("xlwt", reason="xlwt writes the .xls fixtures (pip install -e '.[test]')")


def table(obs: pd.DataFrame) -> dict[tuple[str, str], float]:
    return {(s, f"{d:%Y-%m-%d}"): v for s, d, v in
            zip(obs["series_id"], obs["date"], obs["value"], strict=True)}


def client() -> HttpClient:
    return HttpClient(settings=HttpSettings(timeout_s=5, retries=1, backoff_s=0.01,
                                            max_retry_after_s=1, max_bytes=10_000_000))


@pytest.fixture()
def server(monkeypatch: pytest.MonkeyPatch) -> Iterator[LocalServer]:
    with LocalServer() as running:
        for name in ("OFR", "ACM", "AUCTIONS", "ERIS"):
            monkeypatch.setenv(f"TSM_{name}_URL", running.url)
        yield running


# -- OFR FSI ----------------------------------------------------------------------------------
def test_ofr_fsi_peak_of_october_2008_and_categories_summing_to_the_index() -> None:
    got = table(parse_ofr_fsi(payload("ofr/fsi.csv")).observations)
    index = {d: v for (s, d), v in got.items() if s == "OFR_FSI"}
    # The all-time high, 29.32 on 2008-10-10 (PROVENANCE.md), is the peak of the fixture week.
    assert max(index, key=lambda d: index[d]) == "2008-10-10" and index["2008-10-10"] == 29.32
    # Hand sum of that row's five categories: 8.039 + 2.893 - 0.269 + 9.582 + 9.075 = 29.32.
    assert sum(got[(c, "2008-10-10")] for c in CATEGORY_SERIES) == pytest.approx(29.32, abs=0.002)
    assert got[("OFR_FSI_EM", "2008-10-10")] == 2.445


def test_ofr_columns_are_matched_by_name_not_position() -> None:
    text = "date,Funding,OFR FSI,Extra column\n2020-03-19,2.5,10.266,7\n"
    got = table(parse_ofr_fsi(text.encode()).observations)
    assert got == {("OFR_FSI", "2020-03-19"): 10.266, ("OFR_FSI_FUNDING", "2020-03-19"): 2.5}


def test_ofr_without_index_column_or_with_a_bad_value_is_refused() -> None:
    with pytest.raises(PayloadError, match="no 'OFR FSI' column"):
        parse_ofr_fsi(b"Date,Credit\n2020-01-02,1\n")
    with pytest.raises(PayloadError) as err:
        parse_ofr_fsi(b"Date,OFR FSI\n2020-01-02,1\n2020-01-03,high\n")
    assert (err.value.line, err.value.column) == (3, "OFR FSI")


def test_ofr_file_agrees_with_the_shared_history(shared_data: Path) -> None:
    got = parse_ofr_fsi((shared_data / "ofr" / "OFR_FSI.csv").read_bytes()).observations
    fsi = got[got["series_id"] == "OFR_FSI"].set_index("date")["value"]
    assert fsi.idxmax() == pd.Timestamp("2008-10-10") and fsi.max() == 29.32
    assert fsi[pd.Timestamp("2020-03-19")] == 10.266


def test_ofr_provider_fetches_the_file_with_a_browser_agent_and_keeps_from_the_start(
        server: LocalServer) -> None:
    server.route("/financial-stress-index/data/fsi.csv", Reply(200, payload("ofr/fsi.csv"), gzip=True))
    provider = make_provider("ofr", client=client())
    units = provider.plan(Query({"OFR_FSI": date(2008, 10, 10), "OFR_FSI_CREDIT": date(2008, 10, 13)},
                                date(2008, 10, 15)))
    batch = provider.fetch(units[0])
    assert sorted(batch.observations["date"].dt.strftime("%Y-%m-%d").unique()) == [
        "2008-10-10", "2008-10-13", "2008-10-14", "2008-10-15"]
    assert set(batch.series_ids) == {"OFR_FSI", "OFR_FSI_CREDIT"}
    assert "Mozilla" in server.hits("/financial-stress-index/data/fsi.csv")[0].headers["User-Agent"]


# -- ACM workbook -----------------------------------------------------------------------------
def acm_workbook(path: Path, rows: list[tuple[object, float, float, float]]) -> bytes:
    book = xlwt.Workbook()
    book.add_sheet("ACM Monthly").write(0, 0, "DATE")  # a sheet before the daily one
    sheet = book.add_sheet("ACM Daily")
    header = ["DATE", *[f"ACMTP{n:02d}" for n in range(1, 11)], *[f"ACMRNY{n:02d}" for n in range(1, 11)],
              *[f"ACMY{n:02d}" for n in range(1, 11)]]
    for c, name in enumerate(header):
        sheet.write(0, c, name)
    style = xlwt.easyxf(num_format_str="DD-MMM-YYYY")
    for r, (day, tp, rny, y) in enumerate(rows, start=1):
        if isinstance(day, dt.date):
            sheet.write(r, 0, day, style)
        else:
            sheet.write(r, 0, day)
        sheet.write(r, 10, tp)
        sheet.write(r, 20, rny)
        sheet.write(r, 30, y)
    book.save(str(path))
    return path.read_bytes()


def test_acm_workbook_daily_sheet_with_excel_and_text_dates(tmp_path: Path) -> None:
    # The 2020 low of ACMTP10, -1.644568 on 2020-03-09 (PROVENANCE.md); RNY = Y - TP by the
    # model's identity (0.5357 - (-1.644568) = 2.180268).
    data = acm_workbook(tmp_path / "acm.xls", [
        (dt.date(2020, 3, 9), -1.644568, 2.180268, 0.5357),
        ("10-Mar-2020", -1.5, 2.1, 0.6),
    ])
    got = table(parse_acm_xls(data).observations)
    assert got[("ACMTP10", "2020-03-09")] == -1.644568
    assert got[("ACMRNY10", "2020-03-09")] + got[("ACMTP10", "2020-03-09")] == pytest.approx(0.5357)
    assert got[("ACMTP10", "2020-03-10")] == -1.5
    assert {s for s, _ in got} == {"ACMTP10", "ACMRNY10", "ACMY10"}


def test_acm_bad_date_names_the_row_and_garbage_is_not_a_workbook(tmp_path: Path) -> None:
    data = acm_workbook(tmp_path / "acm.xls", [(dt.date(2020, 3, 9), 1.0, 1.0, 2.0), ("soon", 1, 1, 2)])
    with pytest.raises(PayloadError) as err:
        parse_acm_xls(data)
    assert (err.value.line, err.value.column) == (3, "DATE")
    with pytest.raises(PayloadError, match="not a readable .xls workbook"):
        parse_acm_xls(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1garbage")


def test_acm_provider_against_a_local_server(server: LocalServer, tmp_path: Path) -> None:
    data = acm_workbook(tmp_path / "acm.xls", [(dt.date(2025, 4, 8), 0.5, 3.8, 4.3),
                                               (dt.date(2025, 4, 9), 0.525772, 3.9, 4.4)])
    path = "/medialibrary/media/research/data_indicators/ACMTermPremium.xls"
    server.route(path, Reply(503, b"busy"), Reply(200, data))  # one retry, then the workbook
    provider = make_provider("acm", client=client())
    [unit] = provider.plan(Query({"ACMTP10": date(2025, 4, 9)}, date(2025, 4, 9)))
    got = table(provider.fetch(unit).observations)
    assert got == {("ACMTP10", "2025-04-09"): 0.525772}
    assert len(server.hits(path)) == 2


# -- auctions ---------------------------------------------------------------------------------
def test_term_gives_the_nearest_standard_tenor() -> None:
    assert tenor_of_term("9-Year 10-Month") == ("10Y", pytest.approx(9 + 10 / 12))
    assert tenor_of_term("3-Year")[0] == "3Y"  # type: ignore[index]
    assert tenor_of_term("29-Year 11-Month")[0] == "30Y"  # type: ignore[index]
    assert tenor_of_term("13-Week") is None and tenor_of_term("1-Year") is None


def test_auctions_json_keeps_nominal_coupons_with_shares_of_competitive_accepted() -> None:
    batch = parse_auctions_json(payload("auctions/auctions_query_page1.json"))
    got = table(batch.observations)
    assert got[("AUCT_10Y_HIGH_YIELD", "2023-11-08")] == 4.519
    assert got[("AUCT_10Y_BTC", "2023-11-08")] == 2.45
    assert got[("AUCT_10Y_SIZE", "2023-11-08")] == 40.0
    # Hand calculation from the fixture's dollar amounts: indirect / (dealer + direct + indirect).
    indirect, dealer, direct = 27834734224, 6028706898, 6056682278
    total = indirect + dealer + direct
    assert total == 39920123400  # = comp_accepted, DATA_SOURCES section 8a's identity
    assert got[("AUCT_10Y_INDIRECT", "2023-11-08")] == pytest.approx(100 * indirect / total)
    assert got[("AUCT_10Y_DEALER", "2023-11-08")] == pytest.approx(100 * dealer / total)
    assert got[("AUCT_10Y_DISPERSION", "2023-11-08")] == pytest.approx((4.519 - 4.44) * 100)
    assert got[("AUCT_10Y_REOPENING", "2023-11-08")] == 0.0
    assert {s.split("_")[1] for s, _ in got} == {"3Y", "10Y", "30Y"}


def test_auctions_json_skips_bills_and_tips_and_files_reopenings_by_term() -> None:
    assert parse_auctions_json(payload("auctions/auctions_query_bills.json")).observations.empty
    got = table(parse_auctions_json(payload("auctions/auctions_query_page2.json")).observations)
    assert ("AUCT_10Y_HIGH_YIELD", "2023-11-16") not in got  # the TIPS row
    assert got[("AUCT_10Y_BTC", "2025-04-09")] == 2.67 and got[("AUCT_10Y_REOPENING", "2025-04-09")] == 1.0


def test_auctions_json_bad_number_names_record_and_field() -> None:
    text = payload("auctions/auctions_query_page1.json").replace(b'"high_yield":"4.519000"',
                                                                 b'"high_yield":"4.5x"')
    with pytest.raises(PayloadError) as err:
        parse_auctions_json(text)
    assert err.value.column == "data[1].high_yield"


def test_auctions_provider_reads_every_page_resending_filter_and_sort(server: LocalServer) -> None:
    path = "/services/api/fiscal_service/v1/accounting/od/auctions_query"
    pages = {"1": payload("auctions/auctions_query_page1.json"),
             "2": payload("auctions/auctions_query_page2.json")}
    server.route_fn(path, lambda q: Reply(200, pages[q["page[number]"][0]], gzip=True))
    provider = make_provider("auctions", client=client())
    [unit] = provider.plan(Query({"AUCT_10Y_BTC": None, "AUCT_3Y_BTC": None}, date(2025, 4, 30)))
    batch = provider.fetch(unit)
    hits = server.hits(path)
    assert [h.query["page[number]"] for h in hits] == [["1"], ["2"]]
    for hit in hits:
        assert hit.query["filter"] == ["auction_date:gte:2008-01-01,auction_date:lte:2025-04-30,"
                                       "security_type:in:(Note,Bond)"]
        assert hit.query["sort"] == ["auction_date"]
    got = table(batch.observations)
    assert set(got) == {("AUCT_10Y_BTC", "2023-11-08"), ("AUCT_10Y_BTC", "2025-04-09"),
                        ("AUCT_3Y_BTC", "2023-11-07")}


def test_shared_auction_table_one_row_per_tenor_and_date_with_a_note(shared_data: Path) -> None:
    batch = parse_auction_table((shared_data / "treasury" / "auctions_2008_2026.csv").read_bytes())
    got = table(batch.observations)
    # 10y of 2008-02-06 (bid-to-cover 2.34, PROVENANCE.md) and 2023-11-08 (4.519, 2.45).
    assert got[("AUCT_10Y_BTC", "2008-02-06")] == 2.34
    assert got[("AUCT_10Y_HIGH_YIELD", "2023-11-08")] == 4.519
    # 2019-11-05: a 3-year auction of an old 10-year CUSIP, filed under 3Y.
    assert got[("AUCT_3Y_SIZE", "2019-11-05")] == 38.0 and ("AUCT_10Y_SIZE", "2019-11-05") not in got
    # 2008-10-08: two reopenings of 6y-left notes, same size: the one closer to 7 years stays.
    assert got[("AUCT_7Y_BTC", "2008-10-08")] == 2.11
    assert len(batch.notes) == 1 and "912828DV9" in batch.notes[0] and "kept 912828EE6" in batch.notes[0]


def test_auction_table_bad_term_names_line_and_column() -> None:
    text = b"date,tenor,term,high_yield,bid_to_cover\n2024-01-10,10-Year,10-Year,4.0,2.5\n2024-01-11,TIPS,TIPS,1,2\n"
    with pytest.raises(PayloadError) as err:
        parse_auction_table(text)
    assert (err.value.line, err.value.column) == (3, "term")


# -- Eris and desk swap curves ----------------------------------------------------------------
def test_eris_curve_keeps_whole_year_tenors_in_percent() -> None:
    name = "Eris_20250411_EOD_ParCouponCurve_SOFR.csv"
    got = table(parse_eris_curve(payload(f"eris/{name}"), label=name).observations)
    assert got[("SOFRSWP10Y", "2025-04-11")] == 3.7998
    assert got[("SOFRSWP1Y", "2025-04-11")] == 3.8862  # SOFR12M is the 1-year swap
    assert {s for s, _ in got} == {f"SOFRSWP{n}Y" for n in (1, 2, 3, 4, 5, 7, 10, 20, 30)}


def test_eris_defensive_parse_fraction_column_and_date_from_the_file_name() -> None:
    text = b"Eris SOFR curve\nTenor,Par Rate\n10Y,0.037998\n2Y,0.03582\n"
    got = table(parse_eris_curve(text, label="x/Eris_20250411_EOD_ParCouponCurve_SOFR.csv").observations)
    assert got == {("SOFRSWP10Y", "2025-04-11"): pytest.approx(3.7998),
                   ("SOFRSWP2Y", "2025-04-11"): pytest.approx(3.582)}
    with pytest.raises(PayloadError, match="no header with a Symbol"):
        parse_eris_curve(b"a,b\n1,2\n")


def test_eris_provider_falls_back_to_the_archive_and_treats_a_missing_day_as_a_holiday(
        server: LocalServer) -> None:
    fixture = payload("eris/Eris_20250411_EOD_ParCouponCurve_SOFR.csv")
    server.route(f"/ftp/archives/2025/04-April/{eris_file_name(date(2025, 4, 11))}", Reply(200, fixture))
    provider = ErisProvider(client=client())
    units = provider.plan(Query({"SOFRSWP10Y": date(2025, 4, 10)}, date(2025, 4, 11)))
    assert [u.label for u in units] == ["2025-04-10", "2025-04-11"]
    holiday, friday = (provider.fetch(u) for u in units)
    assert holiday.observations.empty
    assert table(friday.observations) == {("SOFRSWP10Y", "2025-04-11"): 3.7998}
    server.route(f"/ftp/{eris_file_name(date(2025, 4, 10))}", Reply(500, b"down"))
    with pytest.raises(SourceError, match="HTTP 500"):
        provider.fetch(units[0])


def test_desk_swap_curve_import_tenors_units_and_duplicates() -> None:
    text = b"date,tenor,rate\n2025-04-11,10Y,3.80\n2025-04-11,2y,3.58\n2025-04-11,6M,4.14\n2025-04-14,10,3.85\n"
    batch = parse_swap_curve_csv(text)
    assert table(batch.observations) == {("DESKSWP10Y", "2025-04-11"): 3.80, ("DESKSWP2Y", "2025-04-11"): 3.58,
                                         ("DESKSWP10Y", "2025-04-14"): 3.85}
    assert batch.source == "file" and "6M" in batch.notes[0]
    with pytest.raises(PayloadError, match="not a swap rate in percent") as err:
        parse_swap_curve_csv(b"date,tenor,rate\n2025-04-11,10Y,380\n")
    assert err.value.line == 2
    with pytest.raises(PayloadError, match="appears twice"):
        parse_swap_curve_csv(b"date,tenor,rate\n2025-04-11,10Y,3.8\n2025-04-11,10y,3.9\n")
    assert tenor_years("18M") == 1.5 and tenor_years("1W") is None


def test_import_detects_each_new_format_by_content(tmp_path: Path) -> None:
    from data.importer import detect_format

    cases = {
        "fsi.csv": payload("ofr/fsi.csv"),
        "page.json": payload("auctions/auctions_query_page1.json"),
        "empty_page.json": b'{"data":[],"meta":{"labels":{"auction_date":"Auction Date"},"total-pages":1}}',
        "curve.csv": payload("eris/Eris_20250411_EOD_ParCouponCurve_SOFR.csv"),
        "desk.csv": b"date,tenor,rate\n2025-04-11,10Y,3.8\n",
        "table.csv": b"date,tenor,term,high_yield,bid_to_cover\n2024-01-10,10-Year,10-Year,4.0,2.5\n",
        "acm.xls": acm_workbook(tmp_path / "w.xls", [(dt.date(2020, 3, 9), 1.0, 1.0, 2.0)]),
    }
    found = {}
    for name, data in cases.items():
        (tmp_path / name).write_bytes(data)
        found[name] = detect_format(tmp_path / name)
    assert found == {"fsi.csv": "ofr-fsi-csv", "page.json": "auctions-json", "empty_page.json": "auctions-json",
                     "curve.csv": "eris-curve-csv", "desk.csv": "swap-curve-csv", "table.csv": "auctions-csv",
                     "acm.xls": "acm-xls"}


def test_a_bad_new_format_file_leaves_the_store_as_it_was(tmp_path: Path) -> None:
    from data.importer import ImportFileError, import_paths
    from data.store import Store

    good = tmp_path / "fsi.csv"
    good.write_bytes(payload("ofr/fsi.csv"))
    bad = tmp_path / "desk.csv"
    bad.write_bytes(b"date,tenor,rate\n2025-04-11,10Y,3.8\n2025-04-11,2Y,358\n")
    with Store.open(tmp_path / "s.sqlite") as store:
        before = store.revision()
        with pytest.raises(ImportFileError) as err:
            import_paths(store, [good, bad])
        assert err.value.describe().startswith(f"{bad} line 3, column rate: '358' is not a swap rate in percent")
        assert store.revision() == before and not store.has_observations()
        report = import_paths(store, [good])
        assert report.files[0].format == "ofr-fsi-csv" and report.total.inserted == 7 * 9


@settings(max_examples=60)
@given(st.lists(st.tuples(st.integers(0, 4), st.sampled_from(["2Y", "10Y"]), st.floats(1, 60),
                          st.floats(1.6, 11.0)), min_size=1, max_size=25))
def test_one_auction_per_tenor_and_date_the_largest_kept(rows: list[tuple[int, str, float, float]]) -> None:
    from data.sources.auctions import auctions_to_batch

    frame = pd.DataFrame({
        "date": [pd.Timestamp("2024-01-01") + pd.Timedelta(days=d) for d, *_ in rows],
        "tenor": [t for _, t, *_ in rows], "term_years": [y for *_, y in rows],
        "cusip": [f"C{i}" for i in range(len(rows))], "size_bn": [s for _, _, s, _ in rows],
        "high_yield": 4.0, "median_yield": 3.9, "dispersion_bp": 10.0, "bid_to_cover": 2.5,
        "dealer_pct": 15.0, "direct_pct": 15.0, "indirect_pct": 70.0, "reopening": 0.0,
    })
    batch = auctions_to_batch(frame, origin="imported", label="t")
    sizes = batch.observations[batch.observations["series_id"].str.endswith("_SIZE")]
    expected = frame.groupby(["tenor", "date"])["size_bn"].max()
    got = {(sid.split("_")[1], d): v for sid, d, v in zip(sizes["series_id"], sizes["date"], sizes["value"], strict=True)}
    assert got == {k: pytest.approx(v) for k, v in expected.items()}
    assert len(batch.notes) == int((frame.groupby(["tenor", "date"]).size() > 1).sum())
