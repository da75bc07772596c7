"""Portfolios of bonds: positions, aggregated risk and scenario P&L.

Each position is priced off the base curve; when it carries a market price (or yield) the
spread (z-spread, or OAS for callables) that reprices it is solved once and then held constant
in every scenario (for munis, with the tax regime of the base price; see analytics.muni). A scenario moves the zero curve (:mod:`analytics.curves`):

* :class:`ParallelShock` - every zero rate by ``shift_bp``;
* :class:`TwistShock` - ``-x/2`` at 1y, 0 at the pivot, ``+x/2`` at 30y (linear in maturity);
* :class:`KeyRateShock` - triangular key-rate bumps, bp by key tenor;
* :class:`HistoricalReplay` - the zero-rate change between two par curves the caller passes
  (e.g. the CMT curves of two dates), added to the base curve.

P&L per position is ``face / 100 x (scenario price - base price)`` in USD, an instantaneous
revaluation (no carry or roll-down; the accrued interest does not change).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType
from typing import Final

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from analytics.bonds import price_from_yield
from analytics.checks import InputError
from analytics.curves import (
    DEFAULT_TWIST_PIVOT_YEARS,
    ZeroCurve,
    bootstrap_par_curve,
    curve_change_shift,
    key_rate_shifts,
    parallel_shift,
    twist_shift,
)
from analytics.hullwhite import HullWhiteParams
from analytics.risk import (
    DEFAULT_SHIFT_BP,
    Anchor,
    Instrument,
    InstrumentValuer,
    PortfolioRisk,
    PositionRisk,
    aggregate_risk,
    bond_risk,
    risk_curves,
)

__all__ = [
    "PNL_COLUMNS",
    "Position",
    "ParallelShock",
    "TwistShock",
    "KeyRateShock",
    "HistoricalReplay",
    "Scenario",
    "scenario_curve",
    "scenario_name",
    "PricedPortfolio",
]

#: Columns of the frame :meth:`PricedPortfolio.scenario_pnl` returns.
PNL_COLUMNS: Final[tuple[str, ...]] = (
    "scenario",
    "position_id",
    "base_price",
    "scenario_price",
    "base_value_usd",
    "scenario_value_usd",
    "pnl_usd",
)


@dataclass(frozen=True, kw_only=True)
class Position:
    """One holding.

    Parameters
    ----------
    position_id : unique name of the position.
    instrument : bullet, callable or muni (per 100 face).
    face_usd : face amount in USD, non-zero (negative = short).
    price_clean : optional market clean price per 100 (the spread is solved to match it).
    yield_pct : optional street yield in percent instead of a price (not both).
    params : Hull-White settings for callables (default :class:`HullWhiteParams`).
    """

    position_id: str
    instrument: Instrument
    face_usd: float
    price_clean: float | None = None
    yield_pct: float | None = None
    params: HullWhiteParams = HullWhiteParams()

    def __post_init__(self) -> None:
        if not self.position_id:
            raise InputError("position_id", "position_id must not be empty")
        if not math.isfinite(self.face_usd) or self.face_usd == 0.0:
            raise InputError("face_usd", f"face_usd must be a non-zero USD amount, got {self.face_usd}")
        if self.price_clean is not None and self.yield_pct is not None:
            raise ValueError("give a price or a yield for a position, not both")
        if self.price_clean is not None and (not math.isfinite(self.price_clean) or self.price_clean <= 0.0):
            raise InputError("price_clean", f"price_clean must be a positive price per 100, got {self.price_clean}")


@dataclass(frozen=True, kw_only=True)
class ParallelShock:
    """Every zero rate moves by ``shift_bp`` bp."""

    shift_bp: float


@dataclass(frozen=True, kw_only=True)
class TwistShock:
    """Zero rates twist by ``twist_bp`` bp (30y minus 1y change) around ``pivot_years``."""

    twist_bp: float
    pivot_years: float = DEFAULT_TWIST_PIVOT_YEARS


@dataclass(frozen=True, kw_only=True)
class KeyRateShock:
    """Triangular key-rate bumps: bp by key tenor ("1y".."30y")."""

    shifts_bp: Mapping[str, float]


@dataclass(frozen=True, kw_only=True)
class HistoricalReplay:
    """The zero-curve change from ``start_par_pct`` to ``end_par_pct`` (par yields, %, by tenor).

    ``label`` names the scenario (e.g. "2020-03-09..2020-03-18").
    """

    start_par_pct: Mapping[str, float]
    end_par_pct: Mapping[str, float]
    label: str = "historical"


Scenario = ParallelShock | TwistShock | KeyRateShock | HistoricalReplay


def scenario_name(scenario: Scenario) -> str:
    """A short readable name ("parallel +100bp", "twist +50bp @5y", ...)."""
    if isinstance(scenario, ParallelShock):
        return f"parallel {scenario.shift_bp:+g}bp"
    if isinstance(scenario, TwistShock):
        return f"twist {scenario.twist_bp:+g}bp @{scenario.pivot_years:g}y"
    if isinstance(scenario, KeyRateShock):
        return "key rates " + " ".join(f"{k}{v:+g}" for k, v in scenario.shifts_bp.items())
    return f"replay {scenario.label}"


def scenario_curve(curve: ZeroCurve, scenario: Scenario) -> ZeroCurve:
    """The base curve moved by the scenario."""
    if isinstance(scenario, ParallelShock):
        return parallel_shift(curve, shift_bp=scenario.shift_bp)
    if isinstance(scenario, TwistShock):
        return twist_shift(curve, twist_bp=scenario.twist_bp, pivot_years=scenario.pivot_years)
    if isinstance(scenario, KeyRateShock):
        return key_rate_shifts(curve, shifts_bp=scenario.shifts_bp)
    return curve_change_shift(
        curve,
        start=bootstrap_par_curve(scenario.start_par_pct),
        end=bootstrap_par_curve(scenario.end_par_pct),
    )


class PricedPortfolio:
    """Positions priced off one base curve, their spreads fixed, ready for risk and scenarios.

    Parameters
    ----------
    positions : the holdings (ids must be unique).
    curve : the base zero curve.
    valuer : optional; the valuer of a position's instrument (for example from a cache that
        keeps a callable's lattice across curve dates). Default: a new one.

    Raises
    ------
    ValueError
        Duplicate ids, or a position whose price cannot be matched; the message names the
        position.
    """

    def __init__(self, positions: Sequence[Position], curve: ZeroCurve, *,
                 valuer: Callable[[Position], InstrumentValuer] | None = None) -> None:
        ids = [p.position_id for p in positions]
        dupes = sorted({i for i in ids if ids.count(i) > 1})
        if dupes:
            raise ValueError(f"duplicate position ids: {', '.join(dupes)}")
        self.positions = tuple(positions)
        self.curve = curve
        self._valuers: list[InstrumentValuer] = []
        self._anchors: list[Anchor] = []
        self._base: list[float] = []
        for pos in self.positions:
            try:
                val = (InstrumentValuer(pos.instrument, params=pos.params) if valuer is None
                       else valuer(pos))
                price = pos.price_clean
                if pos.yield_pct is not None:
                    price = price_from_yield(val.bullet, pos.yield_pct)
                anchor = val.anchor(curve, price_clean=price)
                base = val.price(curve, anchor)
            except ValueError as exc:
                raise ValueError(f"position {pos.position_id}: {exc}") from exc
            self._valuers.append(val)
            self._anchors.append(anchor)
            self._base.append(base)

    @property
    def spreads_bp(self) -> Mapping[str, float]:
        """Spread held constant for each position (z-spread or OAS), bp."""
        return MappingProxyType(
            {p.position_id: a.spread_bp for p, a in zip(self.positions, self._anchors, strict=True)}
        )

    def risk(
        self, *, shift_bp: float = DEFAULT_SHIFT_BP, futures_dv01_usd: Mapping[str, float] | None = None
    ) -> PortfolioRisk:
        """Per-position and aggregated risk (market value, DV01, key-rate DV01, futures hedges)."""
        rows = []
        shared = risk_curves(self.curve, shift_bp=shift_bp)  # built once for every position
        for pos, val, anchor in zip(self.positions, self._valuers, self._anchors, strict=True):
            try:
                report = bond_risk(pos.instrument, self.curve, anchor=anchor, shift_bp=shift_bp,
                                   valuer=val, shared=shared)
            except ValueError as exc:
                raise ValueError(f"position {pos.position_id}: {exc}") from exc
            rows.append(PositionRisk(position_id=pos.position_id, face_usd=pos.face_usd, report=report))
        return aggregate_risk(rows, futures_dv01_usd=futures_dv01_usd)

    def scenario_pnl(self, scenarios: Sequence[Scenario]) -> pd.DataFrame:
        """P&L of every position under every scenario.

        Returns
        -------
        pandas.DataFrame
            One row per (scenario, position) with the columns of :data:`PNL_COLUMNS`: clean
            prices per 100 and values / P&L in USD.
        """
        moved = [scenario_curve(self.curve, scenario) for scenario in scenarios]
        # Per position, every scenario in one pass (one backward induction for a callable).
        prices: list[NDArray[np.float64]] = [val.price_many(moved, anchor)
                                    for val, anchor in zip(self._valuers, self._anchors, strict=True)]
        records = []
        for k, scenario in enumerate(scenarios):
            name = scenario_name(scenario)
            rows = zip(self.positions, self._valuers, self._base, prices, strict=True)
            for pos, val, base, priced in rows:
                new = float(priced[k])
                accrued = val.bullet.accrued
                records.append(
                    (
                        name,
                        pos.position_id,
                        base,
                        new,
                        pos.face_usd / 100.0 * (base + accrued),
                        pos.face_usd / 100.0 * (new + accrued),
                        pos.face_usd / 100.0 * (new - base),
                    )
                )
        return pd.DataFrame.from_records(records, columns=list(PNL_COLUMNS))
