"""Positioning page: the editable DV01 table, figure builders and the callback as a plain
function, checked against hand calculations on the real CFTC reports of April 2025."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import plotly.utils
import pytest
from dash import no_update

from analytics.tenors import TRADER_GROUPS, TREASURY_FUTURES
from components.context import AppContext
from components.pages import positioning as pos
from data.model import Batch
from data.store import Store

CODES = [c.code for c in TREASURY_FUTURES]  # 2y, 5y, 10y, Ultra 10y, Bond, Ultra bond


def _json(obj: object) -> str:
    if hasattr(obj, "to_plotly_json"):
        obj = obj.to_plotly_json()  # type: ignore[union-attr]
    return json.dumps(obj, cls=plotly.utils.PlotlyJSONEncoder)


def _rows(**dv01_by_key: object) -> list[dict]:
    rows = pos.dv01_rows()
    for row in rows:
        if row["key"] in dv01_by_key:
            row[pos.DV01_COLUMN] = dv01_by_key[row["key"]]
    return rows


@pytest.fixture(scope="module")
def ctx(tmp_path_factory):
    return AppContext(tmp_path_factory.mktemp("positioning") / "absent.sqlite")  # the DEMO set


@pytest.fixture(scope="module")
def wide_cftc(shared_data) -> pd.DataFrame:
    return pd.read_csv(shared_data / "cftc" / "tff_treasury_futures.csv",
                       dtype={"cftc_code": str}, parse_dates=["report_date"])


@pytest.fixture(scope="module")
def real_cftc(wide_cftc) -> pd.DataFrame:
    """The CSV (one row per report and contract) in the store's long form."""
    parts = []
    for group in TRADER_GROUPS:
        spread = wide_cftc[f"{group}_spread"] if group != "nonrept" else np.nan
        parts.append(pd.DataFrame({
            "report_date": wide_cftc["report_date"], "contract_code": wide_cftc["cftc_code"],
            "trader_group": group, "long": wide_cftc[f"{group}_long"].astype(float),
            "short": wide_cftc[f"{group}_short"].astype(float), "spreading": spread,
            "open_interest": wide_cftc["open_interest"].astype(float)}))
    return pd.concat(parts, ignore_index=True)


def _view(cftc: pd.DataFrame, as_of: str, **dv01_by_key: object) -> pos.PositioningView:
    inputs = pos.PositioningInputs.from_controls(as_of, _rows(**dv01_by_key), default_as_of=None)
    return pos.compute_view(cftc, inputs)


# --- the DV01 table ----------------------------------------------------------------------------


def test_dv01_table_starts_from_the_documented_defaults_and_says_so():
    rows = pos.dv01_rows()
    assert [(r["code"], r[pos.DV01_COLUMN]) for r in rows] == [
        (c.code, c.dv01_usd) for c in TREASURY_FUTURES]
    table = pos.dv01_table(rows)
    editable = [c for c in table.columns if c.get("editable")]
    assert [c["name"] for c in editable] == ["DV01 USD/bp"]
    assert pos.DV01_NOTE == ("DV01 per contract ~ CTD DV01 / conversion factor; defaults are "
                             "approximate, edit to your own")


def test_edited_dv01s_are_read_by_cftc_code_numbers_or_numeric_text():
    dv01 = pos.parse_dv01(_rows(UST_2Y=76, UST_BOND="120.5"))
    assert dv01["042601"] == 76.0 and dv01["020601"] == 120.5
    assert dv01["043602"] == 65.0  # untouched rows keep the default


@pytest.mark.parametrize("value, message", [
    (-5, "dv01['UST_10Y'] must be a finite number > 0 (USD per bp), got -5.0"),
    (0, "must be a finite number > 0"),
    (float("nan"), "must be a finite number > 0"),
    ("abc", "DV01 must be a number (USD per bp), got 'abc'"),
    (None, "DV01 is empty"),
    ("  ", "DV01 is empty"),
    (1e6, "must be at most 5,000 USD per bp"),
])
def test_a_bad_dv01_is_refused_with_a_message_naming_the_contract(value, message):
    with pytest.raises(ValueError) as info:
        pos.parse_dv01(_rows(UST_10Y=value))
    assert message in str(info.value)
    assert str(info.value).startswith("10-Year T-Note (TY): ")


def test_every_bad_row_is_named_and_marked_red():
    rows = _rows(UST_2Y="x", ULTRA_BOND=-1)
    errors = pos.dv01_errors(rows)
    assert sorted(errors) == [0, 5]
    styles = pos.dv01_cell_styles(errors)
    assert [s["if"].get("row_index") for s in styles] == [None, 0, 5]


def test_callback_with_a_negative_dv01_keeps_the_charts_and_shows_the_message(ctx):
    out = pos.update(ctx, None, _rows(UST_5Y=-45))
    assert out[:4] == (no_update,) * 4
    assert "5-Year T-Note (FV): dv01['UST_5Y'] must be a finite number > 0" in _json(out[4])
    assert out[5][-1]["if"] == {"row_index": 1, "column_id": pos.DV01_COLUMN}


def test_callback_with_an_emptied_table_falls_back_to_defaults(ctx):
    numbers, contracts, aggregate, zscores, error, _styles = pos.update(ctx, None, [])
    assert error is None
    assert len(contracts["data"]) == 2 and all(len(t["y"]) == 6 for t in contracts["data"])


def test_callback_on_demo_data_gives_small_figures(ctx):
    numbers, contracts, aggregate, zscores, error, _ = pos.update(ctx, "2020-03-20", _rows())
    assert error is None
    assert "positioning-lev-net" in _json(numbers)
    assert len(aggregate["data"]) == 2  # leveraged funds and asset managers
    assert len(zscores["data"]) == 2  # z of the level and of the weekly change
    for fig in (contracts, aggregate, zscores):
        assert len(_json(fig)) < 120_000


# --- real CFTC reports -------------------------------------------------------------------------


def test_contract_bars_match_hand_calculations_on_2025_04_08(real_cftc):
    view = _view(real_cftc, "2025-04-11")  # the Friday release of the Tuesday report (issue 9)
    assert view.snapshot["report_date"] == "2025-04-08"
    fig = pos.contracts_figure(view)
    eq_k, notional_bn = fig["data"][0]["y"], fig["data"][1]["y"]
    # 10y (043602): leveraged long 214,158, short 2,087,845 -> net -1,873,687 contracts;
    # 10y-eq = net (DV01 65 / 65); notional = net x 100,000 USD.
    assert eq_k[2] == pytest.approx(-1_873.687)
    assert notional_bn[2] == pytest.approx(-187.3687)
    # 2y (042601): long 496,978, short 2,163,365 -> net -1,666,387; DV01 38 / 65; face 200,000.
    assert eq_k[0] == pytest.approx(-1_666_387 * 38 / 65 / 1_000, abs=1e-3)
    assert notional_bn[0] == pytest.approx(-333.2774)
    assert fig["layout"]["title"]["text"].endswith("report of 2025-04-08")


def test_aggregate_net_is_the_dv01_weighted_sum_of_the_csv(real_cftc, wide_cftc):
    view = _view(real_cftc, "2025-04-11")  # released on Friday 2025-04-11 (issue 9)
    week = wide_cftc[wide_cftc["report_date"] == "2025-04-08"]
    dv01 = {c.code: c.dv01_usd for c in TREASURY_FUTURES}
    expected = sum((r.lev_money_long - r.lev_money_short) * dv01[r.cftc_code] / 65.0
                   for r in week.itertuples())
    assert view.snapshot["lev_funds_net_10y_eq_contracts"] == pytest.approx(expected)


def test_doubling_the_2y_dv01_doubles_only_the_2y_bar(real_cftc):
    base = pos.contracts_figure(_view(real_cftc, "2025-04-08"))["data"]
    edited = pos.contracts_figure(_view(real_cftc, "2025-04-08", UST_2Y=76))["data"]
    assert edited[0]["y"][0] == pytest.approx(2 * base[0]["y"][0], abs=2e-4)
    assert edited[0]["y"][1:] == base[0]["y"][1:]
    assert edited[1]["y"] == base[1]["y"]  # notional does not depend on DV01


def test_edited_dv01s_serve_other_dates_from_their_kept_tables_with_unchanged_numbers(real_cftc):
    """After an edit, other dates read the tables kept for those DV01s: each snapshot equals
    the from-scratch one (no table, no history) with the same DV01s."""
    from analytics.positioning import positioning_snapshot

    dv01 = {"UST_2Y": 40.0, "UST_10Y": 70.0}
    views = [_view(real_cftc, day, **dv01) for day in ("2025-04-08", "2020-03-17", "2012-06-05")]
    assert views[0].table is views[1].table is views[2].table  # built once for these DV01s
    resolved = dict(pos.PositioningInputs.from_controls("2025-04-08", _rows(**dv01),
                                                        default_as_of=None).dv01_usd)
    for view, day in zip(views, ("2025-04-08", "2020-03-17", "2012-06-05"), strict=True):
        alone = positioning_snapshot(real_cftc, as_of=pd.Timestamp(day), dv01=resolved)
        assert json.dumps(view.snapshot, default=str, sort_keys=True) == \
            json.dumps(alone, default=str, sort_keys=True), day


def test_doubling_the_10y_dv01_halves_every_other_10y_equivalent(real_cftc):
    base = pos.contracts_figure(_view(real_cftc, "2025-04-08"))["data"][0]["y"]
    edited = pos.contracts_figure(_view(real_cftc, "2025-04-08", UST_10Y=130))["data"][0]["y"]
    for i, (b, e) in enumerate(zip(base, edited, strict=True)):
        # bars carry 4 decimals (0.1 contract in thousands): compare to that precision
        assert e == pytest.approx(b if i == 2 else b / 2, abs=2e-4)


def test_history_lines_break_across_missing_weeks(real_cftc, wide_cftc):
    view = _view(real_cftc, "2025-04-08")
    fig = pos.aggregate_figure(view)
    dates = pd.DatetimeIndex(sorted(wide_cftc["report_date"].unique()))
    gaps = int((np.diff(dates.to_numpy()) > np.timedelta64(10, "D")).sum())
    assert gaps >= 5  # 2016, 2020-12, 2023-10..12, 2024-08..12, 2025-05..12 (PROVENANCE.md)
    lev = fig["data"][0]
    assert lev["name"] == "Leveraged funds"
    assert lev["x"].count(None) == gaps
    assert len(lev["x"]) == len(dates) + gaps
    assert "2016-06-07" not in lev["x"]


def test_an_as_of_inside_a_gap_shows_the_last_report_and_says_it_is_stale(real_cftc):
    view = _view(real_cftc, "2016-06-01")
    assert view.snapshot["report_date"] == "2015-12-29"
    assert view.snapshot["stale"] is True
    assert "(STALE)" in _json(pos.key_numbers(view, pd.DataFrame()))


def test_ten_year_yield_change_over_the_report_week(real_yields):
    # DGS10: 4.17 % on 2025-04-01, 4.26 % on 2025-04-08.
    assert pos.yield_change_bp(real_yields, pd.Timestamp("2025-04-08")) == pytest.approx(9.0)
    assert pos.yield_change_bp(real_yields, pd.Timestamp("1950-01-03")) is None


def test_zscore_chart_has_level_and_change_with_the_two_sigma_band(real_cftc):
    fig = pos.zscore_figure(_view(real_cftc, "2025-04-08"))
    assert [t["name"] for t in fig["data"]] == ["weekly change", "net level"]
    band = sorted(s["y0"] for s in fig["layout"]["shapes"] if s.get("xref") == "paper")
    assert band == [-2.0, 2.0]


# --- no CFTC data ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def ctx_without_cftc(tmp_path_factory):
    path = tmp_path_factory.mktemp("nocftc") / "store.sqlite"
    dates = pd.bdate_range("2024-01-02", periods=30)
    frame = pd.concat([pd.DataFrame({"series_id": sid, "date": dates, "value": v})
                       for sid, v in (("DGS2", 4.3), ("DGS5", 4.0), ("DGS10", 3.9))])
    with Store.open(path) as store:
        store.write([Batch("fred", "imported", frame)])
    return AppContext(path)


def test_without_cftc_data_the_page_says_how_to_get_it(ctx_without_cftc):
    page = _json(pos.layout(ctx_without_cftc))
    assert pos.NO_CFTC_MESSAGE in page
    assert "positioning-dv01-table" in page  # the DV01s can still be set
    numbers, contracts, aggregate, zscores, error, _ = pos.update(ctx_without_cftc, None,
                                                                  _rows(UST_2Y=40))
    assert error is None
    assert pos.NO_CFTC_MESSAGE in _json(numbers)
    for fig in (contracts, aggregate, zscores):
        assert fig["data"] == []
        assert fig["layout"]["annotations"][0]["text"] == pos.NO_CFTC_MESSAGE


def test_weekly_lines_break_across_a_missing_stretch_but_not_across_a_missing_value():
    import numpy as np
    import pandas as pd

    days = pd.to_datetime(["2020-01-03", "2020-01-10", "2020-01-17", "2020-03-06", "2020-03-13"])
    for unit in ("ns", "s"):  # the store's frames come in either resolution
        values = pd.Series([1500.0, 2500.0, np.nan, -4000.0, 1234.5678], index=days.as_unit(unit))
        xs, ys = pos._weekly_xy(values, scale=1000.0)
        # The NaN week is dropped (Jan 10 -> Mar 6 is then one 56-day step: a break); weeks
        # 7 days apart join.
        assert xs == ["2020-01-03", "2020-01-10", None, "2020-03-06", "2020-03-13"]
        assert ys == [1.5, 2.5, None, -4.0, 1.2346]
    assert pos._weekly_xy(values.iloc[:0]) == ([], [])
