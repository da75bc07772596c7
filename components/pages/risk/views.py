"""Risk page views: data and typed inputs in, Dash components and figures out (no callback wiring).

Each view is what one callback shows: :func:`bond_view`, :func:`stress_view`, :func:`book_view`,
:func:`book_pnl_view`. An input they cannot use withdraws the results it invalidates
(:func:`withdrawn`, :func:`failed_bond`, :func:`failed_pnl`). The bounded caches of pricers and
priced books live here too.
"""

from __future__ import annotations

import hashlib
import math
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple

import numpy as np
import pandas as pd
from dash import html

from analytics.bonds import (
    DEFAULT_FREQUENCY,
    price_from_yield,
    yield_from_price,
)
from analytics.curves import (
    ZeroCurve,
    bootstrap_par_curve,
    flat_curve,
    par_yields_on,
)
from analytics.hullwhite import HullWhiteParams
from analytics.muni import (
    de_minimis_threshold_price,
)
from analytics.portfolio import (
    HistoricalReplay,
    ParallelShock,
    Position,
    PricedPortfolio,
    Scenario,
    scenario_curve,
)
from analytics.risk import (
    Anchor,
    InstrumentValuer,
    PortfolioRisk,
    RiskReport,
    bond_risk,
    futures_hedges,
    krd_first_order_change,
)
from analytics.tenors import KEY_TENORS
from components import figures
from components.figures_risk import (
    KRD_HEIGHT,
    PNL_HEIGHT,
    PROFILE_HEIGHT,
    SWEEP_HEIGHT,
    Figure,
    krd_figure,
    pnl_figure,
    price_shift_figure,
    shock_profile_figure,
)
from components.kit import mode_label
from components.memo import Memo
from components.pages.risk.inputs import (
    _FUTURES_NAME,
    BOOK_CACHE_SIZE,
    FACE_PER_MM_USD,
    MAX_POSITIONS,
    PROFILE_MATURITIES,
    SWEEP_RANGE_BP,
    SWEEP_STEP_BP,
    SWEEP_STEP_TREE_BP,
    VALUER_CACHE_SIZE,
    BondSpec,
    FieldError,
    StressShock,
    _build,
    _capital,
    read_bond_inputs,
)
from components.theme import BAD, DEMO, GOOD, GRID, MUTED, WARN
from components.widgets import error_box, note, parse_as_of, simple_table, tile, tiles
from data.market import MarketData
from data.portfolio import (
    BookTooLarge,
    PortfolioFile,
    check_book_text,
    parse_portfolio,
)


class ValuerCache(Memo[BondSpec, InstrumentValuer]):
    """Pricers by bond terms: a callable's Hull-White lattice is built once and reused by the
    risk, the sweep and every slider move."""

    def __init__(self, size: int = VALUER_CACHE_SIZE) -> None:
        super().__init__(size)

    def valuer(self, spec: BondSpec) -> InstrumentValuer:
        return self.get(spec, lambda: InstrumentValuer(spec.instrument(), params=spec.params()))


def _valuer(spec: BondSpec, cache: ValuerCache | None) -> InstrumentValuer:
    if cache is not None:
        return cache.valuer(spec)
    return InstrumentValuer(spec.instrument(), params=spec.params())


def _store_curve(yields: pd.DataFrame, as_of: str | None, field_name: str) -> tuple[ZeroCurve, pd.Timestamp]:
    if yields.empty:
        raise FieldError(field_name, "The store has no Treasury yields: import DGS* files or run "
                                     "`tsm refresh`, or use the flat curve")
    try:
        when = parse_as_of(as_of)
    except ValueError as exc:
        raise FieldError(field_name, _capital(str(exc))) from None
    day, par = _build(lambda: par_yields_on(yields, when), field_name)
    return _build(lambda: bootstrap_par_curve(par), field_name), day


def withdrawn(id_: str) -> html.Div:
    """What replaces a result that an invalid input invalidates: an old result left on screen
    would read as the answer to the new input."""
    return html.Div("No result for these inputs (see the message).", id=id_,
                    className="results-withdrawn")


def _no_chart(title: str, height: int, message: str = "No result: fix the input (see the message).") -> Figure:
    return figures.empty(message, title=title, height=height)


class BondView(NamedTuple):
    """Outputs of the bond panel. ``errors`` maps a field ("" = the panel) to its message; when
    it is not empty the results are withdrawn (see :func:`failed_bond`)."""

    errors: Mapping[str, str]
    summary: Any
    krd: Any
    sweep: Any
    spec: Any
    curve_note: Any


def failed_bond(errors: Mapping[str, str]) -> BondView:
    """The bond panel for inputs it cannot price: the messages, no summary, empty charts and no
    stored bond (so the stress tiles are withdrawn too)."""
    return BondView(dict(errors), withdrawn("risk-bond-withdrawn"),
                    _no_chart("Key-rate durations", KRD_HEIGHT),
                    _no_chart("Price vs parallel shift (-300..+300 bp)", SWEEP_HEIGHT), None, "")


def sweep_shifts_bp(spec: BondSpec) -> np.ndarray:
    """Parallel shifts of the price chart, bp: every 5 bp, every 25 bp for tree-priced bonds."""
    step = SWEEP_STEP_TREE_BP if spec.is_callable else SWEEP_STEP_BP
    lo, hi = SWEEP_RANGE_BP
    return np.arange(lo, hi + step / 2.0, step)


def threshold_crossing_bp(shifts_bp: Sequence[float], prices: Sequence[float],
                          threshold: float) -> float | None:
    """The first shift (bp, going up from 0) whose price is below ``threshold``, if the price at 0
    is at or above it; None otherwise."""
    shifts = np.asarray(shifts_bp, dtype=float)
    below = np.asarray(prices, dtype=float) < threshold
    at_zero = np.flatnonzero(shifts == 0.0)
    if at_zero.size == 0 or below[at_zero[0]]:
        return None
    after = np.flatnonzero(below & (shifts > 0.0))
    return float(shifts[after[0]]) if after.size else None


def _fmt(value: float | None, decimals: int = 4, unit: str = "") -> str:
    if value is None or not math.isfinite(value):
        return "-"
    return f"{round(value, decimals) + 0.0:,.{decimals}f}{unit}"  # + 0.0: never "-0.00"


def _whole(value: float) -> str:
    """USD amounts in tables: thousands separators, no decimals, never "-0"."""
    return _fmt(value, 0)


def _workout_text(report: RiskReport, spec: BondSpec) -> str:
    years = report.workout_years if report.workout_years is not None else spec.maturity_years
    at = "maturity" if years >= spec.maturity_years - 1e-9 else "a call"
    return f"street, workout in {years:g} years ({at})"


def ytw_warning(report: RiskReport, quote_kind: str) -> str:
    """The warning a callable quoted by yield needs: the yield was read to maturity
    (bullet-equivalent) while the price's yield to worst is lower (as `tsm risk` warns)."""
    ytw, workout = report.yield_to_worst_pct, report.workout_years
    if quote_kind != "yield" or ytw is None or workout is None or not ytw < report.yield_pct - 1e-9:
        return ""
    return (f"The yield was read as yield to maturity (bullet-equivalent); this price's yield to "
            f"worst is {ytw:.4f}% to the call in {workout:g} years.")


def _summary(report: RiskReport, spec: BondSpec, quote_kind: str) -> html.Div:
    """The measures table, the shift convention and, for a callable quoted by yield, the
    yield-to-maturity warning."""
    warning = ytw_warning(report, quote_kind)
    return html.Div([
        _summary_table(report, spec, quote_kind),
        html.P(f"Shifts move the {report.shift_convention}: a bullet's effective duration equals "
               "its modified duration.", id="risk-shift-convention", className="note",
               style={"color": MUTED}),
        html.Div(warning, id="risk-ytw-warning", role="status",
                 style={"borderLeft": f"3px solid {WARN}", "padding": "4px 8px", "fontSize": "13px"})
        if warning else None,
    ])


def _summary_table(report: RiskReport, spec: BondSpec, quote_kind: str) -> html.Table:
    rows: list[tuple[str, str, str]] = [
        ("price (clean)", _fmt(report.price_clean), "per 100" + (" (given)" if quote_kind == "price" else "")),
        ("accrued interest", _fmt(report.accrued), "per 100"),
        ("yield", _fmt(report.yield_pct, 4, "%"),
         "street" + (", bullet-equivalent" if spec.is_callable else "")
         + (", pre-tax" if spec.is_muni else "") + (" (given)" if quote_kind == "yield" else "")),
    ]
    if report.yield_to_worst_pct is not None:
        rows.append(("yield to worst", _fmt(report.yield_to_worst_pct, 4, "%"), _workout_text(report, spec)))
    if report.oas_bp is not None:
        rows.append(("OAS", _fmt(report.oas_bp, 2, " bp"), "over the Hull-White tree"))
    else:
        rows.append(("z-spread over the curve", _fmt(report.spread_bp, 2, " bp"),
                     "before tax" if spec.is_muni else "continuous"))
    rows += [
        ("modified duration", _fmt(report.modified_duration), "years, own yield, ignores options"),
        ("effective duration", _fmt(report.effective_duration), f"years, curve +/-{report.shift_bp:g} bp"),
        ("convexity", _fmt(report.convexity, 2), "years^2"),
        ("up-duration", _fmt(report.up_duration), f"years, curve +{report.shift_bp:g} bp"),
        ("down-duration", _fmt(report.down_duration), f"years, curve -{report.shift_bp:g} bp"),
        ("sum of key-rate durations", _fmt(report.krd_sum), "years"),
    ]
    if spec.is_muni:
        threshold = de_minimis_threshold_price(spec.maturity_years)
        rows.append(("de minimis threshold", _fmt(threshold, 2), "price per 100 (100 - 0.25 x full years)"))
        rows.append(("tax rate on the discount", _fmt((report.tax_rate or 0.0) * 100.0, 0, "%"),
                     "at the base price"))
    return simple_table("risk-bond-table", ["measure", "value", "unit / note"], rows)


def bond_view(
    data: MarketData | None, values: Mapping[str, object], *, cache: ValuerCache | None = None
) -> BondView:
    """Outputs of the bond panel for the controls' ``values`` (by field name).

    ``data`` is only read for the store curve (None is fine for a flat curve).
    """
    try:
        inputs = read_bond_inputs(values)
        spec = inputs.spec
        # A lattice that cannot be built (its rates overflow) is the volatility's to fix.
        val = _build(lambda: _valuer(spec, cache), "vol")
        bullet = val.bullet
        if inputs.quote_kind == "yield":
            price = _build(lambda: price_from_yield(bullet, inputs.quote), "quote")
        else:
            price = inputs.quote
        if inputs.curve_kind == "flat":
            own = _build(lambda: yield_from_price(bullet, price), "quote") \
                if inputs.quote_kind == "price" else inputs.quote
            curve = _build(lambda: flat_curve(own, frequency=DEFAULT_FREQUENCY), "quote")
            curve_text: Any = f"Curve: flat at the bond's own yield {own:.4f}% (semiannual)."
        else:
            if data is None:
                raise FieldError("curve_kind", "The store curve needs the store's data")
            curve, day = _store_curve(data.yields, inputs.curve_date, "curve_date")
            curve_text = html.Span([f"Curve: the store's CMT curve of {day:%Y-%m-%d}, bootstrapped "
                                    "(", mode_label(data), ")."])
        anchor = _build(lambda: val.anchor(curve, price_clean=price), "quote")
        report = _build(lambda: bond_risk(val.instrument, curve, anchor=anchor, valuer=val,
                                          shift_bp=inputs.shift_bp), "shift")
        shifts = sweep_shifts_bp(spec)
        # One pass for the whole sweep (one backward induction for a callable).
        prices = val.price_many([scenario_curve(curve, ParallelShock(shift_bp=float(s)))
                                 for s in shifts], anchor).tolist()
    except FieldError as exc:
        return failed_bond({exc.field: str(exc)})
    krd = krd_figure(dict(report.krd), effective_duration=report.effective_duration,
                     krd_sum=report.krd_sum)
    threshold = de_minimis_threshold_price(spec.maturity_years) if spec.is_muni else None
    sweep = price_shift_figure(
        shifts.tolist(), prices, base_price=report.price_clean, base_dirty=report.price_dirty,
        effective_duration=report.effective_duration, threshold_price=threshold,
        call_price=spec.call_price if spec.is_callable else None,
        crossing_bp=threshold_crossing_bp(shifts.tolist(), prices, threshold) if threshold is not None else None,
        title="Price vs parallel shift (-300..+300 bp)",
    )
    stored = {
        "bond": spec.to_json(),
        "curve": {"times": curve.times_years.tolist(), "zeros": curve.zero_rates.tolist()},
        "anchor": {"spread_bp": anchor.spread_bp, "tax_regime": anchor.tax_regime},
        "price_clean": report.price_clean,
        "price_dirty": report.price_dirty,
        "effective_duration": report.effective_duration,
        "krd": dict(report.krd),
        "describe": spec.describe(),
    }
    return BondView({}, _summary(report, spec, inputs.quote_kind), krd, sweep, stored,
                    curve_text)


class StressView(NamedTuple):
    """Outputs of the stress panel: error, the P&L tiles, the shock-profile chart."""

    error: Any
    tiles: Any
    profile: Any


def _usd(value: float, *, sign: bool = True, decimals: int = 0) -> str:
    value = round(value, decimals) + 0.0  # no "-0"
    return f"USD {value:{'+' if sign else ''},.{decimals}f}"


def _curve_of(stored: Mapping[str, Any]) -> ZeroCurve:
    curve = stored["curve"]
    return ZeroCurve(np.asarray(curve["times"], dtype=float), np.asarray(curve["zeros"], dtype=float))


def stress_view(stored: Mapping[str, Any] | None, shock: StressShock | Exception, *,
                cache: ValuerCache | None = None) -> StressView:
    """P&L of the bond of the panel (``stored``: the bond panel's spec) under the shock.

    ``shock`` may be the ValueError :func:`read_stress` raised; it is then shown as the
    message and the tiles and the chart are withdrawn (they would answer another shock).
    """
    if isinstance(shock, Exception):
        return StressView(error_box(_capital(str(shock)), id_="risk-stress-error-msg"),
                          withdrawn("risk-stress-withdrawn"),
                          _no_chart("Shock by maturity", PROFILE_HEIGHT, "No shock: fix the slider value."))
    profile = shock_profile_figure(PROFILE_MATURITIES, shock.profile_bp(PROFILE_MATURITIES).tolist(),
                                   title=f"Shock by maturity: {shock.describe()}")
    if not stored:
        return StressView(error_box("Fix the bond inputs above first: no bond to revalue.",
                                    id_="risk-stress-error-msg"), withdrawn("risk-stress-withdrawn"),
                          profile)
    try:
        spec = BondSpec.from_json(stored["bond"])
        val = _valuer(spec, cache)
        curve = _curve_of(stored)
        anchor = Anchor(spread_bp=float(stored["anchor"]["spread_bp"]),
                        tax_regime=stored["anchor"]["tax_regime"])
        base = val.price(curve, anchor)
        new = val.price(scenario_curve(curve, shock.scenario()), anchor) if not shock.is_zero else base
    except ValueError as exc:
        return StressView(error_box(_capital(str(exc)), id_="risk-stress-error-msg"),
                          withdrawn("risk-stress-withdrawn"), profile)
    change = new - base
    dirty = base + val.bullet.accrued
    krd = stored.get("krd", {})
    shifts = shock.key_shifts_bp()
    first_order = krd_first_order_change(dirty, {k: float(v) for k, v in krd.items()}, shifts)
    colour = BAD if change < 0 else GOOD if change > 0 else GRID
    pnl_tiles = tiles(min_width_px=190, items=[
        tile("Price change (clean, per 100)", f"{change:+.4f}",
              f"{base:.4f} -> {new:.4f} ({change / dirty:+.2%} of the dirty price)",
              id_="risk-stress-dprice", colour=colour),
        tile("P&L per USD 1mm face", _usd(change / 100.0 * FACE_PER_MM_USD),
              f"long {spec.describe()}", id_="risk-stress-pnl", colour=colour),
        tile("First-order estimate from the KRDs", _usd(first_order / 100.0 * FACE_PER_MM_USD),
              "- dirty x sum(KRD x shift); the gap is convexity / options / tax",
              id_="risk-stress-estimate"),
    ])
    return StressView("", pnl_tiles, profile)


@dataclass(frozen=True, eq=False)
class PricedBook:
    """A parsed and priced portfolio file.

    Attributes
    ----------
    parsed : positions of the good rows and the row errors.
    book : the positions priced off the curve (None when no row is good or pricing failed).
    day : date of the store curve (also the settlement date of dated maturities).
    error : a whole-book problem (a position whose price cannot be matched, no curve...).
    source : the file's name, for messages.

    :attr:`risk` (durations, key rates, hedges) is computed on first use, once: the P&L panel
    needs only the priced book, so at a new date it does not wait for the positions table.
    """

    parsed: PortfolioFile
    book: PricedPortfolio | None
    day: pd.Timestamp | None
    error: str = ""
    source: str = ""
    _risk: list[tuple[PortfolioRisk | None, str]] = field(default_factory=list, init=False, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, init=False, repr=False)

    @property
    def risk(self) -> PortfolioRisk | None:
        """Per-position and aggregated risk (None when nothing is priced or the risk failed)."""
        return self._risk_and_error()[0]

    @property
    def problem(self) -> str:
        """The whole-book problem: the pricing's, else the risk's (computing the risk)."""
        return self.error or self._risk_and_error()[1]

    def _risk_and_error(self) -> tuple[PortfolioRisk | None, str]:
        with self._lock:
            if not self._risk:
                if self.book is None:
                    self._risk.append((None, ""))
                else:
                    try:
                        self._risk.append((self.book.risk(), ""))
                    except ValueError as exc:
                        self._risk.append((None, f"{self.source}: {exc}"))
            return self._risk[0]


class BookCache(Memo[tuple[str, str, str, int], PricedBook]):
    """Priced portfolios by (content hash, file name, curve date, store revision): a refresh
    reprices the book on the new curve."""

    def __init__(self, size: int = BOOK_CACHE_SIZE) -> None:
        super().__init__(size)


#: Valuers of book positions by (instrument, model settings): a callable's lattice does not
#: depend on the curve, so a book priced on another date reuses it (a few MB each at most).
_BOOK_VALUERS: Memo[tuple[Any, HullWhiteParams], InstrumentValuer] = Memo(64)


def _book_valuer(position: Position) -> InstrumentValuer:
    return _BOOK_VALUERS.get((position.instrument, position.params),
                             lambda: InstrumentValuer(position.instrument, params=position.params))


def price_book(text: str, source: str, yields: pd.DataFrame, as_of: str | None) -> PricedBook:
    """Parse ``text`` and price its good rows off the store curve of ``as_of``.

    Rows with errors are listed and left out; the other rows are priced.
    """
    empty_file = PortfolioFile(positions=(), errors=())
    try:
        check_book_text(text, source=source)  # limits before any row is parsed, on every path
    except BookTooLarge as exc:
        return PricedBook(empty_file, None, None, str(exc))
    try:
        curve, day = _store_curve(yields, as_of, "pf")
    except FieldError as exc:
        return PricedBook(empty_file, None, None, str(exc))
    parsed = parse_portfolio(text, source=source, settlement=day.date())
    if not parsed.positions:
        return PricedBook(parsed, None, day)
    if len(parsed.positions) > MAX_POSITIONS:
        return PricedBook(parsed, None, day,
                          f"{source}: {len(parsed.positions)} positions; at most {MAX_POSITIONS} are priced here "
                          "(use `tsm risk --portfolio` for larger books)")
    try:
        book = PricedPortfolio(parsed.positions, curve, valuer=_book_valuer)
    except ValueError as exc:
        return PricedBook(parsed, None, day, f"{source}: {exc}")
    return PricedBook(parsed, book, day, source=source)


def _book(cache: BookCache | None, text: str, source: str, yields: pd.DataFrame,
          as_of: str | None, revision: int = -1) -> PricedBook:
    if cache is None:
        return price_book(text, source, yields, as_of)
    key = (hashlib.sha256(text.encode()).hexdigest(), source, str(as_of), revision)
    return cache.get(key, lambda: price_book(text, source, yields, as_of))


class BookView(NamedTuple):
    """Outputs of the portfolio panel: row errors, the positions table, totals, hedges."""

    errors: Any
    positions: Any
    totals: Any
    hedges: Any


def _bold(cells: Sequence[str]) -> list[Any]:
    """A totals row: every non-empty cell in bold."""
    return [html.Strong(c) if c else c for c in cells]


def _row_errors(priced: PricedBook) -> Any:
    items: list[Any] = []
    if priced.problem:
        items.append(html.Li(priced.problem))
    items += [html.Li(str(e)) for e in priced.parsed.errors]
    if not items:
        return ""
    skipped = (f"{len(priced.parsed.errors)} row problem(s): those rows are left out"
               + (f"; {len(priced.parsed.positions)} good row(s) priced." if priced.book else "."))
    return html.Div([html.Strong(skipped if priced.parsed.errors else "The book cannot be priced"),
                     html.Ul(items, id="risk-pf-error-list", style={"margin": "4px 0 0 0"})],
                    className="error-box", role="alert")


def _hedges_table(risk: PortfolioRisk, futures_dv01_usd: Mapping[str, float] | Exception | None) -> Any:
    try:
        if isinstance(futures_dv01_usd, Exception):
            raise futures_dv01_usd
        hedges = futures_hedges(risk.krd_dv01_usd, futures_dv01_usd=futures_dv01_usd)
    except ValueError as exc:
        message = str(exc)
        for key, label in _FUTURES_NAME.items():
            # "futures_dv01_usd['UST_2Y'] must be ..." -> "2-Year T-Note (TU) DV01 must be ..."
            message = message.replace(f"futures_dv01_usd[{key!r}]", f"{label} DV01 per contract")
        return error_box(_capital(message), id_="risk-pf-hedge-error")
    rows = [
        [h.bucket, _whole(h.bucket_dv01_usd), _FUTURES_NAME.get(h.contract_key, h.contract_key),
         _fmt(h.contract_dv01_usd, 2), _fmt(h.hedge_ratio, 1)]
        for h in hedges
    ]
    return html.Div([
        simple_table("risk-pf-hedges", ["bucket", "KRD DV01 USD/bp", "future",
                                        "DV01 per contract USD", "contracts to sell"], rows),
        note("Hedge ratio = bucket DV01 / futures DV01 per contract (editable above; defaults "
             "from analytics.tenors.TREASURY_FUTURES); negative: buy. Not rounded to whole "
             "contracts."),
    ])


def book_view(priced: PricedBook, data: MarketData,
              futures_dv01_usd: Mapping[str, float] | Exception | None = None) -> BookView:
    """Tables of a priced book (positions with KRD DV01 buckets, totals, futures hedges).

    ``futures_dv01_usd`` overrides the default DV01 per contract (by contract key); a
    ValueError from :func:`read_futures_dv01` is shown in place of the hedge table.
    """
    errors = _row_errors(priced)
    risk = priced.risk
    if risk is None or priced.day is None:
        waiting = note("No position to show." if priced.parsed.errors or priced.problem else "")
        return BookView(errors, waiting, "", "")
    headers = ["id", "kind", "face USD", "price", "yield %", "spread/OAS bp", "eff dur", "MV USD",
               "DV01 USD/bp", *[f"{k} DV01" for k in KEY_TENORS]]
    rows = [
        [p.position_id, p.report.kind, _whole(p.face_usd), _fmt(p.report.price_clean, 3),
         _fmt(p.report.yield_pct, 3), _fmt(p.report.spread_bp, 1), _fmt(p.report.effective_duration, 2),
         _whole(p.market_value_usd), _whole(p.dv01_usd), *[_whole(p.krd_dv01_usd[k]) for k in KEY_TENORS]]
        for p in risk.positions
    ]
    rows.append(_bold(["total", "", "", "", "", "", _fmt(risk.effective_duration, 2),
                       _whole(risk.market_value_usd), _whole(risk.dv01_usd),
                       *[_whole(risk.krd_dv01_usd[k]) for k in KEY_TENORS]]))
    table = html.Div(simple_table("risk-pf-table", headers, rows), style={"overflowX": "auto"})
    totals = tiles(min_width_px=190, items=[
        tile("Market value (dirty)", _usd(risk.market_value_usd, sign=False), id_="risk-pf-mv"),
        tile("DV01", f"{_usd(risk.dv01_usd, sign=False)}/bp", "gain for a 1 bp parallel fall",
              id_="risk-pf-dv01"),
        tile("Effective duration", f"{risk.effective_duration:.2f} years", id_="risk-pf-duration"),
        tile("Curve", f"{priced.day:%Y-%m-%d}",
              ("DEMO (synthetic) " if data.is_demo else "") + "store CMT curve; settlement of "
              "dated maturities", id_="risk-pf-curve-date",
              colour=DEMO if data.is_demo else GRID),
    ])
    hedges = _hedges_table(risk, futures_dv01_usd)
    return BookView(errors, table, totals, hedges)


class PnlView(NamedTuple):
    """Outputs of the portfolio P&L: replay-date error, the P&L table, the P&L chart."""

    error: Any
    table: Any
    figure: Any


def failed_pnl(message: str) -> PnlView:
    """The P&L for inputs it cannot use: the message, no table, an empty chart."""
    return PnlView(error_box(message, id_="risk-pnl-error-msg"), withdrawn("risk-pnl-withdrawn"),
                   _no_chart("P&L by position", PNL_HEIGHT))


def _replay(yields: pd.DataFrame, start: str | None, end: str | None) -> HistoricalReplay:
    if not start or not end:
        raise ValueError("Replay dates are empty: pick a start and an end date")
    s_day, s_par = par_yields_on(yields, parse_as_of(start))
    e_day, e_par = par_yields_on(yields, parse_as_of(end))
    if s_day >= e_day:
        raise ValueError(f"Replay start ({s_day:%Y-%m-%d}) must be before its end ({e_day:%Y-%m-%d})")
    return HistoricalReplay(start_par_pct=s_par, end_par_pct=e_par,
                            label=f"{s_day:%Y-%m-%d}..{e_day:%Y-%m-%d}")


def book_pnl_view(priced: PricedBook | None, yields: pd.DataFrame, shock: StressShock | Exception,
                  replay_start: str | None, replay_end: str | None) -> PnlView:
    """P&L per position under the sliders' shock and a historical replay of the store.

    A bad replay window is reported and the slider P&L is still shown.
    """
    if priced is None or priced.book is None:
        return PnlView("", note("Upload a portfolio (or load the example) to see its P&L."),
                       figures.empty("No portfolio loaded.", title="P&L by position", height=PNL_HEIGHT))
    if isinstance(shock, Exception):
        return failed_pnl(_capital(str(shock)))
    scenarios: list[Scenario] = [shock.scenario()]
    names = ["sliders"]
    error: Any = ""
    try:
        scenarios.append(_replay(yields, replay_start, replay_end))
        names.append(f"replay {scenarios[-1].label}")  # type: ignore[union-attr]
    except ValueError as exc:
        error = error_box(_capital(str(exc)), id_="risk-pnl-error-msg")
    try:
        pnl = priced.book.scenario_pnl(scenarios)
    except ValueError as exc:
        return failed_pnl(_capital(str(exc)))
    ids = [p.position_id for p in priced.book.positions]
    columns: dict[str, list[float]] = {}
    for name, (_, group) in zip(names, pnl.groupby("scenario", sort=False), strict=True):
        columns[name] = [float(v) for v in group["pnl_usd"]]
    headers = ["id", *[f"P&L USD, {n}" for n in names]]
    rows = [[pid, *[_usd(columns[n][i]) for n in names]] for i, pid in enumerate(ids)]
    rows.append(_bold(["total", *[_usd(sum(columns[n])) for n in names]]))
    table = html.Div([
        simple_table("risk-pnl-table", headers, rows),
        note(f"Sliders: {shock.describe()}. Replay: the store's zero-curve change between the two "
             "dates added to today's curve. Instantaneous revaluation, spreads (and muni tax "
             "regimes) held; no carry or roll-down."),
    ])
    return PnlView(error, table, pnl_figure(ids, columns, title="P&L by position, USD"))
