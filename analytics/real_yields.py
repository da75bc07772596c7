"""Real yields: the 10y nominal move split into real yield and breakeven, and the 5y5y forward.

* Real yield: ``DFII10`` (10y TIPS, constant maturity, %). Breakeven: ``T10YIE`` (%), which FRED
  defines as DGS10 - DFII10 (exact on every shared date), so nominal change = real change +
  breakeven change. Where T10YIE is absent, DGS10 - DFII10 is used.
* 5y5y forward inflation expectation: ``T5YIFR`` (%); where absent it is computed with FRED's
  formula from the 5y and 10y breakevens, in decimals:
  ``((1 + b10)^10 / (1 + b5)^5)^(1/5) - 1``.

Windows as the Curve page: 1d, 1w, 1m = 1, 5, 21 dates on which all three exist.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Final

import pandas as pd

from analytics.checks import iso_day, series_column
from analytics.curve import WINDOWS  # one definition of each window, app-wide

__all__ = [
    "NOMINAL_ID",
    "REAL_ID",
    "BREAKEVEN_ID",
    "BREAKEVEN5_ID",
    "FORWARD_ID",
    "WINDOWS",
    "RealYields",
    "RealYieldSplit",
    "forward_5y5y_pct",
    "real_yield_history",
    "real_yield_split",
    "real_yields_as_of",
]

NOMINAL_ID: Final = "DGS10"
REAL_ID: Final = "DFII10"
BREAKEVEN_ID: Final = "T10YIE"
BREAKEVEN5_ID: Final = "T5YIE"
FORWARD_ID: Final = "T5YIFR"
#: A daily value older than this many calendar days before the date is not reported.
MAX_AGE_DAYS: Final = 10
_BP: Final = 100.0


iso = iso_day  # the names this module uses (one definition, in analytics.checks)
_column = series_column


def forward_5y5y_pct(breakeven_5y_pct: pd.Series, breakeven_10y_pct: pd.Series) -> pd.Series:
    """FRED's T5YIFR formula from the 5y and 10y breakevens (percent in, percent out)."""
    b5, b10 = breakeven_5y_pct / 100.0, breakeven_10y_pct / 100.0
    return 100.0 * (((1.0 + b10) ** 10 / (1.0 + b5) ** 5) ** (1.0 / 5.0) - 1.0)


def real_yield_history(series: pd.DataFrame) -> pd.DataFrame:
    """Daily ``nominal_10y_pct``, ``real_10y_pct``, ``breakeven_10y_pct`` and
    ``forward_5y5y_pct`` on the union of their dates (NaN where absent)."""
    nominal, real = _column(series, NOMINAL_ID), _column(series, REAL_ID)
    be10, be5, fwd = (_column(series, BREAKEVEN_ID), _column(series, BREAKEVEN5_ID),
                      _column(series, FORWARD_ID))
    dates = real.index.union(be10.index).union(fwd.index)
    out = pd.DataFrame(index=pd.DatetimeIndex(dates, name="date"))
    out["nominal_10y_pct"] = nominal.reindex(dates)
    out["real_10y_pct"] = real
    out["breakeven_10y_pct"] = be10.reindex(dates).combine_first(out["nominal_10y_pct"] - out["real_10y_pct"])
    computed = forward_5y5y_pct(be5.reindex(dates), be10.reindex(dates))
    out["forward_5y5y_pct"] = fwd.reindex(dates).combine_first(computed)
    return out


@dataclass(frozen=True)
class RealYieldSplit:
    """The 10y nominal move over one window: ``nominal_bp`` = ``real_bp`` + ``breakeven_bp``
    (to rounding; exact when T10YIE = DGS10 - DFII10)."""

    window: str
    start: pd.Timestamp | None
    end: pd.Timestamp | None
    nominal_bp: float | None
    real_bp: float | None
    breakeven_bp: float | None


def real_yield_split(history: pd.DataFrame, as_of: pd.Timestamp, window: str) -> RealYieldSplit:
    """The split over `window` ending on the last date on or before `as_of` with all three."""
    if window not in WINDOWS:
        raise ValueError(f"window must be one of {tuple(WINDOWS)}, got {window!r}")
    n = WINDOWS[window]
    rows = history.loc[: as_of.normalize(), ["nominal_10y_pct", "real_10y_pct", "breakeven_10y_pct"]].dropna()
    if len(rows) <= n or (as_of - rows.index[-1]).days > MAX_AGE_DAYS:
        return RealYieldSplit(window, None, None, None, None, None)
    change = (rows.iloc[-1] - rows.iloc[-1 - n]) * _BP
    return RealYieldSplit(window, pd.Timestamp(rows.index[-1 - n]), pd.Timestamp(rows.index[-1]),
                          round(float(change["nominal_10y_pct"]), 2), round(float(change["real_10y_pct"]), 2),
                          round(float(change["breakeven_10y_pct"]), 2))


@dataclass(frozen=True)
class RealYields:
    """Levels as of a date (each with its date) and the 1d/1w/1m splits."""

    real_10y_pct: float | None
    breakeven_10y_pct: float | None
    forward_5y5y_pct: float | None
    dates: tuple[pd.Timestamp | None, pd.Timestamp | None, pd.Timestamp | None]
    splits: tuple[RealYieldSplit, ...]
    missing: tuple[str, ...] = field(default=())

    def to_dict(self) -> dict[str, Any]:
        month = next((s for s in self.splits if s.window == "1m"), None)
        return {
            "real_10y_pct": self.real_10y_pct,
            "breakeven_10y_pct": self.breakeven_10y_pct,
            "forward_5y5y_pct": self.forward_5y5y_pct,
            "real_10y_date": iso(self.dates[0]),
            "breakeven_10y_date": iso(self.dates[1]),
            "forward_5y5y_date": iso(self.dates[2]),
            "real_1m_bp": None if month is None else month.real_bp,
            "breakeven_1m_bp": None if month is None else month.breakeven_bp,
            "missing": list(self.missing),
        }


def real_yields_as_of(
    series: pd.DataFrame, as_of: pd.Timestamp, *, history: pd.DataFrame | None = None
) -> RealYields:
    """Real yield, breakeven and 5y5y on or before `as_of` (each within 10 days)."""
    hist = real_yield_history(series) if history is None else history
    values: list[float | None] = []
    days: list[pd.Timestamp | None] = []
    missing = []
    for column, label in (("real_10y_pct", "10y real yield (DFII10)"),
                          ("breakeven_10y_pct", "10y breakeven (T10YIE)"),
                          ("forward_5y5y_pct", "5y5y forward (T5YIFR)")):
        col = hist[column].dropna().loc[: as_of.normalize()]
        if col.empty or (as_of - col.index[-1]).days > MAX_AGE_DAYS:
            values.append(None)
            days.append(None)
            missing.append(f"{label}: no value within {MAX_AGE_DAYS} days before {as_of.date()}")
        else:
            values.append(round(float(col.iloc[-1]), 4))
            days.append(pd.Timestamp(col.index[-1]))
    splits = tuple(real_yield_split(hist, as_of, w) for w in WINDOWS)
    return RealYields(values[0], values[1], values[2], (days[0], days[1], days[2]), splits,
                      tuple(missing))
