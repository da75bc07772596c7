"""Scenarios: the forced-selling sliders of DOMAIN.md section 7.

Three panels, each one model of :mod:`analytics.forced_selling` or :mod:`analytics.mortgage`:

* basis-trade doom loop, sized from the inputs or from the latest leveraged-fund net short
  in Treasury futures in the store (CFTC positions);
* swap-spread unwind (the same loop with the swap-spread trade's haircut, margin, duration);
* mortgage convexity hedging: CPR, duration extension and the hedgers' 10y-equivalent flow,
  with the flow swept over shocks.

The package: :mod:`.inputs` (controls and readers), :mod:`.views` (view functions),
:mod:`.layout`, :mod:`.callbacks`; figure builders are in :mod:`components.figures_scenarios`.

Each callback is a thin wrapper around a pure function (:func:`basis_view`,
:func:`swap_view`, :func:`mortgage_view`) that reads the controls into the models' frozen
dataclasses (which validate their ranges), runs the model and builds the outputs. A bad input
(an emptied box, an absurd number, an inconsistent combination) is shown as a readable message
under the controls and the results it invalidates are withdrawn ("No result for these
inputs", an empty chart, no table). Next to each panel's results: the model assumptions they
rest on (:func:`analytics.assumptions.assumptions_table`), the values the user changed marked.
The leverage slider's range follows the haircut and margin: the models refuse leverage above
1 / (haircut + margin).
"""

from __future__ import annotations

from components.pages.scenarios.callbacks import (
    register,
)
from components.pages.scenarios.inputs import (
    BASIS_CONTROLS,
    DEFAULT_SHOCK_BP,
    LABEL,
    MAX_ROUNDS_SHOWN,
    MORTGAGE_CONTROLS,
    PATH,
    SWAP_CONTROLS,
    SWEEP_SHOCKS_BP,
    Control,
    control_id,
    leverage_marks,
    leverage_max,
)
from components.pages.scenarios.layout import (
    URL_STATE,
    layout,
)
from components.pages.scenarios.views import (
    LoopView,
    MortgageView,
    RateDefault,
    assumptions_view,
    basis_view,
    mortgage_rate_default,
    mortgage_view,
    store_short,
    swap_view,
    ten_year_yield,
)

__all__ = [
    "URL_STATE",
    "PATH",
    "LABEL",
    "Control",
    "BASIS_CONTROLS",
    "SWAP_CONTROLS",
    "MORTGAGE_CONTROLS",
    "DEFAULT_SHOCK_BP",
    "SWEEP_SHOCKS_BP",
    "MAX_ROUNDS_SHOWN",
    "LoopView",
    "MortgageView",
    "RateDefault",
    "control_id",
    "leverage_max",
    "leverage_marks",
    "assumptions_view",
    "store_short",
    "mortgage_rate_default",
    "ten_year_yield",
    "basis_view",
    "swap_view",
    "mortgage_view",
    "layout",
    "register",
]
