"""Input checks shared by the analytics modules: typed errors naming the parameter.

:class:`InputError` is a ``ValueError`` that also carries the name of the parameter at fault
(``param``), so the CLI, the pages and the refresh can point at the right flag, control or
column without reading the message. The message itself still starts with the parameter name
(``"maturity_years must be in (0, 100] years, got 0"``), so code that matched message text keeps
working.
"""

from __future__ import annotations

import functools
import math

import pandas as pd

__all__ = ["InputError", "check_range", "check_choice", "as_timestamp"]


class InputError(ValueError):
    """A bad input value.

    Parameters
    ----------
    param : the parameter at fault, as the function that raised names it ("maturity_years",
        "as_of", ...); a caller maps it to its own flag or control.
    message : what is wrong and what is accepted, readable on its own.
    """

    def __init__(self, param: str, message: str) -> None:
        super().__init__(message)
        self.param = param
        self.message = message

    def __reduce__(self) -> tuple[type[InputError], tuple[str, str]]:
        # Picklable with both arguments (background callbacks move errors between processes).
        return (type(self), (self.param, self.message))


def check_range(
    name: str,
    value: float,
    low: float,
    high: float,
    *,
    low_open: bool = False,
    high_open: bool = False,
    units: str = "",
) -> None:
    """Raise :class:`InputError` unless ``low <= value <= high`` (strict where ``*_open``)."""
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise InputError(name, f"{name} must be a finite number, got {value!r}")
    below = value <= low if low_open else value < low
    above = value >= high if high_open else value > high
    if below or above:
        left = "(" if low_open else "["
        right = ")" if high_open else "]"
        unit = f" {units}" if units else ""
        raise InputError(name, f"{name} must be in {left}{low:g}, {high:g}{right}{unit}, got {value:g}")


def check_choice(name: str, value: object, choices: tuple[object, ...]) -> None:
    """Raise :class:`InputError` unless ``value`` is one of ``choices``."""
    if value not in choices:
        raise InputError(name, f"{name} must be one of {', '.join(map(str, choices))}, got {value!r}")


def as_timestamp(value: object, *, param: str = "as_of", example: str = "2025-04-11") -> pd.Timestamp:
    """``value`` as a midnight Timestamp, or :class:`InputError` naming ``param``."""
    try:
        ts = pd.Timestamp(value)  # type: ignore[arg-type]
    except (TypeError, ValueError) as exc:
        raise InputError(param, f"{param} must be a date (e.g. '{example}'), got {value!r}") from exc
    if pd.isna(ts):
        raise InputError(param, f"{param} must be a date (e.g. '{example}'), got {value!r}")
    return ts.normalize()


@functools.lru_cache(maxsize=1)
def _all_federal_holidays() -> pd.DatetimeIndex:
    from pandas.tseries.holiday import USFederalHolidayCalendar

    return pd.DatetimeIndex(USFederalHolidayCalendar().holidays(start="1950-01-01", end="2100-12-31"))


def us_federal_holidays(start: pd.Timestamp, end: pd.Timestamp) -> pd.DatetimeIndex:
    """U.S. federal holidays (as observed) between ``start`` and ``end``, inclusive.

    The calendar of 1950-2100 is computed once per process (pandas rebuilds it on every call,
    about 10 ms; the as-of views ask for it on every date change); other years fall back to
    pandas directly.
    """
    lo, hi = pd.Timestamp(start), pd.Timestamp(end)
    if lo.year < 1950 or hi.year > 2100:
        from pandas.tseries.holiday import USFederalHolidayCalendar

        return pd.DatetimeIndex(USFederalHolidayCalendar().holidays(start=lo, end=hi))
    every = _all_federal_holidays()
    return every[(every >= lo) & (every <= hi)]


def iso_day(day: pd.Timestamp | None) -> str | None:
    """YYYY-MM-DD of ``day``, or None."""
    return None if day is None else day.strftime("%Y-%m-%d")


def series_column(series: pd.DataFrame, series_id: str) -> pd.Series:
    """One column of the wide series frame without its NaN rows, as floats (empty when the
    series is not stored)."""
    if series_id not in series.columns:
        return pd.Series(dtype=float, index=pd.DatetimeIndex([], name="date"))
    return series[series_id].dropna().astype(float)
