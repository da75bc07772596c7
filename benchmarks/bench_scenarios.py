"""Scenario-model benchmarks: each forced-selling model over a sweep of shocks.

Run: python benchmarks/bench_scenarios.py [--repeat N]. Prints a table of the median and worst
time per call (the dashboard's sliders call these models live); nothing is asserted.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from analytics.forced_selling import (  # noqa: E402
    BasisTradeScenario,
    SwapSpreadScenario,
    basis_trade_doom_loop,
    swap_spread_unwind,
)
from analytics.mortgage import (  # noqa: E402
    MortgageUniverse,
    convexity_hedge_flow,
    convexity_hedge_sweep,
)
from cli.table import format_table  # noqa: E402


def timed_ms(fn: Callable[[], object], repeat: int) -> tuple[float, float]:
    """Median and worst wall time of ``fn`` over ``repeat`` calls, ms (after one warm-up)."""
    fn()
    runs = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        runs.append((time.perf_counter() - start) * 1e3)
    return statistics.median(runs), max(runs)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=50, help="timed calls per row (default 50)")
    args = parser.parse_args(argv)
    rows: list[list[object]] = []

    for margin_after in (1.0, 1.5, 2.0, 3.0, 5.0):
        scenario = BasisTradeScenario(margin_after_pct=margin_after)
        result = basis_trade_doom_loop(scenario)
        med, worst = timed_ms(lambda s=scenario: basis_trade_doom_loop(s), args.repeat)
        rows.append(
            [
                "basis doom loop",
                f"haircut 0.5->1%, margin 1->{margin_after:g}%",
                result.rounds,
                result.status,
                result.total_sold_bn,
                med,
                worst,
            ]
        )

    for move in (0.0, -5.0, -10.0, -20.0, -40.0):
        scenario_s = SwapSpreadScenario(spread_move_bp=move)
        result = swap_spread_unwind(scenario_s)
        med, worst = timed_ms(lambda s=scenario_s: swap_spread_unwind(s), args.repeat)
        rows.append(
            [
                "swap-spread unwind",
                f"spread {move:+g} bp",
                result.rounds,
                result.status,
                result.total_sold_bn,
                med,
                worst,
            ]
        )

    universe = MortgageUniverse()
    for shock in (-200.0, -100.0, 0.0, 100.0, 200.0):
        flow = convexity_hedge_flow(universe, shock_bp=shock)
        med, worst = timed_ms(
            lambda x=shock: convexity_hedge_flow(universe, shock_bp=x), args.repeat
        )
        rows.append(
            [
                "mortgage hedge flow",
                f"shock {shock:+g} bp",
                "-",
                "-",
                flow.hedge_flow_10y_bn,
                med,
                worst,
            ]
        )
    med, worst = timed_ms(lambda: convexity_hedge_sweep(universe), args.repeat)
    rows.append(["mortgage sweep (17 shocks)", "-200..+200 bp", "-", "-", None, med, worst])

    print(
        format_table(
            ["model", "shock", "rounds", "status", "sold / flow, USD bn", "median ms", "worst ms"],
            rows,
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
