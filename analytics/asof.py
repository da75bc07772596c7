"""Row lookups "as of a date" on a full-history frame computed once per data revision.

The as-of views (snapshot keys, page tiles) read the last row on or before a date, and
sometimes the row ``n`` observations earlier. Slicing a frame with ``.loc[:as_of]`` and
dropping NaNs on every call costs a full pass over the history; :class:`AsOfRows` keeps the
rows' dates as sorted int64 nanoseconds and the columns as numpy arrays, so a date change is a
binary search and a few array reads. It selects exactly the rows ``frame.loc[:as_of.normalize()]``
selects (for a sorted index; an unsorted frame is sorted first).

Pure and picklable: part of the market state persisted per store revision.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

__all__ = ["AsOfRows", "as_of_rows"]


@dataclass(frozen=True, eq=False)
class AsOfRows:
    """Rows of a frame, sorted by date, for "last row on or before" lookups.

    Attributes
    ----------
    index : the rows' dates (sorted; the frame's own unit).
    columns : column name -> numpy array of the column (floats stay float64, others object);
        read-only by convention.
    ns : the dates as int64 nanoseconds (what the binary search runs on).
    """

    index: pd.DatetimeIndex
    columns: dict[str, np.ndarray]
    ns: np.ndarray

    def __len__(self) -> int:
        return len(self.index)

    @property
    def empty(self) -> bool:
        return len(self.index) == 0

    def position(self, as_of: pd.Timestamp) -> int:
        """Position of the last row dated on or before ``as_of``'s day; -1 when there is none.

        The rows kept are those of ``frame.loc[:as_of.normalize()]``: ``position + 1`` of them.
        """
        key = np.int64(pd.Timestamp(as_of).normalize().value)  # .value: always nanoseconds
        return int(np.searchsorted(self.ns, key, side="right")) - 1

    def date(self, position: int) -> pd.Timestamp:
        """The date of the row at ``position``."""
        return pd.Timestamp(self.index[position])

    def age_days(self, position: int, as_of: pd.Timestamp) -> int:
        """Whole days from the row at ``position`` to ``as_of`` (``(as_of - date).days``)."""
        return (as_of - self.date(position)).days

    def fresh(self, as_of: pd.Timestamp, max_age_days: int) -> int:
        """:meth:`position` of the last row on or before ``as_of`` if at most ``max_age_days``
        old, else -1."""
        pos = self.position(as_of)
        if pos < 0 or self.age_days(pos, as_of) > max_age_days:
            return -1
        return pos


def as_of_rows(frame: pd.DataFrame | pd.Series, columns: Sequence[str] | None = None, *,
               dropna: bool = False) -> AsOfRows:
    """The :class:`AsOfRows` of ``frame`` (a Series is one column named "value").

    Parameters
    ----------
    frame : rows indexed by a DatetimeIndex.
    columns : optional; the columns kept (default: all).
    dropna : optional; drop the rows with a NaN in any kept column first (default False).
    """
    if isinstance(frame, pd.Series):
        frame = frame.to_frame("value")
    kept = frame if columns is None else frame.loc[:, list(columns)]
    if dropna:
        kept = kept.dropna()
    index = pd.DatetimeIndex(kept.index)
    if not index.is_monotonic_increasing:
        kept = kept.sort_index(kind="stable")
        index = pd.DatetimeIndex(kept.index)
    arrays = {str(name): kept[name].to_numpy(copy=True) for name in kept.columns}
    ns = np.asarray(index.as_unit("ns").asi8, dtype=np.int64).copy()
    return AsOfRows(index, arrays, ns)
