"""Typed input errors and the one instrument factory."""

from __future__ import annotations

import pickle

import pytest

from analytics.bonds import Bullet
from analytics.checks import InputError, as_timestamp, check_range
from analytics.hullwhite import CallableBond
from analytics.instruments import InstrumentTerms, build_instrument
from analytics.muni import MuniBond


def test_input_error_names_the_parameter_keeps_the_message_and_survives_pickling():
    with pytest.raises(InputError) as err:
        check_range("vol_bp", -1.0, 0.0, 2000.0, units="bp")
    assert err.value.param == "vol_bp"
    assert str(err.value) == "vol_bp must be in [0, 2000] bp, got -1"
    assert isinstance(err.value, ValueError)  # callers catching ValueError keep working
    again = pickle.loads(pickle.dumps(err.value))
    assert (again.param, str(again)) == ("vol_bp", str(err.value))
    with pytest.raises(InputError) as bad_date:
        as_timestamp("2025-13-01")
    assert bad_date.value.param == "as_of"


@pytest.mark.parametrize(
    ("terms", "kind"),
    [
        (InstrumentTerms(coupon_pct=4.0, maturity_years=10.0), Bullet),
        (InstrumentTerms(coupon_pct=4.0, maturity_years=10.0, call_after_years=3.0), CallableBond),
        (InstrumentTerms(coupon_pct=4.0, maturity_years=10.0, muni=True), MuniBond),
        (InstrumentTerms(coupon_pct=0.0, maturity_years=10.0, muni=True, issue_price=60.0), MuniBond),
    ],
)
def test_factory_builds_each_kind(terms, kind):
    assert isinstance(build_instrument(terms), kind)


@pytest.mark.parametrize(
    ("terms", "param"),
    [
        (InstrumentTerms(coupon_pct=4.0, maturity_years=0.0), "maturity_years"),
        (InstrumentTerms(coupon_pct=-1.0, maturity_years=5.0), "coupon_pct"),
        (InstrumentTerms(coupon_pct=4.0, maturity_years=5.0, call_after_years=6.0), "call_after_years"),
        (InstrumentTerms(coupon_pct=4.0, maturity_years=5.0, muni=True, ordinary_rate=0.1), "ordinary_rate"),
        (InstrumentTerms(coupon_pct=4.0, maturity_years=5.0, issue_price=90.0), "issue_price"),
    ],
)
def test_factory_errors_name_the_term_at_fault(terms, param):
    with pytest.raises(InputError) as err:
        build_instrument(terms)
    assert err.value.param == param
    assert str(err.value).startswith(param)
