"""Stress index page: settings validation, recomputation, figures, the callback as a function."""

from __future__ import annotations

import json

import numpy as np
import pytest
from dash import no_update

from analytics.stress import CATEGORIES
from components.context import AppContext
from components.pages import stress


@pytest.fixture(scope="module")
def ctx(tmp_path_factory):
    return AppContext(tmp_path_factory.mktemp("s") / "absent.sqlite")


@pytest.mark.parametrize("window, clip, message", [
    (0, 5, "between 1 and 20 years"),
    (None, 5, "between 1 and 20 years"),
    (3, 0.1, "z-score cap"),
    (3, 1e9, "z-score cap"),
])
def test_absurd_settings_are_refused_with_a_readable_message(window, clip, message):
    with pytest.raises(ValueError, match=message):
        stress.StressSettings(window, clip, tuple((c, 1.0) for c in CATEGORIES))


def test_all_zero_weights_are_refused():
    with pytest.raises(ValueError, match="at least one category"):
        stress.StressSettings(3, 5, tuple((c, 0.0) for c in CATEGORIES))


def test_callback_with_bad_input_shows_message_and_keeps_charts(ctx):
    out = stress.update(ctx, None, -4, 5, [1] * len(CATEGORIES))
    assert out[:5] == (no_update,) * 5
    assert "between 1 and 20 years" in json.dumps(out[5].to_plotly_json(), default=str)


def test_zero_weight_removes_a_category_from_the_index(ctx):
    base = ctx.measures().stress
    weights = tuple((c, 0.0 if c == "funding" else 1.0) for c in CATEGORIES)
    result = stress.recompute(base, stress.StressSettings(3, 5, weights))
    contrib = result.contributions
    funding_cols = [s.name for s in result.specs if s.category == "funding"]
    assert np.nanmax(np.abs(contrib[funding_cols].to_numpy())) == 0.0
    rows = result.total.dropna().index
    np.testing.assert_allclose(contrib.loc[rows].sum(axis=1), result.total.loc[rows], atol=1e-9)


def test_other_settings_recompute_from_the_values_as_filled_once():
    """The base result's values already carry each indicator's bounded forward fill; a
    recompute with other weights must not fill them again (a gap of 10 days with a limit of 3
    stays 7 days long), so it equals the index computed from the raw indicators."""
    import pandas as pd

    from analytics.stress import IndicatorSpec, compute_stress_index

    days = pd.bdate_range("2015-01-01", periods=900)
    rng = np.random.default_rng(3)
    raw = pd.DataFrame({c: rng.normal(size=days.size).cumsum() for c in CATEGORIES}, index=days)
    raw.iloc[500:510, 0] = np.nan
    specs = [IndicatorSpec(name=c, category=c, sign=1, max_ffill_days=3) for c in CATEGORIES]
    weights = tuple((c, 2.0 if c == CATEGORIES[1] else 1.0) for c in CATEGORIES)
    window = stress.StressSettings(1, 4, weights).window_days
    base = compute_stress_index(raw, specs, window=window, min_periods=252, clip_z=5.0)
    assert int(base.values[CATEGORIES[0]].isna().sum()) == 7
    got = stress.recompute(base, stress.StressSettings(1, 4, weights))
    want = compute_stress_index(raw, specs, window=window, min_periods=252, clip_z=4.0, weights=dict(weights))
    pd.testing.assert_frame_equal(got.values, base.values)
    pd.testing.assert_series_equal(got.total, want.total)


def test_callback_on_demo_data_gives_bounded_figures(ctx):
    history, contrib, value, _cats, _missing, error = stress.update(ctx, "2020-03-18", 3, 5, [1] * 5)
    assert error is None
    assert "on 2020-03-18" in value
    assert len(history["data"]) == 2 + len(CATEGORIES)  # 21-day mean, daily, categories
    assert all(len(t["x"]) <= 2002 for t in history["data"])
    assert len(json.dumps(history)) < 400_000
    assert contrib["data"][0]["type"] == "bar"


def test_value_is_shown_with_its_coverage_counted_by_hand(ctx):
    base = ctx.measures().stress
    when = "2020-03-18"
    _h, _c, value, cats, _m, _e = stress.update(ctx, when, base.window / stress.DAYS_PER_YEAR,
                                               base.clip_z, [1] * len(CATEGORIES))
    # Equal weights: coverage = categories with a score that day / all categories.
    row = base.categories.loc[:when].iloc[-1]
    expected = row.notna().sum() / len(row)
    assert value.endswith(f"coverage {expected:.0%} of the category weight")
    # Per category: indicators with a z-score that day / indicators of the category.
    z = base.zscores.loc[:when].iloc[-1]
    table_rows = {tr.children[0].children: tr.children[3].children for tr in cats.children[1].children}
    for c in CATEGORIES:
        names = [s.name for s in base.specs if s.category == c]
        share = sum(1 for n in names if not np.isnan(z[n])) / len(names) if names else 0.0
        assert table_rows[c] == f"{share:.0%}", c


def test_headline_without_coverage_or_value():
    assert stress.headline({"value": None, "date": None}) == "-"
    assert stress.headline({"value": 1.234, "date": "2008-10-10", "coverage": None}) == "+1.23 z on 2008-10-10"
    assert stress.headline({"value": -0.5, "date": "1969-10-23", "coverage": 0.2}) == \
        "-0.50 z on 1969-10-23, coverage 20% of the category weight"


def test_category_key_matches_the_bar_colours(ctx):
    key = stress.category_key()
    swatches = {item.children[1].children: item.children[0].style["backgroundColor"]
                for item in key.children[1:]}
    assert list(swatches) == list(CATEGORIES)
    assert len(set(swatches.values())) == len(CATEGORIES)
    _h, contrib, *_ = stress.update(ctx, "2020-03-18", 6, 5, [1] * len(CATEGORIES))
    bar = contrib["data"][0]
    for category, colour in zip(bar["customdata"], bar["marker"]["color"], strict=True):
        assert swatches[category] == colour
    page = json.dumps(stress.layout(ctx).to_plotly_json(), default=str)
    assert "stress-category-key" in page
