"""The market state: every as-of view is a row selection that equals recomputing the history
truncated at that date (no look-ahead), and the typed snapshot keeps the JSON contract."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analytics.curve import curve_as_of, spread_moves
from analytics.downsample import chart_points, downsample
from analytics.state import build_state, snapshot
from data.demo import generate_demo

DAYS = ("2019-09-17", "2020-03-18", "2023-10-19")


@pytest.fixture(scope="module")
def demo():
    return generate_demo()


@pytest.fixture(scope="module")
def demo_state(demo):
    from data.market import demo_market_data

    data = demo_market_data()
    return build_state(data.yields, data.series, data.cftc, revision=-1, mode="demo")


@pytest.fixture(scope="module")
def no_event_state(demo_state):
    """The demo state without RPONTSYD. An event series has no row on days without an
    operation, so a gap before the store's last refresh reads as zero take-up: that uses the
    fact that the series was loaded over the gap, which a history cut at the as-of date cannot
    show (the cut view reads the same gap as "stale"). Every other number must match exactly."""
    m = demo_state.measures
    return build_state(m.yields, m.series.drop(columns=["RPONTSYD"], errors="ignore"), m.cftc,
                       revision=-1, mode="demo")


def _truncated_state(state, day: str):
    m = state.measures
    when = pd.Timestamp(day)
    cftc = m.cftc[pd.to_datetime(m.cftc["report_date"]) <= when]
    return build_state(m.yields.loc[:when], m.series.loc[:when], cftc, revision=0, mode="demo")


@pytest.mark.parametrize("day", DAYS)
def test_a_snapshot_is_the_same_from_the_full_state_and_from_the_history_cut_there(
        no_event_state, day):
    """The look-ahead test: nothing after the as-of date may change a number of that date."""
    full = snapshot(no_event_state, as_of=day).to_dict()
    cut = snapshot(_truncated_state(no_event_state, day), as_of=day).to_dict()
    flat_full, flat_cut = dict(_flat(full)), dict(_flat(cut))
    assert flat_full.keys() == flat_cut.keys()
    for key, value in flat_full.items():
        other = flat_cut[key]
        if isinstance(value, float) and isinstance(other, float):
            # rolling sums over a longer history differ in the last bits only
            assert value == pytest.approx(other, rel=1e-9, abs=1e-12), key
        else:
            assert value == other, key


def _flat(doc, path=""):
    if isinstance(doc, dict):
        for k, v in doc.items():
            yield from _flat(v, f"{path}.{k}")
    elif isinstance(doc, list):
        for i, v in enumerate(doc):
            yield from _flat(v, f"{path}[{i}]")
    else:
        yield path, doc


def test_moves_in_the_state_are_the_spread_moves_of_each_window(demo_state):
    yields = demo_state.measures.yields
    for window in ("1d", "1w", "1m"):
        expected = spread_moves(yields, "5s30s", window=window)
        pd.testing.assert_frame_equal(demo_state.moves[("5s30s", window)], expected)


def test_the_snapshot_move_starts_where_the_curve_comparison_starts(demo_state):
    day = pd.Timestamp("2021-06-15")
    snap = snapshot(demo_state, as_of=day)
    table = curve_as_of(demo_state.measures.yields, as_of=day)
    move = snap.curve.move("2s10s", "1w")
    assert move is not None and move.from_date == table.loc["1w", "date"]
    # hand check of the move from the yields themselves
    y = demo_state.measures.yields
    start, end = move.from_date, move.to_date
    hand = ((y.at[end, "10y"] - y.at[end, "2y"]) - (y.at[start, "10y"] - y.at[start, "2y"])) * 100
    assert move.spread_bp == pytest.approx(round(hand, 1))
    assert snap.to_dict()["moves"]["1w"]["2s10s"]["from_date"] == f"{start:%Y-%m-%d}"


def test_snapshot_rejects_a_date_that_is_not_one(demo_state):
    with pytest.raises(ValueError, match="as_of must be a date"):
        snapshot(demo_state, as_of="next tuesday")


def test_the_snapshot_keeps_every_key_of_the_contract(demo_state):
    doc = snapshot(demo_state, as_of="2024-05-01").to_dict()
    for key in ("as_of", "data", "yields_pct", "spreads_bp", "moves", "market_functioning",
                "swap_spreads_bp", "funding", "positioning", "stress_index", "missing"):
        assert key in doc
    assert doc["data"] == "demo"
    assert set(doc["moves"]) == {"1d", "1w", "1m"}
    assert "lights" in doc["funding"] and "contributions" in doc["stress_index"]


def test_state_traces_are_bounded_and_keep_the_last_two_years_whole(demo_state):
    full = demo_state.measures.spreads_bp["2s10s"].dropna()
    trace = demo_state.trace("spread:2s10s")
    assert len(trace) <= 2000 < len(full)
    recent = full.loc[full.index[-1] - pd.DateOffset(years=2):]
    assert trace.loc[recent.index[0]:].equals(recent)
    assert trace.max() == full.max() or trace.loc[:recent.index[0]].max() >= full.loc[:recent.index[0]].quantile(0.999)


def test_downsample_keeps_a_lone_spike_and_the_ends():
    index = pd.bdate_range("2000-01-03", periods=20_000)
    values = pd.Series(np.sin(np.arange(20_000) / 300.0), index=index)
    values.iloc[12_345] = 50.0  # a repo-spike-like outlier
    small = downsample(values, 2000)
    assert len(small) <= 2000
    assert small.index[0] == index[0] and small.index[-1] == index[-1]
    assert small.max() == 50.0


def test_chart_points_of_a_short_series_is_the_series():
    values = pd.Series([1.0, np.nan, 3.0], index=pd.bdate_range("2024-01-01", periods=3))
    assert chart_points(values).tolist() == [1.0, 3.0]
