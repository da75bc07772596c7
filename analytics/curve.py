"""Curve analytics: spreads, classified moves, largest episodes, factors and as-of curves.

Conventions
-----------
* Yields are in percent, spreads and moves in basis points (bp).
* A spread is ``long - short`` for the legs of :data:`analytics.tenors.SPREADS`.
* Windows (:data:`WINDOWS`) count *observations*, not calendar days: "1d", "1w" and "1m" are
  1, 5 and 21 observations of the spread, i.e. of the days on which both legs are published.
  A holiday row with no yields is therefore skipped instead of turning the move into NaN.
* Regimes follow DOMAIN.md section 1, with ``ds``/``dl`` the short/long leg changes::

      |dl - ds| < band                                  -> "parallel"
      ds <= -band and dl >= +band                       -> "steepening twist"
      ds >= +band and dl <= -band                       -> "flattening twist"
      otherwise dl > ds (steepener), ds+dl >= 0         -> "bear steepener" (else "bull steepener")
      otherwise ds > dl (flattener), ds+dl >= 0         -> "bear flattener" (else "bull flattener")

  A twist is a move whose legs go in opposite directions, each by at least the parallel band:
  it is neither bull (both yields down) nor bear (both up), so it gets its own label (e.g.
  2022-10-21, 1d 5s30s: 5y -11 bp, 30y +9 bp is a "steepening twist"). When one leg moves by
  less than the band it counts as unchanged and the other leg's direction decides bull or bear
  through the sign of ``ds + dl`` (the DOMAIN.md rule). Changes are rounded to 1e-6 bp first,
  so a 2.00 bp move is not parallel with a 2 bp band whatever the floating-point noise.
* Percentile: the percentage of the same-window *signed* spread changes up to and including
  the day (never later ones) that are less than or equal to the day's change, in (0, 100].
  A large steepening has a percentile near 100, a large flattening near 0. The column is
  look-ahead-free, so the percentile of a day is the same whatever history follows it: an
  as-of view is a row of the full-history table (:func:`expanding_percentile`).
* Every move carries its from-date (``start_date``): the observation the window starts on.
  The curve comparison of :func:`curve_as_of` uses the same windows (5 and 21 observations
  back), so a "1 week" move and the "1 week ago" curve always start on the same day.
* Factors (:func:`curve_factors`) use the empirical Diebold-Li (2006) definitions:
  level = (3m + 2y + 10y) / 3 in percent, slope = 10y - 3m in bp, curvature =
  2 * 2y - 3m - 10y in bp. :func:`curve_pca` gives the principal-component view.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any, Final, Literal

import numpy as np
import numpy.typing as npt
import pandas as pd

from analytics.tenors import SPREADS, TENOR_YEARS, TENORS

__all__ = [
    "WINDOWS",
    "REGIMES",
    "EPISODE_REGIMES",
    "DEFAULT_PARALLEL_BAND_BP",
    "DEFAULT_TOP_N",
    "LOOKBACKS",
    "PCA_TENORS",
    "STALE_AFTER_DAYS",
    "SpreadMove",
    "CurvePCA",
    "curve_spreads_bp",
    "expanding_percentile",
    "classify_moves",
    "spread_moves",
    "move_as_of",
    "largest_episodes",
    "episodes_from_moves",
    "curve_factors",
    "curve_pca",
    "curve_as_of",
    "curve_snapshot",
]

#: Move windows, in observations of the spread (see module docstring).
WINDOWS: Final[Mapping[str, int]] = MappingProxyType({"1d": 1, "1w": 5, "1m": 21})
#: Regime labels.
REGIMES: Final[tuple[str, ...]] = (
    "bear steepener",
    "bull steepener",
    "bear flattener",
    "bull flattener",
    "parallel",
    "steepening twist",
    "flattening twist",
)
#: Regimes listed by :func:`largest_episodes` (a "largest parallel move" is not a curve move).
EPISODE_REGIMES: Final[tuple[str, ...]] = tuple(r for r in REGIMES if r != "parallel")
#: A move whose |spread change| is below this many bp is "parallel".
DEFAULT_PARALLEL_BAND_BP: Final[float] = 2.0
#: Episodes listed per regime.
DEFAULT_TOP_N: Final[int] = 5
#: Look-backs of :func:`curve_as_of`: the same windows as the moves (observations back).
LOOKBACKS: Final[Mapping[str, int]] = MappingProxyType({"1w": WINDOWS["1w"], "1m": WINDOWS["1m"]})
#: Tenors of :func:`curve_pca` (all published together since 1981-09).
PCA_TENORS: Final[tuple[str, ...]] = ("3m", "1y", "2y", "3y", "5y", "7y", "10y", "30y")
#: A snapshot whose last observation is older than this many calendar days is "missing".
STALE_AFTER_DAYS: Final[int] = 10
#: Rounding of the snapshot's values.
_YIELD_DECIMALS: Final[int] = 3
_BP_DECIMALS: Final[int] = 1
_PERCENTILE_DECIMALS: Final[int] = 1
#: Rounding of bp changes before comparisons (removes floating-point noise).
_CHANGE_DECIMALS: Final[int] = 6
_MOVE_COLUMNS: Final[tuple[str, ...]] = (
    "start_date",
    "short_bp",
    "long_bp",
    "spread_bp",
    "regime",
    "percentile",
)


@dataclass(frozen=True)
class SpreadMove:
    """One spread move over a window.

    Attributes
    ----------
    spread, window : names (keys of SPREADS and WINDOWS).
    start_date, end_date : observation dates the move runs between.
    short_bp, long_bp : changes of the short and long leg, bp.
    spread_bp : change of the spread (long_bp - short_bp), bp.
    regime : one of :data:`REGIMES`.
    percentile : percentile of ``spread_bp`` among the history's same-window changes, 0-100.
    """

    spread: str
    window: str
    start_date: pd.Timestamp
    end_date: pd.Timestamp
    short_bp: float
    long_bp: float
    spread_bp: float
    regime: str
    percentile: float


@dataclass(frozen=True)
class CurvePCA:
    """Principal components of the curve.

    Attributes
    ----------
    loadings : DataFrame, index = tenors, columns "pc1".."pcN" (unit vectors). Signs: pc1
        has positive sum (level), pc2 rises with maturity (slope), pc3 is positive in the
        middle relative to the ends (curvature).
    explained_ratio : Series "pc1".."pcN": share of total variance explained.
    scores : DataFrame indexed by date, columns "pc1".."pcN", in the unit of the input
        (bp for daily changes, percent for levels), of the complete-case days.
    on : "changes" (daily changes, bp) or "levels" (yields, percent, demeaned).
    """

    loadings: pd.DataFrame
    explained_ratio: pd.Series
    scores: pd.DataFrame
    on: str


def _check_yields(yields: pd.DataFrame, needed: tuple[str, ...] = ()) -> None:
    if not isinstance(yields, pd.DataFrame) or not isinstance(yields.index, pd.DatetimeIndex):
        raise ValueError("yields must be a DataFrame with a DatetimeIndex named 'date'")
    if not yields.index.is_monotonic_increasing:
        raise ValueError("yields must be sorted by date, oldest first")
    absent = [t for t in needed if t not in yields.columns]
    if absent:
        raise ValueError(f"yields lacks tenor columns {absent}; expected columns {TENORS}")


def _check_spread(spread: str) -> tuple[str, str]:
    if spread not in SPREADS:
        raise ValueError(f"spread must be one of {tuple(SPREADS)}, got {spread!r}")
    return SPREADS[spread]


def _check_window(window: str) -> int:
    if window not in WINDOWS:
        raise ValueError(f"window must be one of {tuple(WINDOWS)}, got {window!r}")
    return WINDOWS[window]


def _check_band(parallel_band_bp: float) -> None:
    if not np.isfinite(parallel_band_bp) or parallel_band_bp < 0:
        raise ValueError(f"parallel_band_bp must be a finite number >= 0, got {parallel_band_bp}")


def curve_spreads_bp(yields: pd.DataFrame) -> pd.DataFrame:
    """Curve spreads (long - short) in bp for every day.

    Parameters
    ----------
    yields : yields frame (percent, tenor columns, DatetimeIndex).

    Returns
    -------
    DataFrame indexed like ``yields``, one column per name of SPREADS, bp; NaN where a leg
    is absent.
    """
    legs = tuple(sorted({t for pair in SPREADS.values() for t in pair}, key=TENORS.index))
    _check_yields(yields, legs)
    out = {
        name: ((yields[long] - yields[short]) * 100.0).round(_CHANGE_DECIMALS)
        for name, (short, long) in SPREADS.items()
    }
    return pd.DataFrame(out, index=yields.index)


#: Block size of the exact pairwise count in :func:`expanding_percentile` (a 64 x 64 boolean
#: comparison per block is cheaper than the sort-and-search of the merge levels above it).
_PAIRWISE_BLOCK: Final[int] = 64


def expanding_percentile(values: npt.ArrayLike) -> npt.NDArray[np.float64]:
    """Look-ahead-free percentile of each value among the values up to and including it.

    ``out[i] = 100 * #{j <= i : x[j] <= x[i]} / (i + 1)``: the same number as ranking the
    history truncated at day ``i`` (``rank(method="max", pct=True)`` of its last value), for
    every day at once, in O(n log n): exact pairwise counts inside blocks of 64, then one
    sorted search per pair of sibling blocks at each doubling of the block size.

    Parameters
    ----------
    values : 1-d array of finite numbers, in time order (drop NaNs first).

    Returns
    -------
    float array of percentiles in (0, 100], same length.
    """
    x = np.asarray(values, dtype=np.float64)
    if x.ndim != 1:
        raise ValueError(f"values must be one-dimensional, got shape {x.shape}")
    if not np.isfinite(x).all():
        raise ValueError("values must be finite (drop NaNs before ranking)")
    n = len(x)
    if n == 0:
        return np.empty(0, dtype=np.float64)
    base = _PAIRWISE_BLOCK
    padded = np.full(-(-n // base) * base, np.inf)
    padded[:n] = x
    blocks = padded.reshape(-1, base)
    not_after = np.tril(np.ones((base, base), dtype=bool))
    counts = ((blocks[:, None, :] <= blocks[:, :, None]) & not_after).sum(axis=2).reshape(-1)[:n]
    size = base
    while size < n:
        for start in range(0, n - size, 2 * size):
            mid, end = start + size, min(start + 2 * size, n)
            counts[mid:end] += np.searchsorted(np.sort(x[start:mid]), x[mid:end], side="right")
        size *= 2
    return np.asarray(counts * 100.0 / np.arange(1, n + 1), dtype=np.float64)


def classify_moves(
    short_bp: npt.ArrayLike,
    long_bp: npt.ArrayLike,
    *,
    parallel_band_bp: float = DEFAULT_PARALLEL_BAND_BP,
) -> npt.NDArray[np.object_]:
    """Regime of each move from the leg changes (rules in the module docstring).

    Parameters
    ----------
    short_bp, long_bp : changes of the short and long leg, bp (same shape).
    parallel_band_bp : optional; |spread change| below this is "parallel", bp (>= 0).

    Returns
    -------
    object array of regime labels (None where a change is NaN): the five of :data:`REGIMES`,
    or "steepening twist" / "flattening twist" when the legs move in opposite directions by at
    least the band each.
    """
    _check_band(parallel_band_bp)
    ds = np.round(np.asarray(short_bp, dtype=np.float64), _CHANGE_DECIMALS)
    dl = np.round(np.asarray(long_bp, dtype=np.float64), _CHANGE_DECIMALS)
    if ds.shape != dl.shape:
        raise ValueError(f"short_bp and long_bp must have one shape, got {ds.shape}, {dl.shape}")
    spread = np.round(dl - ds, _CHANGE_DECIMALS)
    bear = (ds + dl) >= 0
    steep = spread > 0
    labels = np.where(
        steep,
        np.where(bear, REGIMES[0], REGIMES[1]),
        np.where(bear, REGIMES[2], REGIMES[3]),
    ).astype(object)
    # A zero band still needs a move on each leg to call it a twist.
    leg = max(parallel_band_bp, 10.0**-_CHANGE_DECIMALS)
    labels[(ds <= -leg) & (dl >= leg)] = "steepening twist"
    labels[(ds >= leg) & (dl <= -leg)] = "flattening twist"
    labels[np.abs(spread) < parallel_band_bp] = REGIMES[4]
    labels[~(np.isfinite(ds) & np.isfinite(dl))] = None
    return labels


def spread_moves(
    yields: pd.DataFrame,
    spread: str,
    *,
    window: str = "1w",
    parallel_band_bp: float = DEFAULT_PARALLEL_BAND_BP,
) -> pd.DataFrame:
    """Every move of a spread over a window, classified and ranked against the history.

    Parameters
    ----------
    yields : yields frame (percent, tenor columns, DatetimeIndex).
    spread : a name of SPREADS ("2s10s", ...).
    window : optional; a key of :data:`WINDOWS` ("1d", "1w", "1m").
    parallel_band_bp : optional; band of the "parallel" regime, bp.

    Returns
    -------
    DataFrame indexed by the end date of each move (days with both legs observed and at
    least ``window`` earlier such days), columns ``start_date``, ``short_bp``, ``long_bp``,
    ``spread_bp`` (bp), ``regime`` and ``percentile`` (0-100, of ``spread_bp`` among the
    same-window changes up to that day: look-ahead-free, see :func:`expanding_percentile`).
    """
    short, long = _check_spread(spread)
    n = _check_window(window)
    _check_band(parallel_band_bp)
    _check_yields(yields, (short, long))
    legs = yields[[short, long]].dropna()
    ds = (legs[short].diff(n) * 100.0).round(_CHANGE_DECIMALS)
    dl = (legs[long].diff(n) * 100.0).round(_CHANGE_DECIMALS)
    start = pd.Series(legs.index, index=legs.index).shift(n)
    moves = pd.DataFrame(
        {"start_date": start, "short_bp": ds, "long_bp": dl}, index=legs.index
    ).iloc[n:]
    moves["spread_bp"] = (moves["long_bp"] - moves["short_bp"]).round(_CHANGE_DECIMALS)
    moves["regime"] = classify_moves(
        moves["short_bp"].to_numpy(), moves["long_bp"].to_numpy(), parallel_band_bp=parallel_band_bp
    )
    moves["percentile"] = expanding_percentile(moves["spread_bp"].to_numpy())
    moves.index.name = "date"
    return moves[list(_MOVE_COLUMNS)]


def move_as_of(
    yields: pd.DataFrame,
    spread: str,
    *,
    as_of: str | pd.Timestamp,
    window: str = "1w",
    parallel_band_bp: float = DEFAULT_PARALLEL_BAND_BP,
) -> SpreadMove | None:
    """The last move of a spread ending on or before ``as_of`` (history truncated there).

    Parameters as :func:`spread_moves`; ``as_of`` is a date. Returns None when there is no
    move on or before it. The move may end before ``as_of`` (holiday, absent leg): check
    ``end_date``.
    """
    moves = spread_moves(
        yields.loc[: pd.Timestamp(as_of)], spread, window=window, parallel_band_bp=parallel_band_bp
    )
    if moves.empty:
        return None
    row = moves.iloc[-1]
    return SpreadMove(
        spread=spread,
        window=window,
        start_date=pd.Timestamp(row["start_date"]),
        end_date=pd.Timestamp(moves.index[-1]),
        short_bp=float(row["short_bp"]),
        long_bp=float(row["long_bp"]),
        spread_bp=float(row["spread_bp"]),
        regime=str(row["regime"]),
        percentile=float(row["percentile"]),
    )


def largest_episodes(
    yields: pd.DataFrame,
    spread: str,
    *,
    window: str = "1w",
    top_n: int = DEFAULT_TOP_N,
    parallel_band_bp: float = DEFAULT_PARALLEL_BAND_BP,
    min_separation_obs: int | None = None,
) -> pd.DataFrame:
    """The largest non-overlapping moves of each regime, by |spread change|.

    Within a regime, moves are taken greedily from the largest |spread change| down, skipping
    any that ends fewer than ``min_separation_obs`` observations from one already taken (by
    default the window length, so the windows listed never overlap: one sell-off week is
    listed once, not as five overlapping weeks).

    Parameters
    ----------
    yields, spread, window, parallel_band_bp : as :func:`spread_moves`.
    top_n : optional; episodes per regime (>= 1).
    min_separation_obs : optional; least distance in observations between the end dates of
        two episodes of one regime (>= 1; default: the window length).

    Returns
    -------
    DataFrame with columns ``regime``, ``rank`` (1 = largest), ``start_date``, ``end_date``,
    ``short_bp``, ``long_bp``, ``spread_bp``, ``percentile``; regimes in the order of
    :data:`EPISODE_REGIMES`, at most ``top_n`` rows each.
    """
    if not isinstance(top_n, (int, np.integer)) or top_n < 1:
        raise ValueError(f"top_n must be an integer >= 1, got {top_n!r}")
    separation = _check_window(window) if min_separation_obs is None else min_separation_obs
    if not isinstance(separation, (int, np.integer)) or separation < 1:
        raise ValueError(f"min_separation_obs must be an integer >= 1, got {min_separation_obs!r}")
    moves = spread_moves(yields, spread, window=window, parallel_band_bp=parallel_band_bp)
    return episodes_from_moves(moves, top_n=top_n, min_separation_obs=separation)


def episodes_from_moves(
    moves: pd.DataFrame, *, top_n: int = DEFAULT_TOP_N, min_separation_obs: int = 5
) -> pd.DataFrame:
    """:func:`largest_episodes` from an already computed :func:`spread_moves` frame (for
    instance the state's full-history table cut at the as-of date, re-classified with
    another band). Same columns as :func:`largest_episodes`."""
    separation = min_separation_obs
    position = np.arange(len(moves))
    rows: list[dict[str, Any]] = []
    for regime in EPISODE_REGIMES:
        in_regime = (moves["regime"] == regime).to_numpy()
        size = moves["spread_bp"].abs().to_numpy()[in_regime]
        candidates = position[in_regime][np.argsort(-size, kind="stable")]
        taken: list[int] = []
        for pos in candidates:
            if all(abs(int(pos) - t) >= separation for t in taken):
                taken.append(int(pos))
                if len(taken) == top_n:
                    break
        for rank, pos in enumerate(taken, start=1):
            move = moves.iloc[pos]
            rows.append(
                {
                    "regime": regime,
                    "rank": rank,
                    "start_date": move["start_date"],
                    "end_date": moves.index[pos],
                    "short_bp": move["short_bp"],
                    "long_bp": move["long_bp"],
                    "spread_bp": move["spread_bp"],
                    "percentile": move["percentile"],
                }
            )
    columns = [
        "regime",
        "rank",
        "start_date",
        "end_date",
        "short_bp",
        "long_bp",
        "spread_bp",
        "percentile",
    ]
    return pd.DataFrame(rows, columns=columns)


def curve_factors(yields: pd.DataFrame) -> pd.DataFrame:
    """Level, slope and curvature (empirical Diebold-Li definitions) for every day.

    Returns
    -------
    DataFrame indexed like ``yields`` with ``level_pct`` = (3m + 2y + 10y) / 3 (percent),
    ``slope_bp`` = 10y - 3m (bp) and ``curvature_bp`` = 2 * 2y - 3m - 10y (bp); NaN where a
    tenor is absent (the 3m starts in 1981).
    """
    _check_yields(yields, ("3m", "2y", "10y"))
    y3m, y2y, y10y = yields["3m"], yields["2y"], yields["10y"]
    return pd.DataFrame(
        {
            "level_pct": (y3m + y2y + y10y) / 3.0,
            "slope_bp": (y10y - y3m) * 100.0,
            "curvature_bp": (2.0 * y2y - y3m - y10y) * 100.0,
        },
        index=yields.index,
    )


def curve_pca(
    yields: pd.DataFrame,
    *,
    tenors: tuple[str, ...] = PCA_TENORS,
    on: Literal["changes", "levels"] = "changes",
    n_components: int = 3,
) -> CurvePCA:
    """Principal components of daily yield changes (bp) or of yield levels (percent).

    Parameters
    ----------
    yields : yields frame (percent, tenor columns, DatetimeIndex).
    tenors : optional; tenors used (days missing any of them are left out).
    on : optional; "changes" (daily changes in bp, between consecutive complete days) or
        "levels" (percent, demeaned).
    n_components : optional; 1 to len(tenors).

    Returns
    -------
    CurvePCA
    """
    _check_yields(yields, tenors)
    if on not in ("changes", "levels"):
        raise ValueError(f"on must be 'changes' or 'levels', got {on!r}")
    if not 1 <= n_components <= len(tenors):
        raise ValueError(f"n_components must be in [1, {len(tenors)}], got {n_components}")
    data = yields[list(tenors)].dropna()
    if on == "changes":
        data = (data.diff() * 100.0).iloc[1:]
    if len(data) < len(tenors) + 1:
        raise ValueError(
            f"curve_pca needs more than {len(tenors)} complete days of {tenors}, got {len(data)}"
        )
    centred = data - data.mean()
    _, sing, vt = np.linalg.svd(centred.to_numpy(), full_matrices=False)
    variance = sing**2
    vectors = vt[:n_components].T.copy()
    maturity = np.array([TENOR_YEARS[t] for t in tenors])
    rank = np.argsort(np.argsort(maturity)) - (len(tenors) - 1) / 2.0
    # Reference shapes fix the arbitrary sign of each eigenvector: flat, rising, humped.
    references = [np.ones(len(tenors)), rank, (rank.max() ** 2 / 2) - rank**2]
    for k in range(n_components):
        if k < len(references) and float(vectors[:, k] @ references[k]) < 0:
            vectors[:, k] = -vectors[:, k]
    names = [f"pc{k + 1}" for k in range(n_components)]
    return CurvePCA(
        loadings=pd.DataFrame(vectors, index=list(tenors), columns=names),
        explained_ratio=pd.Series(variance[:n_components] / variance.sum(), index=names),
        scores=pd.DataFrame(centred.to_numpy() @ vectors, index=data.index, columns=names),
        on=on,
    )


def _last_observed_date(yields: pd.DataFrame, when: pd.Timestamp) -> pd.Timestamp | None:
    observed = yields.loc[:when].notna().any(axis=1)
    dates = observed.index[observed.to_numpy()]
    return pd.Timestamp(dates[-1]) if len(dates) else None


def curve_as_of(
    yields: pd.DataFrame,
    *,
    as_of: str | pd.Timestamp,
    lookbacks: tuple[str, ...] = tuple(LOOKBACKS),
) -> pd.DataFrame:
    """The curve on a date and the curves the move windows start from.

    The "as_of" row is the last day on or before the date with at least one yield observed;
    the "1w" ("1m") row is the day 5 (21) such observations before it, the from-date of the
    1-week (1-month) moves of :func:`spread_moves`.

    Parameters
    ----------
    yields : yields frame (percent, tenor columns, DatetimeIndex).
    as_of : the date.
    lookbacks : optional; keys of :data:`LOOKBACKS`.

    Returns
    -------
    DataFrame indexed by "as_of" and the look-back names, with a ``date`` column (the
    observation used; NaT if none) and the tenor columns (percent).
    """
    _check_yields(yields)
    unknown = [k for k in lookbacks if k not in LOOKBACKS]
    if unknown:
        raise ValueError(f"lookbacks must be keys of {tuple(LOOKBACKS)}, got {unknown}")
    when = pd.Timestamp(as_of)
    tenors = [t for t in TENORS if t in yields.columns]
    observed = yields.index[yields.notna().any(axis=1).to_numpy()]
    last = int(observed.searchsorted(when, side="right")) - 1
    targets = {"as_of": 0} | {k: LOOKBACKS[k] for k in lookbacks}
    rows = []
    for label, back in targets.items():
        pos = last - back
        date = pd.Timestamp(observed[pos]) if last >= 0 and pos >= 0 else None
        values = yields.loc[date, tenors] if date is not None else pd.Series(np.nan, index=tenors)
        rows.append(pd.Series({"date": date if date is not None else pd.NaT, **values}, name=label))
    return pd.DataFrame(rows)


def _round_or_none(value: float, decimals: int) -> float | None:
    return None if not np.isfinite(value) else round(float(value), decimals)


def curve_snapshot(
    yields: pd.DataFrame,
    *,
    as_of: str | pd.Timestamp,
    parallel_band_bp: float = DEFAULT_PARALLEL_BAND_BP,
) -> dict[str, Any]:
    """The curve page's numbers as of a date, as plain JSON-ready values.

    Uses the last day on or before ``as_of`` with any yield, if it is at most
    :data:`STALE_AFTER_DAYS` calendar days old; history after ``as_of`` is ignored.

    Returns
    -------
    ``{"yields_pct": {tenor: float | None}, "spreads_bp": {spread: float | None},
    "moves": {window: {spread: {"short_bp", "long_bp", "spread_bp", "regime",
    "percentile"}}}, "missing": [str]}``; yields rounded to 0.001 %, bp and percentiles to
    0.1; None where absent, and ``missing`` says what is absent in words.
    """
    _check_yields(yields, TENORS)
    _check_band(parallel_band_bp)
    when = pd.Timestamp(as_of)
    history = yields.loc[:when]
    missing: list[str] = []
    empty_move = dict.fromkeys(("short_bp", "long_bp", "spread_bp", "regime", "percentile"))
    snapshot: dict[str, Any] = {
        "yields_pct": dict.fromkeys(TENORS),
        "spreads_bp": dict.fromkeys(SPREADS),
        "moves": {w: {s: dict(empty_move) for s in SPREADS} for w in WINDOWS},
        "missing": missing,
    }
    date = _last_observed_date(history, when)
    if date is None or (when - date).days > STALE_AFTER_DAYS:
        last = "" if date is None else f" (last {date.date()})"
        missing.append(
            f"Treasury yields: no observation within {STALE_AFTER_DAYS} days before "
            f"{when.date()}{last}"
        )
        return snapshot
    row = history.loc[date, list(TENORS)].to_numpy(dtype=np.float64)
    for tenor, level in zip(TENORS, row, strict=True):
        value = _round_or_none(float(level), _YIELD_DECIMALS)
        snapshot["yields_pct"][tenor] = value
        if value is None:
            missing.append(f"{tenor} yield: not published on {date.date()}")
    spreads = curve_spreads_bp(history.loc[[date]]).iloc[0]
    for name, (short, long) in SPREADS.items():
        value = _round_or_none(float(spreads[name]), _BP_DECIMALS)
        snapshot["spreads_bp"][name] = value
        if value is None:
            continue  # the absent leg is already listed
        for window in WINDOWS:
            moves = spread_moves(history, name, window=window, parallel_band_bp=parallel_band_bp)
            if moves.empty or moves.index[-1] != date:
                missing.append(
                    f"{window} move of {name}: fewer than {WINDOWS[window] + 1} observations "
                    f"of {short} and {long} up to {date.date()}"
                )
                continue
            last_move = moves.iloc[-1]
            snapshot["moves"][window][name] = {
                "short_bp": _round_or_none(float(last_move["short_bp"]), _BP_DECIMALS),
                "long_bp": _round_or_none(float(last_move["long_bp"]), _BP_DECIMALS),
                "spread_bp": _round_or_none(float(last_move["spread_bp"]), _BP_DECIMALS),
                "regime": str(last_move["regime"]),
                "percentile": _round_or_none(float(last_move["percentile"]), _PERCENTILE_DECIMALS),
            }
    return snapshot
