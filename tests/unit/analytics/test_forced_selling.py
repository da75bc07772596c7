"""Forced-selling loops (basis trade, swap-spread trade) and the CFTC starting size.

References: rounds worked by hand here, the closed-form loss of the round accounting, the
loop's fixed-point condition, and the CFTC TFF history in ../shared/data.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from analytics.forced_selling import (
    ROUND_COLUMNS,
    BasisTradeScenario,
    DeleveragingResult,
    SwapSpreadScenario,
    basis_trade_doom_loop,
    leveraged_fund_net_short,
    swap_spread_unwind,
)

FAST = settings(max_examples=80, deadline=None)
TIGHT = 1e-9  # tolerance_bn for the properties, so that truncation cannot mask a comparison


# -- rounds by hand ----------------------------------------------------------------------------
def test_first_two_rounds_of_the_default_basis_scenario_by_hand() -> None:
    # K = 20, L = 50 -> P = 1000; haircut + margin 0.5 + 1.0 -> 1.0 + 2.0 = 3%; D = 6.5 y;
    # impact 2 bp per 100bn = 0.02 bp per bn.
    result = basis_trade_doom_loop(BasisTradeScenario())
    first, second = result.rounds_table.iloc[0], result.rounds_table.iloc[1]
    call1 = 1000 * 0.03 - 20  # 10
    sold1 = call1 / 0.03  # 333.33
    loss1 = 6.5 * 1e-4 * 0.02 * sold1 * (1000 - sold1 / 2)  # kept bonds + half on the sold ones
    assert first["margin_call_bn"] == pytest.approx(call1)
    assert first["sold_bn"] == pytest.approx(sold1)
    assert first["loss_bn"] == pytest.approx(loss1)  # 3.6111
    assert first["capital_bn"] == pytest.approx(20 - loss1)
    assert first["position_bn"] == pytest.approx(1000 - sold1)
    assert first["yield_impact_bp"] == pytest.approx(0.02 * sold1)  # 6.67 bp
    # Round 2: the call is exactly the round-1 loss (the position was margin-neutral after it).
    assert second["margin_call_bn"] == pytest.approx(loss1)
    assert second["sold_bn"] == pytest.approx(loss1 / 0.03)
    assert result.initial_margin_call_bn == pytest.approx(call1)
    assert result.status == "converged"


def test_basis_move_at_the_shock_is_marked_on_the_whole_position() -> None:
    # 10 bp wider on USD 1000bn at 6.5 years: 1000 x 6.5 x 10 x 1e-4 = 6.5bn.
    scenario = BasisTradeScenario(haircut_after_pct=0.5, margin_after_pct=1.0, basis_move_bp=10.0)
    result = basis_trade_doom_loop(scenario)
    assert result.shock_loss_bn == pytest.approx(6.5)
    # Requirement unchanged at 1.5% = 15bn; capital 20 - 6.5 = 13.5 -> call 1.5bn.
    assert result.initial_margin_call_bn == pytest.approx(1.5)
    assert result.rounds_table.iloc[0]["sold_bn"] == pytest.approx(1.5 / 0.015)


def test_total_loss_has_the_closed_form_whatever_the_number_of_rounds() -> None:
    # Accounting: the loss after cumulative sales S is D 1e-4 lambda (P0 S - S^2 / 2).
    scenario = BasisTradeScenario(basis_move_bp=3.0, tolerance_bn=TIGHT)
    result = basis_trade_doom_loop(scenario)
    s = result.total_sold_bn
    expected = 6.5 * 1e-4 * 0.02 * (1000 * s - s * s / 2) + 1000 * 6.5 * 3.0 * 1e-4
    assert result.total_loss_bn == pytest.approx(expected, rel=1e-10)


def test_converged_loop_ends_exactly_margin_neutral() -> None:
    result = basis_trade_doom_loop(BasisTradeScenario(tolerance_bn=TIGHT))
    assert result.status == "converged"
    required = result.position_after_bn * result.requirement_after_pct / 100
    assert required == pytest.approx(result.capital_after_bn, abs=1e-8)


def test_swap_spread_unwind_is_the_same_loop_with_the_sign_of_swap_spreads() -> None:
    swap = SwapSpreadScenario(spread_move_bp=-5.0)
    mirrored = BasisTradeScenario(
        capital_bn=swap.capital_bn,
        leverage=swap.leverage,
        haircut_pct=swap.haircut_pct,
        margin_pct=swap.margin_pct,
        haircut_after_pct=swap.haircut_after_pct,
        margin_after_pct=swap.margin_after_pct,
        duration_yrs=swap.duration_yrs,
        basis_move_bp=5.0,
    )
    a, b = swap_spread_unwind(swap), basis_trade_doom_loop(mirrored)
    assert a.trade == "swap_spread" and b.trade == "basis"
    pd.testing.assert_frame_equal(a.rounds_table, b.rounds_table)
    assert a.spread_change_bp == pytest.approx(-b.spread_change_bp)
    assert a.spread_change_bp < -5.0  # the sales push the spread further negative


def test_swap_spread_first_round_by_hand() -> None:
    # K 20, L 25 -> P 500; D 8; spread -5 bp -> loss 500 x 8 x 5e-4 = 2; requirement 2+3 = 5%.
    result = swap_spread_unwind(SwapSpreadScenario(spread_move_bp=-5.0))
    assert result.shock_loss_bn == pytest.approx(2.0)
    first = result.rounds_table.iloc[0]
    assert first["margin_call_bn"] == pytest.approx(500 * 0.05 - 18)  # 7
    assert first["sold_bn"] == pytest.approx(140.0)
    assert first["loss_bn"] == pytest.approx(8 * 1e-4 * 0.02 * 140 * (500 - 70))
    assert result.dv01_before_usd_mn == pytest.approx(500 * 8 * 1e-4 * 1e3)  # USD 0.4bn/bp


# -- termination and liquidation ---------------------------------------------------------------
def test_loop_stops_at_max_rounds_and_says_so() -> None:
    result = basis_trade_doom_loop(BasisTradeScenario(max_rounds=3, tolerance_bn=TIGHT))
    assert result.status == "max_rounds" and not result.converged
    assert result.rounds == 3 and len(result.rounds_table) == 3


def test_runaway_impact_liquidates_the_whole_position() -> None:
    result = basis_trade_doom_loop(BasisTradeScenario(impact_bp_per_100bn=50.0))
    assert result.status == "liquidated"
    assert result.position_after_bn == 0.0
    assert result.total_sold_bn == pytest.approx(result.position_before_bn)
    assert result.capital_after_bn < 0  # the fund is wiped out


def test_capital_wiped_out_by_the_shock_sells_everything_in_one_round() -> None:
    # 40 bp on 1000bn x 6.5y = 26bn > 20bn capital.
    result = basis_trade_doom_loop(BasisTradeScenario(basis_move_bp=40.0))
    assert result.rounds == 1 and result.status == "liquidated"
    assert result.rounds_table.iloc[0]["sold_bn"] == pytest.approx(1000.0)


# -- properties --------------------------------------------------------------------------------
@st.composite
def basis_scenarios(draw: st.DrawFn) -> BasisTradeScenario:
    haircut = draw(st.floats(0.0, 3.0))
    margin = draw(st.floats(0.1, 4.0))
    # Mostly close to the margin limit, where the shocks bite: no_call everywhere would make
    # the comparisons below vacuous.
    leverage = draw(st.floats(0.5, 1.0)) * 100.0 / (haircut + margin)
    return BasisTradeScenario(
        capital_bn=draw(st.floats(0.5, 50.0)),
        leverage=leverage,
        haircut_pct=haircut,
        margin_pct=margin,
        haircut_after_pct=haircut + draw(st.floats(0.0, 5.0)),
        margin_after_pct=margin + draw(st.floats(0.0, 5.0)),
        basis_move_bp=draw(st.floats(0.0, 30.0)),
        impact_bp_per_100bn=draw(st.floats(0.0, 20.0)),
        duration_yrs=draw(st.floats(0.5, 20.0)),
        tolerance_bn=TIGHT,
        max_rounds=2000,
    )


@FAST
@given(scenario=basis_scenarios())
def test_no_shock_means_no_sales(scenario: BasisTradeScenario) -> None:
    calm = replace(
        scenario,
        haircut_after_pct=scenario.haircut_pct,
        margin_after_pct=scenario.margin_pct,
        basis_move_bp=0.0,
    )
    result = basis_trade_doom_loop(calm)
    assert result.status == "no_call" and result.rounds == 0
    assert result.total_sold_bn == 0.0 and result.rounds_table.empty
    assert result.capital_after_bn == calm.capital_bn


def _check_accounting(result: DeleveragingResult) -> None:
    table = result.rounds_table
    assert list(table.columns) == list(ROUND_COLUMNS)
    capital_before = np.r_[
        result.capital_before_bn - result.shock_loss_bn, table["capital_bn"].to_numpy()[:-1]
    ]
    position_before = np.r_[result.position_before_bn, table["position_bn"].to_numpy()[:-1]]
    np.testing.assert_allclose(
        table["capital_bn"], capital_before - table["loss_bn"], rtol=1e-12, atol=1e-12
    )
    np.testing.assert_allclose(
        table["position_bn"], position_before - table["sold_bn"], rtol=1e-12, atol=1e-9
    )
    np.testing.assert_allclose(table["cumulative_sold_bn"], table["sold_bn"].cumsum(), rtol=1e-12)
    assert (table["sold_bn"] >= 0).all() and (table["position_bn"] >= 0).all()
    assert result.capital_after_bn == pytest.approx(
        result.capital_before_bn - result.total_loss_bn, abs=1e-9
    )
    assert result.position_after_bn == pytest.approx(
        result.position_before_bn - result.total_sold_bn, abs=1e-9
    )


@FAST
@given(scenario=basis_scenarios())
def test_loop_terminates_and_conserves_capital_and_position(scenario: BasisTradeScenario) -> None:
    result = basis_trade_doom_loop(scenario)
    assert result.rounds <= scenario.max_rounds
    _check_accounting(result)
    if result.status == "converged":
        assert result.position_after_bn * result.requirement_after_pct / 100 <= (
            result.capital_after_bn + 2 * TIGHT
        )


@FAST
@given(
    scenario=basis_scenarios(), extra=st.floats(0.01, 5.0), which=st.sampled_from(["h", "m", "b"])
)
def test_sales_are_monotone_in_the_shock(
    scenario: BasisTradeScenario, extra: float, which: str
) -> None:
    assert scenario.haircut_after_pct is not None and scenario.margin_after_pct is not None
    if which == "h":
        bigger = replace(scenario, haircut_after_pct=min(100.0, scenario.haircut_after_pct + extra))
    elif which == "m":
        bigger = replace(scenario, margin_after_pct=min(100.0, scenario.margin_after_pct + extra))
    else:
        bigger = replace(scenario, basis_move_bp=scenario.basis_move_bp + extra)
    small, large = basis_trade_doom_loop(scenario), basis_trade_doom_loop(bigger)
    assume(small.status != "max_rounds" and large.status != "max_rounds")
    assert large.total_sold_bn >= small.total_sold_bn - 1e-6


@FAST
@given(scenario=basis_scenarios(), headroom=st.floats(0.05, 1.0))
def test_sales_are_monotone_in_leverage(scenario: BasisTradeScenario, headroom: float) -> None:
    cap = 100.0 / scenario.requirement_before_pct
    more = replace(scenario, leverage=scenario.leverage + headroom * (cap - scenario.leverage))
    small, large = basis_trade_doom_loop(scenario), basis_trade_doom_loop(more)
    assume(small.status != "max_rounds" and large.status != "max_rounds")
    assert large.total_sold_bn >= small.total_sold_bn - 1e-6


@FAST
@given(
    spread_move=st.floats(-30.0, 0.0),
    leverage=st.floats(1.0, 33.0),
    impact=st.floats(0.0, 10.0),
)
def test_swap_spread_unwind_conserves_accounting_and_widens_the_spread(
    spread_move: float, leverage: float, impact: float
) -> None:
    scenario = SwapSpreadScenario(
        spread_move_bp=spread_move,
        leverage=leverage,
        impact_bp_per_100bn=impact,
        tolerance_bn=TIGHT,
        max_rounds=2000,
    )
    result = swap_spread_unwind(scenario)
    _check_accounting(result)
    assert result.spread_change_bp <= spread_move + 1e-12


# -- input checks ------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"capital_bn": 0.0}, r"capital_bn must be in \(0, 10000\]"),
        ({"leverage": 80.0}, r"leverage must be in \(0, 66.6667\]"),
        ({"haircut_pct": -1.0}, r"haircut_pct must be in \[0, 100\]"),
        ({"margin_after_pct": 101.0}, r"margin_after_pct must be in \[0, 100\]"),
        ({"haircut_multiplier": 2.0}, r"either haircut_after_pct or haircut_multiplier"),
        ({"impact_bp_per_100bn": -1.0}, r"impact_bp_per_100bn must be in \[0, 1000\]"),
        ({"duration_yrs": 0.0}, r"duration_yrs must be in \(0, 40\]"),
        ({"max_rounds": 0}, r"max_rounds must be an integer in \[1, 100000\]"),
        ({"basis_move_bp": 5000.0}, r"basis_move_bp must be in \[-1000, 1000\]"),
        ({"haircut_after_pct": 0.0, "margin_after_pct": 0.0}, r"must not both be 0"),
    ],
)
def test_basis_scenario_rejects_bad_input_naming_parameter_and_range(
    kwargs: dict[str, float], message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        BasisTradeScenario(**kwargs)  # type: ignore[arg-type]


def test_multipliers_scale_haircut_and_margin() -> None:
    scenario = BasisTradeScenario(
        haircut_after_pct=None, margin_after_pct=None, haircut_multiplier=3.0, margin_multiplier=2.0
    )
    assert scenario.haircut_shocked_pct == pytest.approx(1.5)
    assert scenario.margin_shocked_pct == pytest.approx(2.0)
    assert scenario.requirement_after_pct == pytest.approx(3.5)


def test_with_position_sizes_capital_from_the_position() -> None:
    scenario = BasisTradeScenario(leverage=40.0).with_position(800.0)
    assert scenario.capital_bn == pytest.approx(20.0)
    assert scenario.position_bn == pytest.approx(800.0)


# -- CFTC starting size ------------------------------------------------------------------------
def _cftc_long(shared_data: Path) -> pd.DataFrame:
    """The shared wide TFF file reshaped to the store's long frame."""
    wide = pd.read_csv(
        shared_data / "cftc" / "tff_treasury_futures.csv",
        dtype={"cftc_code": str},
        parse_dates=["report_date"],
    )
    parts = []
    for group in ("dealer", "asset_mgr", "lev_money", "other_rept", "nonrept"):
        reportable = group != "nonrept"
        parts.append(
            pd.DataFrame(
                {
                    "report_date": wide["report_date"],
                    "contract_code": wide["cftc_code"],
                    "trader_group": group,
                    "long": wide[f"{group}_long"].astype(float),
                    "short": wide[f"{group}_short"].astype(float),
                    "spreading": wide[f"{group}_spread"].astype(float) if reportable else np.nan,
                    "open_interest": wide["open_interest"].astype(float),
                }
            )
        )
    return pd.concat(parts, ignore_index=True)


@pytest.fixture(scope="module")
def cftc_long(shared_data: Path) -> pd.DataFrame:
    return _cftc_long(shared_data)


def test_latest_leveraged_short_by_hand_from_the_2026_08_04_report(cftc_long: pd.DataFrame) -> None:
    short = leveraged_fund_net_short(cftc_long)
    assert short.report_date == pd.Timestamp("2026-08-04")
    # (short - long) contracts from the CFTC report of 2026-08-04, times face.
    by_hand = {
        "UST_2Y": (1948629 - 614448, 200_000, 38.0),
        "UST_5Y": (2566661 - 355222, 100_000, 45.0),
        "UST_10Y": (2501936 - 270266, 100_000, 65.0),
        "ULTRA_10Y": (582335 - 162474, 100_000, 90.0),
        "UST_BOND": (516367 - 140141, 100_000, 130.0),
        "ULTRA_BOND": (937344 - 87654, 100_000, 230.0),
    }
    notional_bn = sum(n * face for n, face, _ in by_hand.values()) / 1e9
    dv01_mn = sum(n * dv01 for n, _, dv01 in by_hand.values()) / 1e6
    assert short.net_short_notional_bn == pytest.approx(notional_bn, rel=1e-12)  # ~875.7bn
    assert short.dv01_usd_mn == pytest.approx(dv01_mn, rel=1e-12)  # ~577mn per bp
    assert short.duration_yrs == pytest.approx(dv01_mn * 1e6 / (notional_bn * 1e9 * 1e-4))
    assert short.missing_contracts == ()
    frame = short.contracts.set_index("key")
    assert frame.loc["UST_2Y", "notional_bn"] == pytest.approx(1334181 * 200_000 / 1e9)


def test_leveraged_funds_cut_their_futures_short_in_the_march_2020_dash_for_cash(
    cftc_long: pd.DataFrame,
) -> None:
    # History: the basis trade unwound in March 2020 (hedge funds cut futures shorts while
    # selling cash Treasuries); by April 2025 the trade was over twice its early-2020 size.
    before = leveraged_fund_net_short(cftc_long, report_date="2020-03-03").net_short_notional_bn
    after = leveraged_fund_net_short(cftc_long, report_date="2020-03-31").net_short_notional_bn
    april_2025 = leveraged_fund_net_short(cftc_long, report_date="2025-04-01").net_short_notional_bn
    assert after < 0.85 * before
    assert april_2025 > 2 * before


def test_dates_without_a_contract_report_it_missing(cftc_long: pd.DataFrame) -> None:
    # The Ultra 10-year started trading in January 2016.
    short = leveraged_fund_net_short(cftc_long, report_date="2015-01-06")
    assert short.missing_contracts == ("ULTRA_10Y",)
    assert len(short.contracts) == 5


def test_dv01_overrides_change_the_dv01_not_the_notional(cftc_long: pd.DataFrame) -> None:
    base = leveraged_fund_net_short(cftc_long)
    bumped = leveraged_fund_net_short(cftc_long, dv01_usd={"UST_10Y": 75.0})
    assert bumped.net_short_notional_bn == base.net_short_notional_bn
    assert bumped.dv01_usd_mn - base.dv01_usd_mn == pytest.approx((2501936 - 270266) * 10.0 / 1e6)


def test_cftc_frame_errors_are_readable() -> None:
    with pytest.raises(ValueError, match=r"lacks columns \['trader_group'"):
        leveraged_fund_net_short(pd.DataFrame({"report_date": [], "contract_code": []}))
    frame = pd.DataFrame(
        {
            "report_date": pd.to_datetime(["2025-01-07"]),
            "contract_code": ["043602"],
            "trader_group": ["lev_money"],
            "long": [1.0],
            "short": [3.0],
        }
    )
    with pytest.raises(ValueError, match=r"report_date 2025-01-14 is not in the cftc frame"):
        leveraged_fund_net_short(frame, report_date="2025-01-14")
    with pytest.raises(ValueError, match=r"report_date must be a date"):
        leveraged_fund_net_short(frame, report_date="yesterday-ish")
    with pytest.raises(ValueError, match=r"dv01_usd names unknown contracts \['TY'\]"):
        leveraged_fund_net_short(frame, dv01_usd={"TY": 60.0})
    one = leveraged_fund_net_short(frame)
    assert one.net_short_notional_bn == pytest.approx(2 * 100_000 / 1e9)
