"""`tsm scenario basis | swap-spread | mortgage` through the CLI entry point."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import cli
from data.model import Batch
from data.store import Store


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = cli.main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def _json(capsys: pytest.CaptureFixture[str], *argv: str) -> dict[str, object]:
    code, out, err = _run(capsys, *argv)
    assert code == 0, err
    payload: dict[str, object] = json.loads(out)
    return payload


@pytest.fixture()
def absent_store(tmp_path: Path) -> str:
    return str(tmp_path / "absent.sqlite")


# -- basis -------------------------------------------------------------------------------------
def test_basis_with_explicit_capital_first_round_by_hand(
    capsys: pytest.CaptureFixture[str], absent_store: str
) -> None:
    # K 10 x L 50 = 500; requirement 0.5+1 -> 1+2 = 3%; call 15 - 10 = 5; sales 5 / 0.03.
    payload = _json(
        capsys, "--store", absent_store, "scenario", "basis", "--capital-bn", "10", "--json"
    )
    assert payload["source"] == "input"
    assert payload["position_before_bn"] == pytest.approx(500.0)
    first = payload["rounds_table"][0]  # type: ignore[index]
    assert first["margin_call_bn"] == pytest.approx(5.0)
    assert first["sold_bn"] == pytest.approx(5.0 / 0.03)
    assert payload["status"] == "converged"
    assert payload["capital_after_bn"] == pytest.approx(10.0 - payload["total_loss_bn"])  # type: ignore[operator]


def test_basis_flags_reach_the_model(capsys: pytest.CaptureFixture[str], absent_store: str) -> None:
    payload = _json(
        capsys,
        "--store",
        absent_store,
        "scenario",
        "basis",
        "--capital-bn",
        "10",
        "--leverage",
        "40",
        "--haircut",
        "0.5",
        "--haircut-multiplier",
        "3",
        "--margin",
        "1",
        "--margin-shock",
        "2.5",
        "--impact-bp-per-100bn",
        "4",
        "--duration-yrs",
        "7",
        "--basis-move-bp",
        "2",
        "--max-rounds",
        "2",
        "--json",
    )
    assert payload["position_before_bn"] == pytest.approx(400.0)
    assert payload["requirement_after_pct"] == pytest.approx(1.5 + 2.5)
    assert payload["shock_loss_bn"] == pytest.approx(400 * 7 * 2 * 1e-4)
    assert payload["rounds"] == 2 and payload["status"] == "max_rounds"
    rounds = payload["rounds_table"]
    assert rounds[1]["yield_impact_bp"] == pytest.approx(0.04 * rounds[1]["cumulative_sold_bn"])  # type: ignore[index]


def test_basis_from_an_absent_store_uses_the_demo_positions_and_says_so(
    capsys: pytest.CaptureFixture[str], absent_store: str
) -> None:
    code, out, _ = _run(capsys, "--store", absent_store, "scenario", "basis")
    assert code == 0
    assert "demo data" in out and "DEMO DATA" in out
    assert "round" in out and "sold_bn" in out and "margin_call_bn" in out


def _store_with_real_cftc(shared_data: Path, path: Path) -> None:
    wide = pd.read_csv(
        shared_data / "cftc" / "tff_treasury_futures.csv",
        dtype={"cftc_code": str},
        parse_dates=["report_date"],
    )
    wide = wide[wide["report_date"] >= "2026-07-01"]
    parts = []
    for group in ("dealer", "asset_mgr", "lev_money", "other_rept", "nonrept"):
        parts.append(
            pd.DataFrame(
                {
                    "report_date": wide["report_date"],
                    "contract_code": wide["cftc_code"],
                    "trader_group": group,
                    "long": wide[f"{group}_long"].astype(float),
                    "short": wide[f"{group}_short"].astype(float),
                    "spreading": wide[f"{group}_spread"].astype(float)
                    if group != "nonrept"
                    else np.nan,
                    "open_interest": wide["open_interest"].astype(float),
                }
            )
        )
    cftc_frame = pd.concat(parts, ignore_index=True)
    with Store.open(path) as store:
        store.write([Batch(source="cftc", origin="imported", cftc=cftc_frame, label="test")])


def test_basis_from_the_store_starts_from_the_latest_leveraged_fund_short(
    capsys: pytest.CaptureFixture[str], shared_data: Path, tmp_path: Path
) -> None:
    path = tmp_path / "store.sqlite"
    _store_with_real_cftc(shared_data, path)
    payload = _json(capsys, "--store", str(path), "scenario", "basis", "--from-store", "--json")
    assert payload["mode"] == "imported"
    assert payload["report_date"] == "2026-08-04"
    # Hand sum of (short - long) x face on 2026-08-04 (CFTC TFF, leveraged funds).
    two_year = (1948629 - 614448) * 200_000
    others = (
        (2566661 - 355222)
        + (2501936 - 270266)
        + (582335 - 162474)
        + (516367 - 140141)
        + (937344 - 87654)
    ) * 100_000
    notional_bn = (two_year + others) / 1e9
    assert payload["position_before_bn"] == pytest.approx(notional_bn)
    assert payload["capital_before_bn"] == pytest.approx(notional_bn / 50.0)
    assert payload["duration_yrs"] == pytest.approx(
        10 * payload["net_short_dv01_usd_mn"] / notional_bn  # type: ignore[operator]
    )

    code, out, _ = _run(
        capsys, "--store", str(path), "scenario", "basis", "--report-date", "2026-07-28"
    )
    assert code == 0
    assert "2026-07-28" in out and "imported data" in out


# -- swap spread -------------------------------------------------------------------------------
def test_swap_spread_json_reports_a_more_negative_spread(
    capsys: pytest.CaptureFixture[str],
) -> None:
    payload = _json(capsys, "scenario", "swap-spread", "--spread-move-bp", "-5", "--json")
    assert payload["scenario"] == "swap_spread"
    assert payload["shock_loss_bn"] == pytest.approx(500 * 8 * 5 * 1e-4)  # 2bn
    assert payload["spread_change_bp"] < -5  # type: ignore[operator]
    assert payload["total_sold_bn"] > 0  # type: ignore[operator]


def test_swap_spread_table_output(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(capsys, "scenario", "swap-spread", "--capital-bn", "5")
    assert code == 0
    assert out.startswith("Swap-spread unwind")
    assert "swap-spread change, bp" in out and "cumulative_sold_bn" in out


# -- mortgage ----------------------------------------------------------------------------------
def test_mortgage_rates_up_means_hedgers_sell(capsys: pytest.CaptureFixture[str]) -> None:
    up = _json(capsys, "scenario", "mortgage", "--shock-bp", "100", "--json")
    down = _json(capsys, "scenario", "mortgage", "--shock-bp", "-100", "--json")
    assert up["hedge_flow_10y_bn"] > 0 > down["hedge_flow_10y_bn"]  # type: ignore[operator]
    assert up["cpr_after_pct"] < up["cpr_before_pct"]  # type: ignore[operator]
    assert len(up["buckets"]) == 10  # type: ignore[arg-type]


def test_mortgage_inputs_reach_the_model(capsys: pytest.CaptureFixture[str]) -> None:
    payload = _json(
        capsys,
        "scenario",
        "mortgage",
        "--shock-bp",
        "50",
        "--outstanding-bn",
        "1000",
        "--coupons",
        "3:20,6:80",
        "--hedged-share",
        "0.5",
        "--mortgage-rate",
        "6",
        "--hedge-duration-yrs",
        "8",
        "--sweep",
        "--json",
    )
    assert payload["coupon_shares"] == {"3": 0.2, "6": 0.8}
    assert payload["mortgage_rate_after_pct"] == pytest.approx(6.5)
    assert payload["hedge_duration_yrs"] == 8.0
    assert payload["hedged_market_value_bn"] == pytest.approx(0.5 * payload["market_value_bn"])  # type: ignore[operator]
    assert payload["hedge_flow_10y_bn"] == pytest.approx(
        payload["dollar_duration_change_bn_yrs"] / 8.0  # type: ignore[operator]
    )
    assert [row["shock_bp"] for row in payload["sweep"]][:2] == [-200.0, -175.0]  # type: ignore[index, union-attr]


def test_mortgage_single_coupon_table(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(capsys, "scenario", "mortgage", "--shock-bp", "25", "--coupon", "6.5")
    assert code == 0
    assert "10y-equivalent hedge flow" in out and "(sell)" in out


# -- bad input ---------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (
            ["basis", "--capital-bn", "10", "--leverage", "500"],
            "--leverage must be in (0, 66.6667]",
        ),
        (["basis", "--capital-bn", "10", "--haircut", "150"], "--haircut must be in [0, 100]"),
        (["basis", "--capital-bn", "-3"], "--capital-bn must be in (0, 10000]"),
        (["basis", "--capital-bn", "10", "--leverage", "abc"], "--leverage must be a number"),
        (["basis", "--capital-bn", "10", "--from-store"], "either --capital-bn or --from-store"),
        (
            ["basis", "--capital-bn", "1", "--haircut-shock", "2", "--haircut-multiplier", "3"],
            "either --haircut-shock or --haircut-multiplier",
        ),
        (
            ["basis", "--capital-bn", "1", "--max-rounds", "0"],
            "--max-rounds must be an integer in [1, 100000]",
        ),
        (["basis", "--capital-bn", "1", "--max-rounds", "2.5"], "--max-rounds must be an integer"),
        (["swap-spread", "--spread-move-bp", "-5000"], "--spread-move-bp must be in [-1000, 1000]"),
        (["swap-spread", "--margin-multiplier", "500"], "--margin-multiplier must be in [0, 100]"),
        (["mortgage"], "--shock-bp is required"),
        (
            ["mortgage", "--shock-bp", "100", "--hedged-share", "2"],
            "--hedged-share must be in [0, 1]",
        ),
        (["mortgage", "--shock-bp", "-700"], "--shock-bp must be in (-625, 1000]"),
        (["mortgage", "--shock-bp", "10", "--coupons", "3:x"], "--coupons must look like"),
        (["mortgage", "--shock-bp", "10", "--coupon", "30"], "--coupon must be in (0, 25]"),
        (
            ["mortgage", "--shock-bp", "10", "--coupon", "3", "--coupons", "3:1"],
            "either --coupon or --coupons",
        ),
    ],
)
def test_bad_input_exits_2_with_one_line_naming_the_flag(
    capsys: pytest.CaptureFixture[str], absent_store: str, argv: list[str], expected: str
) -> None:
    code, out, err = _run(capsys, "--store", absent_store, "scenario", *argv)
    assert code == 2
    assert out == ""
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert expected in lines[0]


def test_unknown_report_date_in_the_store_is_bad_input(
    capsys: pytest.CaptureFixture[str], absent_store: str
) -> None:
    code, _, err = _run(
        capsys, "--store", absent_store, "scenario", "basis", "--report-date", "1999-01-05"
    )
    assert code == 2
    assert "--report-date 1999-01-05 is not in the cftc frame" in err


def test_scenarios_show_their_assumptions_with_source_range_and_origin(capsys):
    # Issue 9 item 10: hedged share and price impact drive the results but are not observed;
    # they travel with the results, with a range and where the number comes from.
    import json as _json

    import cli as _cli
    from analytics.assumptions import ASSUMPTIONS

    code = _cli.main(["scenario", "mortgage", "--shock-bp", "100", "--hedged-share", "0.2", "--json"])
    out, _ = capsys.readouterr()
    assert code == 0
    rows = {r["key"]: r for r in _json.loads(out)["assumptions"]}
    assert rows["hedged_share"]["used"] == 0.2 and rows["hedged_share"]["origin"] == "user"
    assert rows["hedged_share"]["evidence"] == "weak" and rows["hedged_share"]["source"]
    assert rows["outstanding_bn"]["origin"] == "default"
    lo, hi = rows["hedged_share"]["range"]
    assert lo < ASSUMPTIONS["hedged_share"].value < hi
    code = _cli.main(["scenario", "swap-spread"])
    out, _ = capsys.readouterr()
    assert code == 0
    assert "Assumptions (not observed in the data; vary them):" in out
    assert "spread move per USD 100bn sold" in out
