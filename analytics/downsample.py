"""Downsampling of long series for charts: MinMaxLTTB through the `tsdownsample` library.

MinMaxLTTB keeps the shape a reader sees (spikes such as the 2019-09-17 repo spike survive,
unlike plain decimation) at a fraction of LTTB's cost: a MinMax pre-selection of
``minmax_ratio`` points per output point, then LTTB on those. A 16,000-day series takes
about a millisecond.
"""

from __future__ import annotations

from typing import Final

import numpy as np
import pandas as pd
from tsdownsample import MinMaxLTTBDownsampler

__all__ = ["DEFAULT_MAX_POINTS", "OPEN_ON_YEARS", "downsample", "chart_points"]

#: Points per trace sent to the browser for long histories.
DEFAULT_MAX_POINTS: Final[int] = 2000

#: Charts open on this many recent years, which are kept at full resolution.
OPEN_ON_YEARS: Final[int] = 2

_DOWNSAMPLER = MinMaxLTTBDownsampler()  # type: ignore[no-untyped-call]


def downsample(series: pd.Series, max_points: int = DEFAULT_MAX_POINTS) -> pd.Series:
    """At most ``max_points`` observations of ``series`` (NaNs dropped), in time order.

    Parameters
    ----------
    series : values indexed by a sorted DatetimeIndex (or any sorted numeric index).
    max_points : optional; the most points kept (>= 3). Shorter series come back whole.

    Returns
    -------
    The selected rows of ``series`` (first and last included), NaNs dropped.
    """
    if max_points < 3:
        raise ValueError(f"max_points must be at least 3, got {max_points}")
    values = series.dropna()
    if len(values) <= max_points:
        return values
    index = values.index
    x = (index.asi8 if isinstance(index, pd.DatetimeIndex) else np.arange(len(values), dtype=np.int64))
    y = values.to_numpy(dtype=np.float64)
    keep = _DOWNSAMPLER.downsample(x, y, n_out=max_points)
    return values.iloc[np.sort(np.asarray(keep, dtype=np.int64))]


def chart_points(series: pd.Series, max_points: int = DEFAULT_MAX_POINTS, *,
                 full_years: int = OPEN_ON_YEARS) -> pd.Series:
    """The points of a chart that opens on its last ``full_years`` years: every observation of
    those years, and the older history downsampled so that the total is at most
    ``max_points`` (a series that short comes back whole, NaNs dropped)."""
    values = series.dropna()
    if len(values) <= max_points or not isinstance(values.index, pd.DatetimeIndex):
        return downsample(values, max_points)
    start = values.index[-1] - pd.DateOffset(years=full_years)
    cut = int(values.index.searchsorted(start, side="left"))
    recent = values.iloc[cut:]
    budget = max_points - len(recent)
    if budget < 3:
        return downsample(values, max_points)
    joined: pd.Series = pd.concat([downsample(values.iloc[:cut], budget), recent])
    return joined
