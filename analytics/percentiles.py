"""Look-ahead-free percentiles of a series against a chosen history window (the "basis").

The percentile of day ``t`` is the percentage of the observations **in the basis up to and
including ``t``** whose value is less than or equal to the value of ``t``, in (0, 100]. No
observation after ``t`` is ever used, so a chart of percentiles can be read day by day as it
would have been read then. Bases:

* ``"all"``: every observation from the first one (the 1962 start of the CMT history lets the
  1979-82 moves dominate the tails);
* ``"since-2000"`` (or ``"since-YYYY-MM-DD"``): only observations from that date on; days
  before it have no percentile (NaN);
* ``"rolling-10y"`` (or ``"rolling-Ny"``): only the observations in the ``N`` calendar years
  ending on ``t`` (``t - N years < s <= t``).

Cost: O(n sqrt n) elementary steps, vectorised in NumPy (:func:`_count_at_most`): the 16,000
daily moves since 1962 in a few milliseconds, any basis.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from analytics.checks import InputError

__all__ = [
    "PERCENTILE_BASES",
    "DEFAULT_PERCENTILE_BASIS",
    "PercentileBasis",
    "parse_basis",
    "expanding_percentile",
]

#: The bases offered in the app and the CLI (any "since-YYYY-MM-DD" or "rolling-Ny" also works).
PERCENTILE_BASES: Final[tuple[str, ...]] = ("all", "since-2000", "rolling-10y")
#: The basis used unless told otherwise (the history as before).
DEFAULT_PERCENTILE_BASIS: Final[str] = "all"
_SINCE: Final = re.compile(r"^since-(\d{4})(?:-(\d{2})-(\d{2}))?$")
_ROLLING: Final = re.compile(r"^rolling-(\d{1,3})y$")


@dataclass(frozen=True)
class PercentileBasis:
    """A parsed basis.

    Attributes
    ----------
    name : the text it was parsed from ("since-2000", ...).
    start : first date counted ("since-..."), else None.
    years : length of the rolling window in years ("rolling-..."), else None.
    """

    name: str
    start: pd.Timestamp | None = None
    years: int | None = None

    @property
    def label(self) -> str:
        """Words for a page or a table header."""
        if self.start is not None:
            return f"percentile since {self.start:%Y-%m-%d}"
        if self.years is not None:
            return f"percentile over the last {self.years} years"
        return "percentile over all history"


def parse_basis(basis: str | PercentileBasis) -> PercentileBasis:
    """Parse "all", "since-YYYY" / "since-YYYY-MM-DD" or "rolling-Ny" (InputError otherwise)."""
    if isinstance(basis, PercentileBasis):
        return basis
    text = str(basis).strip().lower()
    if text == "all":
        return PercentileBasis("all")
    since = _SINCE.match(text)
    if since:
        year, month, day = since.group(1), since.group(2) or "01", since.group(3) or "01"
        try:
            start = pd.Timestamp(f"{year}-{month}-{day}")
        except ValueError:
            raise InputError("basis", f"basis {basis!r}: {year}-{month}-{day} is not a date") from None
        return PercentileBasis(text, start=start)
    rolling = _ROLLING.match(text)
    if rolling and int(rolling.group(1)) >= 1:
        return PercentileBasis(text, years=int(rolling.group(1)))
    raise InputError(
        "basis",
        f"basis must be one of {', '.join(PERCENTILE_BASES)} (or since-YYYY-MM-DD, rolling-Ny), got {basis!r}",
    )


#: Cap on the cells of the block-prefix table of :func:`_count_at_most` (int32: 16 MB).
_TABLE_CELLS: Final[int] = 4_000_000


def _count_at_most(rank: NDArray[np.int64], n_ranks: int, upto: NDArray[np.int64],
                   bound: NDArray[np.int64]) -> NDArray[np.int64]:
    """For each query ``q``: how many ``j < upto[q]`` have ``rank[j] <= bound[q]``.

    Vectorised in blocks of ``size`` observations: a table holds, for every block boundary
    ``b * size`` and rank ``r``, the count of earlier observations ranked ``<= r`` (a 2-D
    cumulative sum of per-block rank histograms); the rest of a query's own block is compared
    element by element. O(n * sqrt(n)) elementary operations, all in NumPy.
    """
    n = rank.size
    if n == 0 or upto.size == 0:
        return np.zeros(upto.size, dtype=np.int64)
    size = max(int(np.ceil(np.sqrt(n))), int(np.ceil(n * n_ranks / _TABLE_CELLS)), 1)
    blocks = -(-n // size)
    hist = np.bincount((np.arange(n) // size) * n_ranks + rank,
                       minlength=blocks * n_ranks).reshape(blocks, n_ranks)
    table = np.zeros((blocks + 1, n_ranks), dtype=np.int32)
    np.cumsum(np.cumsum(hist, axis=1, dtype=np.int32), axis=0, dtype=np.int32, out=table[1:])
    block = upto // size
    counts = table[np.minimum(block, blocks), bound].astype(np.int64)
    offsets = np.arange(size)
    chunk = max(1, _TABLE_CELLS // size)
    for lo in range(0, upto.size, chunk):  # the partial block, a few MB of booleans at a time
        idx = block[lo:lo + chunk, None] * size + offsets
        inside = idx < upto[lo:lo + chunk, None]
        below = rank[np.minimum(idx, n - 1)] <= bound[lo:lo + chunk, None]
        counts[lo:lo + chunk] += np.count_nonzero(inside & below, axis=1)
    return counts


def expanding_percentile(values: pd.Series, *, basis: str | PercentileBasis = DEFAULT_PERCENTILE_BASIS) -> pd.Series:
    """Percentile (0-100] of each observation against the basis up to and including its date.

    Parameters
    ----------
    values : a series on an ascending DatetimeIndex (NaN are skipped and stay NaN).
    basis : "all", "since-2000" (any "since-YYYY[-MM-DD]") or "rolling-10y" (any
        "rolling-Ny"), see the module docstring.

    Returns
    -------
    pandas.Series
        On the index of ``values``: NaN where the value is NaN or the date is before a
        "since" start.
    """
    if not isinstance(values, pd.Series) or not isinstance(values.index, pd.DatetimeIndex):
        raise InputError("values", "values must be a pandas Series with a DatetimeIndex")
    if not values.index.is_monotonic_increasing:
        raise InputError("values", "values must be sorted by date, oldest first")
    spec = parse_basis(basis)
    out = np.full(len(values), np.nan)
    keep = values.notna().to_numpy().copy()
    if spec.start is not None:
        keep &= np.asarray(values.index >= spec.start)
    pos = np.nonzero(keep)[0]
    if pos.size == 0:
        return pd.Series(out, index=values.index, name=values.name)
    obs = values.to_numpy(dtype=np.float64)[pos]
    dates = values.index[pos]
    uniq = np.unique(obs)
    rank = np.searchsorted(uniq, obs).astype(np.int64)  # ties share a rank
    k = np.arange(pos.size, dtype=np.int64)
    # percentile of k = observations in the basis up to k ranked <= rank[k], over their count
    count = _count_at_most(rank, uniq.size, k + 1, rank)
    in_basis = k + 1
    if spec.years is not None:
        cutoff = (dates - pd.DateOffset(years=spec.years)).to_numpy()
        first_in = np.searchsorted(dates.to_numpy(), cutoff, side="right").astype(np.int64)
        count -= _count_at_most(rank, uniq.size, first_in, rank)
        in_basis = in_basis - first_in
    out[pos] = 100.0 * count / in_basis
    return pd.Series(out, index=values.index, name=values.name)
