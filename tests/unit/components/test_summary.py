"""The "Copy summary" text: the page's readings, their own dates when they differ, gaps said."""

from __future__ import annotations

from types import MappingProxyType

import pandas as pd
import pytest

from analytics.state import (
    CurveReading,
    FunctioningReading,
    FundingReading,
    MoveReading,
    PositioningReading,
    Snapshot,
    StressReading,
    snapshot,
)
from components.summary import SECTIONS, page_summary

AS_OF = pd.Timestamp("2024-06-04")


def _snap(**over: object) -> Snapshot:
    move = MoveReading("2s10s", "1d", pd.Timestamp("2024-06-03"), AS_OF, -3.0, -8.0, -5.0,
                       "bull flattener", 12.0)
    base: dict[str, object] = dict(
        as_of=AS_OF,
        data="imported",
        revision=41,
        curve=CurveReading(AS_OF, {"2y": 4.77, "10y": 4.33}, {"2s10s": -44.0},
                           {"1d": {"2s10s": move}, "1w": {"2s10s": None}}),
        functioning=FunctioningReading(fit_noise_bp=1.25, otr_premium_10y_bp=None),
        swap_spreads_bp=MappingProxyType({"10y": -41.5, "30y": None}),
        funding=FundingReading(
            as_of="2024-06-03", sofr_pct=5.33, effr_pct=5.33, sofr_effr_bp=0.0, sofr_iorb_bp=-7.0,
            rrp_bn=401.3,
            lights=[{"name": "a", "label": "SOFR up", "state": "on"},
                    {"name": "b", "label": "SOFR-EFFR", "state": "off"},
                    {"name": "c", "label": "Facilities", "state": "unknown"}]),
        positioning=PositioningReading(report_date="2024-05-28",
                                       lev_funds_net_10y_eq_contracts=-5_123_456.4,
                                       weekly_change_10y_eq_contracts=12_000.0, zscore=-1.5),
        stress=StressReading(date="2024-06-03", value=1.234,
                             contributions={"vix": 0.1, "move_bp": -0.6, "sofr_effr_bp": 0.3},
                             categories={"funding": 0.5, "positioning": None}),
        missing=("RPONTSYD: none stored",),
    )
    base.update(over)
    return Snapshot(**base)  # type: ignore[arg-type]


def test_header_names_page_date_mode_and_revision() -> None:
    first = page_summary("/curve", _snap()).splitlines()[0]
    assert first == "Treasury Stress Monitor - Curve, as of 2024-06-04 (imported data, revision 41)"


def test_curve_summary_has_levels_moves_regime_and_percentile() -> None:
    text = page_summary("/curve", _snap())
    assert "Yields: 2y 4.77%, 10y 4.33%" in text
    assert "2s10s -44.0 bp: 1d -5.0 bp bull flattener (pctile 12); 1w n/a" in text


def test_funding_counts_only_evaluated_lights_and_dates_its_readings() -> None:
    text = page_summary("/funding", _snap())
    assert "1 on of 2 evaluated (3 in all)" in text
    assert "Facilities: cannot evaluate" in text
    # The funding readings are of the day before the as-of date: they say so.
    assert "SOFR 5.33%, EFFR 5.33%, SOFR-EFFR 0.0 bp, SOFR-IORB -7.0 bp" in text
    assert "(as of 2024-06-03)" in text
    assert "ON RRP 401.3 bn, reserves n/a" in text


def test_missing_readings_read_na_never_zero() -> None:
    snap = _snap(funding=FundingReading(), positioning=PositioningReading(),
                 stress=StressReading())
    text = page_summary("/", snap)
    assert "Stress index n/a (z)" in text
    assert "Liquidity lights: n/a (no funding data)" in text
    assert "Leveraged funds net: n/a (no CFTC positions)" in page_summary("/positioning", snap)
    assert "10y on-the-run premium n/a" in page_summary("/functioning", snap)


def test_stress_ranks_contributors_by_size_and_states_the_index_date() -> None:
    text = page_summary("/stress", _snap())
    assert "Stress index +1.23 (z) (as of 2024-06-03)" in text
    assert "Top contributors: move_bp -0.60, sofr_effr_bp +0.30, vix +0.10" in text
    assert "funding +0.50, positioning n/a" in text


def test_positioning_and_functioning_numbers() -> None:
    assert ("Leveraged funds net -5,123,456 10y-eq contracts, weekly change +12,000, z-score -1.50 "
            "(CFTC report 2024-05-28)") in page_summary("/positioning", _snap())
    assert "Swap spreads: 10y -41.5 bp" in page_summary("/functioning", _snap())


def test_unknown_path_gets_the_overview_and_every_page_has_a_summary() -> None:
    assert page_summary("/nope", _snap()).splitlines()[0].startswith(
        "Treasury Stress Monitor - Overview")
    for path in SECTIONS:
        assert len(page_summary(path, _snap()).splitlines()) >= 2


def test_curve_summary_on_real_history_matches_fred(shared_data, real_yields_state) -> None:
    # Independent reference: FRED's CMT file, 2020-03-18 and the observation before it.
    wide = pd.read_csv(shared_data / "fred" / "treasury_cmt_wide.csv", parse_dates=["date"])
    wide = wide.set_index("date")
    day, prev = wide.loc["2020-03-18"], wide.loc[:"2020-03-17"].dropna(subset=["DGS10"]).iloc[-1]
    spread = round((day["DGS10"] - day["DGS2"]) * 100, 1)
    change = round(spread - (prev["DGS10"] - prev["DGS2"]) * 100, 1)
    text = page_summary("/curve", snapshot(real_yields_state, as_of="2020-03-18"))
    assert f"10y {day['DGS10']:.2f}%" in text and f"2y {day['DGS2']:.2f}%" in text
    assert f"2s10s {spread:.1f} bp: 1d {change:+.1f} bp" in text
    assert spread == pytest.approx(64.0)


def test_flows_drivers_and_auctions_from_the_snapshots_beyond_readings() -> None:
    beyond = MappingProxyType({
        "foreign_official": {"custody_bn": 2890.4, "change_1w_bn": -12.25, "change_4w_bn": -40.0,
                             "zscore": -2.3, "date": "2024-05-29"},
        "liquidity": {"net_liquidity_bn": 5800.0, "change_4w_bn": 75.0, "date": "2024-05-29"},
        "sell_america": {"signal": True, "date": "2024-06-04"},
        "official_indices": {"ofr_fsi": -1.5, "stlfsi4": None, "nfci": -0.5},
        "term_premium": {"acm_10y_pct": 0.41, "kim_wright_10y_pct": None, "change_1m_bp": -20.0,
                         "term_premium_1m_bp": -12.0, "expected_path_1m_bp": -8.0,
                         "acm_date": "2024-05-31"},
        "real_yields": {"real_10y_pct": 2.05, "breakeven_10y_pct": 2.28, "forward_5y5y_pct": 2.3,
                        "real_10y_date": "2024-06-04"},
        "auctions": {"recent": [{"date": "2024-05-28", "tenor": "2y", "high_yield_pct": 4.917,
                                 "tail_bp": 1.1, "bid_to_cover": 2.41, "indirect_pct": 57.8,
                                 "weak": True}]},
    })
    flows = page_summary("/flows", _snap(beyond=beyond))
    assert ("Foreign official custody 2,890 bn, 1w -12.2 bn, 4w -40.0 bn, z -2.30 "
            "(as of 2024-05-29)") in flows
    assert "Net liquidity 5,800 bn (4w +75 bn) (as of 2024-05-29)" in flows
    assert "Sell-America signal ON\n" in flows
    assert "OFR FSI -1.50, STLFSI4 n/a, NFCI -0.50" in flows
    drivers = page_summary("/drivers", _snap(beyond=beyond))
    assert "ACM 0.41%, Kim-Wright n/a (as of 2024-05-31)" in drivers
    assert "10y over 1m -20.0 bp: term premium -12.0 bp, expected path -8.0 bp" in drivers
    assert "10y real 2.05%, breakeven 2.28%, 5y5y forward 2.30%" in drivers
    assert page_summary("/auctions", _snap(beyond=beyond)).endswith(
        "2024-05-28 2y: high 4.917%, tail +1.1 bp, bid-to-cover 2.41, indirect 57.8% WEAK")
    # Without those readings: every line says n/a.
    assert "Foreign official custody n/a" in page_summary("/flows", _snap())
    assert "Recent auctions: n/a (none stored)" in page_summary("/auctions", _snap())
