"""`tsm snapshot` through the CLI entry point, on DEMO data and on the real history."""

from __future__ import annotations

import json
import subprocess
import sys

import pandas as pd
import pytest

import cli
from analytics.tenors import CMT_SERIES
from data.model import Batch
from data.store import Store
from tests.conftest import SHARED_DIR


def run_json(capsys, *argv: str) -> dict:
    assert cli.main(list(argv)) == 0
    return json.loads(capsys.readouterr().out)


def check_contract(doc: dict) -> subprocess.CompletedProcess:
    tool = SHARED_DIR / "tools" / "check_contract.py"
    if not tool.exists():
        pytest.skip(f"contract checker absent: {tool}")
    return subprocess.run([sys.executable, str(tool), "snapshot"], input=json.dumps(doc),
                          capture_output=True, text=True)


def test_snapshot_on_demo_data_holds_the_contract_and_says_demo(tmp_path, capsys):
    doc = run_json(capsys, "--store", str(tmp_path / "absent.sqlite"), "snapshot",
                   "--as-of", "2025-04-11", "--json")
    assert doc["data"] == "demo"
    result = check_contract(doc)
    assert result.returncode == 0, result.stdout


def test_snapshot_table_output_is_labelled_demo(tmp_path, capsys):
    assert cli.main(["--store", str(tmp_path / "absent.sqlite"), "snapshot", "--as-of", "2020-03-18"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("DEMO DATA")
    assert "Stress index" in out and "Moves" in out


def test_snapshot_rejects_a_bad_date(tmp_path, capsys):
    assert cli.main(["--store", str(tmp_path / "x.sqlite"), "snapshot", "--as-of", "2025-13-01"]) == 2
    assert "not a date" in capsys.readouterr().err


@pytest.fixture(scope="module")
def real_store(tmp_path_factory, shared_data):
    """A store holding the real yields, funding, GSW and CFTC history, written via Batch."""
    frames = []
    wide = pd.read_csv(shared_data / "fred" / "treasury_cmt_wide.csv", parse_dates=["date"])
    frames.append(wide.melt(id_vars="date", var_name="series_id", value_name="value").dropna())
    for rel in ("fred/EFFR.csv", "fred/IORB.csv", "fred/IOER.csv", "fred/RPONTSYD.csv",
                "fred/RRPONTSYD.csv", "fred/DSWP10.csv", "fred/DSWP30.csv"):
        f = pd.read_csv(shared_data / rel, parse_dates=["date"])
        f["series_id"] = rel.split("/")[1][:-4]
        frames.append(f)
    sofr = pd.read_csv(shared_data / "nyfed" / "sofr_detail.csv", parse_dates=["date"])
    frames.append(sofr.melt(id_vars="date", var_name="series_id", value_name="value").dropna())
    gsw = pd.read_csv(shared_data / "gsw" / "gsw_extract.csv", parse_dates=["date"])
    frames.append(gsw.melt(id_vars="date", var_name="series_id", value_name="value").dropna())
    obs = pd.concat(frames, ignore_index=True)[["series_id", "date", "value"]]
    raw = pd.read_csv(shared_data / "cftc" / "tff_treasury_futures.csv", dtype={"cftc_code": str},
                      parse_dates=["report_date"])
    rows = []
    for group in ("dealer", "asset_mgr", "lev_money", "other_rept"):
        rows.append(pd.DataFrame({"report_date": raw.report_date, "contract_code": raw.cftc_code,
                                  "trader_group": group, "long": raw[f"{group}_long"],
                                  "short": raw[f"{group}_short"], "spreading": raw[f"{group}_spread"],
                                  "open_interest": raw.open_interest}))
    rows.append(pd.DataFrame({"report_date": raw.report_date, "contract_code": raw.cftc_code,
                              "trader_group": "nonrept", "long": raw.nonrept_long,
                              "short": raw.nonrept_short, "spreading": float("nan"),
                              "open_interest": raw.open_interest}))
    path = tmp_path_factory.mktemp("real") / "store.sqlite"
    with Store.open(path) as store:
        store.write([Batch("fred", "imported", obs), Batch("cftc", "imported", cftc=pd.concat(rows))])
    return path


def test_snapshot_of_the_repo_spike_reads_the_real_numbers(real_store, capsys):
    doc = run_json(capsys, "--store", str(real_store), "snapshot", "--as-of", "2019-09-17", "--json")
    assert doc["data"] == "imported"
    f = doc["funding"]
    assert f["sofr_pct"] == pytest.approx(5.25)
    assert f["sofr_effr_bp"] == pytest.approx((5.25 - 2.30) * 100)
    assert f["sofr_p99_p1_bp"] == pytest.approx((9.00 - 2.25) * 100)
    assert check_contract(doc).returncode == 0


def test_snapshot_of_the_tariff_week_is_a_bear_steepener(real_store, shared_data, capsys):
    doc = run_json(capsys, "--store", str(real_store), "snapshot", "--as-of", "2025-04-11", "--json")
    dgs10 = pd.read_csv(shared_data / "fred" / "DGS10.csv", index_col="date")["value"]
    dgs2 = pd.read_csv(shared_data / "fred" / "DGS2.csv", index_col="date")["value"]
    assert doc["yields_pct"]["10y"] == pytest.approx(dgs10["2025-04-11"])
    assert doc["spreads_bp"]["2s10s"] == pytest.approx((dgs10["2025-04-11"] - dgs2["2025-04-11"]) * 100)
    move = doc["moves"]["1w"]["2s10s"]
    assert move["long_bp"] == pytest.approx((dgs10["2025-04-11"] - dgs10["2025-04-04"]) * 100)
    assert move["regime"] == "bear steepener"
    assert move["percentile"] > 90
    assert doc["positioning"]["report_date"] == "2025-04-08"
    assert doc["positioning"]["lev_funds_net_notional_bn"] < -300
    assert doc["stress_index"]["value"] is not None
    assert any("swap" in m for m in doc["missing"])  # ICE swap rates stop in 2016
    assert set(CMT_SERIES) == set(doc["yields_pct"])


def test_snapshot_in_late_2008_has_the_negative_30y_swap_spread(real_store, capsys):
    # 2008-11-21 in the CSVs: DSWP30 3.16 vs DGS30 3.70, a -54 bp spread.
    doc = run_json(capsys, "--store", str(real_store), "snapshot", "--as-of", "2008-11-21", "--json")
    assert doc["swap_spreads_bp"]["30y"] < -30
    assert doc["market_functioning"]["otr_premium_10y_bp"] is not None


def test_snapshot_ranks_moves_against_the_chosen_percentile_basis(real_store, shared_data, capsys):
    doc = run_json(capsys, "--store", str(real_store), "snapshot", "--as-of", "2025-04-11",
                   "--percentile-basis", "since-2000", "--json")
    assert doc["percentile_basis"] == "since-2000"
    # By hand: 1-week (5-observation) 2s10s changes from the DGS files, 2000-01-01 .. 2025-04-11.
    wide = pd.read_csv(shared_data / "fred" / "treasury_cmt_wide.csv", index_col="date", parse_dates=["date"])
    legs = wide[["DGS2", "DGS10"]].dropna().loc[:"2025-04-11"]
    moves = ((legs["DGS10"] - legs["DGS2"]).diff(5) * 100).round(6).dropna().loc["2000-01-01":]
    expected = 100 * (moves <= moves.iloc[-1]).mean()
    assert doc["moves"]["1w"]["2s10s"]["percentile"] == pytest.approx(round(expected, 1))
    assert check_contract(doc).returncode == 0
