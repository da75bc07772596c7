"""The Risk page without a browser: figure builders, the combined stress shock, the view
functions behind the callbacks (checked against QuantLib, hand calculations and the April 2025
sell-off in the real CMT history), bad-input messages, and the wiring through Flask."""

from __future__ import annotations

import base64
import json
import math
import re
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import plotly
import pytest
import QuantLib as ql
from dash import no_update

from analytics.curves import key_rate_shifts, parallel_shift, twist_shift
from analytics.tenors import CMT_SERIES, KEY_TENORS
from components.figures_risk import krd_figure, pnl_figure, price_shift_figure, shock_profile_figure
from components.pages import risk as rk
from data.market import MarketData, demo_market_data
from tests.conftest import route_request

KR_IDS = [{"type": "risk-kr", "tenor": k} for k in KEY_TENORS]


# -- helpers -----------------------------------------------------------------------------------
def _flatten(component: Any) -> str:
    if component is None:
        return ""
    if isinstance(component, str | int | float):
        return str(component)
    if isinstance(component, list):
        return "".join(_flatten(c) for c in component)
    return _flatten(getattr(component, "children", None))


def _table(component: Any, id_: str) -> list[list[str]]:
    """Body rows of the simple_table with id ``id_`` as lists of cell texts."""
    table = component if getattr(component, "id", None) == id_ else component[id_]
    body = table.children[1].children
    return [[_flatten(cell.children) for cell in row.children] for row in body]


def _measures(view: rk.BondView) -> dict[str, float]:
    """The bond summary table as measure -> number."""
    out = {}
    for measure, value, _unit in _table(view.summary, "risk-bond-table"):
        number = re.search(r"[-+]?[\d,]*\.?\d+", value)
        if number:
            out[measure] = float(number.group().replace(",", ""))
    return out


def _usd(text: str) -> float:
    return float(text.split()[1].replace(",", ""))


def _dumps(obj: Any) -> str:
    return json.dumps(obj, cls=plotly.utils.PlotlyJSONEncoder)


def _values(**overrides: object) -> dict[str, object]:
    return {**rk.DEFAULT_INPUTS, **overrides}


@pytest.fixture(scope="module")
def demo() -> MarketData:
    return demo_market_data()


@pytest.fixture(scope="module")
def real_market(real_yields: pd.DataFrame) -> MarketData:
    """The real CMT history as the store would hand it over (FRED ids as columns)."""
    series = real_yields.rename(columns=dict(CMT_SERIES))
    return MarketData("imported", series, pd.DataFrame(), 1, Path("real.sqlite"))


def _flat_pv(times: np.ndarray, flows: np.ndarray, zero: float, spread_bp: float, shift_bp: float) -> float:
    """Hand discounting: sum CF exp(-(z + s + shift) t), continuous rates."""
    return float(np.sum(flows * np.exp(-(zero + (spread_bp + shift_bp) * 1e-4) * times)))


# -- figure builders ---------------------------------------------------------------------------
def test_krd_figure_has_eight_key_bars_and_the_sum_beside_the_effective_duration():
    krd = dict(zip(KEY_TENORS, [0.1, 0.2, 0.3, 0.5, 0.7, 6.0, 0.0, 0.0], strict=True))
    fig = krd_figure(krd, effective_duration=7.85, krd_sum=7.8)
    assert len(fig["data"]) == 2
    assert fig["data"][0]["x"] == list(KEY_TENORS) and len(fig["data"][0]["y"]) == 8
    assert fig["data"][1]["y"] == [7.8, 7.85]
    assert "sum 7.800 vs effective 7.850" in fig["layout"]["title"]["text"]
    assert len(_dumps(fig)) < 5_000


def test_price_shift_figure_draws_revaluation_duration_line_threshold_and_crossing():
    shifts = np.arange(-300.0, 301.0, 5.0)
    prices = 100.0 - 8.0 * shifts / 100.0
    fig = price_shift_figure(shifts.tolist(), prices.tolist(), base_price=100.0, base_dirty=100.0,
                             effective_duration=8.0, threshold_price=97.5, crossing_bp=35.0)
    assert [t["name"] for t in fig["data"]] == ["full revaluation", "effective-duration line", "today"]
    assert len(fig["data"][0]["x"]) == 121 == len(fig["data"][1]["y"])
    # A straight price line with D = 8: the duration line lies on it (100 - 8 x 100 x dy).
    assert fig["data"][1]["y"][0] == pytest.approx(124.0) and fig["data"][0]["y"][0] == 124.0
    assert fig["layout"]["shapes"][0]["y0"] == 97.5
    assert any("falls through the threshold at +35 bp" in a["text"] for a in fig["layout"]["annotations"])
    assert len(_dumps(fig)) < 12_000


def test_shock_profile_and_pnl_figures_have_one_trace_per_series():
    prof = shock_profile_figure([1.0, 5.0, 30.0], [-50.0, 0.0, 50.0])
    assert len(prof["data"]) == 1 and prof["data"][0]["y"] == [-50.0, 0.0, 50.0]
    pnl = pnl_figure(["A", "B"], {"sliders": [1.0, -2.0], "replay": [3.0, 4.0]})
    assert [t["name"] for t in pnl["data"]] == ["sliders", "replay"]
    assert pnl["layout"]["barmode"] == "group"
    assert pnl_figure([], {})["data"] == []


# -- the combined shock ------------------------------------------------------------------------
def test_twist_is_written_as_key_rate_weights_by_hand():
    shifts = rk.StressShock(twist_bp=100.0).key_shifts_bp()
    # -1/2 at 1y, 0 at the 5y pivot, +1/2 at 30y, linear in maturity between.
    hand = {"1y": -50.0, "2y": -37.5, "3y": -25.0, "5y": 0.0, "7y": 50.0 * 2 / 25,
            "10y": 50.0 * 5 / 25, "20y": 50.0 * 15 / 25, "30y": 50.0}
    assert shifts == pytest.approx(hand)
    both = rk.StressShock(parallel_bp=10.0, twist_bp=100.0, key_rates_bp={"10y": 5.0}).key_shifts_bp()
    assert both["10y"] == pytest.approx(10.0 + 10.0 + 5.0)
    assert both["1y"] == pytest.approx(10.0 - 50.0)


def test_combined_shock_equals_the_parallel_twist_and_key_rate_shifts_applied_one_after_another(demo):
    from analytics.curves import bootstrap_par_curve, par_yields_on
    from analytics.portfolio import scenario_curve

    _, par = par_yields_on(demo.yields, "2025-04-11")
    curve = bootstrap_par_curve(par)
    shock = rk.StressShock(parallel_bp=35.0, twist_bp=-80.0, key_rates_bp={"2y": 15.0, "20y": -40.0})
    chained = key_rate_shifts(twist_shift(parallel_shift(curve, shift_bp=35.0), twist_bp=-80.0),
                              shifts_bp={"2y": 15.0, "20y": -40.0})
    combined = scenario_curve(curve, shock.scenario())
    t = np.linspace(0.05, 40.0, 2_000)
    assert np.max(np.abs(combined.zero_rate(t) - chained.zero_rate(t))) < 1e-13
    profile = shock.profile_bp(t.tolist())
    assert np.max(np.abs(profile * 1e-4 - (chained.zero_rate(t) - curve.zero_rate(t)))) < 1e-13


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"parallel_bp": 400.0}, "parallel shift must be in [-300, 300] bp, got 400"),
    ({"twist_bp": -250.0}, "twist must be in [-200, 200] bp, got -250"),
    ({"key_rates_bp": {"10y": 1e9}}, "10y key rate must be in [-200, 200] bp"),
    ({"key_rates_bp": {"4y": 1.0}}, "key rate '4y' is not one of"),
])
def test_stress_shock_refuses_out_of_range_values_naming_the_slider(kwargs, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        rk.StressShock(**kwargs)


def test_an_emptied_slider_box_is_reported_not_raised(demo):
    with pytest.raises(ValueError, match="parallel shift is empty"):
        rk.read_stress(None, 0, [0] * 8, KR_IDS)
    try:
        rk.read_stress(0, 0, [0, 0, 0, 0, 0, None, 0, 0], KR_IDS)
    except ValueError as exc:
        err: Exception = exc
    view = rk.stress_view(rk.bond_view(demo, _values()).spec, err)
    assert "10y key rate is empty" in _flatten(view.error)
    # The old tiles and profile answered another shock: they are withdrawn, not left.
    assert view.tiles is not no_update and view.profile is not no_update
    assert _flatten(view.tiles) == "No result for these inputs (see the message)."
    assert view.tiles.className == "results-withdrawn"
    assert view.profile["data"] == [] or all(not t.get("y") for t in view.profile["data"])
    assert "fix the slider value" in json.dumps(view.profile)


# -- the bond panel ----------------------------------------------------------------------------
def test_bullet_from_a_yield_matches_quantlib_price_and_durations():
    view = rk.bond_view(None, _values(quote_kind="yield", quote=4.5))
    assert not view.errors
    m = _measures(view)
    day = ql.Date(15, 1, 2025)
    ql.Settings.instance().evaluationDate = day
    schedule = ql.Schedule(day, day + ql.Period(10, ql.Years), ql.Period(ql.Semiannual),
                           ql.NullCalendar(), ql.Unadjusted, ql.Unadjusted,
                           ql.DateGeneration.Backward, False)
    isma = ql.ActualActual(ql.ActualActual.ISMA)
    bond = ql.FixedRateBond(0, 100.0, schedule, [0.0425], isma)
    rate = ql.InterestRate(0.045, isma, ql.Compounded, ql.Semiannual)
    assert m["price (clean)"] == pytest.approx(ql.BondFunctions.cleanPrice(bond, rate), abs=1e-4)
    assert m["yield"] == pytest.approx(4.5, abs=1e-4)
    assert m["modified duration"] == pytest.approx(
        ql.BondFunctions.duration(bond, rate, ql.Duration.Modified), abs=1e-4)
    # The risk shifts move the semiannual zero rates (issue 9): on a flat curve that is a move
    # of the bond's own yield, so effective duration = modified duration and convexity = yield
    # convexity, up to the O(dy^2) error of the +/-25 bp central differences.
    assert m["effective duration"] == pytest.approx(
        ql.BondFunctions.duration(bond, rate, ql.Duration.Modified), abs=2e-3)
    assert m["convexity"] == pytest.approx(ql.BondFunctions.convexity(bond, rate), abs=0.05)
    assert view.spec["krd"]["10y"] > 6.5  # most of the 8.05 years of (modified) duration
    assert m["sum of key-rate durations"] == pytest.approx(m["effective duration"], abs=1e-3)
    assert m["z-spread over the curve"] == pytest.approx(0.0, abs=1e-6)


def test_callable_never_worth_calling_has_zero_oas_over_its_own_yield_and_an_oas_row():
    # 2% coupon with rates at 6% and no volatility: the issuer never calls, so the tree prices
    # the bullet and the OAS over the flat curve at the bond's own yield is 0 (hand fact).
    view = rk.bond_view(None, _values(coupon=2.0, quote_kind="yield", quote=6.0,
                                      callable=["yes"], call_after=1.0, vol=0.0))
    assert not view.errors
    m = _measures(view)
    assert m["OAS"] == pytest.approx(0.0, abs=0.05)
    assert "z-spread over the curve" not in m


def test_callable_near_the_call_is_shorter_when_rates_fall_and_the_chart_shows_the_call_price():
    view = rk.bond_view(None, _values(coupon=5.0, quote=100.0, callable=["yes"], call_after=2.0))
    m = _measures(view)
    assert m["down-duration"] < m["up-duration"]
    assert m["effective duration"] < m["modified duration"] - 1.0
    assert m["convexity"] < 0.0  # negative convexity of a callable near the money
    assert m["OAS"] < 0.0  # flat at its own (bullet-equivalent) yield: minus the option cost
    sweep = view.sweep
    assert len(sweep["data"][0]["x"]) == len(rk.sweep_shifts_bp(rk.read_bond_inputs(
        _values(callable=["yes"])).spec)) == 25
    assert sweep["layout"]["shapes"][0]["y0"] == 100.0


def test_muni_near_par_falls_through_the_de_minimis_threshold_on_a_parallel_rise():
    view = rk.bond_view(None, _values(coupon=3.0, maturity=10.0, quote=98.5, muni=["yes"],
                                      ordinary=0.4, gains=0.2))
    assert not view.errors
    m = _measures(view)
    assert m["de minimis threshold"] == pytest.approx(100.0 - 0.25 * 10)
    assert m["tax rate on the discount"] == 20.0
    # Up 25 bp takes the price (about -2.8 points) below 97.50: taxed at 40% instead of 20%.
    assert m["up-duration"] > m["down-duration"] + 2.0
    # Tax-aware KRDs need not sum to D: the gap is far above the bullet bound
    # (sinh(T dy) - T dy) / dy = 0.00104 years for T = 10, dy = 25 bp.
    bound = (math.sinh(10 * 0.0025) - 10 * 0.0025) / 0.0025
    assert abs(m["effective duration"] - m["sum of key-rate durations"]) > 5 * bound
    crossing = [a for a in view.sweep["layout"]["annotations"] if "falls through" in a["text"]]
    assert crossing and 0 < crossing[0]["x"] <= 25


def test_threshold_crossing_is_the_first_rise_whose_price_is_below_the_threshold():
    shifts = [-10.0, -5.0, 0.0, 5.0, 10.0, 15.0]
    assert rk.threshold_crossing_bp(shifts, [99, 98.8, 98.6, 98.4, 97.4, 97.0], 97.5) == 10.0
    assert rk.threshold_crossing_bp(shifts, [98, 97.8, 97.4, 97.0, 96.0, 95.0], 97.5) is None


@pytest.mark.parametrize(("overrides", "field", "message"), [
    ({"maturity": -5}, "maturity", "Maturity must be in (0, 100] years, got -5"),
    ({"maturity": None}, "maturity", "Maturity (years) is empty"),
    ({"coupon": 1e9}, "coupon", "Coupon must be in [0, 100) %, got 1000000000"),
    ({"quote": 0}, "quote", "Price must be a clean price per 100 in (0, 1000], got 0"),
    ({"quote": -3}, "quote", "Price must be a clean price per 100 in (0, 1000], got -3"),
    ({"quote_kind": "yield", "quote": 900}, "quote", "Yield must be in [-50, 500] %, got 900"),
    ({"callable": ["yes"], "vol": -1}, "vol", "Short-rate vol must be in [0, 2000] bp a year"),
    ({"callable": ["yes"], "call_after": 12}, "call_after", "Callable after must be in [0, maturity = 10)"),
    ({"callable": ["yes"], "call_price": 0}, "call_price", "Call price must be a positive price"),
    ({"muni": ["yes"], "ordinary": 1.5}, "ordinary",
     "Ordinary-income tax rate must be a decimal tax rate in [0, 1), got 1.5"),
    ({"muni": ["yes"], "gains": -0.1}, "gains", "Capital-gains tax rate must be a decimal tax rate in [0, 1)"),
    ({"shift": 0}, "shift", "Shift size must be in (0, 500] bp, got 0"),
    ({"shift": 1e6}, "shift", "Shift size must be in (0, 500] bp"),
])
def test_bad_bond_inputs_give_the_message_next_to_their_control_and_withdraw_the_results(
        overrides, field, message):
    view = rk.bond_view(None, _values(**overrides))
    assert list(view.errors) == [field]
    assert message in view.errors[field]
    assert all(v is not no_update for v in view[1:])
    assert _flatten(view.summary) == "No result for these inputs (see the message)."
    for fig in (view.krd, view.sweep):
        assert not any(t.get("y") for t in fig["data"])
        assert "fix the input" in json.dumps(fig["layout"])
    assert view.spec is None and view.curve_note == ""


def test_callable_terms_are_ignored_while_the_box_is_unticked():
    view = rk.bond_view(None, _values(vol=-1, call_after=None))
    assert not view.errors


def test_store_curve_is_labelled_demo_and_a_date_before_the_data_is_refused(demo):
    view = rk.bond_view(demo, _values(curve_kind="store", curve_date="2025-04-12"))
    assert not view.errors
    note_text = _flatten(view.curve_note)
    # 2025-04-12 is a Saturday: the curve of the Friday before.
    assert "CMT curve of 2025-04-11" in note_text and "DEMO" in note_text
    bad = rk.bond_view(demo, _values(curve_kind="store", curve_date="1950-01-01"))
    assert "No yields on or before 1950-01-01" in bad.errors["curve_date"]


def test_par_bond_on_the_real_store_curve_has_no_spread(real_market):
    # 10y CMT on 2025-04-11 was 4.48%: a 4.48% 10y bond at 100 is par on its own bootstrapped
    # curve (the bootstrap reprices par bonds at the grid maturities).
    view = rk.bond_view(real_market, _values(coupon=4.48, maturity=10.0, quote=100.0,
                                             curve_kind="store", curve_date="2025-04-11"))
    m = _measures(view)
    assert m["z-spread over the curve"] == pytest.approx(0.0, abs=1e-3)
    assert m["yield"] == pytest.approx(4.48, abs=1e-4)
    assert "DEMO" not in _flatten(view.curve_note)


# -- stress ------------------------------------------------------------------------------------
def test_parallel_100bp_pnl_per_million_matches_hand_repricing_of_the_cash_flows():
    view = rk.bond_view(None, _values(coupon=4.25, maturity=10.0, quote=98.5))
    spec = view.spec
    shock = rk.StressShock(parallel_bp=100.0)
    stress = rk.stress_view(spec, shock)
    t = np.arange(1, 21) * 0.5
    cf = np.full(20, 4.25 / 2)
    cf[-1] += 100.0
    zero = spec["curve"]["zeros"][0]  # flat curve
    spread = spec["anchor"]["spread_bp"]
    base = _flat_pv(t, cf, zero, spread, 0.0)
    up = _flat_pv(t, cf, zero, spread, 100.0)
    assert base == pytest.approx(98.5, abs=1e-8)
    hand = (up - base) / 100.0 * 1_000_000
    assert _usd(_flatten(stress.tiles["risk-stress-pnl"].children)) == pytest.approx(hand, abs=1.0)
    assert float(_flatten(stress.tiles["risk-stress-dprice"].children)) == pytest.approx(up - base, abs=1e-4)
    # The first-order KRD estimate misses the convexity gain: it is the more negative.
    estimate = _usd(_flatten(stress.tiles["risk-stress-estimate"].children))
    assert estimate < hand and estimate == pytest.approx(hand, rel=0.06)
    assert stress.profile["data"][0]["y"][0] == 100.0


def test_zero_shock_has_zero_pnl_and_a_callable_reuses_one_cached_lattice():
    cache = rk.ValuerCache()
    values = _values(coupon=5.0, callable=["yes"], call_after=2.0)
    view = rk.bond_view(None, values, cache=cache)
    spec = rk.read_bond_inputs(values).spec
    lattice = cache.valuer(spec)
    zero = rk.stress_view(view.spec, rk.StressShock(), cache=cache)
    assert _usd(_flatten(zero.tiles["risk-stress-pnl"].children)) == 0.0
    moved = rk.stress_view(view.spec, rk.StressShock(twist_bp=50.0, key_rates_bp={"5y": -20.0}),
                           cache=cache)
    assert _usd(_flatten(moved.tiles["risk-stress-pnl"].children)) != 0.0
    assert len(cache) == 1 and cache.valuer(spec) is lattice


def test_stress_without_a_bond_says_so():
    view = rk.stress_view(None, rk.StressShock(parallel_bp=10.0))
    assert "Fix the bond inputs" in _flatten(view.error)


# -- portfolio ---------------------------------------------------------------------------------
def _data_url(raw: bytes) -> str:
    return "data:text/csv;base64," + base64.b64encode(raw).decode()


def test_decode_upload_reads_utf8_with_a_bom_and_names_the_file_when_it_cannot():
    assert rk.decode_upload(_data_url("\ufeffid,type\n".encode()), "a.csv") == "id,type\n"
    with pytest.raises(ValueError, match="b.csv: not a UTF-8 text file"):
        rk.decode_upload(_data_url(b"\xff\xfe\x00bad"), "b.csv")
    with pytest.raises(ValueError, match="c.csv: the upload is not valid base64"):
        rk.decode_upload("data:text/csv;base64,@@@", "c.csv")
    with pytest.raises(ValueError, match="more than the 2,000,000 accepted"):
        rk.decode_upload(_data_url(b"x" * (rk.MAX_UPLOAD_BYTES + 1)), "d.csv")


BOOK = """id,type,coupon_pct,maturity,face_usd,price
UST-10,bullet,4.25,10,10000000,98.5
UST-2,bullet,3.875,2,-20000000,99.8
BAD,bond,4,10,1000000,99
NEG,bullet,4,-3,1000,99
"""


def test_bad_rows_are_listed_with_file_line_and_column_and_the_good_rows_are_priced(demo):
    priced = rk.price_book(BOOK, "book.csv", demo.yields, "2025-04-11")
    view = rk.book_view(priced, demo)
    errors = _flatten(view.errors)
    assert "2 row problem(s)" in errors and "2 good row(s) priced" in errors
    assert "book.csv: line 4, column type: 'bond' is not one of bullet, callable, muni" in errors
    assert "book.csv: line 5, column maturity" in errors
    rows = _table(view.positions, "risk-pf-table")
    assert [r[0] for r in rows] == ["UST-10", "UST-2", "total"]
    assert len(rows[0]) == 9 + len(KEY_TENORS)


def test_total_dv01_is_the_sum_and_each_hedge_is_bucket_dv01_over_contract_dv01(demo):
    priced = rk.price_book(BOOK, "book.csv", demo.yields, "2025-04-11")
    view = rk.book_view(priced, demo)
    rows = _table(view.positions, "risk-pf-table")

    def num(text: str) -> float:
        return float(text.replace(",", ""))

    assert num(rows[2][8]) == pytest.approx(num(rows[0][8]) + num(rows[1][8]), abs=1.0)
    # DV01 = MV x D x 1bp for UST-10 (hand, from the table's own MV and duration).
    assert num(rows[0][8]) == pytest.approx(num(rows[0][7]) * float(rows[0][6]) * 1e-4, rel=2e-3)
    hedges = {r[0]: r for r in _table(view.hedges, "risk-pf-hedges")}
    krd_10y = num(rows[2][9 + KEY_TENORS.index("10y")])
    assert hedges["10y"][2] == "Ultra 10-Year (UXY)" and num(hedges["10y"][3]) == 90.0
    assert num(hedges["10y"][4]) == pytest.approx(krd_10y / 90.0, abs=0.06)
    # The 2y short dominates the 2y bucket: buy 2y futures (negative = buy).
    assert num(hedges["2y"][4]) < 0.0
    override = rk.book_view(priced, demo, {"ULTRA_10Y": 45.0})
    hedges2 = {r[0]: r for r in _table(override.hedges, "risk-pf-hedges")}
    assert num(hedges2["10y"][4]) == pytest.approx(2 * num(hedges["10y"][4]), abs=0.1)


def test_a_bad_futures_dv01_is_refused_with_the_contract_named(demo):
    priced = rk.price_book(BOOK, "book.csv", demo.yields, None)
    ids = [{"type": "risk-fut-dv01", "key": "UST_2Y"}]
    with pytest.raises(ValueError, match=r"2-Year T-Note \(TU\): DV01 per contract is empty"):
        rk.read_futures_dv01([None], ids)
    view = rk.book_view(priced, demo, rk.read_futures_dv01([0.0], ids))
    assert "2-Year T-Note (TU) DV01 per contract must be a positive USD amount per bp, got 0" \
        in _flatten(view.hedges)
    assert view.positions is not no_update


def test_a_file_without_good_rows_lists_its_errors_and_shows_no_table(demo):
    priced = rk.price_book("id,type,coupon\n", "x.csv", demo.yields, None)
    view = rk.book_view(priced, demo)
    assert "x.csv: line 1, column coupon: unknown column" in _flatten(view.errors)
    assert priced.book is None
    pnl = rk.book_pnl_view(priced, demo.yields, rk.StressShock(), None, None)
    assert "Upload a portfolio" in _flatten(pnl.table)


def test_replay_defaults_to_april_2025_or_else_the_last_week():
    assert rk.default_replay_dates(demo_market_data().yields) == ("2025-04-04", "2025-04-11")
    idx = pd.bdate_range("2024-01-02", "2024-12-31", name="date")
    short = pd.DataFrame({"10y": 4.0}, index=idx)
    assert rk.default_replay_dates(short) == ("2024-12-24", "2024-12-31")
    assert rk.default_replay_dates(pd.DataFrame()) == (None, None)


def test_slider_pnl_of_a_position_matches_hand_discounting_on_the_store_curve(demo):
    priced = rk.price_book(BOOK, "book.csv", demo.yields, "2025-04-11")
    view = rk.book_pnl_view(priced, demo.yields, rk.StressShock(parallel_bp=50.0), "2025-04-04",
                            "2025-04-11")
    rows = {r[0]: r for r in _table(view.table, "risk-pnl-table")}
    curve = priced.book.curve
    spread = priced.book.spreads_bp["UST-10"]
    t = np.arange(1, 21) * 0.5
    cf = np.full(20, 4.25 / 2)
    cf[-1] += 100.0
    disc = curve.discount(t) * np.exp(-spread * 1e-4 * t)
    base = float(np.sum(cf * disc))
    up = float(np.sum(cf * disc * np.exp(-50e-4 * t)))
    assert _usd(rows["UST-10"][1]) == pytest.approx(1e5 * (up - base), abs=1.0)
    assert _usd(rows["total"][1]) == pytest.approx(_usd(rows["UST-10"][1]) + _usd(rows["UST-2"][1]), abs=1.0)
    assert view.figure["data"][0]["name"] == "sliders" and len(view.figure["data"]) == 2


def test_a_reversed_replay_window_is_reported_and_the_slider_pnl_still_shows(demo):
    priced = rk.price_book(BOOK, "book.csv", demo.yields, None)
    view = rk.book_pnl_view(priced, demo.yields, rk.StressShock(parallel_bp=10.0), "2025-04-11",
                            "2025-04-04")
    assert "Replay start (2025-04-11) must be before its end (2025-04-04)" in _flatten(view.error)
    assert len(_table(view.table, "risk-pnl-table")[0]) == 2


def test_an_invalid_slider_value_withdraws_the_book_pnl_instead_of_leaving_the_old_one(demo):
    priced = rk.price_book(BOOK, "book.csv", demo.yields, None)
    good = rk.book_pnl_view(priced, demo.yields, rk.StressShock(parallel_bp=10.0), None, None)
    assert "USD" in _flatten(good.table)
    try:
        rk.read_stress(0, "abc", [0] * 8, KR_IDS)
    except ValueError as exc:
        err: Exception = exc
    view = rk.book_pnl_view(priced, demo.yields, err, None, None)
    assert "Twist must be a number of bp, got 'abc'" in _flatten(view.error)
    assert _flatten(view.table) == "No result for these inputs (see the message)."
    assert not any(t.get("y") or t.get("x") for t in view.figure["data"])


def _hand_price(coupon: float, years: float, y_pct: float, redemption: float = 100.0) -> float:
    """Semiannual street price of whole coupon periods: sum of c/2 / (1+y/2)^k + redemption."""
    n, v = round(years * 2), 1.0 / (1.0 + y_pct / 200.0)
    return sum(coupon / 2.0 * v ** k for k in range(1, n + 1)) + redemption * v ** n


def test_callable_shows_its_yield_to_worst_workout_and_the_ytm_warning():
    # 6% 10y callable after 2y at 100, quoted at a 5% (bullet-equivalent) yield: a premium
    # price, so the worst is the first call. By hand: P = price of the 10y bullet at 5%, then
    # the yield that makes the 2y bond redeemed at 100 worth P (bisection).
    view = rk.bond_view(None, _values(coupon=6.0, callable=["yes"], call_after=2.0, call_price=100.0,
                                      quote_kind="yield", quote=5.0))
    assert not view.errors
    price = _hand_price(6.0, 10.0, 5.0)
    lo, hi = -5.0, 10.0
    for _ in range(100):
        mid = (lo + hi) / 2.0
        lo, hi = (mid, hi) if _hand_price(6.0, 2.0, mid) > price else (lo, mid)
    rows = {r[0]: r for r in _table(view.summary, "risk-bond-table")}
    assert float(rows["yield to worst"][1].rstrip("%")) == pytest.approx(lo, abs=5e-4)
    assert "workout in 2 years (a call)" in rows["yield to worst"][2]
    warning = _flatten(view.summary["risk-ytw-warning"])
    assert "read as yield to maturity" in warning and "to the call in 2 years" in warning
    assert "semiannual bond-equivalent" in _flatten(view.summary["risk-shift-convention"])


def test_a_bullet_has_no_yield_to_worst_row_but_states_the_shift_convention():
    view = rk.bond_view(None, _values())
    assert "yield to worst" not in [r[0] for r in _table(view.summary, "risk-bond-table")]
    assert "Shifts move the semiannual bond-equivalent zero rates" in _flatten(view.summary)
    assert "risk-ytw-warning" not in json.dumps(view.summary.to_plotly_json(), default=str)


def test_coupon_minus_7_withdraws_the_bond_results_and_the_stress_tiles(demo):
    bad = rk.bond_view(demo, _values(coupon=-7))
    assert "coupon" in bad.errors
    assert bad.spec is None and "No result" in _flatten(bad.summary)
    stress = rk.stress_view(bad.spec, rk.StressShock(parallel_bp=50.0))
    assert "Fix the bond inputs above first" in _flatten(stress.error)
    assert stress.tiles.className == "results-withdrawn"


def test_replay_of_the_april_2025_selloff_costs_a_10y_note_the_47bp_rise(real_yields):
    # 10y CMT: 4.01% on 2025-04-04, 4.48% on 2025-04-11. A 10y 4.01% note at par on the
    # 2025-04-04 curve, replayed to 2025-04-11, is worth about its price at a 4.48% yield.
    book = "id,type,coupon_pct,maturity,face_usd,price\nT10,bullet,4.01,10,10000000,100\n"
    priced = rk.price_book(book, "t.csv", real_yields, "2025-04-04")
    assert priced.book is not None
    view = rk.book_pnl_view(priced, real_yields, rk.StressShock(), "2025-04-04", "2025-04-11")
    rows = {r[0]: r for r in _table(view.table, "risk-pnl-table")}
    y = 0.0448 / 2
    annuity = (1 - (1 + y) ** -20) / y
    hand_price = 4.01 / 2 * annuity + 100 * (1 + y) ** -20
    hand = 1e5 * (hand_price - 100.0)  # about -USD 375k
    assert _usd(rows["T10"][2]) == pytest.approx(hand, rel=0.01)
    assert _usd(rows["T10"][1]) == 0.0


# -- through Flask -----------------------------------------------------------------------------
def _client(monkeypatch, store: Path):
    from app import create_app

    return create_app(store).server.test_client()


def test_risk_route_and_stress_callback_through_flask(monkeypatch, tmp_path):
    client = _client(monkeypatch, tmp_path / "absent.sqlite")
    resp = client.post("/_dash-update-component", json=route_request("/risk"))
    assert resp.status_code == 200
    page = resp.get_data(as_text=True)
    assert "risk-krd-chart" in page and "risk-pf-upload" in page

    spec = rk.bond_view(None, _values()).spec
    outputs = [("risk-stress-error", "children"), ("risk-stress-tiles", "children"),
               ("risk-profile-chart", "figure")]

    def call(parallel: object) -> dict[str, Any]:
        body = {
            "output": ".." + "...".join(f"{i}.{p}" for i, p in outputs) + "..",
            "outputs": [{"id": i, "property": p} for i, p in outputs],
            "inputs": [
                {"id": "risk-parallel", "property": "value", "value": parallel},
                {"id": "risk-twist", "property": "value", "value": 0},
                [{"id": i, "property": "value", "value": 0} for i in KR_IDS],
                {"id": "risk-bond-spec", "property": "data", "value": spec},
            ],
            "state": [[{"id": i, "property": "id", "value": i} for i in KR_IDS]],
            "changedPropIds": ["risk-parallel.value"],
        }
        r = client.post("/_dash-update-component", json=body)
        assert r.status_code == 200, r.data[:500]
        return json.loads(r.data)["response"]

    good = call(100)
    assert "USD -" in json.dumps(good["risk-stress-tiles"])
    bad = call(None)
    assert set(bad) == {"risk-stress-error", "risk-stress-tiles", "risk-profile-chart"}
    assert "Parallel shift is empty" in json.dumps(bad["risk-stress-error"])
    assert "USD" not in json.dumps(bad["risk-stress-tiles"])  # the old P&L is withdrawn
    assert "No result for these inputs" in json.dumps(bad["risk-stress-tiles"])


def test_the_book_cache_reprices_on_a_new_store_revision(demo):
    """A refresh (new revision) must move the book onto the new curve, not keep the old P&L."""
    book = "id,type,coupon_pct,maturity,face_usd\nUST-10,bullet,4.25,10,10000000\n"  # off the curve
    cache = rk.BookCache()
    first = rk._book(cache, book, "book.csv", demo.yields, "2025-04-11", 7)
    assert rk._book(cache, book, "book.csv", demo.yields, "2025-04-11", 7) is first
    shifted = demo.yields + 0.5  # the refreshed curve, 50 bp higher
    second = rk._book(cache, book, "book.csv", shifted, "2025-04-11", 8)
    assert first.risk is not None and second.risk is not None
    # 50 bp higher yields: a 10-year bullet loses roughly 4% of its value
    ratio = second.risk.market_value_usd / first.risk.market_value_usd
    assert 0.94 < ratio < 0.98


def test_the_pnl_panel_prices_the_book_without_its_risk_which_is_computed_once_on_demand(
        demo, monkeypatch):
    """At a new date the P&L panel needs only the priced book: the positions' durations and key
    rates are computed when the positions panel first asks, once for both panels."""
    from concurrent.futures import ThreadPoolExecutor

    from analytics.portfolio import PricedPortfolio

    runs = []
    real_risk = PricedPortfolio.risk

    def counted(self, **kwargs):
        runs.append(1)
        return real_risk(self, **kwargs)

    monkeypatch.setattr(PricedPortfolio, "risk", counted)
    book = ("id,type,coupon_pct,maturity,face_usd,price,call_after\n"
            "UST-10,bullet,4.25,10,10000000,,\n"
            "CALL-20,callable,5.0,20,5000000,98.5,3\n")
    priced = rk._book(rk.BookCache(), book, "book.csv", demo.yields, "2025-04-11", 1)
    assert not priced.parsed.errors and priced.book is not None and len(priced.book.positions) == 2
    pnl = rk.book_pnl_view(priced, demo.yields, rk.StressShock(parallel_bp=25.0), None, None)
    assert "UST-10" in json.dumps(pnl.table, default=str) and runs == []
    with ThreadPoolExecutor(4) as pool:  # both panels, and repeated requests, share one risk
        reports = list(pool.map(lambda _: priced.risk, range(8)))
    assert runs == [1] and all(r is reports[0] for r in reports)
    assert reports[0] is not None and reports[0].dv01_usd > 0


def test_a_new_upload_replaces_the_previous_files_messages_through_flask(monkeypatch, tmp_path):
    """A refused upload empties the book source (so the previous file's rows, errors and P&L
    go) and the file line; a good one clears the previous refusal."""
    client = _client(monkeypatch, tmp_path / "absent.sqlite")
    outputs = [("risk-pf-source", "data"), ("risk-pf-upload-error", "children"),
               ("risk-pf-file", "children")]

    def upload(contents: str, name: str) -> dict[str, Any]:
        body = {
            "output": ".." + "...".join(f"{i}.{p}" for i, p in outputs) + "..",
            "outputs": [{"id": i, "property": p} for i, p in outputs],
            "inputs": [{"id": "risk-pf-upload", "property": "contents", "value": contents},
                       {"id": "risk-pf-example", "property": "n_clicks", "value": 0}],
            "state": [{"id": "risk-pf-upload", "property": "filename", "value": name}],
            "changedPropIds": ["risk-pf-upload.contents"],
        }
        r = client.post("/_dash-update-component", json=body)
        assert r.status_code == 200, r.data[:500]
        return json.loads(r.data)["response"]

    good = upload(_data_url(BOOK.encode()), "good.csv")
    assert good["risk-pf-source"]["data"]["source"] == "good.csv"
    assert good["risk-pf-file"]["children"] == "File: good.csv."
    bad = upload(_data_url(b"\xff\xfe\x00bad"), "bad.csv")
    assert bad["risk-pf-source"]["data"] is None
    assert bad["risk-pf-file"]["children"] == ""
    assert "bad.csv: not a UTF-8 text file" in json.dumps(bad["risk-pf-upload-error"])
    again = upload(_data_url(BOOK.encode()), "again.csv")
    assert again["risk-pf-upload-error"]["children"] == ""

    # With no source, the book outputs are emptied (not the previous file's).
    book_outputs = [("risk-pf-errors", "children"), ("risk-pf-positions", "children"),
                    ("risk-pf-totals", "children"), ("risk-pf-hedge-table", "children")]
    body = {
        "output": ".." + "...".join(f"{i}.{p}" for i, p in book_outputs) + "..",
        "outputs": [{"id": i, "property": p} for i, p in book_outputs],
        "inputs": [{"id": "risk-pf-source", "property": "data", "value": None},
                   {"id": "risk-pf-asof", "property": "date", "value": None},
                   []],
        "state": [[]],
        "changedPropIds": ["risk-pf-source.data"],
    }
    r = client.post("/_dash-update-component", json=body)
    assert r.status_code == 200, r.data[:500]
    cleared = json.loads(r.data)["response"]
    assert cleared["risk-pf-errors"]["children"] == "" and cleared["risk-pf-totals"]["children"] == ""
    assert "No portfolio loaded" in json.dumps(cleared["risk-pf-positions"])


def test_the_memo_builds_a_value_once_and_other_keys_meanwhile():
    """Two requests for one new key build it once; a slow build does not hold up another key
    (each thread would time out waiting for the other if the lock were held while building)."""
    import threading

    memo = rk.BookCache(size=4)
    started = {"a": threading.Event(), "b": threading.Event()}
    builds: list[str] = []

    def make(key: str, other: str):
        def build():
            builds.append(key)
            started[key].set()
            assert started[other].wait(5), f"{other} was not built while {key} was"
            return key.upper()
        return build

    results: dict[str, object] = {}

    def ask(name: str, key: str, other: str) -> None:
        results[name] = memo.get((key, "", "", 0), make(key, other))

    threads = [threading.Thread(target=ask, args=("a1", "a", "b")),
               threading.Thread(target=ask, args=("b1", "b", "a"))]
    for t in threads:
        t.start()
    assert started["a"].wait(5)
    waiter = threading.Thread(target=ask, args=("a2", "a", "b"))  # same key while it builds
    waiter.start()
    for t in [*threads, waiter]:
        t.join(10)
    assert results == {"a1": "A", "b1": "B", "a2": "A"}
    assert sorted(builds) == ["a", "b"]


def test_a_failed_build_reaches_every_waiter_and_is_not_kept():
    memo = rk.BookCache(size=4)

    def broken():
        raise ValueError("no curve")

    with pytest.raises(ValueError, match="no curve"):
        memo.get(("k", "", "", 0), broken)
    assert len(memo) == 0
    assert memo.get(("k", "", "", 0), lambda: "fine") == "fine"


def test_a_lattice_whose_rates_explode_is_a_message_under_the_volatility():
    """100 years at 2,000 bp of normal volatility: the tree cannot be built. The message sits
    under the volatility and the results are withdrawn (no error page, no NaN prices)."""
    view = rk.bond_view(None, _values(maturity=100.0, vol=2000.0, callable=["callable"], call_after=1.0))
    assert list(view.errors) == ["vol"]
    assert "overflows" in view.errors["vol"] and "lower the volatility" in view.errors["vol"]
    assert view.spec is None
    assert not rk.bond_view(None, _values(maturity=100.0, vol=100.0, callable=["callable"], call_after=1.0)).errors
