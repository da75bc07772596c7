"""Figure builders, checked without a browser: traces, points per trace, payload size."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd

from components import figures
from components.downsample import minmax_downsample


def test_minmax_downsample_keeps_extremes_and_bounds_points():
    idx = pd.bdate_range("1962-01-02", periods=16_000)
    values = pd.Series(np.sin(np.arange(16_000) / 50.0), index=idx)
    values.iloc[7_777] = 25.0  # a one-day spike must survive
    small = minmax_downsample(values, 2_000)
    assert len(small) <= 2_002
    assert small.max() == 25.0
    assert small.index.is_monotonic_increasing
    assert small.index[0] == idx[0] and small.index[-1] == idx[-1]


def test_history_figure_is_downsampled_and_small():
    idx = pd.bdate_range("1962-01-02", periods=16_000)
    series = {"2s10s": pd.Series(np.random.default_rng(1).normal(size=16_000), index=idx)}
    fig = figures.history(series, title="t", y_title="bp")
    assert len(fig["data"]) == 1
    assert len(fig["data"][0]["x"]) <= 2_002
    assert len(json.dumps(fig)) < 120_000


def test_curve_comparison_has_one_trace_per_curve_and_skips_missing_tenors():
    today = pd.Series({"2y": 4.0, "10y": 4.5, "30y": np.nan})
    past = pd.Series({"2y": 3.9, "10y": 4.3, "30y": 4.6})
    fig = figures.curve_comparison({"today": today, "1w": past})
    assert len(fig["data"]) == 2
    assert fig["data"][0]["x"] == [2.0, 10.0]
    assert fig["data"][1]["y"] == [3.9, 4.3, 4.6]


def test_stress_episodes_are_shaded_and_labelled_from_the_first_date_on():
    import pandas as pd

    from components import figures

    index = pd.bdate_range("2012-01-02", "2024-12-31")
    fig = figures.history({"s": pd.Series(1.0, index=index)}, title="t", y_title="bp")
    labels = [s["label"]["text"] for s in fig["layout"]["shapes"] if s.get("type") == "rect"]
    assert labels[:2] == ["Taper tantrum", "Repo spike"]  # Lehman (2008) is before the series
    assert "Lehman" not in labels and "Dash for cash" in labels
