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

from analytics.asof import AsOfRows, as_of_rows
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
    "RealYieldsLookup",
    "forward_5y5y_pct",
    "real_yield_history",
    "real_yield_split",
    "real_yields_as_of",
    "real_yields_lookup",
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


#: The level columns of the history, with their labels in the "missing" lines.
_LEVELS: Final = (("real_10y_pct", "10y real yield (DFII10)"),
                  ("breakeven_10y_pct", "10y breakeven (T10YIE)"),
                  ("forward_5y5y_pct", "5y5y forward (T5YIFR)"))
#: The columns the splits compare (rows where all three exist).
_SPLIT_COLUMNS: Final = ("nominal_10y_pct", "real_10y_pct", "breakeven_10y_pct")


@dataclass(frozen=True, eq=False)
class RealYieldsLookup:
    """:func:`real_yield_history` ready for as-of lookups (computed once per data revision).

    ``levels``: column -> its observed values (NaN rows dropped); ``split``: the rows where
    the nominal, real and breakeven yields all exist.
    """

    levels: dict[str, AsOfRows]
    split: AsOfRows


def real_yields_lookup(history: pd.DataFrame) -> RealYieldsLookup:
    """The :class:`RealYieldsLookup` of a :func:`real_yield_history` frame."""
    return RealYieldsLookup({column: as_of_rows(history[column].dropna()) for column, _ in _LEVELS},
                            as_of_rows(history, _SPLIT_COLUMNS, dropna=True))


def _lookup(history: pd.DataFrame | RealYieldsLookup) -> RealYieldsLookup:
    return history if isinstance(history, RealYieldsLookup) else real_yields_lookup(history)


def real_yield_split(history: pd.DataFrame | RealYieldsLookup, as_of: pd.Timestamp,
                     window: str) -> RealYieldSplit:
    """The split over `window` ending on the last date on or before `as_of` with all three.

    `history` is :func:`real_yield_history` or, for a lookup without a pass over the history,
    its :func:`real_yields_lookup`.
    """
    if window not in WINDOWS:
        raise ValueError(f"window must be one of {tuple(WINDOWS)}, got {window!r}")
    n = WINDOWS[window]
    rows = _lookup(history).split
    end = rows.position(as_of)
    if end + 1 <= n or rows.age_days(end, as_of) > MAX_AGE_DAYS:
        return RealYieldSplit(window, None, None, None, None, None)
    start = end - n
    nominal, real, breakeven = ((rows.columns[c][end] - rows.columns[c][start]) * _BP
                                for c in _SPLIT_COLUMNS)
    return RealYieldSplit(window, rows.date(start), rows.date(end), round(float(nominal), 2),
                          round(float(real), 2), round(float(breakeven), 2))


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
    series: pd.DataFrame, as_of: pd.Timestamp, *,
    history: pd.DataFrame | RealYieldsLookup | None = None,
) -> RealYields:
    """Real yield, breakeven and 5y5y on or before `as_of` (each within 10 days).

    `history` is :func:`real_yield_history` of `series` or its :func:`real_yields_lookup`
    (then the call is row lookups), when already computed.
    """
    lookup = _lookup(real_yield_history(series) if history is None else history)
    values: list[float | None] = []
    days: list[pd.Timestamp | None] = []
    missing = []
    for column, label in _LEVELS:
        col = lookup.levels[column]
        pos = col.fresh(as_of, MAX_AGE_DAYS)
        if pos < 0:
            values.append(None)
            days.append(None)
            missing.append(f"{label}: no value within {MAX_AGE_DAYS} days before {as_of.date()}")
        else:
            values.append(round(float(col.columns["value"][pos]), 4))
            days.append(col.date(pos))
    splits = tuple(real_yield_split(lookup, as_of, w) for w in WINDOWS)
    return RealYields(values[0], values[1], values[2], (days[0], days[1], days[2]), splits,
                      tuple(missing))
