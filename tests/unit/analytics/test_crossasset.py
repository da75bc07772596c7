"""Tests of analytics.crossasset: the sell-America signature."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from analytics.crossasset import SellAmericaReading, sell_america_as_of, sell_america_history
from analytics.tenors import TENORS
from tests.conftest import read_shared_series


def _yields(dates: pd.DatetimeIndex, ten: list[float]) -> pd.DataFrame:
    frame = pd.DataFrame(np.nan, index=dates, columns=list(TENORS))
    frame["10y"] = ten
    frame.index.name = "date"
    return frame


def _series(dates: pd.DatetimeIndex, usd: list[float], spx: list[float]) -> pd.DataFrame:
    return pd.DataFrame({"DTWEXBGS": usd, "SP500": spx}, index=dates)


@pytest.fixture(scope="module")
def real_history(shared_data: Path, real_yields: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    series = pd.DataFrame(
        {
            "DTWEXBGS": read_shared_series(shared_data, "fred/DTWEXBGS.csv"),
            "SP500": read_shared_series(shared_data, "fred/SP500.csv"),
        }
    )
    yields = real_yields.loc["2015-01-01":]
    return yields, series


def test_all_three_legs_hand_calculated_give_flag_and_score() -> None:
    dates = pd.bdate_range("2025-04-07", periods=6, name="date")
    yields = _yields(dates, [4.00, 4.01, 4.02, 4.03, 4.04, 4.10])  # +10 bp over 5 days
    series = _series(dates, [100.0] * 5 + [99.0], [5_000.0] * 5 + [4_900.0])  # -1 %, -2 %
    out = sell_america_history(yields, series)
    last = out.iloc[-1]
    assert last["yield_change_bp"] == pytest.approx(10.0)
    assert last["dollar_change_pct"] == pytest.approx(-1.0)
    assert last["equity_change_pct"] == pytest.approx(-2.0)
    assert last["flag"] == 1.0
    # Legs in typical-move units: 10/10, 1/1, 2/2 -> the weakest is 1.
    assert last["score"] == pytest.approx(1.0)
    assert out["flag"].iloc[:5].isna().all()  # no value 5 days back yet


def test_yield_threshold_is_strict_and_any_wrong_leg_clears_the_flag() -> None:
    dates = pd.bdate_range("2025-04-07", periods=6, name="date")
    series = _series(dates, [100.0] * 5 + [99.5], [5_000.0] * 5 + [4_950.0])
    at_threshold = sell_america_history(_yields(dates, [4.00] * 5 + [4.05]), series)
    assert at_threshold["yields_up"].iloc[-1] == 0.0 and at_threshold["flag"].iloc[-1] == 0.0
    assert sell_america_history(_yields(dates, [4.00] * 5 + [4.06]), series)["flag"].iloc[-1] == 1.0
    up_dollar = _series(dates, [100.0] * 5 + [100.1], [5_000.0] * 5 + [4_950.0])
    out = sell_america_history(_yields(dates, [4.00] * 5 + [4.20]), up_dollar)
    assert out["flag"].iloc[-1] == 0.0 and out["dollar_down"].iloc[-1] == 0.0
    # The weakest leg is the dollar's +0.1 %, i.e. -0.1 in units of 1 %.
    assert out["score"].iloc[-1] == pytest.approx(-0.1)


def test_missing_leg_gives_nan_flag_not_false() -> None:
    dates = pd.bdate_range("2025-04-07", periods=6, name="date")
    series = pd.DataFrame({"DTWEXBGS": [100.0] * 5 + [99.0]}, index=dates)  # no SP500
    out = sell_america_history(_yields(dates, [4.0] * 5 + [4.2]), series)
    assert np.isnan(out["flag"].iloc[-1]) and np.isnan(out["score"].iloc[-1])
    assert out["yields_up"].iloc[-1] == 1.0


def test_holidays_are_bridged_for_at_most_three_business_days() -> None:
    dates = pd.bdate_range("2025-03-03", periods=15, name="date")
    ten = [4.0] * 15
    spx = [5_000.0] * 15
    usd = [100.0] * 15
    series = _series(dates, usd, spx)
    series.loc[dates[3:5], "SP500"] = np.nan  # a 2-day closure: bridged
    series.loc[dates[9:14], "SP500"] = np.nan  # 5 days: not bridged beyond 3
    out = sell_america_history(_yields(dates, ten), series, window_days=1)
    assert out["equity_change_pct"].iloc[3:5].tolist() == [0.0, 0.0]
    assert out["equity_change_pct"].iloc[9:12].notna().all()
    assert out["equity_change_pct"].iloc[12:14].isna().all()


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"window_days": 0}, "window_days"),
        ({"min_yield_change_bp": -1.0}, "min_yield_change_bp"),
        ({"tenor": "4y"}, "tenor"),
    ],
)
def test_bad_parameters_are_rejected(kwargs: dict[str, object], match: str) -> None:
    dates = pd.bdate_range("2025-04-07", periods=6, name="date")
    with pytest.raises(ValueError, match=match):
        sell_america_history(
            _yields(dates, [4.0] * 6), _series(dates, [1.0] * 6, [1.0] * 6), **kwargs
        )


def test_as_of_accessor_takes_the_last_business_day_and_handles_dates_before_history() -> None:
    dates = pd.bdate_range("2025-04-07", periods=6, name="date")
    out = sell_america_history(
        _yields(dates, [4.00] * 5 + [4.10]),
        _series(dates, [100.0] * 5 + [99.0], [5_000.0] * 5 + [4_900.0]),
    )
    reading = sell_america_as_of(out, as_of="2025-04-19")  # a Saturday
    assert reading.date == pd.Timestamp("2025-04-14") and reading.flag is True
    assert reading.to_dict()["date"] == "2025-04-14"
    before = sell_america_as_of(out, as_of="2020-01-01")
    assert before == SellAmericaReading(None, None, None, None, None, None, 5, 5.0)
    with pytest.raises(ValueError, match="as_of"):
        sell_america_as_of(out, as_of="someday")


# --- real history ------------------------------------------------------------------------------


def test_real_april_2025_from_announcement_close_to_2025_04_11_is_flagged(
    real_history: tuple[pd.DataFrame, pd.DataFrame],
) -> None:
    yields, series = real_history
    # 7 business days: 2025-04-02 (tariff announcement, after the close) to Friday 2025-04-11.
    out = sell_america_history(yields, series, window_days=7)
    reading = sell_america_as_of(out, as_of="2025-04-11")
    # Raw values: DGS10 4.20 -> 4.48, DTWEXBGS 126.3811 -> 124.0163, SP500 5670.97 -> 5363.36.
    assert reading.yield_change_bp == pytest.approx(28.0)
    assert reading.dollar_change_pct == pytest.approx((124.0163 / 126.3811 - 1) * 100)
    assert reading.equity_change_pct == pytest.approx((5363.36 / 5670.97 - 1) * 100)
    assert reading.flag is True


def test_real_default_window_flags_april_2025_but_not_the_week_to_2025_04_11(
    real_history: tuple[pd.DataFrame, pd.DataFrame],
) -> None:
    yields, series = real_history
    out = sell_america_history(yields, series)
    # Friday to Friday, 2025-04-04 -> 2025-04-11: yields +47 bp and dollar down, but the S&P
    # rose 5.7 % (5074.08 -> 5363.36) on the 2025-04-09 tariff pause: not the full signature.
    week = sell_america_as_of(out, as_of="2025-04-11")
    assert week.yield_change_bp == pytest.approx(47.0)
    assert week.equity_change_pct == pytest.approx((5363.36 / 5074.08 - 1) * 100)
    assert week.flag is False
    # 2025-04-15 -> 2025-04-22: DGS10 4.35 -> 4.41, dollar 123.776 -> 122.4175, S&P 5396.63 -> 5287.76.
    late = sell_america_as_of(out, as_of="2025-04-22")
    assert late.yield_change_bp == pytest.approx(6.0)
    assert late.dollar_change_pct == pytest.approx((122.4175 / 123.776 - 1) * 100)
    assert late.flag is True
    assert out.loc["2025-04-01":"2025-04-30", "flag"].max() == 1.0


def test_real_calm_week_to_2019_06_14_is_not_flagged(
    real_history: tuple[pd.DataFrame, pd.DataFrame],
) -> None:
    yields, series = real_history
    reading = sell_america_as_of(sell_america_history(yields, series), as_of="2019-06-14")
    # DGS10 2.09 -> 2.09, dollar 115.7368 -> 115.9057 (up), S&P 2873.34 -> 2886.98 (up).
    assert reading.yield_change_bp == pytest.approx(0.0)
    assert reading.dollar_change_pct == pytest.approx((115.9057 / 115.7368 - 1) * 100)
    assert reading.flag is False


def test_real_july_4_holiday_is_bridged_in_the_window(
    real_history: tuple[pd.DataFrame, pd.DataFrame],
) -> None:
    yields, series = real_history
    out = sell_america_history(yields, series)
    # 5 business days before 2017-07-11 is the 2017-07-04 holiday: the 07-03 close stands in.
    assert out.loc["2017-07-11", "yield_change_bp"] == pytest.approx((2.37 - 2.35) * 100)
    assert out.loc["2017-07-11", "equity_change_pct"] == pytest.approx(
        (2425.53 / 2429.01 - 1) * 100
    )


def test_real_signature_is_rare(real_history: tuple[pd.DataFrame, pd.DataFrame]) -> None:
    yields, series = real_history
    flags = sell_america_history(yields, series)["flag"].dropna()
    assert 0.0 < flags.mean() < 0.10
