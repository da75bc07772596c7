"""The embedded DEMO data set: synthetic, deterministic, clearly labelled.

With an empty store and no network the dashboard still has to be useful, so the project
generates its own market history: a Nelson-Siegel curve factor model driven by a step path of
the policy rate (close to the real one, so the levels look familiar), with stress episodes
injected on the dates in DOMAIN.md section 8, plus funding, facility, cross-asset, volatility,
swap, GSW-style fitted and CFTC positioning series derived from the same factors. Nothing
here is real data: every page and `tsm status` label it DEMO. The same seed gives the same
numbers on every machine.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from analytics.tenors import CMT_SERIES, TENOR_YEARS, TRADER_GROUPS, TREASURY_FUTURES
from data.demo_beyond import demo_beyond_series

__all__ = ["DEMO_SEED", "DEMO_START", "DEMO_END", "DemoData", "generate_demo"]

DEMO_SEED = 20250407
DEMO_START = "1990-01-02"
DEMO_END = "2026-10-30"

#: Policy-rate steps (date from which it applies, midpoint of the target in %).
_POLICY_STEPS: tuple[tuple[str, float], ...] = (
    ("1990-01-02", 8.25), ("1990-12-01", 7.0), ("1991-06-01", 5.75), ("1992-01-01", 4.0),
    ("1992-09-01", 3.0), ("1994-03-01", 3.75), ("1994-08-01", 4.75), ("1995-02-01", 6.0),
    ("1996-02-01", 5.25), ("1998-10-15", 4.875), ("1999-08-01", 5.25), ("2000-05-16", 6.5),
    ("2001-03-01", 5.0), ("2001-09-17", 3.0), ("2002-01-01", 1.75), ("2003-06-25", 1.0),
    ("2004-08-01", 1.5), ("2005-03-01", 2.75), ("2005-12-01", 4.25), ("2006-06-29", 5.25),
    ("2007-09-18", 4.75), ("2008-01-22", 3.0), ("2008-04-30", 2.0), ("2008-10-08", 1.5),
    ("2008-12-16", 0.125), ("2015-12-17", 0.375), ("2016-12-15", 0.625), ("2017-06-15", 1.125),
    ("2017-12-14", 1.375), ("2018-06-14", 1.875), ("2018-12-20", 2.375), ("2019-08-01", 2.125),
    ("2019-10-31", 1.625), ("2020-03-03", 1.125), ("2020-03-16", 0.125), ("2022-03-17", 0.375),
    ("2022-06-16", 1.625), ("2022-09-22", 3.125), ("2022-12-15", 4.375), ("2023-03-23", 4.875),
    ("2023-07-27", 5.375), ("2024-09-19", 4.875), ("2024-12-19", 4.375), ("2025-09-18", 4.125),
    ("2025-10-30", 3.875),
)

#: Stress episodes: (start, end, d_level_bp, d_slope_bp, vol_multiplier, otr_premium_bp).
#: Level and slope moves are spread evenly over the episode; slope > 0 steepens.
_EPISODES: tuple[tuple[str, str, float, float, float, float], ...] = (
    ("2008-09-15", "2008-12-31", -70.0, 120.0, 3.0, -25.0),   # Lehman: bull steepener
    ("2013-05-22", "2013-07-05", 90.0, 70.0, 1.8, -6.0),       # taper tantrum: bear steepener
    ("2019-09-16", "2019-09-18", 5.0, -3.0, 1.5, -3.0),        # repo spike (funding below)
    ("2020-03-09", "2020-03-20", 35.0, 60.0, 4.0, -20.0),      # dash for cash
    ("2022-09-23", "2022-10-14", 45.0, 10.0, 2.5, -10.0),      # UK LDI
    ("2023-10-02", "2023-10-20", 40.0, 30.0, 1.6, -5.0),       # 10y at 5%
    ("2025-04-07", "2025-04-11", 45.0, 40.0, 3.0, -12.0),      # tariff sell-off: bear steepener
)

_LAMBDA_YEARS = 1.8  # Nelson-Siegel decay used by the generator


@dataclass(frozen=True)
class DemoData:
    """The generated data set, in the store's shapes.

    Attributes
    ----------
    series : wide frame, DatetimeIndex "date", one column per series id (catalogue units).
    cftc : CFTC positions in the long form of :data:`data.model.CFTC_COLUMNS`.
    """

    series: pd.DataFrame
    cftc: pd.DataFrame


def _policy_path(dates: pd.DatetimeIndex) -> np.ndarray:
    starts = pd.DatetimeIndex([pd.Timestamp(d) for d, _ in _POLICY_STEPS])
    levels = np.array([v for _, v in _POLICY_STEPS])
    idx = np.searchsorted(starts.values, dates.values, side="right") - 1
    return levels[np.clip(idx, 0, len(levels) - 1)]


def _ou(rng: np.random.Generator, n: int, *, kappa: float, sigma: np.ndarray) -> np.ndarray:
    """Ornstein-Uhlenbeck path with daily mean reversion `kappa` and per-day shock size."""
    from scipy.signal import lfilter  # half a second to import: only when the demo is built

    shocks = rng.standard_normal(n) * sigma
    # x[i] = (1 - kappa) x[i-1] + shock[i], as a linear filter (C speed, no Python loop).
    return np.asarray(lfilter([1.0], [1.0, -(1.0 - kappa)], shocks))


def _episode_paths(dates: pd.DatetimeIndex) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    n = len(dates)
    d_level = np.zeros(n)
    d_slope = np.zeros(n)
    vol = np.ones(n)
    otr = np.zeros(n)
    for start, end, lvl, slp, vmult, prem in _EPISODES:
        inside = (dates >= pd.Timestamp(start)) & (dates <= pd.Timestamp(end))
        k = int(inside.sum())
        if k == 0:
            continue
        # The move builds evenly over the episode, then fades (half-life ~3 months) so that
        # episodes do not pile up into a permanent drift of the curve.
        pos = np.flatnonzero(inside)
        shape = np.zeros(n)
        shape[pos] = np.arange(1, k + 1) / k
        after = np.arange(pos[-1] + 1, n)
        shape[after] = np.exp(-(after - pos[-1]) * np.log(2.0) / 63.0)
        d_level += shape * lvl / 100.0
        d_slope += shape * slp / 100.0
        vol[inside] *= vmult
        fade = np.zeros(n)
        fade[pos] = prem
        tail = np.arange(pos[-1] + 1, min(n, pos[-1] + 43))
        fade[tail] = prem * np.exp(-(tail - pos[-1]) / 12.0)
        otr = np.minimum(otr, fade)
    return d_level, d_slope, vol, otr


def _ns_loadings(tau: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    x = tau / _LAMBDA_YEARS
    f1 = (1.0 - np.exp(-x)) / x
    return f1, f1 - np.exp(-x)


def generate_demo(*, seed: int = DEMO_SEED, start: str = DEMO_START, end: str = DEMO_END) -> DemoData:
    """Generate the DEMO data set (deterministic for a given seed and date range)."""
    rng = np.random.default_rng(seed)
    dates = pd.bdate_range(start, end, name="date")
    n = len(dates)
    policy = _policy_path(dates)
    d_level, d_slope, vol, otr_bp = _episode_paths(dates)

    # Long-run level: the policy path smoothed over ~3 years plus a term premium, with noise.
    anchor = pd.Series(policy).ewm(halflife=500).mean().to_numpy()
    level = anchor + 1.6 + _ou(rng, n, kappa=0.004, sigma=0.045 * vol) + d_level
    # Short end follows the policy rate; slope factor = short - long.
    front = policy + 0.05 + _ou(rng, n, kappa=0.02, sigma=0.02 * vol)
    slope = front - level - d_slope
    curvature = _ou(rng, n, kappa=0.01, sigma=0.04 * vol) + 0.3

    tenors = list(CMT_SERIES)
    tau = np.array([TENOR_YEARS[t] for t in tenors])
    f1, f2 = _ns_loadings(tau)
    smooth = level[:, None] + slope[:, None] * f1[None, :] + curvature[:, None] * f2[None, :]
    # On-the-run issues trade rich (lower yield) at coupon tenors, more in stress; bills less.
    otr_weight = np.where(tau >= 2.0, 1.0, 0.3)
    noise = rng.standard_normal((n, len(tau))) * 0.012 * vol[:, None]
    cmt = np.maximum(smooth + (otr_bp[:, None] - 2.0) / 100.0 * otr_weight + noise, 0.01)
    frame = {sid: np.round(cmt[:, j], 2) for j, sid in enumerate(CMT_SERIES.values())}
    # GSW-style off-the-run fitted curve: smooth par curve turned into cc zero yields.
    gsw_tenors = (1, 2, 3, 5, 7, 10, 20, 30)
    g1, g2 = _ns_loadings(np.array(gsw_tenors, dtype=float))
    gsw_par = level[:, None] + slope[:, None] * g1[None, :] + curvature[:, None] * g2[None, :]
    gsw_zero = 200.0 * np.log1p(np.maximum(gsw_par, 0.01) / 200.0)
    for j, t in enumerate(gsw_tenors):
        frame[f"SVENY{t:02d}"] = np.round(gsw_zero[:, j], 4)

    # Funding: EFFR near the policy midpoint, SOFR around it from 2018-04, with the repo spike.
    effr = np.round(policy - 0.04 + rng.standard_normal(n) * 0.005, 2)
    sofr_spread = rng.standard_normal(n) * 0.02 + 0.01
    spike = {"2019-09-16": 0.2, "2019-09-17": 2.95, "2019-09-18": 0.25, "2019-09-19": 0.05,
             "2020-03-16": 0.1, "2025-10-31": 0.15}
    spikes = pd.Series(spike).reindex(dates.strftime("%Y-%m-%d")).fillna(0.0).to_numpy()
    sofr = np.round(effr + sofr_spread + spikes, 2)
    effr = effr + np.where(dates == pd.Timestamp("2019-09-17"), 0.05, 0.0)
    disp = 0.05 + np.abs(rng.standard_normal(n)) * 0.03 + spikes * 1.3
    frame["EFFR"] = effr
    live_sofr = dates >= pd.Timestamp("2018-04-02")
    frame["SOFR"] = np.where(live_sofr, sofr, np.nan)
    frame["SOFR1"] = np.where(live_sofr, np.round(sofr - disp, 2), np.nan)
    frame["SOFR25"] = np.where(live_sofr, np.round(sofr - 0.02, 2), np.nan)
    frame["SOFR75"] = np.where(live_sofr, np.round(sofr + 0.02, 2), np.nan)
    frame["SOFR99"] = np.where(live_sofr, np.round(sofr + disp * 1.4, 2), np.nan)
    frame["SOFRVOL"] = np.where(live_sofr, np.round(np.linspace(800, 3000, n) + rng.standard_normal(n) * 60), np.nan)
    frame["TGCR"] = np.where(live_sofr, np.round(sofr - 0.01, 2), np.nan)
    frame["BGCR"] = np.where(live_sofr, np.round(sofr - 0.01, 2), np.nan)
    floor = np.round(policy + 0.025, 2)
    frame["IOER"] = np.where((dates >= pd.Timestamp("2008-10-09")) & (dates < pd.Timestamp("2021-07-29")), floor, np.nan)
    frame["IORB"] = np.where(dates >= pd.Timestamp("2021-07-29"), floor, np.nan)

    t_years = (dates - dates[0]).days.to_numpy() / 365.25
    rrp_hump = np.exp(-(((dates - pd.Timestamp("2022-09-30")).days.to_numpy() / 300.0) ** 2))
    rrp = np.where(dates >= pd.Timestamp("2013-09-23"), 2200.0 * rrp_hump + 5.0 + np.abs(rng.standard_normal(n)) * 15.0, np.nan)
    frame["RRPONTSYD"] = np.round(rrp, 3)
    repo = np.zeros(n)
    repo[(dates >= pd.Timestamp("2019-09-17")) & (dates <= pd.Timestamp("2020-06-30"))] = 60.0
    repo[dates == pd.Timestamp("2019-09-17")] = 53.15
    repo[(dates >= pd.Timestamp("2025-10-27")) & (dates <= pd.Timestamp("2025-11-05"))] = 25.0
    frame["RPONTSYD"] = np.where(repo > 0, np.round(repo + rng.standard_normal(n) * 2.0, 2), np.nan)

    weekly = dates.day_of_week == 2  # Wednesday levels
    reserves = np.interp(t_years, [0, 18, 19.5, 24, 31.5, 33, 36.8], [25e3, 45e3, 1.2e6, 2.2e6, 4.2e6, 3.0e6, 3.2e6])
    frame["WRESBAL"] = np.where(weekly, np.round(reserves), np.nan)
    dw = 300.0 + 90e3 * np.exp(-(((dates - pd.Timestamp("2008-11-01")).days.to_numpy() / 60.0) ** 2)) \
        + 40e3 * np.exp(-(((dates - pd.Timestamp("2020-03-25")).days.to_numpy() / 20.0) ** 2)) \
        + 150e3 * np.exp(-(((dates - pd.Timestamp("2023-03-15")).days.to_numpy() / 15.0) ** 2))
    frame["WLCFLPCL"] = np.where(weekly, np.round(dw), np.nan)
    frame["MORTGAGE30US"] = np.where(dates.day_of_week == 3, np.round(cmt[:, 8] + 1.75, 2), np.nan)

    # Cross-asset and volatility: equities and the dollar fall in the sell-offs.
    shock = (vol - 1.0) / 3.0
    eq_ret = 0.0003 + rng.standard_normal(n) * 0.01 * vol - 0.006 * shock
    frame["SP500"] = np.round(350.0 * np.exp(np.cumsum(eq_ret)), 2)
    tariff = (dates >= pd.Timestamp("2025-04-03")) & (dates <= pd.Timestamp("2025-04-11"))
    fx_ret = rng.standard_normal(n) * 0.003 - np.where(tariff, 0.004, 0.0)
    frame["DTWEXBGS"] = np.where(dates >= pd.Timestamp("2006-01-02"), np.round(100.0 * np.exp(np.cumsum(fx_ret) - np.cumsum(fx_ret)[dates.searchsorted(pd.Timestamp("2006-01-02"))]), 4), np.nan)
    base_vol = 70.0 + 15.0 * _ou(rng, n, kappa=0.01, sigma=np.full(n, 0.08))
    frame["MOVE"] = np.round(np.maximum(base_vol * vol ** 0.8, 40.0), 2)
    frame["VIXCLS"] = np.round(np.maximum(14.0 + 4.0 * _ou(rng, n, kappa=0.02, sigma=np.full(n, 0.25)) + 12.0 * (vol - 1.0), 9.0), 2)
    frame["STLFSI4"] = np.where(dates.day_of_week == 4, np.round(-0.5 + 1.2 * (vol - 1.0) + 0.3 * _ou(rng, n, kappa=0.01, sigma=np.full(n, 0.05)), 4), np.nan)

    # ICE swap rates 2000-07 to 2016-10: positive spreads before 2008, negative long end after.
    swap_live = (dates >= pd.Timestamp("2000-07-03")) & (dates <= pd.Timestamp("2016-10-28"))
    after_lehman = np.clip((dates - pd.Timestamp("2008-09-01")).days.to_numpy() / 120.0, 0.0, 1.0)
    for years, spread_pre, spread_post in ((1, 30, 20), (2, 40, 25), (3, 45, 20), (4, 45, 15),
                                           (5, 50, 12), (7, 50, 2), (10, 45, -5), (30, 30, -35)):
        curve = np.interp(years, tau, np.arange(len(tau)))
        j0, frac = int(np.floor(curve)), curve - np.floor(curve)
        j1 = min(j0 + 1, len(tau) - 1)
        base = cmt[:, j0] * (1 - frac) + cmt[:, j1] * frac
        spread = spread_pre + (spread_post - spread_pre) * after_lehman + rng.standard_normal(n) * 2.0
        frame[f"DSWP{years}"] = np.where(swap_live, np.round(base + spread / 100.0, 4), np.nan)

    cmt_frame = pd.DataFrame({sid: frame[sid] for sid in CMT_SERIES.values()}, index=dates)
    frame.update(demo_beyond_series(dates, vol, cmt_frame, seed=seed))  # issue 11; own generator
    series = pd.DataFrame(frame, index=dates)
    series.index.name = "date"
    return DemoData(series=series, cftc=_demo_cftc(rng, dates, vol))


def _demo_cftc(rng: np.random.Generator, dates: pd.DatetimeIndex, vol: np.ndarray) -> pd.DataFrame:
    """Weekly (Tuesday) TFF positions for the six contracts from 2010, with the basis trade
    building up, unwinding in March 2020 and April 2025."""
    tuesdays = pd.date_range("2010-01-05", dates[-1], freq="W-TUE")
    vol_w = pd.Series(vol, index=dates).reindex(tuesdays, method="ffill").to_numpy()
    t = (tuesdays - tuesdays[0]).days.to_numpy() / 365.25
    basis = np.interp(t, [0, 8, 10.2, 10.25, 11, 15.2, 15.3, 17], [0.2, 0.9, 1.0, 0.75, 0.8, 1.5, 1.3, 1.45])
    rows = []
    sizes = {"042601": 1.9e6, "044601": 3.2e6, "043602": 3.4e6, "043607": 1.3e6, "020601": 1.3e6, "020604": 1.4e6}
    for contract in TREASURY_FUTURES:
        if contract.code == "043607":
            live = tuesdays >= pd.Timestamp("2016-01-12")
        else:
            live = np.ones(len(tuesdays), dtype=bool)
        oi = sizes[contract.code] * (0.6 + 0.4 * basis) * (1.0 + rng.standard_normal(len(t)) * 0.03)
        lev_short = oi * (0.25 + 0.25 * basis / 1.5) * (1.0 + 0.02 * rng.standard_normal(len(t)))
        lev_long = oi * 0.08 * (1.0 + 0.05 * rng.standard_normal(len(t)))
        am_long = oi * (0.30 + 0.25 * basis / 1.5) * (1.0 + 0.02 * rng.standard_normal(len(t)))
        am_short = oi * 0.06
        dealer_long = oi * 0.06
        dealer_short = oi * 0.12 * vol_w ** 0.2
        other_long = oi * 0.08
        other_short = oi * 0.07
        nonrept_long = oi - (lev_long + am_long + dealer_long + other_long) * 1.0
        nonrept_short = oi - (lev_short + am_short + dealer_short + other_short)
        groups = {
            "dealer": (dealer_long, dealer_short, oi * 0.01),
            "asset_mgr": (am_long, am_short, oi * 0.02),
            "lev_money": (lev_long, lev_short, oi * 0.03),
            "other_rept": (other_long, other_short, oi * 0.005),
            "nonrept": (np.maximum(nonrept_long, 0), np.maximum(nonrept_short, 0), np.full(len(t), np.nan)),
        }
        for group in TRADER_GROUPS:
            lo, sh, sp = groups[group]
            rows.append(pd.DataFrame({
                "report_date": tuesdays[live], "contract_code": contract.code, "trader_group": group,
                "long": np.round(lo[live]), "short": np.round(sh[live]), "spreading": np.round(sp[live]),
                "open_interest": np.round(oi[live]),
            }))
    out = pd.concat(rows, ignore_index=True).sort_values(["report_date", "contract_code", "trader_group"])
    return out.reset_index(drop=True)
