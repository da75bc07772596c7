"""Look-ahead-free percentiles by basis: brute force by hand, and the real 2s10s history."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analytics.checks import InputError
from analytics.curve import spread_moves
from analytics.percentiles import expanding_percentile, parse_basis


def _brute(values: pd.Series, start: str | None = None, years: int | None = None) -> pd.Series:
    out = []
    for day, v in values.items():
        if np.isnan(v) or (start is not None and day < pd.Timestamp(start)):
            out.append(np.nan)
            continue
        past = values.loc[:day].dropna()
        if start is not None:
            past = past.loc[start:]
        if years is not None:
            past = past[past.index > day - pd.DateOffset(years=years)]
        out.append(100.0 * (past <= v).sum() / len(past))
    return pd.Series(out, index=values.index)


@pytest.fixture(scope="module")
def noisy() -> pd.Series:
    rng = np.random.default_rng(9)
    idx = pd.bdate_range("1995-01-02", periods=1500)
    vals = np.round(rng.normal(size=idx.size), 1)  # rounded: many ties
    vals[[3, 50, 700]] = np.nan
    return pd.Series(vals, index=idx)


@pytest.mark.parametrize(("basis", "start", "years"), [("all", None, None), ("since-1998", "1998-01-01", None),
                                                      ("rolling-2y", None, 2)])
def test_percentile_equals_a_brute_force_count_of_past_values(noisy, basis, start, years):
    got = expanding_percentile(noisy, basis=basis)
    np.testing.assert_allclose(got.to_numpy(), _brute(noisy, start, years).to_numpy(), equal_nan=True)


def test_a_value_depends_on_no_later_observation(noisy):
    full = expanding_percentile(noisy, basis="rolling-2y")
    cut = expanding_percentile(noisy.iloc[:900], basis="rolling-2y")
    np.testing.assert_array_equal(full.iloc[:900].to_numpy(), cut.to_numpy())


def test_bad_bases_are_rejected_naming_the_parameter():
    for bad in ("since-20", "rolling-0y", "last-10y", "since-2000-13-01"):
        with pytest.raises(InputError) as err:
            parse_basis(bad)
        assert err.value.param == "basis"
    assert parse_basis("rolling-10y").label == "percentile over the last 10 years"


def test_real_2s10s_weekly_move_of_march_2020_ranks_higher_against_history_since_2000(real_yields):
    # Over all history since 1976 the 1980s give the tails; since 2000 the same move is rarer.
    moves = spread_moves(real_yields, "2s10s", window="1w")["spread_bp"]
    day = pd.Timestamp("2020-03-18")
    all_hist = expanding_percentile(moves, basis="all")
    since = expanding_percentile(moves, basis="since-2000")
    upto = moves.loc[:day]
    assert all_hist[day] == pytest.approx(100 * (upto <= upto[day]).mean())
    recent = upto.loc["2000-01-01":]
    assert since[day] == pytest.approx(100 * (recent <= upto[day]).mean())
    assert since[day] > all_hist[day]  # a steepening: nearer the top against the calmer years
    # The curve module's own percentile is the "all" basis on the as-of history.
    assert spread_moves(real_yields.loc[:day], "2s10s", window="1w")["percentile"].iloc[-1] == pytest.approx(
        all_hist[day])


@pytest.mark.parametrize("cap", [1, 97, 4_000_000])
@pytest.mark.parametrize("n", [1, 2, 17, 64, 301])
def test_block_counts_agree_with_brute_force_at_any_block_size(monkeypatch, cap, n):
    """The vectorised count works in blocks whose size depends on the series length and on a
    memory cap; every size (one block, blocks of one, ragged last block) gives the same ranks."""
    import analytics.percentiles as percentiles

    monkeypatch.setattr(percentiles, "_TABLE_CELLS", cap)
    rng = np.random.default_rng(n)
    idx = pd.bdate_range("1999-06-01", periods=n)
    values = pd.Series(np.round(rng.normal(size=n), 1), index=idx)
    for basis, start, years in (("all", None, None), ("since-2000", "2000-01-01", None),
                                ("rolling-1y", None, 1)):
        got = expanding_percentile(values, basis=basis)
        np.testing.assert_allclose(got.to_numpy(), _brute(values, start, years).to_numpy(),
                                   equal_nan=True)
