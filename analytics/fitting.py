"""Nelson-Siegel-Svensson (NSS) fits of the daily constant-maturity Treasury curve.

Fitting target
--------------
H.15 constant-maturity (CMT) yields are par yields of on-the-run securities, quoted
bond-equivalent (semiannual) in percent. As is standard for this proxy, we fit the NSS
function *directly to those yields as a function of maturity* (maturity = the tenor in
years from :data:`analytics.tenors.TENOR_YEARS`), with equal weights, and do not convert
them to zero-coupon yields first. The betas are therefore in percent of a "par-yield-like"
curve, not the zero curve GSW publish.

The model::

    y(T) = b0 + b1 * f1(T / tau1) + b2 * f2(T / tau1) + b3 * f2(T / tau2)
    f1(x) = (1 - exp(-x)) / x,   f2(x) = f1(x) - exp(-x)

For fixed (tau1, tau2) it is linear in the four betas, so :func:`fit_nss` solves batched
least squares for a grid of tau pairs and all days at once (days grouped by which tenors are
present), keeps the best pair per day, then refines each day's pair by a vectorised local
pattern search in log-tau. :func:`fit_nss_naive` is the per-day
``scipy.optimize.least_squares`` reference used by the benchmark and the tests.

Fit noise
---------
``rmse_bp`` is the root-mean-square difference between observed and fitted yields on the
tenors present that day, in basis points. After Hu, Pan and Wang (2013) dispersion around a
smooth curve rises when arbitrage capital leaves the market; with at most 11 CMT tenors it is
a coarse proxy only. With 5-7 tenors (1962-1981) the 6-parameter model nearly interpolates,
so early-history noise is not comparable with later days.

Limitations
-----------
Unconstrained NSS is weakly identified: on days with few tenors, or with tau1 and tau2 close,
the betas can reach hundreds of percent with offsetting signs while the fitted yields stay
sensible. Read the fitted yields and ``rmse_bp``; do not read the betas as level/slope on
such days. The grid search finds a near-global minimum in (tau1, tau2) on the grid; it beats
the naive single-start fit on average, but on some days with 6-7 tenors a local optimiser
reaches an almost exact fit in a narrow valley the grid misses (by up to ~1.3 bp).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

import numpy as np
import numpy.typing as npt
import pandas as pd
from scipy.optimize import least_squares

from analytics.tenors import TENOR_YEARS, TENORS

__all__ = [
    "MIN_TENORS",
    "TAU1_BOUNDS_Y",
    "TAU2_BOUNDS_Y",
    "TAU1_GRID_Y",
    "TAU2_GRID_Y",
    "MIN_TAU_RATIO",
    "REFINE_STEPS",
    "PARAM_COLUMNS",
    "NSSFit",
    "nss_loadings",
    "nss_yield_pct",
    "fit_nss",
    "fit_nss_naive",
]

FloatArray = npt.NDArray[np.float64]

#: Fewest tenors a day needs to be fitted (else the day's fit is NaN).
MIN_TENORS: Final[int] = 5
#: Bounds of the decay parameters, in years (grid, refinement and the naive fit share them).
#: tau1 is capped at 10y: beyond it the slope loading is almost linear over 0-30y and level
#: and slope cancel each other with betas of hundreds of percent, a degenerate "fit".
TAU1_BOUNDS_Y: Final[tuple[float, float]] = (0.1, 10.0)
TAU2_BOUNDS_Y: Final[tuple[float, float]] = (0.3, 30.0)
#: Coarse grids of the decay parameters, in years (log-spaced over the bounds).
TAU1_GRID_Y: Final[tuple[float, ...]] = tuple(float(v) for v in np.geomspace(*TAU1_BOUNDS_Y, 40))
TAU2_GRID_Y: Final[tuple[float, ...]] = tuple(float(v) for v in np.geomspace(*TAU2_BOUNDS_Y, 40))
#: Pairs with max(tau)/min(tau) below this ratio are skipped on the grid: the two hump
#: loadings would be nearly collinear and the betas explode without improving the fit.
MIN_TAU_RATIO: Final[float] = 1.25
#: Local refinement: successive step sizes in log(tau), as fractions of the coarse grid step.
REFINE_STEPS: Final[tuple[float, ...]] = (0.5, 0.25, 0.125)
#: Days scored per block on the grid (bounds memory: days x pairs x 4 floats).
_GRID_CHUNK_DAYS: Final[int] = 512
#: Moves of the local search, in units of the current step (d log tau1, d log tau2).
_NEIGHBOURS: Final[tuple[tuple[int, int], ...]] = (
    (-1, -1), (-1, 0), (-1, 1), (0, -1), (0, 1), (1, -1), (1, 0), (1, 1),
)
#: Columns of :attr:`NSSFit.params`.
PARAM_COLUMNS: Final[tuple[str, ...]] = (
    "beta0_pct",
    "beta1_pct",
    "beta2_pct",
    "beta3_pct",
    "tau1_y",
    "tau2_y",
)
#: Decay parameters and betas the naive fit starts from (tau in years).
_NAIVE_TAU_START_Y: Final[tuple[float, float]] = (1.5, 10.0)


@dataclass(frozen=True)
class NSSFit:
    """Daily NSS fits.

    Attributes
    ----------
    params : DataFrame indexed by date, columns :data:`PARAM_COLUMNS` (betas in percent,
        taus in years); NaN on days with fewer than ``MIN_TENORS`` tenors.
    fitted_pct : DataFrame like the input yields (same index and tenor columns): fitted
        yield in percent where the tenor was observed, NaN elsewhere.
    rmse_bp : Series indexed by date: root-mean-square fit error in bp (the "fit noise").
    n_tenors : Series indexed by date: number of tenors used that day.
    """

    params: pd.DataFrame
    fitted_pct: pd.DataFrame
    rmse_bp: pd.Series
    n_tenors: pd.Series


def _f1(x: FloatArray) -> FloatArray:
    # -expm1(-x)/x keeps full precision for small x.
    out: FloatArray = -np.expm1(-x) / x
    return out


def nss_loadings(maturity_y: npt.ArrayLike, tau1_y: float, tau2_y: float) -> FloatArray:
    """NSS design matrix for given maturities and decay parameters.

    Parameters
    ----------
    maturity_y : maturities in years (> 0), shape (m,).
    tau1_y, tau2_y : decay parameters in years (> 0).

    Returns
    -------
    ndarray of shape (m, 4): columns 1, f1(T/tau1), f2(T/tau1), f2(T/tau2).
    """
    t = np.asarray(maturity_y, dtype=np.float64)
    if np.any(t <= 0):
        raise ValueError("maturity_y must be > 0 years")
    if tau1_y <= 0 or tau2_y <= 0:
        raise ValueError(f"tau1_y and tau2_y must be > 0 years, got {tau1_y}, {tau2_y}")
    x1 = t / tau1_y
    x2 = t / tau2_y
    f1a = _f1(x1)
    f1b = _f1(x2)
    return np.column_stack([np.ones_like(t), f1a, f1a - np.exp(-x1), f1b - np.exp(-x2)])


def nss_yield_pct(
    maturity_y: npt.ArrayLike,
    *,
    beta0_pct: float,
    beta1_pct: float,
    beta2_pct: float,
    beta3_pct: float,
    tau1_y: float,
    tau2_y: float,
) -> FloatArray:
    """NSS curve value in percent at the given maturities (years)."""
    betas = np.array([beta0_pct, beta1_pct, beta2_pct, beta3_pct], dtype=np.float64)
    out: FloatArray = nss_loadings(maturity_y, tau1_y, tau2_y) @ betas
    return out


def _check_yields(yields: pd.DataFrame) -> list[str]:
    if not isinstance(yields, pd.DataFrame):
        raise ValueError("yields must be a pandas DataFrame of yields in percent")
    tenors = [t for t in yields.columns if t in TENOR_YEARS]
    unknown = [c for c in yields.columns if c not in TENOR_YEARS]
    if unknown:
        raise ValueError(f"yields has columns that are not tenors: {unknown}; allowed: {TENORS}")
    if len(tenors) < MIN_TENORS:
        raise ValueError(f"yields needs at least {MIN_TENORS} tenor columns, got {tenors}")
    return tenors


def _grid_pairs(
    tau1_grid: tuple[float, ...], tau2_grid: tuple[float, ...]
) -> list[tuple[float, float]]:
    return [
        (a, b)
        for a in tau1_grid
        for b in tau2_grid
        if max(a, b) / min(a, b) >= MIN_TAU_RATIO
    ]


def _designs(t: FloatArray, tau1: FloatArray, tau2: FloatArray) -> FloatArray:
    """Design matrices for K tau pairs at once: shape (K, m, 4)."""
    x1 = t[None, :] / tau1[:, None]
    x2 = t[None, :] / tau2[:, None]
    f1a = _f1(x1)
    f1b = _f1(x2)
    return np.stack([np.ones_like(x1), f1a, f1a - np.exp(-x1), f1b - np.exp(-x2)], axis=2)


def _batched_solve(
    t: FloatArray, y: FloatArray, mask: FloatArray, tau1: FloatArray, tau2: FloatArray
) -> tuple[FloatArray, FloatArray]:
    """Least squares for one (tau1, tau2) per day; rows of absent tenors weigh zero.

    Returns betas (D, 4) and the sum of squared errors (D,) in percent^2.
    """
    design = _designs(t, tau1, tau2) * mask[:, :, None]
    q, r = np.linalg.qr(design)
    qty = np.einsum("dmk,dm->dk", q, y)
    sse = np.maximum(np.einsum("dm,dm->d", y, y) - np.einsum("dk,dk->d", qty, qty), 0.0)
    betas = np.linalg.solve(r, qty[:, :, None])[:, :, 0]
    return betas, sse


def _refine(
    t: FloatArray,
    y: FloatArray,
    mask: FloatArray,
    tau1: FloatArray,
    tau2: FloatArray,
    tau1_grid_y: tuple[float, ...],
    tau2_grid_y: tuple[float, ...],
    *,
    refine: bool,
) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray]:
    """Local pattern search in log-tau around each day's start pair, all days at once.

    Returns tau1, tau2, betas (D, 4) and the sum of squared errors (D,).
    """
    betas, sse_cur = _batched_solve(t, y, mask, tau1, tau2)
    if not refine or len(tau1) == 0:
        return tau1, tau2, betas, sse_cur
    step1 = float(np.mean(np.diff(np.log(np.sort(tau1_grid_y)))))
    step2 = float(np.mean(np.diff(np.log(np.sort(tau2_grid_y)))))
    lo1, hi1 = np.log(TAU1_BOUNDS_Y[0]), np.log(TAU1_BOUNDS_Y[1])
    lo2, hi2 = np.log(TAU2_BOUNDS_Y[0]), np.log(TAU2_BOUNDS_Y[1])
    for frac in REFINE_STEPS:
        base1, base2 = np.log(tau1), np.log(tau2)
        for d1, d2 in _NEIGHBOURS:
            c1 = np.exp(np.clip(base1 + d1 * frac * step1, lo1, hi1))
            c2 = np.exp(np.clip(base2 + d2 * frac * step2, lo2, hi2))
            ratio = np.maximum(c1, c2) / np.minimum(c1, c2)
            b_try, sse_try = _batched_solve(t, y, mask, c1, c2)
            better = (sse_try < sse_cur) & (ratio >= MIN_TAU_RATIO)
            sse_cur = np.where(better, sse_try, sse_cur)
            tau1 = np.where(better, c1, tau1)
            tau2 = np.where(better, c2, tau2)
            betas = np.where(better[:, None], b_try, betas)
    return tau1, tau2, betas, sse_cur


def fit_nss(
    yields: pd.DataFrame,
    *,
    tau1_grid_y: tuple[float, ...] = TAU1_GRID_Y,
    tau2_grid_y: tuple[float, ...] = TAU2_GRID_Y,
    refine: bool = True,
    min_tenors: int = MIN_TENORS,
) -> NSSFit:
    """Fit an NSS curve to every day of a yields frame, vectorised over days.

    Parameters
    ----------
    yields : DataFrame indexed by date, tenor columns (names in ``TENOR_YEARS``), percent;
        NaN where a tenor is absent.
    tau1_grid_y, tau2_grid_y : optional coarse grids of the decay parameters, years, within
        TAU1_BOUNDS_Y / TAU2_BOUNDS_Y.
    refine : optional; refine each day's best grid pair by a local search in log-tau.
    min_tenors : optional; fewest observed tenors a day needs (>= 5), else NaN.

    Returns
    -------
    NSSFit
    """
    tenors = _check_yields(yields)
    if min_tenors < MIN_TENORS or min_tenors > len(TENORS):
        raise ValueError(f"min_tenors must be in [{MIN_TENORS}, {len(TENORS)}], got {min_tenors}")
    for name, grid, (lo_y, hi_y) in (
        ("tau1_grid_y", tau1_grid_y, TAU1_BOUNDS_Y),
        ("tau2_grid_y", tau2_grid_y, TAU2_BOUNDS_Y),
    ):
        if len(grid) < 2 or min(grid) < lo_y or max(grid) > hi_y:
            raise ValueError(f"{name} needs >= 2 values within [{lo_y}, {hi_y}] years, got {grid}")
    t = np.array([TENOR_YEARS[c] for c in tenors], dtype=np.float64)
    values = yields[tenors].to_numpy(dtype=np.float64)
    present = np.isfinite(values)
    n_obs = present.sum(axis=1)
    ok = n_obs >= min_tenors
    n_days = len(yields)

    pairs = _grid_pairs(tuple(tau1_grid_y), tuple(tau2_grid_y))
    best_tau1 = np.full(n_days, np.nan)
    best_tau2 = np.full(n_days, np.nan)
    # Days sharing a set of present tenors share every design matrix: one QR per pair and
    # pattern, then a single matrix product scores all those days.
    patterns, inverse = np.unique(present[ok], axis=0, return_inverse=True)
    ok_idx = np.flatnonzero(ok)
    pair_tau1 = np.array([a for a, _ in pairs])
    pair_tau2 = np.array([b for _, b in pairs])
    for p, pattern in enumerate(patterns):
        rows = ok_idx[inverse.ravel() == p]
        y = values[np.ix_(rows, np.flatnonzero(pattern))]
        yy = np.einsum("dm,dm->d", y, y)
        # Orthonormal bases of every pair's design matrix, side by side: (m, 4 * pairs).
        q, _ = np.linalg.qr(_designs(t[pattern], pair_tau1, pair_tau2))
        basis = q.transpose(1, 0, 2).reshape(len(t[pattern]), -1)
        for start in range(0, len(rows), _GRID_CHUNK_DAYS):
            chunk = slice(start, start + _GRID_CHUNK_DAYS)
            proj = (y[chunk] @ basis).reshape(-1, len(pairs), 4)
            sse = yy[chunk, None] - np.einsum("dpk,dpk->dp", proj, proj)
            best = np.argmin(sse, axis=1)
            best_tau1[rows[chunk]] = pair_tau1[best]
            best_tau2[rows[chunk]] = pair_tau2[best]

    mask = present[ok].astype(np.float64)
    y_ok = np.where(present[ok], values[ok], 0.0)
    tau1, tau2, betas, _ = _refine(
        t, y_ok, mask, best_tau1[ok], best_tau2[ok], tau1_grid_y, tau2_grid_y, refine=refine
    )

    params = np.full((n_days, len(PARAM_COLUMNS)), np.nan)
    params[ok, :4] = betas
    params[ok, 4] = tau1
    params[ok, 5] = tau2
    fitted = np.full(values.shape, np.nan)
    if len(tau1) > 0:
        x1 = t[None, :] / tau1[:, None]
        x2 = t[None, :] / tau2[:, None]
        f1a = _f1(x1)
        f1b = _f1(x2)
        fitted_ok = (
            betas[:, [0]]
            + betas[:, [1]] * f1a
            + betas[:, [2]] * (f1a - np.exp(-x1))
            + betas[:, [3]] * (f1b - np.exp(-x2))
        )
        fitted[ok] = np.where(present[ok], fitted_ok, np.nan)
    resid = np.where(present, values - fitted, 0.0)
    rmse = np.full(n_days, np.nan)
    rmse[ok] = 100.0 * np.sqrt((resid[ok] ** 2).sum(axis=1) / n_obs[ok])
    return NSSFit(
        params=pd.DataFrame(params, index=yields.index, columns=list(PARAM_COLUMNS)),
        fitted_pct=pd.DataFrame(fitted, index=yields.index, columns=tenors),
        rmse_bp=pd.Series(rmse, index=yields.index, name="fit_noise_bp"),
        n_tenors=pd.Series(n_obs, index=yields.index, name="n_tenors"),
    )


def fit_nss_naive(yields: pd.DataFrame, *, min_tenors: int = MIN_TENORS) -> NSSFit:
    """Reference fit: one ``scipy.optimize.least_squares`` NSS fit per day (slow).

    Starts each day from beta0 = longest yield, beta1 = shortest - longest, beta2 = beta3 = 0,
    (tau1, tau2) = (1.5, 10) years, with the taus bounded by TAU1_BOUNDS_Y and TAU2_BOUNDS_Y. It is a
    plain local optimiser and may stop in a local minimum; the benchmark and tests compare it
    with :func:`fit_nss`. Arguments and result as :func:`fit_nss`.
    """
    tenors = _check_yields(yields)
    if min_tenors < MIN_TENORS or min_tenors > len(TENORS):
        raise ValueError(f"min_tenors must be in [{MIN_TENORS}, {len(TENORS)}], got {min_tenors}")
    t_all = np.array([TENOR_YEARS[c] for c in tenors], dtype=np.float64)
    values = yields[tenors].to_numpy(dtype=np.float64)
    params = np.full((len(yields), len(PARAM_COLUMNS)), np.nan)
    fitted = np.full(values.shape, np.nan)
    rmse = np.full(len(yields), np.nan)
    n_obs = np.isfinite(values).sum(axis=1)
    lower = [-np.inf] * 4 + [TAU1_BOUNDS_Y[0], TAU2_BOUNDS_Y[0]]
    upper = [np.inf] * 4 + [TAU1_BOUNDS_Y[1], TAU2_BOUNDS_Y[1]]
    for i in range(len(yields)):
        keep = np.isfinite(values[i])
        if keep.sum() < min_tenors:
            continue
        t = t_all[keep]
        y = values[i, keep]

        def resid(p: FloatArray, t: FloatArray = t, y: FloatArray = y) -> FloatArray:
            out: FloatArray = nss_loadings(t, p[4], p[5]) @ p[:4] - y
            return out

        x0 = np.array([y[-1], y[0] - y[-1], 0.0, 0.0, *_NAIVE_TAU_START_Y])
        sol = least_squares(resid, x0, bounds=(lower, upper))
        params[i] = sol.x
        fitted[i, keep] = y + sol.fun
        rmse[i] = 100.0 * float(np.sqrt(np.mean(sol.fun**2)))
    return NSSFit(
        params=pd.DataFrame(params, index=yields.index, columns=list(PARAM_COLUMNS)),
        fitted_pct=pd.DataFrame(fitted, index=yields.index, columns=tenors),
        rmse_bp=pd.Series(rmse, index=yields.index, name="fit_noise_bp"),
        n_tenors=pd.Series(n_obs, index=yields.index, name="n_tenors"),
    )
