"""Observation series as arrays: the row lookups an as-of view does instead of a history pass.

A snapshot reads, per series, "the last observation on or before the as-of date". Done with
``values.loc[:as_of].dropna()`` that is a pass over the whole history for every date; here
the NaNs are dropped once per data revision (:meth:`Observed.of`) and each date is a binary
search. Picklable (numpy arrays), so the market state persists these with itself.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pandas as pd

__all__ = ["Observed"]


def _nanoseconds(index: pd.Index) -> npt.NDArray[np.int64]:
    return np.asarray(pd.DatetimeIndex(index).as_unit("ns").asi8, dtype=np.int64)


@dataclass(frozen=True, eq=False)
class Observed:
    """The observations of one series (NaN dropped): ascending ``dates`` and their ``values``.

    Attributes
    ----------
    dates : nanoseconds since 1970 (``Timestamp.value``), ascending.
    values : float array of the same length (no NaN), in the series' units.
    """

    dates: npt.NDArray[np.int64]
    values: npt.NDArray[np.float64]

    @classmethod
    def of(cls, values: pd.Series) -> Observed:
        """The observations of ``values`` (a float series on an ascending DatetimeIndex)."""
        obs = values.dropna()
        return cls(_nanoseconds(obs.index), np.asarray(obs.to_numpy(dtype=np.float64)))

    @classmethod
    def of_dates(cls, dates: pd.Index) -> Observed:
        """Dates only (values all 0.0): for "when was it last observed" lookups."""
        return cls(_nanoseconds(dates), np.zeros(len(dates)))

    def __len__(self) -> int:
        return len(self.dates)

    def last_at(self, when: pd.Timestamp) -> int:
        """Position of the last observation on or before ``when``; -1 when there is none
        (``values.loc[:when].dropna()`` is ``[: last_at(when) + 1]``)."""
        return int(np.searchsorted(self.dates, when.value, side="right")) - 1

    def first_from(self, when: pd.Timestamp) -> int:
        """Position of the first observation on or after ``when`` (``len(self)`` when none)."""
        return int(np.searchsorted(self.dates, when.value, side="left"))

    def date(self, pos: int) -> pd.Timestamp:
        """The date at ``pos``."""
        return pd.Timestamp(self.dates[pos])

    def value(self, pos: int) -> float:
        """The value at ``pos``."""
        return float(self.values[pos])

    def upto(self, pos: int, name: str | None = None) -> pd.Series:
        """The observations up to and including ``pos``, as a Series."""
        return pd.Series(self.values[: pos + 1], index=pd.to_datetime(self.dates[: pos + 1]),
                         name=name, dtype=np.float64)
