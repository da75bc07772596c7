"""Hu-Pan-Wang "noise" from the end-of-day prices of every Treasury note and bond.

Hu, Pan and Wang (2013) fit a smooth curve each day to all coupon Treasuries with 1 to 10 years
left and take the root-mean-square of the yield errors: when arbitrage capital is scarce, prices
stray from the curve and the noise rises. Here, on one day's prices:

1. keep nominal notes and bonds with :data:`MIN_YEARS` to :data:`MAX_YEARS` left and a price;
2. fit a Nelson-Siegel-Svensson zero curve (continuously compounded) to their *prices*, each
   price error divided by the bond's dollar duration so that the fit minimises (approximately)
   yield errors, as HPW do (:func:`scipy.optimize.least_squares`, tau bounded in
   [0.1, 30] years, started from a linear fit of the yields);
3. noise = RMSE, in bp, of market yield minus the yield of the fitted price (both street
   yields from :func:`analytics.bonds.yield_from_price`).

On/off-the-run gap per tenor (approximate: FedInvest gives no issue dates): the on-the-run
proxy of tenor n is the note or bond whose maturity is the latest within ``n`` years
(and more than ``n - 0.5`` years) of settlement. As in the Fed's GSW curve, these proxies are
left out of the fit and of the noise (their liquidity premium is not "noise"); gap = fitted
yield - the proxy's market yield, bp (positive = the on-the-run trades rich). Only one day's file is needed, so the measure exists
only from live (or saved) FedInvest files: label it "live data only" until a history exists.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any, Final

import numpy as np
import numpy.typing as npt
import pandas as pd
from scipy.optimize import least_squares

from analytics.bonds import (
    Bullet,
    bullet_from_dates,
    cash_flow_matrix,
    modified_duration,
    yield_from_price,
)
from analytics.fitting import nss_loadings

__all__ = ["MIN_YEARS", "MAX_YEARS", "OTR_TENORS", "MIN_BONDS", "NoiseResult", "hpw_noise"]

MIN_YEARS: Final = 1.0
MAX_YEARS: Final = 10.0
#: Tenors (years) of the on/off-the-run gaps.
OTR_TENORS: Final[tuple[int, ...]] = (2, 3, 5, 7, 10)
#: Fewest bonds for a fit (6 parameters).
MIN_BONDS: Final = 12
_TAU_BOUNDS: Final = (0.1, 30.0)
_BP: Final = 100.0

FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True)
class NoiseResult:
    """One day's fit.

    Attributes
    ----------
    price_date, settlement : the prices' date and the settlement used (next business day).
    noise_bp : RMSE of the yield errors, bp.
    n_bonds : bonds in the fit.
    params : fitted (beta0..beta3 in %, tau1, tau2 in years).
    bonds : per bond: cusip, maturity_years, yield_pct, fitted_yield_pct, error_bp.
    otr_gap_bp : tenor label ("10y") -> fitted minus market yield of the on-the-run proxy, bp.
    """

    price_date: date
    settlement: date
    noise_bp: float
    n_bonds: int
    params: tuple[float, ...]
    bonds: pd.DataFrame
    otr_gap_bp: dict[str, float] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {"date": self.price_date.isoformat(), "noise_bp": round(self.noise_bp, 3),
                "n_bonds": self.n_bonds, "otr_gap_bp": {k: round(v, 2) for k, v in self.otr_gap_bp.items()},
                "label": "live data only"}


def _zero_pct(t: FloatArray, theta: FloatArray) -> FloatArray:
    out: FloatArray = nss_loadings(t, float(theta[4]), float(theta[5])) @ theta[:4]
    return out


def _dirty_on_curve(bond: Bullet, theta: FloatArray) -> float:
    t = bond.flow_times()
    return float(np.sum(bond.flow_amounts() * np.exp(-_zero_pct(t, theta) / 100.0 * t)))


def hpw_noise(prices: pd.DataFrame, price_date: date) -> NoiseResult:
    """The noise measure of one day's prices.

    Parameters
    ----------
    prices : one row per security: ``cusip``, ``kind`` ("NOTE", "BOND"; other kinds are
        skipped), ``coupon_pct``, ``maturity`` (date-like) and ``price`` (clean, per 100;
        NaN or <= 0 = no price).
    price_date : the prices' date; settlement is the next business day.

    Raises
    ------
    ValueError
        Fewer than :data:`MIN_BONDS` usable bonds.
    """
    settlement = (pd.Timestamp(price_date) + pd.offsets.BDay(1)).date()
    rows = []
    for r in prices.to_dict("records"):
        if str(r["kind"]).upper() not in ("NOTE", "BOND"):
            continue
        price = float(r["price"])
        maturity = pd.Timestamp(r["maturity"]).date()
        if not np.isfinite(price) or price <= 0 or maturity <= settlement:
            continue
        bond = bullet_from_dates(coupon_pct=float(r["coupon_pct"]), settlement=settlement, maturity=maturity)
        if not MIN_YEARS <= bond.maturity_years <= MAX_YEARS:
            continue
        try:
            market_yield = yield_from_price(bond, price)
        except ValueError:
            continue  # a price no yield in range explains: a bad quote
        rows.append((str(r["cusip"]), bond, price, market_yield))
    if len(rows) < MIN_BONDS:
        raise ValueError(f"{len(rows)} notes and bonds with {MIN_YEARS:g}-{MAX_YEARS:g} years left and a "
                         f"price on {price_date}; at least {MIN_BONDS} are needed")
    # On-the-run proxies: the latest maturity in (n - 0.5, n] years, per tenor.
    otr: dict[int, int] = {}
    for n in OTR_TENORS:
        near = [i for i, r in enumerate(rows) if n - 0.5 < r[1].maturity_years <= n]
        if near:
            otr[n] = max(near, key=lambda i: rows[i][1].maturity_years)
    fitted_rows = [r for i, r in enumerate(rows) if i not in otr.values()]
    if len(fitted_rows) < MIN_BONDS:
        fitted_rows = rows
    on_the_run = [rows[i] for i in otr.values()]
    rows = fitted_rows
    bonds = [r[1] for r in rows]
    dirty = np.array([r[2] + r[1].accrued for r in rows])
    ytm = np.array([r[3] for r in rows])
    years = np.array([b.maturity_years for b in bonds])
    dollar_duration = np.array([modified_duration(b, y) for b, y in zip(bonds, ytm, strict=True)]) * dirty / 1e4

    flows = cash_flow_matrix(coupons_pct=[b.coupon_pct for b in bonds], maturities_years=years)
    live = flows.amounts > 0
    times = np.where(live, flows.times_years, 1.0)  # padding: any positive time, zero amount
    flat_t = times.ravel()

    def residuals(theta: FloatArray) -> FloatArray:
        zero = _zero_pct(flat_t, theta).reshape(times.shape)
        model = np.sum(flows.amounts * np.exp(-zero / 100.0 * times), axis=1)
        out: FloatArray = (model - dirty) / dollar_duration  # ~ yield error, bp
        return out

    start = np.linalg.lstsq(nss_loadings(years, 2.0, 8.0), ytm, rcond=None)[0]
    theta0 = np.array([*start, 2.0, 8.0])
    lower = [-np.inf] * 4 + [_TAU_BOUNDS[0]] * 2
    upper = [np.inf] * 4 + [_TAU_BOUNDS[1]] * 2
    fit = least_squares(residuals, theta0, bounds=(lower, upper), x_scale="jac", max_nfev=2000)
    theta = fit.x
    fitted = []
    for b in bonds:
        try:
            fitted.append(yield_from_price(b, _dirty_on_curve(b, theta) - b.accrued))
        except ValueError:
            fitted.append(np.nan)
    fitted_arr = np.array(fitted)
    errors_bp = (ytm - fitted_arr) * _BP
    table = pd.DataFrame({"cusip": [r[0] for r in rows], "maturity_years": years, "yield_pct": ytm,
                          "fitted_yield_pct": fitted_arr, "error_bp": errors_bp})
    noise = float(np.sqrt(np.nanmean(errors_bp ** 2)))
    gaps = {}
    for n, (_, bond, _, market) in zip(otr, on_the_run, strict=True):
        try:
            model = yield_from_price(bond, _dirty_on_curve(bond, theta) - bond.accrued)
        except ValueError:
            continue
        gaps[f"{n}y"] = (model - market) * _BP
    return NoiseResult(price_date, settlement, noise, len(rows), tuple(float(v) for v in theta), table, gaps)
