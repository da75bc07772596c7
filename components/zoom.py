"""Full resolution where the user zooms: the plotly-resampler approach, on our market state.

Long histories go to the browser downsampled to about 2,000 points. When a chart's x-range
changes (a zoom, a range button, a pan), the server cuts the full-resolution series of each
trace to the visible range, downsamples that range to the same budget and sends the new x/y
as a ``Patch``: a 2-month window shows every day, a 60-year view stays light.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import pandas as pd
from dash import Dash, Input, Output, Patch, State, no_update

from analytics.downsample import DEFAULT_MAX_POINTS, downsample
from components.context import AppContext


def visible_range(relayout: dict[str, Any] | None) -> tuple[pd.Timestamp, pd.Timestamp] | None | str:
    """The x-range a relayout event asks for: (start, end), "all" for autorange, None when the
    event is not about the x-axis (a y-only zoom, a legend click...)."""
    if not relayout:
        return None
    if relayout.get("xaxis.autorange") or relayout.get("autosize"):
        return "all" if relayout.get("xaxis.autorange") else None
    lo = relayout.get("xaxis.range[0]")
    hi = relayout.get("xaxis.range[1]")
    if lo is None and isinstance(relayout.get("xaxis.range"), list):
        lo, hi = relayout["xaxis.range"][:2]
    if lo is None or hi is None:
        return None
    try:
        start, end = pd.Timestamp(str(lo)[:19]), pd.Timestamp(str(hi)[:19])
    except ValueError:
        return None
    return (start, end) if start < end else (end, start)


def window_points(full: pd.Series, span: tuple[pd.Timestamp, pd.Timestamp] | str,
                  max_points: int = DEFAULT_MAX_POINTS) -> tuple[list[str], list[float]]:
    """x (YYYY-MM-DD) and y of ``full`` over the span, with one point either side so that the
    line runs to the edges, downsampled to ``max_points``."""
    values = full.dropna()
    if span != "all" and len(values):
        start, end = span  # type: ignore[misc]
        lo = max(int(values.index.searchsorted(start, side="left")) - 1, 0)
        hi = int(values.index.searchsorted(end, side="right")) + 1
        values = values.iloc[lo:hi]
    small = downsample(values, max_points)
    return (pd.DatetimeIndex(small.index).strftime("%Y-%m-%d").tolist(),
            np.round(small.to_numpy(dtype=float), 4).tolist())


def register_zoom(app: Dash, ctx: AppContext, graph_id: str,
                  series_for: Callable[..., Sequence[pd.Series | None]],
                  states: Sequence[State] = ()) -> None:
    """Patch the traces of ``graph_id`` at full resolution for the visible x-range.

    ``series_for(state, *state_values)`` gives the full-history series of each trace, in
    trace order (None: leave that trace as it is).
    """

    @app.callback(Output(graph_id, "figure", allow_duplicate=True),
                  Input(graph_id, "relayoutData"), *states, prevent_initial_call=True)
    def _zoom(relayout: dict[str, Any] | None, *values: Any) -> Any:
        span = visible_range(relayout)
        if span is None:
            return no_update
        try:
            series = series_for(ctx.state(), *values)
        except (KeyError, ValueError):
            return no_update
        patch = Patch()
        touched = False
        for i, full in enumerate(series):
            if full is None or full.empty:
                continue
            x, y = window_points(full, span)
            patch["data"][i]["x"] = x
            patch["data"][i]["y"] = y
            touched = True
        return patch if touched else no_update
