"""Server-side downsampling of long series before they go to the browser.

The work is done by :func:`analytics.downsample.downsample` (MinMaxLTTB, `tsdownsample`); the
full-history traces of the pages are downsampled once per data revision in the market state.
"""

from __future__ import annotations

import pandas as pd

from analytics.downsample import DEFAULT_MAX_POINTS, downsample

__all__ = ["DEFAULT_MAX_POINTS", "minmax_downsample"]


def minmax_downsample(series: pd.Series, max_points: int = DEFAULT_MAX_POINTS) -> pd.Series:
    """At most `max_points` points of `series`, extremes kept (see analytics.downsample)."""
    return downsample(series, max_points)
