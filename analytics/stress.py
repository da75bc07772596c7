"""Composite Treasury Market Stress Index.

Method
------
1. Each indicator (a daily series, any units) is carried forward over at most
   ``IndicatorSpec.max_ffill_days`` business days (3 for daily series, covering holidays; 7
   for weekly ones such as the CFTC positioning step series), never further, so a series
   that stops drops out instead of freezing.
2. It is standardised against its own *past*: z(t) = sign x (x(t) - mean) / std, where the
   mean and standard deviation (ddof=1) are over the ``window`` business days before t
   (t excluded; default 1512, about six years) and need ``min_periods`` observations
   (default 252, one year). No value after t is used. ``sign`` is +1 when a higher value
   means more stress, -1 when a lower value does. z is clipped at +/- ``clip_z``
   (default 5) so that one broken series cannot dominate.
3. Category score = weighted mean of the category's available z-scores that day (indicator
   weights ``IndicatorSpec.weight``, default 1).
4. Total = weighted sum of the category scores divided by the weight of **all** categories
   (``missing="neutral"``, the default): a category without data that day counts as 0, a
   normal reading, so an era with few indicators cannot score like one with all of them
   (1969-10-23 scored 4.03 on the curve category alone, level with Lehman). ``coverage`` is
   the share of the category weight present that day and is shown with the value.
   ``missing="renormalise"`` gives the previous rule (weights re-normalised over the
   categories present). Category weights come from ``weights``, else from the specs
   (``IndicatorSpec.category_weight``), else 1.
5. Contribution of indicator i in category c: w_c / W x z_i x v_i / V_c, with W the weight of
   all categories (or of those present, when re-normalising), v_i the indicator weight and
   V_c the weight of the indicators of c present that day; the total is defined as the sum
   of the contributions, so they add up to it exactly.

Calibration (``benchmarks/bench_stress_calibration.py``): the default window, category weights
(:data:`CALIBRATED_CATEGORY_WEIGHTS`) and indicator weights (:data:`CALIBRATED_INDICATOR_WEIGHTS`)
were chosen on a small grid to maximise the lowest weekly Spearman rank correlation with the
St. Louis Fed (STLFSI4), Chicago Fed (NFCI) and OFR financial stress indices over 2000-07,
2008-09, 2010-19 and 2020-25 (all at least 0.60 on the shared history). The fit is
in-sample: the references are broad financial-stress indices, so the weights lean on the
cross-asset category (VIX); the Treasury-specific indicators keep a share and their
contributions stay visible.

Indicators that start late, stop early or are absent simply drop out of their category (and
a category without indicators counts as neutral); they never make the total NaN while
another category has data.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Final

import numpy as np
import pandas as pd

from analytics.checks import InputError, as_timestamp
from analytics.crossasset import DEFAULT_WINDOW_DAYS as SELL_AMERICA_WINDOW_DAYS
from analytics.crossasset import sell_america_history
from analytics.funding import funding_spreads
from analytics.positioning import CFTC_RELEASE_LAG_DAYS as _CFTC_LAG
from analytics.positioning import leveraged_funds_net, positions_table, release_dates
from analytics.tenors import BP_PER_PCT

__all__ = [
    "CATEGORIES",
    "CURVE",
    "FUNCTIONING",
    "FUNDING",
    "POSITIONING",
    "CROSS_ASSET",
    "DEFAULT_WINDOW_DAYS",
    "CALIBRATED_CATEGORY_WEIGHTS",
    "CALIBRATED_INDICATOR_WEIGHTS",
    "MISSING_RULES",
    "NET_LIQUIDITY_IDS",
    "FOREIGN_CUSTODY_ID",
    "DEFAULT_MIN_PERIODS",
    "DEFAULT_CLIP_Z",
    "DEFAULT_FFILL_DAYS",
    "WEEKLY_FFILL_DAYS",
    "REALISED_VOL_DAYS",
    "CFTC_RELEASE_LAG_DAYS",
    "IndicatorSpec",
    "StressResult",
    "compute_stress_index",
    "build_indicators",
    "stress_snapshot",
]

CURVE: Final = "curve and rates volatility"
FUNCTIONING: Final = "market functioning"
FUNDING: Final = "funding"
POSITIONING: Final = "positioning"
CROSS_ASSET: Final = "cross-asset"
#: The five categories, in display order.
CATEGORIES: Final[tuple[str, ...]] = (CURVE, FUNCTIONING, FUNDING, POSITIONING, CROSS_ASSET)

#: Standardisation window, business days (six years; calibrated, see the module notes).
DEFAULT_WINDOW_DAYS: Final = 1512
#: How a category without data counts: "neutral" (0, the default) or "renormalise".
MISSING_RULES: Final[tuple[str, ...]] = ("neutral", "renormalise")
#: Category weights of the default indicator set (calibrated, see the module notes).
CALIBRATED_CATEGORY_WEIGHTS: Final[Mapping[str, float]] = MappingProxyType(
    {CURVE: 1.0, FUNCTIONING: 0.5, FUNDING: 0.5, POSITIONING: 0.5, CROSS_ASSET: 2.5}
)
#: Indicator weights inside their category (others weigh 1). The Sell-America score and the
#: two weekly flow indicators ranked against the official indices with the wrong sign in
#: 2008-09 and 2010-19 (a flight to safety *raises* foreign custody holdings), so they are
#: shown but weigh little or nothing.
CALIBRATED_INDICATOR_WEIGHTS: Final[Mapping[str, float]] = MappingProxyType(
    {
        "curve_2s10s_abs_chg_1w_bp": 0.25,
        "sell_america_score": 0.0,
        "foreign_custody_4w_fall_bn": 0.25,
        "net_liquidity_4w_fall_bn": 0.25,
    }
)
#: Series of net liquidity: Fed assets (WALCL, $mn) - TGA (WDTGAL, $mn) - ON RRP (RRPONTSYD, $bn).
NET_LIQUIDITY_IDS: Final[tuple[str, str, str]] = ("WALCL", "WDTGAL", "RRPONTSYD")
#: Foreign official custody holdings of Treasuries (H.4.1, $mn, Wednesday level).
FOREIGN_CUSTODY_ID: Final = "WMTSECL1"
#: Weeks of the flow indicators' changes.
FLOW_CHANGE_WEEKS: Final = 4
#: Fewest past observations in the window before a z-score is given (one year).
DEFAULT_MIN_PERIODS: Final = 252
#: |z| cap; None disables clipping.
DEFAULT_CLIP_Z: Final = 5.0
#: Forward-fill limit of daily indicators, business days (holidays).
DEFAULT_FFILL_DAYS: Final = 3
#: Forward-fill limit of weekly indicators, business days (one week plus a holiday).
WEEKLY_FFILL_DAYS: Final = 7
#: Window of the 10y realised volatility indicator, business days.
REALISED_VOL_DAYS: Final = 21
#: Business days per year, to annualise realised volatility.
TRADING_DAYS_PER_YEAR: Final = 252
#: Business days of the 2s10s change.
CURVE_CHANGE_DAYS: Final = 5
#: The CFTC report (as of Tuesday) is published on Friday: the step series starts then, so the
#: index never uses a report before it was public.
CFTC_RELEASE_LAG_DAYS: Final = _CFTC_LAG


@dataclass(frozen=True)
class IndicatorSpec:
    """How one indicator enters the index.

    Attributes
    ----------
    name : str
        Column of the indicator frame.
    category : str
        One of :data:`CATEGORIES` (or a caller's own category name).
    sign : int
        +1 when higher = more stress, -1 when lower = more stress.
    label : str, optional
        Name shown to users.
    units : str, optional
        Units of the raw series ("bp", "index", "z"...).
    max_ffill_days : int, optional
        Business days the last value is carried forward (default 3).
    weight : float, optional
        Weight inside its category (>= 0, default 1).
    category_weight : float, optional
        Weight of its category when the caller gives none (>= 0, default 1; the specs of one
        category must agree).
    """

    name: str
    category: str
    sign: int
    label: str = ""
    units: str = ""
    max_ffill_days: int = DEFAULT_FFILL_DAYS
    weight: float = 1.0
    category_weight: float = 1.0

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not self.name:
            raise ValueError(f"IndicatorSpec.name must be a non-empty string, got {self.name!r}")
        if not isinstance(self.category, str) or not self.category:
            raise ValueError(f"IndicatorSpec.category of {self.name!r} must be a non-empty string")
        if self.sign not in (1, -1) or isinstance(self.sign, bool):
            raise ValueError(
                f"IndicatorSpec.sign of {self.name!r} must be +1 or -1, got {self.sign!r}"
            )
        if isinstance(self.max_ffill_days, bool) or not isinstance(self.max_ffill_days, int):
            raise ValueError(
                f"IndicatorSpec.max_ffill_days of {self.name!r} must be an int in [0, 260]"
            )
        for attr in ("weight", "category_weight"):
            value = getattr(self, attr)
            if isinstance(value, bool) or not isinstance(value, int | float) or not np.isfinite(value) or value < 0:
                raise InputError(attr, f"{attr} of {self.name!r} must be a finite number >= 0, got {value!r}")
        if not 0 <= self.max_ffill_days <= 260:
            raise ValueError(
                f"IndicatorSpec.max_ffill_days of {self.name!r} must be in [0, 260], got {self.max_ffill_days}"
            )


@dataclass(frozen=True, eq=False)
class StressResult:
    """Output of :func:`compute_stress_index`; all frames share one DatetimeIndex.

    Attributes
    ----------
    total : pandas.Series
        The index (z units), NaN where no category has data.
    categories : pandas.DataFrame
        Category scores (z units), one column per category of the specs.
    zscores : pandas.DataFrame
        Signed, clipped z-score of each indicator.
    contributions : pandas.DataFrame
        Contribution of each indicator; each row sums to ``total``.
    values : pandas.DataFrame
        The raw indicator values after the bounded forward fill.
    specs : tuple of IndicatorSpec
    weights : mapping
        Category weights before re-normalisation.
    window, min_periods : int
    clip_z : float or None
    coverage : pandas.Series
        Share (0-1) of the category weight with data each day.
    missing : str
        How categories without data counted ("neutral" or "renormalise").
    """

    total: pd.Series
    categories: pd.DataFrame
    zscores: pd.DataFrame
    contributions: pd.DataFrame
    values: pd.DataFrame
    specs: tuple[IndicatorSpec, ...]
    weights: Mapping[str, float] = field(default_factory=dict)
    window: int = DEFAULT_WINDOW_DAYS
    min_periods: int = DEFAULT_MIN_PERIODS
    clip_z: float | None = DEFAULT_CLIP_Z
    coverage: pd.Series | None = None
    missing: str = "neutral"


def _specs_from(spec: Sequence[IndicatorSpec] | pd.DataFrame) -> tuple[IndicatorSpec, ...]:
    """Accept a sequence of specs or a table indexed by indicator with category and sign."""
    if isinstance(spec, pd.DataFrame):
        for col in ("category", "sign"):
            if col not in spec.columns:
                raise ValueError(
                    f"spec table must have columns 'category' and 'sign' (indexed by indicator); missing {col!r}"
                )
        specs = []
        for name, row in spec.iterrows():
            kwargs: dict[str, Any] = {
                "name": str(name),
                "category": str(row["category"]),
                "sign": int(row["sign"]),
            }
            if "max_ffill_days" in spec.columns and pd.notna(row["max_ffill_days"]):
                kwargs["max_ffill_days"] = int(row["max_ffill_days"])
            specs.append(IndicatorSpec(**kwargs))
        return tuple(specs)
    out = tuple(spec)
    for s in out:
        if not isinstance(s, IndicatorSpec):
            raise ValueError(f"spec entries must be IndicatorSpec, got {type(s).__name__}")
    return out


def _resolve_weights(
    categories: Sequence[str], weights: Mapping[str, float] | None, specs: Sequence[IndicatorSpec] = ()
) -> dict[str, float]:
    resolved = {c: 1.0 for c in categories}
    for sp in specs:
        resolved[sp.category] = float(sp.category_weight)
    if weights is None:
        if not any(resolved.values()):
            raise InputError("weights", "weights: at least one category weight must be > 0")
        top = max(resolved.values())
        return {c: v / top for c, v in resolved.items()}
    for cat, w in weights.items():
        if cat not in resolved:
            raise ValueError(
                f"weights: unknown category {cat!r}; categories of the spec: {list(categories)}"
            )
        fw = float(w)
        if not np.isfinite(fw) or fw < 0:
            raise InputError("weights", f"weights[{cat!r}] must be a finite number >= 0, got {w!r}")
        resolved[cat] = fw
    top = max(resolved.values())
    if not top > 0:
        raise ValueError("weights: at least one category weight must be > 0")
    # Only ratios matter; scaling by the largest keeps tiny (even subnormal) weights exact.
    return {c: v / top for c, v in resolved.items()}


def compute_stress_index(
    indicators: pd.DataFrame,
    spec: Sequence[IndicatorSpec] | pd.DataFrame,
    *,
    window: int = DEFAULT_WINDOW_DAYS,
    min_periods: int = DEFAULT_MIN_PERIODS,
    clip_z: float | None = DEFAULT_CLIP_Z,
    weights: Mapping[str, float] | None = None,
    missing: str = "neutral",
    filled: bool = False,
) -> StressResult:
    """Standardise the indicators and aggregate them into the composite index.

    Parameters
    ----------
    indicators : pandas.DataFrame
        Daily indicator values (business-day DatetimeIndex, ascending), one column per
        indicator, NaN where absent. Columns without a spec are ignored; a spec whose column
        is absent gives an all-NaN indicator.
    spec : sequence of IndicatorSpec or pandas.DataFrame
        Indicator -> category and sign (a DataFrame indexed by indicator with columns
        ``category``, ``sign`` and optionally ``max_ffill_days`` is accepted too).
    window : int, optional
        Rolling window of past business days, in [2, 10000] (default 756).
    min_periods : int, optional
        Fewest past observations for a z-score, in [2, window] (default 252).
    clip_z : float or None, optional
        Cap on |z| (> 0), or None for no clipping (default 5).
    weights : mapping, optional
        Category -> weight (>= 0); categories not named weigh 1. Default: the specs'
        ``category_weight`` (1 unless set; :func:`build_indicators` sets the calibrated ones).
    missing : str, optional
        "neutral" (default): a category without data counts as 0 and the total is divided by
        the weight of all categories; "renormalise": the weights are re-normalised over the
        categories present.
    filled : bool, optional
        True when ``indicators`` already carry each spec's bounded forward fill (the ``values``
        of a :class:`StressResult`, to recompute it with other settings): they are used as
        they are. Filling them again would stretch every gap's fill to twice its limit.

    Returns
    -------
    StressResult
        Index, category scores, z-scores and contributions (see the module docstring).
    """
    if not isinstance(indicators, pd.DataFrame) or not isinstance(
        indicators.index, pd.DatetimeIndex
    ):
        raise InputError("indicators", "indicators must be a pandas DataFrame with a DatetimeIndex")
    if not indicators.index.is_monotonic_increasing or indicators.index.has_duplicates:
        raise ValueError("indicators index must be ascending without duplicate dates")
    if isinstance(window, bool) or not isinstance(window, int) or not 2 <= window <= 10_000:
        raise InputError(
            "window",
            f"window must be an int number of business days in [2, 10000], got {window!r}"
        )
    if (
        isinstance(min_periods, bool)
        or not isinstance(min_periods, int)
        or not 2 <= min_periods <= window
    ):
        raise InputError("min_periods", f"min_periods must be an int in [2, window={window}], got {min_periods!r}")
    if clip_z is not None and (not np.isfinite(clip_z) or clip_z <= 0):
        raise InputError("clip_z", f"clip_z must be a finite number > 0 or None, got {clip_z!r}")
    specs = _specs_from(spec)
    if not specs:
        raise InputError("spec", "spec must name at least one indicator")
    names = [s.name for s in specs]
    if len(set(names)) != len(names):
        raise InputError(
            "spec",
            f"spec names an indicator twice: {sorted({n for n in names if names.count(n) > 1})}"
        )
    if missing not in MISSING_RULES:
        raise InputError("missing", f"missing must be one of {', '.join(MISSING_RULES)}, got {missing!r}")
    categories = list(dict.fromkeys(s.category for s in specs))
    w = _resolve_weights(categories, weights, specs if weights is None else ())
    idx = indicators.index

    names_in = set(indicators.columns)
    raw = {}
    for s in specs:
        col = indicators[s.name].astype(float) if s.name in names_in else pd.Series(np.nan, index=idx)
        raw[s.name] = col.ffill(limit=s.max_ffill_days) if s.max_ffill_days > 0 and not filled else col
    values = pd.DataFrame(raw, index=idx, columns=names)
    # Statistics of the window *before* t: shift by one row so today's value is judged
    # against history only (a spike is not diluted by itself, and nothing later is used).
    past = values.shift(1).rolling(window, min_periods=min_periods)
    mean = past.mean().to_numpy()
    std = past.std(ddof=1).to_numpy()
    # The rest is elementwise or per category: plain arrays (days x indicators), one
    # DataFrame per output at the end.
    signs = np.array([float(s.sign) for s in specs])
    ind_w = np.array([float(s.weight) for s in specs])
    with np.errstate(invalid="ignore", divide="ignore"):
        z = (values.to_numpy() - mean) / np.where(std > 0, std, np.nan) * signs
    if clip_z is not None:
        z = np.clip(z, -clip_z, clip_z)
    has_z = ~np.isnan(z)
    weighted_z = np.where(has_z, z, 0.0) * ind_w
    n_days = len(idx)
    cat_scores = np.full((n_days, len(categories)), np.nan)
    counts = np.empty((n_days, len(categories)))
    cat_of = np.array([categories.index(s.category) for s in specs])
    for k in range(len(categories)):
        cols = cat_of == k
        counts[:, k] = (has_z[:, cols] * ind_w[cols]).sum(axis=1)
        # A category is present when any of its indicators has a z-score (even of weight 0);
        # with no indicator weight present it scores 0.
        with np.errstate(invalid="ignore", divide="ignore"):
            score = weighted_z[:, cols].sum(axis=1) / np.where(counts[:, k] > 0, counts[:, k], np.nan)
        present = has_z[:, cols].any(axis=1)
        score = score[present]
        cat_scores[present, k] = np.where(np.isnan(score), 0.0, score)
    cat_w = np.array([w[c] for c in categories])
    present_w = np.where(np.isnan(cat_scores), 0.0, cat_w)
    total_w = present_w.sum(axis=1)
    all_w = float(sum(w.values()))
    coverage = pd.Series(total_w / all_w, index=idx, name="coverage")
    some = total_w > 0
    denom = np.where(some, total_w if missing == "renormalise" else all_w, np.nan)
    with np.errstate(invalid="ignore", divide="ignore"):
        share = present_w / denom[:, None]
        per = np.where(counts > 0, counts, np.nan)
        contrib = share[:, cat_of] * z * ind_w / per[:, cat_of]
    # An indicator of weight 0 (or of a category whose present weights are all 0) contributes
    # exactly 0 while it has a z-score; none on a day whose categories all weigh zero.
    contrib = np.where(has_z & some[:, None], np.where(np.isnan(contrib), 0.0, contrib), np.nan)
    # A day whose categories all weigh zero has no index, even if some z-scores exist.
    counted = (has_z & some[:, None]).any(axis=1)
    total = pd.Series(np.where(counted, np.nansum(contrib, axis=1), np.nan), index=idx, name="stress_index")
    return StressResult(
        total=total,
        categories=pd.DataFrame(cat_scores, index=idx, columns=categories),
        zscores=pd.DataFrame(z, index=idx, columns=names),
        contributions=pd.DataFrame(contrib, index=idx, columns=names),
        values=values,
        specs=specs,
        weights=w,
        window=window,
        min_periods=min_periods,
        clip_z=clip_z,
        coverage=coverage,
        missing=missing,
    )


# --- the default indicator set -----------------------------------------------------------------


def _on(index: pd.DatetimeIndex, values: pd.Series) -> pd.Series:
    """``values`` on ``index`` (exact dates; no fill here, the index does bounded fills)."""
    return values.astype(float).reindex(index)


def _step_at_release(index: pd.DatetimeIndex, values: pd.Series) -> pd.Series:
    """Weekly CFTC values placed on their publication day (:func:`analytics.positioning.release_dates`,
    or the next date of ``index``)."""
    arr = np.full(len(index), np.nan)
    obs = values.dropna()
    if not obs.empty and len(index) > 0:
        release = release_dates(pd.DatetimeIndex(obs.index))
        pos = index.searchsorted(release, side="left")
        ok = pos < len(index)
        arr[pos[ok]] = obs.to_numpy(dtype=float)[ok]
    return pd.Series(arr, index=index, dtype=float)


def _step_at_wednesday(index: pd.DatetimeIndex, values: pd.Series) -> pd.Series:
    """A weekly (Wednesday) series on the business-day index: each value on its own date, or
    the next business day when that date is not one (the index's bounded fill carries it)."""
    arr = np.full(len(index), np.nan)
    obs = values.dropna()
    if not obs.empty and len(index) > 0:
        pos = index.searchsorted(pd.DatetimeIndex(obs.index), side="left")
        ok = pos < len(index)
        arr[pos[ok]] = obs.to_numpy(dtype=float)[ok]
    return pd.Series(arr, index=index, dtype=float)


def _net_liquidity_fall_bn(series: pd.DataFrame) -> pd.Series | None:
    """Fall of net liquidity over 4 weeks, USD bn, on the Wednesdays of WALCL (None if absent).

    Net liquidity = WALCL ($mn) - WDTGAL ($mn) - RRPONTSYD ($bn x 1000), each Wednesday; the
    ON RRP of a Wednesday without an operation row is taken from the last row within 3 days
    (0 before the series has any row).
    """
    assets_id, tga_id, rrp_id = NET_LIQUIDITY_IDS
    if assets_id not in series.columns or tga_id not in series.columns:
        return None
    assets = series[assets_id].astype(float).dropna()
    tga = series[tga_id].astype(float).reindex(assets.index)
    if rrp_id in series.columns:
        rrp_obs = series[rrp_id].astype(float).dropna()
        rrp = rrp_obs.reindex(rrp_obs.index.union(assets.index)).ffill(limit=3).reindex(assets.index)
        rrp = rrp.fillna(0.0)
    else:
        rrp = pd.Series(0.0, index=assets.index)
    net = (assets - tga - rrp * 1_000.0) / 1_000.0
    fall = -(net - net.shift(FLOW_CHANGE_WEEKS))
    return fall if fall.notna().any() else None


def build_indicators(
    yields: pd.DataFrame,
    series: pd.DataFrame,
    cftc: pd.DataFrame | None,
    *,
    fit_noise_bp: pd.Series | None = None,
    otr_premium_bp: pd.Series | None = None,
    swap_spread_bp: pd.Series | None = None,
) -> tuple[pd.DataFrame, tuple[IndicatorSpec, ...]]:
    """Derive the default indicator set from the store's frames.

    Parameters
    ----------
    yields : pandas.DataFrame
        Yields frame (percent), columns ``analytics.tenors.TENORS``.
    series : pandas.DataFrame
        Wide series frame (MOVE, SOFR, EFFR, IORB/IOER, SOFR1/SOFR99, DTWEXBGS, SP500,
        VIXCLS, DSWP10 are used when present).
    cftc : pandas.DataFrame or None
        Long CFTC TFF frame, or None to leave positioning out.
    fit_noise_bp : pandas.Series, optional
        Daily curve-fit noise (RMS fitting error), bp; higher = more stress.
    otr_premium_bp : pandas.Series, optional
        Daily on-the-run premium proxy, CMT par yield minus GSW par yield (bp), as one column
        of ``analytics.functioning.otr_premium_bp`` returns it: negative when on-the-run
        issues trade rich, so lower = more stress (sign -1).
    swap_spread_bp : pandas.Series, optional
        Daily 10y swap spread (swap rate - Treasury yield), bp; lower = more stress. When
        absent it is computed from ``DSWP10`` and the 10y CMT if ``DSWP10`` is in ``series``.

    Returns
    -------
    (pandas.DataFrame, tuple of IndicatorSpec)
        Indicator frame on the business days spanned by ``yields`` and ``series``, and its
        specs. Only indicators with at least one observation are returned:

        * curve and rates volatility: ``move_bp`` (MOVE, bp) when MOVE is present, and
          ``realised_vol_10y_bp`` (21-day realised volatility of daily 10y changes,
          annualised, bp) whenever the 10y is; ``curve_2s10s_abs_chg_1w_bp`` (|5-day change of 10y - 2y|, bp);
        * market functioning: ``fit_noise_bp``, ``otr_premium_bp`` (sign -1),
          ``swap_spread_10y_bp`` (sign -1);
        * funding: ``sofr_effr_bp``, ``sofr_iorb_bp``, ``sofr_p99_p1_bp``;
        * positioning: ``lev_funds_net_short_z`` (z-score of leveraged funds' aggregate net
          *short* in 10y-equivalents over 156 weeks, a step series from each report's
          publication day, carried at most 7 business days);
        * cross-asset: ``sell_america_score`` (see ``analytics.crossasset``), ``vix`` and,
          when ``WMTSECL1`` is stored, ``foreign_custody_4w_fall_bn`` (4-week fall of
          foreign official custody holdings, USD bn: a fall = stress);
        * funding also ``net_liquidity_4w_fall_bn`` when ``WALCL`` and ``WDTGAL`` are stored
          (4-week fall of Fed assets - TGA - ON RRP, USD bn, on Wednesdays).

        Each spec carries the calibrated weights (:data:`CALIBRATED_CATEGORY_WEIGHTS`,
        :data:`CALIBRATED_INDICATOR_WEIGHTS`).
    """
    for name, frame in (("yields", yields), ("series", series)):
        if not isinstance(frame, pd.DataFrame) or not isinstance(frame.index, pd.DatetimeIndex):
            raise ValueError(f"{name} must be a pandas DataFrame with a DatetimeIndex named 'date'")
    dates = yields.index.union(series.index)
    if len(dates) == 0:
        raise ValueError("yields and series are both empty: nothing to build indicators from")
    idx = pd.bdate_range(dates.min(), dates.max(), name="date")
    cols: dict[str, pd.Series] = {}
    specs: list[IndicatorSpec] = []

    def add(
        name: str,
        values: pd.Series,
        category: str,
        sign: int,
        label: str,
        units: str,
        ffill: int = DEFAULT_FFILL_DAYS,
    ) -> None:
        if values.notna().any():
            cols[name] = values
            specs.append(
                IndicatorSpec(
                    name,
                    category,
                    sign,
                    label,
                    units,
                    ffill,
                    weight=CALIBRATED_INDICATOR_WEIGHTS.get(name, 1.0),
                    category_weight=CALIBRATED_CATEGORY_WEIGHTS.get(category, 1.0),
                )
            )

    ten = (
        yields["10y"].astype(float).dropna() if "10y" in yields.columns else pd.Series(dtype=float)
    )
    move = series["MOVE"].astype(float) if "MOVE" in series.columns else pd.Series(dtype=float)
    if move.notna().any():
        add("move_bp", _on(idx, move), CURVE, 1, "MOVE index (1m Treasury implied vol)", "bp")
    # Realised vol always: implied vol (MOVE) is a proprietary index a store may hold only in
    # part (the shared history stops in 2023), and rates volatility must not drop out then.
    if not ten.empty:
        vol = (
            ten.diff().rolling(REALISED_VOL_DAYS).std(ddof=1)
            * BP_PER_PCT
            * np.sqrt(TRADING_DAYS_PER_YEAR)
        )
        add(
            "realised_vol_10y_bp",
            _on(idx, vol),
            CURVE,
            1,
            "10y realised vol (21d, annualised)",
            "bp",
        )
    if {"2y", "10y"} <= set(yields.columns):
        s2s10s = ((yields["10y"] - yields["2y"]) * BP_PER_PCT).dropna()
        chg = (s2s10s - s2s10s.shift(CURVE_CHANGE_DAYS)).abs()
        add("curve_2s10s_abs_chg_1w_bp", _on(idx, chg), CURVE, 1, "|2s10s 1-week change|", "bp")

    if fit_noise_bp is not None:
        add(
            "fit_noise_bp",
            _on(idx, fit_noise_bp),
            FUNCTIONING,
            1,
            "Curve-fit noise (coarse CMT proxy)",
            "bp",
        )
    if otr_premium_bp is not None:
        add(
            "otr_premium_bp",
            _on(idx, otr_premium_bp),
            FUNCTIONING,
            -1,
            "On-the-run premium (CMT - GSW par)",
            "bp",
        )
    if swap_spread_bp is None and "DSWP10" in series.columns and not ten.empty:
        swap_spread_bp = (
            (series["DSWP10"].astype(float) - ten.reindex(series.index)) * BP_PER_PCT
        ).dropna()
    if swap_spread_bp is not None:
        add(
            "swap_spread_10y_bp", _on(idx, swap_spread_bp), FUNCTIONING, -1, "10y swap spread", "bp"
        )

    net_liq = _net_liquidity_fall_bn(series)
    if net_liq is not None:
        add(
            "net_liquidity_4w_fall_bn",
            _step_at_wednesday(idx, net_liq),
            FUNDING,
            1,
            "Net liquidity 4-week fall (Fed assets - TGA - ON RRP)",
            "USD bn",
            WEEKLY_FFILL_DAYS,
        )
    spreads = funding_spreads(series)
    add("sofr_effr_bp", _on(idx, spreads["sofr_effr_bp"]), FUNDING, 1, "SOFR - EFFR", "bp")
    add("sofr_iorb_bp", _on(idx, spreads["sofr_iorb_bp"]), FUNDING, 1, "SOFR - IORB/IOER", "bp")
    add(
        "sofr_p99_p1_bp",
        _on(idx, spreads["sofr_p99_p1_bp"]),
        FUNDING,
        1,
        "SOFR 99th - 1st percentile",
        "bp",
    )

    if cftc is not None and len(cftc) > 0:
        lev = leveraged_funds_net(positions_table(cftc))
        # z of the net *short*: a larger short (bigger basis trade) is more fragile.
        step = _step_at_release(idx, -lev["zscore_net"])
        add(
            "lev_funds_net_short_z",
            step,
            POSITIONING,
            1,
            "Leveraged funds net short (z, 10y-eq)",
            "z",
            WEEKLY_FFILL_DAYS,
        )

    sa = sell_america_history(yields, series, window_days=SELL_AMERICA_WINDOW_DAYS)
    add(
        "sell_america_score",
        _on(idx, sa["score"]),
        CROSS_ASSET,
        1,
        "Sell-America score (weakest leg)",
        "scaled",
    )
    if "VIXCLS" in series.columns:
        add("vix", _on(idx, series["VIXCLS"]), CROSS_ASSET, 1, "VIX", "index")
    if FOREIGN_CUSTODY_ID in series.columns:
        custody = series[FOREIGN_CUSTODY_ID].astype(float).dropna() / 1_000.0
        fall = -(custody - custody.shift(FLOW_CHANGE_WEEKS))
        add(
            "foreign_custody_4w_fall_bn",
            _step_at_wednesday(idx, fall),
            CROSS_ASSET,
            1,
            "Foreign official custody 4-week fall (H.4.1)",
            "USD bn",
            WEEKLY_FFILL_DAYS,
        )

    frame = pd.DataFrame(cols, index=idx)
    frame.index.name = "date"
    return frame, tuple(specs)


# --- snapshot --------------------------------------------------------------------------------------


def _f(value: object) -> float | None:
    fval = float(value)  # type: ignore[arg-type]
    return None if np.isnan(fval) else fval


def stress_snapshot(result: StressResult, *, as_of: object) -> dict[str, Any]:
    """The index, its category scores and contributions on the last date on or before ``as_of``.

    Parameters
    ----------
    result : StressResult
        Output of :func:`compute_stress_index`.
    as_of : date-like
        Date of interest.

    Returns
    -------
    dict
        ``date`` (YYYY-MM-DD or None), ``value`` (float or None), ``contributions``
        ({indicator: float} for the indicators present; they sum to ``value``),
        ``categories`` ({category: score or None}), ``weights`` (the share of each present
        category in the value: its weight over the weight of all categories, or of those
        present with ``missing="renormalise"``), ``coverage`` (share 0-1 of the category
        weight with data that day: the value counts the absent share as neutral),
        ``coverage_by_category`` ({category: share of its indicators with a z-score}) and
        ``missing`` (one readable line per indicator without a z-score that day, saying why).
    """
    ts = as_timestamp(as_of, example="2020-03-16")
    total = result.total.loc[:ts]
    out: dict[str, Any] = {
        "date": None,
        "value": None,
        "contributions": {},
        "categories": {},
        "weights": {},
        "coverage": None,
        "coverage_by_category": {},
        "missing": [],
    }
    if total.empty:
        out["categories"] = {c: None for c in result.categories.columns}
        out["missing"] = [f"no index date on or before {ts:%Y-%m-%d}"]
        return out
    date = pd.Timestamp(total.index[-1])
    out["date"] = date.strftime("%Y-%m-%d")
    out["value"] = _f(total.iloc[-1])
    pos = len(total) - 1  # every frame of the result shares the index of ``total``
    contrib = result.contributions.iloc[pos].to_numpy(dtype=float)
    out["contributions"] = {
        str(k): float(v)
        for k, v in zip(result.contributions.columns, contrib, strict=True)
        if not np.isnan(v)
    }
    cats = result.categories.iloc[pos].to_numpy(dtype=float)
    cat_names = [str(c) for c in result.categories.columns]
    out["categories"] = {
        c: (None if np.isnan(v) else float(v)) for c, v in zip(cat_names, cats, strict=True)
    }
    present = {
        c: result.weights.get(c, 0.0)
        for c, v in zip(cat_names, cats, strict=True)
        if not np.isnan(v)
    }
    # The share each present category has in the value: of the weight present when
    # re-normalising, of the weight of every category when absent ones count as neutral.
    denom = sum(present.values()) if result.missing == "renormalise" else float(sum(result.weights.values()))
    out["weights"] = {c: (w / denom if denom > 0 else None) for c, w in present.items()}
    if result.coverage is not None:
        out["coverage"] = _f(result.coverage.iloc[pos])
    z_now = result.zscores.iloc[pos]
    by_cat: dict[str, float] = {}
    for c in cat_names:
        in_cat = [sp for sp in result.specs if sp.category == c]
        n_with = sum(1 for sp in in_cat if not np.isnan(float(z_now[sp.name])))
        by_cat[c] = n_with / len(in_cat) if in_cat else 0.0
    out["coverage_by_category"] = by_cat
    z_row = result.zscores.iloc[pos]
    missing: list[str] = []
    for s in result.specs:
        if not np.isnan(float(z_row[s.name])):
            continue
        raw = result.values[s.name]
        upto = raw.iloc[: pos + 1].dropna()
        if upto.empty:
            missing.append(f"{s.name}: no data on or before {date:%Y-%m-%d}")
        elif np.isnan(float(raw.iloc[pos])):
            missing.append(
                f"{s.name}: no observation within {s.max_ffill_days} business days (last {upto.index[-1]:%Y-%m-%d})"
            )
        else:
            n_past = int(raw.iloc[:pos].tail(result.window).notna().sum())
            if n_past < result.min_periods:
                missing.append(
                    f"{s.name}: warming up ({n_past} of {result.min_periods} past observations needed)"
                )
            else:
                missing.append(f"{s.name}: no variation in the past {result.window} business days")
    out["missing"] = missing
    return out
