"""Tests of analytics.funding: spreads, facilities, the three liquidity lights, the snapshot."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from analytics.funding import (
    DAILY_MAX_AGE_DAYS,
    LIGHT_NAMES,
    LiquidityThresholds,
    calendar_change,
    fed_facilities,
    floor_rate_pct,
    funding_snapshot,
    funding_spreads,
    liquidity_light_history,
    liquidity_lights,
)
from tests.conftest import read_shared_series

# --- helpers ---------------------------------------------------------------------------------


def _frame(start: str, periods: int, **cols: list[float]) -> pd.DataFrame:
    idx = pd.bdate_range(start, periods=periods, name="date")
    return pd.DataFrame({k: np.asarray(v, dtype=float) for k, v in cols.items()}, index=idx)


def _calm(periods: int = 10, start: str = "2024-06-03") -> dict[str, list[float]]:
    """A quiet market: SOFR 5.31, EFFR 5.33, IORB 5.40, no repo take-up."""
    return {
        "SOFR": [5.31] * periods,
        "EFFR": [5.33] * periods,
        "IORB": [5.40] * periods,
        "RPONTSYD": [0.0] * periods,
    }


@pytest.fixture(scope="module")
def real_series(shared_data: Path) -> pd.DataFrame:
    """The funding columns of the store's wide frame, built from ../shared/data."""
    detail = pd.read_csv(shared_data / "nyfed" / "sofr_detail.csv", parse_dates=["date"]).set_index(
        "date"
    )
    cols = {
        name: read_shared_series(shared_data, f"fred/{name}.csv")
        for name in ("EFFR", "IORB", "IOER", "RRPONTSYD", "RPONTSYD", "WRESBAL")
    }
    frame = pd.concat([detail.astype(float), pd.DataFrame(cols)], axis=1, sort=True)
    # IOER/IORB are calendar-daily; the store frame is business days.
    frame = frame[frame.index.day_of_week < 5]
    frame.index.name = "date"
    return frame


# --- spreads and the floor -------------------------------------------------------------------


def test_floor_uses_ioer_before_2021_07_29_and_iorb_from_that_day() -> None:
    frame = _frame(
        "2021-07-27", 4, IOER=[0.15, 0.15, 0.15, 0.15], IORB=[np.nan, np.nan, 0.15, 0.16]
    )
    floor = floor_rate_pct(frame)
    # 27th, 28th: IOER; 29th: IORB; 30th: IORB (0.16, not IOER's 0.15).
    assert floor.tolist() == [0.15, 0.15, 0.15, 0.16]


def test_floor_does_not_fill_a_missing_iorb_with_ioer_after_the_switch() -> None:
    frame = _frame("2021-08-02", 2, IOER=[0.15, 0.15], IORB=[np.nan, 0.15])
    floor = floor_rate_pct(frame)
    assert np.isnan(floor.iloc[0]) and floor.iloc[1] == 0.15


def test_funding_spreads_are_hand_calculated_bp() -> None:
    frame = _frame(
        "2019-09-16",
        2,
        SOFR=[2.43, 5.25],
        EFFR=[2.25, 2.30],
        IOER=[2.10, 2.10],
        SOFR1=[2.38, 2.25],
        SOFR99=[4.60, 9.00],
    )
    out = funding_spreads(frame)
    assert out["sofr_effr_bp"].tolist() == pytest.approx([18.0, 295.0], abs=1e-9)
    assert out["sofr_iorb_bp"].tolist() == pytest.approx([33.0, 315.0], abs=1e-9)
    assert out["sofr_p99_p1_bp"].tolist() == pytest.approx([222.0, 675.0], abs=1e-9)


def test_funding_spreads_are_nan_when_a_leg_is_missing_and_columns_absent() -> None:
    frame = _frame("2024-06-03", 2, SOFR=[5.31, 5.31], EFFR=[np.nan, 5.33])
    out = funding_spreads(frame)
    assert np.isnan(out["sofr_effr_bp"].iloc[0])
    assert out["sofr_effr_bp"].iloc[1] == pytest.approx(-2.0)
    assert out["sofr_iorb_bp"].isna().all()  # no IORB/IOER column at all
    assert out["sofr_p99_p1_bp"].isna().all()


# --- facilities ------------------------------------------------------------------------------


def test_calendar_change_uses_the_value_a_week_back_and_refuses_a_long_gap() -> None:
    idx = pd.DatetimeIndex(["2024-01-03", "2024-01-10", "2024-01-17", "2024-02-14"])
    values = pd.Series([100.0, 110.0, 105.0, 90.0], index=idx)
    out = calendar_change(values, days=7)
    assert np.isnan(out.iloc[0])
    assert out.iloc[1] == 10.0 and out.iloc[2] == -5.0
    # 2024-02-14 minus 7 days = 02-07; the last value before is 01-17, 21 days earlier: NaN.
    assert np.isnan(out.iloc[3])


def test_calendar_change_rejects_a_zero_horizon() -> None:
    with pytest.raises(ValueError, match="days"):
        calendar_change(pd.Series([1.0], index=pd.DatetimeIndex(["2024-01-01"])), days=0)


def test_fed_facilities_converts_mn_to_bn_and_computes_weekly_and_monthly_changes() -> None:
    # Weekly reserves on Wednesdays in $mn, on a business-day frame.
    idx = pd.bdate_range("2024-01-01", "2024-02-09", name="date")
    frame = pd.DataFrame(index=idx, data={"WRESBAL": np.nan, "WLCFLPCL": np.nan, "RPONTSYD": 0.0})
    weds = pd.DatetimeIndex(
        ["2024-01-03", "2024-01-10", "2024-01-17", "2024-01-24", "2024-01-31", "2024-02-07"]
    )
    frame.loc[weds, "WRESBAL"] = [
        3_400_000.0,
        3_450_000.0,
        3_420_000.0,
        3_500_000.0,
        3_480_000.0,
        3_300_000.0,
    ]
    frame.loc[weds, "WLCFLPCL"] = [2_000.0, 2_500.0, 2_500.0, 9_000.0, 8_000.0, 8_000.0]
    out = fed_facilities(frame)
    assert out.loc["2024-01-10", "reserves_bn"] == 3_450.0
    assert out.loc["2024-01-10", "reserves_chg_1w_bn"] == pytest.approx(50.0)
    # 28 days before 2024-01-31 is 2024-01-03: 3,480 - 3,400 = +80 bn.
    assert out.loc["2024-01-31", "reserves_chg_1m_bn"] == pytest.approx(80.0)
    assert np.isnan(out.loc["2024-01-24", "reserves_chg_1m_bn"])  # nothing 4 weeks back
    assert out.loc["2024-01-24", "discount_window_chg_1w_bn"] == pytest.approx(6.5)
    assert np.isnan(out.loc["2024-01-25", "reserves_bn"])  # not observed on Thursdays


# --- thresholds ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"change_window_obs": 0}, "change_window_obs"),
        ({"change_window_obs": 2.5}, "change_window_obs"),
        ({"sofr_effr_bp": -1.0}, "sofr_effr_bp"),
        ({"facility_take_up_bn": float("nan")}, "facility_take_up_bn"),
    ],
)
def test_liquidity_thresholds_reject_out_of_range_values(
    kwargs: dict[str, float], match: str
) -> None:
    with pytest.raises(ValueError, match=match):
        LiquidityThresholds(**kwargs)  # type: ignore[arg-type]


# --- lights on synthetic data ----------------------------------------------------------------


def test_lights_are_off_in_a_calm_synthetic_market() -> None:
    frame = _frame("2024-06-03", 10, **_calm())
    lights = liquidity_lights(frame, as_of="2024-06-14")
    assert [light.name for light in lights] == list(LIGHT_NAMES)
    assert [light.state for light in lights] == ["off", "off", "off"]
    # The deciding reading of light 1 is its first criterion: the net SOFR rise, 0 bp.
    assert lights[0].reading == pytest.approx(0.0)
    assert lights[0].date == pd.Timestamp("2024-06-14")


def test_light_thresholds_are_strict_and_each_criterion_can_light_its_light() -> None:
    calm = _calm(6, "2024-06-03")
    sofr = calm["SOFR"][:]
    sofr[-1] = 5.31 + 0.20  # +20 bp over 5 obs: exactly the threshold, so not "on"
    frame = _frame("2024-06-03", 6, **{**calm, "SOFR": sofr})
    l1 = liquidity_lights(frame, as_of="2024-06-10")[0]
    rise = next(c for c in l1.criteria if c.name == "sofr_rise_net_of_floor_bp")
    assert rise.reading == pytest.approx(20.0) and rise.state == "off"
    # SOFR - IORB = 5.51 - 5.40 = 11 bp > 10: the second criterion lights the light.
    assert l1.state == "on" and l1.reading == pytest.approx(11.0) and l1.threshold == 10.0


def test_a_fed_hike_moving_sofr_and_the_floor_together_does_not_light_light_one() -> None:
    frame = _frame(
        "2022-06-13",
        6,
        SOFR=[0.80, 0.80, 0.80, 0.80, 1.55, 1.60],
        IORB=[0.90, 0.90, 0.90, 0.90, 1.65, 1.65],  # +75 bp hike
        EFFR=[0.83, 0.83, 0.83, 0.83, 1.58, 1.58],
    )
    light = liquidity_lights(frame, as_of="2022-06-20")[0]
    rise = next(c for c in light.criteria if c.name == "sofr_rise_net_of_floor_bp")
    # SOFR +80 bp, floor +75 bp over 5 observations: net +5 bp.
    assert rise.reading == pytest.approx(5.0)
    assert light.state == "off"


def test_sofr_effr_change_criterion_lights_light_two_below_the_level_threshold() -> None:
    frame = _frame("2024-06-03", 6, **{**_calm(6), "SOFR": [5.31] * 5 + [5.40]})
    # SOFR-EFFR: -2 bp -> +7 bp: level below 10, change +9 bp below 10: off.
    assert liquidity_lights(frame, as_of="2024-06-10")[1].state == "off"
    custom = LiquidityThresholds(sofr_effr_change_bp=8.0)
    light = liquidity_lights(frame, as_of="2024-06-10", thresholds=custom)[1]
    assert light.state == "on" and light.reading == pytest.approx(9.0) and light.threshold == 8.0


def test_discount_window_rise_lights_light_three() -> None:
    idx = pd.bdate_range("2023-03-01", "2023-03-17", name="date")
    frame = pd.DataFrame(
        index=idx, data={"SOFR": 4.55, "EFFR": 4.57, "IORB": 4.65, "WLCFLPCL": np.nan}
    )
    frame.loc[pd.Timestamp("2023-03-08"), "WLCFLPCL"] = 4_600.0
    frame.loc[pd.Timestamp("2023-03-15"), "WLCFLPCL"] = 152_900.0
    light = liquidity_lights(frame, as_of="2023-03-16")[2]
    assert light.state == "on"
    assert light.reading == pytest.approx(148.3)
    assert light.date == pd.Timestamp("2023-03-15")
    srf = next(c for c in light.criteria if c.name == "srf_take_up_bn")
    assert srf.state == "unknown"  # no RPONTSYD column: the light still decides on the other


def test_stale_data_makes_a_light_unknown_and_says_why() -> None:
    frame = _frame("2024-06-03", 10, **_calm())
    frame = frame.reindex(pd.bdate_range("2024-06-03", "2024-07-05", name="date"))
    lights = liquidity_lights(frame, as_of="2024-07-05")
    assert lights[0].state == "unknown"
    note = lights[0].criteria[0].note
    assert "2024-06-14" in note and "stale" in note
    # RPONTSYD stopped too, so "no row" cannot be read as "no operation".
    assert lights[2].state == "unknown"


def test_rpontsyd_gap_between_operations_reads_as_zero_take_up() -> None:
    idx = pd.bdate_range("2019-05-01", "2019-09-30", name="date")
    frame = pd.DataFrame(
        index=idx, data={"SOFR": 2.40, "EFFR": 2.38, "IOER": 2.35, "RPONTSYD": np.nan}
    )
    frame.loc[pd.Timestamp("2019-05-13"), "RPONTSYD"] = 0.023
    frame.loc[pd.Timestamp("2019-09-17"), "RPONTSYD"] = 40.85
    light = liquidity_lights(frame, as_of="2019-06-14")[2]
    assert light.state == "off" and light.reading == 0.0
    assert "no operation" in light.criteria[0].note


def test_as_of_must_be_a_date() -> None:
    frame = _frame("2024-06-03", 10, **_calm())
    with pytest.raises(ValueError, match="as_of"):
        liquidity_lights(frame, as_of="not a date")


def test_snapshot_reports_stale_values_as_none_with_the_reason() -> None:
    frame = _frame("2024-06-03", 10, **_calm())
    frame["EFFR"] = [5.33] * 3 + [np.nan] * 7  # EFFR stops on 2024-06-05
    snap = funding_snapshot(frame, as_of="2024-06-20")
    assert snap["sofr_pct"] == 5.31  # 2024-06-14: 6 days old, fresh
    assert snap["effr_pct"] is None and snap["sofr_effr_bp"] is None
    assert any(
        line.startswith("EFFR: last observation 2024-06-05 is 15 days") for line in snap["missing"]
    )
    assert snap["rrp_bn"] is None and any(line.startswith("RRPONTSYD") for line in snap["missing"])


def test_history_and_as_of_lights_agree_on_a_synthetic_spike() -> None:
    sofr = [2.14, 2.15, 2.20, 2.20, 2.43, 5.25, 2.55, 1.95]
    frame = _frame(
        "2019-09-10",
        8,
        SOFR=sofr,
        EFFR=[2.13, 2.13, 2.13, 2.14, 2.25, 2.30, 2.25, 1.90],
        IOER=[2.10] * 7 + [1.80],
        RPONTSYD=[np.nan] * 5 + [40.85, 51.55, 55.843],
    )
    frame.loc[pd.Timestamp("2019-09-10"), "RPONTSYD"] = 0.0
    hist = liquidity_light_history(frame)
    for day in frame.index[5:]:
        lights = liquidity_lights(frame, as_of=day)
        states = [{"on": 1.0, "off": 0.0}[light.state] for light in lights]
        assert hist.loc[day, list(LIGHT_NAMES)].tolist() == states
    assert hist.loc["2019-09-17", "warning"] == 1.0
    assert hist.loc["2019-09-16", "warning"] == 0.0  # no repo operation yet


# --- real history ----------------------------------------------------------------------------


def test_real_2019_09_17_repo_spike_readings_and_all_three_lights(
    real_series: pd.DataFrame,
) -> None:
    snap = funding_snapshot(real_series, as_of="2019-09-17")
    assert snap["sofr_pct"] == 5.25 and snap["effr_pct"] == 2.30
    assert snap["sofr_p99_p1_bp"] == pytest.approx(900 - 225)  # p99 9.00, p1 2.25
    assert snap["sofr_effr_bp"] == pytest.approx(525 - 230)
    assert snap["sofr_iorb_bp"] == pytest.approx(525 - 210)  # IOER 2.10
    assert snap["srf_bn"] == 40.85
    assert [light["state"] for light in snap["lights"]] == ["on", "on", "on"]
    assert snap["lights"][2]["reading"] == 40.85 and snap["lights"][2]["date"] == "2019-09-17"
    assert snap["warning"] is True


def test_real_warning_stays_on_2019_09_18(real_series: pd.DataFrame) -> None:
    snap = funding_snapshot(real_series, as_of="2019-09-18")
    assert snap["warning"] is True
    assert snap["sofr_effr_bp"] == pytest.approx(255 - 225)


@pytest.mark.parametrize("day", ["2019-06-14", "2024-06-14"])
def test_real_calm_days_have_no_warning_and_no_sofr_lights(
    real_series: pd.DataFrame, day: str
) -> None:
    snap = funding_snapshot(real_series, as_of=day)
    states = [light["state"] for light in snap["lights"]]
    assert states[0] == "off" and states[1] == "off"
    assert snap["warning"] is False


def test_real_2024_06_14_all_three_lights_off_with_readings(real_series: pd.DataFrame) -> None:
    snap = funding_snapshot(real_series, as_of="2024-06-14")
    assert [light["state"] for light in snap["lights"]] == ["off", "off", "off"]
    assert snap["sofr_effr_bp"] == pytest.approx(531 - 533)
    assert snap["sofr_iorb_bp"] == pytest.approx(531 - 540)


def test_real_history_warns_in_september_2019_and_march_2020_but_not_in_calm_2024(
    real_series: pd.DataFrame,
) -> None:
    hist = liquidity_light_history(real_series.loc["2018-04-01":"2025-12-31"])
    assert hist.loc["2019-09-16":"2019-09-20", "warning"].max() == 1.0
    assert hist.loc["2020-03-09":"2020-03-20", "warning"].max() == 1.0
    assert hist.loc["2024-01-01":"2024-06-28", "warning"].max() == 0.0


def test_kept_light_readings_serve_any_threshold_values_and_are_rebuilt_for_another_window(
    real_series: pd.DataFrame,
) -> None:
    """The page keeps the readings of a change window and calendar lookback; the history at any
    other threshold values is then a comparison, equal to a history built from scratch, and
    readings of another window or lookback are not used."""
    from dataclasses import replace

    from analytics.funding import CalendarAdjustment, light_readings

    series = real_series.loc["2018-04-01":"2025-12-31"]
    kept = light_readings(series, change_window_obs=5, lookback_years=3)
    base = LiquidityThresholds()
    tight = replace(base, sofr_effr_bp=base.sofr_effr_bp / 2, sofr_above_floor_bp=base.sofr_above_floor_bp / 2,
                    sofr_rise_bp=base.sofr_rise_bp / 2)
    other_window = replace(base, change_window_obs=10)
    assert kept.fits(base, None) and kept.fits(tight, CalendarAdjustment(lookback_years=3))
    assert not kept.fits(base, CalendarAdjustment(lookback_years=5)) and not kept.fits(other_window, None)
    histories = []
    for th in (base, tight, other_window):
        for cal in (None, CalendarAdjustment(lookback_years=3), CalendarAdjustment(lookback_years=5)):
            got = liquidity_light_history(series, thresholds=th, calendar=cal, readings=kept)
            pd.testing.assert_frame_equal(got, liquidity_light_history(series, thresholds=th, calendar=cal))
            histories.append(got)
    # The settings matter: tighter thresholds light the warning on more days.
    assert histories[3]["warning"].sum() > histories[0]["warning"].sum()
    # Readings of other days (the series before a refresh, say) are not used.
    shorter = series.iloc[:-30]
    pd.testing.assert_frame_equal(liquidity_light_history(shorter, thresholds=tight, readings=kept),
                                  liquidity_light_history(shorter, thresholds=tight))


def test_calendar_adjusted_history_agrees_with_the_lights_of_each_calendar_day(
    real_series: pd.DataFrame,
) -> None:
    """The history's calendar-adjusted thresholds (kept per day) give the states that the
    lights of that one day give (computed from the readings up to the day)."""
    from dataclasses import replace

    from analytics.funding import CalendarAdjustment, calendar_flags

    series = real_series.loc["2018-04-01":"2021-12-31"]
    base = LiquidityThresholds()
    th = replace(base, sofr_effr_bp=base.sofr_effr_bp / 4, sofr_above_floor_bp=base.sofr_above_floor_bp / 4)
    cal = CalendarAdjustment(lookback_years=2)
    adjusted = liquidity_light_history(series, thresholds=th, calendar=cal)
    plain = liquidity_light_history(series, thresholds=th)
    days = calendar_flags(series.index)["point"].dropna().index
    assert (adjusted.loc[days, "warning"].fillna(-1) != plain.loc[days, "warning"].fillna(-1)).any()
    code = {"on": 1.0, "off": 0.0}
    for day in days:
        for light in liquidity_lights(series, as_of=day, thresholds=th, calendar=cal):
            want = code.get(light.state, np.nan)
            got = adjusted.loc[day, light.name]
            assert got == want or (np.isnan(got) and np.isnan(want)), (day, light.name, light.state, got)


def test_staleness_limit_is_ten_days_for_daily_series() -> None:
    assert DAILY_MAX_AGE_DAYS == 10
    frame = _frame("2024-06-03", 10, **_calm())
    fresh = funding_snapshot(frame, as_of="2024-06-24")  # 10 days after 06-14
    stale = funding_snapshot(frame, as_of="2024-06-25")  # 11 days
    assert fresh["sofr_pct"] == 5.31 and stale["sofr_pct"] is None


def test_calendar_flags_mark_month_and_quarter_ends_turns_and_mid_month() -> None:
    from analytics.funding import calendar_flags

    idx = pd.bdate_range("2024-12-20", "2025-01-20")
    points = calendar_flags(idx)["point"].dropna()
    # 2024-12-31 is the last business day of Q4; 2025-01-01 is a holiday, so the turn is
    # 01-02; 2025-01-15 is a Wednesday (mid-month settlement).
    assert points.to_dict() == {
        pd.Timestamp("2024-12-31"): "quarter_end",
        pd.Timestamp("2025-01-02"): "quarter_turn",
        pd.Timestamp("2025-01-15"): "mid_month",
    }
    may = calendar_flags(pd.bdate_range("2025-05-28", "2025-06-03"))
    assert bool(may.loc["2025-05-30", "month_end"]) and not bool(may.loc["2025-05-30", "quarter_end"])
    assert may.loc["2025-06-02", "point"] == "month_turn"


def test_calendar_adjusted_threshold_is_the_worst_same_point_of_the_past_years_by_hand() -> None:
    from analytics.funding import calendar_adjusted_threshold

    days = pd.bdate_range("2021-01-01", "2025-12-31")
    reading = pd.Series(1.0, index=days)
    quarter_ends = {"2022-03-31": 14.0, "2023-06-30": 25.0, "2024-09-30": 12.0, "2025-09-30": 20.0}
    for day, value in quarter_ends.items():
        reading[day] = value
    th = calendar_adjusted_threshold(reading, base_threshold=10.0, lookback_years=3)
    assert th["2025-09-30"] == 25.0  # worst quarter-end of 2022-09-30 .. 2025-09-29 (2023-06-30)
    assert th["2022-03-31"] == 10.0  # past quarter-ends read 1: the base threshold
    assert th["2025-09-29"] == 10.0  # an ordinary day
    assert th["2027-01-01":].empty


@pytest.mark.parametrize("lookback", [1, 3])
def test_calendar_adjusted_threshold_equals_a_day_by_day_definition(lookback: int) -> None:
    """Each calendar point's threshold, from the definition applied one day at a time: the
    larger of the base and the highest reading on the same kind of point in the lookback years
    before it (on noisy data with gaps)."""
    from analytics.funding import calendar_adjusted_threshold, calendar_flags

    rng = np.random.default_rng(lookback)
    days = pd.bdate_range("2016-01-01", "2021-06-30")
    reading = pd.Series(rng.gamma(2.0, 4.0, days.size), index=days)
    reading[rng.random(days.size) < 0.05] = np.nan
    got = calendar_adjusted_threshold(reading, base_threshold=9.0, lookback_years=lookback)
    values = reading.dropna()
    kinds = calendar_flags(values.index)["point"]
    for day in values.index:
        kind = kinds[day]
        expected = 9.0
        if kind is not None:
            start = day - pd.DateOffset(years=lookback)
            past = values[(kinds == kind).to_numpy() & (values.index >= start) & (values.index < day)]
            if len(past):
                expected = max(9.0, float(past.max()))
        assert got[day] == expected, day
    assert (got[reading.isna()] == 9.0).all()


def test_real_quarter_end_sofr_effr_lights_less_with_the_calendar_adjustment(shared_data: Path) -> None:
    # Issue 9 item 8: with the plain 10 bp threshold SOFR - EFFR lights on most quarter-ends
    # since mid-2024; compared with the same point of the past three years it lights only
    # when a quarter-end is worse than all of them.
    from analytics.funding import CalendarAdjustment, calendar_flags, liquidity_lights

    frame = pd.concat({"SOFR": read_shared_series(shared_data, "fred/SOFR.csv"),
                       "EFFR": read_shared_series(shared_data, "fred/EFFR.csv")}, axis=1, sort=True)
    spread = ((frame["SOFR"] - frame["EFFR"]) * 100).dropna().loc["2024-07-01":"2025-12-31"]
    quarter_ends = spread.index[calendar_flags(spread.index)["quarter_end"].to_numpy()]

    def lit(adjusted: bool) -> list[str]:
        out = []
        for day in quarter_ends:
            cal = CalendarAdjustment() if adjusted else None
            light = liquidity_lights(frame, as_of=day, calendar=cal)[1]
            crit = next(c for c in light.criteria if c.name == "sofr_effr_bp")
            if crit.state == "on":
                out.append(f"{day:%Y-%m-%d}")
        return out

    plain = lit(False)
    assert plain == [f"{d:%Y-%m-%d}" for d in quarter_ends if spread[d] > 10]  # by hand from the files
    assert len(plain) == 5
    adjusted = lit(True)
    assert set(adjusted) < set(plain)
    assert "2025-06-30" not in adjusted  # 12 bp, below the 16 bp of 2024-12-31
    assert "2025-12-31" in adjusted  # 23 bp, the worst quarter-end since 2019
