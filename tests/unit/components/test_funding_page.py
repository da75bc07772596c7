"""Funding page: threshold boxes, the three lights, figure builders and the callback as a
plain function (demo data), checked on the September 2019 repo spike (real data)."""

from __future__ import annotations

import dataclasses
import json

import numpy as np
import pandas as pd
import plotly.utils
import pytest
from dash import Patch, no_update

from analytics.funding import LIGHT_NAMES, LiquidityThresholds
from components import figures_funding as ff
from components.context import AppContext
from components.downsample import DEFAULT_MAX_POINTS
from components.pages import funding
from tests.conftest import read_shared_series

IDS = [{"type": funding.THRESHOLD_TYPE, "name": f.name} for f in funding.THRESHOLD_FIELDS]
DEFAULT_VALUES = [getattr(LiquidityThresholds(), f.name) for f in funding.THRESHOLD_FIELDS]


def _json(obj: object) -> str:
    if hasattr(obj, "to_plotly_json"):
        obj = obj.to_plotly_json()  # type: ignore[union-attr]
    return json.dumps(obj, cls=plotly.utils.PlotlyJSONEncoder)


def _values(**changes: object) -> list[object]:
    return [changes.get(i["name"], v) for i, v in zip(IDS, DEFAULT_VALUES, strict=True)]


@pytest.fixture(scope="module")
def ctx(tmp_path_factory):
    return AppContext(tmp_path_factory.mktemp("funding") / "absent.sqlite")  # the DEMO set


@pytest.fixture(scope="module")
def real_series(shared_data) -> pd.DataFrame:
    """The store's wide series frame built from ../shared/data (funding series only)."""
    cols = {sid: read_shared_series(shared_data, f"fred/{sid}.csv")
            for sid in ("SOFR", "EFFR", "IORB", "IOER", "RRPONTSYD", "RPONTSYD", "WRESBAL")}
    detail = pd.read_csv(shared_data / "nyfed" / "sofr_detail.csv", parse_dates=["date"])
    detail = detail.set_index("date").sort_index()
    cols["SOFR1"] = detail["SOFR1"].astype(float)
    cols["SOFR99"] = detail["SOFR99"].astype(float)
    frame = pd.concat(cols, axis=1, sort=True)
    frame.index.name = "date"
    return frame


@pytest.fixture(scope="module")
def real_view(real_series):
    from analytics.funding import fed_facilities, funding_spreads

    spreads, facilities = funding_spreads(real_series), fed_facilities(real_series)
    inputs = funding.FundingInputs(pd.Timestamp("2019-09-17"), LiquidityThresholds())
    return funding.compute_view(real_series, spreads, facilities, inputs), spreads, facilities


# --- the threshold boxes -----------------------------------------------------------------------


def test_every_threshold_field_is_editable_and_named_like_the_dataclass():
    assert {f.name for f in funding.THRESHOLD_FIELDS} == {
        f.name for f in dataclasses.fields(LiquidityThresholds)}


def test_box_values_become_thresholds_with_an_int_window():
    # A number box sends 7.0 for 7: the window must still reach the dataclass as an int.
    values = dict(zip([i["name"] for i in IDS], _values(change_window_obs=7.0, sofr_effr_bp=25),
                      strict=True))
    th = funding.read_thresholds(values)
    assert th == LiquidityThresholds(change_window_obs=7, sofr_effr_bp=25.0)
    assert isinstance(th.change_window_obs, int)


@pytest.mark.parametrize("name, value, message", [
    ("sofr_effr_bp", -5, "sofr_effr_bp must be a finite number >= 0, got -5.0"),
    ("facility_take_up_bn", None, "facility_take_up_bn is empty"),
    ("sofr_rise_bp", "abc", "sofr_rise_bp must be a number"),
    ("sofr_rise_bp", float("inf"), "sofr_rise_bp must be a finite number"),
    ("change_window_obs", 0, "change_window_obs must be in [1, 260]"),
    ("change_window_obs", 1000, "change_window_obs must be in [1, 260]"),
    ("change_window_obs", 2.5, "change_window_obs must be an int"),
])
def test_a_bad_box_gets_the_dataclass_message_with_its_label(name, value, message):
    errors = funding.threshold_errors({name: value})
    assert list(errors) == [name]
    assert message in errors[name]
    label = next(f.label for f in funding.THRESHOLD_FIELDS if f.name == name)
    assert label in errors[name]


def test_every_bad_box_is_named_not_only_the_first():
    with pytest.raises(ValueError) as info:
        funding.read_thresholds({"sofr_rise_bp": -1, "sofr_effr_bp": 10, "discount_window_rise_bn": -2})
    assert "sofr_rise_bp" in str(info.value) and "discount_window_rise_bn" in str(info.value)
    assert "sofr_effr_bp" not in str(info.value)


def test_default_as_of_is_the_last_funding_date_not_the_last_row():
    idx = pd.bdate_range("2024-01-01", periods=10, name="date")
    frame = pd.DataFrame({"SOFR": [5.3] * 6 + [np.nan] * 4, "DGS10": 4.0}, index=idx)
    assert funding.default_as_of(frame) == idx[5]
    assert funding.default_as_of(frame[["DGS10"]]) == idx[-1]
    assert funding.default_as_of(frame.iloc[0:0]) is None


def test_default_as_of_follows_sofr_when_effr_runs_longer():
    idx = pd.bdate_range("2024-01-01", periods=10, name="date")
    frame = pd.DataFrame({"SOFR": [5.3] * 4 + [np.nan] * 6, "EFFR": 5.33}, index=idx)
    assert funding.default_as_of(frame) == idx[3]
    assert funding.default_as_of(frame[["EFFR"]]) == idx[-1]


# --- figure builders ---------------------------------------------------------------------------


def test_event_series_gaps_read_as_zero_only_between_operations():
    idx = pd.bdate_range("2019-09-16", periods=6)
    raw = pd.Series([np.nan, 40.85, np.nan, 55.8, np.nan, np.nan], index=idx)
    filled = ff.event_series_filled(raw)
    assert filled.iloc[1:4].tolist() == [40.85, 0.0, 55.8]
    assert np.isnan(filled.iloc[0]) and np.isnan(filled.iloc[4]) and np.isnan(filled.iloc[5])


def test_warning_days_join_into_spans_across_a_weekend_but_not_a_month():
    idx = pd.to_datetime(["2019-09-12", "2019-09-13", "2019-09-16", "2019-09-17", "2019-10-15",
                          "2019-10-16"])
    warning = pd.Series([0.0, 1.0, 1.0, np.nan, 1.0, 0.0], index=idx)
    spans = ff.warning_spans(warning)
    assert spans == [(pd.Timestamp("2019-09-13"), pd.Timestamp("2019-09-16")),
                     (pd.Timestamp("2019-10-15"), pd.Timestamp("2019-10-15"))]
    # Only the longest spans are kept when there are too many, in date order.
    assert ff.warning_spans(warning, max_spans=1) == [spans[0]]


def test_overlay_shapes_draw_episodes_after_the_first_date_thresholds_and_as_of():
    shapes = ff.overlay_shapes(first=pd.Timestamp("2019-01-01"),
                               spans=[(pd.Timestamp("2019-09-17"), pd.Timestamp("2019-09-17"))],
                               as_of=pd.Timestamp("2019-09-17"),
                               hlines=[ff.HLine(10.0, "light 2: 10 bp")], zero_line=True)
    episodes = [s for s in shapes if s.get("fillcolor") == "#bf8700"]
    # Repo spike, dash for cash, UK LDI, 10y at 5%, tariff sell-off: those ending after 2019.
    assert [s["name"] for s in episodes] == ["Repo spike", "Dash for cash", "UK LDI", "10y at 5%",
                                             "Tariff sell-off"]
    warn = [s for s in shapes if s.get("name") == "liquidity warning"]
    assert [(s["x0"], s["x1"]) for s in warn] == [("2019-09-17", "2019-09-18")]
    labels = [s["label"]["text"] for s in shapes if "label" in s and s.get("type") != "rect"]
    assert labels == ["light 2: 10 bp", "as of 2019-09-17"]
    # A chart without data keeps only its "missing" message: no lines on an empty plot.
    assert ff.overlay_shapes(first=None, as_of=pd.Timestamp("2019-09-17"),
                             hlines=[ff.HLine(10.0, "x")]) == []


def test_history_figures_are_downsampled_and_small(ctx):
    m = ctx.measures()
    for fig in (ff.spreads_figure(m.funding), ff.dispersion_figure(m.funding),
                ff.stress_facilities_figure(m.facilities), ff.balance_sheet_figure(m.facilities)):
        lines = [t for t in fig["data"] if t.get("legendgroup") != "calendar"]
        assert 1 <= len(lines) <= 2
        # min-max downsampling keeps both ends as well: at most 2 points over the budget
        assert all(len(t["x"]) <= DEFAULT_MAX_POINTS + 2 for t in lines)
        assert len(_json(fig)) < 120_000


def test_a_missing_series_gives_an_empty_chart_saying_how_to_get_it():
    empty = pd.DataFrame(index=pd.DatetimeIndex([], name="date"))
    fig = ff.dispersion_figure(empty)
    assert fig["data"] == []
    assert "SOFR1, SOFR99" in fig["layout"]["annotations"][0]["text"]
    fig = ff.stress_facilities_figure(empty)
    assert "RPONTSYD" in fig["layout"]["annotations"][0]["text"]


# --- the callback as a function (DEMO data) ----------------------------------------------------


def test_layout_shows_three_lights_the_warning_and_five_charts(ctx):
    page = _json(funding.layout(ctx))
    for name in LIGHT_NAMES:
        assert f"funding-light-{name}" in page
    assert "funding-warning" in page
    for chart in (*funding.CHART_IDS, "funding-lights-history"):
        assert f'"id": "{chart}"' in page


def test_callback_with_a_negative_threshold_keeps_charts_and_shows_the_message(ctx):
    out = funding.update(ctx, None, _values(sofr_effr_bp=-5), IDS)
    lights, readings, error, styles, *charts, history = out
    assert (lights, readings, history) == (no_update, no_update, no_update)
    assert charts == [no_update] * len(funding.CHART_IDS)
    assert "sofr_effr_bp must be a finite number >= 0, got -5.0" in _json(error)
    bad = [i["name"] for i, s in zip(IDS, styles, strict=True) if "border" in s]
    assert bad == ["sofr_effr_bp"]


def test_callback_with_an_emptied_box_does_not_raise(ctx):
    out = funding.update(ctx, "2020-03-17", _values(change_window_obs=None), IDS)
    assert "change_window_obs is empty" in _json(out[2])


def test_callback_sends_only_the_shapes_as_a_small_patch(ctx):
    out = funding.update(ctx, "2020-03-17", _values(sofr_effr_bp=35), IDS)
    lights, _readings, error, _styles, *charts, history = out
    assert error is None
    assert all(isinstance(p, Patch) for p in charts)
    spreads_ops = charts[0].to_plotly_json()["operations"]
    assert [op["location"] for op in spreads_ops] == [["layout", "shapes"]]
    labels = [s["label"]["text"] for s in spreads_ops[0]["params"]["value"] if "label" in s]
    assert "light 2: 35 bp" in labels and "as of 2020-03-17" in labels
    assert sum(len(_json(p)) for p in charts) < 20_000
    assert "SOFR - EFFR: " in _json(lights) and "(on if > 35 bp)" in _json(lights)
    assert len(history["data"]) in (1, 2)  # lights-on line (+ warning markers)


def test_reset_gives_the_dataclass_defaults_in_box_order():
    assert funding.reset_values(IDS) == DEFAULT_VALUES


# --- September 2019 repo spike, real data ------------------------------------------------------


def test_all_three_lights_and_the_warning_are_on_on_2019_09_17(real_view):
    view, _spreads, _facilities = real_view
    snap = view.snapshot
    assert snap["warning"] is True
    lights = {light["name"]: light for light in snap["lights"]}
    assert [lights[n]["state"] for n in LIGHT_NAMES] == ["on", "on", "on"]
    # SOFR 5.25 %, EFFR 2.30 %: SOFR - EFFR = 295 bp, the deciding reading of light 2.
    assert lights["sofr_effr_widening"]["reading"] == pytest.approx(295.0)
    # SOFR five observations earlier (2019-09-10) was 2.14 % and IOER unchanged at 2.10 %:
    # a 311 bp rise net of the floor.
    assert lights["sofr_up"]["reading"] == pytest.approx(311.0)
    # Overnight repo operation of 2019-09-17, Treasury leg: USD 40.85 bn.
    assert lights["fed_facilities"]["reading"] == pytest.approx(40.85)
    text = _json(funding.lights_panel(snap))
    assert "LIQUIDITY WARNING ON" in text
    assert "295.0 bp" in text and "40.85 USD bn" in text and "2019-09-17" in text


def test_the_warning_was_off_the_week_before_the_spike(real_view):
    view, _spreads, _facilities = real_view
    warning = view.history["warning"]
    assert warning.loc["2019-09-17"] == 1.0
    # No repo operation since 2009 apart from tests: the facility light was off on 2019-09-13.
    assert warning.loc["2019-09-13"] == 0.0
    spans = ff.warning_spans(warning)
    assert any(s <= pd.Timestamp("2019-09-17") <= e for s, e in spans)


def test_raising_the_spread_thresholds_turns_light_2_and_the_warning_off(real_series):
    from analytics.funding import fed_facilities, funding_spreads

    th = LiquidityThresholds(sofr_effr_bp=300.0, sofr_effr_change_bp=300.0)
    view = funding.compute_view(real_series, funding_spreads(real_series),
                                fed_facilities(real_series),
                                funding.FundingInputs(pd.Timestamp("2019-09-17"), th))
    # 295 bp is below 300; the 5-observation change (295 - 1 on 2019-09-10 = 294 bp) too.
    states = {light["name"]: light["state"] for light in view.snapshot["lights"]}
    assert states["sofr_effr_widening"] == "off"
    assert view.snapshot["warning"] is False
    assert "No liquidity warning: 2 of 3 lights on" in _json(
        funding.warning_box(False, view.snapshot["lights"], "2019-09-17"))


def test_the_dispersion_spike_survives_downsampling(real_view):
    _view, spreads, _facilities = real_view
    fig = ff.dispersion_figure(spreads)
    # 2019-09-17: 99th percentile 9.00 %, 1st percentile 2.25 %: 675 bp, the record.
    assert max(fig["data"][0]["y"]) == pytest.approx(675.0)
    assert "2019-09-17" in fig["data"][0]["x"]


def test_the_real_spread_shapes_mark_the_threshold_and_date(real_view):
    view, _spreads, _facilities = real_view
    shapes = view.shapes["funding-spreads"]
    labels = [s["label"]["text"] for s in shapes if "label" in s and s.get("type") != "rect"]
    assert labels == ["light 2: 10 bp", "light 1: 10 bp", "as of 2019-09-17"]
    assert any(s.get("name") == "liquidity warning" and s["x0"] <= "2019-09-17" < s["x1"]
               for s in shapes)


def test_a_light_without_data_is_never_green_and_the_summary_counts_what_was_evaluated():
    from components.figures_funding import light_colour
    from components.theme import GOOD

    lights = [{"state": "off"}, {"state": "unknown"}, {"state": "unknown"}]
    box = funding.warning_box(False, lights, "2026-06-24")
    text = _json(box)
    assert "only 1 of 3 lights could be evaluated" in text
    assert GOOD not in text  # no green border or background
    assert light_colour("unknown") != GOOD
    assert "cannot evaluate" in funding._STATE_TEXT["unknown"]


def test_clipping_spikes_sets_y_ranges_that_leave_out_the_repo_spike(real_view, tmp_path):
    from components import figures

    _view, spreads, _facilities = real_view
    iorb = spreads["sofr_iorb_bp"].dropna()
    span = figures.robust_range([spreads[c] for c in ff.SPREAD_COLUMNS])
    assert span is not None
    assert iorb.max() > span[1]  # the spike is above the clipped range...
    assert (iorb <= span[1]).mean() > 0.99  # ...and almost every other day is inside it
    off = funding.clip_patches(AppContext(tmp_path / "absent.sqlite"), False)
    assert all(p.to_plotly_json()["operations"][0]["params"]["value"] is True for p in off)


# --- calendar marks and calendar-adjusted thresholds (issue 9) ---------------------------------


def test_calendar_days_are_the_last_business_days_by_hand():
    quarter, month = ff.calendar_days(pd.Timestamp("2019-01-01"), pd.Timestamp("2021-06-30"))
    # Last weekday of each quarter's final month that is not a federal holiday.
    assert [d.strftime("%Y-%m-%d") for d in quarter] == [
        "2019-03-29", "2019-06-28", "2019-09-30", "2019-12-31", "2020-03-31", "2020-06-30",
        "2020-09-30", "2020-12-31", "2021-03-31", "2021-06-30"]
    shown = {d.strftime("%Y-%m-%d") for d in month}
    assert len(month) == 30 - 10
    assert "2020-05-29" in shown  # 2020-05-31 is a Sunday
    assert "2021-05-28" in shown and "2021-05-31" not in shown  # Memorial Day, Monday 31st
    assert "2019-11-29" in shown  # Friday after Thanksgiving is a business day


def test_history_charts_mark_quarter_ends_apart_from_the_episode_bands(ctx):
    fig = ff.spreads_figure(ctx.measures().funding, shapes=ff.overlay_shapes(
        first=pd.Timestamp("2018-04-03"), as_of=pd.Timestamp("2020-03-18")))
    marks = {t["name"]: t for t in fig["data"] if t.get("legendgroup") == "calendar"}
    assert set(marks) == {"quarter-ends", "month-ends"}
    quarter = marks["quarter-ends"]
    assert quarter["yaxis"] == "y2" and fig["layout"]["yaxis2"]["overlaying"] == "y"
    days = quarter["x"][0::3]
    assert "2019-09-30" in days and "2020-03-31" in days and "2019-10-31" not in days
    assert quarter["y"][:3] == [0.0, 1.0, None]  # one full-height line per quarter-end
    assert max(y for y in marks["month-ends"]["y"] if y is not None) < 0.1  # ticks at the foot
    band_colours = {str(s.get("fillcolor")) for s in fig["layout"]["shapes"] if s["type"] == "rect"}
    assert band_colours and ff.CALENDAR_COLOUR not in band_colours
    # Only the shapes move with the controls: the marks are not among them.
    assert all(s.get("x0") != "2019-09-30" for s in fig["layout"]["shapes"])


def test_calendar_adjusted_threshold_of_2024_12_31_matches_the_past_quarter_ends(real_series):
    from analytics.funding import fed_facilities, funding_spreads

    gap = ((real_series["SOFR"] - real_series["EFFR"]) * 100.0).round(6)
    # Quarter-ends in the 3 years before 2024-12-31 (2021-12-31 included) with a SOFR print;
    # 2024-03-29 (Good Friday) is a business day of the federal calendar but has no SOFR.
    past = ["2021-12-31", "2022-03-31", "2022-06-30", "2022-09-30", "2022-12-30", "2023-03-31",
            "2023-06-30", "2023-09-29", "2023-12-29", "2024-06-28", "2024-09-30"]
    assert np.isnan(real_series["SOFR"].get(pd.Timestamp("2024-03-29"), np.nan))
    expected = max(10.0, float(gap.loc[past].max()))
    assert expected == 13.0  # 2024-09-30: SOFR 4.96, EFFR 4.83
    inputs = funding.FundingInputs.from_controls("2024-12-31", dict(zip(
        [i["name"] for i in IDS], DEFAULT_VALUES, strict=True)), default_as_of=None,
        calendar=[funding.CALENDAR_ON])
    view = funding.compute_view(real_series, funding_spreads(real_series),
                                fed_facilities(real_series), inputs)
    crit = {c["name"]: c for light in view.snapshot["lights"] for c in light["criteria"]}
    assert crit["sofr_effr_bp"]["threshold"] == pytest.approx(expected)
    assert crit["sofr_effr_bp"]["reading"] == pytest.approx(float(gap.loc["2024-12-31"]))
    assert view.snapshot["calendar_point"] == "quarter_end"
    text = _json(funding.lights_panel(view.snapshot))
    assert "calendar-adjusted from 10 bp" in text and "is a quarter-end" in text
    # The history is adjusted too: fewer SOFR-EFFR days on since 2024 than with the plain 10 bp.
    plain = funding.compute_view(real_series, funding_spreads(real_series),
                                 fed_facilities(real_series),
                                 dataclasses.replace(inputs, calendar=None))
    assert "calendar adjustment" not in _json(funding.lights_panel(plain.snapshot))
    on_adj = view.history.loc["2024":, "sofr_effr_widening"].sum()
    on_plain = plain.history.loc["2024":, "sofr_effr_widening"].sum()
    assert on_adj < on_plain


def test_calendar_toggle_is_bound_to_the_url_and_read_by_the_callback(ctx):
    bound = {b.key: b for b in funding.URL_STATE}["calendar"]
    assert bound.component_id == "funding-calendar" and bound.default == []
    assert bound.read("1") == [funding.CALENDAR_ON] and bound.write([funding.CALENDAR_ON]) == "1"
    with pytest.raises(ValueError):
        bound.read("maybe")
    page = _json(funding.layout(ctx, {"calendar": "1"}))
    assert "Calendar-adjusted thresholds:" in page
    assert "Plain thresholds" in _json(funding.layout(ctx, {}))
    out = funding.update(ctx, "2020-03-31", DEFAULT_VALUES, IDS, [funding.CALENDAR_ON])
    assert "Calendar-adjusted thresholds: 2020-03-31 is a quarter-end" in _json(out[0])
    assert funding.read_calendar([]) is None and funding.read_calendar(None) is None
