"""Municipal bonds: tax-aware prices under the de minimis rule.

A muni bought at a market discount owes tax on the discount when it is redeemed. The market
discount is measured from the **adjusted issue price** ``A``: 100 for a bond issued at par or
above, and for a bond issued at an original-issue discount (OID) the issue price accreted at
the issue yield to the settlement date. The OID itself accretes **tax-free** (it is tax-exempt
interest), so a zero-coupon muni bought at its accreted value owes no tax at all.

If the market discount ``A - P`` is **less than** the de minimis amount, 0.25 points per
**full** year to maturity, it is treated as zero and the gain is taxed at the capital-gains
rate; at or above that amount it is taxed at the ordinary-income rate (IRC section
1278(a)(2)(C): only a discount *less than* a quarter point per full year is de minimis); at or
above ``A`` there is no tax. The market price therefore solves the fixed point::

    P + AI = V - t(P) * (A - P) * U

where ``V`` is the pre-tax value of the bond (dirty, per 100), ``U`` the present value of 1 paid
at redemption (``D(T)`` for a bullet) and ``AI`` the accrued interest.

Solution
--------
``t(P)`` is constant on each of the three price regions, and the equation is linear in ``P``
there, so each region's candidate is computed exactly and kept if it lies in its own region
(no iteration, no convergence question). Ties: a price exactly at the threshold
``A - 0.25 x full years`` is taxed at the ordinary-income rate (the discount is not *less
than* the de minimis amount). The right-hand side jumps **up** at the
threshold, so there is always at least one solution and at most two (one each side of the
threshold). When there are two, the caller may name the regime to keep (``prefer``): risk and
scenario code passes the regime of the observed base price, so a shifted price stays in the
base regime while that regime is self-consistent and jumps only when it stops existing. Without
a preference the higher price (capital-gains regime) is taken. This produces the documented
asymmetry: a parallel rise in rates can push a near-par muni through the threshold where single
key-rate shifts cannot.

Callable munis
--------------
``V`` and ``U`` come from the Hull-White tree: ``U`` is the value of 1 paid at the call or at
maturity under the issuer's (pre-tax) exercise policy. Documented approximation: the whole
discount is taxed at redemption (a call redeems the full discount too; no ratable accrual),
and the de minimis threshold uses the full years to final maturity. The accreted issue price
uses the street yield at issue on the bond's own coupon-period time axis (constant-yield
accretion, exact on coupon dates).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Final, Literal

import numpy as np

from analytics.bonds import FACE, Bullet, price_from_yield, solve_spread_bp, yield_from_price
from analytics.checks import InputError
from analytics.curves import BP, ZeroCurve
from analytics.hullwhite import CallableBond, CallableTreePricer, HullWhiteParams

__all__ = [
    "DEFAULT_ORDINARY_RATE",
    "DEFAULT_CAPITAL_GAINS_RATE",
    "DE_MINIMIS_POINTS_PER_YEAR",
    "TaxRegime",
    "MuniBond",
    "TaxAwarePrice",
    "full_years",
    "adjusted_issue_price",
    "de_minimis_threshold_price",
    "tax_rate_for_price",
    "regime_for_price",
    "solve_tax_aware_price",
    "MuniPricer",
]

#: Ordinary-income tax rate on market discount below the de minimis threshold (decimal).
DEFAULT_ORDINARY_RATE: Final[float] = 0.40
#: Capital-gains tax rate on a de minimis discount (decimal).
DEFAULT_CAPITAL_GAINS_RATE: Final[float] = 0.20
#: De minimis amount: this many points of price per full year to maturity.
DE_MINIMIS_POINTS_PER_YEAR: Final[float] = 0.25
#: Tolerance (price points) when checking that a candidate lies in its own tax region.
_REGION_TOL: Final[float] = 1e-10

TaxRegime = Literal["none", "capital_gains", "ordinary"]


def _check_rate(name: str, value: float) -> None:
    if not math.isfinite(value) or not 0.0 <= value < 1.0:
        raise InputError(name, f"{name} must be a decimal tax rate in [0, 1), got {value}")


def _check_rates(ordinary_rate: float, capital_gains_rate: float) -> None:
    _check_rate("ordinary_rate", ordinary_rate)
    _check_rate("capital_gains_rate", capital_gains_rate)
    # The de minimis rule taxes a deep discount MORE (as ordinary income). With the rates the
    # other way round no price is self-consistent just around the threshold.
    if ordinary_rate < capital_gains_rate:
        raise InputError(
            "ordinary_rate",
            f"ordinary_rate ({ordinary_rate:g}) must be at least capital_gains_rate "
            f"({capital_gains_rate:g}): the de minimis rule taxes the larger discount as income"
        )


@dataclass(frozen=True, kw_only=True)
class MuniBond:
    """A tax-exempt municipal bond whose market discount is taxed at redemption.

    Parameters
    ----------
    bond : the bond (a :class:`~analytics.bonds.Bullet` or a callable
        :class:`~analytics.hullwhite.CallableBond`).
    ordinary_rate : ordinary-income tax rate, decimal in [0, 1) (default 0.40).
    capital_gains_rate : capital-gains tax rate, decimal in [0, 1), at most the ordinary rate
        (default 0.20).
    issue_price : price per 100 at original issue; below 100 it is an original-issue discount
        that accretes tax-free (default None: issued at par).
    years_since_issue : years from the issue date to settlement, >= 0 (default 0: the
        accreted value is the issue price itself).
    """

    bond: Bullet | CallableBond
    ordinary_rate: float = DEFAULT_ORDINARY_RATE
    capital_gains_rate: float = DEFAULT_CAPITAL_GAINS_RATE
    issue_price: float | None = None
    years_since_issue: float = 0.0

    def __post_init__(self) -> None:
        _check_rates(self.ordinary_rate, self.capital_gains_rate)
        if self.issue_price is not None and (
            not math.isfinite(self.issue_price) or not 0.0 < self.issue_price <= 1_000.0
        ):
            raise InputError("issue_price", f"issue_price must be a price per 100 in (0, 1000], got {self.issue_price}")
        if not math.isfinite(self.years_since_issue) or not 0.0 <= self.years_since_issue <= 100.0:
            raise InputError(
                "years_since_issue", f"years_since_issue must be in [0, 100] years, got {self.years_since_issue}"
            )

    @property
    def bullet(self) -> Bullet:
        """The underlying fixed-rate bond (without any call)."""
        return self.bond.bullet if isinstance(self.bond, CallableBond) else self.bond


def full_years(maturity_years: float) -> int:
    """Complete years to maturity (a maturity within 1e-9 years of a whole year counts it)."""
    if not math.isfinite(maturity_years) or maturity_years <= 0.0:
        raise InputError("maturity_years", f"maturity_years must be positive, got {maturity_years}")
    return int(math.floor(maturity_years + 1e-9))


def adjusted_issue_price(muni: MuniBond) -> float:
    """Clean price per 100 from which market discount is measured: 100 without an original-issue
    discount, else the issue price accreted at the issue yield to settlement (at most 100)."""
    if muni.issue_price is None or muni.issue_price >= FACE:
        return FACE
    bullet = muni.bullet
    original = Bullet(
        coupon_pct=bullet.coupon_pct,
        maturity_years=bullet.maturity_years + muni.years_since_issue,
        frequency=bullet.frequency,
    )
    issue_yield = yield_from_price(original, muni.issue_price)
    return min(price_from_yield(bullet, issue_yield), FACE)


def de_minimis_threshold_price(maturity_years: float, *, adjusted_issue_price: float = FACE) -> float:
    """Threshold clean price per 100: ``A - 0.25 x full years to maturity`` (``A`` the adjusted
    issue price, 100 by default). A price at or below it carries an ordinary-income discount."""
    return adjusted_issue_price - DE_MINIMIS_POINTS_PER_YEAR * full_years(maturity_years)


def regime_for_price(
    price_clean: float, *, maturity_years: float, adjusted_issue_price: float = FACE
) -> TaxRegime:
    """Tax regime of a muni bought at ``price_clean`` (per 100).

    "none" at or above the adjusted issue price; "capital_gains" while the discount is *less
    than* the de minimis amount; "ordinary" from the de minimis amount on (the threshold price
    itself is ordinary).
    """
    if price_clean >= adjusted_issue_price:
        return "none"
    if price_clean > de_minimis_threshold_price(maturity_years, adjusted_issue_price=adjusted_issue_price):
        return "capital_gains"
    return "ordinary"


def tax_rate_for_price(
    price_clean: float,
    *,
    maturity_years: float,
    ordinary_rate: float,
    capital_gains_rate: float,
    adjusted_issue_price: float = FACE,
) -> float:
    """Tax rate (decimal) on the market discount of a muni bought at ``price_clean`` (per 100),
    by :func:`regime_for_price`."""
    regime = regime_for_price(price_clean, maturity_years=maturity_years, adjusted_issue_price=adjusted_issue_price)
    return {"none": 0.0, "capital_gains": capital_gains_rate, "ordinary": ordinary_rate}[regime]


@dataclass(frozen=True, kw_only=True)
class TaxAwarePrice:
    """Solution of the de minimis fixed point.

    Attributes
    ----------
    price_clean : tax-aware clean price per 100.
    tax_rate : tax rate (decimal) that applies at that price.
    regime : "none" (at or above par), "capital_gains" or "ordinary".
    pretax_price_clean : the price without tax (``V - AI``), per 100.
    two_solutions : True when both sides of the threshold were self-consistent.
    """

    price_clean: float
    tax_rate: float
    regime: TaxRegime
    pretax_price_clean: float
    two_solutions: bool


def solve_tax_aware_price(
    *,
    pretax_dirty: float,
    redemption_pv: float,
    accrued: float,
    maturity_years: float,
    ordinary_rate: float = DEFAULT_ORDINARY_RATE,
    capital_gains_rate: float = DEFAULT_CAPITAL_GAINS_RATE,
    prefer: TaxRegime | None = None,
    adjusted_issue_price: float = FACE,
) -> TaxAwarePrice:
    """Solve ``P + AI = V - t(P) (A - P) U`` for the clean price ``P`` (per 100).

    Parameters
    ----------
    pretax_dirty : ``V``, the pre-tax value, dirty, per 100.
    redemption_pv : ``U``, present value of 1 paid at redemption, in (0, 1].
    accrued : ``AI``, accrued interest per 100.
    maturity_years : years to final maturity (for the de minimis threshold).
    ordinary_rate, capital_gains_rate : tax rates, decimals in [0, 1), ordinary >= capital gains.
    prefer : regime to take when both sides of the threshold are self-consistent (default:
        the higher, capital-gains price).
    adjusted_issue_price : ``A``, the price market discount is measured from (default 100;
        see :func:`adjusted_issue_price`).

    Returns
    -------
    TaxAwarePrice
        See the module docstring for the regions and the tie rule.
    """
    _check_rates(ordinary_rate, capital_gains_rate)
    if not math.isfinite(redemption_pv) or not 0.0 < redemption_pv <= 1.0 + 1e-12:
        raise InputError("redemption_pv", f"redemption_pv must be in (0, 1], got {redemption_pv}")
    aip = float(adjusted_issue_price)
    if not math.isfinite(aip) or aip <= 0.0:
        raise InputError("adjusted_issue_price", f"adjusted_issue_price must be a positive price, got {aip}")
    threshold = de_minimis_threshold_price(maturity_years, adjusted_issue_price=aip)
    pretax = pretax_dirty - accrued
    if pretax >= aip:
        # At or above the adjusted issue price there is no tax, and no taxed candidate can be
        # consistent then.
        return TaxAwarePrice(
            price_clean=pretax, tax_rate=0.0, regime="none", pretax_price_clean=pretax, two_solutions=False
        )
    candidates: list[tuple[float, float, TaxRegime]] = []
    regions: tuple[tuple[float, TaxRegime], ...] = (
        (capital_gains_rate, "capital_gains"),
        (ordinary_rate, "ordinary"),
    )
    for rate, regime in regions:
        # Linear in P within the region: P (1 - t U) = V - AI - A t U.
        price = (pretax - aip * rate * redemption_pv) / (1.0 - rate * redemption_pv)
        if regime == "capital_gains":
            ok = threshold - _REGION_TOL <= price  # and below A, as V - AI < A here
        else:
            ok = price < threshold + _REGION_TOL
        if ok:
            candidates.append((price, rate, regime))
    if not candidates:  # pragma: no cover - excluded by the argument in the module docstring
        raise ArithmeticError("no self-consistent tax-aware price; check the inputs")
    preferred = [c for c in candidates if c[2] == prefer]
    price, rate, regime = preferred[0] if preferred else max(candidates, key=lambda c: c[0])
    two = len(candidates) == 2
    return TaxAwarePrice(
        price_clean=price, tax_rate=rate, regime=regime, pretax_price_clean=pretax, two_solutions=two
    )


class MuniPricer:
    """Tax-aware prices of one muni off any curve plus a constant spread.

    Parameters
    ----------
    muni : the bond and its tax rates.
    params : Hull-White settings for a callable muni (keyword-only; ignored for bullets).
    """

    def __init__(self, muni: MuniBond, *, params: HullWhiteParams | None = None) -> None:
        self.muni = muni
        self._tree = (
            CallableTreePricer(muni.bond, params=params) if isinstance(muni.bond, CallableBond) else None
        )
        #: The price market discount is measured from (see :func:`adjusted_issue_price`).
        self.adjusted_issue_price = adjusted_issue_price(muni)

    def node_spacing_bp(self) -> float:
        """Rate-node spacing of the callable's tree in bp (0 for a bullet muni)."""
        return self._tree.node_spacing_bp() if self._tree is not None else 0.0

    def pretax(self, curve: ZeroCurve, *, spread_bp: float = 0.0) -> tuple[float, float]:
        """``(V, U)``: pre-tax dirty value per 100 and PV of 1 at redemption."""
        if self._tree is not None:
            tv = self._tree.value(curve, spread_bp=spread_bp, redemption=True)
            return tv.dirty, tv.redemption_pv
        bullet = self.muni.bullet
        t = bullet.flow_times()
        disc = curve.discount(t) * np.exp(-spread_bp * BP * t)
        return float(np.sum(bullet.flow_amounts() * disc)), float(disc[-1])

    def price(
        self, curve: ZeroCurve, *, spread_bp: float = 0.0, prefer: TaxRegime | None = None
    ) -> TaxAwarePrice:
        """Tax-aware clean price per 100 off ``curve`` plus ``spread_bp`` (continuous, bp).

        ``prefer`` picks the regime when two prices are self-consistent (see the module notes).
        """
        v, u = self.pretax(curve, spread_bp=spread_bp)
        m = self.muni
        return solve_tax_aware_price(
            pretax_dirty=v,
            redemption_pv=u,
            accrued=m.bullet.accrued,
            maturity_years=m.bullet.maturity_years,
            ordinary_rate=m.ordinary_rate,
            capital_gains_rate=m.capital_gains_rate,
            prefer=prefer,
            adjusted_issue_price=self.adjusted_issue_price,
        )

    def spread_for_price(self, curve: ZeroCurve, *, price_clean: float) -> float:
        """Spread (bp) at which the muni is worth ``price_clean`` after tax.

        At a known market price the tax rate is known (it depends on that price), so the
        equation in the spread is continuous and decreasing: no jump to trip the root finder.
        """
        if not math.isfinite(price_clean) or price_clean <= 0.0:
            raise InputError("price", f"price must be a positive clean price per 100, got {price_clean}")
        m = self.muni
        rate = tax_rate_for_price(
            price_clean,
            maturity_years=m.bullet.maturity_years,
            ordinary_rate=m.ordinary_rate,
            capital_gains_rate=m.capital_gains_rate,
            adjusted_issue_price=self.adjusted_issue_price,
        )
        tax_points = rate * max(self.adjusted_issue_price - price_clean, 0.0)
        accrued = m.bullet.accrued

        def after_tax(spread_bp: float) -> float:
            v, u = self.pretax(curve, spread_bp=spread_bp)
            return v - tax_points * u - accrued

        return solve_spread_bp(after_tax, price_clean)
