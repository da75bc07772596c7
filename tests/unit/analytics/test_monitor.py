"""The meeting-mode monitor board, checked against the shared history by hand.

Every expected number below is read off ../shared/data (the raw `date,value` files) and
computed by hand in the comment next to it.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analytics.monitor import WEEKLY_WINDOWS, build_board, level_cell, top_contributor
from analytics.state import build_state, snapshot
from analytics.tenors import CFTC_COLUMNS, TRADER_GROUPS
from tests.conftest import read_shared_series

pytestmark = pytest.mark.shared

FACE_USD = {"042601": 200_000.0}  # the 2-year note; every other contract has $100k face


def _long_cftc(wide: pd.DataFrame) -> pd.DataFrame:
    parts = []
    for group in TRADER_GROUPS:
        spread = wide[f"{group}_spread"] if group != "nonrept" else np.nan
        parts.append(pd.DataFrame({
            "report_date": wide["report_date"], "contract_code": wide["cftc_code"],
            "trader_group": group, "long": wide[f"{group}_long"].astype(float),
            "short": wide[f"{group}_short"].astype(float), "spreading": spread,
            "open_interest": wide["open_interest"].astype(float)}))
    return pd.concat(parts, ignore_index=True)[list(CFTC_COLUMNS)]


@pytest.fixture(scope="module")
def wide_cftc(shared_data) -> pd.DataFrame:
    return pd.read_csv(shared_data / "cftc" / "tff_treasury_futures.csv",
                       dtype={"cftc_code": str}, parse_dates=["report_date"])


@pytest.fixture(scope="module")
def state(shared_data, real_yields, wide_cftc):
    """The state of 2018-2025 yields, SOFR, EFFR, IOER/IORB, ON RRP and the CFTC reports."""
    yields = real_yields.loc["2018-01-01":"2025-06-30"]
    ids = ("SOFR", "EFFR", "IOER", "IORB", "RRPONTSYD")
    series = pd.concat([read_shared_series(shared_data, f"fred/{i}.csv") for i in ids], axis=1,
                       sort=True)
    series = series.loc["2018-01-01":"2025-06-30"]
    series.index.name = "date"
    cftc = _long_cftc(wide_cftc[wide_cftc["report_date"] >= "2018-01-01"])
    return build_state(yields, series, cftc, revision=1, mode="imported")


@pytest.fixture(scope="module")
def dash_for_cash(state):
    return build_board(state, snapshot(state, as_of="2020-03-18"))


def test_10y_yield_and_its_changes_on_18_march_2020(dash_for_cash):
    ten = dash_for_cash.cell("10y")
    assert ten.value == pytest.approx(1.18) and ten.date == pd.Timestamp("2020-03-18")
    assert not ten.stale and ten.units == "%" and ten.change_units == "bp"
    # DGS10: 03-17 1.02 (1 obs back), 03-11 0.82 (5 back: 17, 16, 13, 12, 11),
    # 02-18 1.55 (21 back; 02-17 was Presidents' Day, no row).
    expected = {"1d": ("2020-03-17", 16.0), "1w": ("2020-03-11", 36.0), "1m": ("2020-02-18", -37.0)}
    for window, (start, bp) in expected.items():
        change = ten.change(window)
        assert change is not None
        assert change.from_date == pd.Timestamp(start)
        assert change.change == pytest.approx(bp)


def test_2s10s_cell_equals_the_curve_move_of_the_same_window(state, dash_for_cash):
    cell = dash_for_cash.cell("2s10s")
    assert cell.value == pytest.approx(118 - 54)  # DGS10 1.18, DGS2 0.54
    # 1w: on 03-11 DGS10 0.82 and DGS2 0.50, so 2s10s was 32 bp: +32 bp.
    week = cell.change("1w")
    assert week is not None and week.change == pytest.approx(32.0)
    snap = snapshot(state, as_of="2020-03-18")
    for window in ("1d", "1w", "1m"):
        move = snap.curve.move("2s10s", window)
        change = cell.change(window)
        assert move is not None and change is not None
        assert change.from_date == move.from_date
        assert change.change == pytest.approx(move.spread_bp, abs=0.05)  # moves: 0.1 bp


def test_a_holiday_is_skipped_not_read_as_a_change(state):
    # 2020-02-17 (Presidents' Day) has no yields: the 1d change of 02-18 starts on 02-14.
    board = build_board(state, snapshot(state, as_of="2020-02-18"))
    day = board.cell("10y").change("1d")
    assert day is not None and day.from_date == pd.Timestamp("2020-02-14")
    assert day.change == pytest.approx(-4.0)  # 1.55 - 1.59


def test_sofr_and_its_spreads_in_the_september_2019_repo_spike(state):
    board = build_board(state, snapshot(state, as_of="2019-09-17"))
    sofr = board.cell("sofr")
    assert sofr.value == pytest.approx(5.25)
    assert sofr.change("1d").change == pytest.approx(282.0)  # 5.25 - 2.43
    assert sofr.change("1w").change == pytest.approx(311.0)  # 5.25 - 2.14 (09-10)
    assert sofr.change("1w").from_date == pd.Timestamp("2019-09-10")
    assert board.cell("effr").value == pytest.approx(2.30)
    # SOFR - EFFR: 525 - 230 = 295 bp; the day before 243 - 225 = 18 bp.
    assert board.cell("sofr_effr").value == pytest.approx(295.0)
    assert board.cell("sofr_effr").change("1d").change == pytest.approx(277.0)
    # Before IORB (2021-07-29) the floor is IOER, 2.10% then: 525 - 210 = 315 bp.
    assert board.cell("sofr_iorb").value == pytest.approx(315.0)
    rrp = board.cell("rrp")
    assert rrp.value == pytest.approx(1.825) and rrp.units == "USD bn"
    assert rrp.change("1d").change == pytest.approx(1.825 - 2.202)


def _lev_net_bn(wide: pd.DataFrame, date: str) -> float:
    rows = wide[wide["report_date"] == date]
    face = rows["cftc_code"].map(FACE_USD).fillna(100_000.0)
    return float(((rows["lev_money_long"] - rows["lev_money_short"]) * face).sum() / 1e9)


def test_leveraged_fund_net_changes_count_weekly_reports(state, wide_cftc):
    # As of Thursday 2025-04-10 the latest report is Tuesday 2025-04-08.
    board = build_board(state, snapshot(state, as_of="2025-04-10"))
    lev = board.cell("lev_net")
    assert lev.date == pd.Timestamp("2025-04-08") and not lev.stale
    now = _lev_net_bn(wide_cftc, "2025-04-08")
    assert lev.value == pytest.approx(now)
    assert lev.change("1d").change is None  # a weekly series has no 1-day change
    week, month = lev.change("1w"), lev.change("1m")
    assert week.from_date == pd.Timestamp("2025-04-01")
    assert week.change == pytest.approx(now - _lev_net_bn(wide_cftc, "2025-04-01"))
    assert month.from_date == pd.Timestamp("2025-03-11")  # 4 reports back
    assert month.change == pytest.approx(now - _lev_net_bn(wide_cftc, "2025-03-11"))


def test_a_value_older_than_its_staleness_limit_says_so(state):
    # The state's funding series stop on 2025-06-30; three weeks later they are stale.
    board = build_board(state, snapshot(state, as_of="2025-07-21"))
    sofr = board.cell("sofr")
    assert sofr.stale and sofr.value is not None and sofr.date <= pd.Timestamp("2025-06-30")
    assert "days before the as-of date" in sofr.why


def test_lights_are_counted_as_evaluated_not_assumed_off(state):
    # 2019: no SOFR percentiles, SRF or discount-window series in this state.
    board = build_board(state, snapshot(state, as_of="2019-09-17"))
    assert len(board.lights) == 3
    assert board.lights_known == sum(light.state in ("on", "off") for light in board.lights)
    facilities = next(light for light in board.lights if light.name == "fed_facilities")
    assert facilities.state == "unknown"  # neither RPONTSYD nor WLCFLPCL is in the state
    assert board.lights_known <= 2


def test_before_the_first_observation_there_is_no_value_and_no_change():
    values = pd.Series([1.0, 2.0], index=pd.to_datetime(["2024-01-02", "2024-01-03"]))
    cell = level_cell(values, pd.Timestamp("2023-12-29"), key="x", label="x", group="curve",
                      units="%", change_units="bp", scale=100.0)
    assert cell.value is None and cell.date is None and "no observation" in cell.why
    assert all(c.change is None for c in cell.changes)


def test_too_short_a_history_gives_no_change_for_the_longer_windows():
    values = pd.Series([1.00, 1.10, np.nan, 1.25],
                       index=pd.to_datetime(["2024-01-02", "2024-01-03", "2024-01-04", "2024-01-05"]))
    cell = level_cell(values, pd.Timestamp("2024-01-05"), key="x", label="x", group="curve",
                      units="%", change_units="bp", scale=100.0)
    day = cell.change("1d")
    assert day.from_date == pd.Timestamp("2024-01-03")  # the NaN row is skipped
    assert day.change == pytest.approx(15.0)
    assert cell.change("1w").change is None and "fewer than 6" in cell.change("1w").why
    weekly = level_cell(values, pd.Timestamp("2024-01-05"), key="x", label="x", group="curve",
                        units="%", change_units="bp", windows=WEEKLY_WINDOWS)
    assert weekly.change("1d").why == "weekly series"


def test_top_contributor_is_the_largest_in_absolute_value():
    labels = {"b": ("SOFR - IORB", "funding")}
    top = top_contributor({"a": 0.3, "b": -0.5, "c": float("nan")}, pd.Timestamp("2024-01-05"),
                          labels)
    assert top is not None
    assert (top.name, top.label, top.category, top.contribution) == ("b", "SOFR - IORB",
                                                                     "funding", -0.5)
    assert top_contributor({}, pd.Timestamp("2024-01-05"), labels) is None
