"""Forced-selling loops of leveraged Treasury trades: the basis-trade doom loop and the
swap-spread unwind (DOMAIN.md section 7), plus the starting size from CFTC positioning.

Both trades are long cash Treasuries financed in repo (haircut h) against a hedge that posts
initial margin m (short futures for the basis trade, a pay-fixed swap for the swap-spread
trade). A fund with capital K at leverage L holds a position P = L x K and must post
``P x (h + m)``. A volatility shock raises h and m and moves the trade's spread against the
fund; when the requirement exceeds capital, the fund sells; its sales move the spread (a
linear price-impact coefficient, bp per USD 100bn sold), which marks the remaining position
down, which triggers the next round. One engine (:func:`_deleverage`) runs the loop; the two
public functions are two parameterisations of it.

Round t, from capital K_t and position P_t, with requirement ratio r = h' + m' (fractions):

* margin call ``C_t = P_t r - K_t``; the loop stops when ``C_t <= tolerance``;
* sales ``s_t = min(P_t, C_t / r)`` (what meets the call at unchanged prices);
* the spread moves by ``lambda s_t`` bp (lambda = impact per bn); the position held during
  the sales loses ``D x 1e-4 x lambda x s_t x (P_t - s_t / 2)``: the bonds kept lose the
  whole move, the bonds sold lose half of it on average (they are sold into a falling market);
* ``K_{t+1} = K_t - loss_t``, ``P_{t+1} = P_t - s_t``.

With this accounting the total loss after cumulative sales S is
``D 1e-4 lambda (P_0 S - S^2 / 2)`` whatever the number of rounds, the sequence of
cumulative sales increases towards the smallest S at which the fund meets its margin (it
never overshoots it), and the amount sold is monotone in the shock, the leverage and the
impact coefficient. If no such S exists the fund sells everything (status "liquidated").
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Final, Literal, TypeVar

import numpy as np
import pandas as pd

from analytics.checks import InputError, check_range
from analytics.tenors import TRADER_GROUPS, TREASURY_FUTURES, FuturesContract

__all__ = [
    "DEFAULT_BASIS_CAPITAL_BN",
    "DEFAULT_BASIS_LEVERAGE",
    "DEFAULT_BASIS_HAIRCUT_PCT",
    "DEFAULT_BASIS_MARGIN_PCT",
    "DEFAULT_BASIS_HAIRCUT_AFTER_PCT",
    "DEFAULT_BASIS_MARGIN_AFTER_PCT",
    "DEFAULT_BASIS_DURATION_YRS",
    "DEFAULT_SWAP_CAPITAL_BN",
    "DEFAULT_SWAP_LEVERAGE",
    "DEFAULT_SWAP_HAIRCUT_PCT",
    "DEFAULT_SWAP_MARGIN_PCT",
    "DEFAULT_SWAP_HAIRCUT_AFTER_PCT",
    "DEFAULT_SWAP_MARGIN_AFTER_PCT",
    "DEFAULT_SWAP_DURATION_YRS",
    "DEFAULT_IMPACT_BP_PER_100BN",
    "DEFAULT_MAX_ROUNDS",
    "DEFAULT_TOLERANCE_BN",
    "LEVERAGED_GROUP",
    "ROUND_COLUMNS",
    "Status",
    "BasisTradeScenario",
    "SwapSpreadScenario",
    "DeleveragingResult",
    "LeveragedShort",
    "basis_trade_doom_loop",
    "swap_spread_unwind",
    "leveraged_fund_net_short",
]

#: Basis trade: capital, USD bn (x 50 = USD 1tn, the order of the 2025 leveraged-fund short).
DEFAULT_BASIS_CAPITAL_BN: Final[float] = 20.0
#: Basis trade: leverage = position / capital ("50x is normal, 100x happens").
DEFAULT_BASIS_LEVERAGE: Final[float] = 50.0
#: Basis trade: repo haircut on the cash Treasuries before the shock, % of position.
DEFAULT_BASIS_HAIRCUT_PCT: Final[float] = 0.5
#: Basis trade: futures initial margin before the shock, % of notional.
DEFAULT_BASIS_MARGIN_PCT: Final[float] = 1.0
#: Basis trade: haircut and margin after the volatility shock, % (a doubling of each).
DEFAULT_BASIS_HAIRCUT_AFTER_PCT: Final[float] = 1.0
DEFAULT_BASIS_MARGIN_AFTER_PCT: Final[float] = 2.0
#: Basis trade: modified duration of the cash position, years (the leveraged-fund short's
#: DV01 / notional with the default contract DV01s is ~6.6 in 2026).
DEFAULT_BASIS_DURATION_YRS: Final[float] = 6.5

#: Swap-spread trade: capital, USD bn, and leverage (position USD 500bn).
DEFAULT_SWAP_CAPITAL_BN: Final[float] = 20.0
DEFAULT_SWAP_LEVERAGE: Final[float] = 25.0
#: Swap-spread trade: repo haircut and swap initial margin before the shock, %.
DEFAULT_SWAP_HAIRCUT_PCT: Final[float] = 1.0
DEFAULT_SWAP_MARGIN_PCT: Final[float] = 2.0
#: Swap-spread trade: haircut and swap initial margin after the shock, %.
DEFAULT_SWAP_HAIRCUT_AFTER_PCT: Final[float] = 2.0
DEFAULT_SWAP_MARGIN_AFTER_PCT: Final[float] = 3.0
#: Swap-spread trade: modified duration of the long 10y Treasury leg, years.
DEFAULT_SWAP_DURATION_YRS: Final[float] = 8.0

#: Price impact: move of the trade's spread (cash yield against its hedge), bp per USD 100bn
#: sold. An illustrative assumption to be varied, not an estimate.
DEFAULT_IMPACT_BP_PER_100BN: Final[float] = 2.0
#: Loop limits: rounds, and the margin call (USD bn) below which the loop has converged
#: (USD 1mn: the sales left undone are then below USD 1mn / (haircut + margin)).
DEFAULT_MAX_ROUNDS: Final[int] = 100
DEFAULT_TOLERANCE_BN: Final[float] = 1e-3

#: CFTC trader group whose net short proxies the basis trade.
LEVERAGED_GROUP: Final[str] = "lev_money"
#: Columns of every per-round table.
ROUND_COLUMNS: Final[tuple[str, ...]] = (
    "round",
    "sold_bn",
    "cumulative_sold_bn",
    "yield_impact_bp",
    "loss_bn",
    "capital_bn",
    "position_bn",
    "margin_call_bn",
)

#: Accepted ranges.
_MAX_CAPITAL_BN: Final[float] = 10_000.0
_MAX_LEVERAGE: Final[float] = 1_000.0
_MAX_MOVE_BP: Final[float] = 1_000.0
_MAX_IMPACT_BP_PER_100BN: Final[float] = 1_000.0
_MAX_DURATION_YRS: Final[float] = 40.0
_MAX_MULTIPLIER: Final[float] = 100.0
_MAX_ROUNDS_LIMIT: Final[int] = 100_000
_BP: Final[float] = 1e-4
_CFTC_COLUMNS: Final[tuple[str, ...]] = (
    "report_date",
    "contract_code",
    "trader_group",
    "long",
    "short",
)

Status = Literal["no_call", "converged", "liquidated", "max_rounds"]


_S = TypeVar("_S", bound="_LeveragedTradeScenario")


@dataclass(frozen=True, kw_only=True)
class _LeveragedTradeScenario:
    """Fields and checks shared by the two trades; see the subclasses for the defaults."""

    capital_bn: float
    leverage: float
    haircut_pct: float
    margin_pct: float
    haircut_after_pct: float | None
    margin_after_pct: float | None
    haircut_multiplier: float = 1.0
    margin_multiplier: float = 1.0
    impact_bp_per_100bn: float = DEFAULT_IMPACT_BP_PER_100BN
    duration_yrs: float
    max_rounds: int = DEFAULT_MAX_ROUNDS
    tolerance_bn: float = DEFAULT_TOLERANCE_BN

    def __post_init__(self) -> None:
        check_range("capital_bn", self.capital_bn, 0.0, _MAX_CAPITAL_BN, low_open=True)
        check_range("leverage", self.leverage, 0.0, _MAX_LEVERAGE, low_open=True)
        check_range("haircut_pct", self.haircut_pct, 0.0, 100.0)
        check_range("margin_pct", self.margin_pct, 0.0, 100.0)
        for name, after, multiplier in (
            ("haircut", self.haircut_after_pct, self.haircut_multiplier),
            ("margin", self.margin_after_pct, self.margin_multiplier),
        ):
            check_range(f"{name}_multiplier", multiplier, 0.0, _MAX_MULTIPLIER)
            if after is not None:
                check_range(f"{name}_after_pct", after, 0.0, 100.0)
                if multiplier != 1.0:
                    raise ValueError(f"give either {name}_after_pct or {name}_multiplier, not both")
        if self.haircut_shocked_pct > 100.0 or self.margin_shocked_pct > 100.0:
            raise ValueError(
                "haircut_multiplier and margin_multiplier must keep the shocked haircut and "
                f"margin at most 100%, got {self.haircut_shocked_pct:g}% and "
                f"{self.margin_shocked_pct:g}%"
            )
        if self.requirement_after_pct <= 0.0:
            raise ValueError(
                "haircut and margin after the shock must not both be 0 (nothing to post)"
            )
        check_range("impact_bp_per_100bn", self.impact_bp_per_100bn, 0.0, _MAX_IMPACT_BP_PER_100BN)
        check_range("duration_yrs", self.duration_yrs, 0.0, _MAX_DURATION_YRS, low_open=True)
        rounds = self.max_rounds
        if (
            isinstance(rounds, bool)
            or not isinstance(rounds, int)
            or not 1 <= rounds <= _MAX_ROUNDS_LIMIT
        ):
            raise InputError(
                "max_rounds",
                f"max_rounds must be an integer in [1, {_MAX_ROUNDS_LIMIT}], got {rounds!r}"
            )
        check_range("tolerance_bn", self.tolerance_bn, 0.0, 1.0, low_open=True)
        before_pct = self.requirement_before_pct
        used_pct = self.leverage * before_pct
        if used_pct > 100.0 * (1.0 + 1e-12):
            # before_pct > 0 here, so the largest leverage allowed is finite.
            raise ValueError(
                "leverage x (haircut_pct + margin_pct) must be at most 100% before the shock "
                f"(else the fund starts under-margined): got {self.leverage:g} x "
                f"{before_pct:g}% = {used_pct:g}%, so leverage must be in "
                f"(0, {100.0 / before_pct:g}]"
            )

    @property
    def position_bn(self) -> float:
        """Cash Treasury position, USD bn (= capital x leverage)."""
        return self.capital_bn * self.leverage

    @property
    def haircut_shocked_pct(self) -> float:
        """Repo haircut after the shock, %."""
        if self.haircut_after_pct is not None:
            return self.haircut_after_pct
        return self.haircut_pct * self.haircut_multiplier

    @property
    def margin_shocked_pct(self) -> float:
        """Hedge initial margin after the shock, %."""
        if self.margin_after_pct is not None:
            return self.margin_after_pct
        return self.margin_pct * self.margin_multiplier

    @property
    def requirement_before_pct(self) -> float:
        """Haircut + margin before the shock, % of position."""
        return self.haircut_pct + self.margin_pct

    @property
    def requirement_after_pct(self) -> float:
        """Haircut + margin after the shock, % of position."""
        return self.haircut_shocked_pct + self.margin_shocked_pct

    def with_position(self: _S, position_bn: float) -> _S:
        """The same scenario sized to a position (USD bn): capital = position / leverage."""
        check_range(
            "position_bn", position_bn, 0.0, _MAX_CAPITAL_BN * _MAX_LEVERAGE, low_open=True
        )
        return replace(self, capital_bn=position_bn / self.leverage)


@dataclass(frozen=True, kw_only=True)
class BasisTradeScenario(_LeveragedTradeScenario):
    """Cash-futures basis trade under a volatility shock.

    Parameters
    ----------
    capital_bn : float, optional
        Fund capital, USD bn, in (0, 10000]. The position is ``capital_bn x leverage``;
        :meth:`with_position` sizes the scenario from a position instead.
    leverage : float, optional
        Position / capital, in (0, 1000]; ``leverage x (haircut_pct + margin_pct)`` must be
        at most 100 before the shock.
    haircut_pct, margin_pct : float, optional
        Repo haircut on the cash bonds and futures initial margin before the shock, % of
        the position, each in [0, 100].
    haircut_after_pct, margin_after_pct : float, optional
        Their values after the shock, % in [0, 100]; or leave them None and give
        ``haircut_multiplier`` / ``margin_multiplier`` (in [0, 100]) instead.
    basis_move_bp : float, optional
        Move of the basis at the shock, bp of yield, in [-1000, 1000]: positive = the cash
        bonds cheapen against futures (a loss for the fund).
    impact_bp_per_100bn : float, optional
        Widening of the basis per USD 100bn sold, bp, in [0, 1000].
    duration_yrs : float, optional
        Modified duration of the position, years, in (0, 40] (DV01 = position x duration x
        1e-4).
    max_rounds : int, optional
        Most rounds of the loop, in [1, 100000].
    tolerance_bn : float, optional
        Margin call (USD bn) below which the loop has converged, in (0, 1].
    """

    capital_bn: float = DEFAULT_BASIS_CAPITAL_BN
    leverage: float = DEFAULT_BASIS_LEVERAGE
    haircut_pct: float = DEFAULT_BASIS_HAIRCUT_PCT
    margin_pct: float = DEFAULT_BASIS_MARGIN_PCT
    haircut_after_pct: float | None = DEFAULT_BASIS_HAIRCUT_AFTER_PCT
    margin_after_pct: float | None = DEFAULT_BASIS_MARGIN_AFTER_PCT
    duration_yrs: float = DEFAULT_BASIS_DURATION_YRS
    basis_move_bp: float = 0.0

    def __post_init__(self) -> None:
        super().__post_init__()
        check_range("basis_move_bp", self.basis_move_bp, -_MAX_MOVE_BP, _MAX_MOVE_BP)


@dataclass(frozen=True, kw_only=True)
class SwapSpreadScenario(_LeveragedTradeScenario):
    """Swap-spread trade (long Treasuries in repo + pay fixed) under a volatility shock.

    Parameters are those of :class:`BasisTradeScenario` (with the swap's initial margin as
    ``margin_pct``), with its own defaults, and:

    spread_move_bp : float, optional
        Move of the swap spread (swap rate - Treasury yield) at the shock, bp, in
        [-1000, 1000]: negative = the spread becomes more negative (a loss for the fund).
    impact_bp_per_100bn : float, optional
        Fall of the swap spread per USD 100bn of Treasuries sold, bp, in [0, 1000].
    """

    capital_bn: float = DEFAULT_SWAP_CAPITAL_BN
    leverage: float = DEFAULT_SWAP_LEVERAGE
    haircut_pct: float = DEFAULT_SWAP_HAIRCUT_PCT
    margin_pct: float = DEFAULT_SWAP_MARGIN_PCT
    haircut_after_pct: float | None = DEFAULT_SWAP_HAIRCUT_AFTER_PCT
    margin_after_pct: float | None = DEFAULT_SWAP_MARGIN_AFTER_PCT
    duration_yrs: float = DEFAULT_SWAP_DURATION_YRS
    spread_move_bp: float = 0.0

    def __post_init__(self) -> None:
        super().__post_init__()
        check_range("spread_move_bp", self.spread_move_bp, -_MAX_MOVE_BP, _MAX_MOVE_BP)


@dataclass(frozen=True, eq=False)
class DeleveragingResult:
    """Outcome of a forced-selling loop.

    Attributes
    ----------
    trade : "basis" or "swap_spread".
    status : "no_call" (the shock is absorbed), "converged" (margin met after sales),
        "liquidated" (the whole position sold) or "max_rounds" (stopped before either).
    rounds : rounds with sales.
    capital_before_bn, position_before_bn : before the shock, USD bn.
    requirement_before_pct, requirement_after_pct : haircut + margin, % of position.
    shock_loss_bn : mark-to-market loss from the spread move at the shock, USD bn.
    initial_margin_call_bn : call after the shock, before any sale, USD bn (0 if none).
    total_sold_bn : position sold over all rounds, USD bn.
    sold_share : total_sold_bn / position_before_bn.
    yield_impact_bp : move of the trade's spread caused by the sales, bp (cash Treasury
        yield up against the hedge).
    spread_change_bp : total move of the trade's spread in its own sign convention, bp:
        basis = basis_move_bp + impact (wider); swap spread = spread_move_bp - impact.
    total_loss_bn : shock loss + losses of every round, USD bn.
    capital_after_bn, position_after_bn : at the end, USD bn (capital may be negative).
    duration_yrs : modified duration of the position, years.
    dv01_before_usd_mn : position DV01 before the shock, USD mn per bp.
    rounds_table : one row per round with sales, columns :data:`ROUND_COLUMNS`
        (``yield_impact_bp`` cumulative; ``margin_call_bn`` the call at the round's start;
        ``capital_bn`` and ``position_bn`` at its end).
    """

    trade: str
    status: Status
    rounds: int
    capital_before_bn: float
    position_before_bn: float
    requirement_before_pct: float
    requirement_after_pct: float
    shock_loss_bn: float
    initial_margin_call_bn: float
    total_sold_bn: float
    sold_share: float
    yield_impact_bp: float
    spread_change_bp: float
    total_loss_bn: float
    capital_after_bn: float
    position_after_bn: float
    duration_yrs: float
    dv01_before_usd_mn: float
    rounds_table: pd.DataFrame

    @property
    def converged(self) -> bool:
        """True when the loop ended at a fixed point (no call left, or nothing left to sell)."""
        return self.status != "max_rounds"

    def summary(self) -> dict[str, object]:
        """The scalar fields as a flat dict (for JSON and tables)."""
        out: dict[str, object] = {k: v for k, v in self.__dict__.items() if k != "rounds_table"}
        out["converged"] = self.converged
        return out


def _deleverage(
    *,
    trade: str,
    scenario: _LeveragedTradeScenario,
    adverse_move_bp: float,
    spread_sign: float,
) -> DeleveragingResult:
    """The one iteration engine; ``adverse_move_bp`` > 0 is a loss, ``spread_sign`` maps
    the adverse direction to the trade's spread convention (+1 basis, -1 swap spread)."""
    capital = scenario.capital_bn
    position = scenario.position_bn
    duration = scenario.duration_yrs
    ratio = scenario.requirement_after_pct / 100.0
    impact_per_bn = scenario.impact_bp_per_100bn / 100.0
    loss_coeff = duration * _BP * impact_per_bn  # bn lost per bn sold per bn held

    shock_loss = position * duration * adverse_move_bp * _BP
    capital -= shock_loss
    initial_call = max(0.0, position * ratio - capital)

    n = scenario.max_rounds
    cols = {name: np.empty(min(n, 1024)) for name in ROUND_COLUMNS}
    rows = 0
    cumulative = 0.0
    status: Status = "no_call"
    while True:
        call = position * ratio - capital
        if call <= scenario.tolerance_bn:
            status = "no_call" if rows == 0 else "converged"
            break
        if position <= 0.0:
            status = "liquidated"
            break
        if rows >= n:
            status = "max_rounds"
            break
        sold = min(position, call / ratio)
        loss = loss_coeff * sold * (position - 0.5 * sold)
        position = position - sold if sold < position else 0.0
        capital -= loss
        cumulative += sold
        if rows == len(cols["round"]):
            cols = {k: np.concatenate([v, np.empty(len(v))]) for k, v in cols.items()}
        for name, value in (
            ("round", rows + 1),
            ("sold_bn", sold),
            ("cumulative_sold_bn", cumulative),
            ("yield_impact_bp", impact_per_bn * cumulative),
            ("loss_bn", loss),
            ("capital_bn", capital),
            ("position_bn", position),
            ("margin_call_bn", call),
        ):
            cols[name][rows] = value
        rows += 1

    table = pd.DataFrame({k: v[:rows] for k, v in cols.items()}, columns=list(ROUND_COLUMNS))
    table["round"] = table["round"].astype(np.int64)
    impact = impact_per_bn * cumulative
    round_losses = float(table["loss_bn"].sum())
    start_position = scenario.position_bn
    return DeleveragingResult(
        trade=trade,
        status=status,
        rounds=rows,
        capital_before_bn=scenario.capital_bn,
        position_before_bn=start_position,
        requirement_before_pct=scenario.requirement_before_pct,
        requirement_after_pct=scenario.requirement_after_pct,
        shock_loss_bn=shock_loss,
        initial_margin_call_bn=initial_call,
        total_sold_bn=cumulative,
        sold_share=cumulative / start_position,
        yield_impact_bp=impact,
        spread_change_bp=spread_sign * (adverse_move_bp + impact),
        total_loss_bn=shock_loss + round_losses,
        capital_after_bn=capital,
        position_after_bn=position,
        duration_yrs=duration,
        dv01_before_usd_mn=start_position * duration * _BP * 1e3,
        rounds_table=table,
    )


def basis_trade_doom_loop(scenario: BasisTradeScenario) -> DeleveragingResult:
    """Run the basis-trade doom loop (see the module docstring for the round accounting).

    Parameters
    ----------
    scenario : BasisTradeScenario
        Size, leverage, haircut/margin before and after the shock, basis move, impact.

    Returns
    -------
    DeleveragingResult
        ``spread_change_bp`` is the basis widening (bp of yield, cash cheaper vs futures).
    """
    return _deleverage(
        trade="basis", scenario=scenario, adverse_move_bp=scenario.basis_move_bp, spread_sign=1.0
    )


def swap_spread_unwind(scenario: SwapSpreadScenario) -> DeleveragingResult:
    """Run the swap-spread unwind: the same loop as :func:`basis_trade_doom_loop` with the
    swap-spread trade's repo haircut, swap initial margin and duration.

    Parameters
    ----------
    scenario : SwapSpreadScenario
        Size, leverage, haircut/margin before and after the shock, spread move, impact.

    Returns
    -------
    DeleveragingResult
        ``spread_change_bp`` is the change of the swap spread, bp (negative = more negative).
    """
    return _deleverage(
        trade="swap_spread",
        scenario=scenario,
        adverse_move_bp=-scenario.spread_move_bp,
        spread_sign=-1.0,
    )


@dataclass(frozen=True, eq=False)
class LeveragedShort:
    """Leveraged funds' net short in Treasury futures on one report date.

    Attributes
    ----------
    report_date : the CFTC "as of" Tuesday.
    net_short_notional_bn : sum over contracts of (short - long) x face, USD bn (positive =
        net short; contracts where the group is net long count negatively).
    dv01_usd_mn : DV01 of that net short, USD mn per bp (contracts x DV01 per contract).
    duration_yrs : implied duration = DV01 / (notional x 1e-4), years (nan if no notional).
    missing_contracts : keys of requested contracts absent on that date.
    contracts : per-contract frame: key, code, long, short, net_short_contracts, face_usd,
        dv01_usd (per contract), notional_bn, dv01_usd_mn.
    """

    report_date: pd.Timestamp
    net_short_notional_bn: float
    dv01_usd_mn: float
    duration_yrs: float
    missing_contracts: tuple[str, ...]
    contracts: pd.DataFrame


def leveraged_fund_net_short(
    cftc: pd.DataFrame,
    *,
    report_date: pd.Timestamp | str | None = None,
    contracts: Sequence[FuturesContract] = TREASURY_FUTURES,
    dv01_usd: Mapping[str, float] | None = None,
) -> LeveragedShort:
    """Leveraged funds' net short notional and DV01 in Treasury futures, the basis-trade size.

    Parameters
    ----------
    cftc : pandas.DataFrame
        CFTC TFF positions, long format: report_date, contract_code, trader_group, long,
        short (contracts), other columns ignored.
    report_date : Timestamp or str, optional
        Report date to use; the latest date in ``cftc`` when omitted.
    contracts : sequence of FuturesContract, optional
        Contracts to add up (face and default DV01 per contract).
    dv01_usd : Mapping[str, float], optional
        DV01 per contract (USD per bp) by contract key, overriding the defaults.

    Returns
    -------
    LeveragedShort
    """
    missing_cols = [c for c in _CFTC_COLUMNS if c not in cftc.columns]
    if missing_cols:
        raise ValueError(f"cftc frame lacks columns {missing_cols}; needs {list(_CFTC_COLUMNS)}")
    overrides = dict(dv01_usd or {})
    keys = {c.key for c in contracts}
    unknown = sorted(set(overrides) - keys)
    if unknown:
        raise InputError("dv01_usd", f"dv01_usd names unknown contracts {unknown}; known: {sorted(keys)}")
    for key, value in overrides.items():
        check_range(f"dv01_usd[{key!r}]", value, 0.0, 10_000.0, low_open=True)

    rows = cftc[cftc["trader_group"] == LEVERAGED_GROUP]
    if rows.empty:
        raise ValueError(
            f"cftc frame has no rows for trader_group {LEVERAGED_GROUP!r} (groups: {TRADER_GROUPS})"
        )
    dates = pd.to_datetime(rows["report_date"])
    if report_date is None:
        when = pd.Timestamp(dates.max())
    else:
        try:
            when = pd.Timestamp(report_date)
        except ValueError:
            raise InputError(
                "report_date",
                f"report_date must be a date (YYYY-MM-DD), got {report_date!r}"
            ) from None
        if not (dates == when).any():
            raise ValueError(
                f"report_date {when.date()} is not in the cftc frame "
                f"({dates.min().date()}..{dates.max().date()})"
            )
    day = rows[dates == when]
    codes = day["contract_code"].astype(str).str.zfill(6)

    records: list[dict[str, object]] = []
    missing: list[str] = []
    for contract in contracts:
        hit = day[codes == contract.code]
        if hit.empty:
            missing.append(contract.key)
            continue
        long_ = float(hit["long"].sum())
        short = float(hit["short"].sum())
        net_short = short - long_
        dv01 = overrides.get(contract.key, contract.dv01_usd)
        records.append(
            {
                "key": contract.key,
                "code": contract.code,
                "long": long_,
                "short": short,
                "net_short_contracts": net_short,
                "face_usd": contract.face_usd,
                "dv01_usd": dv01,
                "notional_bn": net_short * contract.face_usd / 1e9,
                "dv01_usd_mn": net_short * dv01 / 1e6,
            }
        )
    if not records:
        raise ValueError(
            f"cftc frame has no leveraged-fund rows for the Treasury futures on {when.date()}"
        )
    frame = pd.DataFrame.from_records(records)
    notional = float(frame["notional_bn"].sum())
    dv01_mn = float(frame["dv01_usd_mn"].sum())
    # DV01 (USD mn/bp) / (notional (bn) x 1e9 x 1e-4 / 1e6) = 10 x DV01 / notional.
    duration = 10.0 * dv01_mn / notional if notional != 0.0 else math.nan
    return LeveragedShort(
        report_date=when,
        net_short_notional_bn=notional,
        dv01_usd_mn=dv01_mn,
        duration_yrs=duration,
        missing_contracts=tuple(missing),
        contracts=frame,
    )
