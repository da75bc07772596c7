"""GSW feds200628.csv: header found by content, NA and the TAU2 sentinel, Svensson check."""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd
import pytest

from data.sources import PayloadError
from data.sources.gsw import gsw_series, parse_gsw_csv
from tests.fixtures import payload


def table(batch_obs: pd.DataFrame) -> dict[tuple[str, str], float]:
    return {(s, f"{d:%Y-%m-%d}"): v for s, d, v in
            zip(batch_obs["series_id"], batch_obs["date"], batch_obs["value"], strict=True)}


def svensson_zero_pct(n: float, b0: float, b1: float, b2: float, b3: float, t1: float, t2: float) -> float:
    # Svensson (1994) zero-coupon yield, the functional form GSW fit (FEDS 2006-28, eq. 22).
    x1, x2 = n / t1, n / t2
    f1 = (1 - math.exp(-x1)) / x1
    f2 = (1 - math.exp(-x2)) / x2
    return b0 + b1 * f1 + b2 * (f1 - math.exp(-x1)) + b3 * (f2 - math.exp(-x2))


def test_header_is_found_after_the_preamble_and_kept_series_parsed() -> None:
    got = table(parse_gsw_csv(payload("gsw/feds200628.csv")).observations)
    assert {s for s, _ in got} == set(gsw_series())
    # 2026-01-23 SVENY30 and parameters as published (DATA_SOURCES.md section 5).
    assert got[("SVENY30", "2026-01-23")] == 5.049
    assert got[("TAU1", "2026-01-23")] == 1.23267931728074
    assert got[("TAU2", "2026-01-23")] == 17.8379238784202


def test_published_parameters_reproduce_the_published_30y_zero_yield() -> None:
    got = table(parse_gsw_csv(payload("gsw/feds200628.csv")).observations)
    day = "2026-01-23"
    params = [got[(k, day)] for k in ("BETA0", "BETA1", "BETA2", "BETA3", "TAU1", "TAU2")]
    assert svensson_zero_pct(30.0, *params) == pytest.approx(got[("SVENY30", day)], abs=5e-5)


def test_na_rows_and_the_tau2_sentinel_are_missing() -> None:
    got = table(parse_gsw_csv(payload("gsw/feds200628.csv")).observations)
    assert not any(day in ("1961-07-04", "2026-01-21") for _, day in got)  # all-NA holiday rows
    assert ("TAU2", "1961-06-14") not in got  # -999.99 means "not used"
    assert ("SVENY10", "1961-06-14") not in got  # long tenors NA in early years
    assert got[("SVENY01", "1961-06-14")] == 2.9825
    assert got[("BETA3", "1961-06-14")] == 0.0


def test_extract_values_agree_with_the_shared_gsw_file(shared_data: Path) -> None:
    extract = pd.read_csv(shared_data / "gsw" / "gsw_extract.csv", parse_dates=["date"]).set_index("date")
    got = table(parse_gsw_csv(payload("gsw/feds200628.csv")).observations)
    # The 1961-06-14 zero yields in the fixture come from the published parameters.
    for tenor in ("SVENY01", "SVENY02", "SVENY03", "SVENY05", "SVENY07"):
        assert got[(tenor, "1961-06-14")] == pytest.approx(extract.loc["1961-06-14", tenor], abs=1.5e-4)


def test_missing_header_and_bad_values_are_reported() -> None:
    with pytest.raises(PayloadError, match="no header line starting with 'Date,'"):
        parse_gsw_csv(b"date,SVENY01\n2020-01-02,1.5\n")
    with pytest.raises(PayloadError) as info:
        parse_gsw_csv(b"\n\nDate,BETA0,SVENY01\n2020-01-02,1.0,1.5\n2020-01-03,1.0,oops\n")
    assert (info.value.line, info.value.column) == (5, "SVENY01")
