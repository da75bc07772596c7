"""NSS fits: exact recovery, hand-computed loadings, and the naive per-day reference."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from analytics.fitting import (
    PARAM_COLUMNS,
    fit_nss,
    fit_nss_naive,
    nss_loadings,
    nss_yield_pct,
)
from analytics.tenors import TENOR_YEARS, TENORS

MATURITIES = np.array([TENOR_YEARS[t] for t in TENORS])


def _nss_frame(params: list[tuple[float, float, float, float, float, float]]) -> pd.DataFrame:
    """Yields (percent) generated from the NSS formula written out by hand."""
    rows = []
    for b0, b1, b2, b3, t1, t2 in params:
        x1, x2 = MATURITIES / t1, MATURITIES / t2
        slope = (1 - np.exp(-x1)) / x1
        hump1 = slope - np.exp(-x1)
        hump2 = (1 - np.exp(-x2)) / x2 - np.exp(-x2)
        rows.append(b0 + b1 * slope + b2 * hump1 + b3 * hump2)
    frame = pd.DataFrame(rows, columns=list(TENORS), index=pd.bdate_range("2024-01-01", periods=len(rows)))
    frame.index.name = "date"
    return frame


def test_nss_loadings_match_hand_values_at_maturity_equal_tau() -> None:
    loadings = nss_loadings([2.0], 2.0, 8.0)[0]
    e1 = math.exp(-1.0)
    f1_quarter = (1 - math.exp(-0.25)) / 0.25
    assert loadings == pytest.approx([1.0, 1 - e1, 1 - e1 - e1, f1_quarter - math.exp(-0.25)])


def test_nss_yield_tends_to_beta0_plus_beta1_at_the_short_end() -> None:
    short = nss_yield_pct(
        [1e-6], beta0_pct=4.0, beta1_pct=-2.0, beta2_pct=1.0, beta3_pct=3.0, tau1_y=1.0, tau2_y=5.0
    )
    assert short[0] == pytest.approx(2.0, abs=1e-5)


def test_exact_nss_curves_are_recovered_with_zero_noise() -> None:
    frame = _nss_frame(
        [
            (4.0, -2.0, 1.5, -1.0, 1.7, 9.3),
            (2.5, 1.0, -3.0, 2.0, 0.6, 4.4),
            (6.0, -0.5, 0.0, 1.0, 3.1, 17.0),
        ]
    )
    fit = fit_nss(frame)
    assert (fit.rmse_bp < 0.1).all()
    assert np.abs(fit.fitted_pct - frame).to_numpy().max() * 100 < 0.3
    assert list(fit.params.columns) == list(PARAM_COLUMNS)
    assert (fit.n_tenors == 11).all()


def test_days_with_fewer_than_five_tenors_are_nan_and_five_are_fitted() -> None:
    frame = _nss_frame([(4.0, -2.0, 1.5, -1.0, 1.7, 9.3)] * 2)
    frame.iloc[0, [0, 1, 2, 3, 4, 5, 6]] = np.nan  # 4 tenors left
    frame.iloc[1, [0, 1, 2, 4, 6, 7]] = np.nan  # 5 tenors left: 1y, 3y, 10y, 20y, 30y
    fit = fit_nss(frame)
    assert np.isnan(fit.rmse_bp.iloc[0]) and fit.params.iloc[0].isna().all()
    assert fit.rmse_bp.iloc[1] < 0.1
    assert list(fit.n_tenors) == [4, 5]
    assert fit.fitted_pct.iloc[1].isna().sum() == 6  # fitted only where observed


def test_days_with_different_missing_tenors_are_each_fitted_on_their_own_tenors() -> None:
    params = [(4.0, -2.0, 1.5, -1.0, 1.7, 9.3), (3.0, 1.0, -1.0, 2.0, 0.8, 6.0)] * 3
    frame = _nss_frame(params)
    frame.iloc[2, [0, 9]] = np.nan
    frame.iloc[3, [0, 1, 2]] = np.nan
    frame.iloc[4, [10]] = np.nan
    fit = fit_nss(frame)
    assert (fit.rmse_bp < 0.1).all()
    assert list(fit.n_tenors) == [11, 11, 9, 8, 10, 11]


def test_fit_rejects_bad_options_readably() -> None:
    frame = _nss_frame([(4.0, -2.0, 1.5, -1.0, 1.7, 9.3)])
    with pytest.raises(ValueError, match="min_tenors"):
        fit_nss(frame, min_tenors=4)
    with pytest.raises(ValueError, match="tau1_grid_y"):
        fit_nss(frame, tau1_grid_y=(0.01, 1.0))
    with pytest.raises(ValueError, match="not tenors"):
        fit_nss(frame.rename(columns={"2y": "two years"}))


def test_fast_fit_is_as_good_as_the_naive_per_day_fit_on_real_days(
    real_yields: pd.DataFrame,
) -> None:
    # Twelve evenly spaced days with all 11 tenors, 2002-2025 (chosen by position, not result).
    full = real_yields.loc["2002":"2025"].dropna()
    days = full.iloc[:: len(full) // 12].iloc[:12]
    fast = fit_nss(days).rmse_bp
    naive = fit_nss_naive(days).rmse_bp
    assert (fast <= naive + 0.5).all()
    assert fast.mean() <= naive.mean() + 0.05
    assert fast.between(0.0, 15.0).all()
