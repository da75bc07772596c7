"""Every measure of the dashboard over the whole history, computed once per data revision.

:func:`compute_measures` runs each analytics module on the full history (the NSS fit dominates
the cost). :mod:`analytics.state` adds the moves, nets, lights and chart traces and reads any
date's view by row selection. Pure: frames in, frames out.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from analytics.crossasset import sell_america_history
from analytics.curve import curve_spreads_bp
from analytics.fitting import NSSFit
from analytics.functioning import fit_noise, gsw_frame, otr_premium_bp
from analytics.funding import fed_facilities, funding_spreads
from analytics.positioning import positions_table
from analytics.stress import StressResult, build_indicators, compute_stress_index
from analytics.swaps import swap_spreads_bp

__all__ = ["Measures", "compute_measures"]

#: Tenor of the swap spread that enters the stress index.
STRESS_SWAP_TENOR = "10y"


@dataclass(frozen=True)
class Measures:
    """Full-history measures.

    Attributes
    ----------
    yields, series, cftc : the inputs (see :mod:`data.model` for their shapes).
    spreads_bp : curve spreads (2s10s...), bp.
    fit : daily NSS fits (None when no day has enough tenors); ``fit.rmse_bp`` is fit noise.
    otr_premium_bp : CMT minus GSW par yield by tenor, bp (None without GSW data).
    swap_spreads_bp : swap rate minus Treasury yield by tenor, bp (empty without swaps).
    funding : SOFR/EFFR/floor levels and spreads; facilities: ON RRP, SRF, discount window,
        reserves ($bn).
    positions : CFTC positions table (net, % OI, notional, DV01, 10y-eq, z-scores).
    sell_america : cross-asset legs, flag and score.
    stress : the composite stress index with contributions.
    """

    yields: pd.DataFrame
    series: pd.DataFrame
    cftc: pd.DataFrame
    spreads_bp: pd.DataFrame
    fit: NSSFit | None
    otr_premium_bp: pd.DataFrame | None
    swap_spreads_bp: pd.DataFrame
    funding: pd.DataFrame
    facilities: pd.DataFrame
    positions: pd.DataFrame | None
    sell_america: pd.DataFrame
    stress: StressResult


def compute_measures(yields: pd.DataFrame, series: pd.DataFrame, cftc: pd.DataFrame) -> Measures:
    """Run every analytics module over the full history.

    Parameters
    ----------
    yields : CMT yields frame (tenor columns, %).
    series : wide frame of the other series by id.
    cftc : CFTC positions, long form (may be empty).
    """
    fit = fit_noise(yields) if len(yields) else None
    gsw = gsw_frame(series)
    premium = otr_premium_bp(yields, gsw) if gsw is not None else None
    swaps = swap_spreads_bp(yields, series)
    positions = positions_table(cftc) if len(cftc) else None
    indicators, specs = build_indicators(
        yields,
        series,
        cftc if len(cftc) else None,
        fit_noise_bp=fit.rmse_bp if fit is not None else None,
        otr_premium_bp=premium["10y"] if premium is not None and "10y" in premium else None,
        swap_spread_bp=swaps[STRESS_SWAP_TENOR] if STRESS_SWAP_TENOR in swaps else None,
    )
    return Measures(
        yields=yields,
        series=series,
        cftc=cftc,
        spreads_bp=curve_spreads_bp(yields),
        fit=fit,
        otr_premium_bp=premium,
        swap_spreads_bp=swaps,
        funding=funding_spreads(series),
        facilities=fed_facilities(series),
        positions=positions,
        sell_america=sell_america_history(yields, series),
        stress=compute_stress_index(indicators, specs) if specs else _no_stress(yields.index),
    )


def _no_stress(index: pd.Index) -> StressResult:
    """The stress index of a store without any indicator: NaN every day, no contributions
    (each page then says which indicators are missing)."""
    empty = pd.DataFrame(index=pd.DatetimeIndex(index, name="date"))
    return StressResult(
        total=pd.Series(float("nan"), index=empty.index, name="stress_index"),
        categories=empty.copy(),
        zscores=empty.copy(),
        contributions=empty.copy(),
        values=empty.copy(),
        specs=(),
    )
