"""Curve analytics: hand calculations on small frames and facts of the real history."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from analytics.curve import (
    REGIMES,
    WINDOWS,
    classify_moves,
    curve_as_of,
    curve_factors,
    curve_pca,
    curve_snapshot,
    curve_spreads_bp,
    expanding_percentile,
    largest_episodes,
    move_as_of,
    spread_moves,
)
from analytics.tenors import SPREADS, TENORS
from tests.conftest import read_shared_series


def _frame(dates: pd.DatetimeIndex, **columns: list[float]) -> pd.DataFrame:
    """A yields frame with every tenor: the given ones, the others at a constant 3 %."""
    frame = pd.DataFrame({t: columns.get(t, [3.0] * len(dates)) for t in TENORS}, index=dates)
    frame.index.name = "date"
    return frame.astype(float)


def test_spreads_are_long_minus_short_leg_in_bp() -> None:
    dates = pd.bdate_range("2024-01-02", periods=1)
    frame = _frame(dates, **{"3m": [5.25], "2y": [4.00], "5y": [3.90], "10y": [4.52], "30y": [4.71]})
    spreads = curve_spreads_bp(frame).iloc[0]
    assert spreads["2s10s"] == pytest.approx(52.0)
    assert spreads["5s30s"] == pytest.approx(81.0)
    assert spreads["2s30s"] == pytest.approx(71.0)
    assert spreads["3m10y"] == pytest.approx(-73.0)
    assert spreads["10s30s"] == pytest.approx(19.0)


@pytest.mark.parametrize(
    ("short_bp", "long_bp", "expected"),
    [
        (5.0, 20.0, "bear steepener"),  # long end sells off more
        (-20.0, -5.0, "bull steepener"),  # front end rallies more
        (20.0, 5.0, "bear flattener"),  # front end sells off more
        (-5.0, -20.0, "bull flattener"),  # long end rallies more
        (10.0, 11.0, "parallel"),  # |1 bp| < 2 bp band
        (-30.0, -31.9, "parallel"),
        (0.0, 2.0, "bear steepener"),  # exactly the band is not "below" it
        (-10.0, 5.0, "steepening twist"),  # legs in opposite directions, each beyond the band
        (-5.0, 10.0, "steepening twist"),
        (8.0, -3.0, "flattening twist"),
        (3.0, -8.0, "flattening twist"),
        (-11.0, 9.0, "steepening twist"),  # 2022-10-21, 1d 5s30s (was "bull steepener")
        (-1.0, 9.0, "bear steepener"),  # the 5y leg moved less than the band: unchanged
        (4.0, -1.5, "bear flattener"),
    ],
)
def test_classify_moves_follows_domain_rules(short_bp: float, long_bp: float, expected: str) -> None:
    assert classify_moves([short_bp], [long_bp])[0] == expected


def test_classify_moves_band_is_a_parameter_and_nan_gives_none() -> None:
    labels = classify_moves([10.0, np.nan], [11.0, 1.0], parallel_band_bp=0.5)
    assert labels[0] == "bear steepener"
    assert labels[1] is None
    # Floating-point noise must not push a 2 bp move into the band: 4.52 - 4.50 in percent.
    assert classify_moves([0.0], [(4.52 - 4.50) * 100.0])[0] == "bear steepener"


def test_classify_moves_rejects_a_negative_band() -> None:
    with pytest.raises(ValueError, match="parallel_band_bp"):
        classify_moves([1.0], [2.0], parallel_band_bp=-1.0)


def test_spread_moves_count_observations_and_skip_holiday_rows() -> None:
    dates = pd.bdate_range("2024-01-01", periods=8)
    ten = [4.00, np.nan, 4.10, 4.05, 4.20, 4.30, 4.25, 4.40]  # 2024-01-02 is a holiday row
    two = [3.00, np.nan, 3.05, 3.05, 3.10, 3.00, 3.05, 3.10]
    frame = _frame(dates, **{"10y": ten, "2y": two})
    frame.loc[dates[1]] = np.nan
    moves = spread_moves(frame, "2s10s", window="1w")
    # Observations: days 0,2,3,4,5,6,7; the first 1w move ends on the 6th observation (day 6).
    assert list(moves.index) == [dates[6], dates[7]]
    first = moves.loc[dates[6]]
    assert first["start_date"] == dates[0]
    assert first["short_bp"] == pytest.approx(5.0)  # 3.05 - 3.00
    assert first["long_bp"] == pytest.approx(25.0)  # 4.25 - 4.00
    assert first["spread_bp"] == pytest.approx(20.0)
    assert first["regime"] == "bear steepener"
    last = moves.loc[dates[7]]
    assert last["start_date"] == dates[2]
    assert last["short_bp"] == pytest.approx(5.0)  # 3.10 - 3.05
    assert last["long_bp"] == pytest.approx(30.0)  # 4.40 - 4.10
    assert last["spread_bp"] == pytest.approx(25.0)


def test_percentile_is_share_of_signed_changes_at_or_below() -> None:
    dates = pd.bdate_range("2024-01-01", periods=5)
    # 2y flat, 10y moves +10, +30, -20, +10 bp: 1d spread changes 10, 30, -20, 10.
    frame = _frame(dates, **{"2y": [3.0] * 5, "10y": [4.0, 4.1, 4.4, 4.2, 4.3]})
    moves = spread_moves(frame, "2s10s", window="1d")
    # Look-ahead-free: each day ranks among the changes up to it. Day 1: {10} -> 1/1; day 2:
    # 30 in {10, 30} -> 2/2; day 3: -20 in {10, 30, -20} -> 1/3; day 4: 10 in
    # {10, 30, -20, 10} -> 3/4.
    assert list(moves["percentile"]) == pytest.approx([100.0, 100.0, 100.0 / 3, 75.0])
    assert list(moves["regime"]) == [
        "bear steepener",
        "bear steepener",
        "bull flattener",
        "bear steepener",
    ]


@pytest.mark.parametrize("n", [1, 2, 63, 64, 65, 127, 128, 129, 500, 3000])
def test_expanding_percentile_matches_a_brute_force_count_with_ties(n: int) -> None:
    rng = np.random.default_rng(n)
    x = rng.integers(-5, 6, n).astype(float)  # many ties
    expected = [100.0 * np.sum(x[: i + 1] <= x[i]) / (i + 1) for i in range(n)]
    assert expanding_percentile(x) == pytest.approx(expected)


def test_expanding_percentile_rejects_nan() -> None:
    with pytest.raises(ValueError, match="finite"):
        expanding_percentile([1.0, float("nan")])


def test_a_move_row_equals_the_move_of_the_truncated_history() -> None:
    rng = np.random.default_rng(7)
    dates = pd.bdate_range("2020-01-01", periods=300)
    frame = _frame(dates, **{"2y": 2 + rng.normal(0, 0.05, 300).cumsum(),
                             "10y": 3 + rng.normal(0, 0.05, 300).cumsum()})
    full = spread_moves(frame, "2s10s", window="1w")
    for day in (dates[40], dates[150], dates[-1]):
        truncated = spread_moves(frame.loc[:day], "2s10s", window="1w")
        # the truncated history's own ranking, computed the pre-state way
        ranked = truncated["spread_bp"].rank(method="max", pct=True).iloc[-1] * 100.0
        assert full.loc[day, "percentile"] == pytest.approx(ranked)


def test_move_as_of_does_not_look_ahead() -> None:
    dates = pd.bdate_range("2024-01-01", periods=6)
    frame = _frame(dates, **{"2y": [3.0] * 6, "10y": [4.0, 4.1, 4.4, 4.2, 4.3, 6.0]})
    move = move_as_of(frame, "2s10s", as_of=dates[2] + pd.Timedelta(hours=12), window="1d")
    assert move is not None
    assert move.end_date == dates[2]
    assert move.start_date == dates[1]
    assert move.spread_bp == pytest.approx(30.0)
    # Among the changes up to that date (10, 30) the 30 bp move is the largest.
    assert move.percentile == pytest.approx(100.0)
    assert move_as_of(frame, "2s10s", as_of=dates[0], window="1d") is None


def test_largest_episodes_do_not_repeat_overlapping_weeks() -> None:
    dates = pd.bdate_range("2024-01-01", periods=60)
    ten = np.full(60, 4.0)
    ten[10:20] += np.linspace(0.1, 1.0, 10)  # a 10-day steepening run...
    ten[20:] = ten[19]
    ten[40:] += 0.30  # ...and a later 30 bp jump
    frame = _frame(dates, **{"2y": [3.0] * 60, "10y": list(ten)})
    episodes = largest_episodes(frame, "2s10s", window="1w", top_n=3)
    bear = episodes[episodes["regime"] == "bear steepener"]
    positions = sorted(dates.get_loc(d) for d in bear["end_date"])
    assert all(b - a >= WINDOWS["1w"] for a, b in zip(positions, positions[1:], strict=False))
    # Largest: 5 days of +10 bp each = 50 bp; the later jump (30 bp) is listed, not swamped.
    assert bear.iloc[0]["spread_bp"] == pytest.approx(50.0)
    assert 30.0 in list(bear["spread_bp"].round(6))
    assert list(bear["rank"]) == list(range(1, len(bear) + 1))
    assert set(episodes["regime"]) <= set(REGIMES[:4])


def test_largest_episodes_validate_top_n() -> None:
    frame = _frame(pd.bdate_range("2024-01-01", periods=10))
    with pytest.raises(ValueError, match="top_n"):
        largest_episodes(frame, "2s10s", top_n=0)


def test_curve_factors_use_diebold_li_definitions() -> None:
    frame = _frame(pd.bdate_range("2024-01-01", periods=1), **{"3m": [1.0], "2y": [2.0], "10y": [4.0]})
    factors = curve_factors(frame).iloc[0]
    assert factors["level_pct"] == pytest.approx(7.0 / 3.0)
    assert factors["slope_bp"] == pytest.approx(300.0)
    assert factors["curvature_bp"] == pytest.approx(-100.0)  # 2*2 - 1 - 4 = -1 %


def test_curve_pca_recovers_known_level_and_slope_shapes() -> None:
    rng = np.random.default_rng(7)
    tenors = ("2y", "5y", "10y", "30y")
    level = np.array([1.0, 1.0, 1.0, 1.0]) / 2.0
    slope = np.array([-3.0, -1.0, 1.0, 3.0]) / np.sqrt(20.0)
    changes = rng.normal(0, 10.0, (3000, 1)) * level + rng.normal(0, 3.0, (3000, 1)) * slope
    levels = 3.0 + np.cumsum(changes, axis=0) / 100.0
    frame = _frame(
        pd.bdate_range("2000-01-03", periods=3000),
        **{t: list(levels[:, i]) for i, t in enumerate(tenors)},
    )
    pca = curve_pca(frame, tenors=tenors, n_components=2)
    assert pca.loadings["pc1"].to_numpy() == pytest.approx(level, abs=0.02)
    assert pca.loadings["pc2"].to_numpy() == pytest.approx(slope, abs=0.02)
    assert pca.explained_ratio["pc1"] == pytest.approx(100.0 / 109.0, abs=0.02)


def test_curve_as_of_looks_back_the_move_windows_in_observations() -> None:
    dates = pd.bdate_range("2025-03-03", "2025-04-11")  # 30 business days
    frame = _frame(dates, **{"10y": list(4.0 + np.arange(len(dates)) * 0.01)})
    table = curve_as_of(frame, as_of="2025-04-12")  # a Saturday -> Friday 04-11
    assert table.loc["as_of", "date"] == pd.Timestamp("2025-04-11")
    # 5 and 21 observations back: the from-dates of the 1w and 1m moves
    assert table.loc["1w", "date"] == pd.Timestamp("2025-04-04")
    assert table.loc["1m", "date"] == pd.Timestamp("2025-03-13")
    assert table.loc["1w", "10y"] == pytest.approx(4.0 + 24 * 0.01)
    moves = spread_moves(frame.assign(**{"2y": 3.0}), "2s10s", window="1m")
    assert moves["start_date"].iloc[-1] == table.loc["1m", "date"]


def test_curve_as_of_is_nat_when_the_history_is_too_short() -> None:
    dates = pd.bdate_range("2025-04-07", periods=3)
    table = curve_as_of(_frame(dates, **{"10y": [4.0, 4.1, 4.2]}), as_of=dates[-1])
    assert pd.isna(table.loc["1w", "date"]) and np.isnan(table.loc["1w", "10y"])


def test_curve_snapshot_is_plain_json_with_the_documented_keys() -> None:
    dates = pd.bdate_range("2024-01-01", periods=30)
    frame = _frame(dates, **{"10y": list(4.0 + np.arange(30) * 0.01), "20y": [np.nan] * 30})
    snap = curve_snapshot(frame, as_of=dates[-1])
    assert set(snap) == {"yields_pct", "spreads_bp", "moves", "missing"}
    assert set(snap["moves"]) == set(WINDOWS)
    assert set(snap["moves"]["1w"]) >= {"2s10s", "5s30s"}
    move = snap["moves"]["1w"]["2s10s"]
    assert set(move) == {"short_bp", "long_bp", "spread_bp", "regime", "percentile"}
    assert move["long_bp"] == pytest.approx(5.0)  # 5 observations of +1 bp
    assert move["regime"] == "bear steepener"
    assert snap["yields_pct"]["20y"] is None
    assert any("20y" in m for m in snap["missing"])
    assert type(snap["yields_pct"]["10y"]) is float
    json.dumps(snap)


def test_curve_snapshot_reports_stale_data_as_missing() -> None:
    frame = _frame(pd.bdate_range("2024-01-01", periods=30))
    snap = curve_snapshot(frame, as_of="2024-06-30")
    assert all(v is None for v in snap["yields_pct"].values())
    assert snap["missing"] and "no observation within 10 days" in snap["missing"][0]


def test_bad_spread_or_window_names_are_rejected_readably() -> None:
    frame = _frame(pd.bdate_range("2024-01-01", periods=10))
    with pytest.raises(ValueError, match="spread must be one of"):
        spread_moves(frame, "1s2s")
    with pytest.raises(ValueError, match="window must be one of"):
        spread_moves(frame, "2s10s", window="2w")


# --- real history ---------------------------------------------------------------------------


def test_real_2s10s_and_3m10y_match_fred_published_spreads(
    real_yields: pd.DataFrame, shared_data: Path
) -> None:
    spreads = curve_spreads_bp(real_yields)
    for name, fred_id in (("2s10s", "T10Y2Y"), ("3m10y", "T10Y3M")):
        fred = read_shared_series(shared_data, f"fred/{fred_id}.csv") * 100.0
        both = pd.concat([spreads[name], fred], axis=1, join="inner").dropna()
        assert len(both) > 10_000
        # FRED's spread series is rounded to 1 bp; a handful of days (3 of 12,512 for 2s10s)
        # differ by 1-2 bp between the two downloads' vintages.
        agree = (both.iloc[:, 0] - both.iloc[:, 1]).abs() < 0.51
        assert agree.mean() > 0.999


def test_real_2s10s_inverted_mid_2023_and_positive_in_2021(real_yields: pd.DataFrame) -> None:
    spreads = curve_spreads_bp(real_yields)["2s10s"]
    assert (spreads.loc["2023-06":"2023-07"].dropna() < 0).all()
    assert (spreads.loc["2021"].dropna() > 0).all()


def test_real_april_2025_week_was_a_bear_steepener_on_2s10s(real_yields: pd.DataFrame) -> None:
    move = move_as_of(real_yields, "2s10s", as_of="2025-04-11", window="1w")
    assert move is not None and move.start_date == pd.Timestamp("2025-04-04")
    assert 40.0 <= move.long_bp <= 60.0  # the 10y rose ~50 bp (4.01 -> 4.48)
    assert move.regime == "bear steepener"
    assert move.percentile > 95.0
    # On 5s30s both legs sold off by 40 bp+ and the spread barely moved: a parallel sell-off.
    move_5s30s = move_as_of(real_yields, "5s30s", as_of="2025-04-11", window="1w")
    assert move_5s30s is not None
    assert move_5s30s.short_bp > 40.0 and move_5s30s.long_bp > 40.0
    assert move_5s30s.regime == "parallel"


def test_real_march_2020_flight_to_quality_was_a_bull_flattener(real_yields: pd.DataFrame) -> None:
    move = move_as_of(real_yields, "2s10s", as_of="2020-03-09", window="1w")
    assert move is not None
    assert move.long_bp < -50.0  # 10y 1.13 -> 0.54
    assert move.regime == "bull flattener"


def test_real_largest_bull_steepeners_include_the_svb_week(real_yields: pd.DataFrame) -> None:
    episodes = largest_episodes(real_yields, "2s10s", window="1w", top_n=5)
    bull = episodes[episodes["regime"] == "bull steepener"]
    assert any(d.strftime("%Y-%m") == "2023-03" for d in bull["end_date"])
    for regime, rows in episodes.groupby("regime"):
        ends = sorted(real_yields.index.get_indexer(rows["end_date"]))
        assert all(b - a >= 5 for a, b in zip(ends, ends[1:], strict=False)), regime


def test_real_first_principal_component_is_a_level_shift(real_yields: pd.DataFrame) -> None:
    pca = curve_pca(real_yields.loc["1990":])
    assert (pca.loadings["pc1"] > 0).all()
    assert pca.explained_ratio["pc1"] > 0.7
    assert pca.explained_ratio.sum() > 0.9


def test_real_snapshot_has_every_spread_on_a_normal_day(real_yields: pd.DataFrame) -> None:
    snap = curve_snapshot(real_yields, as_of="2025-04-11")
    assert snap["missing"] == []
    assert snap["yields_pct"]["10y"] == pytest.approx(4.48)
    assert snap["spreads_bp"]["2s10s"] == pytest.approx(52.0)
    assert all(snap["spreads_bp"][s] is not None for s in SPREADS)


def test_real_2022_10_21_5s30s_one_day_move_is_a_steepening_twist(real_yields: pd.DataFrame) -> None:
    # By hand from the CMT file: 5y and 30y changes from 2022-10-20 to 2022-10-21.
    two = real_yields.loc["2022-10-20":"2022-10-21", ["5y", "30y"]]
    ds, dl = ((two.iloc[1] - two.iloc[0]) * 100).round(6)
    assert ds < -2 and dl > 2
    assert classify_moves([ds], [dl])[0] == "steepening twist"
