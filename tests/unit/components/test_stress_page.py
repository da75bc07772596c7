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


def test_callback_on_demo_data_gives_bounded_figures(ctx):
    history, contrib, value, _cats, _missing, error = stress.update(ctx, "2020-03-18", 3, 5, [1] * 5)
    assert error is None
    assert value.endswith("on 2020-03-18")
    assert len(history["data"]) == 2 + len(CATEGORIES)  # 21-day mean, daily, categories
    assert all(len(t["x"]) <= 2002 for t in history["data"])
    assert len(json.dumps(history)) < 400_000
    assert contrib["data"][0]["type"] == "bar"
