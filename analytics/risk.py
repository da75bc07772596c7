"""Risk measures of bonds and portfolios: durations, convexity, key rates, DV01, futures hedges.

Definitions (DOMAIN.md section 6), with ``dy`` the shift in decimal (default 25 bp), prices
``P(+dy)`` / ``P(-dy)`` after moving the **whole zero curve** up / down with the spread (z-spread
or OAS) held constant, and ``P0`` the **dirty** (full) base price:

* effective duration ``D = (P(-dy) - P(+dy)) / (2 P0 dy)``
* convexity ``C = (P(-dy) + P(+dy) - 2 P0) / (P0 dy^2)``
* up-duration ``(P0 - P(+dy)) / (P0 dy)``, down-duration ``(P(-dy) - P0) / (P0 dy)``
* key-rate duration ``KRD_k``: as ``D`` with only key ``k``'s triangular profile shifted
  (:mod:`analytics.curves`). The eight profiles add up to a parallel shift, so without tax
  effects the KRDs sum to ``D`` up to an O(dy^2) term of the central differences (for
  bullets ``0 <= D - sum KRD <= (sinh(T dy) - T dy) / dy``); tax-aware muni KRDs need not.
* modified duration: ``-(1/P) dP/dy`` on the bond's own street yield (ignores options).
* DV01 (USD per bp): market value x duration x 0.0001, positive for a long position that gains
  when rates fall; key-rate DV01 likewise per bucket.
* Futures hedge ratio per bucket: bucket DV01 / futures DV01 per contract = contracts to sell
  (negative: to buy). The default DV01 per contract comes from
  :data:`analytics.tenors.TREASURY_FUTURES` and can be replaced by the caller.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType
from typing import Final, Literal

import numpy as np
from numpy.typing import ArrayLike, NDArray

from analytics.bonds import (
    Bullet,
    CashFlowMatrix,
    modified_duration,
    price_from_yield,
    price_on_curve,
    yield_from_price,
    z_spread_bp,
)
from analytics.curves import BP, ZeroCurve, key_rate_shift, parallel_shift
from analytics.hullwhite import CallableBond, CallableTreePricer, HullWhiteParams
from analytics.muni import MuniBond, MuniPricer, TaxRegime, regime_for_price
from analytics.tenors import KEY_TENOR_YEARS, KEY_TENORS, TREASURY_FUTURES

__all__ = [
    "DEFAULT_SHIFT_BP",
    "SHIFT_BP_RANGE",
    "DEFAULT_BUCKET_FUTURES",
    "Instrument",
    "InstrumentKind",
    "Anchor",
    "InstrumentValuer",
    "RiskReport",
    "bond_risk",
    "BatchRisk",
    "bullet_risk_batch",
    "FuturesHedge",
    "default_futures_dv01_usd",
    "futures_hedges",
    "PositionRisk",
    "PortfolioRisk",
    "aggregate_risk",
]

FloatArray = NDArray[np.float64]

#: Curve shift for effective duration, convexity and key rates, bp.
DEFAULT_SHIFT_BP: Final[float] = 25.0
#: Accepted shift, bp (exclusive lower bound, inclusive upper bound).
SHIFT_BP_RANGE: Final[tuple[float, float]] = (0.0, 500.0)
#: Futures contract (key of analytics.tenors.TREASURY_FUTURES) hedging each key-rate bucket:
#: the contract whose cheapest-to-deliver maturity is nearest the key tenor.
DEFAULT_BUCKET_FUTURES: Final[Mapping[str, str]] = MappingProxyType(
    {
        "1y": "UST_2Y",
        "2y": "UST_2Y",
        "3y": "UST_5Y",
        "5y": "UST_5Y",
        "7y": "UST_10Y",
        "10y": "ULTRA_10Y",
        "20y": "UST_BOND",
        "30y": "ULTRA_BOND",
    }
)

Instrument = Bullet | CallableBond | MuniBond
InstrumentKind = Literal["bullet", "callable", "muni", "callable_muni"]
_KEY_YEARS: Final[FloatArray] = np.asarray(KEY_TENOR_YEARS, dtype=np.float64)


def _check_shift(shift_bp: float) -> None:
    lo, hi = SHIFT_BP_RANGE
    if not math.isfinite(shift_bp) or not lo < shift_bp <= hi:
        raise ValueError(f"shift_bp must be in ({lo:g}, {hi:g}] bp, got {shift_bp}")


@dataclass(frozen=True, kw_only=True)
class Anchor:
    """What stays fixed when the curve moves.

    Attributes
    ----------
    spread_bp : the z-spread (bullets, munis) or OAS (callables), bp.
    tax_regime : for munis, the regime of the base price, kept when a shifted curve admits two
        self-consistent tax-aware prices (:mod:`analytics.muni`); ``None`` otherwise.
    """

    spread_bp: float
    tax_regime: TaxRegime | None = None


class InstrumentValuer:
    """Clean prices of one instrument off any curve, and the anchor that reprices a market price.

    Parameters
    ----------
    instrument : a :class:`~analytics.bonds.Bullet`, :class:`~analytics.hullwhite.CallableBond`
        or :class:`~analytics.muni.MuniBond`.
    params : Hull-White settings for callables (keyword-only; default
        :class:`~analytics.hullwhite.HullWhiteParams`).

    Notes
    -----
    The spread is a constant continuously-compounded spread over the zero curve (a z-spread) for
    bullets and over the short rate (the OAS) on the tree for callables; munis use it the same
    way before the tax fixed point.
    """

    def __init__(self, instrument: Instrument, *, params: HullWhiteParams | None = None) -> None:
        self.instrument = instrument
        self._tree: CallableTreePricer | None = None
        self._muni: MuniPricer | None = None
        if isinstance(instrument, MuniBond):
            self._muni = MuniPricer(instrument, params=params)
        elif isinstance(instrument, CallableBond):
            self._tree = CallableTreePricer(instrument, params=params)
        elif not isinstance(instrument, Bullet):
            raise TypeError(f"instrument must be a Bullet, CallableBond or MuniBond, got {type(instrument).__name__}")

    @property
    def bullet(self) -> Bullet:
        """The underlying fixed-rate bond."""
        inst = self.instrument
        if isinstance(inst, MuniBond):
            return inst.bullet
        return inst.bullet if isinstance(inst, CallableBond) else inst

    @property
    def kind(self) -> InstrumentKind:
        inst = self.instrument
        if isinstance(inst, MuniBond):
            return "callable_muni" if isinstance(inst.bond, CallableBond) else "muni"
        return "callable" if isinstance(inst, CallableBond) else "bullet"

    @property
    def has_option(self) -> bool:
        return self.kind in ("callable", "callable_muni")

    def anchor(
        self, curve: ZeroCurve, *, price_clean: float | None = None, spread_bp: float | None = None
    ) -> Anchor:
        """The anchor of a market clean price (spread solved), or of a given spread (default 0).

        Raises
        ------
        ValueError
            When both are given, or the price cannot be reached with a spread within
            :data:`analytics.bonds.SPREAD_RANGE_BP`.
        """
        if price_clean is not None and spread_bp is not None:
            raise ValueError("give a price or a spread, not both")
        if price_clean is not None:
            if self._muni is not None:
                spread = self._muni.spread_for_price(curve, price_clean=price_clean)
                regime = regime_for_price(price_clean, maturity_years=self.bullet.maturity_years)
                return Anchor(spread_bp=spread, tax_regime=regime)
            if self._tree is not None:
                return Anchor(spread_bp=self._tree.oas_bp(curve, price_clean=price_clean))
            return Anchor(spread_bp=z_spread_bp(self.bullet, curve, price_clean=price_clean))
        spread = 0.0 if spread_bp is None else float(spread_bp)
        if not math.isfinite(spread):
            raise ValueError(f"spread_bp must be finite, got {spread_bp}")
        if self._muni is not None:
            return Anchor(spread_bp=spread, tax_regime=self._muni.price(curve, spread_bp=spread).regime)
        return Anchor(spread_bp=spread)

    def price(self, curve: ZeroCurve, anchor: Anchor) -> float:
        """Clean price per 100 off ``curve`` with the anchor's spread (and tax regime)."""
        if self._muni is not None:
            return self._muni.price(curve, spread_bp=anchor.spread_bp, prefer=anchor.tax_regime).price_clean
        if self._tree is not None:
            return self._tree.price(curve, spread_bp=anchor.spread_bp)
        return price_on_curve(self.bullet, curve, spread_bp=anchor.spread_bp)

    def tax_rate(self, curve: ZeroCurve, anchor: Anchor) -> float | None:
        """Tax rate at the tax-aware price for munis, ``None`` otherwise."""
        if self._muni is None:
            return None
        return self._muni.price(curve, spread_bp=anchor.spread_bp, prefer=anchor.tax_regime).tax_rate


@dataclass(frozen=True, kw_only=True)
class RiskReport:
    """Risk of one bond per 100 face.

    Attributes
    ----------
    kind : "bullet", "callable", "muni" or "callable_muni".
    price_clean, price_dirty, accrued : base prices and accrued interest per 100.
    yield_pct : street yield of the clean price, percent (bullet-equivalent for callables).
    spread_bp : spread held constant under the shifts (z-spread, or OAS for callables), bp.
    oas_bp : the OAS for callables, ``None`` otherwise.
    modified_duration, effective_duration, up_duration, down_duration : years.
    convexity : years squared.
    price_up, price_down : clean prices with the curve shifted up / down by ``shift_bp``.
    krd : key-rate duration by key tenor ("1y".."30y"), years.
    krd_sum : sum of the key-rate durations, years.
    shift_bp : the shift used, bp.
    tax_rate : tax rate at the base price (munis), ``None`` otherwise.
    """

    kind: InstrumentKind
    price_clean: float
    price_dirty: float
    accrued: float
    yield_pct: float
    spread_bp: float
    oas_bp: float | None
    modified_duration: float
    effective_duration: float
    convexity: float
    up_duration: float
    down_duration: float
    price_up: float
    price_down: float
    krd: Mapping[str, float]
    krd_sum: float
    shift_bp: float
    tax_rate: float | None


def bond_risk(
    instrument: Instrument,
    curve: ZeroCurve,
    *,
    price_clean: float | None = None,
    yield_pct: float | None = None,
    spread_bp: float | None = None,
    shift_bp: float = DEFAULT_SHIFT_BP,
    params: HullWhiteParams | None = None,
    valuer: InstrumentValuer | None = None,
    anchor: Anchor | None = None,
) -> RiskReport:
    """Full risk of one bond off a zero curve.

    Parameters
    ----------
    instrument : bullet, callable or muni.
    curve : the base zero curve.
    price_clean : market clean price per 100; the spread is solved to reprice it.
    yield_pct : street yield in percent (bullet-equivalent), turned into a clean price.
    spread_bp : a spread to use as is (bp). At most one of the three may be given; with none
        the bond is priced off the curve at zero spread.
    shift_bp : curve shift for the finite differences, bp, in (0, 500] (default 25).
    params : Hull-White settings for callables (default :class:`HullWhiteParams`).
    valuer : a prebuilt valuer for ``instrument`` (saves rebuilding a tree); optional.
    anchor : a spread (and muni tax regime) already solved, used as is; excludes the three
        quote arguments.

    Returns
    -------
    RiskReport
    """
    _check_shift(shift_bp)
    given = [v is not None for v in (price_clean, yield_pct, spread_bp, anchor)]
    if sum(given) > 1:
        raise ValueError("give at most one of price_clean, yield_pct, spread_bp and anchor")
    val = valuer if valuer is not None else InstrumentValuer(instrument, params=params)
    bullet = val.bullet
    if yield_pct is not None:
        price_clean = price_from_yield(bullet, yield_pct)
    if anchor is None:
        anchor = val.anchor(curve, price_clean=price_clean, spread_bp=spread_bp)
    base = val.price(curve, anchor)
    accrued = bullet.accrued
    p0 = base + accrued
    dy = shift_bp * BP

    def dirty(c: ZeroCurve) -> float:
        return val.price(c, anchor) + accrued

    up = dirty(parallel_shift(curve, shift_bp=shift_bp))
    down = dirty(parallel_shift(curve, shift_bp=-shift_bp))
    krd: dict[str, float] = {}
    for key in KEY_TENORS:
        k_up = dirty(key_rate_shift(curve, key=key, shift_bp=shift_bp))
        k_down = dirty(key_rate_shift(curve, key=key, shift_bp=-shift_bp))
        krd[key] = (k_down - k_up) / (2.0 * p0 * dy)
    ytm = yield_from_price(bullet, base)
    return RiskReport(
        kind=val.kind,
        price_clean=base,
        price_dirty=p0,
        accrued=accrued,
        yield_pct=ytm,
        spread_bp=anchor.spread_bp,
        oas_bp=anchor.spread_bp if val.has_option else None,
        modified_duration=modified_duration(bullet, ytm),
        effective_duration=(down - up) / (2.0 * p0 * dy),
        convexity=(down + up - 2.0 * p0) / (p0 * dy * dy),
        up_duration=(p0 - up) / (p0 * dy),
        down_duration=(down - p0) / (p0 * dy),
        price_up=up - accrued,
        price_down=down - accrued,
        krd=MappingProxyType(krd),
        krd_sum=float(sum(krd.values())),
        shift_bp=shift_bp,
        tax_rate=val.tax_rate(curve, anchor),
    )


@dataclass(frozen=True, eq=False, kw_only=True)
class BatchRisk:
    """Risk of N bullets at once (arrays of N; ``krd`` is N x 8 in :data:`KEY_TENORS` order).

    Prices per 100 face; durations in years; convexity in years squared.
    """

    price_clean: FloatArray
    price_dirty: FloatArray
    effective_duration: FloatArray
    convexity: FloatArray
    up_duration: FloatArray
    down_duration: FloatArray
    krd: FloatArray


def bullet_risk_batch(
    flows: CashFlowMatrix,
    curve: ZeroCurve,
    *,
    spreads_bp: ArrayLike | None = None,
    shift_bp: float = DEFAULT_SHIFT_BP,
) -> BatchRisk:
    """Prices, effective durations, convexities and 8 KRDs of many bullets, vectorised.

    Parameters
    ----------
    flows : padded cash flows from :func:`analytics.bonds.cash_flow_matrix`.
    curve : the base zero curve.
    spreads_bp : z-spread per bond in bp (N values or a scalar; default 0).
    shift_bp : curve shift in bp (default 25).

    Returns
    -------
    BatchRisk

    Notes
    -----
    Every shifted curve is the base curve plus a piecewise-linear profile ``w(t)`` on the zero
    rates, so its discount factor is the base one times ``exp(-dy w(t) t)`` and the central
    differences need only ``sinh`` and ``cosh`` of ``dy w(t) t`` per flow:
    ``P(-dy) - P(+dy) = 2 sum PV_i sinh(dy w t_i)``. Each flow lies under at most two key-rate
    triangles. Only live flows of the padded matrix are computed. The results equal pricing off
    explicitly shifted curves (tests check it to 1e-10).
    """
    _check_shift(shift_bp)
    n = flows.n_bonds
    spread = np.broadcast_to(
        np.asarray(0.0 if spreads_bp is None else spreads_bp, dtype=np.float64), (n,)
    )
    if not np.all(np.isfinite(spread)):
        raise ValueError("spreads_bp must be finite")
    h = shift_bp * BP
    live = flows.amounts != 0.0
    bond = np.nonzero(live)[0]
    t = flows.times_years[live]
    zero = np.interp(t, curve.times_years, curve.zero_rates)
    pv = flows.amounts[live] * np.exp(-(zero + spread[bond] * BP) * t)

    def per_bond(weights: FloatArray) -> FloatArray:
        return np.bincount(bond, weights=weights, minlength=n).astype(np.float64, copy=False)

    p0 = per_bond(pv)
    grow = np.exp(h * t)
    shrink = 1.0 / grow
    up = per_bond(pv * shrink)  # P(+dy)
    down = per_bond(pv * grow)  # P(-dy)
    # Key-rate triangles: the left key of each flow and the weight of the right key.
    left = np.clip(np.searchsorted(_KEY_YEARS, t, side="right") - 1, 0, _KEY_YEARS.size - 2)
    w_right = np.clip((t - _KEY_YEARS[left]) / (_KEY_YEARS[left + 1] - _KEY_YEARS[left]), 0.0, 1.0)
    n_keys = _KEY_YEARS.size
    bins = bond * n_keys + left
    size = n * n_keys
    ht = h * t
    diff = np.bincount(bins, weights=pv * np.sinh(ht * (1.0 - w_right)), minlength=size)
    diff += np.bincount(bins + 1, weights=pv * np.sinh(ht * w_right), minlength=size)
    krd = diff.reshape(n, n_keys) / (h * p0[:, None])  # (P_k(-dy) - P_k(+dy)) / (2 P0 dy)
    return BatchRisk(
        price_clean=p0 - flows.accrued,
        price_dirty=p0,
        effective_duration=(down - up) / (2.0 * h * p0),
        convexity=(down + up - 2.0 * p0) / (h * h * p0),
        up_duration=(p0 - up) / (h * p0),
        down_duration=(down - p0) / (h * p0),
        krd=krd,
    )


@dataclass(frozen=True, kw_only=True)
class FuturesHedge:
    """Futures hedge of one key-rate bucket.

    Attributes
    ----------
    bucket : key tenor ("1y".."30y").
    contract_key : futures contract (key of analytics.tenors.TREASURY_FUTURES).
    bucket_dv01_usd : the portfolio's key-rate DV01 in that bucket, USD per bp.
    contract_dv01_usd : DV01 of one contract, USD per bp (CTD DV01 / conversion factor).
    hedge_ratio : bucket DV01 / contract DV01: contracts to sell (negative: to buy).
    """

    bucket: str
    contract_key: str
    bucket_dv01_usd: float
    contract_dv01_usd: float
    hedge_ratio: float


def default_futures_dv01_usd() -> dict[str, float]:
    """DV01 per contract (USD per bp) by contract key, from analytics.tenors.TREASURY_FUTURES."""
    return {c.key: c.dv01_usd for c in TREASURY_FUTURES}


def futures_hedges(
    krd_dv01_usd: Mapping[str, float],
    *,
    futures_dv01_usd: Mapping[str, float] | None = None,
    bucket_futures: Mapping[str, str] | None = None,
) -> tuple[FuturesHedge, ...]:
    """Hedge ratio per key-rate bucket: bucket DV01 / futures DV01 per contract.

    Parameters
    ----------
    krd_dv01_usd : key-rate DV01 by key tenor, USD per bp (absent buckets count as 0).
    futures_dv01_usd : DV01 per contract by contract key (USD per bp, positive); overrides the
        defaults of :func:`default_futures_dv01_usd` for the keys it names.
    bucket_futures : contract per bucket (default :data:`DEFAULT_BUCKET_FUTURES`).
    """
    table = default_futures_dv01_usd()
    for key, dv01 in (futures_dv01_usd or {}).items():
        if key not in table:
            raise ValueError(f"futures_dv01_usd: unknown contract {key!r}; expected one of {list(table)}")
        if not math.isfinite(dv01) or dv01 <= 0.0:
            raise ValueError(f"futures_dv01_usd[{key!r}] must be a positive USD amount per bp, got {dv01}")
        table[key] = float(dv01)
    mapping = dict(DEFAULT_BUCKET_FUTURES)
    mapping.update(bucket_futures or {})
    hedges = []
    for bucket in KEY_TENORS:
        contract = mapping[bucket]
        if contract not in table:
            raise ValueError(f"bucket_futures[{bucket!r}] = {contract!r} is not a known contract")
        dv01 = float(krd_dv01_usd.get(bucket, 0.0))
        hedges.append(
            FuturesHedge(
                bucket=bucket,
                contract_key=contract,
                bucket_dv01_usd=dv01,
                contract_dv01_usd=table[contract],
                hedge_ratio=dv01 / table[contract],
            )
        )
    return tuple(hedges)


@dataclass(frozen=True, kw_only=True)
class PositionRisk:
    """A position: an id, a face amount in USD (negative = short) and its per-100 risk."""

    position_id: str
    face_usd: float
    report: RiskReport

    @property
    def market_value_usd(self) -> float:
        """Face / 100 x dirty price, USD."""
        return self.face_usd / 100.0 * self.report.price_dirty

    @property
    def dv01_usd(self) -> float:
        """USD gained for a 1 bp parallel fall of the curve (effective duration based)."""
        return self.market_value_usd * self.report.effective_duration * BP

    @property
    def krd_dv01_usd(self) -> dict[str, float]:
        """Key-rate DV01 by key tenor, USD per bp."""
        mv = self.market_value_usd
        return {k: mv * v * BP for k, v in self.report.krd.items()}


@dataclass(frozen=True, kw_only=True)
class PortfolioRisk:
    """Aggregated risk of positions.

    Attributes
    ----------
    positions : the positions' risk.
    market_value_usd : total market value (dirty), USD.
    dv01_usd : total DV01, USD per bp.
    krd_dv01_usd : key-rate DV01 by key tenor, USD per bp.
    effective_duration : DV01 / market value / 0.0001, years (NaN if the value is 0).
    hedges : futures hedge per bucket.
    """

    positions: tuple[PositionRisk, ...]
    market_value_usd: float
    dv01_usd: float
    krd_dv01_usd: Mapping[str, float]
    effective_duration: float
    hedges: tuple[FuturesHedge, ...]


def aggregate_risk(
    positions: Sequence[PositionRisk], *, futures_dv01_usd: Mapping[str, float] | None = None
) -> PortfolioRisk:
    """Sum market value, DV01 and key-rate DV01 over positions and size the futures hedges."""
    mv = float(sum(p.market_value_usd for p in positions))
    dv01 = float(sum(p.dv01_usd for p in positions))
    krd = {k: float(sum(p.krd_dv01_usd[k] for p in positions)) for k in KEY_TENORS}
    return PortfolioRisk(
        positions=tuple(positions),
        market_value_usd=mv,
        dv01_usd=dv01,
        krd_dv01_usd=MappingProxyType(krd),
        effective_duration=dv01 / mv / BP if mv else math.nan,
        hedges=futures_hedges(krd, futures_dv01_usd=futures_dv01_usd),
    )
