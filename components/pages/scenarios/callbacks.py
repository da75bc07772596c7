"""Scenarios page callbacks: thin wrappers that read the controls, call a view and return its outputs.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from dash import Dash, Input, Output, no_update

from components.context import AppContext
from components.pages.scenarios.inputs import (
    BASIS_CONTROLS,
    MORTGAGE_CONTROLS,
    SWAP_CONTROLS,
    Control,
    Panel,
    control_id,
    leverage_marks,
    leverage_max,
)
from components.pages.scenarios.views import (
    basis_view,
    mortgage_view,
    swap_view,
)
from components.widgets import error_box
from data.store import StoreError


# -- callbacks ---------------------------------------------------------------------------------
def _inputs(panel: Panel, controls: Sequence[Control]) -> list[Input]:
    return [Input(control_id(panel, c.name), "value") for c in controls]


def _store_error(exc: StoreError, n_outputs: int, panel: Panel) -> tuple[Any, ...]:
    box = error_box(f"The store cannot be read: {exc}", id_=f"scen-{panel}-error-msg")
    return (box, *([no_update] * (n_outputs - 1)))


def register(app: Dash, ctx: AppContext) -> None:
    basis_names = [c.name for c in BASIS_CONTROLS]
    swap_names = [c.name for c in SWAP_CONTROLS]
    mtg_names = [c.name for c in MORTGAGE_CONTROLS]

    def loop_outputs(panel: Panel) -> list[Output]:
        return [Output(f"scen-{panel}-{part}", prop) for part, prop in (
            ("error", "children"), ("headline", "children"), ("chart", "figure"),
            ("table", "children"), ("source", "children"), ("assumptions", "children"))]

    for panel, controls in (("basis", BASIS_CONTROLS), ("swap", SWAP_CONTROLS)):
        def _range(haircut: object, margin: object, controls: Sequence[Control] = controls
                   ) -> tuple[float, dict[float, str]]:
            high = leverage_max(controls, haircut, margin)
            return high, leverage_marks(controls, high)

        app.callback(Output(control_id(panel, "leverage"), "max"),
                     Output(control_id(panel, "leverage"), "marks"),
                     Input(control_id(panel, "haircut_pct"), "value"),
                     Input(control_id(panel, "margin_pct"), "value"))(_range)

    @app.callback(*loop_outputs("basis"),
                  Output(control_id("basis", "capital_bn"), "disabled"),
                  Input("scen-basis-from-store", "value"), *_inputs("basis", BASIS_CONTROLS),
                  prevent_initial_call=True)
    def _update_basis(toggle: list[str] | None, *values: object) -> tuple[Any, ...]:
        from_store = bool(toggle) and "store" in (toggle or [])
        try:
            data = ctx.data()
        except StoreError as exc:
            return (*_store_error(exc, 6, "basis"), from_store)
        view = basis_view(data, from_store=from_store,
                          values=dict(zip(basis_names, values, strict=True)))
        return (*view, from_store)

    @app.callback(*loop_outputs("swap"), *_inputs("swap", SWAP_CONTROLS),
                  prevent_initial_call=True)
    def _update_swap(*values: object) -> tuple[Any, ...]:
        try:
            data = ctx.data()
        except StoreError as exc:
            return _store_error(exc, 6, "swap")
        return tuple(swap_view(data, values=dict(zip(swap_names, values, strict=True))))

    @app.callback(Output("scen-mtg-error", "children"), Output("scen-mtg-headline", "children"),
                  Output("scen-mtg-chart", "figure"), Output("scen-mtg-buckets", "children"),
                  Output("scen-mtg-assumptions", "children"),
                  *_inputs("mtg", MORTGAGE_CONTROLS),
                  prevent_initial_call=True)
    def _update_mortgage(*values: object) -> tuple[Any, ...]:
        try:
            data = ctx.data()
        except StoreError as exc:
            return _store_error(exc, 5, "mtg")
        return tuple(mortgage_view(data, values=dict(zip(mtg_names, values, strict=True))))
