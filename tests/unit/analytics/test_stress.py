"""Tests of analytics.stress: standardisation, aggregation, contributions, builder, snapshot."""

from __future__ import annotations

import math
import statistics
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from analytics.positioning import leveraged_funds_net, positions_table
from analytics.stress import (
    CATEGORIES,
    CROSS_ASSET,
    CURVE,
    FUNCTIONING,
    FUNDING,
    POSITIONING,
    IndicatorSpec,
    build_indicators,
    compute_stress_index,
    stress_snapshot,
)
from analytics.tenors import TENORS, TRADER_GROUPS
from tests.conftest import read_shared_series


def _idx(n: int, start: str = "2020-01-01") -> pd.DatetimeIndex:
    return pd.bdate_range(start, periods=n, name="date")


def _past_z(values: list[float], t: int, window: int) -> float:
    """Hand z-score of values[t] against the (up to) ``window`` values before it."""
    past = values[max(0, t - window) : t]
    return (values[t] - statistics.mean(past)) / statistics.stdev(past)


# --- standardisation ---------------------------------------------------------------------------


def test_zscore_uses_only_the_past_window_hand_calculated() -> None:
    a = [1.0, 2.0, 4.0, 7.0, 11.0, 3.0]
    frame = pd.DataFrame({"a": a}, index=_idx(6))
    res = compute_stress_index(
        frame, [IndicatorSpec("a", CURVE, 1)], window=3, min_periods=2, clip_z=None
    )
    z = res.zscores["a"].tolist()
    assert np.isnan(z[0]) and np.isnan(z[1])  # fewer than 2 past values
    for t in range(2, 6):
        assert z[t] == pytest.approx(_past_z(a, t, 3), rel=1e-12)
    # One category with one indicator: the total is its z-score.
    assert res.total.tolist()[2:] == pytest.approx(z[2:], rel=1e-12)


def test_sign_minus_one_flips_and_clipping_caps_the_zscore() -> None:
    a = [1.0, 1.1, 0.9, 1.0, 100.0]
    frame = pd.DataFrame({"a": a, "b": a}, index=_idx(5))
    specs = [IndicatorSpec("a", CURVE, 1), IndicatorSpec("b", FUNDING, -1)]
    res = compute_stress_index(frame, specs, window=4, min_periods=3, clip_z=5.0)
    raw = _past_z(a, 4, 4)
    assert raw > 5
    assert res.zscores.loc[res.zscores.index[4], "a"] == 5.0
    assert res.zscores.loc[res.zscores.index[4], "b"] == -5.0
    unclipped = compute_stress_index(frame, specs, window=4, min_periods=3, clip_z=None)
    assert unclipped.zscores["a"].iloc[4] == pytest.approx(raw, rel=1e-12)


def test_no_look_ahead_changing_the_future_leaves_the_past_unchanged() -> None:
    rng = np.random.default_rng(7)
    values = rng.normal(size=(80, 2))
    frame = pd.DataFrame(values, columns=["a", "b"], index=_idx(80))
    specs = [IndicatorSpec("a", CURVE, 1), IndicatorSpec("b", FUNDING, 1)]
    base = compute_stress_index(frame, specs, window=20, min_periods=10)
    shocked = frame.copy()
    shocked.iloc[50:] = 1e6
    again = compute_stress_index(shocked, specs, window=20, min_periods=10)
    pd.testing.assert_series_equal(base.total.iloc[:50], again.total.iloc[:50])


def test_forward_fill_of_a_weekly_indicator_is_bounded() -> None:
    idx = _idx(40)
    weekly = pd.Series(np.nan, index=idx)
    weekly.iloc[0:30:5] = [1.0, 2.0, 1.5, 3.0, 2.5, 2.0]  # every 5th business day until row 25
    frame = pd.DataFrame({"w": weekly})
    res = compute_stress_index(
        frame, [IndicatorSpec("w", POSITIONING, 1, max_ffill_days=7)], window=20, min_periods=5
    )
    filled = res.values["w"]
    assert filled.iloc[1:5].tolist() == [1.0] * 4
    assert filled.iloc[25:33].notna().all()  # row 25 and 7 business days after
    assert filled.iloc[33:].isna().all()


# --- aggregation -------------------------------------------------------------------------------


def test_category_mean_weights_and_contributions_hand_calculated() -> None:
    # Constant past with a little noise so that z-scores are simple to recompute.
    rng = np.random.default_rng(3)
    frame = pd.DataFrame(rng.normal(size=(30, 3)), columns=["a", "b", "c"], index=_idx(30))
    specs = [
        IndicatorSpec("a", CURVE, 1),
        IndicatorSpec("b", CURVE, 1),
        IndicatorSpec("c", FUNDING, -1),
    ]
    res = compute_stress_index(
        frame, specs, window=10, min_periods=5, clip_z=None, weights={CURVE: 3.0, FUNDING: 1.0}
    )
    t = 20
    za = _past_z(frame["a"].tolist(), t, 10)
    zb = _past_z(frame["b"].tolist(), t, 10)
    zc = -_past_z(frame["c"].tolist(), t, 10)
    curve = (za + zb) / 2
    assert res.categories[CURVE].iloc[t] == pytest.approx(curve, rel=1e-10)
    assert res.total.iloc[t] == pytest.approx((3 * curve + 1 * zc) / 4, rel=1e-10)
    assert res.contributions["a"].iloc[t] == pytest.approx(3 / 4 * za / 2, rel=1e-10)
    assert res.contributions["c"].iloc[t] == pytest.approx(1 / 4 * zc, rel=1e-10)


def test_weights_renormalise_over_the_categories_present_that_day() -> None:
    rng = np.random.default_rng(5)
    frame = pd.DataFrame(rng.normal(size=(30, 2)), columns=["a", "c"], index=_idx(30))
    frame.iloc[25:, 1] = np.nan  # funding disappears
    specs = [IndicatorSpec("a", CURVE, 1), IndicatorSpec("c", FUNDING, 1)]
    res = compute_stress_index(frame, specs, window=10, min_periods=5, missing="renormalise")
    assert res.values["c"].iloc[25:28].notna().all()  # carried 3 business days, then gone
    t = 29
    assert res.total.iloc[t] == pytest.approx(res.zscores["a"].iloc[t], rel=1e-12)
    assert res.contributions["a"].iloc[t] == res.total.iloc[t]
    assert np.isnan(res.contributions["c"].iloc[t])


def test_a_category_without_data_counts_as_neutral_and_coverage_says_how_much_is_present() -> None:
    # Issue 9 item 5: one category alone must not score like all of them (1969 vs Lehman).
    rng = np.random.default_rng(5)
    frame = pd.DataFrame(rng.normal(size=(30, 2)), columns=["a", "c"], index=_idx(30))
    frame.iloc[25:, 1] = np.nan
    specs = [IndicatorSpec("a", CURVE, 1, category_weight=3.0), IndicatorSpec("c", FUNDING, 1)]
    res = compute_stress_index(frame, specs, window=10, min_periods=5)
    t = 29
    assert res.total.iloc[t] == pytest.approx(3 / 4 * res.zscores["a"].iloc[t], rel=1e-12)
    assert res.coverage.iloc[t] == pytest.approx(0.75)
    assert res.coverage.iloc[20] == pytest.approx(1.0)
    snap = stress_snapshot(res, as_of=frame.index[t])
    assert snap["coverage"] == pytest.approx(0.75)
    assert snap["value"] == pytest.approx(sum(snap["contributions"].values()))


def test_indicator_weights_weigh_inside_the_category_hand_calculated() -> None:
    rng = np.random.default_rng(8)
    frame = pd.DataFrame(rng.normal(size=(30, 3)), columns=["a", "b", "z0"], index=_idx(30))
    specs = [IndicatorSpec("a", CURVE, 1, weight=3.0), IndicatorSpec("b", CURVE, 1),
             IndicatorSpec("z0", CURVE, 1, weight=0.0)]
    res = compute_stress_index(frame, specs, window=10, min_periods=5, clip_z=None)
    t = 20
    za, zb = res.zscores["a"].iloc[t], res.zscores["b"].iloc[t]
    assert res.total.iloc[t] == pytest.approx((3 * za + zb) / 4, rel=1e-12)
    assert res.contributions["z0"].iloc[t] == 0.0


def test_an_indicator_starting_late_does_not_make_earlier_totals_nan() -> None:
    rng = np.random.default_rng(11)
    frame = pd.DataFrame(rng.normal(size=(60, 2)), columns=["early", "late"], index=_idx(60))
    frame.iloc[:40, 1] = np.nan
    specs = [IndicatorSpec("early", CURVE, 1), IndicatorSpec("late", FUNDING, 1)]
    res = compute_stress_index(frame, specs, window=10, min_periods=5)
    # "early" has a z-score from row 5 (5 past values); the total is defined from then on.
    assert res.total.iloc[:5].isna().all()
    assert res.total.iloc[5:].notna().all()
    # "late" needs 5 past values of its own: it joins at row 45.
    assert (
        res.zscores["late"].iloc[:45].isna().all() and res.zscores["late"].iloc[45:].notna().all()
    )


def test_a_spec_without_a_column_is_all_nan_and_is_reported_missing() -> None:
    frame = pd.DataFrame({"a": np.arange(30.0) % 7}, index=_idx(30))
    specs = [IndicatorSpec("a", CURVE, 1), IndicatorSpec("absent", FUNDING, 1)]
    res = compute_stress_index(frame, specs, window=10, min_periods=5)
    assert res.zscores["absent"].isna().all()
    snap = stress_snapshot(res, as_of=frame.index[-1])
    assert "absent: no data on or before" in " ".join(snap["missing"])


@settings(max_examples=60, deadline=None)
@given(
    values=hnp.arrays(
        np.float64,
        st.tuples(st.integers(8, 40), st.integers(1, 6)),
        elements=st.one_of(st.floats(-1e3, 1e3, allow_nan=False), st.just(np.nan)),
    ),
    cats=st.lists(st.sampled_from(CATEGORIES), min_size=6, max_size=6),
    signs=st.lists(st.sampled_from([1, -1]), min_size=6, max_size=6),
    # Zero or a normal float: the hand formula below cannot divide subnormals exactly.
    weights=st.lists(st.one_of(st.just(0.0), st.floats(1e-6, 5.0)), min_size=5, max_size=5),
    window=st.integers(3, 10),
    clip=st.one_of(st.none(), st.floats(0.5, 6.0)),
)
def test_contributions_sum_to_the_total_and_total_is_the_weighted_category_mean(
    values: np.ndarray,
    cats: list[str],
    signs: list[int],
    weights: list[float],
    window: int,
    clip: float | None,
) -> None:
    n_rows, n_ind = values.shape
    names = [f"x{i}" for i in range(n_ind)]
    frame = pd.DataFrame(values, columns=names, index=_idx(n_rows))
    specs = [IndicatorSpec(n, cats[i], signs[i], max_ffill_days=i % 3) for i, n in enumerate(names)]
    used = list(dict.fromkeys(cats[:n_ind]))
    w = dict(zip(CATEGORIES, weights, strict=True))
    w_used = {c: w[c] for c in used}
    if not any(v > 0 for v in w_used.values()):
        w_used[used[0]] = 1.0
    res = compute_stress_index(
        frame, specs, window=window, min_periods=2, clip_z=clip, weights=w_used, missing="renormalise"
    )
    neutral = compute_stress_index(frame, specs, window=window, min_periods=2, clip_z=clip, weights=w_used)
    summed_n = neutral.contributions.sum(axis=1, min_count=1)
    np.testing.assert_allclose(neutral.total.to_numpy(), summed_n.where(neutral.total.notna()).to_numpy(),
                               rtol=1e-12, atol=1e-12)

    summed = res.contributions.sum(axis=1, min_count=1)
    np.testing.assert_array_equal(res.total.to_numpy(), summed.where(res.total.notna()).to_numpy())
    for t in range(n_rows):
        z = res.zscores.iloc[t]
        present = {}
        for c in used:
            zs = [
                float(z[s.name])
                for s in specs
                if s.category == c and not math.isnan(float(z[s.name]))
            ]
            if zs:
                present[c] = sum(zs) / len(zs)
        denom = sum(w_used[c] for c in present)
        if not present or denom == 0:
            assert math.isnan(res.total.iloc[t])
            continue
        expected = sum(w_used[c] * present[c] for c in present) / denom
        assert res.total.iloc[t] == pytest.approx(expected, rel=1e-9, abs=1e-9)
        # Neutral rule: the same weighted sum over the weight of every category used.
        expected_n = sum(w_used[c] * present[c] for c in present) / sum(w_used.values())
        assert neutral.total.iloc[t] == pytest.approx(expected_n, rel=1e-9, abs=1e-9)
        # The total never goes NaN while a positively weighted category has a score.
        assert not math.isnan(res.total.iloc[t])


# --- validation --------------------------------------------------------------------------------


def test_bad_specs_and_parameters_are_rejected() -> None:
    frame = pd.DataFrame({"a": [1.0, 2.0, 3.0]}, index=_idx(3))
    with pytest.raises(ValueError, match="sign"):
        IndicatorSpec("a", CURVE, 0)
    with pytest.raises(ValueError, match="max_ffill_days"):
        IndicatorSpec("a", CURVE, 1, max_ffill_days=-1)
    with pytest.raises(ValueError, match="twice"):
        compute_stress_index(frame, [IndicatorSpec("a", CURVE, 1), IndicatorSpec("a", FUNDING, 1)])
    with pytest.raises(ValueError, match="window"):
        compute_stress_index(frame, [IndicatorSpec("a", CURVE, 1)], window=1)
    with pytest.raises(ValueError, match="min_periods"):
        compute_stress_index(frame, [IndicatorSpec("a", CURVE, 1)], window=10, min_periods=11)
    with pytest.raises(ValueError, match="clip_z"):
        compute_stress_index(
            frame, [IndicatorSpec("a", CURVE, 1)], window=10, min_periods=2, clip_z=0.0
        )
    with pytest.raises(ValueError, match="unknown category"):
        compute_stress_index(
            frame, [IndicatorSpec("a", CURVE, 1)], window=10, min_periods=2, weights={"rates": 1.0}
        )
    with pytest.raises(ValueError, match="at least one"):
        compute_stress_index(
            frame, [IndicatorSpec("a", CURVE, 1)], window=10, min_periods=2, weights={CURVE: 0.0}
        )


def test_spec_may_be_a_table_indexed_by_indicator() -> None:
    rng = np.random.default_rng(1)
    frame = pd.DataFrame(rng.normal(size=(30, 2)), columns=["a", "b"], index=_idx(30))
    table = pd.DataFrame({"category": [CURVE, FUNDING], "sign": [1, -1]}, index=["a", "b"])
    from_table = compute_stress_index(frame, table, window=10, min_periods=5)
    from_specs = compute_stress_index(
        frame,
        [IndicatorSpec("a", CURVE, 1), IndicatorSpec("b", FUNDING, -1)],
        window=10,
        min_periods=5,
    )
    pd.testing.assert_series_equal(from_table.total, from_specs.total)


# --- snapshot ----------------------------------------------------------------------------------


def test_snapshot_contributions_add_up_to_the_value_and_missing_says_why() -> None:
    rng = np.random.default_rng(2)
    frame = pd.DataFrame(rng.normal(size=(40, 3)), columns=["a", "b", "c"], index=_idx(40))
    frame.iloc[:30, 2] = np.nan  # "c" starts at row 30: warming up at row 33
    specs = [
        IndicatorSpec("a", CURVE, 1),
        IndicatorSpec("b", FUNDING, 1),
        IndicatorSpec("c", CROSS_ASSET, 1),
    ]
    res = compute_stress_index(frame, specs, window=10, min_periods=5)
    day = frame.index[33]
    snap = stress_snapshot(res, as_of=day + pd.Timedelta(days=0))
    assert snap["date"] == f"{day:%Y-%m-%d}"
    assert sum(snap["contributions"].values()) == pytest.approx(snap["value"], abs=1e-12)
    assert snap["categories"][CROSS_ASSET] is None
    # Cross-asset is absent and counts as neutral: each present category has 1/3 of the value.
    assert snap["weights"] == pytest.approx({CURVE: 1 / 3, FUNDING: 1 / 3})
    assert snap["coverage"] == pytest.approx(2 / 3)
    assert snap["missing"] == ["c: warming up (3 of 5 past observations needed)"]
    empty = stress_snapshot(res, as_of="1999-01-01")
    assert empty["value"] is None and empty["date"] is None
    with pytest.raises(ValueError, match="as_of"):
        stress_snapshot(res, as_of="soon")


# --- builder -----------------------------------------------------------------------------------


def _yields_frame(idx: pd.DatetimeIndex, two: np.ndarray, ten: np.ndarray) -> pd.DataFrame:
    frame = pd.DataFrame(np.nan, index=idx, columns=list(TENORS))
    frame["2y"] = two
    frame["10y"] = ten
    return frame


def test_builder_uses_realised_vol_without_move_and_hand_calculated_curve_change() -> None:
    idx = _idx(60)
    t = np.arange(60.0)
    ten = 4.0 + 0.05 * np.sin(t / 3.0)
    two = 4.5 + 0.02 * np.cos(t / 5.0)
    frame, specs = build_indicators(_yields_frame(idx, two, ten), pd.DataFrame(index=idx), None)
    names = [s.name for s in specs]
    assert "realised_vol_10y_bp" in names and "move_bp" not in names
    diffs = np.diff(ten)[-21:]
    expected_vol = np.std(diffs, ddof=1) * 100 * math.sqrt(252)
    assert frame["realised_vol_10y_bp"].iloc[-1] == pytest.approx(expected_vol, rel=1e-10)
    spread = (ten - two) * 100
    assert frame["curve_2s10s_abs_chg_1w_bp"].iloc[-1] == pytest.approx(
        abs(spread[-1] - spread[-6]), rel=1e-10
    )
    assert all(s.category in CATEGORIES for s in specs)


def test_builder_keeps_move_and_realised_vol_and_derives_the_swap_spread_with_negative_sign() -> None:
    idx = _idx(30)
    ten = np.full(30, 2.0)
    series = pd.DataFrame(
        {"MOVE": np.linspace(60, 90, 30), "DSWP10": np.full(30, 1.9), "VIXCLS": 15.0}, index=idx
    )
    frame, specs = build_indicators(_yields_frame(idx, np.full(30, 1.5), ten), series, None)
    by_name = {s.name: s for s in specs}
    # Both: rates volatility stays in the index where the MOVE history stops.
    assert "move_bp" in by_name and "realised_vol_10y_bp" in by_name
    assert (
        by_name["swap_spread_10y_bp"].sign == -1
        and by_name["swap_spread_10y_bp"].category == FUNCTIONING
    )
    assert frame["swap_spread_10y_bp"].iloc[-1] == pytest.approx(-10.0)
    assert by_name["vix"].category == CROSS_ASSET
    noise = pd.Series(1.5, index=idx)
    frame2, specs2 = build_indicators(
        _yields_frame(idx, np.full(30, 1.5), ten), series, None, fit_noise_bp=noise
    )
    assert frame2["fit_noise_bp"].iloc[-1] == 1.5 and "fit_noise_bp" in [s.name for s in specs2]


def test_builder_scores_a_richer_on_the_run_issue_as_more_stress() -> None:
    idx = _idx(40)
    yields = _yields_frame(idx, np.full(40, 1.5), np.full(40, 2.0))
    # CMT - GSW par yield: about -1 bp, then -8 bp (the on-the-run trades much richer).
    premium = pd.Series(np.r_[np.tile([-1.0, -1.5, -0.5], 13), -8.0], index=idx)
    frame, specs = build_indicators(yields, pd.DataFrame(index=idx), None, otr_premium_bp=premium)
    spec = next(s for s in specs if s.name == "otr_premium_bp")
    assert spec.sign == -1 and spec.category == FUNCTIONING
    res = compute_stress_index(frame, [spec], window=30, min_periods=10)
    assert res.zscores["otr_premium_bp"].iloc[-1] > 3.0


# --- real history ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def real_series(shared_data: Path) -> pd.DataFrame:
    detail = pd.read_csv(shared_data / "nyfed" / "sofr_detail.csv", parse_dates=["date"]).set_index(
        "date"
    )
    cols = {n: read_shared_series(shared_data, f"fred/{n}.csv") for n in ("EFFR", "IORB", "IOER")}
    cols["MOVE"] = read_shared_series(shared_data, "ice/MOVE.csv")
    frame = pd.concat([detail.astype(float), pd.DataFrame(cols)], axis=1, sort=True)
    frame = frame[frame.index.day_of_week < 5]
    frame.index.name = "date"
    return frame


def test_real_index_is_higher_in_october_2008_and_march_2020_than_its_2017_median(
    real_yields: pd.DataFrame, real_series: pd.DataFrame
) -> None:
    frame, specs = build_indicators(real_yields, real_series, None)
    assert {s.category for s in specs} >= {CURVE, FUNDING}
    res = compute_stress_index(frame, specs)
    calm = res.total.loc["2017"].median()
    assert res.total.loc["2008-10"].mean() > calm + 1.0
    assert res.total.loc["2020-03"].mean() > calm + 1.0
    # Funding only starts in 2018 (SOFR): 2008 is scored without it, not NaN.
    assert res.total.loc["2008-10"].notna().all()


def test_real_positioning_step_series_starts_on_the_friday_release(
    shared_data: Path, real_yields: pd.DataFrame, real_series: pd.DataFrame
) -> None:
    wide = pd.read_csv(
        shared_data / "cftc" / "tff_treasury_futures.csv",
        parse_dates=["report_date"],
        dtype={"cftc_code": str},
    )
    wide = wide[wide["report_date"] >= "2023-01-01"]
    parts = [
        pd.DataFrame(
            {
                "report_date": wide["report_date"],
                "contract_code": wide["cftc_code"],
                "trader_group": g,
                "long": wide[f"{g}_long"],
                "short": wide[f"{g}_short"],
                "spreading": wide[f"{g}_spread"] if f"{g}_spread" in wide.columns else np.nan,
                "open_interest": wide["open_interest"],
            }
        )
        for g in TRADER_GROUPS
    ]
    cftc = pd.concat(parts, ignore_index=True)
    frame, specs = build_indicators(
        real_yields.loc["2023-01-01":], real_series.loc["2023-01-01":], cftc
    )
    assert any(s.name == "lev_funds_net_short_z" and s.category == POSITIONING for s in specs)
    z = leveraged_funds_net(positions_table(cftc))["zscore_net"]
    step = frame["lev_funds_net_short_z"]
    # Report of Tuesday 2025-04-29, published Friday 2025-05-02.
    assert step.loc["2025-05-02"] == pytest.approx(-z.loc["2025-04-29"])
    assert step.loc["2025-04-29":"2025-05-01"].isna().all()


def test_subnormal_weights_keep_their_ratio():
    idx = pd.bdate_range("2024-01-01", periods=12)
    frame = pd.DataFrame({"a": np.arange(12.0), "b": np.arange(12.0) ** 2}, index=idx)
    specs = [IndicatorSpec("a", CATEGORIES[0], 1), IndicatorSpec("b", CATEGORIES[3], 1)]
    tiny = compute_stress_index(frame, specs, window=3, min_periods=2, clip_z=None,
                                weights={CATEGORIES[0]: 0.0, CATEGORIES[3]: 5e-324})
    plain = compute_stress_index(frame, specs, window=3, min_periods=2, clip_z=None,
                                 weights={CATEGORIES[0]: 0.0, CATEGORIES[3]: 1.0})
    pd.testing.assert_series_equal(tiny.total, plain.total)


def test_real_index_is_comparable_across_eras_and_ranks_march_2020_in_the_top_2_percent(
    shared_data: Path, real_yields: pd.DataFrame
) -> None:
    # Issue 9 item 5. Before: 1969-10-23 scored 4.03 on the curve category alone, level with
    # Lehman. With absent categories neutral it scores well below Lehman, shows its coverage,
    # and March 2020 is among the top 2 % of days since 2000.
    ids = ("VIXCLS", "EFFR", "SOFR", "IORB", "IOER", "DSWP10", "WMTSECL1", "WALCL", "WDTGAL", "RRPONTSYD")
    series = pd.concat({i: read_shared_series(shared_data, f"fred/{i}.csv") for i in ids}, axis=1, sort=True)
    move = pd.read_csv(shared_data / "ice" / "MOVE.csv", parse_dates=["date"]).set_index("date")["value"]
    series["MOVE"] = move.reindex(series.index.union(move.index)).reindex(series.index)
    series = series.reindex(series.index.union(move.index))
    series.loc[move.index, "MOVE"] = move
    series.index.name = "date"
    ind, specs = build_indicators(real_yields, series, None)
    assert {"foreign_custody_4w_fall_bn", "net_liquidity_4w_fall_bn"} <= {s.name for s in specs}
    res = compute_stress_index(ind, specs)
    y1969 = res.total.loc["1969-10-23"]
    lehman = res.total.loc["2008-09-15":"2008-10-31"].max()
    assert y1969 < 0.5 * lehman
    snap = stress_snapshot(res, as_of="1969-10-23")
    assert snap["coverage"] < 0.5 and snap["coverage_by_category"]["funding"] == 0.0
    since = res.total.loc["2000-01-01":].dropna()
    peak = since.loc["2020-03-01":"2020-03-31"].max()
    assert (since < peak).mean() >= 0.98
    # Net liquidity by hand on 2020-03-25: WALCL - WDTGAL - 1000 x RRPONTSYD, 4 weeks apart.
    walcl = read_shared_series(shared_data, "fred/WALCL.csv")
    tga = read_shared_series(shared_data, "fred/WDTGAL.csv")
    rrp = read_shared_series(shared_data, "fred/RRPONTSYD.csv")

    def net(day: str) -> float:
        r = rrp.loc[:day]
        r_val = float(r.iloc[-1]) if len(r) and (pd.Timestamp(day) - r.index[-1]).days <= 3 else 0.0
        return (walcl[day] - tga[day] - 1000 * r_val) / 1000

    assert ind.loc["2020-03-25", "net_liquidity_4w_fall_bn"] == pytest.approx(-(net("2020-03-25") - net("2020-02-26")))
