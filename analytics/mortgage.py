"""Mortgage convexity hedging: prepayment S-curve, MBS pool duration and the re-hedging flow.

When rates rise, refinancing slows, the agency MBS universe's duration extends, and holders
who hedge it (servicers, banks, REITs) sell duration to stay hedged (DOMAIN.md section 7):

    flow (10y-equivalent USD bn) ~ change in universe duration x hedged market value
                                   / duration of the hedge instrument.

Model, in order:

1. Prepayment speed: an annualised CPR that is a logistic function of the refinancing
   incentive (outstanding note rate - current mortgage rate, in %), between a base turnover
   speed and a saturation speed (:class:`PrepaymentCurve`).
2. Pool duration: a level-pay pool with monthly payments that prepays at a constant CPR;
   its cash flows are discounted at the current mortgage rate (monthly compounding); the
   modified duration of those cash flows is the pool's duration (:func:`pool_price_duration`).
3. Universe: buckets of note rates (coupon -> share of outstanding balance); the universe
   duration is the market-value-weighted average of the buckets' durations
   (:class:`MortgageUniverse`).
4. Shock: the mortgage rate moves one for one with the rate shock; CPRs and durations are
   recomputed; the hedged part's change in dollar duration is turned into 10y notes
   (:func:`convexity_hedge_flow`, swept over shocks by :func:`convexity_hedge_sweep`).

The hedge flow uses the *prepayment* part of the duration change (new CPR, unchanged
discount rate). The rest of the change (discounting at a higher rate shortens every fixed
cash-flow stream) is ordinary positive convexity that the hedges (Treasuries, swaps) share,
so it does not call for re-hedging; the total change is reported as well.

Simplifications, stated where users can see them: coupons are borrowers' note rates (no
servicing or guarantee-fee strip between note rate and pass-through coupon); every bucket
has the same remaining term; no seasoning, burnout or lag between rates and prepayments;
CPR is constant over the pool's life.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Final

import numpy as np
import numpy.typing as npt
import pandas as pd

from analytics.checks import InputError, check_range

__all__ = [
    "DEFAULT_BASE_CPR_PCT",
    "DEFAULT_MAX_CPR_PCT",
    "DEFAULT_MIDPOINT_PCT",
    "DEFAULT_SLOPE_PER_PCT",
    "DEFAULT_OUTSTANDING_BN",
    "DEFAULT_COUPON_SHARES",
    "DEFAULT_HEDGED_SHARE",
    "DEFAULT_MORTGAGE_RATE_PCT",
    "DEFAULT_TEN_YEAR_YIELD_PCT",
    "DEFAULT_REMAINING_TERM_MONTHS",
    "DEFAULT_SWEEP_SHOCKS_BP",
    "MAX_SHOCK_BP",
    "PrepaymentCurve",
    "MortgageUniverse",
    "ConvexityHedgeResult",
    "cpr_pct",
    "pool_price_duration",
    "par_bond_modified_duration",
    "convexity_hedge_flow",
    "convexity_hedge_sweep",
]

#: Base (turnover) CPR in % a year: home sales and defaults prepay even with no incentive.
DEFAULT_BASE_CPR_PCT: Final[float] = 7.0
#: Saturation CPR in % a year, reached deep in the money (historical peaks ~50-60%).
DEFAULT_MAX_CPR_PCT: Final[float] = 55.0
#: Incentive (note rate - mortgage rate, %) at which CPR is halfway between base and max.
DEFAULT_MIDPOINT_PCT: Final[float] = 0.75
#: Logistic steepness per 1% of incentive: 2.5 takes CPR from ~13% at 0 to ~49% at +1.5%.
DEFAULT_SLOPE_PER_PCT: Final[float] = 2.5

#: Agency MBS outstanding, USD bn (order of magnitude of the 2024-2025 universe, ~USD 9tn).
DEFAULT_OUTSTANDING_BN: Final[float] = 9_000.0
#: Illustrative note-rate distribution of the outstanding balance (share by coupon, %):
#: the low-coupon 2020-2021 vintages dominate; not a published breakdown, an editable input.
DEFAULT_COUPON_SHARES: Final[Mapping[float, float]] = MappingProxyType(
    {
        2.5: 0.10,
        3.0: 0.12,
        3.5: 0.13,
        4.0: 0.12,
        4.5: 0.12,
        5.0: 0.11,
        5.5: 0.10,
        6.0: 0.09,
        6.5: 0.07,
        7.0: 0.04,
    }
)
#: Share of the universe whose holders actively hedge its duration (servicers, some banks,
#: REITs); the Fed's and most banks' holdings are not hedged. An editable assumption.
DEFAULT_HEDGED_SHARE: Final[float] = 0.15
#: Current 30y mortgage rate, % (Freddie Mac PMMS was 6.15% on 2025-12-31).
DEFAULT_MORTGAGE_RATE_PCT: Final[float] = 6.25
#: 10y Treasury yield used to price the 10y par note that serves as hedge instrument, %.
DEFAULT_TEN_YEAR_YIELD_PCT: Final[float] = 4.25
#: Remaining term of every bucket, months (a new 30y pool).
DEFAULT_REMAINING_TERM_MONTHS: Final[int] = 360
#: Shocks of the chart's sweep, bp.
DEFAULT_SWEEP_SHOCKS_BP: Final[tuple[float, ...]] = tuple(float(x) for x in range(-200, 201, 25))
#: Largest absolute rate shock accepted, bp.
MAX_SHOCK_BP: Final[float] = 1_000.0

#: Accepted ranges, in the units of the parameter names.
_MAX_RATE_PCT: Final[float] = 25.0
_MAX_TERM_MONTHS: Final[int] = 480
_HEDGE_TENOR_YEARS: Final[float] = 10.0
_HEDGE_FREQUENCY: Final[int] = 2
_MONTHS_A_YEAR: Final[int] = 12

FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True, kw_only=True)
class PrepaymentCurve:
    """Prepayment S-curve: annualised CPR as a logistic function of the refinancing incentive.

    ``CPR(x) = base + (max - base) / (1 + exp(-slope * (x - midpoint)))`` with the
    incentive ``x`` = note rate - current mortgage rate, in %.

    Parameters
    ----------
    base_cpr_pct : float, optional
        CPR far out of the money (turnover), % a year, in [0, 100).
    max_cpr_pct : float, optional
        CPR far in the money (saturation), % a year, in (base_cpr_pct, 100].
    midpoint_pct : float, optional
        Incentive at which CPR is halfway between base and max, %, in [-5, 5].
    slope_per_pct : float, optional
        Steepness of the S per 1% of incentive, in (0, 20].
    """

    base_cpr_pct: float = DEFAULT_BASE_CPR_PCT
    max_cpr_pct: float = DEFAULT_MAX_CPR_PCT
    midpoint_pct: float = DEFAULT_MIDPOINT_PCT
    slope_per_pct: float = DEFAULT_SLOPE_PER_PCT

    def __post_init__(self) -> None:
        check_range("base_cpr_pct", self.base_cpr_pct, 0.0, 100.0)
        check_range("max_cpr_pct", self.max_cpr_pct, 0.0, 100.0)
        if not self.max_cpr_pct > self.base_cpr_pct:
            raise InputError(
                "max_cpr_pct",
                f"max_cpr_pct must be above base_cpr_pct ({self.base_cpr_pct:g}), "
                f"got {self.max_cpr_pct:g}"
            )
        check_range("midpoint_pct", self.midpoint_pct, -5.0, 5.0)
        check_range("slope_per_pct", self.slope_per_pct, 0.0, 20.0, low_open=True)


def cpr_pct(incentive_pct: npt.ArrayLike, *, curve: PrepaymentCurve | None = None) -> FloatArray:
    """Annualised CPR (% a year) for a refinancing incentive, vectorised.

    Parameters
    ----------
    incentive_pct : array_like
        Note rate minus current mortgage rate, in %.
    curve : PrepaymentCurve, optional
        S-curve parameters; the documented defaults when omitted.

    Returns
    -------
    numpy.ndarray
        CPR in % a year, same shape as ``incentive_pct``; strictly increasing in it.
    """
    c = curve if curve is not None else PrepaymentCurve()
    x = np.asarray(incentive_pct, dtype=np.float64)
    # Written with exp of a non-positive number so that extreme incentives neither overflow
    # nor lose the monotonicity of the logistic.
    z = c.slope_per_pct * (x - c.midpoint_pct)
    ez = np.exp(-np.abs(z))
    logistic = np.where(z >= 0, 1.0 / (1.0 + ez), ez / (1.0 + ez))
    return np.asarray(
        c.base_cpr_pct + (c.max_cpr_pct - c.base_cpr_pct) * logistic, dtype=np.float64
    )


def pool_price_duration(
    coupon_pct: npt.ArrayLike,
    cpr: npt.ArrayLike,
    discount_rate_pct: npt.ArrayLike,
    *,
    remaining_term_months: int = DEFAULT_REMAINING_TERM_MONTHS,
) -> tuple[FloatArray, FloatArray]:
    """Price and modified duration of a level-pay mortgage pool prepaying at a constant CPR.

    Monthly cash flows per 1 of current balance: the scheduled level payment at the note rate
    plus prepayments at the single monthly mortality ``SMM = 1 - (1 - CPR)^(1/12)``; the
    balance after k months is the scheduled balance times ``(1 - SMM)^k``. Cash flows are
    discounted at ``discount_rate_pct`` compounded monthly. Arguments broadcast together.

    Parameters
    ----------
    coupon_pct : array_like
        Note rate, % a year, in (0, 25].
    cpr : array_like
        Annualised prepayment rate, % a year, in [0, 100].
    discount_rate_pct : array_like
        Discount rate (the current mortgage rate), % a year compounded monthly, in (0, 25].
    remaining_term_months : int, optional
        Months of scheduled payments left, in [1, 480].

    Returns
    -------
    price : numpy.ndarray
        Present value per 1 of balance (1.0 = par).
    duration_yrs : numpy.ndarray
        Modified duration in years: -dP/dy / P with the cash flows held fixed.
    """
    if isinstance(remaining_term_months, bool) or not isinstance(remaining_term_months, int):
        raise InputError("remaining_term_months", f"remaining_term_months must be an integer, got {remaining_term_months!r}")
    if not 1 <= remaining_term_months <= _MAX_TERM_MONTHS:
        raise InputError(
            "remaining_term_months",
            f"remaining_term_months must be in [1, {_MAX_TERM_MONTHS}], got {remaining_term_months}"
        )
    c = np.asarray(coupon_pct, dtype=np.float64)
    p = np.asarray(cpr, dtype=np.float64)
    y = np.asarray(discount_rate_pct, dtype=np.float64)
    if not (np.all(np.isfinite(c)) and np.all((c > 0) & (c <= _MAX_RATE_PCT))):
        raise InputError("coupon_pct", f"coupon_pct must be in (0, {_MAX_RATE_PCT:g}]")
    if not (np.all(np.isfinite(p)) and np.all((p >= 0) & (p <= 100))):
        raise InputError("cpr", "cpr must be in [0, 100] (% a year)")
    if not (np.all(np.isfinite(y)) and np.all((y > 0) & (y <= _MAX_RATE_PCT))):
        raise InputError("discount_rate_pct", f"discount_rate_pct must be in (0, {_MAX_RATE_PCT:g}]")
    try:
        np.broadcast_shapes(c.shape, p.shape, y.shape)
    except ValueError:
        raise ValueError(
            f"coupon_pct, cpr and discount_rate_pct must broadcast together, got shapes "
            f"{c.shape}, {p.shape}, {y.shape}"
        ) from None

    flows = _pool_flows(c, p, remaining_term_months)
    return _price_duration(flows, y)


def _pool_flows(coupon_pct: FloatArray, cpr: FloatArray, months: int) -> FloatArray:
    """Monthly cash flows per 1 of balance, shape broadcast(coupon, cpr) + (months,)."""
    k = np.arange(0, months + 1, dtype=np.float64)  # month index, 0 = today
    # Each factor is built on its own argument's shape and broadcast only when multiplied:
    # a sweep (shocks x coupons) then computes the amortisation schedule once per coupon.
    i = (coupon_pct / 100.0 / _MONTHS_A_YEAR)[..., None]
    log_growth = np.log1p(i)
    growth_n = np.exp(months * log_growth)
    scheduled = (growth_n - np.exp(k * log_growth)) / (growth_n - 1.0)
    # log(1 - SMM) = log(1 - CPR) / 12; CPR = 100% gives -inf and a zero balance after month 0.
    with np.errstate(divide="ignore", invalid="ignore"):
        log_survival = (np.log1p(-cpr / 100.0) / _MONTHS_A_YEAR)[..., None]
        survival = np.exp(np.where(k > 0, k * log_survival, 0.0))
    balance = scheduled * survival
    # Cash flow of month k: interest on the balance at k-1 plus all principal repaid,
    # scheduled and prepaid, i.e. B(k-1) (1 + i) - B(k).
    return np.asarray(balance[..., :-1] * (1.0 + i) - balance[..., 1:], dtype=np.float64)


def _price_duration(
    flows: FloatArray, rate_pct: FloatArray | float
) -> tuple[FloatArray, FloatArray]:
    """Price and modified duration of monthly ``flows`` at ``rate_pct`` compounded monthly."""
    months = flows.shape[-1]
    t = np.arange(1, months + 1, dtype=np.float64)
    v = 1.0 / (1.0 + np.asarray(rate_pct, dtype=np.float64) / 100.0 / _MONTHS_A_YEAR)
    discount = np.exp(t * np.log(v)[..., None])
    pv = flows * discount
    price = pv.sum(axis=-1)
    macaulay_yrs = (pv @ (t / _MONTHS_A_YEAR)) / price
    duration_yrs = macaulay_yrs * v
    return np.asarray(price, dtype=np.float64), np.asarray(duration_yrs, dtype=np.float64)


def par_bond_modified_duration(
    yield_pct: float,
    *,
    maturity_years: float = _HEDGE_TENOR_YEARS,
    frequency: int = _HEDGE_FREQUENCY,
) -> float:
    """Modified duration (years) of a bullet bond priced at par.

    At par the coupon equals the yield and ``D = (1 - (1 + y/f)^(-f T)) / y``.

    Parameters
    ----------
    yield_pct : float
        Yield (= coupon) in % a year, compounded ``frequency`` times a year, in (0, 25].
    maturity_years : float, optional
        Maturity in years, a whole number of coupon periods, in (0, 100].
    frequency : int, optional
        Coupons a year (2 for Treasuries), in [1, 12].
    """
    check_range("yield_pct", yield_pct, 0.0, _MAX_RATE_PCT, low_open=True)
    check_range("maturity_years", maturity_years, 0.0, 100.0, low_open=True)
    if isinstance(frequency, bool) or not isinstance(frequency, int) or not 1 <= frequency <= 12:
        raise InputError("frequency", f"frequency must be an integer in [1, 12], got {frequency!r}")
    y = yield_pct / 100.0
    periods = maturity_years * frequency
    return float((1.0 - (1.0 + y / frequency) ** (-periods)) / y)


def _normalise_shares(coupon_shares: Mapping[float, float]) -> tuple[tuple[float, float], ...]:
    if len(coupon_shares) == 0:
        raise InputError("coupon_shares", "coupon_shares must name at least one coupon")
    pairs: list[tuple[float, float]] = []
    for coupon, share in sorted(coupon_shares.items()):
        check_range("coupon_shares coupon (%)", float(coupon), 0.0, _MAX_RATE_PCT, low_open=True)
        check_range(f"coupon_shares share of {coupon:g}%", float(share), 0.0, 100.0)
        pairs.append((float(coupon), float(share)))
    total = sum(s for _, s in pairs)
    if total <= 0.0:
        raise InputError("coupon_shares", "coupon_shares must have a positive total share")
    # Shares are normalised so that "3:20,4:30,5:50" and "3:0.2,4:0.3,5:0.5" agree; a total far
    # from 1 is accepted because users often type rough weights.
    return tuple((c, s / total) for c, s in pairs)


@dataclass(frozen=True, kw_only=True)
class MortgageUniverse:
    """The agency MBS universe that convexity hedgers hold.

    Parameters
    ----------
    outstanding_bn : float, optional
        Outstanding balance, USD bn, in (0, 50000].
    coupon_shares : Mapping[float, float], optional
        Note rate (%, in (0, 25]) -> share of the balance, as a fraction or a percent (each
        in [0, 100]); normalised to sum to 1. Use
        :meth:`single_coupon` for an average coupon.
    hedged_share : float, optional
        Fraction of the universe whose duration is actively hedged, in [0, 1].
    mortgage_rate_pct : float, optional
        Current 30y mortgage rate, %, in (0, 25].
    remaining_term_months : int, optional
        Remaining term of every bucket, months, in [1, 480].
    prepayment : PrepaymentCurve, optional
        Prepayment S-curve.
    """

    outstanding_bn: float = DEFAULT_OUTSTANDING_BN
    coupon_shares: Mapping[float, float] = field(default_factory=lambda: DEFAULT_COUPON_SHARES)
    hedged_share: float = DEFAULT_HEDGED_SHARE
    mortgage_rate_pct: float = DEFAULT_MORTGAGE_RATE_PCT
    remaining_term_months: int = DEFAULT_REMAINING_TERM_MONTHS
    prepayment: PrepaymentCurve = field(default_factory=PrepaymentCurve)

    def __post_init__(self) -> None:
        check_range("outstanding_bn", self.outstanding_bn, 0.0, 50_000.0, low_open=True)
        check_range("hedged_share", self.hedged_share, 0.0, 1.0)
        check_range("mortgage_rate_pct", self.mortgage_rate_pct, 0.0, _MAX_RATE_PCT, low_open=True)
        term = self.remaining_term_months
        if isinstance(term, bool) or not isinstance(term, int) or not 1 <= term <= _MAX_TERM_MONTHS:
            raise InputError(
                "remaining_term_months",
                f"remaining_term_months must be an integer in [1, {_MAX_TERM_MONTHS}], got {term!r}"
            )
        # Frozen: store an immutable, normalised copy so later edits of the caller's dict
        # cannot change a universe that has been validated.
        normalised = MappingProxyType(dict(_normalise_shares(self.coupon_shares)))
        object.__setattr__(self, "coupon_shares", normalised)

    @classmethod
    def single_coupon(
        cls,
        coupon_pct: float,
        *,
        outstanding_bn: float = DEFAULT_OUTSTANDING_BN,
        hedged_share: float = DEFAULT_HEDGED_SHARE,
        mortgage_rate_pct: float = DEFAULT_MORTGAGE_RATE_PCT,
        remaining_term_months: int = DEFAULT_REMAINING_TERM_MONTHS,
        prepayment: PrepaymentCurve | None = None,
    ) -> MortgageUniverse:
        """A universe whose whole balance carries one (average) note rate ``coupon_pct`` (%)."""
        return cls(
            outstanding_bn=outstanding_bn,
            coupon_shares={coupon_pct: 1.0},
            hedged_share=hedged_share,
            mortgage_rate_pct=mortgage_rate_pct,
            remaining_term_months=remaining_term_months,
            prepayment=prepayment if prepayment is not None else PrepaymentCurve(),
        )

    @property
    def average_coupon_pct(self) -> float:
        """Balance-weighted average note rate, %."""
        return float(sum(c * s for c, s in self.coupon_shares.items()))


@dataclass(frozen=True, eq=False)
class ConvexityHedgeResult:
    """Outcome of a parallel rate shock on the MBS universe and its hedgers.

    Attributes
    ----------
    shock_bp : rate shock, bp (the mortgage rate moves one for one).
    mortgage_rate_before_pct, mortgage_rate_after_pct : current mortgage rate, %.
    cpr_before_pct, cpr_after_pct : balance-weighted CPR of the universe, % a year.
    duration_before_yrs, duration_after_yrs : market-value-weighted universe duration, years
        (after: new CPRs and new discount rate).
    duration_extension_yrs : duration_after_yrs - duration_before_yrs, years.
    prepay_extension_yrs : the part of the change due to prepayments only (new CPRs,
        unchanged discount rate), years; this is what hedgers re-hedge.
    market_value_bn : market value of the universe before the shock, USD bn.
    hedged_market_value_bn : market value of the hedged part, USD bn.
    dollar_duration_change_bn_yrs : change of the hedged part's dollar duration
        (hedged market value x prepay extension), USD bn x years.
    dv01_change_usd_mn : the same as a DV01 change, USD mn per bp.
    hedge_duration_yrs : modified duration of the hedge instrument (10y par note), years.
    hedge_flow_10y_bn : 10y notes to sell (+) or buy (-) to re-hedge, USD bn.
    buckets : per-coupon frame: coupon_pct, share, cpr_before_pct, cpr_after_pct, price,
        duration_before_yrs, duration_after_yrs, prepay_duration_after_yrs.
    """

    shock_bp: float
    mortgage_rate_before_pct: float
    mortgage_rate_after_pct: float
    cpr_before_pct: float
    cpr_after_pct: float
    duration_before_yrs: float
    duration_after_yrs: float
    duration_extension_yrs: float
    prepay_extension_yrs: float
    market_value_bn: float
    hedged_market_value_bn: float
    dollar_duration_change_bn_yrs: float
    dv01_change_usd_mn: float
    hedge_duration_yrs: float
    hedge_flow_10y_bn: float
    buckets: pd.DataFrame

    def summary(self) -> dict[str, float]:
        """The scalar fields as a flat dict (for JSON and tables)."""
        return {k: float(v) for k, v in self.__dict__.items() if k != "buckets"}


def _hedge_duration(hedge_duration_yrs: float | None, ten_year_yield_pct: float) -> float:
    if hedge_duration_yrs is not None:
        check_range("hedge_duration_yrs", hedge_duration_yrs, 0.0, 40.0, low_open=True)
        return float(hedge_duration_yrs)
    return par_bond_modified_duration(ten_year_yield_pct)


def _check_shocks(shocks: FloatArray) -> None:
    if shocks.size == 0 or not np.all(np.isfinite(shocks)):
        raise InputError("shock_bp", "shock_bp must be finite numbers")
    if np.any(np.abs(shocks) > MAX_SHOCK_BP):
        raise InputError("shock_bp", f"shock_bp must be in [{-MAX_SHOCK_BP:g}, {MAX_SHOCK_BP:g}]")


def _evaluate(
    universe: MortgageUniverse,
    shocks_bp: FloatArray,
    hedge_duration_yrs: float,
) -> dict[str, FloatArray]:
    """All the shocks at once: arrays of shape (n_shocks, n_buckets) reduced per shock."""
    coupons = np.array(list(universe.coupon_shares.keys()), dtype=np.float64)
    shares = np.array(list(universe.coupon_shares.values()), dtype=np.float64)
    rate0 = universe.mortgage_rate_pct
    rate1 = rate0 + shocks_bp / 100.0
    if np.any(rate1 <= 0.0) or np.any(rate1 > _MAX_RATE_PCT):
        low = max(-MAX_SHOCK_BP, -rate0 * 100.0)
        high = min(MAX_SHOCK_BP, (_MAX_RATE_PCT - rate0) * 100.0)
        raise ValueError(
            f"shock_bp moves mortgage_rate_pct ({rate0:g}%) outside (0, {_MAX_RATE_PCT:g}]%: "
            f"with this rate shock_bp must be in ({low:g}, {high:g}]"
        )
    term = universe.remaining_term_months
    curve = universe.prepayment
    cpr0 = cpr_pct(coupons - rate0, curve=curve)
    cpr1 = cpr_pct(coupons[None, :] - rate1[:, None], curve=curve)
    # Inputs are validated by the universe and above, so the private steps are used directly
    # and the shocked cash flows are built once for both discount rates.
    price0, dur0 = _price_duration(_pool_flows(coupons, cpr0, term), rate0)
    flows1 = _pool_flows(coupons[None, :], cpr1, term)
    _, dur1 = _price_duration(flows1, rate1[:, None])
    _, dur1_prepay = _price_duration(flows1, rate0)

    mv_weights = shares * price0 / np.sum(shares * price0)
    market_value_bn = universe.outstanding_bn * float(np.sum(shares * price0))
    d0 = float(np.sum(mv_weights * dur0))
    d1 = dur1 @ mv_weights
    d1_prepay = dur1_prepay @ mv_weights
    hedged_mv = market_value_bn * universe.hedged_share
    dd_change = hedged_mv * (d1_prepay - d0)
    return {
        "coupons": coupons,
        "shares": shares,
        "rate1": rate1,
        "cpr0": cpr0,
        "cpr1": cpr1,
        "price0": price0,
        "dur0": dur0,
        "dur1": dur1,
        "dur1_prepay": dur1_prepay,
        "cpr0_univ": np.atleast_1d(np.sum(shares * cpr0)),
        "cpr1_univ": cpr1 @ shares,
        "d0": np.atleast_1d(d0),
        "d1": d1,
        "d1_prepay": d1_prepay,
        "mv": np.atleast_1d(market_value_bn),
        "hedged_mv": np.atleast_1d(hedged_mv),
        "dd_change": dd_change,
        # 1 bn x 1 year of dollar duration = 1e9 x 1e-4 USD per bp = 0.1 USD mn per bp.
        "dv01_change": dd_change * 0.1,
        "flow": dd_change / hedge_duration_yrs,
    }


def convexity_hedge_flow(
    universe: MortgageUniverse,
    *,
    shock_bp: float,
    ten_year_yield_pct: float = DEFAULT_TEN_YEAR_YIELD_PCT,
    hedge_duration_yrs: float | None = None,
) -> ConvexityHedgeResult:
    """Duration extension of the MBS universe and the hedgers' flow for a parallel shock.

    Parameters
    ----------
    universe : MortgageUniverse
        Outstanding balance, coupon distribution, hedged share, mortgage rate.
    shock_bp : float
        Parallel rate shock, bp, in [-1000, 1000] and keeping the mortgage rate in (0, 25]%.
    ten_year_yield_pct : float, optional
        10y Treasury yield, %; the hedge instrument is a 10y par note at this yield.
    hedge_duration_yrs : float, optional
        Duration of the hedge instrument, years, in (0, 40]; overrides the 10y par note.

    Returns
    -------
    ConvexityHedgeResult
        ``hedge_flow_10y_bn > 0`` means hedgers sell duration (rates up), < 0 buy.
    """
    check_range("shock_bp", shock_bp, -MAX_SHOCK_BP, MAX_SHOCK_BP)
    hedge_d = _hedge_duration(hedge_duration_yrs, ten_year_yield_pct)
    ev = _evaluate(universe, np.array([float(shock_bp)]), hedge_d)
    buckets = pd.DataFrame(
        {
            "coupon_pct": ev["coupons"],
            "share": ev["shares"],
            "cpr_before_pct": ev["cpr0"],
            "cpr_after_pct": ev["cpr1"][0],
            "price": ev["price0"],
            "duration_before_yrs": ev["dur0"],
            "duration_after_yrs": ev["dur1"][0],
            "prepay_duration_after_yrs": ev["dur1_prepay"][0],
        }
    )
    d0 = float(ev["d0"][0])
    d1 = float(ev["d1"][0])
    return ConvexityHedgeResult(
        shock_bp=float(shock_bp),
        mortgage_rate_before_pct=universe.mortgage_rate_pct,
        mortgage_rate_after_pct=float(ev["rate1"][0]),
        cpr_before_pct=float(ev["cpr0_univ"][0]),
        cpr_after_pct=float(ev["cpr1_univ"][0]),
        duration_before_yrs=d0,
        duration_after_yrs=d1,
        duration_extension_yrs=d1 - d0,
        prepay_extension_yrs=float(ev["d1_prepay"][0]) - d0,
        market_value_bn=float(ev["mv"][0]),
        hedged_market_value_bn=float(ev["hedged_mv"][0]),
        dollar_duration_change_bn_yrs=float(ev["dd_change"][0]),
        dv01_change_usd_mn=float(ev["dv01_change"][0]),
        hedge_duration_yrs=hedge_d,
        hedge_flow_10y_bn=float(ev["flow"][0]),
        buckets=buckets,
    )


def convexity_hedge_sweep(
    universe: MortgageUniverse,
    *,
    shocks_bp: npt.ArrayLike = DEFAULT_SWEEP_SHOCKS_BP,
    ten_year_yield_pct: float = DEFAULT_TEN_YEAR_YIELD_PCT,
    hedge_duration_yrs: float | None = None,
) -> pd.DataFrame:
    """:func:`convexity_hedge_flow` over a range of shocks, for a chart (one vectorised pass).

    Parameters
    ----------
    universe : MortgageUniverse
        The MBS universe.
    shocks_bp : array_like, optional
        Parallel shocks, bp (default -200..+200 by 25).
    ten_year_yield_pct, hedge_duration_yrs : optional
        As in :func:`convexity_hedge_flow`.

    Returns
    -------
    pandas.DataFrame
        Indexed by ``shock_bp``; columns cpr_pct, duration_yrs, duration_extension_yrs,
        prepay_extension_yrs, dv01_change_usd_mn, hedge_flow_10y_bn.
    """
    shocks = np.atleast_1d(np.asarray(shocks_bp, dtype=np.float64))
    if shocks.ndim != 1:
        raise InputError("shocks_bp", "shocks_bp must be one-dimensional")
    _check_shocks(shocks)
    hedge_d = _hedge_duration(hedge_duration_yrs, ten_year_yield_pct)
    ev = _evaluate(universe, shocks, hedge_d)
    d0 = float(ev["d0"][0])
    frame = pd.DataFrame(
        {
            "cpr_pct": ev["cpr1_univ"],
            "duration_yrs": ev["d1"],
            "duration_extension_yrs": ev["d1"] - d0,
            "prepay_extension_yrs": ev["d1_prepay"] - d0,
            "dv01_change_usd_mn": ev["dv01_change"],
            "hedge_flow_10y_bn": ev["flow"],
        },
        index=pd.Index(shocks, name="shock_bp"),
    )
    return frame
