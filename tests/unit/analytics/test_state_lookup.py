"""The snapshot's lookups (``MarketState.histories``) read exactly what the from-scratch
functions compute: the same floats, the same missing-lines, the same typed readings, on the
real history and on the demo set, at ordinary dates and at the edges (before a series starts,
weekends and holidays, stale gaps, the last date, after the last observation)."""

from __future__ import annotations

import dataclasses
import pickle
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from analytics import functioning as func_mod
from analytics.functioning import functioning_history, functioning_snapshot, gsw_frame
from analytics.funding import (
    CalendarAdjustment,
    LiquidityThresholds,
    funding_history,
    funding_snapshot,
)
from analytics.lookup import Observed
from analytics.positioning import positioning_history, positioning_snapshot, release_dates
from analytics.state import MarketState, build_state, snapshot
from analytics.swaps import is_weekly_source, swaps_history, swaps_snapshot

#: Series whose first and last observations give edge dates.
_EDGE_SERIES = ("SOFR", "EFFR", "IORB", "IOER", "RPONTSYD", "WLCFLPCL", "WRESBAL", "DSWP10",
                "WSWP2", "SVENY10")
#: Weekly series among them (stale after 14 days rather than 10).
_WEEKLY = ("WLCFLPCL", "WRESBAL", "WSWP2")
#: Named days: the repo spike, the dash for cash, a Saturday, Thanksgiving and the CFTC release
#: it delayed, Independence Day observed, the end of the ICE swap series, the IORB switch.
_NAMED = ("2019-09-17", "2020-03-18", "2019-09-14", "2024-11-28", "2024-11-29", "2024-12-01",
          "2024-12-02", "2021-07-05", "2016-10-28", "2016-11-08", "2021-07-28", "2021-07-29",
          "2008-09-15", "1962-01-01")


def _edge_dates(state: MarketState, n_random: int, seed: int) -> list[pd.Timestamp]:
    m = state.measures
    day = pd.Timedelta(days=1)
    out: set[pd.Timestamp] = {pd.Timestamp(d) for d in _NAMED}
    last = state.last_date
    assert last is not None
    out |= {last, last + day, last + 30 * day, last + 1500 * day, m.yields.index[0] - day,
            m.yields.index[0]}
    for sid in _EDGE_SERIES:
        if sid not in m.series.columns or m.series[sid].dropna().empty:
            continue
        obs = m.series[sid].dropna().index
        # Before it starts, its start, the last fresh day and the first stale one.
        limit = 14 if sid in _WEEKLY else 10
        out |= {obs[0] - day, obs[0], obs[-1] + limit * day, obs[-1] + (limit + 1) * day}
    if len(m.cftc):
        reports = pd.DatetimeIndex(sorted(set(pd.to_datetime(m.cftc["report_date"]))))
        released = release_dates(reports)
        out |= {reports[0], released[0] - day, released[0], released[-1], released[-1] + 20 * day}
    rng = np.random.default_rng(seed)
    span = pd.date_range(m.yields.index[0], last + 60 * day)
    out |= {pd.Timestamp(d) for d in rng.choice(span, size=n_random, replace=False)}
    return sorted(out)


def _from_scratch(state: MarketState) -> MarketState:
    return dataclasses.replace(state, histories=None)


def _assert_same_snapshots(state: MarketState, dates: list[pd.Timestamp]) -> None:
    scratch = _from_scratch(state)
    for when in dates:
        fast, slow = snapshot(state, as_of=when), snapshot(scratch, as_of=when)
        assert fast.to_dict() == slow.to_dict(), when
        assert fast == slow, when  # the typed readings too (dates, moves)


# --- the demo set ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def demo_state() -> MarketState:
    from data.market import demo_market_data

    data = demo_market_data()
    return build_state(data.yields, data.series, data.cftc, revision=-1, mode="demo")


def test_demo_snapshot_from_the_histories_is_the_from_scratch_snapshot(demo_state):
    assert demo_state.histories is not None
    _assert_same_snapshots(demo_state, _edge_dates(demo_state, 20, seed=1))


def test_the_histories_survive_pickling_as_the_state_is_persisted(demo_state):
    again = pickle.loads(pickle.dumps(demo_state, protocol=pickle.HIGHEST_PROTOCOL))
    scratch = _from_scratch(demo_state)
    for when in ("2019-09-17", "2020-03-18", "2023-10-19"):
        assert snapshot(again, as_of=when).to_dict() == snapshot(scratch, as_of=when).to_dict()


def test_funding_history_serves_other_thresholds_and_rebuilds_for_another_window(demo_state):
    m = demo_state.measures
    default = funding_history(m.series)
    window3 = LiquidityThresholds(change_window_obs=3, sofr_effr_bp=2.0, sofr_rise_bp=5.0)
    three = funding_history(m.series, thresholds=window3)
    assert default.fits(LiquidityThresholds(sofr_effr_bp=2.0)) and not default.fits(window3)
    for when in ("2019-09-17", "2019-09-30", "2020-03-18", "2020-03-21", "2023-10-19"):
        for th in (LiquidityThresholds(sofr_effr_bp=2.0), window3):
            for calendar in (None, CalendarAdjustment(lookback_years=2)):
                slow = funding_snapshot(m.series, as_of=when, thresholds=th, calendar=calendar)
                for history in (default, three):
                    fast = funding_snapshot(m.series, as_of=when, thresholds=th,
                                            calendar=calendar, history=history)
                    assert fast == slow, (when, th, calendar)


def test_positioning_history_is_not_used_for_other_dv01s(demo_state):
    m = demo_state.measures
    history = positioning_history(m.cftc)
    other = {"UST_10Y": 70.0}
    for when in ("2019-09-17", "2020-03-21", "2024-12-01"):
        assert (positioning_snapshot(m.cftc, as_of=when, dv01=other, history=history)
                == positioning_snapshot(m.cftc, as_of=when, dv01=other))
        assert (positioning_snapshot(m.cftc, as_of=when, history=history)
                == positioning_snapshot(m.cftc, as_of=when))


def test_a_premium_near_a_rounding_tie_is_recomputed_as_from_scratch(demo_state, monkeypatch):
    # The full-history and the windowed GSW par yields may differ in the last bits: near a
    # tie of the 0.1 bp rounding the lookup recomputes the window. Force that path everywhere.
    m = demo_state.measures
    gsw = gsw_frame(m.series)
    history = functioning_history(m.yields, gsw, fit=m.fit)
    monkeypatch.setattr(func_mod, "_TIE_TOLERANCE_BP", 1.0)
    for when in ("2019-09-17", "2020-03-18", "2023-10-19", "2023-10-21"):
        assert (functioning_snapshot(m.yields, gsw, as_of=when, fit=m.fit, history=history)
                == functioning_snapshot(m.yields, gsw, as_of=when, fit=m.fit))


def test_functioning_history_without_gsw_or_without_10y(demo_state):
    m = demo_state.measures
    no_10y = m.yields.drop(columns=["10y"])
    for yields, gsw in ((m.yields, None), (no_10y, gsw_frame(m.series))):
        history = functioning_history(yields, gsw, fit=m.fit)
        for when in ("2020-03-18", "1990-01-02"):
            assert (functioning_snapshot(yields, gsw, as_of=when, fit=m.fit, history=history)
                    == functioning_snapshot(yields, gsw, as_of=when, fit=m.fit))


# --- swaps: a source that turns weekly by its spacing ------------------------------------------


def test_weekly_by_count_is_is_weekly_source_of_the_series_cut_there():
    rng = np.random.default_rng(7)
    gaps = np.concatenate([rng.choice([1, 3, 7, 7, 14], size=60), [1] * 15, [7] * 40])
    dates = pd.Timestamp("2018-01-05") + pd.to_timedelta(np.cumsum(gaps), unit="D")
    values = pd.Series(1.0, index=pd.DatetimeIndex(dates))
    from analytics.swaps import _weekly_by_count

    flags = _weekly_by_count(Observed.of(values))
    for k in range(len(values)):
        assert flags[k] == is_weekly_source("SOFRSWP10", values.iloc[: k + 1]), k


def test_swaps_lookup_with_a_source_weekly_by_spacing_and_a_daily_one():
    days = pd.bdate_range("2018-01-01", "2019-06-28")
    yields = pd.DataFrame({"5y": 2.5 + np.sin(np.arange(len(days)) / 20.0),
                           "10y": 2.9 + np.cos(np.arange(len(days)) / 30.0)}, index=days)
    yields.index.name = "date"
    series = pd.DataFrame(index=days)
    weekly = pd.Series(np.nan, index=days)
    fridays = days[(days.day_of_week == 4) & (days < "2019-01-01")]
    weekly[fridays] = 3.0 + np.arange(len(fridays)) / 100.0
    weekly[(days >= "2019-01-01") & (days < "2019-02-01")] = 3.5  # daily for a month
    series["SOFRSWP10"] = weekly
    series["DSWP10"] = pd.Series(3.2, index=days).where(days >= "2019-03-01")
    series["DSWP5"] = pd.Series(2.7, index=days).where(days < "2018-03-01")
    history = swaps_history(yields, series)
    from analytics.swaps import swap_spreads_bp

    spreads = swap_spreads_bp(yields, series)
    for when in [*pd.date_range("2017-12-30", "2019-07-20", freq="3D"),
                 pd.Timestamp("2019-01-15 15:30")]:
        assert (swaps_snapshot(yields, series, as_of=when, spreads=spreads, history=history)
                == swaps_snapshot(yields, series, as_of=when, spreads=spreads)), when


# --- the real history --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def real_state(shared_data: Path, tmp_path_factory) -> MarketState:
    """The state of a store holding every file of ../shared/data the importer takes."""
    from data.importer import ImportFileError, parse_file
    from data.market import load_market_data
    from data.store import Store

    batches = []
    for path in sorted(shared_data.rglob("*.csv")):
        try:
            batches.append(parse_file(path))
        except ImportFileError:
            continue  # not a time series the app imports (the auction results file)
    store_path = tmp_path_factory.mktemp("lookup") / "store.sqlite"
    with Store.open(store_path) as store:
        store.write(batches)
    data = load_market_data(store_path)
    return build_state(data.yields, data.series, data.cftc, revision=data.revision,
                       mode=data.mode)


def test_real_snapshot_from_the_histories_is_the_from_scratch_snapshot(real_state):
    m = real_state.measures
    assert {"SOFR", "RPONTSYD", "DSWP10", "SVENY10"} <= set(m.series.columns) and len(m.cftc)
    _assert_same_snapshots(real_state, _edge_dates(real_state, 5, seed=2))


def test_real_module_lookups_at_times_of_day_and_odd_dates(real_state):
    # The module functions take any timestamp (the snapshot passes midnights): same answers.
    m, h = real_state.measures, real_state.histories
    assert h is not None and h.positioning is not None
    gsw = gsw_frame(m.series)
    for when in ("2016-10-28 23:00", "2019-09-17 09:30", "2021-07-29 12:00", "2024-12-01 18:00",
                 "2100-01-01", "1900-01-01"):
        ts = pd.Timestamp(when)
        assert (functioning_snapshot(m.yields, gsw, as_of=ts, fit=m.fit, history=h.functioning)
                == functioning_snapshot(m.yields, gsw, as_of=ts, fit=m.fit))
        assert (swaps_snapshot(m.yields, m.series, as_of=ts, spreads=m.swap_spreads_bp,
                               history=h.swaps)
                == swaps_snapshot(m.yields, m.series, as_of=ts, spreads=m.swap_spreads_bp))
        assert (funding_snapshot(m.series, as_of=ts, history=h.funding)
                == funding_snapshot(m.series, as_of=ts))
        assert (positioning_snapshot(m.cftc, as_of=ts, history=h.positioning)
                == positioning_snapshot(m.cftc, as_of=ts, table=m.positions))
