"""Hu-Pan-Wang noise from FedInvest prices (stretch; live data only): the recorded sample rows,
and synthetic files in the recorded format priced off a known curve by hand."""

from __future__ import annotations

import math
from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from analytics.bonds import bullet_from_dates, price_from_yield
from analytics.noise import hpw_noise
from data.importer import detect_format, parse_file
from data.sources import PayloadError
from data.sources.fedinvest import NOISE_SERIES, parse_fedinvest_csv, parse_fedinvest_prices
from tests.fixtures import payload

DAY = date(2024, 6, 26)
SETTLE = date(2024, 6, 27)


def zero_pct(t: float) -> float:
    # A hand-chosen Nelson-Siegel curve: 4.2 % long end, inverted front, continuous compounding.
    x = t / 2.5
    f1 = (1 - math.exp(-x)) / x
    return 4.2 + 1.0 * f1 - 0.8 * (f1 - math.exp(-x))


def clean_on_curve(coupon_pct: float, maturity: date) -> float:
    bond = bullet_from_dates(coupon_pct=coupon_pct, settlement=SETTLE, maturity=maturity)
    dirty = sum(cf * math.exp(-zero_pct(t) / 100 * t)
                for t, cf in zip(bond.flow_times(), bond.flow_amounts(), strict=True))
    return dirty - bond.accrued


def synthetic_file(shift_bp: dict[int, float] | None = None) -> bytes:
    """~40 notes, 2024-12 .. 2036-05, in FedInvest's format (no header, CRLF, EOD 0)."""
    rows = []
    shift_bp = shift_bp or {}
    for i in range(40):
        year, month = 2024 + (6 + 4 * i) // 12, 1 + (6 + 4 * i) % 12
        maturity = date(year, month, 15)
        coupon = 1.5 + (i % 7) * 0.5
        price = clean_on_curve(coupon, maturity)
        if i in shift_bp:
            bond = bullet_from_dates(coupon_pct=coupon, settlement=SETTLE, maturity=maturity)
            from analytics.bonds import yield_from_price

            price = price_from_yield(bond, yield_from_price(bond, price) + shift_bp[i] / 100)
        kind = "MARKET BASED NOTE" if i % 5 else "MARKET BASED BOND"
        rows.append(f"91282C{i:03d},{kind},{coupon / 100:.5f},{maturity:%m/%d/%Y},,{price:.6f},{price:.6f},0.000000")
    rows.append("912828H45,TIPS,0.0025,01/15/2030,,97.937500,97.906250,0.000000")
    rows.append("912796Y45,MARKET BASED BILL,0.0,06/27/2025,,0.000000,95.985500,0.000000")
    return ("\r\n".join(rows) + "\r\n").encode()


def test_recorded_sample_rows_parse_with_fraction_rates_and_mid_prices() -> None:
    frame = parse_fedinvest_prices(payload("fedinvest/securityprice_2024-06-26.csv")).set_index("cusip")
    assert list(frame["kind"]) == ["BILL", "NOTE", "BOND", "TIPS", "FRN"]
    assert frame.loc["91282CKQ3", "coupon_pct"] == pytest.approx(4.375)
    # End-of-day is 0 on every recorded row: the buy/sell mid, or the only price above 0.
    assert frame.loc["912810TV0", "price"] == pytest.approx((105.015625 + 105.0) / 2)
    assert frame.loc["912796Y45", "price"] == 99.9855
    assert frame.loc["91282CKQ3", "maturity"] == pd.Timestamp("2034-05-15")


def test_prices_on_a_smooth_curve_have_no_noise() -> None:
    result = hpw_noise(parse_fedinvest_prices(synthetic_file()), DAY)
    assert result.settlement == SETTLE
    # 1-10 years left: 27 notes (2025-07-15 .. 2034-03-15), less the 5 on-the-run proxies
    # (latest maturity within 2, 3, 5, 7, 10 years), which are left out of the fit.
    in_range = sum(1.0 <= (date(2024 + (6 + 4 * i) // 12, 1 + (6 + 4 * i) % 12, 15) - SETTLE).days
                   / 365.25 <= 10.0 for i in range(40))
    assert (in_range, result.n_bonds) == (27, 27 - 5)
    assert set(result.otr_gap_bp) == {"2y", "3y", "5y", "7y", "10y"}
    assert result.noise_bp < 0.05


def test_alternating_yield_errors_show_as_noise_and_a_rich_on_the_run_as_a_gap() -> None:
    shifts = {i: (3.0 if i % 2 else -3.0) for i in range(40)}
    noisy = hpw_noise(parse_fedinvest_prices(synthetic_file(shifts)), DAY)
    # +/-3 bp on every bond, alternating: the smooth fit cannot follow, RMSE close to 3 bp.
    assert 2.5 < noisy.noise_bp < 3.2
    # Make the latest note within 10 years (2034-03-15, index 29) 5 bp rich (lower yield).
    rich = hpw_noise(parse_fedinvest_prices(synthetic_file({29: -5.0})), DAY)
    assert rich.otr_gap_bp["10y"] == pytest.approx(5.0, abs=0.6)
    assert abs(rich.otr_gap_bp["5y"]) < 0.6


def test_import_of_a_saved_file_needs_its_date_in_the_name(tmp_path: Path) -> None:
    named = tmp_path / "securityprice_2024-06-26.csv"
    named.write_bytes(synthetic_file())
    assert detect_format(named) == "fedinvest-csv"
    batch = parse_file(named)
    values = dict(zip(batch.observations["series_id"], batch.observations["value"], strict=True))
    assert values[NOISE_SERIES] < 0.05 and set(batch.observations["date"]) == {pd.Timestamp("2024-06-26")}
    with pytest.raises(PayloadError, match="carries no date"):
        parse_fedinvest_csv(synthetic_file(), label="securityprice.csv")
    with pytest.raises(PayloadError, match="at least 12 are needed"):
        parse_fedinvest_csv(payload("fedinvest/securityprice_2024-06-26.csv"), label="x_20240626.csv")
