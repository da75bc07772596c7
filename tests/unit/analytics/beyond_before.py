"""The issue-11 as-of readings as they were computed before the lookups (commit 9ceb7ef):
``.loc[:as_of]`` slices and ``dropna`` over the full-history frames on every call.

Kept as the independent reference of tests/unit/analytics/test_beyond_lookups.py (and of the
benchmark benchmarks/bench_beyond_lookups.py): the fast path must give the same readings, float
for float. Only the selection code is copied here; the full-history builders
(``custody_history``, ``term_premium_history``, ...) and the result dataclasses are the
modules' own, unchanged.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from analytics.auctions import RECENT_BUSINESS_DAYS, AuctionRow, Auctions, auction_table
from analytics.beyond import SellAmerica, yields_from_series
from analytics.checks import series_column
from analytics.crossasset import (
    DEFAULT_MIN_YIELD_CHANGE_BP,
    DEFAULT_WINDOW_DAYS,
    SellAmericaReading,
    sell_america_history,
)
from analytics.official import (
    MAX_AGE_DAILY_DAYS,
    MAX_AGE_WEEKLY_DAYS,
    OFFICIAL_INDEX_IDS,
    ForeignOfficial,
    Liquidity,
    OfficialIndices,
    custody_history,
    net_liquidity_history,
)
from analytics.real_yields import RealYields, RealYieldSplit, real_yield_history
from analytics.term_premium import (
    ACM_TP_ID,
    KIM_WRIGHT_ID,
    WINDOWS,
    TermPremium,
    TermPremiumSplit,
    term_premium_history,
)

_BP = 100.0
_TP_MAX_AGE_DAYS = 10
_RY_MAX_AGE_DAYS = 10


# -- term premium (analytics/term_premium.py before) --------------------------------------------
def term_premium_split(history: pd.DataFrame, as_of: pd.Timestamp, window: str) -> TermPremiumSplit:
    n = WINDOWS[window]
    both = history.loc[: as_of.normalize(), ["acm_10y_pct", "expected_path_10y_pct", "path_method"]]
    both = both[both["acm_10y_pct"].notna() & both["expected_path_10y_pct"].notna()]
    if len(both) <= n or (as_of - both.index[-1]).days > _TP_MAX_AGE_DAYS:
        return TermPremiumSplit(window, None, None, None, None, None, "")
    end, start = both.iloc[-1], both.iloc[-1 - n]
    tp = (float(end["acm_10y_pct"]) - float(start["acm_10y_pct"])) * _BP
    path = (float(end["expected_path_10y_pct"]) - float(start["expected_path_10y_pct"])) * _BP
    method = "acm" if end["path_method"] == start["path_method"] == "acm" else "residual"
    return TermPremiumSplit(window, pd.Timestamp(both.index[-1 - n]), pd.Timestamp(both.index[-1]),
                            round(tp + path, 2), round(tp, 2), round(path, 2), method)


def _last(values: pd.Series, as_of: pd.Timestamp) -> tuple[float | None, pd.Timestamp | None]:
    col = values.dropna().loc[: as_of.normalize()]
    if col.empty or (as_of - col.index[-1]).days > _TP_MAX_AGE_DAYS:
        return None, None
    return round(float(col.iloc[-1]), 4), pd.Timestamp(col.index[-1])


def term_premium_as_of(series: pd.DataFrame, as_of: pd.Timestamp, *,
                       history: pd.DataFrame | None = None) -> TermPremium:
    hist = term_premium_history(series) if history is None else history
    acm, acm_day = _last(hist["acm_10y_pct"], as_of)
    kw, kw_day = _last(hist["kim_wright_10y_pct"], as_of)
    splits = tuple(term_premium_split(hist, as_of, w) for w in WINDOWS)
    missing = []
    if acm is None:
        missing.append(f"ACM term premium (ACMTP10): {'not stored' if ACM_TP_ID not in series.columns else 'no value within 10 days'}")
    if kw is None:
        missing.append(f"Kim-Wright term premium (THREEFYTP10): {'not stored' if KIM_WRIGHT_ID not in series.columns else 'no value within 10 days'}")
    return TermPremium(acm, acm_day, kw, kw_day, splits, tuple(missing))


# -- real yields (analytics/real_yields.py before) ----------------------------------------------
def real_yield_split(history: pd.DataFrame, as_of: pd.Timestamp, window: str) -> RealYieldSplit:
    n = WINDOWS[window]
    rows = history.loc[: as_of.normalize(), ["nominal_10y_pct", "real_10y_pct", "breakeven_10y_pct"]].dropna()
    if len(rows) <= n or (as_of - rows.index[-1]).days > _RY_MAX_AGE_DAYS:
        return RealYieldSplit(window, None, None, None, None, None)
    change = (rows.iloc[-1] - rows.iloc[-1 - n]) * _BP
    return RealYieldSplit(window, pd.Timestamp(rows.index[-1 - n]), pd.Timestamp(rows.index[-1]),
                          round(float(change["nominal_10y_pct"]), 2), round(float(change["real_10y_pct"]), 2),
                          round(float(change["breakeven_10y_pct"]), 2))


def real_yields_as_of(series: pd.DataFrame, as_of: pd.Timestamp, *,
                      history: pd.DataFrame | None = None) -> RealYields:
    hist = real_yield_history(series) if history is None else history
    values: list[float | None] = []
    days: list[pd.Timestamp | None] = []
    missing = []
    for column, label in (("real_10y_pct", "10y real yield (DFII10)"),
                          ("breakeven_10y_pct", "10y breakeven (T10YIE)"),
                          ("forward_5y5y_pct", "5y5y forward (T5YIFR)")):
        col = hist[column].dropna().loc[: as_of.normalize()]
        if col.empty or (as_of - col.index[-1]).days > _RY_MAX_AGE_DAYS:
            values.append(None)
            days.append(None)
            missing.append(f"{label}: no value within {_RY_MAX_AGE_DAYS} days before {as_of.date()}")
        else:
            values.append(round(float(col.iloc[-1]), 4))
            days.append(pd.Timestamp(col.index[-1]))
    splits = tuple(real_yield_split(hist, as_of, w) for w in WINDOWS)
    return RealYields(values[0], values[1], values[2], (days[0], days[1], days[2]), splits,
                      tuple(missing))


# -- custody, net liquidity, official indices (analytics/official.py before) -------------------
def _opt3(value: object, decimals: int = 3) -> float | None:
    import numpy as np

    if value is None:
        return None
    number = float(value)  # type: ignore[arg-type]
    return None if not np.isfinite(number) else round(number, decimals)


def _row_as_of(history: pd.DataFrame, as_of: pd.Timestamp, max_age_days: int) -> pd.Series | None:
    rows = history.loc[: as_of.normalize()]
    if rows.empty or (as_of - rows.index[-1]).days > max_age_days:
        return None
    return rows.iloc[-1]


def foreign_official_as_of(series: pd.DataFrame, as_of: pd.Timestamp, *,
                           history: pd.DataFrame | None = None) -> ForeignOfficial:
    hist = custody_history(series) if history is None else history
    row = _row_as_of(hist, as_of, MAX_AGE_WEEKLY_DAYS)
    if row is None:
        why = ("custody (WMTSECL1): not stored" if hist.empty
               else f"custody (WMTSECL1): no value within {MAX_AGE_WEEKLY_DAYS} days before {as_of.date()}")
        return ForeignOfficial(None, None, None, None, None, (why,))
    return ForeignOfficial(pd.Timestamp(row.name), _opt3(row["custody_bn"]), _opt3(row["change_1w_bn"]),
                           _opt3(row["change_4w_bn"]), _opt3(row["zscore"]))


def liquidity_as_of(series: pd.DataFrame, as_of: pd.Timestamp, *,
                    history: pd.DataFrame | None = None) -> Liquidity:
    hist = net_liquidity_history(series) if history is None else history
    row = _row_as_of(hist, as_of, MAX_AGE_WEEKLY_DAYS)
    if row is None:
        why = ("net liquidity: Fed assets (WALCL) not stored" if hist.empty
               else f"net liquidity: no WALCL within {MAX_AGE_WEEKLY_DAYS} days before {as_of.date()}")
        return Liquidity(None, None, None, None, None, None, (why,))
    missing = [f"net liquidity: {name} not stored for {pd.Timestamp(row.name).date()}"
               for name, key in (("TGA (WDTGAL)", "tga_bn"), ("ON RRP (RRPONTSYD)", "rrp_bn"))
               if pd.isna(row[key])]
    return Liquidity(pd.Timestamp(row.name), _opt3(row["fed_assets_bn"]), _opt3(row["tga_bn"]),
                     _opt3(row["rrp_bn"]), _opt3(row["net_liquidity_bn"]), _opt3(row["change_4w_bn"]),
                     tuple(missing))


def value_as_of(series: pd.DataFrame, series_id: str, as_of: pd.Timestamp,
                max_age_days: int) -> tuple[float | None, pd.Timestamp | None]:
    col = series_column(series, series_id).loc[: as_of.normalize()]
    if col.empty or (as_of - col.index[-1]).days > max_age_days:
        return None, None
    return float(col.iloc[-1]), pd.Timestamp(col.index[-1])


def official_indices_as_of(series: pd.DataFrame, as_of: pd.Timestamp) -> OfficialIndices:
    found: dict[str, tuple[float | None, pd.Timestamp | None]] = {}
    missing = []
    for key, sid in OFFICIAL_INDEX_IDS.items():
        age = MAX_AGE_DAILY_DAYS if key == "ofr_fsi" else MAX_AGE_WEEKLY_DAYS
        value, day = value_as_of(series, sid, as_of, age)
        found[key] = (_opt3(value), day)
        if value is None:
            missing.append(f"{sid}: {'not stored' if sid not in series.columns else f'no value within {age} days before {as_of.date()}'}")
    return OfficialIndices(found["ofr_fsi"][0], found["ofr_fsi"][1], found["stlfsi4"][0],
                           found["stlfsi4"][1], found["nfci"][0], found["nfci"][1], tuple(missing))


# -- auctions (analytics/auctions.py before) ----------------------------------------------------
def _opt(value: object, decimals: int) -> float | None:
    import numpy as np

    number = float(value)  # type: ignore[arg-type]
    return None if not np.isfinite(number) else round(number, decimals)


def auctions_as_of(series: pd.DataFrame, as_of: pd.Timestamp, *,
                   table: pd.DataFrame | None = None) -> Auctions:
    rows = auction_table(series) if table is None else table
    end = as_of.normalize()
    start = (end - pd.offsets.BDay(RECENT_BUSINESS_DAYS - 1)) if end.day_of_week < 5 else \
        (end - pd.offsets.BDay(RECENT_BUSINESS_DAYS))
    picked = rows[(rows["date"] >= start) & (rows["date"] <= end)] if len(rows) else rows
    missing = []
    if rows.empty:
        missing.append("auctions: none stored (import the auction table or refresh --source auctions)")
    elif rows["date"].max() < start:
        missing.append(f"auctions: none stored after {pd.Timestamp(rows['date'].max()).date()}")
    recent = tuple(
        AuctionRow(pd.Timestamp(r["date"]), str(r["tenor"]), _opt(r["high_yield_pct"], 4),
                   _opt(r["tail_bp"], 2), _opt(r["bid_to_cover"], 3), _opt(r["indirect_pct"], 2),
                   _opt(r["dealer_pct"], 2), None if pd.isna(r["weak"]) else bool(r["weak"]))
        for r in picked.to_dict("records"))
    return Auctions(pd.Timestamp(start), end, recent, tuple(missing))


# -- sell America (analytics/crossasset.py and analytics/beyond.py before) ----------------------
def _opt_plain(value: object) -> float | None:
    import numpy as np

    fval = float(value)  # type: ignore[arg-type]
    return None if np.isnan(fval) else fval


def sell_america_as_of(history: pd.DataFrame, *, as_of: object) -> SellAmericaReading:
    ts = pd.Timestamp(as_of)  # type: ignore[arg-type]
    rows = history.loc[: ts.normalize()]
    if rows.empty:
        return SellAmericaReading(None, None, None, None, None, None, DEFAULT_WINDOW_DAYS,
                                  DEFAULT_MIN_YIELD_CHANGE_BP)
    row = rows.iloc[-1]
    flag = _opt_plain(row["flag"])
    return SellAmericaReading(
        date=pd.Timestamp(rows.index[-1]),
        flag=None if flag is None else bool(flag),
        yield_change_bp=_opt_plain(row["yield_change_bp"]),
        dollar_change_pct=_opt_plain(row["dollar_change_pct"]),
        equity_change_pct=_opt_plain(row["equity_change_pct"]),
        score=_opt_plain(row["score"]),
        window_days=DEFAULT_WINDOW_DAYS,
        min_yield_change_bp=DEFAULT_MIN_YIELD_CHANGE_BP,
    )


def sell_america(history: pd.DataFrame, as_of: pd.Timestamp) -> SellAmerica:
    reading = sell_america_as_of(history, as_of=as_of)
    missing = []
    for value, what in ((reading.yield_change_bp, "10y yield (DGS10)"),
                        (reading.dollar_change_pct, "broad dollar (DTWEXBGS)"),
                        (reading.equity_change_pct, "S&P 500 (SP500)")):
        if value is None:
            missing.append(f"sell America: {what} change over {DEFAULT_WINDOW_DAYS} days not available")
    return SellAmerica(reading.flag, reading.dollar_change_pct, reading.equity_change_pct,
                       reading.yield_change_bp, reading.window_days, reading.date, reading.score,
                       DEFAULT_MIN_YIELD_CHANGE_BP, tuple(missing))


# -- the seven keys ------------------------------------------------------------------------------
def frames(series: pd.DataFrame, *, sell: pd.DataFrame | None = None) -> dict[str, pd.DataFrame]:
    """The full-history frames, each from its builder (what BeyondHistories held before)."""
    return {
        "custody": custody_history(series),
        "liquidity": net_liquidity_history(series),
        "term_premium": term_premium_history(series),
        "real_yields": real_yield_history(series),
        "auctions": auction_table(series),
        "sell_america": (sell_america_history(yields_from_series(series), series)
                         if sell is None else sell),
    }


def readings(series: pd.DataFrame, as_of: pd.Timestamp,
             h: dict[str, pd.DataFrame]) -> dict[str, Any]:
    """The seven readings (result dataclasses) as the code before computed them."""
    when = pd.Timestamp(as_of)
    return {
        "foreign_official": foreign_official_as_of(series, when, history=h["custody"]),
        "liquidity": liquidity_as_of(series, when, history=h["liquidity"]),
        "term_premium": term_premium_as_of(series, when, history=h["term_premium"]),
        "real_yields": real_yields_as_of(series, when, history=h["real_yields"]),
        "auctions": auctions_as_of(series, when, table=h["auctions"]),
        "official_indices": official_indices_as_of(series, when),
        "sell_america": sell_america(h["sell_america"], when),
    }


def beyond_snapshot(series: pd.DataFrame, as_of: pd.Timestamp,
                    h: dict[str, pd.DataFrame] | None = None) -> dict[str, Any]:
    """analytics.beyond.beyond_snapshot as it was (dicts of the seven keys)."""
    found = frames(series) if h is None else h
    return {key: value.to_dict() for key, value in readings(series, as_of, found).items()}
