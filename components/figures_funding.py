"""Pure figure builders of the Funding page: frames in, Plotly figure dicts out.

The history charts (spreads, SOFR dispersion, facilities, reserves) draw their data once; the
things the user changes (as-of date, light thresholds) live only in ``layout.shapes``, which
:func:`overlay_shapes` builds, so that a callback can send them as a small ``dash.Patch``
instead of the whole figure. Tested without a browser (trace count, points per trace, payload).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final

import numpy as np
import pandas as pd

from analytics.funding import calendar_flags
from components import figures
from components.figures import episode_shapes
from components.theme import BAD, GOOD, INK, MUTED, SERIES

__all__ = [
    "Figure",
    "HLine",
    "CHART_HEIGHT",
    "LIGHTS_HEIGHT",
    "SPREAD_COLUMNS",
    "DISPERSION_COLUMNS",
    "STRESS_FACILITY_COLUMNS",
    "BALANCE_COLUMNS",
    "SERIES_COLOURS",
    "first_date",
    "light_colour",
    "event_series_filled",
    "warning_spans",
    "overlay_shapes",
    "history_with_overlays",
    "calendar_days",
    "calendar_traces",
    "spreads_figure",
    "dispersion_figure",
    "stress_facilities_figure",
    "balance_sheet_figure",
    "lights_count_figure",
]

Figure = dict[str, Any]

#: Chart heights, px.
CHART_HEIGHT: Final = 340
LIGHTS_HEIGHT: Final = 240
#: Two warning days closer than this (calendar days) are drawn as one shaded span, so that a
#: warning interrupted by a weekend or one unknown day does not become a comb of shapes.
SPAN_JOIN_DAYS: Final = 5
#: At most this many warning spans are drawn (the longest ones); more would only clutter.
MAX_SPANS: Final = 60
#: Columns drawn on each chart (the first date of data decides which episodes are shaded).
SPREAD_COLUMNS: Final = ("sofr_effr_bp", "sofr_iorb_bp")
DISPERSION_COLUMNS: Final = ("sofr_p99_p1_bp",)
STRESS_FACILITY_COLUMNS: Final = ("srf_bn", "discount_window_bn")
BALANCE_COLUMNS: Final = ("reserves_bn", "rrp_bn")
#: Colours of the two lines of a chart, in order (threshold lines use the same colours).
SERIES_COLOURS: Final = (SERIES[0], SERIES[1])
_UNKNOWN: Final = "#8c959f"
#: Calendar marks: quarter-ends a thin full-height line, month-ends a short tick at the foot of
#: the chart; a blue-grey unlike the amber episode bands and the red warning spans.
CALENDAR_COLOUR: Final = "#4b6a88"
MONTH_TICK_HEIGHT: Final = 0.07


@dataclass(frozen=True)
class HLine:
    """A horizontal reference line (a light's threshold) on a chart.

    Attributes
    ----------
    y : float
        Level in the chart's units (bp or USD bn).
    label : str
        Text shown at the right end of the line.
    color : str
        Line colour.
    """

    y: float
    label: str
    color: str = MUTED


def event_series_filled(values: pd.Series) -> pd.Series:
    """An event series with its gaps read as zero, between its first and last observation.

    FRED has no row on days without an operation (RPONTSYD, RRPONTSYD): a gap between two
    rows means no take-up, not an unknown value. Outside the observed range nothing is filled.

    Parameters
    ----------
    values : pandas.Series
        Take-up in USD bn on a business-day DatetimeIndex, NaN on days without an operation.

    Returns
    -------
    pandas.Series
        Same index and units; NaN -> 0.0 inside [first, last] observation.
    """
    obs = values.dropna()
    if obs.empty:
        return values.astype(float)
    inside = (values.index >= obs.index[0]) & (values.index <= obs.index[-1])
    return values.astype(float).where(~(inside & values.isna()), 0.0)


def warning_spans(
    warning: pd.Series, *, join_days: int = SPAN_JOIN_DAYS, max_spans: int = MAX_SPANS
) -> list[tuple[pd.Timestamp, pd.Timestamp]]:
    """Date ranges on which the liquidity warning was on.

    Parameters
    ----------
    warning : pandas.Series
        1.0 on, 0.0 off, NaN unknown (``liquidity_light_history(...)["warning"]``).
    join_days : int, optional
        On-days at most this many calendar days apart form one span (default 5).
    max_spans : int, optional
        Keep only the longest spans (default 60), returned in date order.

    Returns
    -------
    list of (start, end)
        Inclusive first and last on-day of each span.
    """
    on = warning.index[warning.to_numpy(dtype=float) == 1.0]
    if len(on) == 0:
        return []
    days = on.to_numpy(dtype="datetime64[D]").astype(np.int64)
    breaks = np.flatnonzero(np.diff(days) > join_days)
    starts = np.concatenate([[0], breaks + 1])
    ends = np.concatenate([breaks, [len(on) - 1]])
    spans = [(pd.Timestamp(on[s]), pd.Timestamp(on[e])) for s, e in zip(starts, ends, strict=True)]
    if len(spans) > max_spans:
        spans = sorted(sorted(spans, key=lambda se: se[1] - se[0], reverse=True)[:max_spans])
    return spans


def _episode_shapes(first: pd.Timestamp) -> list[dict[str, Any]]:
    # Same look as every other chart (components.figures.episode_shapes).
    return episode_shapes(first)


def overlay_shapes(
    *,
    first: pd.Timestamp | None,
    spans: Sequence[tuple[pd.Timestamp, pd.Timestamp]] = (),
    as_of: pd.Timestamp | None = None,
    hlines: Sequence[HLine] = (),
    zero_line: bool = False,
) -> list[dict[str, Any]]:
    """Every shape of a funding history chart: episodes, warning spans, as-of line, thresholds.

    Parameters
    ----------
    first : pandas.Timestamp or None
        First date with data on the chart (episodes before it are not drawn); None = the chart
        has no data and gets no shapes (its empty-chart message stays alone).
    spans : sequence of (start, end), optional
        Liquidity-warning spans, shaded red (a one-day span is widened to a full day).
    as_of : pandas.Timestamp, optional
        Date of the lights, drawn as a dashed vertical line with a label.
    hlines : sequence of HLine, optional
        Threshold lines, in the chart's units.
    zero_line : bool, optional
        Draw y = 0.
    """
    if first is None:
        return []
    shapes: list[dict[str, Any]] = []
    if zero_line:
        shapes.append({"type": "line", "xref": "paper", "x0": 0, "x1": 1, "y0": 0, "y1": 0,
                       "line": {"color": _UNKNOWN, "width": 1}})
    shapes += _episode_shapes(first)
    for start, end in spans:
        shapes.append({
            "type": "rect", "xref": "x", "yref": "paper",
            "x0": start.strftime("%Y-%m-%d"),
            "x1": (end + pd.Timedelta(days=1)).strftime("%Y-%m-%d"),
            "y0": 0, "y1": 1, "fillcolor": BAD, "opacity": 0.22, "line": {"width": 0},
            "layer": "below", "name": "liquidity warning",
        })
    for line in hlines:
        shapes.append({
            "type": "line", "xref": "paper", "x0": 0, "x1": 1, "y0": line.y, "y1": line.y,
            "line": {"color": line.color, "width": 1.2, "dash": "dot"},
            "label": {"text": line.label, "textposition": "end", "yanchor": "bottom",
                      "font": {"size": 11, "color": line.color}},
        })
    if as_of is not None:
        day = as_of.strftime("%Y-%m-%d")
        shapes.append({
            "type": "line", "xref": "x", "yref": "paper", "x0": day, "x1": day, "y0": 0, "y1": 1,
            "line": {"color": INK, "width": 1.2, "dash": "dash"},
            # Anchored right of the label's point so that it stays inside the plot when the
            # as-of date is the last date of the chart (the default).
            "label": {"text": f"as of {day}", "textposition": "end", "textangle": 0,
                      "xanchor": "right", "yanchor": "top",
                      "font": {"size": 11, "color": INK}},
        })
    return shapes


def history_with_overlays(
    lines: Mapping[str, pd.Series],
    *,
    title: str,
    y_title: str,
    missing_message: str,
    shapes: Sequence[dict[str, Any]] = (),
    height: int = CHART_HEIGHT,
    calendar: bool = True,
) -> Figure:
    """Downsampled history lines (``figures.history``) whose shapes are ``shapes``, with the
    month-ends and quarter-ends marked (:func:`calendar_traces`) unless ``calendar`` is False.

    Parameters
    ----------
    lines : mapping of name -> pandas.Series
        Series to draw (units in ``y_title``); empty or all-NaN ones are left out.
    title, y_title : str
        Chart title and y-axis title (with units).
    missing_message : str
        Shown on an empty chart when no line has data: what is missing and how to get it.
    shapes : sequence of dict, optional
        From :func:`overlay_shapes`; replaces the default episode shading.
    height : int, optional
        Pixels.
    """
    present = {k: v for k, v in lines.items() if not v.dropna().empty}
    if not present:
        return figures.empty(missing_message, title=title, height=height)
    fig = figures.history(present, title=title, y_title=y_title, height=height, episodes=False)
    fig["layout"]["shapes"] = list(shapes)
    fig["layout"]["hovermode"] = "x unified"
    if calendar:
        dates = pd.concat([v.dropna() for v in present.values()]).index
        marks = calendar_traces(dates.min(), dates.max())
        if marks:
            fig["data"] = [*fig["data"], *marks]
            fig["layout"]["yaxis2"] = {"overlaying": "y", "range": [0, 1], "visible": False,
                                       "fixedrange": True, "showgrid": False}
    return fig


def calendar_days(first: pd.Timestamp, last: pd.Timestamp) -> tuple[pd.DatetimeIndex, pd.DatetimeIndex]:
    """(quarter-ends, other month-ends) between two dates: the last business day of each
    month (``analytics.funding.calendar_flags`` on every business day, so that a month-end
    without an observation, e.g. of a weekly series, is still marked)."""
    days = pd.bdate_range(pd.Timestamp(first).normalize(), pd.Timestamp(last).normalize())
    if len(days) == 0:
        return pd.DatetimeIndex([]), pd.DatetimeIndex([])
    flags = calendar_flags(days)
    quarter = days[flags["quarter_end"].to_numpy(dtype=bool)]
    month = days[(flags["month_end"] & ~flags["quarter_end"]).to_numpy(dtype=bool)]
    return quarter, month


def _vertical_marks(days: pd.DatetimeIndex, top: float) -> tuple[list[str | None], list[float | None]]:
    xs: list[str | None] = []
    ys: list[float | None] = []
    for day in days:
        stamp = day.strftime("%Y-%m-%d")
        xs += [stamp, stamp, None]
        ys += [0.0, top, None]
    return xs, ys


def calendar_traces(first: pd.Timestamp, last: pd.Timestamp) -> list[dict[str, Any]]:
    """Two traces on a hidden 0-1 axis (``y2``): quarter-ends as thin full-height lines,
    the other month-ends as short ticks at the foot. Traces, not shapes: they never change
    with the controls, so the small shape Patches of the page stay small."""
    quarter, month = calendar_days(first, last)
    traces = []
    for name, days, top, dash in (("quarter-ends", quarter, 1.0, "dot"),
                                  ("month-ends", month, MONTH_TICK_HEIGHT, "solid")):
        if len(days) == 0:
            continue
        xs, ys = _vertical_marks(days, top)
        traces.append({
            "type": "scatter", "mode": "lines", "name": name, "x": xs, "y": ys, "yaxis": "y2",
            "line": {"color": CALENDAR_COLOUR, "width": 0.8, "dash": dash},
            "opacity": 0.55, "hoverinfo": "skip", "legendgroup": "calendar",
        })
    return traces


def first_date(frame: pd.DataFrame, columns: Sequence[str]) -> pd.Timestamp | None:
    """First date on which any of ``columns`` has a value (None when none has)."""
    present = [c for c in columns if c in frame.columns]
    if not present:
        return None
    idx = frame[present].dropna(how="all").index
    return None if len(idx) == 0 else pd.Timestamp(idx[0])


def _col(frame: pd.DataFrame, name: str) -> pd.Series:
    return frame[name] if name in frame.columns else pd.Series(dtype=float)


def spreads_figure(funding: pd.DataFrame, *, shapes: Sequence[dict[str, Any]] = ()) -> Figure:
    """SOFR - EFFR and SOFR - IORB (IOER before 2021-07-29), bp.

    ``funding`` is ``analytics.funding.funding_spreads(series)``.
    """
    return history_with_overlays(
        {"SOFR - EFFR": _col(funding, "sofr_effr_bp"),
         "SOFR - IORB/IOER": _col(funding, "sofr_iorb_bp")},
        title="SOFR - EFFR and SOFR - IORB",
        y_title="bp",
        missing_message="SOFR and EFFR are not in the store: import the FRED SOFR, EFFR and IORB "
                        "files or run `tsm refresh --source fred`.",
        shapes=shapes,
    )


def dispersion_figure(funding: pd.DataFrame, *, shapes: Sequence[dict[str, Any]] = ()) -> Figure:
    """SOFR 99th minus 1st percentile of the day's transactions, bp."""
    return history_with_overlays(
        {"SOFR p99 - p1": _col(funding, "sofr_p99_p1_bp")},
        title="SOFR 99th - 1st percentile",
        y_title="bp",
        missing_message="No SOFR percentiles (SOFR1, SOFR99) in the store: import the NY Fed SOFR "
                        "file with its distribution or run `tsm refresh --source nyfed`.",
        shapes=shapes,
    )


def stress_facilities_figure(
    facilities: pd.DataFrame, *, shapes: Sequence[dict[str, Any]] = ()
) -> Figure:
    """Stress facilities, USD bn: overnight repo / SRF take-up (RPONTSYD), discount window.

    RPONTSYD gaps between two operations are drawn as zero (no operation that day).
    """
    return history_with_overlays(
        {"Overnight repo / SRF (RPONTSYD)": event_series_filled(_col(facilities, "srf_bn")),
         "Discount window primary credit (WLCFLPCL)": _col(facilities, "discount_window_bn")},
        title="Standing repo and discount window",
        y_title="USD bn",
        missing_message="Neither RPONTSYD (overnight repo / SRF) nor WLCFLPCL (discount window) "
                        "is in the store: import the FRED files or run `tsm refresh --source fred`.",
        shapes=shapes,
    )


def balance_sheet_figure(
    facilities: pd.DataFrame, *, shapes: Sequence[dict[str, Any]] = ()
) -> Figure:
    """Reserve balances (WRESBAL, weekly) and ON RRP take-up (RRPONTSYD), USD bn."""
    return history_with_overlays(
        {"Reserve balances (WRESBAL)": _col(facilities, "reserves_bn"),
         "ON RRP take-up (RRPONTSYD)": event_series_filled(_col(facilities, "rrp_bn"))},
        title="Reserve balances and ON RRP",
        y_title="USD bn",
        missing_message="Neither WRESBAL (reserves) nor RRPONTSYD (ON RRP) is in the store: "
                        "import the FRED files or run `tsm refresh --source fred`.",
        shapes=shapes,
    )


def lights_count_figure(
    history: pd.DataFrame,
    *,
    light_names: Sequence[str],
    as_of: pd.Timestamp | None = None,
    height: int = LIGHTS_HEIGHT,
) -> Figure:
    """How many of the three lights were on each day (a step line), the warning shaded.

    Parameters
    ----------
    history : pandas.DataFrame
        ``analytics.funding.liquidity_light_history(...)``: one column per light and
        ``warning`` (1.0 on, 0.0 off, NaN unknown).
    light_names : sequence of str
        The light columns.
    as_of : pandas.Timestamp, optional
        Drawn as a dashed vertical line.
    height : int, optional
        Pixels.
    """
    title = "Lights on (of 3) and the liquidity warning"
    lights = history.reindex(columns=list(light_names))
    known = lights.notna().any(axis=1)
    # An unknown light counts as not on: the line says how many lights are known to be on.
    count = lights.fillna(0.0).sum(axis=1).where(known)
    if count.dropna().empty:
        return figures.empty("No light could be evaluated: the funding series are missing.",
                             title=title, height=height)
    fig = figures.history({"lights on": count}, title=title, y_title="lights on",
                          height=height, episodes=False)
    fig["data"][0]["line"] = {"color": INK, "width": 1.2, "shape": "hv"}
    fig["data"][0]["showlegend"] = False
    fig["layout"]["yaxis"] = {**fig["layout"]["yaxis"], "range": [-0.2, 3.3],
                              "tickvals": [0, 1, 2, 3]}
    warning = history["warning"] if "warning" in history else pd.Series(dtype=float)
    spans = warning_spans(warning)
    fig["layout"]["shapes"] = overlay_shapes(first=pd.Timestamp(count.dropna().index[0]),
                                             spans=spans, as_of=as_of)
    # A warning of a few days is a hairline on a 30-year axis: mark each span's first day.
    if spans:
        fig["data"].append({
            "type": "scatter", "mode": "markers", "name": "warning on",
            "x": [start.strftime("%Y-%m-%d") for start, _ in spans],
            "y": [3.15] * len(spans),
            "text": [f"warning {s:%Y-%m-%d} to {e:%Y-%m-%d}" for s, e in spans],
            "hovertemplate": "%{text}<extra></extra>",
            "marker": {"color": BAD, "symbol": "triangle-down", "size": 11},
        })
    fig["layout"]["showlegend"] = bool(spans)
    return fig


def light_colour(state: str) -> str:
    """Colour of a light: red on, green off, grey unknown."""
    return {"on": BAD, "off": GOOD}.get(state, _UNKNOWN)

