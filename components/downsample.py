"""Server-side downsampling of long series before they go to the browser."""

from __future__ import annotations

import numpy as np
import pandas as pd

#: Points per trace sent to the browser for long histories.
DEFAULT_MAX_POINTS = 2000


def minmax_downsample(series: pd.Series, max_points: int = DEFAULT_MAX_POINTS) -> pd.Series:
    """Keep the min and max of each of max_points/2 equal buckets (plus the ends), in order.

    Spikes survive (a 2019-09-17 repo spike is a max of its bucket), unlike plain decimation.
    """
    values = series.dropna()
    n = len(values)
    if n <= max_points:
        return values
    buckets = max(max_points // 2, 1)
    edges = np.linspace(0, n, buckets + 1).astype(int)
    arr = values.to_numpy(dtype=float)
    keep = [0, n - 1]
    for lo, hi in zip(edges[:-1], edges[1:], strict=True):
        if hi <= lo:
            continue
        chunk = arr[lo:hi]
        keep.append(lo + int(np.argmin(chunk)))
        keep.append(lo + int(np.argmax(chunk)))
    idx = np.unique(np.asarray(keep))
    return values.iloc[idx]
