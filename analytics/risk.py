"""Risk measures of bonds and portfolios: durations, convexity, key rates, DV01, futures hedges.

Convention
----------
Every shift moves the **semiannual bond-equivalent zero rates** of the curve
(:data:`analytics.curves.SHIFT_BASIS`, the market's convention; ``basis="continuous"`` keeps the
old continuously-compounded shift). On a flat curve this is exactly a move in every bond's
street yield, so a bullet's effective duration equals its modified duration and its convexity
the yield convexity ``(1/P) d2P/dy2`` (up to the O(dy^2) error of the central differences),
and DV01s agree with the yield-based futures DV01s. The spread held constant (z-spread or OAS)
stays a continuously-compounded spread over the zero curve.

Definitions (DOMAIN.md section 6), with ``dy`` the shift in decimal (default 25 bp), prices
``P(+dy)`` / ``P(-dy)`` after moving the whole curve up / down with the spread held constant,
and ``P0`` the **dirty** (full) base price:

* effective duration ``D = (P(-dy) - P(+dy)) / (2 P0 dy)``
* convexity ``C = (P(-dy) + P(+dy) - 2 P0) / (P0 dy^2)`` for bullets and bullet munis. For
  bonds priced on the Hull-White tree (callables, callable munis) the price moves with a ripple
  whose period is the spacing of the tree's rate nodes (exercise flips from node to node), so a
  small central difference measures the ripple, not the bond. Their convexity is ``2 c / P0``
  with ``c`` the quadratic coefficient of a least-squares fit of :data:`CONVEXITY_FIT_POINTS`
  tree prices at evenly spaced shifts over +/- ``max(shift, 2 node spacings)``
  (``convexity_span_bp`` in the report).
* up-duration ``(P0 - P(+dy)) / (P0 dy)``, down-duration ``(P(-dy) - P0) / (P0 dy)``
* key-rate duration ``KRD_k``: as ``D`` with only key ``k``'s triangular profile shifted
  (:mod:`analytics.curves`). The eight profiles add up to a parallel shift, so without tax
  effects the KRDs sum to ``D`` up to an O(dy^2) term of the central differences (for bullets
  ``D - sum KRD`` is small and non-negative); tax-aware muni KRDs need not.
* modified duration: ``-(1/P) dP/dy`` on the bond's own street yield (ignores options).
* callables also report the yield to worst and its workout date (:func:`analytics.hullwhite.yield_to_worst`).
* DV01 (USD per bp): market value x duration x 0.0001, positive for a long position that gains
  when rates fall; key-rate DV01 likewise per bucket.
* Futures hedge ratio per bucket: bucket DV01 / futures DV01 per contract = contracts to sell
  (negative: to buy). The default DV01 per contract comes from
  :data:`analytics.tenors.TREASURY_FUTURES` and can be replaced by the caller.

Pricers
-------
Each instrument type has one pricer class in :data:`PRICERS` (``{type: pricer factory}``);
:func:`pricer_for` looks it up, so there is no ``isinstance`` chain to extend. A pricer owns
whatever is expensive to build (the Hull-White lattice of a callable is built once and reused by
the OAS solve, the parallel and key-rate bumps and the convexity fit).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType
from typing import Final, Literal, Protocol

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
from analytics.checks import InputError
from analytics.curves import (
    BP,
    PAR_FREQUENCY,
    SHIFT_BASES,
    SHIFT_BASIS,
    ShiftBasis,
    ZeroCurve,
    key_rate_shift,
    parallel_shift,
)
from analytics.hullwhite import (
    CallableBond,
    CallableTreePricer,
    HullWhiteParams,
    price_to_worst,
    yield_to_worst,
)
from analytics.muni import MuniBond, MuniPricer, TaxRegime, regime_for_price
from analytics.tenors import KEY_TENOR_YEARS, KEY_TENORS, TREASURY_FUTURES

__all__ = [
    "krd_first_order_change",
    "DEFAULT_SHIFT_BP",
    "SHIFT_BP_RANGE",
    "DEFAULT_BUCKET_FUTURES",
    "CONVEXITY_FIT_POINTS",
    "CONVEXITY_FIT_NODES",
    "SHIFT_CONVENTION",
    "YIELD_BASES",
    "Instrument",
    "InstrumentKind",
    "Anchor",
    "Pricer",
    "PRICERS",
    "register_pricer",
    "pricer_for",
    "InstrumentValuer",
    "RiskReport",
    "bond_risk",
    "RiskCurves",
    "risk_curves",
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
#: Tree prices in the least-squares convexity fit of callables (odd, so 0 is one of them).
CONVEXITY_FIT_POINTS: Final[int] = 9
#: The convexity fit of a callable spans at least this many node spacings either side.
CONVEXITY_FIT_NODES: Final[float] = 2.0
#: Words for the output: which rates the risk shifts move.
SHIFT_CONVENTION: Final[Mapping[str, str]] = MappingProxyType(
    {
        "semiannual": "semiannual bond-equivalent zero rates (street-yield convention)",
        "continuous": "continuously-compounded zero rates",
    }
)
#: How a quoted yield of a callable is read: to maturity or to worst.
YIELD_BASES: Final[tuple[str, ...]] = ("maturity", "worst")
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
        raise InputError("shift_bp", f"shift_bp must be in ({lo:g}, {hi:g}] bp, got {shift_bp}")


def _check_basis(basis: str) -> None:
    if basis not in SHIFT_BASES:
        raise InputError("basis", f"basis must be one of {', '.join(SHIFT_BASES)}, got {basis!r}")


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


class Pricer(Protocol):
    """What the risk engine needs of an instrument's pricer (one per instrument type)."""

    kind: InstrumentKind
    bullet: Bullet
    #: Spacing of the tree's rate nodes in bp for lattice pricers, 0 for closed-form ones.
    node_spacing_bp: float

    def spread_for_price(self, curve: ZeroCurve, price_clean: float) -> Anchor: ...

    def anchor_at(self, curve: ZeroCurve, spread_bp: float) -> Anchor: ...

    def price(self, curve: ZeroCurve, anchor: Anchor) -> float: ...

    def tax_rate(self, curve: ZeroCurve, anchor: Anchor) -> float | None: ...


class _BulletPricer:
    """Closed-form pricer of a bullet off the curve plus a z-spread."""

    kind: InstrumentKind = "bullet"
    node_spacing_bp = 0.0

    def __init__(self, bond: Bullet, params: HullWhiteParams | None) -> None:
        self.bullet = bond

    def spread_for_price(self, curve: ZeroCurve, price_clean: float) -> Anchor:
        return Anchor(spread_bp=z_spread_bp(self.bullet, curve, price_clean=price_clean))

    def anchor_at(self, curve: ZeroCurve, spread_bp: float) -> Anchor:
        return Anchor(spread_bp=spread_bp)

    def price(self, curve: ZeroCurve, anchor: Anchor) -> float:
        return price_on_curve(self.bullet, curve, spread_bp=anchor.spread_bp)

    def tax_rate(self, curve: ZeroCurve, anchor: Anchor) -> float | None:
        return None


class _CallablePricer:
    """Hull-White tree pricer of a callable; the lattice is built once, here."""

    kind: InstrumentKind = "callable"

    def __init__(self, bond: CallableBond, params: HullWhiteParams | None) -> None:
        self.bond = bond
        self.bullet = bond.bullet
        self.tree = CallableTreePricer(bond, params=params)
        self.node_spacing_bp = self.tree.node_spacing_bp()

    def spread_for_price(self, curve: ZeroCurve, price_clean: float) -> Anchor:
        return Anchor(spread_bp=self.tree.oas_bp(curve, price_clean=price_clean))

    def anchor_at(self, curve: ZeroCurve, spread_bp: float) -> Anchor:
        return Anchor(spread_bp=spread_bp)

    def price(self, curve: ZeroCurve, anchor: Anchor) -> float:
        return self.tree.price(curve, spread_bp=anchor.spread_bp)

    def price_many(self, curves: Sequence[ZeroCurve], anchor: Anchor) -> FloatArray:
        return self.tree.values(curves, spread_bp=anchor.spread_bp) - self.bullet.accrued

    def tax_rate(self, curve: ZeroCurve, anchor: Anchor) -> float | None:
        return None


class _MuniPricer:
    """Tax-aware pricer of a muni (bullet or callable, see :mod:`analytics.muni`)."""

    def __init__(self, muni: MuniBond, params: HullWhiteParams | None) -> None:
        self.muni = muni
        self.bullet = muni.bullet
        self.pricer = MuniPricer(muni, params=params)
        self.kind: InstrumentKind = "callable_muni" if isinstance(muni.bond, CallableBond) else "muni"
        self.node_spacing_bp = self.pricer.node_spacing_bp()

    def spread_for_price(self, curve: ZeroCurve, price_clean: float) -> Anchor:
        spread = self.pricer.spread_for_price(curve, price_clean=price_clean)
        regime = regime_for_price(price_clean, maturity_years=self.bullet.maturity_years,
                                  adjusted_issue_price=self.pricer.adjusted_issue_price)
        return Anchor(spread_bp=spread, tax_regime=regime)

    def anchor_at(self, curve: ZeroCurve, spread_bp: float) -> Anchor:
        return Anchor(spread_bp=spread_bp, tax_regime=self.pricer.price(curve, spread_bp=spread_bp).regime)

    def price(self, curve: ZeroCurve, anchor: Anchor) -> float:
        return self.pricer.price(curve, spread_bp=anchor.spread_bp, prefer=anchor.tax_regime).price_clean

    def tax_rate(self, curve: ZeroCurve, anchor: Anchor) -> float | None:
        return self.pricer.price(curve, spread_bp=anchor.spread_bp, prefer=anchor.tax_regime).tax_rate


PricerFactory = Callable[[object, "HullWhiteParams | None"], Pricer]
_REGISTRY: dict[type, PricerFactory] = {
    Bullet: _BulletPricer,  # type: ignore[dict-item]
    CallableBond: _CallablePricer,  # type: ignore[dict-item]
    MuniBond: _MuniPricer,  # type: ignore[dict-item]
}
#: Instrument type -> pricer factory ``(instrument, params) -> Pricer`` (read-only view).
PRICERS: Final[Mapping[type, PricerFactory]] = MappingProxyType(_REGISTRY)


def register_pricer(instrument_type: type, factory: PricerFactory) -> None:
    """Add (or replace) the pricer of an instrument type."""
    _REGISTRY[instrument_type] = factory


def pricer_for(instrument: object, *, params: HullWhiteParams | None = None) -> Pricer:
    """The registered pricer of ``instrument`` (TypeError when its type has none)."""
    factory = _REGISTRY.get(type(instrument))
    if factory is None:
        known = ", ".join(t.__name__ for t in _REGISTRY)
        raise TypeError(f"no pricer for {type(instrument).__name__}; registered: {known}")
    return factory(instrument, params)


class InstrumentValuer:
    """Clean prices of one instrument off any curve, and the anchor that reprices a market price.

    Parameters
    ----------
    instrument : a :class:`~analytics.bonds.Bullet`, :class:`~analytics.hullwhite.CallableBond`
        or :class:`~analytics.muni.MuniBond` (any type in :data:`PRICERS`).
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
        self.pricer = pricer_for(instrument, params=params)

    @property
    def bullet(self) -> Bullet:
        """The underlying fixed-rate bond."""
        return self.pricer.bullet

    @property
    def kind(self) -> InstrumentKind:
        return self.pricer.kind

    @property
    def has_option(self) -> bool:
        return self.kind in ("callable", "callable_muni")

    @property
    def callable_bond(self) -> CallableBond | None:
        """The callable bond inside the instrument, if any."""
        inst = self.instrument
        bond = inst.bond if isinstance(inst, MuniBond) else inst
        return bond if isinstance(bond, CallableBond) else None

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
            raise InputError("price_clean", "give a price or a spread, not both")
        if price_clean is not None:
            return self.pricer.spread_for_price(curve, price_clean)
        spread = 0.0 if spread_bp is None else float(spread_bp)
        if not math.isfinite(spread):
            raise InputError("spread_bp", f"spread_bp must be finite, got {spread_bp}")
        return self.pricer.anchor_at(curve, spread)

    def price(self, curve: ZeroCurve, anchor: Anchor) -> float:
        """Clean price per 100 off ``curve`` with the anchor's spread (and tax regime)."""
        return self.pricer.price(curve, anchor)

    def price_many(self, curves: Sequence[ZeroCurve], anchor: Anchor) -> FloatArray:
        """Clean prices off several curves with one anchor: in one pass when the pricer can
        (a callable's tree prices every curve in one backward induction), else one by one."""
        many = getattr(self.pricer, "price_many", None)
        if many is not None:
            return np.asarray(many(curves, anchor), dtype=np.float64)
        return np.array([self.pricer.price(c, anchor) for c in curves], dtype=np.float64)

    def tax_rate(self, curve: ZeroCurve, anchor: Anchor) -> float | None:
        """Tax rate at the tax-aware price for munis, ``None`` otherwise."""
        return self.pricer.tax_rate(curve, anchor)


@dataclass(frozen=True, kw_only=True)
class RiskReport:
    """Risk of one bond per 100 face.

    Attributes
    ----------
    kind : "bullet", "callable", "muni" or "callable_muni".
    price_clean, price_dirty, accrued : base prices and accrued interest per 100.
    yield_pct : street yield to maturity of the clean price, percent (bullet-equivalent for
        callables).
    spread_bp : spread held constant under the shifts (z-spread, or OAS for callables), bp.
    oas_bp : the OAS for callables, ``None`` otherwise.
    modified_duration, effective_duration, up_duration, down_duration : years.
    convexity : years squared.
    price_up, price_down : clean prices with the curve shifted up / down by ``shift_bp``.
    krd : key-rate duration by key tenor ("1y".."30y"), years.
    krd_sum : sum of the key-rate durations, years.
    shift_bp : the shift used, bp.
    tax_rate : tax rate at the base price (munis), ``None`` otherwise.
    shift_basis : "semiannual" or "continuous": which zero rates the shifts move.
    convexity_span_bp : half-width of the convexity fit (callables) or the shift, bp.
    yield_to_worst_pct, workout_years : for callables, the yield to worst of the clean price
        and its date in years (a call date or maturity); ``None`` otherwise.
    yield_basis : how a quoted ``yield_pct`` input was read ("maturity" or "worst"), or
        ``None`` when no yield was given.
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
    shift_basis: ShiftBasis = SHIFT_BASIS
    convexity_span_bp: float = DEFAULT_SHIFT_BP
    yield_to_worst_pct: float | None = None
    workout_years: float | None = None
    yield_basis: str | None = None

    @property
    def shift_convention(self) -> str:
        """The shift convention in words."""
        return SHIFT_CONVENTION[self.shift_basis]


def _convexity_shifts_bp(span_bp: float) -> list[float]:
    """The parallel shifts of the convexity fit, bp, but its middle point (the base price)."""
    shifts = np.linspace(-span_bp, span_bp, CONVEXITY_FIT_POINTS)
    return [float(s) for k, s in enumerate(shifts) if k != CONVEXITY_FIT_POINTS // 2]


def _fit_convexity(prices: FloatArray, p0: float, span_bp: float) -> float:
    """``2 c / P0`` of the least-squares parabola through the dirty prices at evenly spaced
    parallel shifts over +/- ``span_bp`` (the tree's ripple averages out over whole periods).
    ``prices`` are those at :func:`_convexity_shifts_bp`; ``p0`` is the middle one."""
    shifts_bp = np.linspace(-span_bp, span_bp, CONVEXITY_FIT_POINTS)
    half = CONVEXITY_FIT_POINTS // 2
    ys = np.concatenate([prices[:half], [p0], prices[half:]])
    coeffs = np.polyfit(shifts_bp * BP, ys, 2)
    return float(2.0 * coeffs[0] / p0)


@dataclass(frozen=True, eq=False)
class RiskCurves:
    """The base curve and its risk shifts (parallel up and down, then each key rate up and
    down), built once for every bond priced off that curve (a book's positions share them)."""

    curve: ZeroCurve
    shift_bp: float
    basis: ShiftBasis
    curves: tuple[ZeroCurve, ...]


def risk_curves(curve: ZeroCurve, *, shift_bp: float = DEFAULT_SHIFT_BP,
                basis: ShiftBasis = SHIFT_BASIS) -> RiskCurves:
    """The curves :func:`bond_risk` prices every bond on, for ``shared=``."""
    _check_shift(shift_bp)
    _check_basis(basis)
    bumped = [curve,
              parallel_shift(curve, shift_bp=shift_bp, basis=basis),
              parallel_shift(curve, shift_bp=-shift_bp, basis=basis)]
    for key in KEY_TENORS:
        bumped += [key_rate_shift(curve, key=key, shift_bp=shift_bp, basis=basis),
                   key_rate_shift(curve, key=key, shift_bp=-shift_bp, basis=basis)]
    return RiskCurves(curve=curve, shift_bp=shift_bp, basis=basis, curves=tuple(bumped))


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
    basis: ShiftBasis = SHIFT_BASIS,
    yield_basis: str = "maturity",
    shared: RiskCurves | None = None,
) -> RiskReport:
    """Full risk of one bond off a zero curve.

    Parameters
    ----------
    instrument : bullet, callable or muni.
    curve : the base zero curve.
    price_clean : market clean price per 100; the spread is solved to reprice it.
    yield_pct : street yield in percent, turned into a clean price: to maturity
        (``yield_basis="maturity"``, the default; bullet-equivalent for callables) or, for
        callables, to worst (``"worst"``: the lowest price over the call dates and maturity).
    spread_bp : a spread to use as is (bp). At most one of the three may be given; with none
        the bond is priced off the curve at zero spread.
    shift_bp : curve shift for the finite differences, bp, in (0, 500] (default 25).
    params : Hull-White settings for callables (default :class:`HullWhiteParams`).
    valuer : a prebuilt valuer for ``instrument`` (saves rebuilding a tree); optional.
    anchor : a spread (and muni tax regime) already solved, used as is; excludes the three
        quote arguments.
    basis : which zero rates the shifts move, "semiannual" (default) or "continuous".
    yield_basis : "maturity" (default) or "worst", see ``yield_pct``.
    shared : the shifted curves from :func:`risk_curves` of this curve, shift and basis, when
        already built (optional; a mismatch raises ValueError).

    Returns
    -------
    RiskReport
    """
    _check_shift(shift_bp)
    _check_basis(basis)
    if yield_basis not in YIELD_BASES:
        raise InputError("yield_basis", f"yield_basis must be one of {', '.join(YIELD_BASES)}, got {yield_basis!r}")
    given = [v is not None for v in (price_clean, yield_pct, spread_bp, anchor)]
    if sum(given) > 1:
        raise InputError("price_clean", "give at most one of price_clean, yield_pct, spread_bp and anchor")
    val = valuer if valuer is not None else InstrumentValuer(instrument, params=params)
    bullet = val.bullet
    call = val.callable_bond
    if yield_pct is not None:
        if yield_basis == "worst" and call is not None:
            price_clean = price_to_worst(call, yield_pct)
        else:
            price_clean = price_from_yield(bullet, yield_pct)
    if anchor is None:
        anchor = val.anchor(curve, price_clean=price_clean, spread_bp=spread_bp)
    accrued = bullet.accrued
    dy = shift_bp * BP

    # The base curve and every bumped curve, then one pricing pass (one backward induction
    # for a callable, the base price its first column).
    if shared is None:
        shared = risk_curves(curve, shift_bp=shift_bp, basis=basis)
    elif shared.curve is not curve or shared.shift_bp != shift_bp or shared.basis != basis:
        raise ValueError("shared risk curves were built for another curve, shift or basis")
    bumped = list(shared.curves)
    spacing = val.pricer.node_spacing_bp
    fitted = val.has_option and spacing > 0.0
    span = max(shift_bp, CONVEXITY_FIT_NODES * spacing) if fitted else shift_bp
    if fitted:
        bumped += [parallel_shift(curve, shift_bp=s, basis=basis) for s in _convexity_shifts_bp(span)]
    priced = val.price_many(bumped, anchor) + accrued
    p0, dirty = float(priced[0]), priced[1:]
    base = p0 - accrued
    up, down = float(dirty[0]), float(dirty[1])
    krd: dict[str, float] = {}
    for i, key in enumerate(KEY_TENORS):
        k_up, k_down = float(dirty[2 + 2 * i]), float(dirty[3 + 2 * i])
        krd[key] = (k_down - k_up) / (2.0 * p0 * dy)
    if fitted:
        convexity = _fit_convexity(dirty[2 + 2 * len(KEY_TENORS):], p0, span)
    else:
        convexity = (down + up - 2.0 * p0) / (p0 * dy * dy)
    ytm = yield_from_price(bullet, base)
    ytw = yield_to_worst(call, base) if call is not None else None
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
        convexity=convexity,
        up_duration=(p0 - up) / (p0 * dy),
        down_duration=(down - p0) / (p0 * dy),
        price_up=up - accrued,
        price_down=down - accrued,
        krd=MappingProxyType(krd),
        krd_sum=float(sum(krd.values())),
        shift_bp=shift_bp,
        tax_rate=val.tax_rate(curve, anchor),
        shift_basis=basis,
        convexity_span_bp=span,
        yield_to_worst_pct=ytw.yield_to_worst_pct if ytw is not None else None,
        workout_years=ytw.workout_years if ytw is not None else None,
        yield_basis=(yield_basis if call is not None else "maturity") if yield_pct is not None else None,
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
    basis: ShiftBasis = SHIFT_BASIS,
) -> BatchRisk:
    """Prices, effective durations, convexities and 8 KRDs of many bullets, vectorised.

    Parameters
    ----------
    flows : padded cash flows from :func:`analytics.bonds.cash_flow_matrix`.
    curve : the base zero curve.
    spreads_bp : z-spread per bond in bp (N values or a scalar; default 0).
    shift_bp : curve shift in bp (default 25).
    basis : which zero rates the shifts move, "semiannual" (default) or "continuous".

    Returns
    -------
    BatchRisk

    Notes
    -----
    Every shifted curve is the base curve plus ``dy w(t)`` on its zero rates, with ``w`` a
    piecewise-linear profile (1 for a parallel shift, a key-rate triangle otherwise). Each flow's
    present value is then multiplied by ``g(dy w(t))``: ``exp(-x t)`` for continuous zeros, and
    ``(1 + x / (2 + z2(t)))^(-2 t)`` for semiannual zeros ``z2 = 2 (exp(z / 2) - 1)``. Each flow
    lies under at most two key-rate triangles. Only live flows of the padded matrix are
    computed. The results equal pricing off explicitly shifted curves (tests check it to 1e-10).
    """
    _check_shift(shift_bp)
    _check_basis(basis)
    n = flows.n_bonds
    spread = np.broadcast_to(
        np.asarray(0.0 if spreads_bp is None else spreads_bp, dtype=np.float64), (n,)
    )
    if not np.all(np.isfinite(spread)):
        raise InputError("spreads_bp", "spreads_bp must be finite")
    h = shift_bp * BP
    live = flows.amounts != 0.0
    bond = np.nonzero(live)[0]
    t = flows.times_years[live]
    zero = curve.zero_rate(t)
    pv = flows.amounts[live] * np.exp(-(zero + spread[bond] * BP) * t)

    if basis == "continuous":

        def factor(x: FloatArray) -> FloatArray:
            out: FloatArray = np.exp(-x * t)
            return out

    else:
        denom = PAR_FREQUENCY + PAR_FREQUENCY * np.expm1(zero / PAR_FREQUENCY)  # 2 + z2

        def factor(x: FloatArray) -> FloatArray:
            out: FloatArray = np.exp(-PAR_FREQUENCY * t * np.log1p(x / denom))
            return out

    def per_bond(weights: FloatArray) -> FloatArray:
        return np.bincount(bond, weights=weights, minlength=n).astype(np.float64, copy=False)

    ones = np.ones_like(t)
    p0 = per_bond(pv)
    up = per_bond(pv * factor(h * ones))  # P(+dy)
    down = per_bond(pv * factor(-h * ones))  # P(-dy)
    # Key-rate triangles: the left key of each flow and the weight of the right key.
    left = np.clip(np.searchsorted(_KEY_YEARS, t, side="right") - 1, 0, _KEY_YEARS.size - 2)
    w_right = np.clip((t - _KEY_YEARS[left]) / (_KEY_YEARS[left + 1] - _KEY_YEARS[left]), 0.0, 1.0)
    n_keys = _KEY_YEARS.size
    bins = bond * n_keys + left
    size = n * n_keys
    w_left = 1.0 - w_right
    diff = np.bincount(bins, weights=pv * (factor(-h * w_left) - factor(h * w_left)), minlength=size)
    diff += np.bincount(bins + 1, weights=pv * (factor(-h * w_right) - factor(h * w_right)), minlength=size)
    krd = diff.reshape(n, n_keys) / (2.0 * h * p0[:, None])  # (P_k(-dy) - P_k(+dy)) / (2 P0 dy)
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


def krd_first_order_change(dirty_price: float, krd: Mapping[str, float],
                           shifts_bp: Mapping[str, float]) -> float:
    """First-order price change (per 100) of key-rate shifts: ``-dirty x sum(KRD_k x shift_k)``.

    ``krd`` in years by key tenor, ``shifts_bp`` in bp by key tenor (a key missing from either
    counts as 0). The gap to a full revaluation is convexity, options and tax effects.
    """
    if not math.isfinite(dirty_price) or dirty_price <= 0.0:
        raise ValueError(f"dirty_price must be a positive price per 100, got {dirty_price}")
    total = sum(float(krd.get(k, 0.0)) * float(shifts_bp.get(k, 0.0)) for k in KEY_TENORS)
    return -dirty_price * total * BP


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
            raise InputError("futures_dv01_usd", f"futures_dv01_usd[{key!r}] must be a positive USD amount per bp, got {dv01}")
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
