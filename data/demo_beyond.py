"""DEMO series of the issue-11 views (custody, net liquidity, term premia, real yields, official
stress indices, coupon auctions): synthetic, derived from the DEMO curve and stress path.

Drawn from their own random generator (seeded from the DEMO seed), so adding them leaves every
other DEMO number as it was. Nothing here is real data.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pandas as pd

from analytics.tenors import CMT_SERIES

__all__ = ["demo_beyond_series"]

FloatArray = npt.NDArray[np.float64]

#: Auction tenors: (years, business day of the month (negative: from its end), offering $bn,
#: first date).
_AUCTIONS: tuple[tuple[int, int, float, str], ...] = (
    (2, -5, 69.0, "2008-01-01"), (3, 5, 58.0, "2008-01-01"), (5, -4, 70.0, "2008-01-01"),
    (7, -3, 44.0, "2009-02-01"), (10, 6, 42.0, "2008-01-01"), (20, 12, 16.0, "2020-05-01"),
    (30, 7, 25.0, "2008-01-01"),
)


def _weekly(dates: pd.DatetimeIndex, values: FloatArray, *, weekday: int, start: str) -> FloatArray:
    keep = (dates.day_of_week == weekday) & (dates >= pd.Timestamp(start))
    return np.where(keep, values, np.nan)


def _bump(dates: pd.DatetimeIndex, centre: str, width_days: float) -> FloatArray:
    out: FloatArray = np.exp(-(((dates - pd.Timestamp(centre)).days.to_numpy() / width_days) ** 2))
    return out


def _auction_rows(rng: np.random.Generator, dates: pd.DatetimeIndex, cmt: pd.DataFrame,
                  vol: FloatArray) -> dict[str, FloatArray]:
    out: dict[str, FloatArray] = {}
    stress = pd.Series(vol, index=dates)
    month = pd.Series(dates.to_period("M"), index=dates)
    for years, nth, size, first in _AUCTIONS:
        live = month[dates >= pd.Timestamp(first)]
        picked = [group.index[nth] for _, group in live.groupby(live.to_numpy()) if len(group) >= 15]
        auction_days = pd.DatetimeIndex(picked)
        y = cmt[CMT_SERIES[f"{years}y"]]
        prev = y.shift(1).reindex(auction_days).to_numpy()
        v = stress.reindex(auction_days).to_numpy()
        n = len(auction_days)
        tail_bp = rng.standard_normal(n) * 1.2 + 1.5 * (v - 1.0)
        btc = 2.5 + rng.standard_normal(n) * 0.12 - 0.08 * (v - 1.0)
        indirect = np.clip(65.0 + rng.standard_normal(n) * 5.0 - 3.0 * (v - 1.0), 30.0, 85.0)
        dealer = np.clip(14.0 + rng.standard_normal(n) * 3.5 + 3.0 * (v - 1.0), 3.0, 45.0)
        direct = 100.0 - indirect - dealer
        reopening = np.array([float(years in (10, 20, 30) and d.month % 3 != 2) for d in auction_days])
        fields = {
            "HIGH_YIELD": np.round(prev + tail_bp / 100.0, 3), "BTC": np.round(btc, 2),
            "INDIRECT": indirect, "DEALER": dealer, "DIRECT": direct,
            "DISPERSION": np.round(np.abs(rng.standard_normal(n)) * 3.0 + 3.0, 1),
            "SIZE": np.full(n, size), "REOPENING": reopening,
        }
        for name, values in fields.items():
            col = np.full(len(dates), np.nan)
            col[dates.get_indexer(auction_days)] = values
            out[f"AUCT_{years}Y_{name}"] = col
    return out


def demo_beyond_series(dates: pd.DatetimeIndex, vol: FloatArray, cmt: pd.DataFrame, *,
                       seed: int) -> dict[str, FloatArray]:
    """The issue-11 DEMO series on the DEMO business days.

    Parameters
    ----------
    dates : the DEMO business days.
    vol : the DEMO volatility multiplier path (1 = calm; higher in the stress episodes).
    cmt : the DEMO CMT yields by FRED id (DGS2...), indexed by `dates`.
    seed : the DEMO seed (a generator of its own is derived from it).
    """
    rng = np.random.default_rng(seed + 11)
    n = len(dates)
    t = (dates - pd.Timestamp("1990-01-02")).days.to_numpy() / 365.25
    shock = vol - 1.0
    out: dict[str, FloatArray] = {}

    # H.4.1: custody ($mn) grows to ~3 trillion by 2013, then flat; falls in the dash for cash
    # and the tariff sell-off. Fed assets and TGA ($mn) follow the familiar path.
    custody = np.interp(t, [17.5, 23.0, 30.0, 36.8], [1.2e6, 2.9e6, 3.0e6, 2.95e6])
    custody -= 130e3 * _bump(dates, "2020-04-01", 25) + 60e3 * _bump(dates, "2025-04-20", 20)
    custody += np.cumsum(rng.standard_normal(n)) * 800.0
    out["WMTSECL1"] = _weekly(dates, np.round(custody), weekday=2, start="2007-07-04")
    assets = np.interp(t, [12.9, 18.7, 19.0, 24.8, 29.5, 30.4, 32.2, 35.3, 36.8],
                       [0.73e6, 0.9e6, 2.2e6, 4.5e6, 3.8e6, 7.0e6, 8.9e6, 6.7e6, 6.6e6])
    out["WALCL"] = _weekly(dates, np.round(assets), weekday=2, start="2002-12-18")
    tga = np.interp(t, [12.9, 18.7, 19.0, 25.0, 30.5, 33.4, 35.3, 36.8],
                    [5e3, 5e3, 350e3, 250e3, 1.8e6, 50e3, 700e3, 850e3])
    tga = np.maximum(tga * (1.0 + rng.standard_normal(n) * 0.08), 1e3)
    out["WDTGAL"] = _weekly(dates, np.round(tga), weekday=2, start="2002-12-18")

    # Term premia (%): ACM lower and more volatile than Kim-Wright; both fall in flights to quality.
    drift = np.interp(t, [0, 10, 20, 26, 30.2, 33.8, 35.3, 36.8], [2.8, 1.6, 1.2, 0.2, -1.2, 0.5, 0.6, 0.8])
    acm = drift - 0.6 * _bump(dates, "2020-03-09", 8) + np.cumsum(rng.standard_normal(n)) * 0.004
    out["ACMTP10"] = np.round(acm, 6)
    kw = 0.6 * drift + 0.2 + np.cumsum(rng.standard_normal(n)) * 0.002
    out["THREEFYTP10"] = np.where(dates >= pd.Timestamp("2016-09-26"), np.round(kw, 4), np.nan)

    # Real yields and breakevens (%), FRED's identity DGS10 - DFII10 = T10YIE kept exactly.
    breakeven10 = np.round(2.2 - 1.2 * _bump(dates, "2008-12-01", 60) - 1.0 * _bump(dates, "2020-03-19", 20)
                           + 0.3 * _bump(dates, "2022-04-20", 90) + rng.standard_normal(n) * 0.02, 2)
    breakeven5 = np.round(breakeven10 - 0.1 + 0.4 * _bump(dates, "2022-04-20", 90)
                          + rng.standard_normal(n) * 0.02, 2)
    tips = dates >= pd.Timestamp("2003-01-02")
    out["T10YIE"] = np.where(tips, breakeven10, np.nan)
    out["T5YIE"] = np.where(tips, breakeven5, np.nan)
    out["DFII10"] = np.where(tips, np.round(cmt[CMT_SERIES["10y"]].to_numpy() - breakeven10, 2), np.nan)
    out["DFII5"] = np.where(tips, np.round(cmt[CMT_SERIES["5y"]].to_numpy() - breakeven5, 2), np.nan)
    fwd = 100.0 * (((1 + breakeven10 / 100) ** 10 / (1 + breakeven5 / 100) ** 5) ** 0.2 - 1.0)
    out["T5YIFR"] = np.where(tips, np.round(fwd, 2), np.nan)

    # Official stress indices: OFR FSI (daily from 2000) with five categories that add up,
    # NFCI weekly (Fridays).
    fsi = -2.0 + 5.0 * shock + np.cumsum(rng.standard_normal(n)) * 0.01
    shares = np.array([0.25, 0.15, 0.1, 0.25, 0.25])
    for sid, share in zip(("OFR_FSI_CREDIT", "OFR_FSI_EQUITY", "OFR_FSI_SAFE", "OFR_FSI_FUNDING",
                           "OFR_FSI_VOLATILITY"), shares, strict=True):
        out[sid] = np.where(dates >= pd.Timestamp("2000-01-03"), np.round(fsi * share, 3), np.nan)
    out["OFR_FSI"] = np.round(sum(out[s] for s in ("OFR_FSI_CREDIT", "OFR_FSI_EQUITY", "OFR_FSI_SAFE",
                                                    "OFR_FSI_FUNDING", "OFR_FSI_VOLATILITY")), 3)
    nfci = -0.5 + 0.8 * shock + np.cumsum(rng.standard_normal(n)) * 0.003
    out["NFCI"] = _weekly(dates, np.round(nfci, 4), weekday=4, start="1990-01-05")

    out.update(_auction_rows(rng, dates, cmt, vol))
    return out
