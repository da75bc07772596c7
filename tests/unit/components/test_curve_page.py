"""The Curve page without a browser: inputs, tables, figure builders and callback functions.

Numbers are checked against hand calculations on the real CMT history of ../shared/data
(DOMAIN.md section 1 rules written out in the tests), not against the page's own output.
"""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
import plotly
import pytest
from dash import Patch, no_update

from analytics.curve import EPISODE_REGIMES, REGIMES
from components.context import AppContext
from components.pages import curve
from components.theme import MUTED
from tests.conftest import state_of_yields

AS_OF = pd.Timestamp("2025-04-11")  # end of the tariff sell-off week


@pytest.fixture(scope="module")
def demo_ctx(tmp_path_factory) -> AppContext:
    # An absent store gives the DEMO data set: fast, deterministic, no files needed.
    return AppContext(tmp_path_factory.mktemp("curve") / "absent.sqlite")


def payload_bytes(obj) -> int:
    return len(json.dumps(obj, cls=plotly.utils.PlotlyJSONEncoder))


def hand_move(yields: pd.DataFrame, short: str, long: str, end: str, n: int) -> tuple[float, float]:
    """Leg changes (bp) over n observations of days with both legs published, ending on `end`."""
    legs = yields[[short, long]].dropna()
    pos = legs.index.get_loc(pd.Timestamp(end))
    ds = (legs[short].iloc[pos] - legs[short].iloc[pos - n]) * 100.0
    dl = (legs[long].iloc[pos] - legs[long].iloc[pos - n]) * 100.0
    return round(ds, 6), round(dl, 6)


# --- inputs -----------------------------------------------------------------------------------


@pytest.mark.parametrize("band", [500, -1, 50.5, float("nan"), float("inf")])
def test_band_outside_0_to_50_bp_is_refused_with_the_range(band):
    with pytest.raises(ValueError, match=r"Parallel band must be between 0 and 50 bp"):
        curve.CurveQuery.from_inputs("2025-04-11", band)


@pytest.mark.parametrize("band", [None, "", "abc", True])
def test_empty_or_non_numeric_band_is_refused_with_a_readable_message(band):
    with pytest.raises(ValueError, match=r"Parallel band.*between 0 and 50"):
        curve.CurveQuery.from_inputs(None, band)


def test_band_bounds_are_accepted_and_cleared_date_means_last_date():
    assert curve.CurveQuery.from_inputs(None, 0).parallel_band_bp == 0.0
    query = curve.CurveQuery.from_inputs("2025-04-11T00:00:00", "50")
    assert query.parallel_band_bp == 50.0 and query.as_of == AS_OF
    assert curve.CurveQuery.from_inputs(None, 2).as_of is None


def test_unreadable_as_of_date_is_refused():
    with pytest.raises(ValueError, match="As-of date"):
        curve.parse_as_of("not a date")


# --- moves --------------------------------------------------------------------------------------


def test_tariff_week_moves_match_hand_calculation(real_yields, real_yields_state):
    moves = curve.moves_frame(real_yields_state, as_of=AS_OF).set_index(["window", "spread"])
    assert len(moves) == 15  # 3 windows x 5 spreads
    # 1w = 5 observations: 2025-04-04 -> 2025-04-11. CSV: 2y 3.68 -> 3.96, 10y 4.01 -> 4.48.
    row = moves.loc[("1w", "2s10s")]
    assert row["start_date"] == pd.Timestamp("2025-04-04")
    assert row["short_bp"] == pytest.approx(28.0, abs=1e-6)
    assert row["long_bp"] == pytest.approx(47.0, abs=1e-6)
    assert row["spread_bp"] == pytest.approx(19.0, abs=1e-6)
    assert row["level_bp"] == pytest.approx((4.48 - 3.96) * 100.0, abs=1e-6)
    assert row["regime"] == "bear steepener"  # dl > ds and dl > 0
    # Percentile: share of 5-observation 2s10s changes up to the date that are <= +19 bp.
    legs = real_yields.loc[:AS_OF, ["2y", "10y"]].dropna()
    changes = (((legs["10y"] - legs["2y"]) * 100.0).round(6).diff(5)).dropna().round(6)
    expected = 100.0 * (changes <= 19.0).sum() / len(changes)
    assert row["percentile"] == pytest.approx(expected, abs=0.05)
    assert row["percentile"] > 97.0  # a top-3% steepening week


def test_every_move_follows_the_domain_rules(real_yields, real_yields_state):
    moves = curve.moves_frame(real_yields_state, as_of=AS_OF, parallel_band_bp=2.0)
    for r in moves.itertuples():
        n = {"1d": 1, "1w": 5, "1m": 21}[r.window]
        ds, dl = hand_move(real_yields, r.short, r.long, "2025-04-11", n)
        assert (r.short_bp, r.long_bp) == pytest.approx((ds, dl), abs=1e-6)
        if abs(dl - ds) < 2.0:
            expected = "parallel"
        elif dl > ds:
            expected = "bear steepener" if ds + dl >= 0 else "bull steepener"
        else:
            expected = "bear flattener" if ds + dl >= 0 else "bull flattener"
        assert r.regime == expected, (r.window, r.spread)


def test_parallel_band_reclassifies_the_5s30s_week(real_yields, real_yields_state):
    # 2025-04-04 -> 04-11: 5y 3.72 -> 4.15 (+43), 30y 4.41 -> 4.85 (+44): spread +1 bp.
    wide = curve.moves_frame(real_yields_state, as_of=AS_OF, parallel_band_bp=2.0)
    narrow = curve.moves_frame(real_yields_state, as_of=AS_OF, parallel_band_bp=0.5)
    pick = (wide["window"] == "1w") & (wide["spread"] == "5s30s")
    assert wide.loc[pick, "regime"].item() == "parallel"
    assert narrow.loc[pick, "regime"].item() == "bear steepener"
    every = curve.moves_frame(real_yields_state, as_of=AS_OF, parallel_band_bp=50.0)
    small = every["spread_bp"].abs() < 50.0
    assert (every.loc[small, "regime"] == "parallel").all()
    assert (every.loc[~small, "regime"] != "parallel").all()


def test_moves_ignore_history_after_the_as_of_date(real_yields, real_yields_state):
    truncated = curve.moves_frame(state_of_yields(real_yields.loc[:AS_OF]), as_of=AS_OF)
    full = curve.moves_frame(real_yields_state, as_of=AS_OF)
    pd.testing.assert_frame_equal(truncated, full)


def test_moves_table_has_a_row_per_move_and_a_coloured_regime(real_yields, real_yields_state):
    moves = curve.moves_frame(real_yields_state, as_of=AS_OF)
    table = curve.moves_table(moves)
    body = table.children[1].children
    assert len(body) == 15
    assert [th.children for th in table.children[0].children.children] == list(curve.MOVE_HEADERS)
    badge = body[5].children[8].children  # 1w 2s10s
    assert badge.children == "bear steepener"
    assert badge.style["backgroundColor"] == curve.REGIME_COLOURS["bear steepener"]
    # The three windows are set apart by a rule.
    ruled = [i for i, tr in enumerate(body) if getattr(tr, "style", None)]
    assert ruled == [5, 10]


def test_each_regime_has_its_own_colour():
    colours = [curve.regime_badge(r).style["backgroundColor"] for r in REGIMES]
    assert len(set(colours)) == len(REGIMES)
    assert curve.regime_badge("parallel").style["backgroundColor"] == MUTED
    assert curve.regime_badge(None) == "-"


def test_update_moves_with_absurd_band_keeps_the_table_and_says_why(demo_ctx):
    table, error, compare = curve.update_moves(demo_ctx, "2025-04-11", 500)
    assert table is no_update and compare is no_update
    assert "between 0 and 50 bp" in error
    table, error, _ = curve.update_moves(demo_ctx, "2025-04-11", None)
    assert table is no_update and "enter a number" in error


def test_update_moves_with_good_input_clears_the_error_and_draws_three_curves(demo_ctx):
    moves, error, compare = curve.update_moves(demo_ctx, "2025-04-11", 2)
    assert error == ""
    caption, table = moves.children
    assert table.id == "curve-moves-table"
    assert caption.children[1].children == "percentile over all history"
    assert len(compare["data"]) == 3
    assert compare["data"][0]["name"].startswith("as of (2025-04-11)")


def test_update_moves_before_the_history_says_where_it_starts(demo_ctx):
    moves, error, _ = curve.update_moves(demo_ctx, "1970-01-02", 2)
    assert error == ""
    table = moves.children[1]
    assert "No moves on or before 1970-01-02" in table.children
    assert "1990-01-02" in table.children


# --- spread history -----------------------------------------------------------------------------


def test_spread_history_is_one_downsampled_trace_with_the_as_of_line(real_yields, real_yields_state):
    fig = curve.spread_history_figure(real_yields_state, "2s10s", as_of=AS_OF)
    assert len(fig["data"]) == 1
    trace = fig["data"][0]
    assert len(trace["x"]) <= 2_002
    assert payload_bytes(fig) < 120_000
    both = real_yields[["2y", "10y"]].dropna()
    last = both.index[-1]
    assert trace["x"][-1] == f"{last:%Y-%m-%d}"
    assert trace["y"][-1] == pytest.approx((both.at[last, "10y"] - both.at[last, "2y"]) * 100, abs=1e-3)
    assert trace["x"][0] == "1976-06-01"  # the 2y CMT starts then
    shape = fig["layout"]["shapes"][0]
    assert shape["x0"] == "2025-04-11" and shape["line"]["dash"] == "dash"


def test_changing_only_the_date_sends_a_patch_of_the_as_of_line(demo_ctx):
    out = curve.update_history(demo_ctx, "2s10s", "2020-03-16", "app-asof")
    assert isinstance(out, Patch)
    ops = out.to_plotly_json()["operations"]
    assert ops[0]["location"] == ["layout", "shapes", 0]
    assert ops[0]["params"]["value"]["x0"] == "2020-03-16"
    assert payload_bytes(out.to_plotly_json()) < 2_000


def test_changing_the_spread_sends_the_new_history(demo_ctx):
    fig = curve.update_history(demo_ctx, "5s30s", "2020-03-16", "curve-spread")
    assert fig["data"][0]["name"] == "5s30s"


def test_unknown_spread_shows_a_message_instead_of_a_chart(demo_ctx):
    fig = curve.update_history(demo_ctx, "1s2s", None, "curve-spread")
    assert fig["data"] == []
    assert "Spread must be one of 2s10s, 5s30s, 2s30s, 3m10y, 10s30s" in \
        fig["layout"]["annotations"][0]["text"]


# --- largest episodes -----------------------------------------------------------------------


def test_largest_bear_steepener_weeks_match_hand_ranking(real_yields, real_yields_state):
    as_of = pd.Timestamp("2025-06-30")
    episodes = curve.episodes_frame(real_yields_state, spread="2s10s", regime="bear steepener",
                                    window="1w", as_of=as_of, parallel_band_bp=2.0)
    assert 1 <= len(episodes) <= 5
    assert (episodes["regime"] == "bear steepener").all()
    assert episodes["rank"].tolist() == list(range(1, len(episodes) + 1))
    # Hand ranking: every 5-observation move, bear steepener by the documented rule.
    legs = real_yields.loc[:as_of, ["2y", "10y"]].dropna()
    ds = (legs["2y"].diff(5) * 100).round(6)
    dl = (legs["10y"].diff(5) * 100).round(6)
    spread = (dl - ds).round(6)
    bear_steep = (spread >= 2.0) & (ds + dl >= 0)
    biggest = spread[bear_steep].idxmax()
    assert episodes.loc[0, "end_date"] == biggest
    assert episodes.loc[0, "spread_bp"] == pytest.approx(spread[biggest], abs=1e-6)
    # Non-overlapping windows: end dates at least 5 observations apart.
    pos = sorted(legs.index.get_loc(d) for d in episodes["end_date"])
    assert all(b - a >= 5 for a, b in zip(pos, pos[1:], strict=False))
    assert episodes["spread_bp"].is_monotonic_decreasing


def test_episodes_use_history_up_to_the_as_of_date_only(real_yields, real_yields_state):
    episodes = curve.episodes_frame(real_yields_state, spread="3m10y", regime="bull steepener",
                                    window="1m", as_of=pd.Timestamp("2008-12-31"),
                                    parallel_band_bp=2.0)
    assert (episodes["end_date"] <= pd.Timestamp("2008-12-31")).all()


def test_episodes_table_rows_and_bad_regime_message(demo_ctx):
    table = curve.update_episodes(demo_ctx, "2s10s", "bull flattener", "1w", None, 2)
    assert table.id == "curve-episodes-table"
    assert len(table.children[1].children) == 5
    box = curve.update_episodes(demo_ctx, "2s10s", "sideways", "1w", None, 2)
    assert "Regime must be one of" in box.children
    assert all(r in box.children for r in EPISODE_REGIMES)
    # A bad band is reported by the moves card; the episodes stay as they were.
    assert curve.update_episodes(demo_ctx, "2s10s", "bull flattener", "1w", None, 99) is no_update


# --- factors and layout ---------------------------------------------------------------------


def test_factors_chart_has_three_panels_matching_hand_factors(real_yields, real_yields_state):
    fig = curve.factors_chart(real_yields_state, as_of=AS_OF)
    assert len(fig["data"]) == 3
    assert [t["yaxis"] for t in fig["data"]] == ["y", "y2", "y3"]
    assert all(len(t["x"]) <= 2_002 for t in fig["data"])
    assert payload_bytes(fig) < 300_000
    domains = [fig["layout"][k]["domain"] for k in ("yaxis", "yaxis2", "yaxis3")]
    assert domains[0][0] > domains[1][1] and domains[1][0] > domains[2][1]  # stacked, apart
    full = real_yields[["3m", "2y", "10y"]].dropna()
    day = full.index[-1]
    y3m, y2y, y10y = full.loc[day]
    level, slope, curvature = (t["y"][-1] for t in fig["data"])
    assert level == pytest.approx((y3m + y2y + y10y) / 3, abs=1e-4)
    assert slope == pytest.approx((y10y - y3m) * 100, abs=1e-3)
    assert curvature == pytest.approx((2 * y2y - y3m - y10y) * 100, abs=1e-3)
    assert fig["data"][1]["x"][0] >= "1981-09-01"  # the 3m starts in 1981
    assert fig["layout"]["shapes"][0]["x0"] == "2025-04-11"


def test_factors_follow_the_date_with_a_patch(demo_ctx):
    out = curve.update_factors(demo_ctx, "2008-09-15")
    assert isinstance(out, Patch)
    assert out.to_plotly_json()["operations"][0]["params"]["value"]["x0"] == "2008-09-15"


def test_layout_on_demo_data_has_every_control_and_a_small_payload(demo_ctx):
    page = curve.layout(demo_ctx)
    text = json.dumps(page.to_plotly_json(), cls=plotly.utils.PlotlyJSONEncoder)
    for id_ in ("curve-band", "curve-band-error", "curve-moves-table",
                "curve-spread", "curve-history", "curve-episode-regime", "curve-episode-window",
                "curve-episodes-table", "curve-compare", "curve-factors"):
        assert f'"{id_}"' in text, id_
    assert len(text) < 400_000
    assert curve.PATH == "/curve" and curve.LABEL == "Curve"


def test_percentile_cells_bold_only_when_extreme():
    assert curve._percentile(97.0).style == {"fontWeight": 700}
    assert curve._percentile(50.0).style is None
    assert curve._percentile(math.nan) == "-"
    assert np.isnan(curve.moves_frame(state_of_yields(pd.DataFrame(
        {t: [1.0, 1.1] for t in ("1m", "3m", "6m", "1y", "2y", "3y", "5y", "7y", "10y", "20y", "30y")},
        index=pd.DatetimeIndex(["2024-01-02", "2024-01-03"], name="date"))),
        as_of=pd.Timestamp("2024-01-03"))["spread_bp"].iloc[-1])  # no 1m move after 2 days


# --- percentile basis and twists (issue 9) ---------------------------------------------------


def hand_changes(yields: pd.DataFrame, short: str, long: str, n: int, end: pd.Timestamp) -> pd.Series:
    """Signed n-observation spread changes (bp) of the days with both legs, up to `end`."""
    legs = yields.loc[:end, [short, long]].dropna()
    return ((legs[long] - legs[short]) * 100.0).round(6).diff(n).dropna().round(6)


@pytest.mark.parametrize("basis", ["since-2000", "rolling-10y"])
def test_basis_reranks_the_tariff_week_against_the_chosen_history_only(real_yields, real_yields_state,
                                                                      basis):
    # An offered basis is read from the state (computed once per revision), not recomputed.
    assert curve.basis_percentiles(real_yields_state, "2s10s", "1w", basis) is \
        real_yields_state.percentiles[("2s10s", "1w", basis)]
    moves = curve.moves_frame(real_yields_state, as_of=AS_OF, basis=basis).set_index(["window", "spread"])
    for window, n in (("1d", 1), ("1w", 5), ("1m", 21)):
        changes = hand_changes(real_yields, "2y", "10y", n, AS_OF)
        today = changes.iloc[-1]
        if basis == "since-2000":
            pool = changes.loc["2000-01-01":]
        else:  # the 10 calendar years ending on the day: 2015-04-11 excluded, 2025-04-11 included
            pool = changes.loc[changes.index > pd.Timestamp("2015-04-11")]
        expected = 100.0 * (pool <= today).sum() / len(pool)
        assert moves.loc[(window, "2s10s"), "percentile"] == pytest.approx(expected, abs=1e-9), window
    # The 1980s no longer dilute the tails: the +19 bp week ranks higher against recent history.
    everything = curve.moves_frame(real_yields_state, as_of=AS_OF).set_index(["window", "spread"])
    assert moves.loc[("1w", "2s10s"), "percentile"] != everything.loc[("1w", "2s10s"), "percentile"]


def test_basis_percentiles_ignore_history_after_the_as_of_date(real_yields, real_yields_state):
    when = pd.Timestamp("2020-03-18")
    truncated = curve.moves_frame(state_of_yields(real_yields.loc[:when]), as_of=when, basis="rolling-10y")
    full = curve.moves_frame(real_yields_state, as_of=when, basis="rolling-10y")
    pd.testing.assert_series_equal(truncated["percentile"], full["percentile"])


def test_since_2000_basis_has_no_percentile_before_2000(real_yields_state):
    moves = curve.moves_frame(real_yields_state, as_of=pd.Timestamp("1999-06-01"), basis="since-2000")
    assert moves["end_date"].notna().all()
    assert moves["percentile"].isna().all()
    assert curve.moves_table(moves).children[1].children[0].children[9].children == "-"


def test_episodes_percentiles_follow_the_basis(real_yields, real_yields_state):
    eps = curve.episodes_frame(real_yields_state, spread="2s10s", regime="bear steepener", window="1w",
                               as_of=AS_OF, parallel_band_bp=2.0, basis="since-2000")
    changes = hand_changes(real_yields, "2y", "10y", 5, AS_OF)
    for r in eps.itertuples():
        pool = changes.loc["2000-01-01":r.end_date]
        expected = math.nan if r.end_date < pd.Timestamp("2000-01-01") else \
            100.0 * (pool <= changes.loc[r.end_date]).sum() / len(pool)
        if math.isnan(expected):
            assert math.isnan(r.percentile)
        else:
            assert r.percentile == pytest.approx(expected, abs=1e-9)


@pytest.mark.parametrize("basis", ["since-20x", "rolling-0y", "everything"])
def test_unknown_basis_is_refused_and_the_table_is_kept(demo_ctx, basis):
    with pytest.raises(ValueError, match="Percentile basis"):
        curve.CurveQuery.from_inputs("2025-04-11", 2, basis)
    table, error, compare = curve.update_moves(demo_ctx, "2025-04-11", 2, basis)
    assert table is no_update and compare is no_update and "Percentile basis" in error


def test_basis_is_read_from_the_url_and_shown(demo_ctx):
    bound = {b.key: b for b in curve.URL_STATE}["basis"]
    assert bound.component_id == "curve-basis" and bound.default == "all"
    page = json.dumps(curve.layout(demo_ctx, {"basis": "rolling-10y"}).to_plotly_json(),
                      cls=plotly.utils.PlotlyJSONEncoder)
    assert "percentile over the last 10 years" in page
    with pytest.raises(ValueError):
        bound.read("since-1990")  # only the offered bases come from a link
    moves, error, _ = curve.update_moves(demo_ctx, "2025-04-11", 2, "since-2000")
    assert error == "" and moves.children[0].children[1].children == "percentile since 2000-01-01"


def test_twist_of_2022_10_21_shows_with_its_badge_colour(real_yields, real_yields_state):
    # CSV: 5y 4.45 -> 4.34 (-11 bp), 30y 4.24 -> 4.33 (+9 bp) from 2022-10-20 to 2022-10-21.
    ds, dl = hand_move(real_yields, "5y", "30y", "2022-10-21", 1)
    assert ds <= -2.0 and dl >= 2.0
    moves = curve.moves_frame(real_yields_state, as_of=pd.Timestamp("2022-10-21"))
    row = moves[(moves["window"] == "1d") & (moves["spread"] == "5s30s")].index[0]
    badge = curve.moves_table(moves).children[1].children[row].children[8].children
    assert badge.children == "steepening twist"
    assert badge.style["backgroundColor"] == curve.REGIME_COLOURS["steepening twist"]


def test_episode_radio_offers_the_twists_as_coloured_badges():
    options = curve.regime_options()
    assert [o["value"] for o in options] == list(EPISODE_REGIMES)
    assert {"steepening twist", "flattening twist"} <= set(EPISODE_REGIMES)
    for o in options:
        assert o["label"].style["backgroundColor"] == curve.REGIME_COLOURS[o["value"]]


def test_the_twist_rule_is_written_on_the_page(demo_ctx):
    text = json.dumps(curve.layout(demo_ctx).to_plotly_json(), cls=plotly.utils.PlotlyJSONEncoder)
    assert "steepening twist" in curve.TWIST_RULE and "flattening twist" in curve.TWIST_RULE
    assert "curve-regime-rule" in text and "neither bull nor bear" in text
