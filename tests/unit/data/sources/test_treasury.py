"""Treasury par yield curve CSV: columns matched by name across years' layouts."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from data.http import HttpClient, HttpSettings
from data.sources import PayloadError, Query
from data.sources.treasury import TreasuryProvider, parse_treasury_csv, tenor_series_id
from tests.fixtures import payload


def table(batch_obs: pd.DataFrame) -> dict[tuple[str, str], float]:
    return {(s, f"{d:%Y-%m-%d}"): v for s, d, v in
            zip(batch_obs["series_id"], batch_obs["date"], batch_obs["value"], strict=True)}


@pytest.mark.parametrize(
    ("header", "series_id"),
    [("1 Mo", "DGS1MO"), ("1.5 Month", "UST1_5MO"), ("1.5 Mo", "UST1_5MO"), ("2 Mo", "UST2MO"),
     ("4 Mo", "UST4MO"), ("6 Mo", "DGS6MO"), ("1 Yr", "DGS1"), ("10 Yr", "DGS10"), ("30 Yr", "DGS30"),
     ("30 YR", "DGS30"), ("Date", None), ("13 Wk", None)],
)
def test_tenor_headers_are_matched_by_number_and_unit(header: str, series_id: str | None) -> None:
    assert tenor_series_id(header) == series_id


def test_2023_layout_newest_first_and_mm_dd_yyyy() -> None:
    got = table(parse_treasury_csv(payload("treasury/daily_treasury_yield_curve_2023.csv")).observations)
    assert got[("DGS1MO", "2023-09-01")] == 5.51
    assert got[("DGS10", "2023-08-31")] == 4.09
    assert got[("UST4MO", "2023-09-01")] == 5.58
    assert len(got) == 2 * 13


def test_2025_layout_with_the_new_6_week_column_matched_by_name() -> None:
    got = table(parse_treasury_csv(payload("treasury/daily_treasury_yield_curve_2025.csv")).observations)
    # Position 2 is "1.5 Month" now: the 2-month and 3-month values must not shift.
    assert got[("UST1_5MO", "2025-05-09")] == 4.36
    assert got[("UST2MO", "2025-05-09")] == 4.34
    assert got[("DGS3MO", "2025-05-09")] == 4.34
    assert got[("DGS30", "2025-05-09")] == 4.83
    # Empty before 2025-02-18.
    assert ("UST1_5MO", "2025-02-14") not in got
    assert got[("DGS1MO", "2025-02-14")] == 4.37


def test_2000_layout_with_fewer_columns() -> None:
    got = table(parse_treasury_csv(payload("treasury/daily_treasury_yield_curve_2000.csv")).observations)
    assert {s for s, _ in got} == {"DGS3MO", "DGS6MO", "DGS1", "DGS2", "DGS3", "DGS5", "DGS7", "DGS10",
                                   "DGS20", "DGS30"}
    assert got[("DGS10", "2000-01-03")] == 6.58


def test_parsed_curves_equal_the_fred_cmt_history(real_yields: pd.DataFrame) -> None:
    # The par curve Treasury publishes is the CMT curve FRED republishes as DGS*.
    names = {"DGS1MO": "1m", "DGS3MO": "3m", "DGS6MO": "6m", "DGS1": "1y", "DGS2": "2y", "DGS3": "3y",
             "DGS5": "5y", "DGS7": "7y", "DGS10": "10y", "DGS20": "20y", "DGS30": "30y"}
    checked = 0
    for name in ("2000", "2023", "2025"):
        got = table(parse_treasury_csv(payload(f"treasury/daily_treasury_yield_curve_{name}.csv")).observations)
        for (series_id, day), value in got.items():
            if series_id in names:
                assert real_yields.loc[pd.Timestamp(day), names[series_id]] == pytest.approx(value, abs=1e-9)
                checked += 1
    assert checked == 10 * 2 + 11 * 2 + 11 * 2


def test_bad_date_and_missing_tenors_are_reported() -> None:
    with pytest.raises(PayloadError) as info:
        parse_treasury_csv(b'Date,"1 Mo"\n2023-09-01,5.51\n')
    assert (info.value.line, info.value.column) == (2, "Date") and "MM/DD/YYYY" in info.value.problem
    with pytest.raises(PayloadError, match="no tenor columns"):
        parse_treasury_csv(b'Date,"4 WEEKS BANK DISCOUNT"\n09/01/2023,5.28\n')


def test_plan_fetches_one_file_per_year_with_a_browser_agent(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TSM_TREASURY_URL", "http://ust.test")
    provider = TreasuryProvider(client=HttpClient(settings=HttpSettings(1, 0, 0, 0, 1000)))
    units = provider.plan(Query({"DGS10": date(2024, 12, 20), "DGS2": date(2025, 1, 3)}, date(2025, 6, 1)))
    assert [u.label for u in units] == ["2024", "2025"]
    assert units[0].url == ("http://ust.test/resource-center/data-chart-center/interest-rates/"
                            "daily-treasury-rates.csv/2024/all")
    assert dict(units[0].params)["field_tdr_date_value"] == "2024"
    assert all(u.browser for u in units)
    assert provider.default_series() == ()  # FRED is the primary source of the CMT yields

