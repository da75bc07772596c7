"""`tsm snapshot --as-of DATE [--json]`: every measure as of a date."""

from __future__ import annotations

import argparse
import json
import math
import sys
from datetime import date
from typing import Any

from analytics.state import snapshot
from cli.beyond_text import render_beyond
from cli.table import format_table
from data.market import load_market_data
from data.store import StoreError
from market_state import demo_state, ensure_persisted


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser("snapshot", help="every measure as of a date")
    parser.add_argument("--as-of", required=True, metavar="DATE",
                        help="YYYY-MM-DD; each series' last observation on or before it is used")
    parser.add_argument("--json", action="store_true", help="machine-readable output")
    parser.set_defaults(func=run)


def _clean(value: Any) -> Any:
    """JSON-safe: NaN and inf become null."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {str(k): _clean(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_clean(v) for v in value]
    return value


def run(args: argparse.Namespace) -> int:
    try:
        as_of = date.fromisoformat(args.as_of)
    except ValueError:
        print(f"snapshot: --as-of {args.as_of!r} is not a date (YYYY-MM-DD)", file=sys.stderr)
        return 2
    try:
        data = load_market_data(args.store)
    except StoreError as exc:
        print(f"snapshot failed: {exc}", file=sys.stderr)
        return 1
    first = data.yields.index.min() if not data.yields.empty else None
    if first is not None and as_of < first.date():
        print(f"snapshot: --as-of {as_of} is before the first stored yield ({first.date()})",
              file=sys.stderr)
        return 2
    try:
        state = demo_state() if data.is_demo else ensure_persisted(data.store_path)
    except StoreError as exc:
        print(f"snapshot failed: {exc}", file=sys.stderr)
        return 1
    doc = _clean(snapshot(state, as_of=as_of.isoformat()).to_dict())
    if args.json:
        print(json.dumps(doc, indent=2))
        return 0
    print(render(doc))
    return 0


def _fmt(value: Any, digits: int = 1) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:,.{digits}f}"
    return str(value)


def render(doc: dict[str, Any]) -> str:
    """The snapshot as readable tables."""
    out = []
    if doc["data"] == "demo":
        out.append("DEMO DATA: synthetic numbers from the embedded data set, not market data.\n")
    out.append(f"Snapshot as of {doc['as_of']} ({doc['data']} data)\n")
    y = doc["yields_pct"]
    out.append(format_table(list(y), [[_fmt(v, 3) for v in y.values()]]))
    s = doc["spreads_bp"]
    out.append("\nCurve spreads, bp\n" + format_table(list(s), [[_fmt(v) for v in s.values()]]))
    rows = []
    for window, spreads in doc["moves"].items():
        for name, mv in spreads.items():
            rows.append([window, name, mv.get("from_date") or "-", _fmt(mv["short_bp"]),
                         _fmt(mv["long_bp"]), _fmt(mv["spread_bp"]), mv["regime"] or "-",
                         _fmt(mv["percentile"])])
    out.append("\nMoves (windows in observations: 1d = 1, 1w = 5, 1m = 21; from = the start "
               "observation)\n" + format_table(["window", "spread", "from", "short leg bp",
                                                "long leg bp", "spread bp", "regime",
                                                "percentile"], rows))
    mf = doc["market_functioning"]
    out.append(f"\nMarket functioning: fit noise {_fmt(mf['fit_noise_bp'])} bp (coarse CMT proxy), "
               f"on-the-run premium 10y {_fmt(mf['otr_premium_10y_bp'])} bp")
    sw = doc["swap_spreads_bp"]
    out.append("\nSwap spreads, bp\n" + format_table(list(sw), [[_fmt(v) for v in sw.values()]]))
    f = doc["funding"]
    out.append(
        f"\nFunding: SOFR {_fmt(f['sofr_pct'], 2)}%  EFFR {_fmt(f['effr_pct'], 2)}%  "
        f"SOFR-EFFR {_fmt(f['sofr_effr_bp'])} bp  SOFR-IORB {_fmt(f['sofr_iorb_bp'])} bp  "
        f"p99-p1 {_fmt(f['sofr_p99_p1_bp'])} bp  ON RRP {_fmt(f['rrp_bn'])} bn"
    )
    lights = f.get("lights") or []
    if isinstance(lights, list):
        for light in lights:
            out.append(f"  light {light.get('label', light.get('name'))}: {light.get('state')} "
                       f"(reading {_fmt(light.get('reading'))} vs threshold {_fmt(light.get('threshold'))} "
                       f"{light.get('units', '')})")
    p = doc["positioning"]
    out.append(
        f"\nPositioning (CFTC report {p['report_date'] or '-'}): leveraged funds net "
        f"{_fmt(p['lev_funds_net_notional_bn'])} bn notional, "
        f"{_fmt(p['lev_funds_net_10y_eq_contracts'], 0)} 10y-eq contracts, weekly change "
        f"{_fmt(p['weekly_change_10y_eq_contracts'], 0)}, z-score {_fmt(p['zscore'], 2)}"
    )
    si = doc["stress_index"]
    out.append(f"\nStress index: {_fmt(si['value'], 2)} (z units)")
    contrib = si.get("contributions") or {}
    if contrib:
        out.append(format_table(["indicator", "contribution"],
                                [[k, _fmt(v, 2)] for k, v in contrib.items()]))
    out += render_beyond(doc)  # issue 11
    if doc.get("missing"):
        out.append("\nMissing:\n" + "\n".join(f"  - {m}" for m in doc["missing"]))
    return "\n".join(out)
