"""Issue-11 analytics: custody, net liquidity, term premium, real yields, auctions, official
indices and the snapshot keys, checked against facts of ../shared/data computed by hand."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from analytics.auctions import auction_table, auctions_as_of
from analytics.beyond import BEYOND_KEYS, beyond_histories, beyond_snapshot
from analytics.official import custody_history, net_liquidity_history, official_indices_as_of
from analytics.real_yields import forward_5y5y_pct, real_yield_history, real_yield_split
from analytics.term_premium import term_premium_history, term_premium_split
from data.sources.auctions import parse_auction_table
from data.sources.ofr import parse_ofr_fsi
from tests.conftest import read_shared_series

NUM = (int, float)


def frame(**columns: pd.Series) -> pd.DataFrame:
    out = pd.DataFrame(columns).sort_index()
    out.index.name = "date"
    return out


def batch_columns(obs: pd.DataFrame) -> dict[str, pd.Series]:
    return {str(sid): g.set_index("date")["value"] for sid, g in obs.groupby("series_id")}


@pytest.fixture(scope="module")
def real_series(shared_data: Path) -> pd.DataFrame:
    cols = {sid: read_shared_series(shared_data, f"fred/{sid}.csv") for sid in (
        "WMTSECL1", "WALCL", "WDTGAL", "WTREGEN", "RRPONTSYD", "DGS2", "DGS3", "DGS5", "DGS7", "DGS10",
        "DGS20", "DGS30", "THREEFYTP10", "DFII10", "T10YIE", "T5YIE", "T5YIFR", "STLFSI4", "NFCI",
        "DTWEXBGS", "SP500")}
    cols["ACMTP10"] = read_shared_series(shared_data, "nyfed/ACMTP10.csv")
    cols.update(batch_columns(parse_ofr_fsi((shared_data / "ofr" / "OFR_FSI.csv").read_bytes()).observations))
    cols.update(batch_columns(parse_auction_table(
        (shared_data / "treasury" / "auctions_2008_2026.csv").read_bytes()).observations))
    return frame(**cols)


# -- foreign official custody ---------------------------------------------------------------
def test_custody_drop_of_march_2020(real_series: pd.DataFrame) -> None:
    hist = custody_history(real_series)
    # WMTSECL1 ($mn): 2020-03-11 2,961,623; 2020-03-18 2,919,968; 2020-04-08 2,843,669.
    assert hist.loc["2020-04-08", "change_4w_bn"] == pytest.approx((2843669 - 2961623) / 1000)
    assert hist.loc["2020-03-18", "change_1w_bn"] == pytest.approx((2919968 - 2961623) / 1000)
    # A fall of that size is far outside the previous three years' 4-week changes.
    assert hist.loc["2020-04-08", "zscore"] < -2
    march = hist.loc["2020-03-01":"2020-04-30", "change_4w_bn"]
    assert march.min() < -100


def test_custody_change_across_a_missing_week_is_missing() -> None:
    days = pd.to_datetime(["2024-01-03", "2024-01-10", "2024-01-24", "2024-01-31"])
    hist = custody_history(frame(WMTSECL1=pd.Series([100e3, 101e3, 99e3, 98e3], index=days)))
    assert hist.loc["2024-01-10", "change_1w_bn"] == pytest.approx(1.0)
    assert np.isnan(hist.loc["2024-01-24", "change_1w_bn"])  # 2024-01-17 absent
    assert hist.loc["2024-01-31", "change_4w_bn"] == pytest.approx(-2.0)  # vs 2024-01-03


# -- net liquidity ----------------------------------------------------------------------------
def test_net_liquidity_on_wednesday_2025_04_09(real_series: pd.DataFrame) -> None:
    row = net_liquidity_history(real_series).loc["2025-04-09"]
    # WALCL 6,727,416 $mn - WDTGAL 315,189 $mn - RRPONTSYD 168.115 $bn that Wednesday.
    assert row["net_liquidity_bn"] == pytest.approx(6727.416 - 315.189 - 168.115)
    # Four weeks earlier (2025-03-12): 6,759,571 - 450,713 - 131.055.
    assert row["change_4w_bn"] == pytest.approx((6727.416 - 315.189 - 168.115) - (6759.571 - 450.713 - 131.055))


def test_rrp_absent_on_a_wednesday_counts_zero_but_unknown_after_the_last_date() -> None:
    weds = pd.to_datetime(["2024-01-03", "2024-01-10", "2024-01-17"])
    series = frame(WALCL=pd.Series([8000e3, 8000e3, 8000e3], index=weds),
                   WDTGAL=pd.Series([700e3, 700e3, 700e3], index=weds),
                   RRPONTSYD=pd.Series([500.0, 400.0], index=pd.to_datetime(["2024-01-03", "2024-01-11"])))
    hist = net_liquidity_history(series)
    assert hist["rrp_bn"].iloc[:2].tolist() == [500.0, 0.0]
    assert np.isnan(hist["rrp_bn"].iloc[2]) and np.isnan(hist["net_liquidity_bn"].iloc[2])


# -- term premium -----------------------------------------------------------------------------
def test_acm_low_of_march_2020_and_kim_wright_kept_apart(real_series: pd.DataFrame) -> None:
    hist = term_premium_history(real_series)
    year = hist.loc["2020", "acm_10y_pct"]
    assert year.idxmin() == pd.Timestamp("2020-03-09") and year.min() == -1.644568
    # Same day, the Kim-Wright model (FRED THREEFYTP10) read -0.6096: two different series.
    assert hist.loc["2020-03-09", "kim_wright_10y_pct"] == -0.6096
    snap = beyond_snapshot(real_series, pd.Timestamp("2020-03-09"))["term_premium"]
    assert (snap["acm_10y_pct"], snap["kim_wright_10y_pct"]) == (-1.6446, -0.6096)


def test_split_with_the_model_path_adds_up_exactly() -> None:
    days = pd.bdate_range("2024-01-01", periods=30)
    tp = pd.Series(np.linspace(0.2, 0.5, 30), index=days)
    rny = pd.Series(np.linspace(4.0, 3.8, 30), index=days)
    hist = term_premium_history(frame(ACMTP10=tp, ACMRNY10=rny, ACMY10=tp + rny))
    split = term_premium_split(hist, days[-1], "1m")
    assert split.start == days[-22] and split.method == "acm"
    assert split.term_premium_bp == pytest.approx((tp.iloc[-1] - tp.iloc[-22]) * 100, abs=0.01)
    assert split.expected_path_bp == pytest.approx((rny.iloc[-1] - rny.iloc[-22]) * 100, abs=0.01)
    assert split.total_bp == pytest.approx(split.term_premium_bp + split.expected_path_bp)


def test_split_without_the_model_path_uses_the_cmt_residual(real_series: pd.DataFrame) -> None:
    hist = term_premium_history(real_series)
    split = term_premium_split(hist, pd.Timestamp("2025-04-11"), "1w")
    # 2025-04-04 -> 2025-04-11: DGS10 4.01 -> 4.48 (+47 bp); ACMTP10 from the shared file.
    acm = read_series_value(real_series, "ACMTP10")
    assert split.method == "residual" and split.total_bp == pytest.approx(47.0, abs=0.01)
    assert split.term_premium_bp == pytest.approx((acm["2025-04-11"] - acm["2025-04-04"]) * 100, abs=0.01)


def read_series_value(series: pd.DataFrame, sid: str) -> pd.Series:
    return series[sid].dropna()


# -- real yields --------------------------------------------------------------------------------
def test_nominal_move_is_real_plus_breakeven(real_series: pd.DataFrame) -> None:
    hist = real_yield_history(real_series)
    split = real_yield_split(hist, pd.Timestamp("2025-04-11"), "1w")
    assert split.nominal_bp == pytest.approx(split.real_bp + split.breakeven_bp, abs=0.02)
    assert split.nominal_bp == pytest.approx(47.0, abs=0.01)  # DGS10 4.01 -> 4.48


def test_5y5y_formula_matches_fred_t5yifr(real_series: pd.DataFrame) -> None:
    computed = forward_5y5y_pct(real_series["T5YIE"], real_series["T10YIE"]).dropna()
    published = real_series["T5YIFR"].reindex(computed.index).dropna()
    assert (computed.reindex(published.index) - published).abs().max() < 0.006
    # 2020-03-19, the COVID low of T5YIFR (0.86): by hand from T10YIE 0.50 and T5YIE 0.14,
    # ((1.005^10 / 1.0014^5)^(1/5) - 1) x 100 = 0.8613.
    assert forward_5y5y_pct(pd.Series([0.14]), pd.Series([0.50])).iloc[0] == pytest.approx(0.8613, abs=1e-4)
    assert real_yield_history(real_series).loc["2020-03-19", "forward_5y5y_pct"] == 0.86


# -- auctions ---------------------------------------------------------------------------------
def test_ten_year_auction_of_2023_11_08(real_series: pd.DataFrame) -> None:
    table = auction_table(real_series)
    row = table[(table["tenor"] == "10Y") & (table["date"] == "2023-11-08")].iloc[0]
    assert row["bid_to_cover"] == 2.45 and row["high_yield_pct"] == 4.519
    # Tail proxy against the previous close: DGS10 on 2023-11-07 was 4.58.
    assert row["pre_yield_date"] == pd.Timestamp("2023-11-07")
    assert row["tail_bp"] == pytest.approx((4.519 - 4.58) * 100)
    # Its z-scores compare with the previous 12 ten-year auctions, by hand:
    prior = table[(table["tenor"] == "10Y") & (table["date"] < "2023-11-08") & (table["size_bn"] >= 1)].tail(12)
    btc = prior["bid_to_cover"]
    assert row["btc_z"] == pytest.approx((2.45 - btc.mean()) / btc.std(ddof=1))


def synthetic_auctions(btcs: list[float], tails_bp: list[float]) -> pd.DataFrame:
    days = pd.bdate_range("2024-01-10", periods=len(btcs), freq="20B")
    pre = pd.Series(4.0, index=pd.bdate_range("2024-01-01", days[-1]))
    return frame(AUCT_10Y_BTC=pd.Series(btcs, index=days),
                 AUCT_10Y_HIGH_YIELD=pd.Series([4.0 + t / 100 for t in tails_bp], index=days),
                 AUCT_10Y_DEALER=pd.Series([15.0] * len(btcs), index=days),
                 AUCT_10Y_SIZE=pd.Series([42.0] * len(btcs), index=days), DGS10=pre)


def test_weak_flag_needs_a_wide_tail_and_thin_cover_together() -> None:
    base_btc = [2.5, 2.6, 2.4, 2.55, 2.45, 2.5, 2.6, 2.4]
    base_tail = [0.0, 1.0, -1.0, 0.5, -0.5, 0.0, 1.0, -1.0]
    weak = auction_table(synthetic_auctions(base_btc + [2.1], base_tail + [4.0]))
    assert weak["weak"].iloc[-1] == 1.0 and weak["tail_z"].iloc[-1] > 3
    assert np.isnan(weak["weak"].iloc[0])  # no history yet: not scored
    strong = auction_table(synthetic_auctions(base_btc + [2.9], base_tail + [-2.0]))
    assert strong["weak"].iloc[-1] == 0.0


def test_recent_auctions_cover_ten_business_days(real_series: pd.DataFrame) -> None:
    got = auctions_as_of(real_series, pd.Timestamp("2025-04-11"))
    assert [(r.date.strftime("%Y-%m-%d"), r.tenor) for r in got.recent] == [
        ("2025-04-08", "3Y"), ("2025-04-09", "10Y"), ("2025-04-10", "30Y")]
    assert got.start == pd.Timestamp("2025-03-31")
    assert got.recent[1].bid_to_cover == 2.67  # PROVENANCE.md: 10y 2025-04-09


# -- official indices and the snapshot contract -----------------------------------------------
def test_official_indices_with_their_own_dates(real_series: pd.DataFrame) -> None:
    peak = official_indices_as_of(real_series, pd.Timestamp("2008-10-10"))
    assert peak.ofr_fsi == 29.32
    # OFR FSI ends 2025-09-11 in the shared file: on 2025-09-30 it is 19 days old, not shown.
    late = official_indices_as_of(real_series, pd.Timestamp("2025-09-30")).to_dict()
    assert late["ofr_fsi"] is None and any("OFR_FSI" in m for m in late["missing"])


#: The contract of issue 11 (tsm snapshot --json), copied here as ../shared/tools/check_contract.py
#: would check it: key -> numeric fields (number or null).
CONTRACT: dict[str, tuple[str, ...]] = {
    "foreign_official": ("custody_bn", "change_1w_bn", "change_4w_bn", "zscore"),
    "liquidity": ("fed_assets_bn", "tga_bn", "rrp_bn", "net_liquidity_bn", "change_4w_bn"),
    "term_premium": ("acm_10y_pct", "kim_wright_10y_pct", "change_1m_bp", "expected_path_1m_bp"),
    "real_yields": ("real_10y_pct", "breakeven_10y_pct", "forward_5y5y_pct"),
    "official_indices": ("ofr_fsi", "stlfsi4", "nfci"),
    "sell_america": ("dollar_pct", "equities_pct", "yield_10y_bp"),
}
AUCTION_FIELDS = {"date": str, "tenor": str, "high_yield_pct": NUM, "tail_bp": NUM,
                  "bid_to_cover": NUM, "indirect_pct": NUM, "dealer_pct": NUM, "weak": bool}


def check_beyond_contract(doc: dict[str, object]) -> list[str]:
    errs = []
    for key, fields in CONTRACT.items():
        part = doc.get(key)
        if not isinstance(part, dict):
            errs.append(f"missing key {key}")
            continue
        nulls = 0
        for name in fields:
            if name not in part:
                errs.append(f"{key}.{name}: absent")
            elif part[name] is None:
                nulls += 1
            elif not isinstance(part[name], NUM) or isinstance(part[name], bool):
                errs.append(f"{key}.{name}: not a number")
        if nulls and not part.get("missing"):
            errs.append(f"{key}: {nulls} nulls but missing names nothing")
    sa = doc.get("sell_america", {})
    if not isinstance(sa, dict) or not (sa.get("signal") is None or isinstance(sa.get("signal"), bool)):
        errs.append("sell_america.signal: not a bool or null")
    if not isinstance(sa, dict) or not isinstance(sa.get("window_days"), int):
        errs.append("sell_america.window_days: not an int")
    auctions = doc.get("auctions")
    if not isinstance(auctions, dict) or not isinstance(auctions.get("recent"), list):
        errs.append("auctions.recent: not a list")
    else:
        for i, row in enumerate(auctions["recent"]):
            for name, kind in AUCTION_FIELDS.items():
                if name not in row:
                    errs.append(f"auctions.recent[{i}].{name}: absent")
                elif row[name] is not None and not isinstance(row[name], kind):
                    errs.append(f"auctions.recent[{i}].{name}: wrong type")
    return errs


@pytest.mark.parametrize("day", ["2025-04-11", "2020-03-20", "2008-10-10", "2026-09-25"])
def test_snapshot_keys_hold_the_contract_on_real_dates(real_series: pd.DataFrame, day: str) -> None:
    doc = beyond_snapshot(real_series, pd.Timestamp(day))
    assert tuple(doc) == BEYOND_KEYS
    assert check_beyond_contract(doc) == []


def test_contract_checker_catches_a_broken_document(real_series: pd.DataFrame) -> None:
    doc = beyond_snapshot(real_series, pd.Timestamp("2025-04-11"))
    doc["liquidity"] = {**doc["liquidity"], "tga_bn": "315"}
    doc["term_premium"] = {**doc["term_premium"], "acm_10y_pct": None, "missing": []}
    del doc["official_indices"]
    assert check_beyond_contract(doc) == ["liquidity.tga_bn: not a number",
                                          "term_premium: 1 nulls but missing names nothing",
                                          "missing key official_indices"]


def test_snapshot_from_precomputed_histories_equals_the_direct_one(real_series: pd.DataFrame) -> None:
    when = pd.Timestamp("2025-04-11")
    assert beyond_snapshot(real_series, when, histories=beyond_histories(real_series)) == \
        beyond_snapshot(real_series, when)


def test_empty_store_gives_nulls_with_reasons() -> None:
    empty = pd.DataFrame(index=pd.DatetimeIndex([], name="date"))
    doc = beyond_snapshot(empty, pd.Timestamp("2025-04-11"))
    assert check_beyond_contract(doc) == []
    assert doc["auctions"]["recent"] == [] and doc["foreign_official"]["custody_bn"] is None


def test_text_snapshot_lines(real_series: pd.DataFrame) -> None:
    from cli.beyond_text import render_beyond

    lines = render_beyond(beyond_snapshot(real_series, pd.Timestamp("2025-04-11")))
    text = "\n".join(lines)
    # 6,727.416 - 315.189 - 168.115 = 6,244.112 (the Wednesday test above).
    assert "Net liquidity (2025-04-09): 6,244.1 bn = Fed assets 6,727.4 - TGA 315.2 - ON RRP 168.1" in text
    assert "2025-04-08  3y: high 3.784%" in text and text.count("WEAK") == 1
    assert render_beyond({"as_of": "2025-04-11"}) == []
