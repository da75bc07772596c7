"""Funding: is dollar funding getting tight?

The three-light liquidity warning of DOMAIN.md section 4 (SOFR up significantly, SOFR-EFFR
widening, rising use of Fed facilities) as of a date, with editable thresholds, the readings
behind it, and the history of the repo spreads, SOFR dispersion and Fed facilities with the
days the warning was on shaded.

The history charts are drawn once per page view, with the month-ends and quarter-ends marked;
a change of date or threshold only moves their shapes (as-of line, threshold lines, warning
spans), sent as a ``dash.Patch``. A "calendar-adjusted thresholds" toggle compares the level
criteria on a calendar point (quarter-end, month-end, turn, mid-month) with the same point in
the past years (``analytics.funding.CalendarAdjustment``), in the lights and their history.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final

import pandas as pd
from dash import ALL, Dash, Input, Output, Patch, State, dcc, html, no_update

from analytics.funding import (
    DEFAULT_CALENDAR_LOOKBACK_YEARS,
    LIGHT_NAMES,
    CalendarAdjustment,
    FundingHistory,
    LightReadings,
    LiquidityThresholds,
    funding_snapshot,
    light_readings,
    liquidity_light_history,
)
from analytics.state import MarketState
from components import figures
from components import figures_funding as ff
from components.context import AppContext
from components.kit import sized_graph
from components.memo import OwnedMemo
from components.theme import BAD, GOOD, INK, MUTED
from components.urlstate import Bound, initial_values
from components.widgets import card, error_box, note, simple_table

PATH = "/funding"
LABEL = "Funding"

#: Pattern-matching id type of the threshold inputs ({"type": ..., "name": field}).
THRESHOLD_TYPE: Final = "funding-threshold"
#: Ids of the four history charts whose shapes follow the controls.
CHART_IDS: Final = ("funding-spreads", "funding-dispersion", "funding-stress-facilities",
                    "funding-balance")
#: Series whose last observation gives the default as-of date (the funding series, not the
#: yields: SOFR is published on days the CMT curve is not, and vice versa).
AS_OF_SERIES: Final = ("SOFR", "EFFR")
_UNKNOWN_GREY: Final = "#8c959f"
_INPUT_STYLE: Final = {"width": "84px"}
_INPUT_BAD_STYLE: Final = {"width": "84px", "border": f"2px solid {BAD}", "background": "#fff5f5"}


@dataclass(frozen=True)
class ThresholdField:
    """One editable field of :class:`analytics.funding.LiquidityThresholds`.

    Attributes
    ----------
    name : field name in ``LiquidityThresholds``.
    label : what it is, for the user (names the light it belongs to).
    units : "obs", "bp" or "USD bn".
    step : increment of the number box.
    """

    name: str
    label: str
    units: str
    step: float | str = "any"


#: The editable thresholds, in the order shown; names match LiquidityThresholds' fields.
THRESHOLD_FIELDS: Final[tuple[ThresholdField, ...]] = (
    ThresholdField("sofr_rise_bp", "1: SOFR rise over the window, net of the floor's move", "bp"),
    ThresholdField("sofr_above_floor_bp", "1: SOFR - IORB (IOER before 2021-07-29)", "bp"),
    ThresholdField("sofr_effr_bp", "2: SOFR - EFFR", "bp"),
    ThresholdField("sofr_effr_change_bp", "2: change of SOFR - EFFR over the window", "bp"),
    ThresholdField("facility_take_up_bn", "3: overnight repo / SRF take-up (RPONTSYD)", "USD bn"),
    ThresholdField("discount_window_rise_bn", "3: discount-window 1-week rise (WLCFLPCL)",
                   "USD bn"),
    ThresholdField("change_window_obs", "Window of the changes above", "obs", step=1),
)
_FIELD_BY_NAME: Final = {f.name: f for f in THRESHOLD_FIELDS}

#: How each criterion of analytics.funding is named on screen ({n} = change window).
CRITERION_LABELS: Final = {
    "sofr_rise_net_of_floor_bp": "SOFR rise over {n} obs, net of the floor",
    "sofr_minus_floor_bp": "SOFR - IORB/IOER",
    "sofr_effr_bp": "SOFR - EFFR",
    "sofr_effr_change_bp": "change of SOFR - EFFR over {n} obs",
    "srf_take_up_bn": "overnight repo / SRF take-up (RPONTSYD)",
    "discount_window_rise_1w_bn": "discount window, 1-week rise (WLCFLPCL)",
}
#: Criteria whose threshold the calendar adjustment may raise -> their LiquidityThresholds field.
CALENDAR_CRITERIA: Final = {"sofr_minus_floor_bp": "sofr_above_floor_bp",
                            "sofr_effr_bp": "sofr_effr_bp"}
#: Words of the calendar points of analytics.funding.calendar_flags.
CALENDAR_POINT_WORDS: Final = {"quarter_end": "a quarter-end", "month_end": "a month-end",
                               "quarter_turn": "the first business day of a quarter",
                               "month_turn": "the first business day of a month",
                               "mid_month": "mid-month (coupon settlement)"}
#: Value of the calendar toggle's one option (dcc.Checklist: [] off, [CALENDAR_ON] on).
CALENDAR_ON: Final = "adjusted"
_STATE_TEXT: Final = {"on": "ON", "off": "off", "unknown": "cannot evaluate: no fresh data"}

#: Rows of the readings table: snapshot key, label, units, decimals.
READINGS: Final = (
    ("sofr_pct", "SOFR", "%", 2),
    ("effr_pct", "EFFR", "%", 2),
    ("floor_pct", "IORB (IOER before 2021-07-29)", "%", 2),
    ("sofr_effr_bp", "SOFR - EFFR", "bp", 0),
    ("sofr_iorb_bp", "SOFR - IORB/IOER", "bp", 0),
    ("sofr_p99_p1_bp", "SOFR p99 - p1", "bp", 0),
    ("srf_bn", "Overnight repo / SRF take-up", "USD bn", 2),
    ("discount_window_bn", "Discount window primary credit", "USD bn", 2),
    ("rrp_bn", "ON RRP take-up", "USD bn", 1),
    ("reserves_bn", "Reserve balances", "USD bn", 0),
    ("reserves_chg_1w_bn", "Reserves, 1-week change", "USD bn", 0),
    ("reserves_chg_1m_bn", "Reserves, 4-week change", "USD bn", 0),
)


# --- reading the controls --------------------------------------------------------------------


def _to_number(field: ThresholdField, value: object) -> float | int | object:
    """The box's value as a number; the dataclass then checks its range."""
    if value is None or (isinstance(value, str) and not value.strip()):
        raise ValueError(f"{field.name} is empty: enter a number ({field.units})")
    if isinstance(value, bool):
        raise ValueError(f"{field.name} must be a number ({field.units}), got {value!r}")
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise ValueError(f"{field.name} must be a number ({field.units}), got {value!r}") from None
    if field.name == "change_window_obs" and math.isfinite(number) and number.is_integer():
        return int(number)  # the box sends 5.0 for 5; the dataclass wants an int
    return number


def _display_label(field: ThresholdField) -> str:
    return f"Light {field.label}" if field.label[0].isdigit() else field.label


def threshold_errors(values: Mapping[str, object]) -> dict[str, str]:
    """Per field, the readable reason its value is invalid (empty dict when all are fine).

    Each field is checked on its own with ``LiquidityThresholds`` (its ``__post_init__`` gives
    the message), so that every bad box is named, not only the first.
    """
    errors: dict[str, str] = {}
    for name, raw in values.items():
        field = _FIELD_BY_NAME.get(name)
        if field is None:
            errors[name] = f"unknown threshold {name!r}"
            continue
        try:
            LiquidityThresholds(**{name: _to_number(field, raw)})  # type: ignore[arg-type]
        except (TypeError, ValueError) as exc:
            errors[name] = f"{_display_label(field)}: {exc}"
    return errors


def read_thresholds(values: Mapping[str, object]) -> LiquidityThresholds:
    """``LiquidityThresholds`` from the boxes' values (missing names keep their default).

    Raises
    ------
    ValueError
        Naming every invalid field and its allowed range.
    """
    errors = threshold_errors(values)
    if errors:
        raise ValueError("; ".join(errors.values()))
    kwargs = {n: _to_number(_FIELD_BY_NAME[n], v) for n, v in values.items()}
    return LiquidityThresholds(**kwargs)  # type: ignore[arg-type]


@dataclass(frozen=True)
class FundingInputs:
    """The page's controls, validated.

    Attributes
    ----------
    as_of : pandas.Timestamp
        Date of the lights and readings (normalised to midnight).
    thresholds : LiquidityThresholds
        Light thresholds (bp, USD bn, observations).
    """

    as_of: pd.Timestamp
    thresholds: LiquidityThresholds
    calendar: CalendarAdjustment | None = None

    @classmethod
    def from_controls(cls, as_of: str | None, values: Mapping[str, object], *,
                      default_as_of: pd.Timestamp | None,
                      calendar: object = None) -> FundingInputs:
        """Read the date picker and the threshold boxes.

        Raises
        ------
        ValueError
            On an invalid threshold, or no date when the store has no funding data.
        """
        thresholds = read_thresholds(values)
        if as_of in (None, ""):
            if default_as_of is None:
                raise ValueError("as of: no date given and no funding series in the store")
            when = default_as_of
        else:
            try:
                when = pd.Timestamp(as_of)
            except (TypeError, ValueError):
                raise ValueError(f"as of must be a date (YYYY-MM-DD), got {as_of!r}") from None
        return cls(pd.Timestamp(when).normalize(), thresholds, read_calendar(calendar))


def read_calendar(value: object) -> CalendarAdjustment | None:
    """The calendar toggle's value (a checklist's list) as the adjustment to apply, or None."""
    if isinstance(value, (list, tuple)) and CALENDAR_ON in value:
        return CalendarAdjustment()
    return None


def _read_calendar_query(text: str) -> list[str]:
    if text not in ("1", "on", "true", CALENDAR_ON):
        raise ValueError("use calendar=1 for calendar-adjusted thresholds")
    return [CALENDAR_ON]


#: The page's controls in the URL (see components.urlstate).
def _read_thresholds_query(text: str) -> list[float]:
    """The threshold boxes from the query: one number per field of THRESHOLD_FIELDS, in order
    ("20,10,..."), each checked like a typed value."""
    parts = text.split(",")
    if len(parts) != len(THRESHOLD_FIELDS):
        raise ValueError(f"expected {len(THRESHOLD_FIELDS)} thresholds")
    values = {f.name: float(p) for f, p in zip(THRESHOLD_FIELDS, parts, strict=True)}
    errors = threshold_errors(values)
    if errors:
        raise ValueError("; ".join(errors.values()))
    return [values[f.name] for f in THRESHOLD_FIELDS]


URL_STATE = (
    Bound("calendar", "funding-calendar", read=_read_calendar_query,
          write=lambda v: "1" if v else "", default=[]),
    Bound("thresholds", {"type": THRESHOLD_TYPE, "name": ALL}, read=_read_thresholds_query,
          write=lambda v: ",".join(f"{float(x):g}" for x in v),
          default=[getattr(LiquidityThresholds(), f.name) for f in THRESHOLD_FIELDS]),
)


def default_as_of(series: pd.DataFrame) -> pd.Timestamp | None:
    """Last date with SOFR (the light every reading needs), else with EFFR, else the last date
    of the frame, else None. Taking the later of the two would open on a date where SOFR is
    already stale and every light grey."""
    for name in AS_OF_SERIES:
        if name in series.columns:
            idx = series[name].dropna().index
            if len(idx):
                return pd.Timestamp(idx[-1])
    return pd.Timestamp(series.index[-1]) if len(series.index) else None


# --- what the page shows ---------------------------------------------------------------------


def _fmt(value: float | None, decimals: int) -> str:
    return "-" if value is None else f"{value:,.{decimals}f}"


def _reading_decimals(units: str) -> int:
    return 2 if units == "USD bn" else 1


def _dot(state: str, *, size: int) -> html.Span:
    colour = ff.light_colour(state)
    return html.Span(className=f"funding-dot funding-dot-{state}", style={
        "display": "inline-block", "width": f"{size}px", "height": f"{size}px",
        "borderRadius": "50%", "background": colour, "flex": "none",
        "border": "2px solid rgba(0,0,0,0.18)",
        "boxShadow": f"0 0 10px {colour}" if state == "on" else "none",
    })


def calendar_text(crit: Mapping[str, Any], base: Mapping[str, Any] | None, *,
                  lookback_years: int = DEFAULT_CALENDAR_LOOKBACK_YEARS) -> str:
    """What the calendar adjustment did to a criterion's threshold ("" when it does not
    apply: adjustment off, or a criterion it never changes)."""
    field = CALENDAR_CRITERIA.get(str(crit["name"]))
    if base is None or field is None:
        return ""
    plain = float(base[field])
    if float(crit["threshold"]) > plain:
        return (f"calendar-adjusted from {plain:g} {crit['units']}: the highest reading on the same "
                f"calendar point in the {lookback_years} years before")
    return f"calendar adjustment: none on this day (plain {plain:g} {crit['units']})"


def light_box(light: Mapping[str, Any], *, window_obs: int,
              base_thresholds: Mapping[str, Any] | None = None,
              lookback_years: int = DEFAULT_CALENDAR_LOOKBACK_YEARS) -> html.Div:
    """One light: its colour, state, deciding reading vs threshold (with units and date) and
    every criterion behind it. ``base_thresholds`` (the snapshot's ``thresholds``) is given
    when the thresholds are calendar-adjusted: each adjusted criterion then says from what."""
    state = str(light["state"])
    units = str(light["units"])
    dec = _reading_decimals(units)
    crits = list(light["criteria"])
    # The light's reading is that of its deciding criterion: the first on, else the first
    # evaluated (analytics.funding._combine); say which one it is.
    deciding = next((c for c in crits if c["state"] == "on"),
                    next((c for c in crits if c["state"] != "unknown"), crits[0] if crits else None))
    which = ("" if deciding is None
             else CRITERION_LABELS.get(deciding["name"], deciding["name"]).format(n=window_obs))
    if light["reading"] is None:
        headline = html.Div(f"no fresh reading (threshold > {light['threshold']:g} {units})",
                            className="funding-light-reading", style={"color": MUTED})
    else:
        headline = html.Div([
            html.Strong(f"{_fmt(light['reading'], dec)} {units}", style={"fontSize": "20px"}),
            html.Span(f"  {'>' if state == 'on' else 'vs'} threshold {light['threshold']:g} {units}"),
            html.Span(f"  on {light['date']}" if light["date"] else "", style={"color": MUTED}),
            html.Div(which, style={"color": MUTED, "fontSize": "12px"}),
        ], className="funding-light-reading")
    criteria = []
    for crit in light["criteria"]:
        label = CRITERION_LABELS.get(crit["name"], crit["name"]).format(n=window_obs)
        reading = ("-" if crit["reading"] is None
                   else f"{_fmt(crit['reading'], _reading_decimals(crit['units']))} {crit['units']}")
        text = f"{label}: {reading} (on if > {crit['threshold']:g} {crit['units']})"
        if crit["date"] and crit["reading"] is not None:
            text += f", {crit['date']}"
        children: list[Any] = [_dot(crit["state"], size=10), html.Span(text)]
        adjusted = calendar_text(crit, base_thresholds, lookback_years=lookback_years)
        if adjusted:
            children.append(html.Div(adjusted, className="funding-calendar-note",
                                     style={"color": MUTED, "marginLeft": "18px"}))
        if crit["note"]:
            children.append(html.Div(crit["note"], style={"color": MUTED, "marginLeft": "18px"}))
        criteria.append(html.Li(children, style={"listStyle": "none", "margin": "2px 0"}))
    border = ff.light_colour(state)
    return html.Div([
        html.Div([_dot(state, size=30), html.Div([
            html.Div(light["label"], style={"fontWeight": 600, "fontSize": "15px"}),
            html.Div(_STATE_TEXT.get(state, state), className="funding-light-state",
                     style={"color": border, "fontWeight": 700, "letterSpacing": "0.05em"}),
        ])], style={"display": "flex", "gap": "10px", "alignItems": "center"}),
        headline,
        html.Ul(criteria, style={"padding": 0, "margin": "6px 0 0 0", "fontSize": "12px"}),
    ], id=f"funding-light-{light['name']}", className=f"funding-light funding-light-{state}",
        style={"border": f"2px solid {border}", "borderRadius": "6px", "padding": "10px 12px",
               "flex": "1 1 280px", "minWidth": "260px"})


def warning_box(warning: bool | None, lights: Sequence[Mapping[str, Any]], as_of: str) -> html.Div:
    """The overall warning: on only when all three lights are on."""
    n_on = sum(1 for light in lights if light["state"] == "on")
    n_unknown = sum(1 for light in lights if light["state"] == "unknown")
    n_known = len(lights) - n_unknown
    if warning is True:
        text, colour, bg = "LIQUIDITY WARNING ON: all three lights are on", BAD, "#ffebe9"
    elif warning is False and n_unknown == 0:
        text, colour, bg = f"No liquidity warning: {n_on} of 3 lights on", GOOD, "#e9f5ec"
    elif warning is False:
        # Off because one evaluated light is off; the others could not be read: never green.
        text = (f"No liquidity warning, but only {n_known} of 3 lights could be evaluated "
                f"({n_on} on; {n_unknown} without fresh data)")
        colour, bg = _UNKNOWN_GREY, "#f2f4f6"
    else:
        text = (f"Warning unknown: {n_unknown} light{'s' if n_unknown != 1 else ''} without "
                f"fresh data, {n_on} on")
        colour, bg = _UNKNOWN_GREY, "#f2f4f6"
    return html.Div([html.Strong(text), html.Span(f" (as of {as_of}; the warning needs all "
                                                  "three lights on together)")],
                    id="funding-warning", role="status",
                    className=f"funding-warning funding-warning-{warning}",
                    style={"border": f"2px solid {colour}", "background": bg, "color": INK,
                           "padding": "8px 12px", "borderRadius": "6px", "fontSize": "15px",
                           "marginBottom": "10px"})


def calendar_line(snap: Mapping[str, Any]) -> html.Div:
    """Which calendar point the as-of date is, and whether the thresholds are adjusted."""
    point = snap.get("calendar_point")
    where = CALENDAR_POINT_WORDS.get(str(point), str(point)) if point else "no calendar point"
    adjustment = snap.get("calendar_adjustment")
    if adjustment:
        text = (f"Calendar-adjusted thresholds: {snap['as_of']} is {where}; on a calendar point "
                "the SOFR - IORB and SOFR - EFFR thresholds rise to the highest reading on the "
                f"same point in the {adjustment['lookback_years']} years before (never below "
                "the plain threshold).")
    else:
        text = f"Plain thresholds; {snap['as_of']} is {where}."
    return html.Div(text, id="funding-calendar-line", className="note",
                    style={"color": MUTED, "fontSize": "12px", "marginBottom": "6px"})


def lights_panel(snap: Mapping[str, Any]) -> html.Div:
    """Warning box, the calendar line and the three lights, from ``funding_snapshot``."""
    window = int(snap["thresholds"]["change_window_obs"])
    adjustment = snap.get("calendar_adjustment")
    base = snap["thresholds"] if adjustment else None
    years = int(adjustment["lookback_years"]) if adjustment else DEFAULT_CALENDAR_LOOKBACK_YEARS
    return html.Div([
        warning_box(snap["warning"], snap["lights"], snap["as_of"]),
        calendar_line(snap),
        html.Div([light_box(light, window_obs=window, base_thresholds=base, lookback_years=years)
                  for light in snap["lights"]],
                 style={"display": "flex", "gap": "12px", "flexWrap": "wrap"}),
    ])


def readings_panel(snap: Mapping[str, Any]) -> html.Div:
    """Readings as of the date (last observation on or before it) and what is missing."""
    rows = [(label, _fmt(snap.get(key), dec), units) for key, label, units, dec in READINGS]
    missing = snap.get("missing", [])
    return html.Div([
        simple_table("funding-readings-table", ["reading", "value", "units"], rows),
        html.Div([html.Strong("Missing or stale on this date:"),
                  html.Ul([html.Li(m) for m in missing], style={"margin": "2px 0"})],
                 className="note", style={"color": MUTED}) if missing else None,
    ])


def chart_shapes(funding: pd.DataFrame, facilities: pd.DataFrame, *, as_of: pd.Timestamp,
                 thresholds: LiquidityThresholds,
                 spans: Sequence[tuple[pd.Timestamp, pd.Timestamp]]) -> dict[str, list[dict[str, Any]]]:
    """The shapes of each history chart (see :data:`CHART_IDS`) for these controls."""
    blue, orange = ff.SERIES_COLOURS
    return {
        "funding-spreads": ff.overlay_shapes(
            first=ff.first_date(funding, ff.SPREAD_COLUMNS), spans=spans, as_of=as_of,
            zero_line=True,
            hlines=(ff.HLine(thresholds.sofr_effr_bp, f"light 2: {thresholds.sofr_effr_bp:g} bp",
                             blue),
                    ff.HLine(thresholds.sofr_above_floor_bp,
                             f"light 1: {thresholds.sofr_above_floor_bp:g} bp", orange))),
        "funding-dispersion": ff.overlay_shapes(
            first=ff.first_date(funding, ff.DISPERSION_COLUMNS), spans=spans, as_of=as_of),
        "funding-stress-facilities": ff.overlay_shapes(
            first=ff.first_date(facilities, ff.STRESS_FACILITY_COLUMNS), spans=spans, as_of=as_of,
            hlines=(ff.HLine(thresholds.facility_take_up_bn,
                             f"light 3: {thresholds.facility_take_up_bn:g} bn", blue),)),
        "funding-balance": ff.overlay_shapes(
            first=ff.first_date(facilities, ff.BALANCE_COLUMNS), spans=spans, as_of=as_of),
    }


@dataclass(frozen=True)
class FundingView:
    """Everything the page draws for one set of controls.

    Attributes
    ----------
    snapshot : dict
        ``analytics.funding.funding_snapshot`` (readings, lights, warning, missing).
    history : pandas.DataFrame
        ``liquidity_light_history`` (lights and warning by day, 1/0/NaN).
    shapes : dict
        Chart id -> shapes (as-of line, thresholds, warning spans, episodes).
    """

    snapshot: dict[str, Any]
    history: pd.DataFrame
    shapes: dict[str, list[dict[str, Any]]]


def compute_view(series: pd.DataFrame, funding: pd.DataFrame, facilities: pd.DataFrame,
                 inputs: FundingInputs, *, default_history: pd.DataFrame | None = None,
                 lookups: FundingHistory | None = None) -> FundingView:
    """Run the funding analytics for the controls.

    Parameters
    ----------
    series : wide series frame (SOFR, EFFR, IORB, ... by id).
    funding, facilities : ``funding_spreads(series)`` and ``fed_facilities(series)``.
    inputs : the validated controls.
    default_history : optional; ``liquidity_light_history(series)`` at the default thresholds
        (the market state's), used when the controls hold the defaults (plain, not
        calendar-adjusted): a date change is then a lookup, only edited thresholds or the
        calendar adjustment recompute the history.
    lookups : optional; ``analytics.funding.funding_history(series)`` (the market state's):
        the snapshot's readings by binary search. It serves any thresholds with the default
        change window (others are computed directly, see ``FundingHistory.fits``).
    """
    snap = funding_snapshot(series, as_of=inputs.as_of, thresholds=inputs.thresholds,
                            spreads=funding, facilities=facilities, calendar=inputs.calendar,
                            history=lookups)
    if (default_history is not None and inputs.thresholds == LiquidityThresholds()
            and inputs.calendar is None):
        history = default_history
    else:
        history = liquidity_light_history(series, thresholds=inputs.thresholds, calendar=inputs.calendar,
                                          readings=_kept_readings(series, inputs))
    spans = ff.warning_spans(history["warning"])
    shapes = chart_shapes(funding, facilities, as_of=inputs.as_of,
                          thresholds=inputs.thresholds, spans=spans)
    return FundingView(snap, history, shapes)




#: The lights' readings by (series frame, change window, calendar lookback): after a threshold
#: edit, the lights' history at other values is a comparison per day (a few ms instead of
#: 12-35).
_READINGS: OwnedMemo[LightReadings] = OwnedMemo(8)


def _kept_readings(series: pd.DataFrame, inputs: FundingInputs) -> LightReadings:
    window = inputs.thresholds.change_window_obs
    lookback = None if inputs.calendar is None else inputs.calendar.lookback_years
    return _READINGS.get(series, (window, lookback), lambda: light_readings(
        series, change_window_obs=window, lookback_years=lookback))


def _lookups(state: MarketState) -> FundingHistory | None:
    return None if state.histories is None else state.histories.funding


def _threshold_input(field: ThresholdField, value: float) -> html.Div:
    return html.Div([
        html.Label(_display_label(field),
                   style={"flex": "1 1 auto", "fontSize": "13px"}),
        dcc.Input(id={"type": THRESHOLD_TYPE, "name": field.name}, type="number", value=value,
                  step=field.step, debounce=True, style=_INPUT_STYLE, name=field.name),
        html.Span(field.units, style={"width": "48px", "color": MUTED, "fontSize": "13px"}),
    ], className="funding-threshold-row",
        style={"display": "flex", "gap": "8px", "alignItems": "center", "margin": "3px 0"})


def layout(ctx: AppContext, query: Mapping[str, str] | None = None) -> html.Div:
    state = ctx.state()
    measures = state.measures
    series = measures.series
    asked = (query or {}).get("as_of") or None
    when = pd.Timestamp(asked) if asked else default_as_of(series)
    values, _ = initial_values(URL_STATE, query or {})
    calendar_value = values.get("calendar", [])
    defaults = LiquidityThresholds()
    chosen = values.get("thresholds", [getattr(defaults, f.name) for f in THRESHOLD_FIELDS])
    threshold_rows = [_threshold_input(f, v) for f, v in zip(THRESHOLD_FIELDS, chosen, strict=True)]
    thresholds = read_thresholds({f.name: v for f, v in zip(THRESHOLD_FIELDS, chosen, strict=True)})
    if when is None:
        view = None
    else:
        view = compute_view(series, measures.funding, measures.facilities,
                            FundingInputs(when, thresholds, read_calendar(calendar_value)),
                            default_history=state.lights, lookups=_lookups(state))
    shapes = view.shapes if view is not None else {}
    no_data = "No funding series in the store: import the FRED/NY Fed files or run `tsm refresh`."
    return html.Div([
        card("Is dollar funding getting tight?", html.Div([
            html.Span("Readings are each series' last observation on or before the as-of date "
                      "(header); each light states the date it reads.",
                      style={"color": MUTED, "fontSize": "12px"}),
            dcc.Checklist(id="funding-calendar", options=[{
                "label": " Calendar-adjusted thresholds (quarter-ends, month-ends, turns and "
                         "mid-month compared with the same point in past years)",
                "value": CALENDAR_ON}], value=calendar_value,
                inputStyle={"marginRight": "4px"}, style={"fontSize": "13px"}),
        ], className="controls"),
            html.Div(lights_panel(view.snapshot) if view is not None else error_box(no_data),
                     id="funding-lights"),
            note("A light is on when any of its readings exceeds its threshold, off when a "
                 "reading could be evaluated and none does, grey when no fresh data (daily "
                 "series older than 10 days, weekly older than 14). RPONTSYD has no row on days "
                 "without an operation: a gap between two operations reads as zero take-up."),
        ),
        html.Div([
            card("Thresholds", *threshold_rows,
                 html.Div([html.Button("Reset to defaults", id="funding-reset", n_clicks=0)],
                          style={"marginTop": "6px"}),
                 html.Div(id="funding-thresholds-error", style={"marginTop": "6px"})),
            card("Readings", html.Div(readings_panel(view.snapshot) if view is not None else None,
                                      id="funding-readings")),
        ], className="grid-2"),
        card("Warning history", sized_graph("funding-lights-history", ff.lights_count_figure(
            view.history, light_names=LIGHT_NAMES, as_of=when) if view is not None
            else figures.empty(no_data, height=ff.LIGHTS_HEIGHT), ff.LIGHTS_HEIGHT),
            note("Red: days all three lights were on (with the thresholds above, calendar-adjusted "
                 "when chosen). Amber: stress episodes (repo spike 2019-09, dash for cash "
                 "2020-03, ...).")),
        html.Div(dcc.Checklist(id="funding-clip", options=[{
            "label": " Clip spikes: y-axes from the 0.5th to the 99.5th percentile, so that one "
                     "spike (SOFR-IORB, September 2019) does not flatten the rest",
            "value": "clip"}], value=[], inputStyle={"marginRight": "4px"}),
            style={"fontSize": "13px", "margin": "0 0 8px 0"}),
        html.Div([
            card("Repo spreads", sized_graph("funding-spreads", ff.spreads_figure(
                measures.funding, shapes=shapes.get("funding-spreads", ())), ff.CHART_HEIGHT)),
            card("Repo rate dispersion", sized_graph("funding-dispersion", ff.dispersion_figure(
                measures.funding, shapes=shapes.get("funding-dispersion", ())), ff.CHART_HEIGHT)),
        ], className="grid-2"),
        html.Div([
            card("Fed stress facilities", sized_graph("funding-stress-facilities",
                 ff.stress_facilities_figure(
                     measures.facilities, shapes=shapes.get("funding-stress-facilities", ())),
                 ff.CHART_HEIGHT)),
            card("Reserves and ON RRP", sized_graph("funding-balance", ff.balance_sheet_figure(
                measures.facilities, shapes=shapes.get("funding-balance", ())), ff.CHART_HEIGHT)),
        ], className="grid-2"),
        note("Units: rates in percent, spreads in basis points, facilities and reserves in USD "
             "billions (FRED's $mn series divided by 1,000). Dotted lines: light thresholds; "
             "dashed line: the as-of date. Blue-grey marks: quarter-ends (thin dotted lines "
             "across the chart) and other month-ends (ticks at the foot), the last business "
             "day of the month, when repo rates often jump (click them in the legend to hide)."),
    ])


def update(ctx: AppContext, as_of: str | None, values: Sequence[object],
           ids: Sequence[Mapping[str, str]], calendar: object = None) -> tuple[Any, ...]:
    """The page's callback as a plain function.

    Returns
    -------
    tuple
        (lights children, readings children, threshold error, input styles (list), one Patch
        per chart of :data:`CHART_IDS`, lights-history figure).
    """
    by_name = {i["name"]: v for i, v in zip(ids, values, strict=True)}
    errors = threshold_errors(by_name)
    styles = [_INPUT_BAD_STYLE if i["name"] in errors else _INPUT_STYLE for i in ids]
    state = ctx.state()
    measures = state.measures
    try:
        if errors:
            raise ValueError("; ".join(errors.values()))
        inputs = FundingInputs.from_controls(as_of, by_name,
                                             default_as_of=default_as_of(measures.series),
                                             calendar=calendar)
    except ValueError as exc:
        # Charts and lights stay as they were; the message sits under the boxes.
        return (no_update, no_update, error_box(str(exc), id_="funding-input-error"), styles,
                *([no_update] * len(CHART_IDS)), no_update)
    view = compute_view(measures.series, measures.funding, measures.facilities, inputs,
                        default_history=state.lights, lookups=_lookups(state))
    patches = []
    for chart in CHART_IDS:
        patch = Patch()
        patch["layout"]["shapes"] = view.shapes[chart]
        patches.append(patch)
    return (lights_panel(view.snapshot), readings_panel(view.snapshot), None, styles, *patches,
            ff.lights_count_figure(view.history, light_names=LIGHT_NAMES, as_of=inputs.as_of))


#: The columns each history chart draws (for the spike-clipping y-ranges).
CHART_COLUMNS: Final = {
    "funding-spreads": ("funding", ff.SPREAD_COLUMNS),
    "funding-dispersion": ("funding", ff.DISPERSION_COLUMNS),
    "funding-stress-facilities": ("facilities", ff.STRESS_FACILITY_COLUMNS),
    "funding-balance": ("facilities", ff.BALANCE_COLUMNS),
}


def clip_patches(ctx: AppContext, clip: bool) -> tuple[Patch, ...]:
    """One Patch per chart: a y-range without the rare spikes (SOFR-IORB's 300 bp of
    September 2019 otherwise flattens every other day), or back to autorange."""
    measures = ctx.measures()
    patches = []
    for chart in CHART_IDS:
        frame_name, columns = CHART_COLUMNS[chart]
        frame = getattr(measures, frame_name)
        patch = Patch()
        span = (figures.robust_range([frame[c] for c in columns if c in frame])
                if clip else None)
        if span is None:
            patch["layout"]["yaxis"]["autorange"] = True
        else:
            patch["layout"]["yaxis"]["range"] = span
            patch["layout"]["yaxis"]["autorange"] = False
        patches.append(patch)
    return tuple(patches)


def reset_values(ids: Sequence[Mapping[str, str]]) -> list[float]:
    """Default threshold of each box, in the order of ``ids``."""
    defaults = LiquidityThresholds()
    return [getattr(defaults, i["name"]) for i in ids]


def register(app: Dash, ctx: AppContext) -> None:
    threshold = {"type": THRESHOLD_TYPE, "name": ALL}

    @app.callback(
        Output("funding-lights", "children"), Output("funding-readings", "children"),
        Output("funding-thresholds-error", "children"), Output(threshold, "style"),
        *[Output(chart, "figure") for chart in CHART_IDS],
        Output("funding-lights-history", "figure"),
        Input("app-asof", "date"), Input(threshold, "value"), Input("funding-calendar", "value"),
        State(threshold, "id"), prevent_initial_call=True,
    )
    def _update(as_of: str | None, values: list[object], calendar: list[str] | None,
                ids: list[dict[str, str]]) -> tuple[Any, ...]:
        return update(ctx, as_of, values, ids, calendar)

    @app.callback(*[Output(chart, "figure", allow_duplicate=True) for chart in CHART_IDS],
                  Input("funding-clip", "value"), prevent_initial_call=True)
    def _clip(value: list[str] | None) -> tuple[Patch, ...]:
        return clip_patches(ctx, bool(value))

    @app.callback(Output(threshold, "value"), Input("funding-reset", "n_clicks"),
                  State(threshold, "id"), prevent_initial_call=True)
    def _reset(_clicks: int | None, ids: list[dict[str, str]]) -> list[float]:
        return reset_values(ids)


__all__ = [
    "PATH", "LABEL", "URL_STATE", "THRESHOLD_FIELDS", "read_calendar", "calendar_text",
    "calendar_line", "CHART_IDS", "FundingInputs", "FundingView",
    "threshold_errors", "read_thresholds", "default_as_of", "compute_view", "chart_shapes",
    "light_box", "warning_box", "lights_panel", "readings_panel", "layout", "update",
    "reset_values", "register",
]
