"""Tests of analytics.positioning: units, gaps, z-scores, aggregates and the snapshot."""

from __future__ import annotations

import csv
import statistics
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from analytics.positioning import (
    MAX_WEEKLY_GAP_DAYS,
    aggregate_net,
    asset_managers_net,
    default_dv01_usd,
    leveraged_funds_net,
    positioning_snapshot,
    positions_table,
    resolve_dv01_usd,
)
from analytics.tenors import TRADER_GROUPS

CODE_2Y, CODE_10Y, CODE_BOND = "042601", "043602", "020601"


def _row(
    date: str, code: str, group: str, long: float, short: float, oi: float = 1_000_000.0
) -> dict[str, object]:
    return {
        "report_date": pd.Timestamp(date),
        "contract_code": code,
        "trader_group": group,
        "long": long,
        "short": short,
        "spreading": 0.0,
        "open_interest": oi,
    }


def _long_from_wide(path: Path) -> pd.DataFrame:
    """The shared wide TFF file reshaped to the store's long form (one row per group)."""
    wide = pd.read_csv(path, parse_dates=["report_date"], dtype={"cftc_code": str})
    parts = []
    for group in TRADER_GROUPS:
        spreading = wide[f"{group}_spread"] if f"{group}_spread" in wide.columns else np.nan
        parts.append(
            pd.DataFrame(
                {
                    "report_date": wide["report_date"],
                    "contract_code": wide["cftc_code"],
                    "trader_group": group,
                    "long": wide[f"{group}_long"],
                    "short": wide[f"{group}_short"],
                    "spreading": spreading,
                    "open_interest": wide["open_interest"],
                }
            )
        )
    return pd.concat(parts, ignore_index=True)


@pytest.fixture(scope="module")
def tff_path(shared_data: Path) -> Path:
    return shared_data / "cftc" / "tff_treasury_futures.csv"


@pytest.fixture(scope="module")
def real_cftc(tff_path: Path) -> pd.DataFrame:
    return _long_from_wide(tff_path)


@pytest.fixture(scope="module")
def real_table(real_cftc: pd.DataFrame) -> pd.DataFrame:
    return positions_table(real_cftc)


def _raw_rows(path: Path, date: str) -> dict[str, dict[str, str]]:
    """Rows of the raw CSV for one report date, read with the csv module, by contract key."""
    with path.open(newline="") as fh:
        return {r["contract"]: r for r in csv.DictReader(fh) if r["report_date"] == date}


# --- units on a tiny frame -------------------------------------------------------------------


def test_net_percent_of_oi_notional_dv01_and_10y_equivalents_are_hand_calculated() -> None:
    cftc = pd.DataFrame(
        [
            _row("2025-04-29", CODE_2Y, "lev_money", 100.0, 1_100.0, oi=10_000.0),
            _row("2025-04-29", CODE_10Y, "lev_money", 500.0, 300.0, oi=4_000.0),
        ]
    )
    table = positions_table(cftc).set_index("contract_code")
    two, ten = table.loc[CODE_2Y], table.loc[CODE_10Y]
    assert two["contract_key"] == "UST_2Y"
    assert two["net_contracts"] == -1_000.0
    assert two["net_pct_oi"] == pytest.approx(-10.0)  # -1,000 / 10,000
    assert two["net_notional_bn"] == pytest.approx(-1_000 * 200_000 / 1e9)  # 2y face $200k
    assert two["net_dv01_mn"] == pytest.approx(-1_000 * 38.0 / 1e6)  # default 2y DV01 $38
    assert two["net_10y_eq_contracts"] == pytest.approx(-1_000 * 38.0 / 65.0)
    assert ten["net_notional_bn"] == pytest.approx(200 * 100_000 / 1e9)
    assert ten["net_10y_eq_contracts"] == pytest.approx(200.0)  # the 10y is its own unit


def test_dv01_overrides_by_code_or_key_change_the_10y_equivalents() -> None:
    cftc = pd.DataFrame([_row("2025-04-29", CODE_BOND, "lev_money", 0.0, 1_000.0)])
    table = positions_table(cftc, dv01={"UST_BOND": 150.0, CODE_10Y: 75.0})
    assert table["net_10y_eq_contracts"].iloc[0] == pytest.approx(-1_000 * 150.0 / 75.0)
    assert table["net_dv01_mn"].iloc[0] == pytest.approx(-0.15)


def test_default_dv01_table_covers_the_six_contracts() -> None:
    table = default_dv01_usd()
    assert set(table) == {"042601", "044601", "043602", "043607", "020601", "020604"}
    assert resolve_dv01_usd(None) == table


@pytest.mark.parametrize(
    ("dv01", "match"),
    [
        ({"UST_3Y": 40.0}, "unknown contract"),
        ({"UST_10Y": 0.0}, "> 0"),
        ({"043602": float("inf")}, "finite"),
    ],
)
def test_bad_dv01_overrides_are_rejected(dv01: dict[str, float], match: str) -> None:
    with pytest.raises(ValueError, match=match):
        resolve_dv01_usd(dv01)


def test_bad_input_frames_are_rejected_with_readable_messages() -> None:
    good = pd.DataFrame([_row("2025-04-29", CODE_10Y, "lev_money", 1.0, 2.0)])
    with pytest.raises(ValueError, match="missing columns"):
        positions_table(good.drop(columns="open_interest"))
    with pytest.raises(ValueError, match="trader_group"):
        positions_table(good.assign(trader_group="hedge_funds"))
    with pytest.raises(ValueError, match="duplicate"):
        positions_table(pd.concat([good, good]))
    with pytest.raises(ValueError, match="window"):
        positions_table(good, window=1)
    with pytest.raises(ValueError, match="trader_group"):
        aggregate_net(positions_table(good), trader_group="banks")


# --- weekly changes across gaps --------------------------------------------------------------


def test_weekly_change_is_nan_across_a_missing_week_but_not_across_a_holiday_shift() -> None:
    dates = ["2018-12-18", "2018-12-24", "2018-12-31", "2019-01-08", "2019-01-22"]
    nets = [-10.0, -20.0, -25.0, -45.0, -50.0]
    cftc = pd.DataFrame(
        [_row(d, CODE_10Y, "lev_money", 0.0, -n) for d, n in zip(dates, nets, strict=True)]
    )
    table = positions_table(cftc)
    change = table["weekly_change_contracts"].tolist()
    assert np.isnan(change[0])
    # 6-, 7- and 8-day gaps (holiday shifts) are one week; 14 days is a missing report.
    assert change[1:4] == [-10.0, -5.0, -20.0]
    assert np.isnan(change[4])
    assert MAX_WEEKLY_GAP_DAYS < 14


def test_aggregate_weekly_change_is_nan_when_the_set_of_contracts_changes() -> None:
    rows = [
        _row("2016-01-05", CODE_10Y, "lev_money", 0.0, 100.0),
        _row("2016-01-12", CODE_10Y, "lev_money", 0.0, 110.0),
        _row("2016-01-12", CODE_BOND, "lev_money", 0.0, 50.0),
        _row("2016-01-19", CODE_10Y, "lev_money", 0.0, 120.0),
        _row("2016-01-19", CODE_BOND, "lev_money", 0.0, 50.0),
    ]
    agg = leveraged_funds_net(positions_table(pd.DataFrame(rows)))
    assert agg["n_contracts"].tolist() == [1, 2, 2]
    assert np.isnan(agg["weekly_change_10y_eq_contracts"].iloc[1])
    assert agg["weekly_change_10y_eq_contracts"].iloc[2] == pytest.approx(-10.0)
    # Bond: -50 contracts x 130 / 65 = -100 10y-eq; plus -120 10y contracts.
    assert agg["net_10y_eq_contracts"].iloc[2] == pytest.approx(-220.0)
    assert agg["net_notional_bn"].iloc[2] == pytest.approx(-170 * 100_000 / 1e9)


def test_zscore_uses_the_trailing_calendar_window_and_min_periods() -> None:
    dates = pd.date_range("2024-01-02", periods=8, freq="7D")
    nets = [5.0, 3.0, 8.0, 1.0, 9.0, 4.0, 7.0, 2.0]
    cftc = pd.DataFrame(
        [
            _row(str(d.date()), CODE_10Y, "asset_mgr", n, 0.0)
            for d, n in zip(dates, nets, strict=True)
        ]
    )
    table = positions_table(cftc, window=4, min_periods=3)
    z = table["zscore_net"].tolist()
    assert np.isnan(z[0]) and np.isnan(z[1])  # fewer than 3 reports
    for i in range(2, 8):
        sample = nets[max(0, i - 3) : i + 1]  # 4 weeks = this report and the 3 before
        expected = (nets[i] - statistics.mean(sample)) / statistics.stdev(sample)
        assert z[i] == pytest.approx(expected, rel=1e-12)


def test_zscore_window_shrinks_across_a_gap_instead_of_reaching_back() -> None:
    dates = ["2024-01-02", "2024-01-09", "2024-01-16", "2024-06-04", "2024-06-11", "2024-06-18"]
    nets = [100.0, 200.0, 300.0, 1.0, 2.0, 4.0]
    cftc = pd.DataFrame(
        [_row(d, CODE_10Y, "asset_mgr", n, 0.0) for d, n in zip(dates, nets, strict=True)]
    )
    z = positions_table(cftc, window=4, min_periods=3)["zscore_net"].tolist()
    assert np.isnan(z[3]) and np.isnan(z[4])  # January is outside the 4-week window
    assert z[5] == pytest.approx(
        (4.0 - statistics.mean([1.0, 2.0, 4.0])) / statistics.stdev([1.0, 2.0, 4.0])
    )


# --- snapshot ----------------------------------------------------------------------------------


def test_snapshot_uses_the_latest_report_on_or_before_as_of_and_flags_staleness() -> None:
    rows = [
        _row("2025-04-22", CODE_10Y, "lev_money", 10.0, 30.0),
        _row("2025-04-29", CODE_10Y, "lev_money", 10.0, 40.0),
        _row("2025-04-29", CODE_10Y, "asset_mgr", 70.0, 10.0),
    ]
    cftc = pd.DataFrame(rows)
    snap = positioning_snapshot(cftc, as_of="2025-04-28")
    assert snap["report_date"] == "2025-04-22"
    assert snap["lev_funds_net_contracts"] == {"UST_10Y": -20}
    snap = positioning_snapshot(cftc, as_of="2025-05-02")
    assert snap["report_date"] == "2025-04-29" and snap["stale"] is False
    assert snap["weekly_change_10y_eq_contracts"] == pytest.approx(-10.0)
    assert snap["asset_mgr_net_10y_eq_contracts"] == pytest.approx(60.0)
    assert snap["zscore"] is None
    assert any("UST_2Y" in line for line in snap["missing"])  # five contracts absent
    late = positioning_snapshot(cftc, as_of="2025-06-30")
    assert late["stale"] is True and any("stale" in line for line in late["missing"])
    early = positioning_snapshot(cftc, as_of="2025-01-01")
    assert early["report_date"] is None and early["lev_funds_net_contracts"] == {}


# --- real history ------------------------------------------------------------------------------


def test_real_2025_04_29_net_positions_match_long_minus_short_of_the_raw_csv(
    tff_path: Path, real_table: pd.DataFrame
) -> None:
    raw = _raw_rows(tff_path, "2025-04-29")
    assert len(raw) == 6
    day = real_table[real_table["report_date"] == "2025-04-29"]
    for key, row in raw.items():
        for group in ("lev_money", "asset_mgr", "dealer"):
            expected = int(row[f"{group}_long"]) - int(row[f"{group}_short"])
            got = day[(day["contract_key"] == key) & (day["trader_group"] == group)][
                "net_contracts"
            ]
            assert got.tolist() == [expected], (key, group)
    ten = raw["UST_10Y"]
    assert int(ten["lev_money_long"]) == 237_175 and int(ten["lev_money_short"]) == 2_070_536


def test_real_snapshot_aggregates_match_a_hand_sum_over_the_raw_csv(
    tff_path: Path, real_cftc: pd.DataFrame
) -> None:
    raw = _raw_rows(tff_path, "2025-04-29")
    face = {"UST_2Y": 200_000.0}
    dv01 = {
        "UST_2Y": 38.0,
        "UST_5Y": 45.0,
        "UST_10Y": 65.0,
        "ULTRA_10Y": 90.0,
        "UST_BOND": 130.0,
        "ULTRA_BOND": 230.0,
    }
    nets = {k: int(r["lev_money_long"]) - int(r["lev_money_short"]) for k, r in raw.items()}
    snap = positioning_snapshot(real_cftc, as_of="2025-05-02")
    assert snap["report_date"] == "2025-04-29"
    assert snap["lev_funds_net_contracts"] == nets
    notional = sum(n * face.get(k, 100_000.0) for k, n in nets.items()) / 1e9
    assert snap["lev_funds_net_notional_bn"] == pytest.approx(notional, rel=1e-12)
    ten_eq = sum(n * dv01[k] for k, n in nets.items()) / 65.0
    assert snap["lev_funds_net_10y_eq_contracts"] == pytest.approx(ten_eq, rel=1e-12)
    prev = _raw_rows(tff_path, "2025-04-22")
    prev_eq = (
        sum(
            (int(r["lev_money_long"]) - int(r["lev_money_short"])) * dv01[k]
            for k, r in prev.items()
        )
        / 65.0
    )
    assert snap["weekly_change_10y_eq_contracts"] == pytest.approx(ten_eq - prev_eq, rel=1e-9)
    assert snap["zscore"] is not None


def test_real_basis_trade_leveraged_funds_short_and_asset_managers_long_in_2024_2025(
    real_table: pd.DataFrame,
) -> None:
    recent = real_table[
        (real_table["report_date"] >= "2024-01-01") & (real_table["report_date"] < "2026-01-01")
    ]
    notes = recent[recent["contract_key"].isin(["UST_2Y", "UST_5Y", "UST_10Y"])]
    lev = notes[notes["trader_group"] == "lev_money"]
    am = notes[notes["trader_group"] == "asset_mgr"]
    assert len(lev) > 100
    assert (lev["net_contracts"] < 0).all()
    assert (am["net_contracts"] > 0).all()
    agg_lev = leveraged_funds_net(real_table).loc["2024-01-01":"2025-12-31"]
    agg_am = asset_managers_net(real_table).loc["2024-01-01":"2025-12-31"]
    assert (agg_lev["net_notional_bn"] < -500).all()  # over half a trillion net short
    assert (agg_am["net_10y_eq_contracts"] > 0).all()


def test_real_weekly_change_is_nan_across_the_2024_2025_gap_and_set_across_8_day_holiday_shift(
    real_table: pd.DataFrame,
) -> None:
    lev = leveraged_funds_net(real_table)
    # 2024-07-23 -> 2025-01-07: five months missing.
    assert np.isnan(lev.loc["2025-01-07", "weekly_change_10y_eq_contracts"])
    # 2017-07-03 (Monday, holiday week) -> 2017-07-11: 8 days, consecutive reports.
    expected = (
        lev.loc["2017-07-11", "net_10y_eq_contracts"]
        - lev.loc["2017-07-03", "net_10y_eq_contracts"]
    )
    assert lev.loc["2017-07-11", "weekly_change_10y_eq_contracts"] == pytest.approx(expected)
    # From 2017 every report has all six contracts (the Ultra 10y started in January 2016).
    assert (lev.loc["2017-01-03":, "n_contracts"] == 6).all()


def test_real_zscores_match_pandas_time_based_rolling_as_an_independent_reference(
    real_table: pd.DataFrame,
) -> None:
    rows = real_table[
        (real_table["contract_key"] == "UST_10Y") & (real_table["trader_group"] == "lev_money")
    ]
    rows = rows.set_index("report_date")
    for column, zcol in (
        ("net_10y_eq_contracts", "zscore_net"),
        ("weekly_change_10y_eq_contracts", "zscore_weekly_change"),
    ):
        roll = rows[column].rolling("1092D", min_periods=52)  # 156 weeks of calendar time
        expected = (rows[column] - roll.mean()) / roll.std(ddof=1)
        got = rows[zcol]
        assert got.notna().sum() == expected.notna().sum() > 300
        np.testing.assert_allclose(got.to_numpy(), expected.to_numpy(), rtol=1e-9, atol=1e-9)


def test_flat_history_gives_no_zscore_and_non_numeric_positions_are_rejected() -> None:
    dates = pd.date_range("2024-01-02", periods=6, freq="7D")
    flat = pd.DataFrame([_row(str(d.date()), CODE_10Y, "dealer", 5.0, 0.0) for d in dates])
    assert positions_table(flat, window=4, min_periods=3)["zscore_net"].isna().all()
    bad = flat.assign(long="many")
    with pytest.raises(ValueError, match="cftc.long must be numeric"):
        positions_table(bad)


def test_snapshot_uses_only_reports_released_by_the_as_of_date(real_cftc: pd.DataFrame, tff_path: Path) -> None:
    # Issue 9 item 2: the report dated Tuesday 2025-04-08 was released on Friday 2025-04-11.
    # As of 2025-04-08 the latest public report is the one of 2025-04-01 (released 04-04).
    before = positioning_snapshot(real_cftc, as_of="2025-04-08")
    assert before["report_date"] == "2025-04-01" and before["release_date"] == "2025-04-04"
    # By hand from the raw CSV: leveraged funds' long - short in the 10y note on 2025-04-01.
    with tff_path.open(newline="") as fh:
        rows = [r for r in csv.DictReader(fh) if r["report_date"] == "2025-04-01" and r["cftc_code"] == "043602"]
    (row,) = rows
    lev_cols = [c for c in row if c.lower().startswith("lev_money")]
    long_col = next(c for c in lev_cols if "long" in c.lower())
    short_col = next(c for c in lev_cols if "short" in c.lower())
    assert before["lev_funds_net_contracts"]["UST_10Y"] == int(row[long_col]) - int(row[short_col])
    on_release = positioning_snapshot(real_cftc, as_of="2025-04-11")
    assert on_release["report_date"] == "2025-04-08" and on_release["release_date"] == "2025-04-11"


def test_release_dates_move_past_federal_holidays() -> None:
    from analytics.positioning import release_dates

    got = release_dates(pd.DatetimeIndex(["2025-04-08", "2024-11-26", "2024-12-24", "2024-12-31", "2025-07-01"]))
    # Friday as a rule; Thanksgiving, Christmas, New Year's Day and Independence Day push the
    # release to the next business day (the CFTC's published release schedule for those weeks).
    assert [d.strftime("%Y-%m-%d") for d in got] == [
        "2025-04-11", "2024-12-02", "2024-12-30", "2025-01-06", "2025-07-07"]


@pytest.mark.parametrize("edit", [
    {"UST_10Y": 80.0},  # the reference contract: every 10y-equivalent moves
    {"UST_BOND": 250.0, "UST_2Y": 30.0},  # two others: the reference stays
    {"UST_10Y": 55.0, "ULTRA_BOND": 400.0, "UST_5Y": 44.0},
], ids=["reference", "two-others", "reference-and-others"])
def test_rescaled_table_and_history_equal_the_ones_built_from_scratch_on_the_real_history(
        real_cftc: pd.DataFrame, real_table: pd.DataFrame, edit: dict[str, float]) -> None:
    from analytics.positioning import (
        asset_managers_net,
        positioning_history,
        rescaled_history,
        rescaled_positions_table,
        resolve_dv01_usd,
    )

    dv01 = resolve_dv01_usd(edit)  # by key, resolved to CFTC codes
    scratch = positions_table(real_cftc, dv01=dv01)
    fast = rescaled_positions_table(real_table, from_dv01=None, to_dv01=dv01)
    assert list(fast.columns) == list(scratch.columns)
    pd.testing.assert_frame_equal(fast, scratch, check_exact=False, rtol=1e-9, atol=1e-9)
    # The edit changed something: the test would catch a rescale that did nothing.
    assert not np.allclose(fast["net_10y_eq_contracts"], real_table["net_10y_eq_contracts"])

    base = positioning_history(real_cftc)
    lev, am = leveraged_funds_net(fast), asset_managers_net(fast)
    got = rescaled_history(base, dv01=dv01, lev_net=lev, am_net=am)
    want = positioning_history(real_cftc, dv01=dv01)
    assert got.dv01_usd == want.dv01_usd and got.fits(dv01, want.window, want.min_periods)
    np.testing.assert_array_equal(got.lev_release, want.lev_release)
    np.testing.assert_allclose(got.am_net, want.am_net, rtol=1e-9, atol=1e-9)
    for col, values in want.lev_rows.items():
        np.testing.assert_allclose(got.lev_rows[col], values, rtol=1e-9, atol=1e-9, err_msg=col)
    assert got.lev_by_key == want.lev_by_key
    day = "2025-04-29"
    _assert_close(positioning_snapshot(real_cftc, as_of=day, dv01=dv01, table=fast, history=got),
                  positioning_snapshot(real_cftc, as_of=day, dv01=dv01))


def _assert_close(got: object, want: object, where: str = "snapshot") -> None:
    """Equal, floats to 1e-12 relative (a rescale rounds in another order than a rebuild)."""
    if isinstance(want, dict):
        assert isinstance(got, dict) and got.keys() == want.keys(), where
        for key in want:
            _assert_close(got[key], want[key], f"{where}.{key}")
    elif isinstance(want, list | tuple):
        assert isinstance(got, list | tuple) and len(got) == len(want), where
        for i, (g, w) in enumerate(zip(got, want, strict=True)):
            _assert_close(g, w, f"{where}[{i}]")
    elif isinstance(want, float):
        assert got == pytest.approx(want, rel=1e-12, nan_ok=True), where
    else:
        assert got == want, where


def test_rescaled_history_refuses_aggregates_on_other_dates(real_cftc: pd.DataFrame,
                                                            real_table: pd.DataFrame) -> None:
    from analytics.positioning import asset_managers_net, positioning_history, rescaled_history

    base = positioning_history(real_cftc)
    lev = leveraged_funds_net(real_table).iloc[:-1]
    with pytest.raises(ValueError, match="report dates"):
        rescaled_history(base, dv01=None, lev_net=lev, am_net=asset_managers_net(real_table))
