"""`tsm status`: per series source, coverage, refresh history and staleness."""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys

from cli.table import format_table
from data.market import load_market_data
from data.store import StoreError


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser("status", help="what the store holds, how fresh it is, last errors")
    parser.add_argument("--json", action="store_true", help="machine-readable output")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    try:
        data = load_market_data(args.store)
    except StoreError as exc:
        print(f"status failed: {exc}", file=sys.stderr)
        return 1
    rows = data.status_rows
    if args.json:
        payload = {
            "data": data.mode,
            "store": str(data.store_path),
            "series": [dataclasses.asdict(r) for r in rows],
        }
        print(json.dumps(payload, indent=2))
        return 0
    if data.is_demo:
        print(f"DEMO DATA: the store {data.store_path} is empty or absent; showing the embedded "
              "synthetic data set. Run `tsm import` or `tsm refresh` to load real data.\n")
    else:
        print(f"store {data.store_path} ({data.mode} data, revision {data.revision})\n")
    table = [
        (
            r.series_id, r.source or "-", r.first_date, r.last_date, r.rows,
            (r.last_success or "never")[:16] if r.source != "DEMO" else "DEMO",
            r.freshness,
            r.last_error or "",
        )
        for r in rows
    ]
    print(format_table(["series", "source", "first", "last", "rows", "last refresh",
                        "fresh", "last error"], table))
    stale = sum(r.stale for r in rows)
    errors = sum(bool(r.last_error) for r in rows)
    print(f"\n{len(rows)} series, {stale} stale, {errors} with a refresh error")
    return 0
