"""`tsm scenario`: forced-selling scenarios from the shell.

* ``tsm scenario basis``: the basis-trade doom loop, by default sized from the latest
  leveraged-fund net short in Treasury futures in the store;
* ``tsm scenario swap-spread``: the swap-spread unwind;
* ``tsm scenario mortgage``: the mortgage convexity-hedging flow for a rate shock.

Numbers are parsed here rather than by argparse so that every bad input ends with one
readable line naming the flag and its allowed range, and exit code 2.
"""

from __future__ import annotations

import argparse
import json
import math
import re
import sys
from collections.abc import Callable, Mapping
from typing import Any

from analytics import forced_selling as fs
from analytics import mortgage as mtg
from analytics.assumptions import assumptions_table
from cli.table import format_table

#: Flag of each analytics parameter, so that a model's ValueError names what the user typed.
_FLAGS: Mapping[str, str] = {
    "capital_bn": "--capital-bn",
    "leverage": "--leverage",
    "haircut_after_pct": "--haircut-shock",
    "margin_after_pct": "--margin-shock",
    "haircut_multiplier": "--haircut-multiplier",
    "margin_multiplier": "--margin-multiplier",
    "haircut_pct": "--haircut",
    "margin_pct": "--margin",
    "basis_move_bp": "--basis-move-bp",
    "spread_move_bp": "--spread-move-bp",
    "impact_bp_per_100bn": "--impact-bp-per-100bn",
    "duration_yrs": "--duration-yrs",
    "max_rounds": "--max-rounds",
    "position_bn": "position (from the store)",
    "outstanding_bn": "--outstanding-bn",
    "hedged_share": "--hedged-share",
    "mortgage_rate_pct": "--mortgage-rate",
    "shock_bp": "--shock-bp",
    "ten_year_yield_pct": "--ten-year-yield",
    "yield_pct": "--ten-year-yield",
    "hedge_duration_yrs": "--hedge-duration-yrs",
    "coupon_shares coupon (%)": "--coupons coupon",
    "coupon_shares": "--coupons",
    "report_date": "--report-date",
}

#: Rounds printed in the text table (JSON always carries all of them).
_MAX_ROUNDS_SHOWN = 25


class _BadInput(Exception):
    """A user error: one line for stderr, exit code 2."""


# -- registration ------------------------------------------------------------------------------
def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser(
        "scenario",
        help="forced-selling scenarios: basis trade, swap-spread trade, mortgage convexity",
        description="Forced-selling loops and convexity-hedging flows (DOMAIN.md section 7). "
        "Percent inputs are in percent (0.5 = 0.5%%).",
    )
    kinds = parser.add_subparsers(dest="scenario", metavar="SCENARIO", required=True)

    basis = kinds.add_parser("basis", help="basis-trade doom loop (long cash, short futures)")
    basis.add_argument(
        "--capital-bn",
        metavar="K",
        help="fund capital, USD bn (position = K x leverage); default: size from the store",
    )
    basis.add_argument(
        "--from-store",
        action="store_true",
        help="size the position as the latest leveraged-fund net short in the store (default)",
    )
    basis.add_argument(
        "--report-date", metavar="YYYY-MM-DD", help="CFTC report date (default latest)"
    )
    _loop_arguments(
        basis,
        leverage=fs.DEFAULT_BASIS_LEVERAGE,
        haircut=fs.DEFAULT_BASIS_HAIRCUT_PCT,
        haircut_after=fs.DEFAULT_BASIS_HAIRCUT_AFTER_PCT,
        margin=fs.DEFAULT_BASIS_MARGIN_PCT,
        margin_after=fs.DEFAULT_BASIS_MARGIN_AFTER_PCT,
        duration="position from the store: its DV01 / notional; else "
        f"{fs.DEFAULT_BASIS_DURATION_YRS:g}",
        margin_label="futures initial margin",
    )
    basis.add_argument(
        "--basis-move-bp",
        metavar="B",
        help="basis move at the shock, bp (+ = cash cheapens vs futures, a loss; default 0)",
    )
    basis.set_defaults(func=run, scenario_func=_run_basis)

    swap = kinds.add_parser("swap-spread", help="swap-spread unwind (long Treasuries + pay fixed)")
    swap.add_argument(
        "--capital-bn",
        metavar="K",
        help=f"fund capital, USD bn (default {fs.DEFAULT_SWAP_CAPITAL_BN:g})",
    )
    _loop_arguments(
        swap,
        leverage=fs.DEFAULT_SWAP_LEVERAGE,
        haircut=fs.DEFAULT_SWAP_HAIRCUT_PCT,
        haircut_after=fs.DEFAULT_SWAP_HAIRCUT_AFTER_PCT,
        margin=fs.DEFAULT_SWAP_MARGIN_PCT,
        margin_after=fs.DEFAULT_SWAP_MARGIN_AFTER_PCT,
        duration=f"{fs.DEFAULT_SWAP_DURATION_YRS:g}",
        margin_label="swap initial margin",
    )
    swap.add_argument(
        "--spread-move-bp",
        metavar="B",
        help="swap-spread move at the shock, bp (- = more negative, a loss; default 0)",
    )
    swap.set_defaults(func=run, scenario_func=_run_swap)

    mort = kinds.add_parser("mortgage", help="mortgage convexity-hedging flow for a rate shock")
    mort.add_argument("--shock-bp", metavar="N", help="parallel rate shock, bp (required)")
    mort.add_argument(
        "--outstanding-bn",
        metavar="X",
        help=f"MBS outstanding, USD bn (default {mtg.DEFAULT_OUTSTANDING_BN:g})",
    )
    mort.add_argument("--coupon", metavar="PCT", help="one average note rate for the universe, %%")
    mort.add_argument(
        "--coupons",
        metavar="C:S,...",
        help='note-rate distribution, e.g. "3:0.2,4:0.3,5:0.5" (shares are normalised; '
        "default: an illustrative 2.5-7%% distribution)",
    )
    mort.add_argument(
        "--hedged-share",
        metavar="S",
        help=f"hedged fraction of the universe, 0..1 (default {mtg.DEFAULT_HEDGED_SHARE:g})",
    )
    mort.add_argument(
        "--mortgage-rate",
        metavar="PCT",
        help=f"current 30y mortgage rate, %% (default {mtg.DEFAULT_MORTGAGE_RATE_PCT:g})",
    )
    mort.add_argument(
        "--ten-year-yield",
        metavar="PCT",
        help="10y yield for the hedge's duration (a 10y par note), %% "
        f"(default {mtg.DEFAULT_TEN_YEAR_YIELD_PCT:g})",
    )
    mort.add_argument(
        "--hedge-duration-yrs", metavar="D", help="hedge instrument duration, years (overrides)"
    )
    mort.add_argument("--sweep", action="store_true", help="also print the -200..+200 bp sweep")
    mort.add_argument("--json", action="store_true", help="machine-readable output")
    mort.set_defaults(func=run, scenario_func=_run_mortgage)


def _loop_arguments(
    parser: argparse.ArgumentParser,
    *,
    leverage: float,
    haircut: float,
    haircut_after: float,
    margin: float,
    margin_after: float,
    duration: str,
    margin_label: str,
) -> None:
    parser.add_argument(
        "--leverage", metavar="L", help=f"position / capital (default {leverage:g})"
    )
    parser.add_argument(
        "--haircut", metavar="H", help=f"repo haircut before the shock, %% (default {haircut:g})"
    )
    parser.add_argument(
        "--haircut-shock",
        metavar="H2",
        help=f"repo haircut after the shock, %% (default {haircut_after:g})",
    )
    parser.add_argument(
        "--haircut-multiplier",
        metavar="X",
        help="haircut after = haircut x X (instead of --haircut-shock)",
    )
    parser.add_argument(
        "--margin", metavar="M", help=f"{margin_label} before the shock, %% (default {margin:g})"
    )
    parser.add_argument(
        "--margin-shock",
        metavar="M2",
        help=f"{margin_label} after the shock, %% (default {margin_after:g})",
    )
    parser.add_argument(
        "--margin-multiplier",
        metavar="X",
        help="margin after = margin x X (instead of --margin-shock)",
    )
    parser.add_argument(
        "--impact-bp-per-100bn",
        metavar="X",
        help=f"spread move per USD 100bn sold, bp (default {fs.DEFAULT_IMPACT_BP_PER_100BN:g})",
    )
    parser.add_argument(
        "--duration-yrs", metavar="D", help=f"position duration, years (default {duration})"
    )
    parser.add_argument(
        "--max-rounds", metavar="N", help=f"most rounds (default {fs.DEFAULT_MAX_ROUNDS})"
    )
    parser.add_argument("--json", action="store_true", help="machine-readable output")


# -- entry point -------------------------------------------------------------------------------
def run(args: argparse.Namespace) -> int:
    handler: Callable[[argparse.Namespace], int] = args.scenario_func
    try:
        return handler(args)
    except _BadInput as exc:
        print(f"tsm scenario {args.scenario}: {exc}", file=sys.stderr)
        return 2
    except ValueError as exc:
        # The models validate their inputs; say it with the user's flag names.
        print(f"tsm scenario {args.scenario}: {_flagged(str(exc))}", file=sys.stderr)
        return 2


def _flagged(message: str) -> str:
    for name in sorted(_FLAGS, key=len, reverse=True):
        message = re.sub(rf"(?<![\w-]){re.escape(name)}(?!\w)", _FLAGS[name], message)
    return message.splitlines()[0] if message else message


def _number(args: argparse.Namespace, dest: str, *, integer: bool = False) -> float | None:
    raw: str | None = getattr(args, dest)
    if raw is None:
        return None
    flag = "--" + dest.replace("_", "-")
    try:
        value = int(raw) if integer else float(raw)
    except ValueError:
        kind = "an integer" if integer else "a number"
        raise _BadInput(f"{flag} must be {kind}, got {raw!r}") from None
    if not math.isfinite(value):
        raise _BadInput(f"{flag} must be a finite number, got {raw!r}")
    return value


def _exclusive(args: argparse.Namespace, first: str, second: str) -> None:
    if getattr(args, first) not in (None, False) and getattr(args, second) not in (None, False):
        raise _BadInput(
            f"give either --{first.replace('_', '-')} or --{second.replace('_', '-')}, not both"
        )


def _loop_options(args: argparse.Namespace) -> dict[str, Any]:
    """Keyword arguments of a scenario dataclass from the flags the user gave."""
    _exclusive(args, "haircut_shock", "haircut_multiplier")
    _exclusive(args, "margin_shock", "margin_multiplier")
    options: dict[str, Any] = {}
    for dest, name in (
        ("leverage", "leverage"),
        ("haircut", "haircut_pct"),
        ("haircut_shock", "haircut_after_pct"),
        ("haircut_multiplier", "haircut_multiplier"),
        ("margin", "margin_pct"),
        ("margin_shock", "margin_after_pct"),
        ("margin_multiplier", "margin_multiplier"),
        ("impact_bp_per_100bn", "impact_bp_per_100bn"),
        ("duration_yrs", "duration_yrs"),
        ("capital_bn", "capital_bn"),
    ):
        value = _number(args, dest)
        if value is not None:
            options[name] = value
    # A multiplier replaces the default level after the shock.
    if "haircut_multiplier" in options:
        options["haircut_after_pct"] = None
    if "margin_multiplier" in options:
        options["margin_after_pct"] = None
    rounds = _number(args, "max_rounds", integer=True)
    if rounds is not None:
        options["max_rounds"] = int(rounds)
    return options


# -- basis -------------------------------------------------------------------------------------
def _run_basis(args: argparse.Namespace) -> int:
    _exclusive(args, "capital_bn", "from_store")
    if args.report_date is not None and args.capital_bn is not None:
        raise _BadInput("--report-date only applies when the position comes from the store")
    options = _loop_options(args)
    move = _number(args, "basis_move_bp")
    if move is not None:
        options["basis_move_bp"] = move

    source: dict[str, Any] = {"source": "input"}
    if args.capital_bn is None:
        short, mode = _store_short(args)
        if short.net_short_notional_bn <= 0.0:
            print(
                f"tsm scenario basis: leveraged funds were not net short Treasury futures on "
                f"{short.report_date.date()} (net {short.net_short_notional_bn:,.1f} USD bn); "
                "pass --capital-bn",
                file=sys.stderr,
            )
            return 1
        options.setdefault("duration_yrs", short.duration_yrs)
        scenario = fs.BasisTradeScenario(**options)
        scenario = scenario.with_position(short.net_short_notional_bn)
        source = {
            "source": "store",
            "mode": mode,
            "report_date": short.report_date.date().isoformat(),
            "net_short_notional_bn": short.net_short_notional_bn,
            "net_short_dv01_usd_mn": short.dv01_usd_mn,
            "missing_contracts": list(short.missing_contracts),
        }
    else:
        scenario = fs.BasisTradeScenario(**options)
    result = fs.basis_trade_doom_loop(scenario)
    used = {"basis_leverage": scenario.leverage, "basis_haircut_pct": scenario.haircut_pct,
            "basis_margin_pct": scenario.margin_pct, "impact_bp_per_100bn": scenario.impact_bp_per_100bn}
    _print_loop(args, result, source, move_label="basis widening",
                assumptions=assumptions_table("basis", used))
    return 0


def _store_short(args: argparse.Namespace) -> tuple[fs.LeveragedShort, str]:
    # Imported here so that the other scenarios run without touching the store layer.
    from data.market import StoreError, load_market_data

    try:
        md = load_market_data(args.store)
    except StoreError as exc:
        raise _BadInput(f"cannot read the store: {exc}; pass --capital-bn instead") from None
    if md.cftc is None or md.cftc.empty:
        raise _BadInput(
            f"the store {md.store_path} holds no CFTC positions ({md.mode} data); "
            "run `tsm refresh --source cftc` or pass --capital-bn"
        )
    try:
        short = fs.leveraged_fund_net_short(md.cftc, report_date=args.report_date)
    except ValueError as exc:
        raise _BadInput(_flagged(str(exc))) from None
    return short, md.mode


# -- swap spread -------------------------------------------------------------------------------
def _run_swap(args: argparse.Namespace) -> int:
    options = _loop_options(args)
    move = _number(args, "spread_move_bp")
    if move is not None:
        options["spread_move_bp"] = move
    scenario = fs.SwapSpreadScenario(**options)
    result = fs.swap_spread_unwind(scenario)
    used = {"swap_leverage": scenario.leverage, "impact_bp_per_100bn": scenario.impact_bp_per_100bn}
    _print_loop(args, result, {"source": "input"}, move_label="swap-spread change",
                assumptions=assumptions_table("swap-spread", used))
    return 0


def _print_loop(
    args: argparse.Namespace,
    result: fs.DeleveragingResult,
    source: dict[str, Any],
    *,
    move_label: str,
    assumptions: list[dict[str, Any]] | None = None,
) -> None:
    if args.json:
        payload = {
            "scenario": result.trade,
            **source,
            **result.summary(),
            "rounds_table": result.rounds_table.to_dict(orient="records"),
            "assumptions": assumptions or [],
        }
        print(json.dumps(_jsonable(payload), indent=2, allow_nan=False))
        return
    title = "Basis-trade doom loop" if result.trade == "basis" else "Swap-spread unwind"
    print(title)
    if source.get("source") == "store":
        missing = source["missing_contracts"]
        print(
            f"position: leveraged-fund net short in Treasury futures on {source['report_date']} "
            f"({source['mode']} data): USD {source['net_short_notional_bn']:,.1f}bn, "
            f"DV01 USD {source['net_short_dv01_usd_mn']:,.1f}mn/bp"
            + (f"; contracts missing: {', '.join(missing)}" if missing else "")
        )
        if source["mode"] == "demo":
            print("DEMO DATA: the store is empty or absent; the position is synthetic.")
    else:
        print("position: from the inputs (capital x leverage)")
    rows = [
        (
            "capital before / after, USD bn",
            f"{result.capital_before_bn:,.2f} / {result.capital_after_bn:,.2f}",
        ),
        (
            "position before / after, USD bn",
            f"{result.position_before_bn:,.1f} / {result.position_after_bn:,.1f}",
        ),
        (
            "haircut + margin before -> after, %",
            f"{result.requirement_before_pct:g} -> {result.requirement_after_pct:g}",
        ),
        (
            "duration, years / DV01 USD mn/bp",
            f"{result.duration_yrs:.2f} / {result.dv01_before_usd_mn:,.1f}",
        ),
        ("loss at the shock, USD bn", f"{result.shock_loss_bn:,.2f}"),
        ("first margin call, USD bn", f"{result.initial_margin_call_bn:,.2f}"),
        ("outcome", f"{result.status} after {result.rounds} round(s)"),
        ("total sold, USD bn (share)", f"{result.total_sold_bn:,.1f} ({result.sold_share:.1%})"),
        ("yield impact of the sales, bp", f"{result.yield_impact_bp:,.2f}"),
        (f"{move_label}, bp", f"{result.spread_change_bp:+,.2f}"),
        ("total loss, USD bn", f"{result.total_loss_bn:,.2f}"),
    ]
    print(format_table(["", ""], rows))
    table = result.rounds_table
    if not table.empty:
        print()
        shown = table.head(_MAX_ROUNDS_SHOWN)
        print(
            format_table(
                list(table.columns),
                [[int(r[0]), *(float(v) for v in r[1:])] for r in shown.itertuples(index=False)],
            )
        )
        if len(table) > len(shown):
            print(f"... {len(table) - len(shown)} more round(s); --json lists them all")
    _print_assumptions(assumptions or [])


def _print_assumptions(rows: list[dict[str, Any]]) -> None:
    """The assumptions behind the numbers above: value, range to try, evidence, source."""
    if not rows:
        return
    print()
    print("Assumptions (not observed in the data; vary them):")
    print(format_table(
        ["assumption", "used", "units", "range", "evidence", "origin"],
        [[r["label"], f"{r['used']:g}", r["units"], f"{r['range'][0]:g} - {r['range'][1]:g}", r["evidence"],
          r["origin"]] for r in rows],
    ))
    for r in rows:
        print(f"  {r['label']}: {r['source']}")


# -- mortgage ----------------------------------------------------------------------------------
def _parse_coupons(raw: str) -> dict[float, float]:
    shares: dict[float, float] = {}
    for item in raw.split(","):
        if not item.strip():
            continue
        parts = item.split(":")
        if len(parts) != 2:
            raise _BadInput(f'--coupons must look like "3:0.2,4:0.3,5:0.5", got {raw!r}')
        try:
            coupon, share = float(parts[0]), float(parts[1])
        except ValueError:
            raise _BadInput(f'--coupons must look like "3:0.2,4:0.3,5:0.5", got {raw!r}') from None
        if coupon in shares:
            raise _BadInput(f"--coupons names coupon {coupon:g} twice")
        shares[coupon] = share
    if not shares:
        raise _BadInput('--coupons must name at least one coupon, e.g. "3:0.2,4:0.3,5:0.5"')
    return shares


def _run_mortgage(args: argparse.Namespace) -> int:
    shock = _number(args, "shock_bp")
    if shock is None:
        raise _BadInput(
            f"--shock-bp is required (bp, in [-{mtg.MAX_SHOCK_BP:g}, {mtg.MAX_SHOCK_BP:g}])"
        )
    _exclusive(args, "coupon", "coupons")
    options: dict[str, Any] = {}
    for dest, name in (
        ("outstanding_bn", "outstanding_bn"),
        ("hedged_share", "hedged_share"),
        ("mortgage_rate", "mortgage_rate_pct"),
    ):
        value = _number(args, dest)
        if value is not None:
            options[name] = value
    coupon = _number(args, "coupon")
    if coupon is not None:
        options["coupon_shares"] = {coupon: 1.0}
    elif args.coupons is not None:
        options["coupon_shares"] = _parse_coupons(args.coupons)
    if coupon is not None and not 0.0 < coupon <= 25.0:
        raise _BadInput(f"--coupon must be in (0, 25], got {coupon:g}")
    universe = mtg.MortgageUniverse(**options)
    ten_year = _number(args, "ten_year_yield")
    hedge_d = _number(args, "hedge_duration_yrs")
    flow_options: dict[str, Any] = {"hedge_duration_yrs": hedge_d}
    if ten_year is not None:
        flow_options["ten_year_yield_pct"] = ten_year
    result = mtg.convexity_hedge_flow(universe, shock_bp=shock, **flow_options)
    sweep = mtg.convexity_hedge_sweep(universe, **flow_options) if args.sweep else None

    assumptions = assumptions_table("mortgage", {
        "hedged_share": universe.hedged_share, "outstanding_bn": universe.outstanding_bn,
        "base_cpr_pct": universe.prepayment.base_cpr_pct, "max_cpr_pct": universe.prepayment.max_cpr_pct})
    if args.json:
        payload: dict[str, Any] = {
            "scenario": "mortgage",
            "outstanding_bn": universe.outstanding_bn,
            "hedged_share": universe.hedged_share,
            "coupon_shares": {f"{c:g}": s for c, s in universe.coupon_shares.items()},
            **result.summary(),
            "buckets": result.buckets.to_dict(orient="records"),
            "assumptions": assumptions,
        }
        if sweep is not None:
            payload["sweep"] = sweep.reset_index().to_dict(orient="records")
        print(json.dumps(_jsonable(payload), indent=2, allow_nan=False))
        return 0

    direction = (
        "sell"
        if result.hedge_flow_10y_bn > 0
        else "buy"
        if result.hedge_flow_10y_bn < 0
        else "no trade"
    )
    print(f"Mortgage convexity hedging: {shock:+g} bp")
    rows = [
        (
            "MBS outstanding / market value, USD bn",
            f"{universe.outstanding_bn:,.0f} / {result.market_value_bn:,.0f}",
        ),
        ("average note rate, %", f"{universe.average_coupon_pct:.2f}"),
        (
            "mortgage rate before -> after, %",
            f"{result.mortgage_rate_before_pct:.2f} -> {result.mortgage_rate_after_pct:.2f}",
        ),
        (
            "CPR before -> after, % a year",
            f"{result.cpr_before_pct:.1f} -> {result.cpr_after_pct:.1f}",
        ),
        (
            "duration before -> after, years",
            f"{result.duration_before_yrs:.2f} -> {result.duration_after_yrs:.2f}",
        ),
        (
            "extension total / from prepayments, years",
            f"{result.duration_extension_yrs:+.2f} / {result.prepay_extension_yrs:+.2f}",
        ),
        ("hedged market value, USD bn", f"{result.hedged_market_value_bn:,.0f}"),
        ("change in hedged DV01, USD mn/bp", f"{result.dv01_change_usd_mn:+,.1f}"),
        ("hedge duration (10y note), years", f"{result.hedge_duration_yrs:.2f}"),
        ("10y-equivalent hedge flow, USD bn", f"{result.hedge_flow_10y_bn:+,.1f} ({direction})"),
    ]
    print(format_table(["", ""], rows))
    print()
    print(
        format_table(
            ["coupon %", "share", "CPR before", "CPR after", "price", "dur before", "dur after"],
            [
                [
                    float(c),
                    float(sh),
                    float(c0),
                    float(c1),
                    float(px) * 100.0,
                    float(d0),
                    float(d1),
                ]
                for c, sh, c0, c1, px, d0, d1 in result.buckets[
                    [
                        "coupon_pct",
                        "share",
                        "cpr_before_pct",
                        "cpr_after_pct",
                        "price",
                        "duration_before_yrs",
                        "duration_after_yrs",
                    ]
                ].to_numpy()
            ],
        )
    )
    if sweep is not None:
        print()
        print(
            format_table(
                ["shock bp", "CPR %", "duration", "prepay ext", "DV01 chg mn", "flow 10y bn"],
                [
                    [float(s), *(float(v) for v in row)]
                    for s, row in zip(
                        sweep.index,
                        sweep[
                            [
                                "cpr_pct",
                                "duration_yrs",
                                "prepay_extension_yrs",
                                "dv01_change_usd_mn",
                                "hedge_flow_10y_bn",
                            ]
                        ].itertuples(index=False),
                        strict=True,
                    )
                ],
            )
        )
    _print_assumptions(assumptions)
    return 0


def _jsonable(value: Any) -> Any:
    """Plain JSON types; NaN becomes null (strict JSON has no NaN)."""
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if hasattr(value, "item") and not isinstance(value, str):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value
