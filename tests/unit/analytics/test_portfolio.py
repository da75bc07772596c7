"""Portfolio scenarios: P&L by hand for zero-coupon bonds, replay of a real curve change."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from analytics.bonds import Bullet, price_on_curve
from analytics.curves import bootstrap_par_curve, flat_curve
from analytics.hullwhite import CallableBond, HullWhiteParams
from analytics.muni import MuniBond
from analytics.portfolio import (
    PNL_COLUMNS,
    HistoricalReplay,
    KeyRateShock,
    ParallelShock,
    Position,
    PricedPortfolio,
    TwistShock,
)
from analytics.tenors import KEY_TENORS


def _zero(pid: str, years: float, face: float = 1_000_000.0) -> Position:
    return Position(position_id=pid, instrument=Bullet(coupon_pct=0.0, maturity_years=years), face_usd=face)


def test_parallel_shock_pnl_of_a_zero_coupon_by_hand():
    book = PricedPortfolio([_zero("z10", 10.0)], flat_curve(4.0))
    pnl = book.scenario_pnl([ParallelShock(shift_bp=100.0)])
    assert tuple(pnl.columns) == PNL_COLUMNS
    expected = 1_000_000.0 / 100 * 100 * (math.exp(-0.05 * 10) - math.exp(-0.04 * 10))
    assert pnl["pnl_usd"].iloc[0] == pytest.approx(expected, abs=1e-6)


def test_all_keys_shocked_equally_is_the_parallel_shock():
    book = PricedPortfolio([_zero("z3", 3.0), _zero("z25", 25.0, -500_000.0)], flat_curve(3.0))
    pnl = book.scenario_pnl([ParallelShock(shift_bp=-40.0), KeyRateShock(shifts_bp=dict.fromkeys(KEY_TENORS, -40.0))])
    by = pnl.pivot(index="position_id", columns="scenario", values="pnl_usd")
    assert by.iloc[:, 0].to_numpy() == pytest.approx(by.iloc[:, 1].to_numpy(), abs=1e-8)


def test_steepener_hurts_the_long_bond_and_helps_the_short_one():
    book = PricedPortfolio([_zero("z1", 1.0), _zero("z30", 30.0)], flat_curve(4.0))
    pnl = book.scenario_pnl([TwistShock(twist_bp=50.0)]).set_index("position_id")["pnl_usd"]
    # z1: -25 bp on a 1y zero; z30: +25 bp on a 30y zero.
    assert pnl["z1"] == pytest.approx(10_000 * 100 * (math.exp(-0.0375) - math.exp(-0.04)), abs=1e-6)
    assert pnl["z30"] == pytest.approx(10_000 * 100 * (math.exp(-0.0425 * 30) - math.exp(-0.04 * 30)), abs=1e-6)


def test_replaying_the_march_2020_curve_change(real_yields: pd.DataFrame):
    # Dash for cash: the 10y CMT went from 0.54 % (2020-03-09) to 1.18 % (2020-03-18).
    start = real_yields.loc["2020-03-09"].dropna().to_dict()
    end = real_yields.loc["2020-03-18"].dropna().to_dict()
    assert start["10y"] == pytest.approx(0.54) and end["10y"] == pytest.approx(1.18)
    base = bootstrap_par_curve(start)
    par10 = Bullet(coupon_pct=start["10y"], maturity_years=10.0)  # a par bond on 2020-03-09
    book = PricedPortfolio([Position(position_id="ust10", instrument=par10, face_usd=1_000_000.0)], base)
    pnl = book.scenario_pnl([HistoricalReplay(start_par_pct=start, end_par_pct=end, label="2020-03")])
    row = pnl.iloc[0]
    assert row["base_price"] == pytest.approx(100.0, abs=1e-9)
    # Replayed onto its own start curve, the scenario is the 2020-03-18 curve itself.
    assert row["scenario_price"] == pytest.approx(price_on_curve(par10, bootstrap_par_curve(end)), abs=1e-9)
    # 64 bp on a ~9.6-year duration: a loss of about 6 points.
    assert -7.0 < row["scenario_price"] - 100.0 < -5.5


def test_priced_positions_keep_their_spread_and_risk_aggregates():
    curve = flat_curve(4.0, frequency=2)
    positions = [
        Position(position_id="bullet", instrument=Bullet(coupon_pct=4.0, maturity_years=5.0),
                 face_usd=2_000_000.0, price_clean=99.0),
        Position(position_id="call", instrument=CallableBond(bullet=Bullet(coupon_pct=5.0, maturity_years=10.0),
                                                             call_after_years=3.0),
                 face_usd=1_000_000.0, yield_pct=4.8, params=HullWhiteParams(steps=100)),
        Position(position_id="muni", instrument=MuniBond(bond=Bullet(coupon_pct=3.0, maturity_years=10.0)),
                 face_usd=500_000.0, price_clean=97.0),
    ]
    book = PricedPortfolio(positions, curve)
    risk = book.risk(shift_bp=10.0)
    prices = {p.position_id: p.report.price_clean for p in risk.positions}
    assert prices["bullet"] == pytest.approx(99.0, abs=1e-8)
    assert prices["muni"] == pytest.approx(97.0, abs=1e-8)
    assert risk.market_value_usd == pytest.approx(sum(p.market_value_usd for p in risk.positions))
    assert sum(risk.krd_dv01_usd.values()) == pytest.approx(
        sum(p.market_value_usd * p.report.krd_sum * 1e-4 for p in risk.positions))
    assert len(risk.hedges) == 8


def test_duplicate_ids_and_unreachable_prices_name_the_position():
    with pytest.raises(ValueError, match="duplicate position ids: a"):
        PricedPortfolio([_zero("a", 1.0), _zero("a", 2.0)], flat_curve(4.0))
    huge = Position(position_id="odd", instrument=Bullet(coupon_pct=1.0, maturity_years=1.0),
                    face_usd=1.0, price_clean=900.0)
    with pytest.raises(ValueError, match="position odd: price 900 cannot be reached"):
        PricedPortfolio([huge], flat_curve(4.0))
    with pytest.raises(ValueError, match="face_usd must be a non-zero"):
        _zero("z", 1.0, 0.0)
