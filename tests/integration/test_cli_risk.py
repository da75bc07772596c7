"""`tsm risk` through the CLI entry point: the JSON contract, store curves, portfolios, bad flags."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

import cli
from analytics.tenors import CMT_SERIES, KEY_TENORS
from data.model import Batch
from data.store import Store
from tests.conftest import SHARED_DIR

CONTRACT_KEYS = {"price", "yield_pct", "oas_bp", "modified_duration", "effective_duration", "convexity",
                 "up_duration", "down_duration", "prices", "krd", "krd_sum"}
#: Keys beyond the shared contract (issue 9): the shift convention, callables' yield to worst.
EXTRA_KEYS = {"shift_convention", "convexity_span_bp", "yield_to_worst_pct", "workout_years", "yield_basis",
              "warnings"}
DOCS = Path(__file__).resolve().parents[2] / "docs" / "portfolio_format.md"


def run(capsys, *argv: str, store: Path | None = None) -> tuple[int, str, str]:
    args = (["--store", str(store)] if store else []) + ["risk", *argv]
    code = cli.main(args)
    out, err = capsys.readouterr()
    return code, out, err


def risk_json(capsys, *argv: str, store: Path | None = None) -> dict:
    code, out, err = run(capsys, *argv, "--json", store=store)
    assert code == 0, err
    return json.loads(out)


def test_bullet_json_has_exactly_the_contract_keys(capsys, tmp_path):
    d = risk_json(capsys, "--coupon", "2", "--maturity", "8", "--price", "100.61", store=tmp_path / "none.sqlite")
    assert set(d) == CONTRACT_KEYS | EXTRA_KEYS
    assert d["shift_convention"].startswith("semiannual bond-equivalent")
    assert d["yield_to_worst_pct"] is None and d["warnings"] == []
    assert set(d["prices"]) == {"base", "up", "down"} and list(d["krd"]) == list(KEY_TENORS)
    assert d["price"] == pytest.approx(100.61, abs=1e-9)  # flat at its own yield: no spread
    assert d["oas_bp"] is None
    assert d["prices"]["down"] > d["price"] > d["prices"]["up"]
    assert d["krd_sum"] == pytest.approx(d["effective_duration"], abs=1e-3)
    assert d["krd_sum"] == pytest.approx(sum(d["krd"].values()))


@pytest.mark.parametrize(
    "argv",
    [
        ("--coupon", "2", "--maturity", "8", "--price", "100.61"),
        ("--coupon", "5", "--maturity", "10", "--price", "99", "--callable-after", "3", "--tree-steps", "120"),
        ("--coupon", "3", "--maturity", "15", "--yield", "3.4", "--muni"),
    ],
    ids=["bullet", "callable", "muni"],
)
def test_shared_contract_checker_accepts_the_output(capsys, tmp_path, argv):
    checker = SHARED_DIR / "tools" / "check_contract.py"
    if not checker.is_file():
        pytest.skip(f"contract checker not available: {checker} is absent (set TSM_SHARED_DIR)")
    code, out, err = run(capsys, *argv, "--json", store=tmp_path / "none.sqlite")
    assert code == 0, err
    done = subprocess.run([sys.executable, str(checker), "risk"], input=out, capture_output=True, text=True,
                          check=False)
    assert done.returncode == 0, done.stdout


def test_callable_on_its_own_flat_curve_reprices_with_a_negative_oas(capsys):
    d = risk_json(capsys, "--coupon", "5", "--maturity", "10", "--price", "99", "--callable-after", "3",
                  "--vol-bp", "100", "--tree-steps", "200")
    assert d["price"] == pytest.approx(99.0, abs=1e-8)
    assert d["oas_bp"] < 0  # the curve is flat at the bullet yield; the OAS pays for the call
    assert d["convexity"] < 0
    assert d["effective_duration"] < d["modified_duration"]


def test_muni_near_the_threshold_has_a_longer_up_duration(capsys):
    d = risk_json(capsys, "--coupon", "3", "--maturity", "15", "--price", "98.5", "--muni",
                  "--ordinary-rate", "0.4", "--capital-gains-rate", "0.2")
    assert d["price"] == pytest.approx(98.5, abs=1e-8)
    assert d["up_duration"] > d["down_duration"] + 2.0
    assert d["krd_sum"] < d["effective_duration"] - 0.5


def _store_with_cmt(path: Path, yields: pd.DataFrame, days: list[str]) -> None:
    rows = []
    for day in days:
        for tenor, value in yields.loc[day].dropna().items():
            rows.append({"series_id": CMT_SERIES[str(tenor)], "date": pd.Timestamp(day), "value": float(value)})
    with Store.open(path) as store:
        store.write([Batch("fred", "imported", pd.DataFrame(rows))])


def test_store_curve_prices_a_par_bond_at_par(capsys, tmp_path, real_yields):
    path = tmp_path / "s.sqlite"
    _store_with_cmt(path, real_yields, ["2025-04-10", "2025-04-11"])
    ten = real_yields.loc["2025-04-11", "10y"]  # 4.49 % on 2025-04-11
    # The Sunday after resolves to Friday's curve; a 10y bond paying the 10y CMT prices at par.
    d = risk_json(capsys, "--coupon", str(ten), "--maturity", "10", "--curve", "store:2025-04-13", store=path)
    assert d["price"] == pytest.approx(100.0, abs=1e-8)
    assert d["yield_pct"] == pytest.approx(ten, abs=1e-8)
    code, out, _ = run(capsys, "--coupon", str(ten), "--maturity", "10", "--curve", "store:2025-04-13", store=path)
    assert code == 0
    assert "store CMT curve of 2025-04-11 (imported data)" in out


def test_store_curve_of_an_empty_store_is_labelled_demo(capsys, tmp_path):
    code, out, err = run(capsys, "--coupon", "4", "--maturity", "7", "--price", "99", "--curve", "store",
                         store=tmp_path / "absent.sqlite")
    assert code == 0, err
    assert "(demo data)" in out and "DEMO DATA" in out


def test_store_date_before_the_data_is_a_clear_error(capsys, tmp_path, real_yields):
    path = tmp_path / "s.sqlite"
    _store_with_cmt(path, real_yields, ["2025-04-11"])
    code, _, err = run(capsys, "--coupon", "4", "--maturity", "7", "--price", "99", "--curve", "store:2020-01-02",
                       store=path)
    assert code == 2
    assert err.strip() == ("risk: --curve store:2020-01-02: no yields on or before 2020-01-02 "
                           "(the data start on 2025-04-11)")


@pytest.mark.parametrize(
    ("argv", "flag"),
    [
        (("--coupon", "4", "--maturity", "-5", "--price", "99"), "--maturity"),
        (("--coupon", "4", "--maturity", "5", "--price", "0"), "--price"),
        (("--coupon", "4", "--maturity", "5", "--price", "99", "--callable-after", "2", "--vol-bp", "-1"), "--vol-bp"),
        (("--coupon", "4", "--maturity", "5", "--price", "99", "--callable-after", "6"), "--callable-after"),
        (("--coupon", "4", "--maturity", "5", "--price", "99", "--muni", "--ordinary-rate", "1.5"), "--ordinary-rate"),
        (("--coupon", "4", "--maturity", "5", "--price", "99", "--muni", "--capital-gains-rate", "-0.1"),
         "--capital-gains-rate"),
        (("--coupon", "4", "--maturity", "5", "--price", "99", "--shift-bp", "0"), "--shift-bp"),
        (("--coupon", "4", "--maturity", "5", "--price", "99", "--curve", "bogus"), "--curve"),
        (("--coupon", "4", "--maturity", "5"), "--curve flat needs"),
        (("--maturity", "5", "--price", "99"), "--coupon"),
    ],
)
def test_bad_flags_give_one_clear_line_and_exit_2(capsys, argv, flag):
    code, out, err = run(capsys, *argv)
    assert code == 2
    assert out == ""
    assert err.count("\n") == 1 and err.startswith("risk: ") and flag in err


def _doc_example() -> str:
    block = re.search(r"```csv\n(.*?)```", DOCS.read_text(encoding="utf-8"), re.S)
    assert block, "docs/portfolio_format.md has no csv example"
    return block.group(1)


def test_documented_portfolio_example_runs(capsys, tmp_path):
    book = tmp_path / "book.csv"
    book.write_text(_doc_example(), encoding="utf-8")
    d = risk_json(capsys, "--portfolio", str(book), "--curve", "flat:4.2", "--settlement", "2025-04-11",
                  "--futures-dv01", "UST_10Y=62")
    assert [p["id"] for p in d["positions"]] == ["UST-10", "AGY-5NC2", "NYC-15"]
    assert d["positions"][0]["price"] == pytest.approx(98.5, abs=1e-8)
    assert d["totals"]["market_value_usd"] == pytest.approx(sum(p["market_value_usd"] for p in d["positions"]))
    assert d["totals"]["dv01_usd"] == pytest.approx(sum(d["krd_dv01_usd"].values()), rel=0.02)
    hedge7 = next(h for h in d["hedges"] if h["bucket"] == "7y")
    assert hedge7["contract"] == "UST_10Y" and hedge7["contract_dv01_usd"] == 62.0
    assert hedge7["contracts_to_sell"] == pytest.approx(d["krd_dv01_usd"]["7y"] / 62.0)
    up = d["scenarios"]["parallel +100bp"]["total_pnl_usd"]
    down = d["scenarios"]["parallel -100bp"]["total_pnl_usd"]
    assert up < 0 < down  # the book is net long duration


def test_bad_portfolio_rows_are_listed_with_file_line_and_column(capsys, tmp_path):
    book = tmp_path / "book.csv"
    book.write_text("id,type,coupon_pct,maturity,face_usd\nA,bullet,4,5,100\nB,bond,4,5,100\nC,bullet,4,-1,100\n",
                    encoding="utf-8")
    code, out, err = run(capsys, "--portfolio", str(book), "--curve", "flat:4")
    assert code == 2 and out == ""
    lines = err.strip().splitlines()
    assert lines[0].startswith(f"risk: {book}: line 3, column type: 'bond' is not one of")
    assert lines[1].startswith(f"risk: {book}: line 4, column maturity: -1 is outside")


def test_portfolio_replay_reads_the_change_from_the_store(capsys, tmp_path, real_yields):
    path = tmp_path / "s.sqlite"
    _store_with_cmt(path, real_yields, ["2020-03-09", "2020-03-18"])
    book = tmp_path / "book.csv"
    book.write_text("id,type,coupon_pct,maturity,face_usd\nT10,bullet,0.54,10,1000000\n", encoding="utf-8")
    d = risk_json(capsys, "--portfolio", str(book), "--curve", "store:2020-03-18", "--replay", "2020-03-09",
                  store=path)
    replay = d["scenarios"]["replay 2020-03-09..2020-03-18"]["total_pnl_usd"]
    # The dash-for-cash sell-off (10y CMT +64 bp) again on 1m face of a ~9.7-year duration bond.
    assert -75_000 < replay < -50_000


def test_review_case_bullet_effective_duration_is_its_modified_duration(capsys, tmp_path):
    # Issue 9 item 1: `--coupon 2.5 --maturity 30 --yield 8.556` gave effective 14.29 against
    # modified 13.70 (a continuous shift). Now the shift is a move of the semiannual yield.
    d = risk_json(capsys, "--coupon", "2.5", "--maturity", "30", "--yield", "8.556", store=tmp_path / "none.sqlite")
    assert d["effective_duration"] == pytest.approx(d["modified_duration"], rel=1e-3)


def test_callable_reports_yield_to_worst_and_warns_when_yield_is_read_to_maturity(capsys, tmp_path):
    argv = ("--coupon", "6", "--maturity", "10", "--yield", "4", "--callable-after", "2", "--curve", "flat:4",
            "--tree-steps", "100")
    d = risk_json(capsys, *argv, store=tmp_path / "none.sqlite")
    assert d["workout_years"] == pytest.approx(2.0)
    assert d["yield_to_worst_pct"] < 4.0 and d["yield_basis"] == "maturity"
    assert any("yield to worst" in w for w in d["warnings"])
    worst = risk_json(capsys, *argv, "--yield-to", "worst", store=tmp_path / "none.sqlite")
    assert worst["yield_to_worst_pct"] == pytest.approx(4.0, abs=1e-9)
    assert worst["warnings"] == [] and worst["price"] < d["price"]
