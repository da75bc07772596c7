"""`tsm risk`: price, yield, OAS, durations, convexity and key rates of a bond, or of a portfolio.

One bond::

    tsm risk --coupon 2 --maturity 8 --price 100.61 [--json]
    tsm risk --coupon 5 --maturity 10 --price 99 --callable-after 3 --vol-bp 100
    tsm risk --coupon 3 --maturity 10 --price 98.5 --muni --ordinary-rate 0.4 --capital-gains-rate 0.2
    tsm risk --coupon 4 --maturity 10 --yield 4.2 --curve store:2025-04-11

Curves (``--curve``):

* ``flat`` (default): flat at the bond's own street yield (from ``--yield``, or from ``--price``).
  For a callable the yield is the bullet-equivalent yield of the price, and the OAS is then
  solved so that the tree reprices the price: it comes out negative, minus the option cost
  in spread terms. For a muni it is the pre-tax yield, and the spread solved to reprice after
  tax is shown in the table.
* ``flat:PCT``: flat at PCT percent (semiannual bond-equivalent).
* ``store:DATE`` (or ``store`` for the latest): the CMT curve of the last day on or before DATE
  in the store, bootstrapped (analytics.curves).

A portfolio file (docs/portfolio_format.md)::

    tsm risk --portfolio book.csv --curve store:2025-04-11 [--scenario-bp 100] [--replay 2025-04-02]
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd

from analytics.bonds import (
    DEFAULT_FREQUENCY,
    FREQUENCIES,
    MAX_COUPON_PCT,
    MAX_MATURITY_YEARS,
    MAX_PRICE,
    YIELD_RANGE_PCT,
    Bullet,
    yield_from_price,
)
from analytics.checks import InputError
from analytics.curves import (
    PAR_YIELD_RANGE_PCT,
    ZeroCurve,
    bootstrap_par_curve,
    flat_curve,
    par_yields_on,
)
from analytics.hullwhite import (
    DEFAULT_CALL_PRICE,
    DEFAULT_MEAN_REVERSION,
    DEFAULT_TREE_STEPS,
    DEFAULT_VOL_BP,
    MAX_VOL_BP,
    MEAN_REVERSION_RANGE,
    TREE_STEPS_RANGE,
    HullWhiteParams,
)
from analytics.instruments import InstrumentTerms, build_instrument
from analytics.muni import DEFAULT_CAPITAL_GAINS_RATE, DEFAULT_ORDINARY_RATE
from analytics.portfolio import (
    HistoricalReplay,
    ParallelShock,
    PricedPortfolio,
    Scenario,
    TwistShock,
)
from analytics.risk import (
    DEFAULT_SHIFT_BP,
    SHIFT_BP_RANGE,
    SHIFT_CONVENTION,
    YIELD_BASES,
    Instrument,
    PortfolioRisk,
    RiskReport,
    bond_risk,
    default_futures_dv01_usd,
)
from analytics.tenors import KEY_TENORS
from cli.table import format_table

#: Size of the standard portfolio scenarios (parallel and twist, bp) unless told otherwise.
DEFAULT_SCENARIO_BP = 100.0
#: Largest scenario size accepted, bp.
MAX_SCENARIO_BP = 1_000.0


#: InstrumentTerms / analytics parameter -> the flag that sets it (for InputError.param).
_FLAG_OF: dict[str, str] = {
    "coupon_pct": "--coupon",
    "maturity_years": "--maturity",
    "frequency": "--frequency",
    "call_after_years": "--callable-after",
    "call_price": "--call-price",
    "vol_bp": "--vol-bp",
    "mean_reversion": "--mean-reversion",
    "steps": "--tree-steps",
    "ordinary_rate": "--ordinary-rate",
    "capital_gains_rate": "--capital-gains-rate",
    "issue_price": "--issue-price",
    "years_since_issue": "--years-since-issue",
    "shift_bp": "--shift-bp",
    "price": "--price",
    "price_clean": "--price",
    "yield_pct": "--yield",
}


class _BadInput(InputError):
    """A flag value the user must change (exit status 2); ``param`` is the flag."""

    def __init__(self, message: str, *, flag: str = "") -> None:
        super().__init__(flag or message.split(" ", 1)[0], message)


class _StoreFailure(RuntimeError):
    """The store could not be read (exit status 1)."""


@dataclass(frozen=True)
class _Curve:
    """The curve chosen by --curve, with what to tell the user about it (data mode, date)."""

    curve: ZeroCurve
    label: str
    mode: str | None
    day: pd.Timestamp | None


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser(
        "risk",
        help="price, yield, OAS, durations, convexity and key rates of a bond or a portfolio",
        description="Risk of one bond (--coupon/--maturity) or of a portfolio file (--portfolio).",
    )
    bond = parser.add_argument_group("one bond")
    bond.add_argument("--coupon", type=float, metavar="PCT", help="annual coupon, percent")
    bond.add_argument("--maturity", type=float, metavar="YEARS", help="years to maturity")
    quote = bond.add_mutually_exclusive_group()
    quote.add_argument("--price", type=float, metavar="P", help="clean price per 100")
    quote.add_argument("--yield", dest="yield_pct", type=float, metavar="PCT",
                       help="street yield, percent (for callables: to maturity unless --yield-to worst)")
    bond.add_argument("--yield-to", choices=YIELD_BASES, default="maturity",
                      help="for callables, read --yield as yield to maturity (default) or to worst "
                           "(the lowest price over the call dates and maturity)")
    bond.add_argument("--frequency", type=int, default=DEFAULT_FREQUENCY, choices=FREQUENCIES,
                      help=f"coupons a year (default {DEFAULT_FREQUENCY})")
    call = parser.add_argument_group("callable (Hull-White tree)")
    call.add_argument("--callable-after", type=float, metavar="YEARS",
                      help="callable on coupon dates from this many years on")
    call.add_argument("--call-price", type=float, default=DEFAULT_CALL_PRICE, metavar="P",
                      help=f"call price per 100 (default {DEFAULT_CALL_PRICE:g})")
    call.add_argument("--vol-bp", type=float, default=DEFAULT_VOL_BP, metavar="V",
                      help=f"normal short-rate volatility, bp a year (default {DEFAULT_VOL_BP:g})")
    call.add_argument("--mean-reversion", type=float, default=DEFAULT_MEAN_REVERSION, metavar="A",
                      help=f"Hull-White mean reversion per year (default {DEFAULT_MEAN_REVERSION:g})")
    call.add_argument("--tree-steps", type=int, default=DEFAULT_TREE_STEPS, metavar="N",
                      help=f"tree steps (default {DEFAULT_TREE_STEPS})")
    muni = parser.add_argument_group("municipal bond (de minimis tax)")
    muni.add_argument("--muni", action="store_true", help="tax-aware municipal bond")
    muni.add_argument("--ordinary-rate", type=float, default=DEFAULT_ORDINARY_RATE, metavar="R",
                      help=f"ordinary-income tax rate, decimal (default {DEFAULT_ORDINARY_RATE:g})")
    muni.add_argument("--capital-gains-rate", type=float, default=DEFAULT_CAPITAL_GAINS_RATE, metavar="R",
                      help=f"capital-gains tax rate, decimal (default {DEFAULT_CAPITAL_GAINS_RATE:g})")
    muni.add_argument("--issue-price", type=float, default=None, metavar="P",
                      help="issue price per 100: an original-issue discount accretes tax-free "
                           "(default: issued at par)")
    muni.add_argument("--years-since-issue", type=float, default=0.0, metavar="YEARS",
                      help="years from issue to settlement, for the OID accretion (default 0)")
    book = parser.add_argument_group("portfolio")
    book.add_argument("--portfolio", type=Path, metavar="FILE",
                      help="portfolio CSV (docs/portfolio_format.md) instead of one bond")
    book.add_argument("--settlement", metavar="DATE",
                      help="settlement date for dated maturities (default: the curve date, else today)")
    book.add_argument("--scenario-bp", type=float, default=DEFAULT_SCENARIO_BP, metavar="N",
                      help=f"size of the parallel and twist scenarios, bp (default {DEFAULT_SCENARIO_BP:g})")
    book.add_argument("--replay", metavar="DATE",
                      help="also replay the store's curve change from DATE to the curve date")
    book.add_argument("--futures-dv01", action="append", default=[], metavar="KEY=USD",
                      help="override a futures DV01 per contract, e.g. UST_10Y=62 (repeatable)")
    parser.add_argument("--shift-bp", type=float, default=DEFAULT_SHIFT_BP, metavar="N",
                        help=f"curve shift for durations, convexity and key rates, bp (default {DEFAULT_SHIFT_BP:g}); "
                             f"it moves the {SHIFT_CONVENTION['semiannual']}")
    parser.add_argument("--curve", default="flat", metavar="flat|flat:PCT|store[:DATE]",
                        help="discount curve (default flat at the bond's own yield)")
    parser.add_argument("--json", action="store_true", help="machine-readable output")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    try:
        if args.portfolio is not None:
            return _run_portfolio(args)
        return _run_bond(args)
    except _StoreFailure as exc:
        print(f"risk: {exc}", file=sys.stderr)
        return 1
    except InputError as exc:  # bad flags, and inputs the analytics reject (message says why)
        flag = _FLAG_OF.get(exc.param, "")
        text = str(exc)
        prefix = f"{flag}: " if flag and not text.startswith(flag) else ""
        print(f"risk: {prefix}{text}", file=sys.stderr)
        return 2
    except ValueError as exc:  # other inputs the analytics reject (message says why)
        print(f"risk: {exc}", file=sys.stderr)
        return 2


def _check_range(flag: str, value: float, lo: float, hi: float, *, lo_open: bool = False,
                 hi_open: bool = False) -> None:
    low_ok = value > lo if lo_open else value >= lo
    high_ok = value < hi if hi_open else value <= hi
    if not math.isfinite(value) or not (low_ok and high_ok):
        lb, rb = ("(" if lo_open else "["), (")" if hi_open else "]")
        raise _BadInput(f"{flag} must be in {lb}{lo:g}, {hi:g}{rb}, got {value:g}", flag=flag)


def _validate_bond_flags(args: argparse.Namespace) -> None:
    if args.coupon is None or args.maturity is None:
        raise _BadInput("give --coupon PCT and --maturity YEARS (or --portfolio FILE)")
    _check_range("--coupon", args.coupon, 0.0, MAX_COUPON_PCT, hi_open=True)
    _check_range("--maturity", args.maturity, 0.0, MAX_MATURITY_YEARS, lo_open=True)
    if args.price is not None:
        _check_range("--price", args.price, 0.0, MAX_PRICE, lo_open=True)
    if args.yield_pct is not None:
        _check_range("--yield", args.yield_pct, *YIELD_RANGE_PCT)
    _validate_common(args)
    if args.callable_after is not None:
        _check_range("--callable-after", args.callable_after, 0.0, args.maturity, hi_open=True)
        _check_range("--call-price", args.call_price, 0.0, MAX_PRICE, lo_open=True)
        _check_range("--vol-bp", args.vol_bp, 0.0, MAX_VOL_BP)
        _check_range("--mean-reversion", args.mean_reversion, *MEAN_REVERSION_RANGE)
        _check_range("--tree-steps", args.tree_steps, *TREE_STEPS_RANGE)
    if args.muni:
        _check_range("--ordinary-rate", args.ordinary_rate, 0.0, 1.0, hi_open=True)
        _check_range("--capital-gains-rate", args.capital_gains_rate, 0.0, 1.0, hi_open=True)


def _validate_common(args: argparse.Namespace) -> None:
    _check_range("--shift-bp", args.shift_bp, *SHIFT_BP_RANGE, lo_open=True)


def _instrument(args: argparse.Namespace) -> tuple[Instrument, HullWhiteParams]:
    params = HullWhiteParams(mean_reversion=args.mean_reversion, vol_bp=args.vol_bp, steps=args.tree_steps)
    terms = InstrumentTerms(
        coupon_pct=args.coupon,
        maturity_years=args.maturity,
        frequency=args.frequency,
        call_after_years=args.callable_after,
        call_price=args.call_price,
        muni=args.muni,
        ordinary_rate=args.ordinary_rate,
        capital_gains_rate=args.capital_gains_rate,
        issue_price=args.issue_price,
        years_since_issue=args.years_since_issue,
    )
    return build_instrument(terms), params


def _store_curve(args: argparse.Namespace, spec: str) -> _Curve:
    # Imported here: the store layer is only needed for store curves.
    from data.market import load_market_data
    from data.store import StoreError

    as_of = spec.partition(":")[2].strip() or None
    if as_of is not None and as_of.lower() == "latest":
        as_of = None
    if as_of is not None:
        try:
            date.fromisoformat(as_of)
        except ValueError:
            raise _BadInput(f"--curve store:DATE needs a date as YYYY-MM-DD, got {as_of!r}") from None
    try:
        md = load_market_data(args.store)
    except StoreError as exc:
        raise _StoreFailure(f"cannot read the store {args.store}: {exc}") from exc
    try:
        day, par = par_yields_on(md.yields, as_of)
    except ValueError as exc:
        raise _BadInput(f"--curve {spec}: {exc}") from exc
    return _Curve(bootstrap_par_curve(par), f"store CMT curve of {day.date()}", md.mode, day)


def _curve(args: argparse.Namespace, *, own_yield_pct: float | None) -> _Curve:
    spec = str(args.curve).strip()
    kind = spec.partition(":")[0].lower()
    if kind == "store":
        return _store_curve(args, spec)
    if kind != "flat":
        raise _BadInput(f"--curve must be flat, flat:PCT or store:DATE, got {spec!r}")
    level = spec.partition(":")[2].strip()
    if level:
        try:
            pct = float(level)
        except ValueError:
            raise _BadInput(f"--curve flat:PCT needs a number, got {level!r}") from None
        _check_range("--curve flat:PCT", pct, *PAR_YIELD_RANGE_PCT)
        return _Curve(flat_curve(pct, frequency=DEFAULT_FREQUENCY), f"flat {pct:g}% (semiannual)", None, None)
    if own_yield_pct is None:
        raise _BadInput("--curve flat needs the bond's own yield: give --price or --yield, or use --curve flat:PCT")
    freq = getattr(args, "frequency", DEFAULT_FREQUENCY)
    return _Curve(flat_curve(own_yield_pct, frequency=freq),
                  f"flat at the bond's own yield {own_yield_pct:.4f}%", None, None)


def _run_bond(args: argparse.Namespace) -> int:
    _validate_bond_flags(args)
    instrument, params = _instrument(args)
    bullet = instrument.bullet if not isinstance(instrument, Bullet) else instrument
    own_yield = args.yield_pct
    if own_yield is None and args.price is not None:
        own_yield = yield_from_price(bullet, args.price)
    chosen = _curve(args, own_yield_pct=own_yield)
    report = bond_risk(instrument, chosen.curve, price_clean=args.price, yield_pct=args.yield_pct,
                       shift_bp=args.shift_bp, params=params, yield_basis=args.yield_to)
    if args.json:
        print(json.dumps(_contract(report), indent=2))
    else:
        _print_bond(args, report, chosen)
    return 0


def _contract(r: RiskReport) -> dict[str, Any]:
    return {
        "price": r.price_clean,
        "yield_pct": r.yield_pct,
        "oas_bp": r.oas_bp,
        "modified_duration": r.modified_duration,
        "effective_duration": r.effective_duration,
        "convexity": r.convexity,
        "up_duration": r.up_duration,
        "down_duration": r.down_duration,
        "prices": {"base": r.price_clean, "up": r.price_up, "down": r.price_down},
        "krd": {k: r.krd[k] for k in KEY_TENORS},
        "krd_sum": r.krd_sum,
        "shift_convention": r.shift_convention,
        "convexity_span_bp": r.convexity_span_bp,
        "yield_to_worst_pct": r.yield_to_worst_pct,
        "workout_years": r.workout_years,
        "yield_basis": r.yield_basis,
        "warnings": _warnings(r),
    }


def _warnings(r: RiskReport) -> list[str]:
    """What a reader of a callable's numbers must know (empty for bullets)."""
    out: list[str] = []
    if r.yield_to_worst_pct is not None and r.workout_years is not None and r.yield_basis == "maturity" \
            and r.yield_to_worst_pct < r.yield_pct - 1e-9:
        out.append(
            f"--yield was read as yield to maturity; the price's yield to worst is "
            f"{r.yield_to_worst_pct:.4f}% to the call in {r.workout_years:g} years "
            f"(use --yield-to worst to quote to worst)"
        )
    return out


def _describe(args: argparse.Namespace) -> str:
    text = f"{args.coupon:g}% coupon, {args.maturity:g} years, {args.frequency} coupons a year"
    if args.callable_after is not None:
        text += (f", callable after {args.callable_after:g}y at {args.call_price:g} "
                 f"(Hull-White a={args.mean_reversion:g}, vol {args.vol_bp:g} bp, {args.tree_steps} steps)")
    if args.muni:
        text += (f", muni (ordinary {args.ordinary_rate:g}, capital gains {args.capital_gains_rate:g}"
                 + (f", issued at {args.issue_price:g} {args.years_since_issue:g} years ago"
                    if args.issue_price is not None else "") + ")")
    return text


def _print_bond(args: argparse.Namespace, r: RiskReport, chosen: _Curve) -> None:
    print(f"bond: {_describe(args)}")
    print(f"curve: {chosen.label}" + (f" ({chosen.mode} data)" if chosen.mode else ""))
    if chosen.mode == "demo":
        print("DEMO DATA: the store is empty or absent; the curve is synthetic.")
    rows: list[tuple[str, object, str]] = [
        ("price (clean)", r.price_clean, "per 100"),
        ("accrued", r.accrued, "per 100"),
        ("yield", r.yield_pct, "% street" + (", to maturity" if r.oas_bp is not None else "")),
        ("OAS" if r.oas_bp is not None else "spread over curve", r.spread_bp, "bp"),
        ("modified duration", r.modified_duration, "years, own yield"),
        ("effective duration", r.effective_duration, f"years, curve +/-{r.shift_bp:g} bp"),
        ("convexity", r.convexity, "years^2" + (f", fitted over +/-{r.convexity_span_bp:.0f} bp"
                                                if r.oas_bp is not None else "")),
        ("up-duration", r.up_duration, "years"),
        ("down-duration", r.down_duration, "years"),
        ("price curve down", r.price_down, f"-{r.shift_bp:g} bp"),
        ("price curve up", r.price_up, f"+{r.shift_bp:g} bp"),
    ]
    if r.yield_to_worst_pct is not None and r.workout_years is not None:
        rows.insert(3, ("yield to worst", r.yield_to_worst_pct, f"% street, workout in {r.workout_years:g} years"))
    if r.tax_rate is not None:
        rows.append(("tax rate on discount", r.tax_rate, "at the base price"))
    print(format_table(["measure", "value", "unit"], [(m, _fmt(v), u) for m, v, u in rows]))
    print(f"shifts move the {r.shift_convention}")
    for line in _warnings(r):
        print(f"warning: {line}")
    print()
    krd_rows = [(k, _fmt(r.krd[k])) for k in KEY_TENORS] + [("sum", _fmt(r.krd_sum))]
    print(format_table(["key rate", "duration"], krd_rows))


def _fmt(value: object) -> object:
    return f"{value:,.4f}" if isinstance(value, float) else value


def _parse_futures(items: list[str]) -> dict[str, float]:
    known = default_futures_dv01_usd()
    out: dict[str, float] = {}
    for item in items:
        key, sep, raw = item.partition("=")
        key = key.strip().upper()
        if not sep or key not in known:
            raise _BadInput(f"--futures-dv01 must be KEY=USD with KEY one of {', '.join(known)}, got {item!r}")
        try:
            out[key] = float(raw)
        except ValueError:
            raise _BadInput(f"--futures-dv01 {key}: {raw!r} is not a number") from None
        _check_range(f"--futures-dv01 {key}", out[key], 0.0, 1e6, lo_open=True)
    return out


def _run_portfolio(args: argparse.Namespace) -> int:
    from data.portfolio import read_portfolio

    _validate_common(args)
    _check_range("--scenario-bp", args.scenario_bp, 0.0, MAX_SCENARIO_BP, lo_open=True)
    futures = _parse_futures(args.futures_dv01)
    if str(args.curve).strip().lower() == "flat":
        raise _BadInput("a portfolio needs --curve flat:PCT or --curve store[:DATE]")
    chosen = _curve(args, own_yield_pct=None)
    if args.settlement:
        try:
            settlement = date.fromisoformat(args.settlement)
        except ValueError:
            raise _BadInput(f"--settlement must be a date as YYYY-MM-DD, got {args.settlement!r}") from None
    else:
        settlement = chosen.day.date() if chosen.day is not None else date.today()
    parsed = read_portfolio(args.portfolio, settlement=settlement)
    if parsed.errors:
        for err in parsed.errors:
            print(f"risk: {err}", file=sys.stderr)
        return 2
    book = PricedPortfolio(parsed.positions, chosen.curve)
    risk = book.risk(shift_bp=args.shift_bp, futures_dv01_usd=futures)
    scenarios: list[Scenario] = [
        ParallelShock(shift_bp=args.scenario_bp),
        ParallelShock(shift_bp=-args.scenario_bp),
        TwistShock(twist_bp=args.scenario_bp),
        TwistShock(twist_bp=-args.scenario_bp),
    ]
    if args.replay:
        scenarios.append(_replay(args, chosen))
    pnl = book.scenario_pnl(scenarios)
    if args.json:
        print(json.dumps(_portfolio_json(risk, pnl, chosen, settlement), indent=2))
        return 0
    print(f"portfolio: {args.portfolio} ({len(parsed.positions)} positions, settlement {settlement})")
    print(f"curve: {chosen.label}" + (f" ({chosen.mode} data)" if chosen.mode else ""))
    if chosen.mode == "demo":
        print("DEMO DATA: the store is empty or absent; the curve is synthetic.")
    print()
    print(format_table(
        ["id", "kind", "face USD", "price", "yield %", "spread/OAS bp", "eff dur", "MV USD", "DV01 USD"],
        [
            (p.position_id, p.report.kind, p.face_usd, _fmt(p.report.price_clean), _fmt(p.report.yield_pct),
             _fmt(p.report.spread_bp), _fmt(p.report.effective_duration), p.market_value_usd, p.dv01_usd)
            for p in risk.positions
        ],
    ))
    print(f"\ntotal market value {risk.market_value_usd:,.2f} USD, DV01 {risk.dv01_usd:,.2f} USD/bp, "
          f"effective duration {risk.effective_duration:.4f}")
    print()
    print(format_table(
        ["bucket", "KRD DV01 USD", "future", "DV01/contract USD", "contracts to sell"],
        [(h.bucket, h.bucket_dv01_usd, h.contract_key, h.contract_dv01_usd, h.hedge_ratio) for h in risk.hedges],
    ))
    print()
    totals = pnl.groupby("scenario", sort=False)["pnl_usd"].sum()
    print(format_table(["scenario", "P&L USD"], [(str(k), float(v)) for k, v in totals.items()]))
    return 0


def _replay(args: argparse.Namespace, chosen: _Curve) -> Scenario:
    if chosen.day is None:
        raise _BadInput("--replay needs --curve store[:DATE] (the change is read from the store)")
    from data.market import load_market_data

    md = load_market_data(args.store)
    try:
        start_day, start = par_yields_on(md.yields, args.replay)
        end_day, end = par_yields_on(md.yields, chosen.day)
    except ValueError as exc:
        raise _BadInput(f"--replay {args.replay}: {exc}") from exc
    return HistoricalReplay(start_par_pct=start, end_par_pct=end,
                            label=f"{start_day.date()}..{end_day.date()}")


def _portfolio_json(risk: PortfolioRisk, pnl: pd.DataFrame, chosen: _Curve, settlement: date) -> dict[str, Any]:
    scenarios: dict[str, Any] = {}
    for name, group in pnl.groupby("scenario", sort=False):
        scenarios[str(name)] = {
            "total_pnl_usd": float(group["pnl_usd"].sum()),
            "pnl_usd": {str(i): float(v) for i, v in zip(group["position_id"], group["pnl_usd"], strict=True)},
        }
    return {
        "curve": chosen.label,
        "data": chosen.mode,
        "settlement": settlement.isoformat(),
        "positions": [
            {
                "id": p.position_id,
                "kind": p.report.kind,
                "face_usd": p.face_usd,
                "price": p.report.price_clean,
                "yield_pct": p.report.yield_pct,
                "oas_bp": p.report.oas_bp,
                "spread_bp": p.report.spread_bp,
                "effective_duration": p.report.effective_duration,
                "market_value_usd": p.market_value_usd,
                "dv01_usd": p.dv01_usd,
                "krd_dv01_usd": p.krd_dv01_usd,
            }
            for p in risk.positions
        ],
        "totals": {
            "market_value_usd": risk.market_value_usd,
            "dv01_usd": risk.dv01_usd,
            "effective_duration": risk.effective_duration,
        },
        "krd_dv01_usd": dict(risk.krd_dv01_usd),
        "hedges": [
            {"bucket": h.bucket, "contract": h.contract_key, "bucket_dv01_usd": h.bucket_dv01_usd,
             "contract_dv01_usd": h.contract_dv01_usd, "contracts_to_sell": h.hedge_ratio}
            for h in risk.hedges
        ],
        "scenarios": scenarios,
    }
