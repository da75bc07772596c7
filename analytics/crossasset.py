"""Cross-asset "sell America" signature: Treasury yields up, the dollar down, equities down.

Over a window of ``window_days`` business days (default 5) the three legs are

* the 10-year yield change in bp (from the yields frame), "up" when above
  ``min_yield_change_bp`` (default 5 bp, so that noise does not count);
* the % change of the broad dollar index (``DTWEXBGS``), "down" when below 0;
* the % change of the S&P 500 (``SP500``), "down" when below 0.

The flag is on when all three hold. A continuous ``score`` for the stress index is the
weakest of the three legs, each in units of a typical move (10 bp, 1 %, 2 %): positive only
when all three point the sell-America way, and as large as the least convincing leg.

Each series is carried over holidays for at most :data:`MAX_FFILL_DAYS` business days, so a
market holiday does not break the window but a series that stopped does not linger.

Note on April 2025: the 5-day window to Friday 2025-04-11 is *not* flagged, because the
S&P 500 rose 5.7 % from 2025-04-04 (the 2025-04-09 tariff-pause rally) although yields rose
47 bp and the dollar fell. Measured from the 2025-04-02 close (7 business days) all three
legs line up; with the 5-day default the signature shows on 2025-04-22.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Final

import numpy as np
import pandas as pd

from analytics.asof import AsOfRows, as_of_rows
from analytics.tenors import BP_PER_PCT, TENORS

__all__ = [
    "DOLLAR_ID",
    "EQUITY_ID",
    "DEFAULT_WINDOW_DAYS",
    "DEFAULT_MIN_YIELD_CHANGE_BP",
    "DEFAULT_TENOR",
    "YIELD_SCALE_BP",
    "DOLLAR_SCALE_PCT",
    "EQUITY_SCALE_PCT",
    "MAX_FFILL_DAYS",
    "SellAmericaReading",
    "sell_america_history",
    "sell_america_as_of",
]

DOLLAR_ID: Final = "DTWEXBGS"
EQUITY_ID: Final = "SP500"
#: Window of the changes, business days.
DEFAULT_WINDOW_DAYS: Final = 5
#: Smallest yield rise that counts as "yields up", bp.
DEFAULT_MIN_YIELD_CHANGE_BP: Final = 5.0
#: Yield tenor of the first leg.
DEFAULT_TENOR: Final = "10y"
#: Typical size of each leg, used to put the score in comparable units.
YIELD_SCALE_BP: Final = 10.0
DOLLAR_SCALE_PCT: Final = 1.0
EQUITY_SCALE_PCT: Final = 2.0
#: Longest run of holidays a series is carried over, business days.
MAX_FFILL_DAYS: Final = 3
PCT: Final = 100.0


@dataclass(frozen=True)
class SellAmericaReading:
    """The signature on one date.

    Attributes
    ----------
    date : pandas.Timestamp or None
        Date of the reading (None when no reading exists on or before ``as_of``).
    flag : bool or None
        All three legs in the sell-America direction; None when a leg is missing.
    yield_change_bp, dollar_change_pct, equity_change_pct : float or None
        The three legs over the window (bp, %, %).
    score : float or None
        Weakest leg in typical-move units (see the module docstring).
    window_days : int
        Window in business days.
    min_yield_change_bp : float
        Threshold of the yield leg, bp.
    """

    date: pd.Timestamp | None
    flag: bool | None
    yield_change_bp: float | None
    dollar_change_pct: float | None
    equity_change_pct: float | None
    score: float | None
    window_days: int
    min_yield_change_bp: float

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict (date as YYYY-MM-DD or None)."""
        return {
            "date": None if self.date is None else self.date.strftime("%Y-%m-%d"),
            "flag": self.flag,
            "yield_change_bp": self.yield_change_bp,
            "dollar_change_pct": self.dollar_change_pct,
            "equity_change_pct": self.equity_change_pct,
            "score": self.score,
            "window_days": self.window_days,
            "min_yield_change_bp": self.min_yield_change_bp,
        }


def _check_frame(frame: pd.DataFrame, param: str) -> None:
    if not isinstance(frame, pd.DataFrame):
        raise ValueError(f"{param} must be a pandas DataFrame, got {type(frame).__name__}")
    if not isinstance(frame.index, pd.DatetimeIndex):
        raise ValueError(f"{param} must have a DatetimeIndex named 'date'")


def sell_america_history(
    yields: pd.DataFrame,
    series: pd.DataFrame,
    *,
    window_days: int = DEFAULT_WINDOW_DAYS,
    min_yield_change_bp: float = DEFAULT_MIN_YIELD_CHANGE_BP,
    tenor: str = DEFAULT_TENOR,
) -> pd.DataFrame:
    """Daily history of the sell-America legs, flag and score.

    Parameters
    ----------
    yields : pandas.DataFrame
        Yields frame (percent), columns ``analytics.tenors.TENORS``.
    series : pandas.DataFrame
        Wide series frame with ``DTWEXBGS`` (index) and ``SP500`` (index level).
    window_days : int, optional
        Window in business days, in [1, 260] (default 5).
    min_yield_change_bp : float, optional
        A yield rise above this (bp, >= 0) counts as "yields up" (default 5).
    tenor : str, optional
        Yield tenor (default ``"10y"``).

    Returns
    -------
    pandas.DataFrame
        On the business days spanned by the inputs: ``yield_change_bp``,
        ``dollar_change_pct``, ``equity_change_pct``, ``yields_up``, ``dollar_down``,
        ``equities_down``, ``flag`` (1.0 / 0.0, NaN when a leg is missing) and ``score``.
    """
    _check_frame(yields, "yields")
    _check_frame(series, "series")
    if (
        isinstance(window_days, bool)
        or not isinstance(window_days, int)
        or not 1 <= window_days <= 260
    ):
        raise ValueError(f"window_days must be an int in [1, 260], got {window_days!r}")
    if not np.isfinite(min_yield_change_bp) or min_yield_change_bp < 0:
        raise ValueError(
            f"min_yield_change_bp must be a finite number >= 0 (bp), got {min_yield_change_bp!r}"
        )
    if tenor not in TENORS:
        raise ValueError(f"tenor must be one of {list(TENORS)}, got {tenor!r}")
    dates = yields.index.union(series.index)
    cols = ["yield_change_bp", "dollar_change_pct", "equity_change_pct", "yields_up", "dollar_down"]
    cols += ["equities_down", "flag", "score"]
    if len(dates) == 0:
        return pd.DataFrame(columns=cols, index=pd.DatetimeIndex([], name="date"), dtype=float)
    # A full business-day calendar makes "window_days rows" mean "window_days business days"
    # whatever the calendars of the inputs.
    bdays = pd.bdate_range(dates.min(), dates.max(), name="date")

    def leg(values: pd.Series) -> pd.Series:
        return (
            values.astype(float)
            .reindex(values.index.union(bdays))
            .ffill(limit=MAX_FFILL_DAYS)
            .reindex(bdays)
        )

    nan = pd.Series(np.nan, index=series.index)
    y = (
        leg(yields[tenor])
        if tenor in yields.columns
        else leg(pd.Series(np.nan, index=yields.index))
    )
    usd = leg(series[DOLLAR_ID] if DOLLAR_ID in series.columns else nan)
    spx = leg(series[EQUITY_ID] if EQUITY_ID in series.columns else nan)
    out = pd.DataFrame(index=bdays)
    out["yield_change_bp"] = (y - y.shift(window_days)) * BP_PER_PCT
    out["dollar_change_pct"] = (usd / usd.shift(window_days) - 1.0) * PCT
    out["equity_change_pct"] = (spx / spx.shift(window_days) - 1.0) * PCT
    out = out.round(10)
    legs = {
        "yields_up": out["yield_change_bp"] > min_yield_change_bp,
        "dollar_down": out["dollar_change_pct"] < 0,
        "equities_down": out["equity_change_pct"] < 0,
    }
    src = {
        "yields_up": "yield_change_bp",
        "dollar_down": "dollar_change_pct",
        "equities_down": "equity_change_pct",
    }
    for name, cond in legs.items():
        out[name] = cond.astype(float).where(out[src[name]].notna())
    out["flag"] = out[["yields_up", "dollar_down", "equities_down"]].min(axis=1, skipna=False)
    scaled = pd.concat(
        [
            out["yield_change_bp"] / YIELD_SCALE_BP,
            -out["dollar_change_pct"] / DOLLAR_SCALE_PCT,
            -out["equity_change_pct"] / EQUITY_SCALE_PCT,
        ],
        axis=1,
    )
    out["score"] = scaled.min(axis=1, skipna=False)
    return out


def _opt(value: object) -> float | None:
    fval = float(value)  # type: ignore[arg-type]
    return None if np.isnan(fval) else fval


def sell_america_as_of(
    history: pd.DataFrame | AsOfRows,
    *,
    as_of: object,
    window_days: int = DEFAULT_WINDOW_DAYS,
    min_yield_change_bp: float = DEFAULT_MIN_YIELD_CHANGE_BP,
) -> SellAmericaReading:
    """The sell-America reading on the last business day on or before ``as_of``.

    Parameters
    ----------
    history : pandas.DataFrame or AsOfRows
        Output of :func:`sell_america_history`, or its :func:`analytics.asof.as_of_rows`
        (then the call is a row lookup, no pass over the history).
    as_of : date-like
        Date of interest.
    window_days, min_yield_change_bp : optional
        The values ``history`` was built with, echoed in the reading for display.

    Returns
    -------
    SellAmericaReading
        With ``date=None`` and all values None when ``history`` has no row on or before
        ``as_of``; legs are None where the data are missing.
    """
    try:
        ts = pd.Timestamp(as_of)  # type: ignore[arg-type]
    except (TypeError, ValueError) as exc:
        raise ValueError(f"as_of must be a date (e.g. '2025-04-11'), got {as_of!r}") from exc
    if pd.isna(ts):
        raise ValueError(f"as_of must be a date (e.g. '2025-04-11'), got {as_of!r}")
    rows = history if isinstance(history, AsOfRows) else as_of_rows(history)
    pos = rows.position(ts)
    if pos < 0:
        return SellAmericaReading(
            None, None, None, None, None, None, window_days, min_yield_change_bp
        )
    col = rows.columns
    flag = _opt(col["flag"][pos])
    return SellAmericaReading(
        date=rows.date(pos),
        flag=None if flag is None else bool(flag),
        yield_change_bp=_opt(col["yield_change_bp"][pos]),
        dollar_change_pct=_opt(col["dollar_change_pct"][pos]),
        equity_change_pct=_opt(col["equity_change_pct"][pos]),
        score=_opt(col["score"][pos]),
        window_days=window_days,
        min_yield_change_bp=min_yield_change_bp,
    )
