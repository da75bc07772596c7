"""The market state: every date-independent table over the full history, once per data revision.

Opening a page or changing the as-of date must be a lookup, not a recomputation. A
:class:`MarketState` holds, for one store revision, everything the pages and ``tsm snapshot``
read: the measures of :mod:`analytics.measures` (spreads, NSS fit noise, on-the-run premium,
swap spreads, funding, facilities, positions, sell-America, the stress index and its
contributions), the moves of every spread over every window with a look-ahead-free percentile
column, the leveraged-fund and asset-manager nets, the lights' history, and the downsampled
chart traces. Every row of every table depends only on data up to its own date, so the view
as of any date is a row selection (:func:`snapshot`): the state also holds, per module, the
observations each reading looks up (:class:`SnapshotHistories`: the curve's observed days,
yields, spreads and moves as arrays, and the histories of :mod:`analytics.functioning`,
:mod:`analytics.swaps`, :mod:`analytics.funding` and :mod:`analytics.positioning`), so a new
date costs a binary search per series, never a pass over the history.

Pure: frames in, frozen results out. Persisting the state beside the store and building it
under a lock is :mod:`market_state`'s job.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from types import MappingProxyType
from typing import Any, Final

import numpy as np
import numpy.typing as npt
import pandas as pd

from analytics.beyond import BEYOND_KEYS, BeyondHistories, beyond_histories, beyond_snapshot
from analytics.curve import (
    DEFAULT_PARALLEL_BAND_BP,
    STALE_AFTER_DAYS,
    WINDOWS,
    curve_as_of,
    curve_factors,
    spread_moves,
)
from analytics.downsample import DEFAULT_MAX_POINTS, chart_points
from analytics.functioning import (
    FunctioningHistory,
    functioning_history,
    functioning_snapshot,
    gsw_frame,
)
from analytics.funding import (
    FundingHistory,
    funding_history,
    funding_snapshot,
    liquidity_light_history,
)
from analytics.lookup import Observed
from analytics.measures import Measures, compute_measures
from analytics.percentiles import DEFAULT_PERCENTILE_BASIS, PERCENTILE_BASES, expanding_percentile
from analytics.positioning import (
    PositioningHistory,
    asset_managers_net,
    leveraged_funds_net,
    positioning_history,
    positioning_snapshot,
)
from analytics.stress import stress_snapshot
from analytics.swaps import SwapsHistory, swaps_history, swaps_snapshot
from analytics.tenors import SPREADS, TENORS

__all__ = [
    "STATE_FORMAT",
    "MarketState",
    "CurveHistory",
    "SnapshotHistories",
    "MoveReading",
    "CurveReading",
    "FunctioningReading",
    "FundingReading",
    "PositioningReading",
    "StressReading",
    "Snapshot",
    "build_state",
    "snapshot",
    "window_start",
]

#: Version of the state's layout: a persisted state of another format is rebuilt, not read.
STATE_FORMAT: Final[int] = 4
_BP_DECIMALS: Final[int] = 1
_YIELD_DECIMALS: Final[int] = 3
_PERCENTILE_DECIMALS: Final[int] = 1


@dataclass(frozen=True, eq=False)
class _MoveRows:
    """One (spread, window) table of :func:`analytics.curve.spread_moves` as arrays."""

    dates: Observed
    start: npt.NDArray[np.datetime64]
    short_bp: npt.NDArray[np.float64]
    long_bp: npt.NDArray[np.float64]
    spread_bp: npt.NDArray[np.float64]
    regime: npt.NDArray[np.object_]
    percentile: npt.NDArray[np.float64]

    @classmethod
    def of(cls, frame: pd.DataFrame) -> _MoveRows:
        return cls(
            Observed.of_dates(frame.index),
            frame["start_date"].to_numpy(dtype="datetime64[ns]"),
            frame["short_bp"].to_numpy(dtype=np.float64),
            frame["long_bp"].to_numpy(dtype=np.float64),
            frame["spread_bp"].to_numpy(dtype=np.float64),
            frame["regime"].to_numpy(dtype=object),
            frame["percentile"].to_numpy(dtype=np.float64),
        )

    def at(self, date: pd.Timestamp) -> int:
        """Row of ``date`` (-1 when the table has none)."""
        pos = self.dates.last_at(date)
        return pos if pos >= 0 and self.dates.dates[pos] == date.value else -1


@dataclass(frozen=True, eq=False)
class CurveHistory:
    """The curve part of a snapshot as arrays: the days with any yield, their yields and
    spreads, and every move table (see :func:`_curve_reading`).

    Attributes
    ----------
    observed : the days with at least one yield (their row in ``yields_pct``/``spreads_bp``).
    tenors : the tenors of TENORS present in the yields, the columns of ``yields_pct``.
    yields_pct : yields of the observed days, percent.
    spreads_bp : the SPREADS of the observed days (columns in SPREADS order), bp.
    moves : ``{(spread, window): rows}``.
    """

    observed: Observed
    tenors: tuple[str, ...]
    yields_pct: npt.NDArray[np.float64]
    spreads_bp: npt.NDArray[np.float64]
    moves: dict[tuple[str, str], _MoveRows]


def curve_history(
    yields: pd.DataFrame, spreads_bp: pd.DataFrame, moves: Mapping[tuple[str, str], pd.DataFrame]
) -> CurveHistory:
    """The :class:`CurveHistory` of these yields, their spreads (:func:`curve_spreads_bp`) and
    moves (``MarketState.moves``)."""
    tenors = tuple(t for t in TENORS if t in yields.columns)
    rows = yields.notna().any(axis=1).to_numpy()
    days = yields.index[rows]
    spreads = spreads_bp.reindex(index=days, columns=list(SPREADS))
    return CurveHistory(
        Observed.of_dates(days),
        tenors,
        yields.loc[rows, list(tenors)].to_numpy(dtype=np.float64),
        spreads.to_numpy(dtype=np.float64),
        {key: _MoveRows.of(frame) for key, frame in moves.items()},
    )


@dataclass(frozen=True, eq=False)
class SnapshotHistories:
    """Everything of :func:`snapshot` that does not depend on the date, per module: with it a
    new as-of date is a binary search per series (built by :func:`build_state`)."""

    curve: CurveHistory
    functioning: FunctioningHistory
    swaps: SwapsHistory
    funding: FundingHistory
    positioning: PositioningHistory | None


@dataclass(frozen=True)
class MarketState:
    """Everything the dashboard reads, for one data revision.

    Attributes
    ----------
    revision : store revision the state was built from (-1 for the DEMO set).
    mode : "live", "imported" or "demo".
    measures : the full-history measures (inputs included: ``measures.yields`` etc.).
    moves : ``{(spread, window): frame}``, the output of :func:`analytics.curve.spread_moves`
        for every spread of SPREADS and window of WINDOWS at the default parallel band.
    lev_net, am_net : leveraged-fund and asset-manager aggregate nets by report date (None
        without CFTC data).
    lights : the liquidity lights' daily history at the default thresholds.
    traces : downsampled chart traces by name (``spread:2s10s``, ``fit_noise``, ...).
    beyond : the full-history frames of foreign official custody, net liquidity, term premium,
        real yields, auctions and sell-America (:mod:`analytics.beyond`).
    built_seconds : how long the build took.
    format : :data:`STATE_FORMAT` at build time.
    percentiles : ``{(spread, window, basis): series}``, the look-ahead-free percentile of
        each move of ``moves`` against every offered basis but "all" (whose column the
        moves tables hold), so the Curve page's basis switch is a lookup.
    histories : the lookups of :func:`snapshot` (None: every reading is computed from the
        full history, the same numbers more slowly).
    """

    revision: int
    mode: str
    measures: Measures
    moves: Mapping[tuple[str, str], pd.DataFrame]
    lev_net: pd.DataFrame | None
    am_net: pd.DataFrame | None
    lights: pd.DataFrame
    traces: Mapping[str, pd.Series]
    beyond: BeyondHistories
    built_seconds: float
    format: int = STATE_FORMAT
    histories: SnapshotHistories | None = None
    percentiles: Mapping[tuple[str, str, str], pd.Series] = field(default_factory=dict)

    @property
    def yields(self) -> pd.DataFrame:
        return self.measures.yields

    @property
    def last_date(self) -> pd.Timestamp | None:
        """The latest day with any Treasury yield (the app's default as-of date)."""
        ylds = self.measures.yields
        return None if ylds.empty else pd.Timestamp(ylds.index[-1])

    def trace(self, name: str) -> pd.Series:
        """A downsampled chart trace (an empty series when the state has none of that name)."""
        return self.traces.get(name, pd.Series(dtype=float, name=name))


def _traces(m: Measures) -> dict[str, pd.Series]:
    out: dict[str, pd.Series] = {}

    def add(name: str, values: pd.Series | None) -> None:
        if values is not None and values.notna().any():
            out[name] = chart_points(values, DEFAULT_MAX_POINTS)

    for name in SPREADS:
        add(f"spread:{name}", m.spreads_bp[name])
    if m.fit is not None:
        add("fit_noise", m.fit.rmse_bp)
    if m.otr_premium_bp is not None:
        for col in m.otr_premium_bp.columns:
            add(f"otr:{col}", m.otr_premium_bp[col])
    for col in m.swap_spreads_bp.columns:
        add(f"swap:{col}", m.swap_spreads_bp[col])
    for col in m.funding.columns:
        add(f"funding:{col}", m.funding[col])
    for col in m.facilities.columns:
        add(f"facilities:{col}", m.facilities[col])
    if {"3m", "2y", "10y"} <= set(m.yields.columns):
        factors = curve_factors(m.yields)
        for col in factors.columns:
            add(f"factor:{col}", factors[col])
    add("stress:total", m.stress.total)
    for col in m.stress.categories.columns:
        add(f"stress:{col}", m.stress.categories[col])
    return out


def build_state(
    yields: pd.DataFrame,
    series: pd.DataFrame,
    cftc: pd.DataFrame,
    *,
    revision: int,
    mode: str,
    measures: Measures | None = None,
) -> MarketState:
    """Compute every full-history table once (a few seconds; the NSS fit dominates).

    Parameters
    ----------
    yields, series, cftc : the inputs, shapes as in :mod:`data.model`.
    revision, mode : what the state is labelled with.
    measures : optional; already computed measures of the same inputs.
    """
    started = time.perf_counter()
    m = compute_measures(yields, series, cftc) if measures is None else measures
    moves: dict[tuple[str, str], pd.DataFrame] = {}
    if not yields.empty:
        for name, (short, long) in SPREADS.items():
            if short in yields.columns and long in yields.columns:
                for window in WINDOWS:
                    moves[(name, window)] = spread_moves(
                        yields, name, window=window, parallel_band_bp=DEFAULT_PARALLEL_BAND_BP
                    )
    lev = leveraged_funds_net(m.positions) if m.positions is not None else None
    am = asset_managers_net(m.positions) if m.positions is not None else None
    lights = liquidity_light_history(series) if not series.empty else pd.DataFrame()
    histories = SnapshotHistories(
        curve=curve_history(m.yields, m.spreads_bp, moves),
        functioning=functioning_history(m.yields, gsw_frame(m.series), fit=m.fit),
        swaps=swaps_history(m.yields, m.series, spreads=m.swap_spreads_bp),
        funding=funding_history(m.series, spreads=m.funding, facilities=m.facilities),
        positioning=(positioning_history(m.cftc, table=m.positions, lev_net=lev, am_net=am)
                     if len(m.cftc) and m.positions is not None else None),
    )
    return MarketState(
        revision=revision,
        mode=mode,
        measures=m,
        moves=moves,
        lev_net=lev,
        am_net=am,
        lights=lights,
        traces=_traces(m),
        beyond=beyond_histories(series, sell_america=m.sell_america),
        built_seconds=time.perf_counter() - started,
        histories=histories,
        percentiles=_basis_percentiles(moves),
    )


def _basis_percentiles(moves: Mapping[tuple[str, str], pd.DataFrame]) -> dict[tuple[str, str, str], pd.Series]:
    out: dict[tuple[str, str, str], pd.Series] = {}
    for basis in PERCENTILE_BASES:
        if basis == DEFAULT_PERCENTILE_BASIS:
            continue
        for (spread, window), table in moves.items():
            out[(spread, window, basis)] = expanding_percentile(table["spread_bp"].astype(float), basis=basis)
    return out


# --------------------------------------------------------------------------- typed readings


def _none(value: object, decimals: int | None = None) -> float | None:
    if value is None:
        return None
    number = float(value)  # type: ignore[arg-type]
    if not np.isfinite(number):
        return None
    return number if decimals is None else round(number, decimals)


def _iso(value: pd.Timestamp | None) -> str | None:
    return None if value is None or pd.isna(value) else value.strftime("%Y-%m-%d")


@dataclass(frozen=True)
class MoveReading:
    """One spread move over a window, as of a date.

    ``from_date`` is the observation the window starts on and ``to_date`` the one it ends on
    (the last observation of both legs on or before the as-of date); bp rounded to 0.1.
    """

    spread: str
    window: str
    from_date: pd.Timestamp
    to_date: pd.Timestamp
    short_bp: float | None
    long_bp: float | None
    spread_bp: float | None
    regime: str | None
    percentile: float | None

    def to_dict(self) -> dict[str, Any]:
        return {
            "short_bp": self.short_bp,
            "long_bp": self.long_bp,
            "spread_bp": self.spread_bp,
            "regime": self.regime,
            "percentile": self.percentile,
            "from_date": _iso(self.from_date),
            "to_date": _iso(self.to_date),
        }


_EMPTY_MOVE: Final[Mapping[str, Any]] = MappingProxyType(
    dict.fromkeys(("short_bp", "long_bp", "spread_bp", "regime", "percentile", "from_date", "to_date"))
)


@dataclass(frozen=True)
class CurveReading:
    """Yields, spreads and moves as of a date (``date``: the curve observation used)."""

    date: pd.Timestamp | None
    yields_pct: Mapping[str, float | None]
    spreads_bp: Mapping[str, float | None]
    moves: Mapping[str, Mapping[str, MoveReading | None]]

    def move(self, spread: str, window: str) -> MoveReading | None:
        return self.moves.get(window, {}).get(spread)


@dataclass(frozen=True)
class _FromDict:
    """A reading built from a module's JSON-ready dict: known keys become typed fields, any
    other key is kept read-only in ``extra`` so that ``to_dict`` gives back every key."""

    extra: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))

    @classmethod
    def from_dict(cls, doc: Mapping[str, Any]) -> Any:
        names = {f.name for f in fields(cls)} - {"extra"}
        known = {k: doc.get(k) for k in names}
        extra = MappingProxyType({k: v for k, v in doc.items() if k not in names and k != "missing"})
        return cls(extra=extra, **known)

    def to_dict(self) -> dict[str, Any]:
        names = [f.name for f in fields(self) if f.name != "extra"]
        return {**{n: getattr(self, n) for n in names}, **self.extra}


@dataclass(frozen=True)
class FunctioningReading(_FromDict):
    fit_noise_bp: float | None = None
    otr_premium_10y_bp: float | None = None


@dataclass(frozen=True)
class FundingReading(_FromDict):
    as_of: str | None = None
    sofr_pct: float | None = None
    effr_pct: float | None = None
    floor_pct: float | None = None
    sofr_effr_bp: float | None = None
    sofr_iorb_bp: float | None = None
    sofr_p99_p1_bp: float | None = None
    rrp_bn: float | None = None
    srf_bn: float | None = None
    discount_window_bn: float | None = None
    reserves_bn: float | None = None
    reserves_chg_1w_bn: float | None = None
    reserves_chg_1m_bn: float | None = None
    lights: list[dict[str, Any]] | None = None
    warning: bool | None = None
    thresholds: dict[str, Any] | None = None

    @property
    def lights_on(self) -> int:
        return sum(1 for light in self.lights or [] if light.get("state") == "on")

    @property
    def lights_known(self) -> int:
        return sum(1 for light in self.lights or [] if light.get("state") in ("on", "off"))


@dataclass(frozen=True)
class PositioningReading(_FromDict):
    report_date: str | None = None
    lev_funds_net_contracts: dict[str, int] | None = None
    lev_funds_net_notional_bn: float | None = None
    lev_funds_net_10y_eq_contracts: float | None = None
    weekly_change_10y_eq_contracts: float | None = None
    zscore: float | None = None


@dataclass(frozen=True)
class StressReading(_FromDict):
    date: str | None = None
    value: float | None = None
    contributions: dict[str, float] | None = None
    categories: dict[str, float | None] | None = None


@dataclass(frozen=True)
class Snapshot:
    """Every measure as of one date: what ``tsm snapshot`` prints and the pages' tiles show.

    ``missing`` says in words what is absent and why; :meth:`to_dict` is the
    ``tsm snapshot --json`` document.
    """

    as_of: pd.Timestamp
    data: str
    revision: int
    curve: CurveReading
    functioning: FunctioningReading
    swap_spreads_bp: Mapping[str, float | None]
    funding: FundingReading
    positioning: PositioningReading
    stress: StressReading
    missing: tuple[str, ...]
    #: Dates and kinds of the swap readings (``swap_spreads_date``, ``swap_spreads_weekly``).
    swap_details: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))
    #: foreign_official, liquidity, term_premium, real_yields, auctions, official_indices and
    #: sell_america (:mod:`analytics.beyond`), each with its own dates and missing list.
    beyond: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))

    def to_dict(self) -> dict[str, Any]:
        moves = {
            w: {s: (m.to_dict() if m is not None else dict(_EMPTY_MOVE)) for s, m in by.items()}
            for w, by in self.curve.moves.items()
        }
        return {
            "as_of": self.as_of.strftime("%Y-%m-%d"),
            "data": self.data,
            "yields_pct": dict(self.curve.yields_pct),
            "spreads_bp": dict(self.curve.spreads_bp),
            "moves": moves,
            "market_functioning": self.functioning.to_dict(),
            "swap_spreads_bp": dict(self.swap_spreads_bp),
            **dict(self.swap_details),
            "funding": self.funding.to_dict(),
            "positioning": self.positioning.to_dict(),
            "stress_index": self.stress.to_dict(),
            **{key: self.beyond[key] for key in BEYOND_KEYS if key in self.beyond},
            "missing": list(self.missing),
        }


def window_start(state: MarketState, spread: str, window: str, as_of: pd.Timestamp) -> pd.Timestamp | None:
    """The from-date of the ``window`` move of ``spread`` ending on or before ``as_of``."""
    moves = state.moves.get((spread, window))
    if moves is None or moves.empty:
        return None
    pos = int(moves.index.searchsorted(as_of, side="right")) - 1
    return None if pos < 0 else pd.Timestamp(moves["start_date"].iloc[pos])


def _curve_reading(state: MarketState, when: pd.Timestamp, missing: list[str]) -> CurveReading:
    if state.histories is not None:
        return _curve_lookup(state.histories.curve, when, missing)
    yields = state.measures.yields
    yields_pct: dict[str, float | None] = dict.fromkeys(TENORS)
    spreads: dict[str, float | None] = dict.fromkeys(SPREADS)
    moves: dict[str, dict[str, MoveReading | None]] = {w: dict.fromkeys(SPREADS) for w in WINDOWS}
    table = curve_as_of(yields, as_of=when, lookbacks=())
    raw: Any = table.loc["as_of", "date"] if not yields.empty else None
    date: pd.Timestamp | None = None if raw is None or pd.isna(raw) else pd.Timestamp(raw)
    if date is None or (when - date).days > STALE_AFTER_DAYS:
        last = "" if date is None else f" (last {date.date()})"
        missing.append(
            f"Treasury yields: no observation within {STALE_AFTER_DAYS} days before {when.date()}{last}"
        )
        return CurveReading(None, yields_pct, spreads, moves)
    for tenor in TENORS:
        value = _none(table.loc["as_of", tenor], _YIELD_DECIMALS) if tenor in table else None
        yields_pct[tenor] = value
        if value is None:
            missing.append(f"{tenor} yield: not published on {date.date()}")
    spread_row = state.measures.spreads_bp.loc[date]
    for name, (short, long) in SPREADS.items():
        value = _none(spread_row[name], _BP_DECIMALS)
        spreads[name] = value
        if value is None:
            continue  # the absent leg is already listed
        for window in WINDOWS:
            frame = state.moves.get((name, window))
            if frame is None or date not in frame.index:
                missing.append(
                    f"{window} move of {name}: fewer than {WINDOWS[window] + 1} observations "
                    f"of {short} and {long} up to {date.date()}"
                )
                continue
            row: Any = frame.loc[date]
            moves[window][name] = MoveReading(
                spread=name,
                window=window,
                from_date=pd.Timestamp(row["start_date"]),
                to_date=date,
                short_bp=_none(row["short_bp"], _BP_DECIMALS),
                long_bp=_none(row["long_bp"], _BP_DECIMALS),
                spread_bp=_none(row["spread_bp"], _BP_DECIMALS),
                regime=str(row["regime"]),
                percentile=_none(row["percentile"], _PERCENTILE_DECIMALS),
            )
    return CurveReading(date, yields_pct, spreads, moves)


def _curve_lookup(history: CurveHistory, when: pd.Timestamp, missing: list[str]) -> CurveReading:
    """:func:`_curve_reading` by binary search in the state's :class:`CurveHistory`."""
    yields_pct: dict[str, float | None] = dict.fromkeys(TENORS)
    spreads: dict[str, float | None] = dict.fromkeys(SPREADS)
    moves: dict[str, dict[str, MoveReading | None]] = {w: dict.fromkeys(SPREADS) for w in WINDOWS}
    pos = history.observed.last_at(when)
    date = history.observed.date(pos) if pos >= 0 else None
    if date is None or (when - date).days > STALE_AFTER_DAYS:
        last = "" if date is None else f" (last {date.date()})"
        missing.append(
            f"Treasury yields: no observation within {STALE_AFTER_DAYS} days before {when.date()}{last}"
        )
        return CurveReading(None, yields_pct, spreads, moves)
    row = history.yields_pct[pos]
    present = dict(zip(history.tenors, row, strict=True))
    for tenor in TENORS:
        value = _none(present[tenor], _YIELD_DECIMALS) if tenor in present else None
        yields_pct[tenor] = value
        if value is None:
            missing.append(f"{tenor} yield: not published on {date.date()}")
    for i, (name, (short, long)) in enumerate(SPREADS.items()):
        value = _none(history.spreads_bp[pos, i], _BP_DECIMALS)
        spreads[name] = value
        if value is None:
            continue  # the absent leg is already listed
        for window in WINDOWS:
            frame = history.moves.get((name, window))
            at = -1 if frame is None else frame.at(date)
            if frame is None or at < 0:
                missing.append(
                    f"{window} move of {name}: fewer than {WINDOWS[window] + 1} observations "
                    f"of {short} and {long} up to {date.date()}"
                )
                continue
            moves[window][name] = MoveReading(
                spread=name,
                window=window,
                from_date=pd.Timestamp(frame.start[at]),
                to_date=date,
                short_bp=_none(frame.short_bp[at], _BP_DECIMALS),
                long_bp=_none(frame.long_bp[at], _BP_DECIMALS),
                spread_bp=_none(frame.spread_bp[at], _BP_DECIMALS),
                regime=str(frame.regime[at]),
                percentile=_none(frame.percentile[at], _PERCENTILE_DECIMALS),
            )
    return CurveReading(date, yields_pct, spreads, moves)


_EMPTY_POSITIONING: Final[Mapping[str, Any]] = MappingProxyType({
    "report_date": None, "release_date": None, "lev_funds_net_contracts": {}, "lev_funds_net_notional_bn": None,
    "lev_funds_net_10y_eq_contracts": None, "weekly_change_10y_eq_contracts": None,
    "zscore": None,
})


def snapshot(state: MarketState, *, as_of: str | pd.Timestamp) -> Snapshot:
    """Every measure as of ``as_of`` (last observation on or before it, per series), by row
    selection in the state's full-history tables.

    Raises
    ------
    ValueError
        When ``as_of`` is not a date.
    """
    try:
        when = pd.Timestamp(as_of).normalize()
    except (TypeError, ValueError) as exc:
        raise ValueError(f"as_of must be a date (YYYY-MM-DD), got {as_of!r}") from exc
    if pd.isna(when):
        raise ValueError(f"as_of must be a date (YYYY-MM-DD), got {as_of!r}")
    m = state.measures
    h = state.histories
    missing: list[str] = []
    curve = _curve_reading(state, when, missing)
    if h is not None:
        func = functioning_snapshot(m.yields, h.functioning.gsw_zero, as_of=when, fit=m.fit,
                                    history=h.functioning)
    else:
        func = functioning_snapshot(m.yields, gsw_frame(m.series), as_of=when, fit=m.fit)
    missing += func.pop("missing", [])
    swaps = swaps_snapshot(m.yields, m.series, as_of=when, spreads=m.swap_spreads_bp,
                           history=None if h is None else h.swaps)
    missing += swaps.pop("missing", [])
    funding = funding_snapshot(m.series, as_of=when, spreads=m.funding, facilities=m.facilities,
                               history=None if h is None else h.funding)
    missing += funding.pop("missing", [])
    if len(m.cftc) and m.positions is not None:
        positioning = positioning_snapshot(
            m.cftc, as_of=when, table=m.positions, lev_net=state.lev_net, am_net=state.am_net,
            history=None if h is None else h.positioning,
        )
        missing += positioning.pop("missing", [])
    else:
        positioning = dict(_EMPTY_POSITIONING)
        missing.append("positioning: no CFTC positions stored (import or refresh CFTC TFF)")
    stress = stress_snapshot(m.stress, as_of=when)
    missing += [f"stress index: {item}" for item in stress.pop("missing", [])]
    beyond = beyond_snapshot(m.series, when, histories=state.beyond)
    for key in BEYOND_KEYS:
        missing += [f"{key.replace('_', ' ')}: {item}" for item in beyond.get(key, {}).get("missing", [])]
    return Snapshot(
        as_of=when,
        data=state.mode,
        revision=state.revision,
        curve=curve,
        functioning=FunctioningReading.from_dict(func),
        swap_spreads_bp=MappingProxyType(dict(swaps["swap_spreads_bp"])),
        swap_details=MappingProxyType({k: v for k, v in swaps.items() if k != "swap_spreads_bp"}),
        funding=FundingReading.from_dict(funding),
        positioning=PositioningReading.from_dict(positioning),
        stress=StressReading.from_dict(stress),
        missing=tuple(missing),
        beyond=MappingProxyType(beyond),
    )
