"""Stress index against the official stress indices: rank correlations per period, before/after.

    python benchmarks/bench_stress_calibration.py [--shared ../shared/data]

Builds the index from the real history in ``../shared/data`` (CMT yields, MOVE, funding, swap
and GSW series, CFTC positions, VIX, foreign custody holdings, Fed balance sheet, TGA, ON RRP)
twice:

* before: the previous settings (3-year window, equal category weights re-normalised over the
  categories present, every indicator weighing 1, without the two weekly flow indicators; the
  CFTC step series uses the release dates in both runs);
* after: the defaults of :mod:`analytics.stress` (6-year window, calibrated weights, absent
  categories neutral, the two flow indicators).

For each it prints the weekly (Friday) Spearman rank correlation with STLFSI4, NFCI (FRED)
and the OFR FSI (``ofr/OFR_FSI.csv``, read here with pandas) in 2000-07, 2008-09, 2010-19 and
2020-25, the rank of the March 2020 peak among all days since 2000, and the scores of
1969-10-23 and of the Lehman weeks. No assertion: the numbers go in the report.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from analytics.functioning import fit_noise, gsw_frame, otr_premium_bp  # noqa: E402
from analytics.stress import (  # noqa: E402
    FOREIGN_CUSTODY_ID,
    NET_LIQUIDITY_IDS,
    IndicatorSpec,
    build_indicators,
    compute_stress_index,
)
from analytics.swaps import swap_spreads_bp  # noqa: E402
from analytics.tenors import CMT_SERIES, TENORS  # noqa: E402

PERIODS = (("2000-07", "2000-01-01", "2007-12-31"), ("2008-09", "2008-01-01", "2009-12-31"),
           ("2010-19", "2010-01-01", "2019-12-31"), ("2020-25", "2020-01-01", "2025-12-31"))
FRED_IDS = ("EFFR", "IORB", "IOER", "RPONTSYD", "RRPONTSYD", "DSWP10", "DTWEXBGS", "SP500", "VIXCLS",
            "SOFR", FOREIGN_CUSTODY_ID, *NET_LIQUIDITY_IDS[:2])


def _series(path: Path) -> pd.Series:
    frame = pd.read_csv(path, parse_dates=["date"])
    return frame.set_index("date")["value"].astype(float).sort_index()


def load(shared: Path) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """The store's three frames (yields, series, CFTC long form) from the shared files."""
    wide = pd.read_csv(shared / "fred" / "treasury_cmt_wide.csv", parse_dates=["date"]).set_index("date")
    yields = wide.rename(columns={v: k for k, v in CMT_SERIES.items()})[list(TENORS)].astype(float).sort_index()
    cols = {sid: _series(shared / "fred" / f"{sid}.csv") for sid in FRED_IDS}
    cols["MOVE"] = _series(shared / "ice" / "MOVE.csv")
    sofr = pd.read_csv(shared / "nyfed" / "sofr_detail.csv", parse_dates=["date"]).set_index("date")
    cols["SOFR1"], cols["SOFR99"] = sofr["SOFR1"], sofr["SOFR99"]
    gsw = pd.read_csv(shared / "gsw" / "gsw_extract.csv", parse_dates=["date"]).set_index("date")
    cols.update({c: gsw[c] for c in gsw.columns})
    series = pd.concat(cols, axis=1, sort=True).sort_index()
    series.index.name = "date"
    raw = pd.read_csv(shared / "cftc" / "tff_treasury_futures.csv", dtype={"cftc_code": str},
                      parse_dates=["report_date"])
    parts = [pd.DataFrame({"report_date": raw.report_date, "contract_code": raw.cftc_code, "trader_group": g,
                           "long": raw[f"{g}_long"], "short": raw[f"{g}_short"], "spreading": raw[f"{g}_spread"],
                           "open_interest": raw.open_interest})
             for g in ("dealer", "asset_mgr", "lev_money", "other_rept")]
    parts.append(pd.DataFrame({"report_date": raw.report_date, "contract_code": raw.cftc_code,
                               "trader_group": "nonrept", "long": raw.nonrept_long, "short": raw.nonrept_short,
                               "spreading": np.nan, "open_interest": raw.open_interest}))
    return yields, series, pd.concat(parts, ignore_index=True)


def references(shared: Path) -> dict[str, pd.Series]:
    ofr = pd.read_csv(shared / "ofr" / "OFR_FSI.csv", parse_dates=["Date"]).set_index("Date")["OFR FSI"]
    return {"STLFSI4": _series(shared / "fred" / "STLFSI4.csv"), "NFCI": _series(shared / "fred" / "NFCI.csv"),
            "OFR FSI": ofr.astype(float).sort_index()}


def rank_correlations(total: pd.Series, refs: dict[str, pd.Series]) -> dict[str, list[float]]:
    """Weekly (last value of each week ending Friday) Spearman correlation per period."""
    weekly = total.dropna().resample("W-FRI").last()
    out: dict[str, list[float]] = {}
    for name, ref in refs.items():
        both = pd.concat([weekly, ref.resample("W-FRI").last()], axis=1, keys=["x", "r"]).dropna()
        out[name] = [float(both.loc[a:b, "x"].rank().corr(both.loc[a:b, "r"].rank())) for _, a, b in PERIODS]
    return out


def before_settings(indicators: pd.DataFrame, specs: tuple[IndicatorSpec, ...]) -> tuple[pd.DataFrame, list[IndicatorSpec]]:
    """The previous index: no flow indicators, unit weights."""
    old = [IndicatorSpec(s.name, s.category, s.sign, s.label, s.units, s.max_ffill_days)
           for s in specs if s.name not in ("foreign_custody_4w_fall_bn", "net_liquidity_4w_fall_bn")]
    return indicators, old


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    default = Path(__file__).resolve().parents[2] / "shared" / "data"
    parser.add_argument("--shared", type=Path, default=Path(os.environ.get("TSM_SHARED_DIR", default.parent)) / "data")
    args = parser.parse_args(argv)
    shared = args.shared
    if not (shared / "fred").is_dir():
        print(f"no shared data at {shared}", file=sys.stderr)
        return 2
    start = time.perf_counter()
    yields, series, cftc = load(shared)
    fit = fit_noise(yields)
    gsw = gsw_frame(series)
    premium = otr_premium_bp(yields, gsw) if gsw is not None else None
    swaps = swap_spreads_bp(yields, series)
    indicators, specs = build_indicators(
        yields, series, cftc, fit_noise_bp=fit.rmse_bp,
        otr_premium_bp=premium["10y"] if premium is not None else None,
        swap_spread_bp=swaps["10y"] if "10y" in swaps else None,
    )
    prep = time.perf_counter() - start
    refs = references(shared)
    old_ind, old_specs = before_settings(indicators, specs)
    runs = {
        "before": compute_stress_index(old_ind, old_specs, window=756, missing="renormalise"),
        "after": compute_stress_index(indicators, specs),
    }
    load_avg = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"stress index calibration (data from {shared}; inputs built in {prep:.1f} s; load average {load_avg})")
    header = ["settings", "reference"] + [p for p, _, _ in PERIODS]
    rows = []
    notes = []
    for label, res in runs.items():
        for ref, values in rank_correlations(res.total, refs).items():
            rows.append([label, ref] + [f"{v:.2f}" for v in values])
        since = res.total.dropna().loc["2000-01-01":]
        peak = since.loc["2020-03-01":"2020-03-31"]
        pct = 100.0 * float((since < peak.max()).mean())
        lehman = res.total.loc["2008-09-15":"2008-10-31"].max()
        y1969 = res.total.get(pd.Timestamp("1969-10-23"), np.nan)
        cov = res.coverage.get(pd.Timestamp("1969-10-23"), np.nan) if res.coverage is not None else np.nan
        notes.append(f"{label}: March 2020 peak {peak.max():.2f} on {peak.idxmax():%Y-%m-%d}, above {pct:.2f} % of "
                     f"days since 2000 (top {100 - pct:.2f} %); 1969-10-23 {y1969:.2f} (coverage {cov:.2f}); "
                     f"Lehman weeks max {lehman:.2f}")
    widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(header)]
    print("  ".join(h.ljust(w) for h, w in zip(header, widths, strict=True)))
    print("  ".join("-" * w for w in widths))
    for r in rows:
        print("  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)))
    print()
    for n in notes:
        print(n)
    return 0


if __name__ == "__main__":
    sys.exit(main())
