"""Risk page layout: the controls of the three panels and :func:`layout` (rendered on the store's data).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from types import MappingProxyType
from typing import Any, Final

import pandas as pd
from dash import dcc, html

from analytics.tenors import KEY_TENORS, TREASURY_FUTURES
from components import figures
from components.context import AppContext
from components.figures_risk import (
    KRD_HEIGHT,
    PNL_HEIGHT,
    PROFILE_HEIGHT,
    SWEEP_HEIGHT,
)
from components.kit import safe_data, sized_graph
from components.pages.risk.inputs import (
    _FIELD_LABELS,
    DEFAULT_INPUTS,
    KEY_RATE_RANGE_BP,
    MAX_UPLOAD_BYTES,
    PARALLEL_RANGE_BP,
    SLIDER_STEP_BP,
    TWIST_RANGE_BP,
    StressShock,
    default_replay_dates,
)
from components.pages.risk.views import (
    bond_view,
    stress_view,
)
from components.theme import BAD, GRID, MUTED
from components.urlstate import Bound, initial_values, read_choice
from components.widgets import card, error_box, note
from data.market import MarketData

_BOX_STYLE: Final[Mapping[str, str]] = MappingProxyType({"width": "9.5em", "padding": "3px 6px"})


_INLINE: Final[Mapping[str, str]] = MappingProxyType({"display": "flex", "alignItems": "center",
                                                      "gap": "8px", "whiteSpace": "nowrap"})


# -- layout ------------------------------------------------------------------------------------
_BOOK_GONE = "This portfolio is not on the server (any more): upload it again."


_NO_BOOK = ("No portfolio loaded: upload a CSV (format: docs/portfolio_format.md) or load the "
            "example.")


def _cid(name: str) -> str:
    return "risk-" + name.replace("_", "-")


def _error_slot(name: str) -> html.Div:
    return html.Div(id={"type": "risk-field-error", "field": name}, className="field-error",
                    style={"color": BAD, "fontSize": "12px", "minHeight": "0"})


def _number_box(name: str, value: Any, step: float, unit: str, *, disabled: bool = False) -> html.Div:
    cid = _cid(name)
    # No min/max: an absurd number reaches the analytics, whose message gives the range.
    box = dcc.Input(id=cid, type="number", value=value, step=step, debounce=True, disabled=disabled,
                    style=dict(_BOX_STYLE))
    return html.Div([
        html.Label(_FIELD_LABELS[name], htmlFor=cid, style={"fontSize": "13px", "display": "block"}),
        html.Div([box, html.Span(unit, className="muted", style={"marginLeft": "4px", "fontSize": "12px"})]),
        _error_slot(name),
    ], style={"marginBottom": "6px"})


def _fieldset(legend: Any, *children: Any) -> html.Fieldset:
    return html.Fieldset([html.Legend(legend, style={"fontSize": "13px", "fontWeight": 600}), *children],
                         style={"border": f"1px solid {GRID}", "borderRadius": "4px",
                                "padding": "4px 10px", "margin": "0 0 8px 0",
                                "display": "flex", "gap": "12px", "flexWrap": "wrap"})


def _read_flag(text: str) -> list[str]:
    if text.strip().lower() not in ("1", "yes", "true"):
        raise ValueError("use 1 to tick it")
    return ["yes"]


def _write_number(value: Any) -> str:
    return f"{float(value):g}"


#: The bond panel in the URL (``?bond.coupon=5&bond.callable=1``): a pasted link prices the
#: same bond. Values are checked by the panel itself, which names a bad one under its box.
URL_STATE: tuple[Bound, ...] = (
    *(Bound(f"bond.{name}", _cid(name), read=float, write=_write_number,
            default=DEFAULT_INPUTS[name])
      for name in ("coupon", "maturity", "quote", "call_after", "call_price", "vol", "ordinary",
                   "gains", "shift")),
    Bound("bond.quote_kind", _cid("quote_kind"), read=read_choice(("price", "yield")),
          default=DEFAULT_INPUTS["quote_kind"]),
    Bound("bond.callable", _cid("callable"), read=_read_flag, write=lambda v: "1" if v else "",
          default=[]),
    Bound("bond.muni", _cid("muni"), read=_read_flag, write=lambda v: "1" if v else "",
          default=[]),
)


def bond_values(query: Mapping[str, str] | None) -> dict[str, Any]:
    """The bond panel's values: the defaults, with what the URL query sets."""
    found, _ = initial_values(URL_STATE, query or {})
    return {**DEFAULT_INPUTS, **{key.removeprefix("bond."): value for key, value in found.items()}}


def _bond_controls(data: MarketData | None, values: Mapping[str, Any] | None = None) -> html.Div:
    d = dict(values) if values is not None else dict(DEFAULT_INPUTS)
    no_call, no_muni = not d["callable"], not d["muni"]
    last = data.last_date() if data is not None else None
    first = data.yields.index[0] if data is not None and not data.yields.empty else None
    return html.Div([
        _fieldset("Bond",
                  _number_box("coupon", d["coupon"], 0.125, "% a year"),
                  _number_box("maturity", d["maturity"], 0.5, "years"),
                  html.Div([
                      dcc.RadioItems(id=_cid("quote_kind"), value=d["quote_kind"], inline=True,
                                     options=[{"label": " clean price", "value": "price"},
                                              {"label": " yield %", "value": "yield"}],
                                     inputStyle={"marginLeft": "6px"}, style={"fontSize": "13px"}),
                      dcc.Input(id=_cid("quote"), type="number", value=d["quote"], step=0.01,
                                debounce=True, style=dict(_BOX_STYLE)),
                      _error_slot("quote"), _error_slot("quote_kind"),
                  ], style={"marginBottom": "6px"})),
        _fieldset(dcc.Checklist(id=_cid("callable"), value=list(d["callable"]),
                                options=[{"label": " Callable (Hull-White tree)", "value": "yes"}],
                                style={"display": "inline-block"}),
                  _number_box("call_after", d["call_after"], 0.5, "years", disabled=no_call),
                  _number_box("call_price", d["call_price"], 0.5, "per 100", disabled=no_call),
                  _number_box("vol", d["vol"], 5, "bp a year", disabled=no_call),
                  _error_slot("callable")),
        _fieldset(dcc.Checklist(id=_cid("muni"), value=list(d["muni"]),
                                options=[{"label": " Municipal (de minimis tax)", "value": "yes"}],
                                style={"display": "inline-block"}),
                  _number_box("ordinary", d["ordinary"], 0.01, "decimal", disabled=no_muni),
                  _number_box("gains", d["gains"], 0.01, "decimal", disabled=no_muni),
                  _error_slot("muni")),
        _fieldset("Curve and shift",
                  html.Div([
                      dcc.RadioItems(id=_cid("curve_kind"), value=d["curve_kind"],
                                     options=[{"label": " flat at the bond's yield", "value": "flat"},
                                              {"label": " store curve on", "value": "store"}],
                                     style={"fontSize": "13px"}),
                      _error_slot("curve_kind"),
                  ]),
                  html.Div([
                      dcc.DatePickerSingle(id=_cid("curve_date"),
                                           date=_iso(last),
                                           min_date_allowed=_iso(first),
                                           max_date_allowed=_iso(last),
                                           display_format="YYYY-MM-DD", disabled=True),
                      _error_slot("curve_date"),
                  ]),
                  _number_box("shift", d["shift"], 5, "bp (durations, KRDs)")),
        html.Div(id={"type": "risk-field-error", "field": ""}),
    ])


def _slider(id_: Any, bounds: tuple[float, float], marks: Sequence[float]) -> dcc.Slider:
    return dcc.Slider(id=id_, min=bounds[0], max=bounds[1], step=SLIDER_STEP_BP, value=0.0,
                      marks={float(m): f"{m:+g}" if m else "0" for m in marks},
                      tooltip={"always_visible": False, "placement": "bottom"},
                      # A callable's revaluation is a tree pass and the portfolio P&L follows
                      # the same sliders: recompute when the handle is released.
                      updatemode="mouseup")


def _stress_controls() -> html.Div:
    kr = [
        html.Div([html.Div(f"{key} key rate, bp", style={"fontSize": "12px"}),
                  _slider({"type": "risk-kr", "tenor": key}, KEY_RATE_RANGE_BP, (-200, 0, 200))],
                 className="slider-block")
        for key in KEY_TENORS
    ]
    return html.Div([
        html.Div([html.Label("Parallel shift, bp (all maturities)", style={"fontSize": "13px"}),
                  _slider("risk-parallel", PARALLEL_RANGE_BP, (-300, -100, 0, 100, 300))],
                 className="slider-block"),
        html.Div([html.Label("Twist, bp (30y minus 1y change; pivot 5y; + = steeper)",
                             style={"fontSize": "13px"}),
                  _slider("risk-twist", TWIST_RANGE_BP, (-200, 0, 200))], className="slider-block"),
        html.Details([html.Summary("Key-rate sliders (1y..30y, triangular bumps)",
                                   style={"fontSize": "13px", "cursor": "pointer"}),
                      html.Div(kr, style={"display": "grid", "gap": "0 16px",
                                          "gridTemplateColumns": "repeat(auto-fill, minmax(230px, 1fr))"})],
                     open=True),
        html.Button("Reset shocks to 0", id="risk-reset", n_clicks=0,
                    style={"marginTop": "6px", "fontSize": "13px"}),
        html.Div(id="risk-stress-error"),
    ])


def _iso(day: pd.Timestamp | None) -> str | None:
    return None if day is None else day.strftime("%Y-%m-%d")


def layout(ctx: AppContext, query: Mapping[str, str] | None = None) -> html.Div:
    data, store_error = safe_data(ctx)
    asked = (query or {}).get("as_of") or None
    values = bond_values(query)
    view = bond_view(data, values)
    stress = stress_view(view.spec, StressShock())
    yields = data.yields if data is not None else pd.DataFrame()
    last = data.last_date() if data is not None else None
    first = yields.index[0] if not yields.empty else None
    r_start, r_end = default_replay_dates(yields)

    def picker(id_: str, day: Any) -> dcc.DatePickerSingle:
        return dcc.DatePickerSingle(id=id_, date=day, display_format="YYYY-MM-DD",
                                    min_date_allowed=_iso(first),
                                    max_date_allowed=_iso(last))

    bond = card(
        "Bond: price, durations, key rates",
        html.Div([
            html.Div([_bond_controls(data, values),
                      error_box(store_error, id_="risk-store-error") if store_error else None]),
            html.Div([
                html.Div(view.curve_note, id="risk-curve-note", className="note",
                         style={"color": MUTED, "marginBottom": "6px"}),
                dcc.Loading(html.Div(view.summary,
                                     id="risk-bond-summary"), type="dot", delay_show=400),
            ]),
        ], className="grid-2"),
        html.Div([
            sized_graph("risk-krd-chart", view.krd, KRD_HEIGHT),
            sized_graph("risk-sweep-chart", view.sweep, SWEEP_HEIGHT),
        ], className="grid-2", style={"marginTop": "8px"}),
        dcc.Store(id="risk-bond-spec", data=view.spec),
        note("Effective duration and convexity shift the whole zero curve by +/- the shift size "
             "with the spread (OAS for callables) held; modified duration shifts the bond's own "
             "yield. Up/down durations show the asymmetry an average hides: a callable shortens as "
             "rates fall, a muni near the de minimis threshold falls faster as rates rise (its "
             "tax-aware KRDs need not sum to the effective duration)."),
        id_="risk-bond-card",
    )
    stress_card = card(
        "Stress: what if rates move?",
        html.Div([
            _stress_controls(),
            html.Div([html.Div(stress.tiles, id="risk-stress-tiles"),
                      sized_graph("risk-profile-chart", stress.profile, PROFILE_HEIGHT)]),
        ], className="grid-2"),
        note("Parallel + twist + key rates add up on the zero curve; the bond above is revalued "
             "on the shocked curve with its spread held (full revaluation, not a duration "
             "estimate). The portfolio below follows the same sliders."),
        id_="risk-stress-card",
    )
    upload = dcc.Upload(
        id="risk-pf-upload", max_size=MAX_UPLOAD_BYTES, multiple=False, accept=".csv,text/csv,text/plain",
        children=html.Div(["Drop a portfolio CSV here or ", html.A("choose a file", style={"textDecoration": "underline"})]),
        style={"border": f"2px dashed {MUTED}", "borderRadius": "6px", "padding": "12px 16px",
               "textAlign": "center", "cursor": "pointer", "fontSize": "14px", "minWidth": "280px"},
    )
    portfolio = card(
        "Portfolio: risk, hedges and scenario P&L",
        html.Div([
            upload,
            html.Button("Load the example portfolio", id="risk-pf-example", n_clicks=0,
                        style={"fontSize": "13px"}),
            html.Div([html.Label("Curve date", htmlFor="risk-pf-asof"),
                      picker("risk-pf-asof", asked or _iso(last))], style=dict(_INLINE)),
            html.Div([html.Label("Historical replay from", htmlFor="risk-replay-start"),
                      picker("risk-replay-start", r_start),
                      html.Label("to", htmlFor="risk-replay-end"),
                      picker("risk-replay-end", r_end)], style=dict(_INLINE)),
        ], className="controls"),
        html.Div(id="risk-pf-file", className="note", style={"color": MUTED}),
        html.Div(id="risk-pf-upload-error"),
        html.Div(id="risk-pf-errors"),
        dcc.Loading(html.Div([
            html.Div(id="risk-pf-totals"),
            html.Div(note(_NO_BOOK), id="risk-pf-positions"),
        ]), type="dot", delay_show=400),
        html.H4("Futures hedge per key-rate bucket", style={"margin": "12px 0 4px 0"}),
        html.Div([
            html.Div([html.Label(f"{c.label} DV01, USD/bp",
                                 style={"fontSize": "12px", "display": "block"}),
                      dcc.Input(id={"type": "risk-fut-dv01", "key": c.key}, type="number",
                                value=c.dv01_usd, step=1, debounce=True,
                                style=dict(_BOX_STYLE))])
            for c in TREASURY_FUTURES
        ], className="controls"),
        html.Div(id="risk-pf-hedge-table"),
        html.H4("P&L under the sliders and the historical replay", style={"margin": "12px 0 4px 0"}),
        html.Div(id="risk-pnl-error"),
        html.Div([
            html.Div(id="risk-pnl-table"),
            sized_graph("risk-pnl-chart", figures.empty("No portfolio loaded.", title="P&L by position",
                                                         height=PNL_HEIGHT), PNL_HEIGHT),
        ], className="grid-2"),
        dcc.Store(id="risk-pf-source"),
        note("Positions are priced off the store's CMT curve of the curve date (bootstrapped); a "
             "given price or yield fixes the spread (OAS for callables), held in every scenario. "
             "DV01 and KRD DV01 in USD per bp, positive when the position gains as rates fall."
             + (" DEMO data: the curves are synthetic." if data is not None and data.is_demo else "")),
        id_="risk-pf-card",
    )
    return html.Div([bond, stress_card, portfolio])
