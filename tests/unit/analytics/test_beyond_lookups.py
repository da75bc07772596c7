"""The issue-11 snapshot keys read from precomputed lookups give exactly what the code before
them computed (tests/unit/analytics/beyond_before.py: ``.loc[:as_of]`` slices of the
full-history frames on every call), float for float, on the real history and the DEMO set, over
dates chosen to hit every edge: before each series starts, its first and last observations,
weekends and holidays, the stale limits (10 and 21 days), after the last observation."""

from __future__ import annotations

import dataclasses
import json
import pickle
import random
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from analytics import auctions as auctions_mod
from analytics import beyond as beyond_mod
from analytics import crossasset as crossasset_mod
from analytics import official as official_mod
from analytics import real_yields as real_yields_mod
from analytics import term_premium as term_premium_mod
from analytics.auctions import auctions_as_of
from analytics.beyond import (
    BEYOND_KEYS,
    BeyondHistories,
    beyond_histories,
    beyond_lookups,
    beyond_snapshot,
)
from analytics.crossasset import sell_america_as_of
from analytics.official import foreign_official_as_of, liquidity_as_of, official_indices_as_of
from analytics.real_yields import WINDOWS, real_yield_split, real_yields_as_of
from analytics.term_premium import term_premium_as_of, term_premium_split
from data.demo import generate_demo
from data.sources.auctions import parse_auction_table
from data.sources.ofr import parse_ofr_fsi
from tests.conftest import read_shared_series
from tests.unit.analytics import beyond_before as before

#: Every stored series the seven keys read (the auction series are added by prefix).
READ_IDS = ("WMTSECL1", "WALCL", "WDTGAL", "WTREGEN", "RRPONTSYD", "NYFED_RRP", "ACMTP10",
            "ACMRNY10", "ACMY10", "THREEFYTP10", "DGS10", "DFII10", "T10YIE", "T5YIE", "T5YIFR",
            "OFR_FSI", "STLFSI4", "NFCI", "DTWEXBGS", "SP500")


def _frame(columns: dict[str, pd.Series]) -> pd.DataFrame:
    out = pd.DataFrame(columns).sort_index()
    out.index.name = "date"
    return out


def _batch(obs: pd.DataFrame) -> dict[str, pd.Series]:
    return {str(sid): g.set_index("date")["value"] for sid, g in obs.groupby("series_id")}


@pytest.fixture(scope="module")
def real_series(shared_data: Path) -> pd.DataFrame:
    """The series the issue-11 keys read, from ../shared/data, as test_beyond.py builds them."""
    cols = {sid: read_shared_series(shared_data, f"fred/{sid}.csv") for sid in (
        "WMTSECL1", "WALCL", "WDTGAL", "WTREGEN", "RRPONTSYD", "DGS2", "DGS3", "DGS5", "DGS7",
        "DGS10", "DGS20", "DGS30", "THREEFYTP10", "DFII10", "T10YIE", "T5YIE", "T5YIFR",
        "STLFSI4", "NFCI", "DTWEXBGS", "SP500")}
    cols["ACMTP10"] = read_shared_series(shared_data, "nyfed/ACMTP10.csv")
    cols.update(_batch(parse_ofr_fsi((shared_data / "ofr" / "OFR_FSI.csv").read_bytes()).observations))
    cols.update(_batch(parse_auction_table(
        (shared_data / "treasury" / "auctions_2008_2026.csv").read_bytes()).observations))
    return _frame(cols)


@pytest.fixture(scope="module")
def demo_series() -> pd.DataFrame:
    return generate_demo().series


def edge_dates(series: pd.DataFrame, *, seed: int, sampled: int = 12) -> list[pd.Timestamp]:
    """About 60+ dates: around the first and last observation of every series read (the day
    before, the day, the stale limits of 10 and 21 days and one day past them), weekends,
    holidays, far before and after the data, a date with a time of day, and a few business
    days drawn at random."""
    days: set[pd.Timestamp] = set()
    read = [c for c in series.columns if c in READ_IDS or c.startswith("AUCT_10Y")]
    for sid in read:
        col = series[sid].dropna()
        if col.empty:
            continue
        first, last = col.index[0], col.index[-1]
        days |= {first - pd.Timedelta(days=1), first, col.index[min(21, len(col) - 1)]}
        days |= {last + pd.Timedelta(days=k) for k in (0, 1, 10, 11, 21, 22)}
    days |= {pd.Timestamp(d) for d in (
        "1950-01-03", "2008-10-10", "2008-10-11", "2008-10-12",  # a Friday and its weekend
        "2019-09-17", "2020-03-20", "2020-11-26", "2024-12-25", "2025-01-01", "2025-04-11",
        "2025-04-19", "2025-04-20", "2025-07-04", "2030-06-28")}
    last_day = series.index[-1]
    days |= {last_day, last_day + pd.Timedelta(days=1), last_day + pd.Timedelta(days=400)}
    rng = random.Random(seed)
    business = pd.bdate_range(series.index[0], series.index[-1])
    days |= {business[rng.randrange(len(business))] for _ in range(sampled)}
    out = sorted(days)
    out.append(pd.Timestamp("2025-04-11 16:30"))  # ages count from the time, slices by the day
    return out


def _histories(series: pd.DataFrame) -> tuple[BeyondHistories, dict[str, pd.DataFrame]]:
    fast = beyond_histories(series)
    frames = before.frames(series)
    # The frames are the same builders' output: the lookups are the only change.
    for name, frame in frames.items():
        pd.testing.assert_frame_equal(getattr(fast, name), frame)
    return fast, frames


def _assert_same(series: pd.DataFrame, dates: list[pd.Timestamp]) -> None:
    fast, frames = _histories(series)
    lk = beyond_lookups(fast, series)
    for day in dates:
        old = before.readings(series, day, frames)
        new = {
            "foreign_official": foreign_official_as_of(series, day, history=lk.custody),
            "liquidity": liquidity_as_of(series, day, history=lk.liquidity),
            "term_premium": term_premium_as_of(series, day, history=lk.term_premium),
            "real_yields": real_yields_as_of(series, day, history=lk.real_yields),
            "auctions": auctions_as_of(series, day, table=lk.auctions),
            "official_indices": official_indices_as_of(series, day, lookup=lk.official_indices),
            "sell_america": beyond_mod._sell_america(lk.sell_america, day),
        }
        for key in BEYOND_KEYS:
            # The dataclasses hold every window's split and the Timestamps, not only the dict.
            assert new[key] == old[key], f"{key} on {day}"
        doc = beyond_snapshot(series, day, histories=fast)
        reference = {key: value.to_dict() for key, value in old.items()}
        assert tuple(doc) == BEYOND_KEYS
        # Same keys in the same order, same floats (repr), same None and missing lines.
        assert json.dumps(doc) == json.dumps(reference), f"snapshot on {day}"


def test_lookups_equal_the_slices_on_the_real_history(real_series: pd.DataFrame) -> None:
    dates = edge_dates(real_series, seed=11)
    assert len(dates) >= 60
    _assert_same(real_series, dates)


def test_lookups_equal_the_slices_on_the_demo_set(demo_series: pd.DataFrame) -> None:
    dates = edge_dates(demo_series, seed=12)
    assert len(dates) >= 60
    _assert_same(demo_series, dates)


def test_split_with_model_path_stale_gaps_and_nans_equals_the_slices() -> None:
    # ACMRNY10 on part of the dates only (the method turns "residual" where a window mixes),
    # a two-week gap in every series, NaNs inside the rows, and a weekly index.
    days = pd.bdate_range("2024-01-01", "2024-06-28")
    gap = (days >= "2024-03-04") & (days <= "2024-03-18")
    rng = np.random.default_rng(5)

    def walk(level: float) -> pd.Series:
        values = level + np.cumsum(rng.normal(0, 0.03, len(days)))
        return pd.Series(np.where(gap, np.nan, values), index=days)

    acm = walk(0.5)
    acm.iloc[[3, 40, 41]] = np.nan
    rny = walk(3.5).where(days >= "2024-02-15")
    fitted = walk(4.0).where(days < "2024-05-01")
    real = walk(1.8)
    real.iloc[[10, 11, 90]] = np.nan
    weekly = pd.date_range("2024-01-03", "2024-06-26", freq="W-WED")
    series = _frame({
        "ACMTP10": acm, "ACMRNY10": rny, "ACMY10": fitted, "DGS10": walk(4.1), "DFII10": real,
        "T10YIE": walk(2.3).where(days < "2024-06-01"), "T5YIE": walk(2.4), "OFR_FSI": walk(-1.0),
        "STLFSI4": pd.Series(rng.normal(0, 1, len(weekly)), index=weekly + pd.Timedelta(days=2)),
        "WMTSECL1": pd.Series(3e6 + np.cumsum(rng.normal(0, 5e3, len(weekly))), index=weekly),
        "WALCL": pd.Series(7e6 + np.cumsum(rng.normal(0, 5e3, len(weekly))), index=weekly),
        "WDTGAL": pd.Series(7e5 + np.cumsum(rng.normal(0, 5e3, len(weekly))), index=weekly)
        .drop(weekly[5]),
        "DTWEXBGS": walk(120.0), "SP500": walk(5000.0),
    })
    methods = set(beyond_histories(series).term_premium["path_method"])
    assert {"acm", "residual"} <= methods
    dates = [*pd.date_range("2023-12-30", "2024-07-30", freq="D")]
    _assert_same(series, dates)
    some = [term_premium_split(beyond_lookups(beyond_histories(series), series).term_premium, d, "1m")
            for d in dates]
    assert {s.method for s in some} >= {"acm", "residual", ""}  # all three outcomes were met


def test_nothing_stored_gives_the_same_nulls_and_reasons() -> None:
    empty = pd.DataFrame(index=pd.DatetimeIndex([], name="date"))
    _assert_same(empty, [pd.Timestamp("2025-04-11"), pd.Timestamp("1990-01-01")])


def test_the_from_scratch_calls_equal_the_lookups(demo_series: pd.DataFrame) -> None:
    fast = beyond_histories(demo_series)
    lk = beyond_lookups(fast, demo_series)
    for day in (pd.Timestamp("2025-04-11"), pd.Timestamp("2016-09-24"), pd.Timestamp("2003-01-01")):
        assert beyond_snapshot(demo_series, day) == beyond_snapshot(demo_series, day, histories=fast)
        # Each as-of function computes its history when given none, or takes the frame.
        assert term_premium_as_of(demo_series, day) == term_premium_as_of(
            demo_series, day, history=fast.term_premium) == term_premium_as_of(
            demo_series, day, history=lk.term_premium)
        assert real_yields_as_of(demo_series, day) == real_yields_as_of(
            demo_series, day, history=fast.real_yields)
        assert foreign_official_as_of(demo_series, day) == foreign_official_as_of(
            demo_series, day, history=lk.custody)
        assert liquidity_as_of(demo_series, day) == liquidity_as_of(demo_series, day, history=lk.liquidity)
        assert auctions_as_of(demo_series, day) == auctions_as_of(demo_series, day, table=fast.auctions)
        assert official_indices_as_of(demo_series, day) == official_indices_as_of(
            demo_series, day, lookup=lk.official_indices)
        assert sell_america_as_of(fast.sell_america, as_of=day) == sell_america_as_of(
            lk.sell_america, as_of=day)
        for window in WINDOWS:
            assert real_yield_split(fast.real_yields, day, window) == real_yield_split(
                lk.real_yields, day, window)


def test_histories_survive_pickling_and_old_pickles_without_lookups(demo_series: pd.DataFrame) -> None:
    fast = beyond_histories(demo_series)
    again = pickle.loads(pickle.dumps(fast))
    assert again.lookups is not None
    # A state persisted before the lookups existed unpickles with lookups None: still served.
    older = dataclasses.replace(fast, lookups=None)
    state = older.__dict__.copy()
    del state["lookups"]
    legacy = object.__new__(BeyondHistories)
    legacy.__dict__.update(state)
    assert legacy.lookups is None
    for day in (pd.Timestamp("2025-04-11"), pd.Timestamp("2020-03-20")):
        want = beyond_snapshot(demo_series, day, histories=fast)
        assert beyond_snapshot(demo_series, day, histories=again) == want
        assert beyond_snapshot(demo_series, day, histories=legacy) == want
    # ... and the legacy lookups are built once for that object, not per call.
    assert beyond_lookups(legacy, demo_series) is beyond_lookups(legacy, demo_series)


def test_a_date_change_runs_no_full_history_pass(demo_series: pd.DataFrame) -> None:
    fast = beyond_histories(demo_series)
    lk = fast.lookups
    assert lk is not None
    with pytest.MonkeyPatch.context() as mp:
        for module, names in ((official_mod, ("custody_history", "net_liquidity_history",
                                              "as_of_rows", "official_indices_lookup", "_column")),
                              (term_premium_mod, ("term_premium_history", "term_premium_lookup")),
                              (real_yields_mod, ("real_yield_history", "real_yields_lookup")),
                              (auctions_mod, ("auction_table", "auction_lookup")),
                              (crossasset_mod, ("as_of_rows", "sell_america_history")),
                              (beyond_mod, ("beyond_histories", "_lookups", "as_of_rows"))):
            for name in names:
                mp.setattr(module, name, _forbidden)
        for day in pd.date_range("2025-03-01", "2025-04-30", freq="D"):
            doc = beyond_snapshot(demo_series, day, histories=fast)
            assert doc["term_premium"]["acm_10y_pct"] is not None
            for window in WINDOWS:
                term_premium_split(lk.term_premium, day, window)
                real_yield_split(lk.real_yields, day, window)


def _forbidden(*_args: object, **_kwargs: object) -> None:
    raise AssertionError("a full-history pass on a date change")
