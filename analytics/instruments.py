"""One instrument factory: bond terms in, the analytics instrument out.

The CLI, the portfolio reader and the Risk page describe a bond by the same flat set of terms
(:class:`InstrumentTerms`) and build it here, so the rules (a callable needs a lockout, a
muni wraps a bullet or a callable, tax rates and the issue price belong to munis only) live in
one place. Errors are :class:`~analytics.checks.InputError` naming the term at fault, with the
message of the constructor that rejected it.
"""

from __future__ import annotations

from dataclasses import dataclass

from analytics.bonds import DEFAULT_FREQUENCY, Bullet
from analytics.checks import InputError
from analytics.hullwhite import DEFAULT_CALL_PRICE, CallableBond
from analytics.muni import DEFAULT_CAPITAL_GAINS_RATE, DEFAULT_ORDINARY_RATE, MuniBond
from analytics.risk import Instrument

__all__ = ["InstrumentTerms", "build_instrument"]


@dataclass(frozen=True, kw_only=True)
class InstrumentTerms:
    """Terms of one bond.

    Parameters
    ----------
    coupon_pct : annual coupon, percent.
    maturity_years : years to maturity (coupon periods / frequency).
    frequency : coupons a year (default 2).
    call_after_years : lockout in years; ``None`` (default) for a bond without a call.
    call_price : call price per 100 (default 100).
    muni : True for a tax-aware municipal bond (default False).
    ordinary_rate, capital_gains_rate : muni tax rates, decimals (defaults 0.40 and 0.20).
    issue_price : muni issue price per 100, for an original-issue discount (default None).
    years_since_issue : years from issue to settlement for the OID accretion (default 0).
    """

    coupon_pct: float
    maturity_years: float
    frequency: int = DEFAULT_FREQUENCY
    call_after_years: float | None = None
    call_price: float = DEFAULT_CALL_PRICE
    muni: bool = False
    ordinary_rate: float = DEFAULT_ORDINARY_RATE
    capital_gains_rate: float = DEFAULT_CAPITAL_GAINS_RATE
    issue_price: float | None = None
    years_since_issue: float = 0.0


def build_instrument(terms: InstrumentTerms) -> Instrument:
    """The :class:`~analytics.bonds.Bullet`, :class:`~analytics.hullwhite.CallableBond` or
    :class:`~analytics.muni.MuniBond` the terms describe.

    Raises
    ------
    InputError
        Naming the term at fault (``param`` is the :class:`InstrumentTerms` field).
    """
    if not terms.muni and (terms.issue_price is not None or terms.years_since_issue != 0.0):
        raise InputError("issue_price", "issue_price and years_since_issue apply to munis only")
    bullet = Bullet(coupon_pct=terms.coupon_pct, maturity_years=terms.maturity_years, frequency=terms.frequency)
    bond: Bullet | CallableBond = bullet
    if terms.call_after_years is not None:
        bond = CallableBond(bullet=bullet, call_after_years=terms.call_after_years, call_price=terms.call_price)
    if not terms.muni:
        return bond
    return MuniBond(bond=bond, ordinary_rate=terms.ordinary_rate, capital_gains_rate=terms.capital_gains_rate,
                    issue_price=terms.issue_price, years_since_issue=terms.years_since_issue)
