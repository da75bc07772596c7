"""Full resolution on zoom: which x-range a relayout asks for, and the points sent for it."""

from __future__ import annotations

import numpy as np
import pandas as pd

from components import figures
from components.zoom import visible_range, window_points


def test_a_zoom_a_range_button_and_a_reset_are_read_as_ranges():
    assert visible_range({"xaxis.range[0]": "2020-03-02 00:00:00.0",
                          "xaxis.range[1]": "2020-04-30"}) == (
        pd.Timestamp("2020-03-02"), pd.Timestamp("2020-04-30"))
    assert visible_range({"xaxis.range": ["2021-01-01", "2020-01-01"]}) == (
        pd.Timestamp("2020-01-01"), pd.Timestamp("2021-01-01"))
    assert visible_range({"xaxis.autorange": True}) == "all"
    assert visible_range({"yaxis.range[0]": 1, "yaxis.range[1]": 2}) is None
    assert visible_range({"xaxis.range[0]": "garbage", "xaxis.range[1]": "2020-01-01"}) is None
    assert visible_range(None) is None


def test_a_two_month_window_comes_at_full_resolution_with_its_neighbours():
    index = pd.bdate_range("1990-01-01", periods=9000)
    full = pd.Series(np.arange(9000, dtype=float), index=index)
    x, y = window_points(full, (pd.Timestamp("2020-03-02"), pd.Timestamp("2020-04-30")))
    inside = full.loc["2020-03-02":"2020-04-30"]
    assert len(x) == len(inside) + 2  # every day, plus one point beyond each edge
    assert x[1] == "2020-03-02" and y[1:-1] == inside.tolist()
    x_all, _ = window_points(full, "all")
    assert len(x_all) <= 2000 and x_all[0] == "1990-01-01"


def test_time_charts_open_on_the_last_two_years_with_range_buttons():
    index = pd.bdate_range("2000-01-03", "2024-06-28")
    fig = figures.history({"s": pd.Series(1.0, index=index)}, title="t", y_title="bp")
    axis = fig["layout"]["xaxis"]
    assert [b["label"] for b in axis["rangeselector"]["buttons"]] == ["1M", "3M", "1Y", "5Y", "Max"]
    assert axis["range"][0] == "2022-06-28"
