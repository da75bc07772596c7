"""Scenarios page layout: the three panels' cards rendered on the store's data.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from dash import dcc, html, no_update

from components import figures
from components.context import AppContext
from components.figures_scenarios import (
    ROUNDS_HEIGHT,
    SWEEP_HEIGHT,
    Figure,
)
from components.kit import safe_data, sized_graph
from components.pages.scenarios.inputs import (
    BASIS_CONTROLS,
    MORTGAGE_CONTROLS,
    SWAP_CONTROLS,
    Control,
    Panel,
    _defaults,
    control_id,
)
from components.pages.scenarios.views import (
    LoopView,
    MortgageView,
    _mode_label,
    basis_view,
    mortgage_rate_default,
    mortgage_view,
    store_short,
    swap_view,
    ten_year_yield,
)
from components.theme import MUTED
from components.urlstate import Bound, initial_values, read_number
from components.widgets import card, error_box, note


# -- layout ------------------------------------------------------------------------------------
def _control(panel: Panel, control: Control, *, value: float | None = None,
             disabled: bool = False) -> html.Div:
    cid = control_id(panel, control.name)
    start = control.default if value is None else value
    widget: Any
    if control.kind == "slider":
        widget = dcc.Slider(
            id=cid, min=control.low, max=control.high, step=control.step, value=start,
            marks={float(m): f"{m:g}{control.unit}" for m in control.marks},
            tooltip={"always_visible": False, "placement": "bottom"},
            # The models run in a few ms: follow the handle while it moves.
            updatemode="drag",
        )
    else:
        # No min/max on the box: an absurd number reaches the model, whose message says the
        # allowed range (a browser-side clamp would change the value silently).
        widget = dcc.Input(id=cid, type="number", value=start, step=control.step,
                           debounce=True, disabled=disabled,
                           style={"width": "10em", "padding": "3px 6px"})
    return html.Div([html.Label(control.label, htmlFor=cid, style={"fontSize": "13px"}), widget],
                    style={"marginBottom": "6px"})


def _graph(id_: str, figure: Figure, height: int) -> Any:
    return sized_graph(id_, figure, height)


def _with_placeholders(view: LoopView | MortgageView, title: str) -> list[Any]:
    """Layout-time outputs: a failed first run gets an empty chart that says why."""
    out = list(view)
    for i, value in enumerate(out):
        if value is no_update:
            out[i] = figures.empty("See the message under the controls.", title=title) \
                if i == 2 else None
    return out


def _loop_card(panel: Panel, title: str, controls: Sequence[Control], view: LoopView,
               explanation: str, *, head: Sequence[Any] = (), capital_disabled: bool = False,
               values: Mapping[str, Any] | None = None) -> html.Div:
    error, headline, figure, table, source, assumptions = _with_placeholders(view, title)
    left = html.Div([
        *head,
        html.Div(source, id=f"scen-{panel}-source", className="note",
                 style={"color": MUTED, "marginBottom": "8px"}),
        *[_control(panel, c, value=(values or {}).get(c.name),
                   disabled=capital_disabled and c.name == "capital_bn")
          for c in controls],
        html.Div(error, id=f"scen-{panel}-error"),
    ])
    right = html.Div([html.Div(headline, id=f"scen-{panel}-headline"),
                      _graph(f"scen-{panel}-chart", figure, ROUNDS_HEIGHT)])
    return card(title, html.Div([left, right], className="grid-2"),
                html.Div(table, id=f"scen-{panel}-table", style={"marginTop": "8px"}),
                html.Div(assumptions, id=f"scen-{panel}-assumptions"),
                note(explanation), id_=f"scen-{panel}-card")


def _bound(panel: Panel, control: Control) -> Bound:
    # The mortgage rate's default comes from the store, so it is always written when moved.
    default = None if control.name == "mortgage_rate_pct" else control.default
    return Bound(f"{panel}.{control.name}", control_id(panel, control.name),
                 read=read_number(control.low, control.high),
                 write=lambda v: f"{float(v):g}", default=default)


#: Every scenario input in the URL (``?basis.leverage=60&mtg.shock_bp=100``): a pasted link
#: reproduces the three panels.
URL_STATE: tuple[Bound, ...] = tuple(
    _bound(panel, c) for panel, controls in (("basis", BASIS_CONTROLS), ("swap", SWAP_CONTROLS),
                                             ("mtg", MORTGAGE_CONTROLS)) for c in controls)


def _from_url(panel: Panel, controls: Sequence[Control], query: Mapping[str, str] | None
              ) -> dict[str, Any]:
    found, _ = initial_values(URL_STATE, query or {})
    prefix = f"{panel}."
    return {key[len(prefix):]: value for key, value in found.items() if key.startswith(prefix)}


def layout(ctx: AppContext, query: Mapping[str, str] | None = None) -> html.Div:
    data, store_error = safe_data(ctx)
    if data is None:
        return html.Div(error_box(store_error, id_="scen-store-error"))
    short, reason = store_short(data)
    from_store = short is not None
    toggle = dcc.Checklist(
        id="scen-basis-from-store",
        options=[{"label": " Start from the latest leveraged-fund short in the store",
                  "value": "store", "disabled": short is None}],
        value=["store"] if from_store else [],
        style={"fontSize": "14px", "marginBottom": "4px"},
    )
    head: list[Any] = [toggle]
    if short is None:
        head.append(note(f"Store sizing unavailable: {reason}.", id_="scen-basis-store-note"))
    basis = _loop_card(
        "basis", "Basis-trade doom loop", BASIS_CONTROLS,
        basis_view(data, from_store=from_store,
                   values={**_defaults(BASIS_CONTROLS), **_from_url("basis", BASIS_CONTROLS, query)}),
        "Long cash Treasuries in repo (haircut) against short futures (initial margin). The "
        "shock raises haircut and margin and moves the basis; when the requirement exceeds "
        "capital the fund sells, its sales widen the basis (price impact), the losses call for "
        "more margin, until a fixed point or full liquidation. Leverage x (haircut + margin) "
        "before the shock must be at most 100%.",
        head=head, capital_disabled=from_store,
        values=_from_url("basis", BASIS_CONTROLS, query),
    )
    swap = _loop_card(
        "swap", "Swap-spread unwind", SWAP_CONTROLS,
        swap_view(data, values={**_defaults(SWAP_CONTROLS), **_from_url("swap", SWAP_CONTROLS, query)}),
        "Long 10y Treasuries in repo against pay-fixed swaps (swap initial margin). The same "
        "loop: a more negative swap spread is the loss; sales push the spread further down.",
        values=_from_url("swap", SWAP_CONTROLS, query),
    )
    rate = mortgage_rate_default(data)
    ten = ten_year_yield(data)
    mtg_url = _from_url("mtg", MORTGAGE_CONTROLS, query)
    controls = [
        _control("mtg", c, value=mtg_url.get(c.name, rate.value_pct if c.name == "mortgage_rate_pct"
                                              else None))
        for c in MORTGAGE_CONTROLS
    ]
    rate_text = (f"Mortgage rate default {rate.value_pct:.2f}% = MORTGAGE30US on "
                 f"{rate.date:%Y-%m-%d} in the store" if rate.date is not None else
                 f"Mortgage rate default {rate.value_pct:.2f}% = model default (no MORTGAGE30US "
                 "in the store)")
    ten_text = (f"hedge = 10y par note at the store's 10y yield {ten.value_pct:.2f}% "
                f"({ten.date:%Y-%m-%d})" if ten.date is not None else
                f"hedge = 10y par note at {ten.value_pct:.2f}% (model default; no 10y yield in "
                "the store)")
    values = {**_defaults(MORTGAGE_CONTROLS), "mortgage_rate_pct": rate.value_pct, **mtg_url}
    error, headline, figure, buckets, assumptions = _with_placeholders(
        mortgage_view(data, values=values), "Convexity hedging")
    mortgage = card(
        "Mortgage convexity hedging",
        html.Div([
            html.Div([
                html.Div([rate_text, " (", _mode_label(data), "); ", ten_text, "."],
                         id="scen-mtg-source", className="note",
                         style={"color": MUTED, "marginBottom": "8px"}),
                *controls,
                html.Div(error, id="scen-mtg-error"),
                html.Div(buckets, id="scen-mtg-buckets", style={"marginTop": "8px"}),
            ]),
            html.Div([html.Div(headline, id="scen-mtg-headline"),
                      _graph("scen-mtg-chart", figure, SWEEP_HEIGHT)]),
        ], className="grid-2"),
        html.Div(assumptions, id="scen-mtg-assumptions"),
        note("Rates up: refinancing slows (CPR falls), MBS duration extends, and the hedged "
             "holders sell duration to re-hedge; flow = hedged market value x prepayment "
             "extension / 10y duration. Model: logistic prepayment S-curve, one 30y term for "
             "all coupons, illustrative coupon mix and hedged share (assumptions, not data)."),
        id_="scen-mtg-card",
    )
    return html.Div([basis, swap, mortgage])
