"""Every measure of the dashboard over the whole history, computed once, and the snapshot.

:func:`compute_measures` runs each analytics module on the full history (the NSS fit dominates
the cost); :func:`snapshot` reads everything as of one date into the JSON of
`tsm snapshot --json`. Pure: frames in, frames and dicts out.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd

from analytics.beyond import beyond_snapshot
from analytics.crossasset import sell_america_history
from analytics.curve import curve_snapshot, curve_spreads_bp
from analytics.fitting import NSSFit
from analytics.functioning import fit_noise, functioning_snapshot, gsw_frame, otr_premium_bp
from analytics.funding import fed_facilities, funding_snapshot, funding_spreads
from analytics.positioning import positioning_snapshot, positions_table
from analytics.stress import StressResult, build_indicators, compute_stress_index, stress_snapshot
from analytics.swaps import swap_spreads_bp, swaps_snapshot

__all__ = ["Measures", "compute_measures", "snapshot"]

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
        stress=compute_stress_index(indicators, specs),
    )


def snapshot(measures: Measures, *, as_of: str | pd.Timestamp, data: str) -> dict[str, Any]:
    """Every measure as of `as_of` (last observation on or before it, per series).

    Returns the `tsm snapshot --json` document: ``as_of``, ``data``, ``yields_pct``,
    ``spreads_bp``, ``moves``, ``market_functioning``, ``swap_spreads_bp``, ``funding``,
    ``positioning``, ``stress_index`` and ``missing`` (what is absent, in words).
    """
    when = pd.Timestamp(as_of)
    m = measures
    missing: list[str] = []
    curve = curve_snapshot(m.yields, as_of=when)
    missing += curve.pop("missing", [])
    functioning = functioning_snapshot(m.yields, gsw_frame(m.series), as_of=when, fit=m.fit)
    missing += functioning.pop("missing", [])
    swaps = swaps_snapshot(m.yields, m.series, as_of=when)
    missing += swaps.pop("missing", [])
    funding = funding_snapshot(m.series, as_of=when)
    missing += funding.pop("missing", [])
    if len(m.cftc):
        positioning = positioning_snapshot(m.cftc, as_of=when)
        missing += positioning.pop("missing", [])
    else:
        positioning = {"report_date": None, "lev_funds_net_contracts": {},
                       "lev_funds_net_notional_bn": None, "lev_funds_net_10y_eq_contracts": None,
                       "weekly_change_10y_eq_contracts": None, "zscore": None}
        missing.append("positioning: no CFTC positions stored (import or refresh CFTC TFF)")
    stress = stress_snapshot(m.stress, as_of=when)
    missing += [f"stress index: {item}" for item in stress.pop("missing", [])]
    return {
        "as_of": when.date().isoformat(),
        "data": data,
        **curve,
        "market_functioning": functioning,
        "swap_spreads_bp": swaps["swap_spreads_bp"],
        "funding": funding,
        "positioning": positioning,
        "stress_index": stress,
        **beyond_snapshot(m.series, when),
        "missing": missing,
    }
