"""Risk: what happens to our book if rates move X? (DOMAIN.md section 6.)

Three panels on the risk engine of :mod:`analytics.risk` and :mod:`analytics.portfolio`:

1. **Bond**: one bullet, callable and/or muni priced from a clean price or a street yield off a
   flat curve at the bond's own yield or the store's CMT curve of a date (bootstrapped, as
   ``tsm risk`` does): price, yield, OAS, durations, convexity, up/down durations, the eight
   key-rate durations and the price against a parallel shift of -300..+300 bp.
2. **Stress sliders**: a parallel shift, a twist around 5 years and one slider per key rate.
   The three are added into one set of key-rate shifts (:class:`StressShock`): the twist
   profile is piecewise linear with its knots at key tenors (1, 5 and 30 years), so it is
   exactly a combination of the triangular key-rate profiles, and a parallel shift is all
   eight at once. The bond is revalued on the shocked curve with its spread (and muni tax
   regime) held, reusing one pricer (one Hull-White lattice for callables) per bond.
3. **Portfolio**: a CSV upload (docs/portfolio_format.md) parsed with row-level errors, priced
   off the store curve of a date: positions, key-rate DV01, futures hedges, and the P&L under
   the sliders and under a historical replay between two dates of the store.

The package: :mod:`.inputs` (typed inputs and readers), :mod:`.views` (view functions and
caches), :mod:`.layout`, :mod:`.callbacks`; figure builders are in :mod:`components.figures_risk`,
the pricing maths in :mod:`analytics` (the twist as key-rate shifts: :func:`analytics.curves.combined_key_shifts_bp`).

Each callback is a thin wrapper around a view function (:func:`bond_view`, :func:`stress_view`,
:func:`book_view`, :func:`book_pnl_view`) that reads the controls into frozen dataclasses,
calls the analytics and builds the outputs. A bad input never raises: its ValueError message
is shown next to the control and the results it invalidates are withdrawn ("No result for
these inputs", empty charts), never left on screen as if they answered the new input.

Caches: the lattices of callables and the priced portfolios are memoised per app (created in
:func:`register`, bounded, keyed by the bond's terms or the file's content hash); they hold
computations, not user state, and a miss only recomputes.
"""

from __future__ import annotations

from components.pages.risk.callbacks import (
    register,
)
from components.pages.risk.inputs import (
    BOND_FIELDS,
    DEFAULT_INPUTS,
    DEFAULT_REPLAY_DATES,
    EXAMPLE_PORTFOLIO,
    FACE_PER_MM_USD,
    KEY_RATE_RANGE_BP,
    LABEL,
    MAX_UPLOAD_BYTES,
    PARALLEL_RANGE_BP,
    PATH,
    PROFILE_MATURITIES,
    SWEEP_RANGE_BP,
    TWIST_RANGE_BP,
    BondInputs,
    BondSpec,
    FieldError,
    StressShock,
    decode_upload,
    default_replay_dates,
    read_bond_inputs,
    read_futures_dv01,
    read_stress,
)
from components.pages.risk.layout import (
    URL_STATE,
    layout,
)
from components.pages.risk.views import (
    BondView,
    BookCache,
    BookView,
    PnlView,
    PricedBook,
    StressView,
    ValuerCache,
    bond_view,
    book_pnl_view,
    book_view,
    failed_bond,
    failed_pnl,
    price_book,
    stress_view,
    sweep_shifts_bp,
    threshold_crossing_bp,
    withdrawn,
    ytw_warning,
)
from components.pages.risk.views import _book as _book  # the tests' cache helper

__all__ = [
    "URL_STATE",
    "MAX_UPLOAD_BYTES",
    "PROFILE_MATURITIES",
    "PATH",
    "LABEL",
    "BOND_FIELDS",
    "DEFAULT_INPUTS",
    "SWEEP_RANGE_BP",
    "PARALLEL_RANGE_BP",
    "TWIST_RANGE_BP",
    "KEY_RATE_RANGE_BP",
    "FACE_PER_MM_USD",
    "DEFAULT_REPLAY_DATES",
    "EXAMPLE_PORTFOLIO",
    "FieldError",
    "BondSpec",
    "BondInputs",
    "read_bond_inputs",
    "StressShock",
    "read_stress",
    "ValuerCache",
    "BookCache",
    "BondView",
    "StressView",
    "BookView",
    "PnlView",
    "PricedBook",
    "bond_view",
    "sweep_shifts_bp",
    "threshold_crossing_bp",
    "stress_view",
    "decode_upload",
    "price_book",
    "default_replay_dates",
    "read_futures_dv01",
    "book_view",
    "book_pnl_view",
    "layout",
    "register",
    "withdrawn",
    "failed_bond",
    "failed_pnl",
    "ytw_warning",
]
