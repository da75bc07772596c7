"""Curve: what did the curve do, and what kind of move was it?

Moves of every spread over 1 day / 1 week / 1 month with their regime and historical
percentile, a spread history with its largest episodes per regime, the curve vs 1 week and
1 month ago, and the level / slope / curvature factors. A "parallel band" input re-classifies
the moves; a "percentile basis" choice (all history, since 2000, rolling 10 years) re-ranks
their percentiles, still look-ahead-free. Everything is read as of the date picked (history
after it is ignored).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, cast

import pandas as pd
from dash import Dash, Input, Output, State, dcc, html, no_update
from dash import ctx as dash_ctx

from analytics.curve import (
    DEFAULT_PARALLEL_BAND_BP,
    DEFAULT_TOP_N,
    EPISODE_REGIMES,
    REGIMES,
    WINDOWS,
    classify_moves,
    curve_as_of,
    episodes_from_moves,
)
from analytics.percentiles import (
    DEFAULT_PERCENTILE_BASIS,
    PERCENTILE_BASES,
    expanding_percentile,
    parse_basis,
)
from analytics.state import MarketState
from analytics.tenors import SPREADS
from components import figures
from components.context import AppContext
from components.figures_beyond import term_premium_split_card
from components.figures_curve import asof_update, factors_figure, history_with_asof
from components.kit import sized_graph
from components.memo import Memo
from components.theme import ACCENT, BAD, GOOD, MUTED
from components.urlstate import Bound, initial_values, read_choice, read_number
from components.widgets import card, note, simple_table
from components.zoom import register_zoom

PATH = "/curve"
LABEL = "Curve"

#: Largest parallel band the page accepts, bp (beyond it nearly every move is "parallel").
MAX_BAND_BP = 50.0
#: Step of the parallel-band input, bp.
BAND_STEP_BP = 0.5
#: Spread shown first in the history chart and the episodes table.
DEFAULT_SPREAD = "2s10s"
#: Default regime and window of the largest-episodes table.
DEFAULT_EPISODE_REGIME = EPISODE_REGIMES[0]
DEFAULT_EPISODE_WINDOW = "1w"
#: Colour per regime: sell-offs warm, rallies cool, parallel grey.
REGIME_COLOURS: dict[str, str] = {
    "bear steepener": BAD,
    "bull steepener": GOOD,
    "bear flattener": "#a64d7f",  # Okabe-Ito reddish purple, darkened for white text
    "bull flattener": ACCENT,
    "parallel": MUTED,
    # Twists: the legs went opposite ways; dashed-looking neutral tones, told apart by name.
    "steepening twist": "#6b5b00",
    "flattening twist": "#3d4f7a",
}
#: Words of each offered percentile basis on the radio.
BASIS_OPTIONS: dict[str, str] = {"all": "all history", "since-2000": "since 2000",
                                 "rolling-10y": "rolling 10 years"}
#: Rule of the regimes, shown under the moves table (analytics.curve's module docstring).
TWIST_RULE = ("Regimes, with ds and dl the short- and long-leg changes and b the parallel band: "
              "|dl - ds| < b is parallel; legs in opposite directions by at least b each are a "
              "twist (ds <= -b and dl >= +b: steepening twist; ds >= +b and dl <= -b: flattening "
              "twist), neither bull nor bear; otherwise a steepener (dl > ds) or flattener is "
              "bear when ds + dl >= 0 (yields up on balance), else bull. A leg that moves less "
              "than b counts as unchanged: 5y -11 bp, 30y +9 bp is a steepening twist, "
              "5y -11 bp, 30y +1 bp with a 2 bp band a bull steepener.")
#: A percentile this close to 0 or 100 is highlighted as extreme.
EXTREME_PERCENTILE = 5.0
#: Column headers of the moves and episodes tables.
MOVE_HEADERS = ("window", "spread", "from", "to", "short leg, bp", "long leg, bp",
                "spread change, bp", "spread now, bp", "regime", "percentile")
EPISODE_HEADERS = ("rank", "from", "to", "short leg, bp", "long leg, bp", "spread change, bp",
                   "percentile")


@dataclass(frozen=True)
class CurveQuery:
    """What the page's controls ask for.

    Attributes
    ----------
    as_of : the date to read as of (None: the last date of the data).
    parallel_band_bp : |spread change| below this is "parallel", bp, in [0, MAX_BAND_BP].
    basis : percentile basis ("all", "since-2000", "rolling-10y", see
        analytics.percentiles.parse_basis).
    """

    as_of: pd.Timestamp | None
    parallel_band_bp: float = DEFAULT_PARALLEL_BAND_BP
    basis: str = DEFAULT_PERCENTILE_BASIS

    def __post_init__(self) -> None:
        band = self.parallel_band_bp
        if not math.isfinite(band) or not 0.0 <= band <= MAX_BAND_BP:
            raise ValueError(
                f"Parallel band must be between 0 and {MAX_BAND_BP:g} bp, got {band:g}."
            )
        try:
            parse_basis(self.basis)
        except ValueError as exc:
            raise ValueError(f"Percentile basis: {exc}") from None

    @property
    def basis_label(self) -> str:
        """Which history the percentiles are ranked against, in words."""
        return parse_basis(self.basis).label

    @classmethod
    def from_inputs(cls, as_of: str | None, band: Any,
                    basis: Any = DEFAULT_PERCENTILE_BASIS) -> CurveQuery:
        """Build from the raw control values; raises ValueError with a readable message."""
        if band is None or isinstance(band, bool) or band == "":
            raise ValueError(f"Parallel band: enter a number of bp between 0 and {MAX_BAND_BP:g}.")
        try:
            band_bp = float(band)
        except (TypeError, ValueError):
            raise ValueError(
                f"Parallel band must be a number of bp between 0 and {MAX_BAND_BP:g}, "
                f"got {band!r}."
            ) from None
        if basis is None or basis == "":
            basis = DEFAULT_PERCENTILE_BASIS
        return cls(as_of=parse_as_of(as_of), parallel_band_bp=band_bp, basis=str(basis))


def parse_as_of(as_of: str | None) -> pd.Timestamp | None:
    """The date picker's value as a Timestamp (None when cleared); ValueError if unreadable."""
    if as_of is None or as_of == "":
        return None
    try:
        return pd.Timestamp(str(as_of)[:10])
    except ValueError:
        raise ValueError(f"As-of date must be a date like 2025-04-11, got {as_of!r}.") from None


def resolve_as_of(yields: pd.DataFrame, as_of: pd.Timestamp | None) -> pd.Timestamp | None:
    """The as-of date to use: the one given, else the last date with yields (None if none)."""
    if as_of is not None:
        return as_of
    return None if yields.empty else pd.Timestamp(yields.index[-1])


# --- moves -------------------------------------------------------------------------------

#: Re-ranked percentile columns per (state, basis, spread, window) for a basis the state does
#: not hold (it holds every offered one): the full-history tables are look-ahead-free, so one
#: computation per data revision serves every as-of date. An entry holds its state, so the
#: state's id is not reused while the entry lives.
_OTHER_BASES: Memo[tuple[int, str, str, str], tuple[MarketState, pd.Series]] = Memo(64)


def basis_percentiles(state: MarketState, spread: str, window: str,
                      basis: str) -> pd.Series | None:
    """Percentile (0-100] of each move of the state's (spread, window) table against the
    basis, look-ahead-free (``analytics.percentiles.expanding_percentile`` of the signed spread
    changes); None when the state has no such table. "all" is the table's own column."""
    table = state.moves.get((spread, window))
    if table is None:
        return None
    name = parse_basis(basis).name
    if name == DEFAULT_PERCENTILE_BASIS:
        return cast(pd.Series, table["percentile"])
    kept = state.percentiles.get((spread, window, name))
    if kept is not None:  # an offered basis: computed with the state, once per revision
        return kept
    def rank() -> tuple[MarketState, pd.Series]:
        return state, expanding_percentile(table["spread_bp"].astype(float), basis=name)

    return _OTHER_BASES.get((id(state), name, spread, window), rank)[1]



def moves_frame(state: MarketState, *, as_of: pd.Timestamp,
                parallel_band_bp: float = DEFAULT_PARALLEL_BAND_BP,
                basis: str = DEFAULT_PERCENTILE_BASIS) -> pd.DataFrame:
    """The last move of every spread over every window, ending on or before ``as_of``: a row
    of each of the state's full-history move tables, re-classified with the band given and
    its percentile ranked against the ``basis`` (:func:`basis_percentiles`).

    Returns
    -------
    DataFrame, one row per (window, spread) in the order of WINDOWS then SPREADS, columns
    ``window``, ``spread``, ``short``, ``long`` (tenor names), ``start_date``, ``end_date``,
    ``short_bp``, ``long_bp``, ``spread_bp`` (changes, bp), ``level_bp`` (the spread on
    ``end_date``, bp), ``regime`` and ``percentile`` (0-100); NaN/None where there is no move
    (and no percentile before a "since" basis starts).
    """
    levels = state.measures.spreads_bp
    rows = []
    for window in WINDOWS:
        for spread, (short, long) in SPREADS.items():
            row: dict[str, Any] = {"window": window, "spread": spread, "short": short,
                                   "long": long, "start_date": pd.NaT, "end_date": pd.NaT,
                                   "short_bp": math.nan, "long_bp": math.nan,
                                   "spread_bp": math.nan, "level_bp": math.nan, "regime": None,
                                   "percentile": math.nan}
            table = state.moves.get((spread, window))
            pos = -1 if table is None else int(table.index.searchsorted(as_of, side="right")) - 1
            if table is not None and pos >= 0:
                move = table.iloc[pos]
                end = pd.Timestamp(table.index[pos])
                ranks = basis_percentiles(state, spread, window, basis)
                pct = math.nan if ranks is None else float(ranks.iloc[pos])
                regime = classify_moves([move["short_bp"]], [move["long_bp"]],
                                        parallel_band_bp=parallel_band_bp)[0]
                row.update(start_date=move["start_date"], end_date=end,
                           short_bp=float(move["short_bp"]), long_bp=float(move["long_bp"]),
                           spread_bp=float(move["spread_bp"]),
                           level_bp=float(cast(float, levels.at[end, spread])),
                           regime=regime, percentile=pct)
            rows.append(row)
    return pd.DataFrame(rows)


def regime_badge(regime: str | None) -> html.Span | str:
    """The regime as a coloured pill (same colours in every table of the page)."""
    if regime is None:
        return "-"
    return html.Span(regime, className="regime", style={
        "backgroundColor": REGIME_COLOURS.get(regime, MUTED), "color": "white",
        "padding": "1px 8px", "borderRadius": "10px", "fontSize": "12px",
        "whiteSpace": "nowrap"})


def _bp(value: float, *, signed: bool = True) -> str:
    if not math.isfinite(value):
        return "-"
    return f"{value:+.1f}" if signed else f"{value:.1f}"


def _day(value: Any) -> str:
    return "-" if pd.isna(value) else pd.Timestamp(value).strftime("%Y-%m-%d")


def _percentile(value: float) -> html.Span | str:
    if not math.isfinite(value):
        return "-"
    extreme = value <= EXTREME_PERCENTILE or value >= 100.0 - EXTREME_PERCENTILE
    return html.Span(f"{value:.1f}", style={"fontWeight": 700} if extreme else None,
                     title="share of same-window changes up to the as-of date that are <= this one")


def moves_table(moves: pd.DataFrame) -> html.Table:
    """The moves frame of :func:`moves_frame` as a table, one coloured regime per row."""
    rows = [
        (r["window"], r["spread"], _day(r["start_date"]), _day(r["end_date"]),
         f"{r['short']} {_bp(r['short_bp'])}", f"{r['long']} {_bp(r['long_bp'])}",
         html.Strong(_bp(r["spread_bp"])), _bp(r["level_bp"], signed=False),
         regime_badge(r["regime"]), _percentile(r["percentile"]))
        for r in moves.to_dict("records")
    ]
    table = simple_table("curve-moves-table", MOVE_HEADERS, rows)
    # A rule between windows keeps the three blocks apart when screen-shared.
    windows = moves["window"].tolist()
    for i, tr in enumerate(table.children[1].children):
        if i and windows[i] != windows[i - 1]:
            tr.style = {"borderTop": "2px solid #8c959f"}
    return table


def regime_legend() -> html.Div:
    return html.Div([regime_badge(r) for r in REGIMES],
                    style={"display": "flex", "gap": "6px", "flexWrap": "wrap"})


# --- spread history and episodes ------------------------------------------------------------


def check_spread(spread: str | None) -> str:
    if spread is None or spread not in SPREADS:
        raise ValueError(f"Spread must be one of {', '.join(SPREADS)}, got {spread!r}.")
    return str(spread)


def spread_history_figure(state: MarketState, spread: str, *,
                          as_of: pd.Timestamp | None) -> dict[str, Any]:
    """History of one spread (bp): the state's downsampled trace, episodes shaded, as-of
    marked."""
    short, long = SPREADS[spread]
    values = state.trace(f"spread:{spread}")
    if values.empty:
        return figures.empty(f"{spread} needs the {short} and {long} yields; none are stored.",
                             title=f"{spread} history")
    return history_with_asof({spread: values}, title=f"{spread} spread ({long} - {short})",
                             y_title="bp", as_of=as_of, zero_line=True)


def episodes_frame(state: MarketState, *, spread: str, regime: str, window: str,
                   as_of: pd.Timestamp, parallel_band_bp: float,
                   basis: str = DEFAULT_PERCENTILE_BASIS) -> pd.DataFrame:
    """Largest episodes of one regime for a spread, history up to ``as_of`` (the state's
    move table cut there and re-classified with the band; percentiles against ``basis``)."""
    if regime not in EPISODE_REGIMES:
        raise ValueError(f"Regime must be one of {', '.join(EPISODE_REGIMES)}, got {regime!r}.")
    if window not in WINDOWS:
        raise ValueError(f"Window must be one of {', '.join(WINDOWS)}, got {window!r}.")
    table = state.moves.get((spread, window))
    moves = table.loc[:as_of] if table is not None else pd.DataFrame()
    if moves.empty:
        return pd.DataFrame(columns=["regime", "rank", "start_date", "end_date", "short_bp",
                                     "long_bp", "spread_bp", "percentile"])
    if parallel_band_bp != DEFAULT_PARALLEL_BAND_BP:
        moves = moves.assign(regime=classify_moves(moves["short_bp"].to_numpy(),
                                                   moves["long_bp"].to_numpy(),
                                                   parallel_band_bp=parallel_band_bp))
    if parse_basis(basis).name != DEFAULT_PERCENTILE_BASIS:
        ranks = basis_percentiles(state, spread, window, basis)
        if ranks is not None:
            moves = moves.assign(percentile=ranks.loc[:as_of])
    episodes = episodes_from_moves(moves, top_n=DEFAULT_TOP_N, min_separation_obs=WINDOWS[window])
    return episodes[episodes["regime"] == regime].reset_index(drop=True)


def episodes_table(episodes: pd.DataFrame) -> html.Table | html.P:
    if episodes.empty:
        return note("No move of this regime in the history up to the as-of date.",
                    id_="curve-episodes-table")
    rows = [
        (int(r["rank"]), _day(r["start_date"]), _day(r["end_date"]), _bp(r["short_bp"]),
         _bp(r["long_bp"]), html.Strong(_bp(r["spread_bp"])), _percentile(r["percentile"]))
        for r in episodes.to_dict("records")
    ]
    return simple_table("curve-episodes-table", EPISODE_HEADERS, rows)


# --- curve and factors ----------------------------------------------------------------------


def comparison_figure(yields: pd.DataFrame, *, as_of: pd.Timestamp | None) -> dict[str, Any]:
    """The curve on the as-of date vs where the 1w and 1m moves start (5 and 21 observations
    back)."""
    title = "Curve: as of vs the start of the 1w and 1m moves"
    if yields.empty or as_of is None:
        return figures.empty("No Treasury yields stored: import DGS* files or run `tsm refresh`.",
                             title=title)
    table = curve_as_of(yields, as_of=as_of).dropna(subset=["date"])
    if table.empty:
        return figures.empty(f"No yields on or before {as_of:%Y-%m-%d}.", title=title)
    names = {"as_of": "as of", "1w": "1w from", "1m": "1m from"}
    curves = {f"{names.get(str(label), label)} ({row['date']:%Y-%m-%d})": row.drop("date")
              .astype(float) for label, row in table.iterrows()}
    fig = figures.curve_comparison(curves, title=title)
    fig["layout"]["height"] = 380
    return fig


def factors_chart(state: MarketState, *, as_of: pd.Timestamp | None) -> dict[str, Any]:
    if state.yields.empty:
        return figures.empty("No Treasury yields stored: import DGS* files or run `tsm refresh`.",
                             title="Level, slope and curvature")
    factors = pd.DataFrame({col: state.trace(f"factor:{col}")
                            for col in ("level_pct", "slope_bp", "curvature_bp")})
    return factors_figure(factors, as_of=as_of)


# --- callbacks as plain functions (tested without a browser) --------------------------------


def basis_caption(query: CurveQuery) -> html.P:
    """The line above the moves table saying which history the percentiles rank against."""
    return html.P([html.Span("Percentiles: ", style={"color": MUTED}),
                   html.Strong(query.basis_label, id="curve-basis-label")],
                  style={"margin": "4px 0"})


def update_moves(ctx: AppContext, as_of: str | None, band: Any,
                 basis: Any = DEFAULT_PERCENTILE_BASIS) -> tuple[Any, Any, Any]:
    """(moves table, band or basis error, curve comparison figure) for the controls' values.

    Bad input leaves the table and chart as they were and returns the message.
    """
    try:
        query = CurveQuery.from_inputs(as_of, band, basis)
    except ValueError as exc:
        return no_update, str(exc), no_update
    state = ctx.state()
    yields = state.yields
    when = resolve_as_of(yields, query.as_of)
    if when is None:
        return note("No Treasury yields stored: import DGS* files or run `tsm refresh`."), "", \
            comparison_figure(yields, as_of=None)
    moves = moves_frame(state, as_of=when, parallel_band_bp=query.parallel_band_bp,
                        basis=query.basis)
    table: Any = moves_table(moves)
    if moves["end_date"].isna().all():
        table = note(f"No moves on or before {when:%Y-%m-%d}: the yields start "
                     f"{yields.index[0]:%Y-%m-%d}.", id_="curve-moves-table")
    return html.Div([basis_caption(query), table]), "", comparison_figure(yields, as_of=when)


def update_history(ctx: AppContext, spread: str | None, as_of: str | None,
                   triggered: str | None) -> Any:
    """Spread history figure; a Patch that only moves the as-of line when only the date
    changed."""
    try:
        when = parse_as_of(as_of)
        name = check_spread(spread)
    except ValueError as exc:
        return figures.empty(str(exc), title="Spread history")
    state = ctx.state()
    fig = spread_history_figure(state, name, as_of=resolve_as_of(state.yields, when))
    return asof_update(fig) if triggered == "app-asof" else fig


def update_episodes(ctx: AppContext, spread: str | None, regime: str | None,
                    window: str | None, as_of: str | None, band: Any,
                    basis: Any = DEFAULT_PERCENTILE_BASIS) -> Any:
    """Largest-episodes table; bad input shows the message in place of the table, except a
    bad band, which the moves card reports (the table is left as it was)."""
    try:
        query = CurveQuery.from_inputs(as_of, band, basis)
    except ValueError:
        return no_update
    try:
        name = check_spread(spread)
        state = ctx.state()
        when = resolve_as_of(state.yields, query.as_of)
        if when is None:
            return note("No Treasury yields stored.", id_="curve-episodes-table")
        episodes = episodes_frame(state, spread=name, regime=str(regime), window=str(window),
                                  as_of=when, parallel_band_bp=query.parallel_band_bp,
                                  basis=query.basis)
    except ValueError as exc:
        return html.Div(str(exc), className="error-box", id="curve-episodes-table")
    return episodes_table(episodes)


def update_factors(ctx: AppContext, as_of: str | None) -> Any:
    """Only the as-of line of the factor chart moves (a Patch)."""
    try:
        when = parse_as_of(as_of)
    except ValueError:
        return no_update
    state = ctx.state()
    return asof_update(factors_chart(state, as_of=resolve_as_of(state.yields, when)))


# --- layout and registration ----------------------------------------------------------------




def _radio(id_: str, options: tuple[str, ...] | list[dict[str, Any]], value: str) -> dcc.RadioItems:
    return dcc.RadioItems(id=id_, options=list(options), value=value, inline=True,
                          inputStyle={"marginRight": "4px"},
                          labelStyle={"marginRight": "12px"})


def regime_options() -> list[dict[str, Any]]:
    """The episode regimes as radio options labelled with their coloured badge."""
    return [{"label": regime_badge(r), "value": r} for r in EPISODE_REGIMES]


#: The page's controls in the URL (see components.urlstate).
URL_STATE = (
    Bound("spread", "curve-spread", read=read_choice(tuple(SPREADS)), default=DEFAULT_SPREAD),
    Bound("band", "curve-band", read=read_number(0.0, MAX_BAND_BP), write=lambda v: f"{float(v):g}",
          default=DEFAULT_PARALLEL_BAND_BP),
    Bound("regime", "curve-episode-regime", read=read_choice(EPISODE_REGIMES),
          default=DEFAULT_EPISODE_REGIME),
    Bound("window", "curve-episode-window", read=read_choice(tuple(WINDOWS)),
          default=DEFAULT_EPISODE_WINDOW),
    Bound("basis", "curve-basis", read=read_choice(PERCENTILE_BASES),
          default=DEFAULT_PERCENTILE_BASIS),
)


def layout(ctx: AppContext, query: Mapping[str, str] | None = None) -> html.Div:
    state = ctx.state()
    values, _ = initial_values(URL_STATE, query or {})
    as_of = (query or {}).get("as_of") or None
    spread = values.get("spread", DEFAULT_SPREAD)
    band = values.get("band", DEFAULT_PARALLEL_BAND_BP)
    regime = values.get("regime", DEFAULT_EPISODE_REGIME)
    window = values.get("window", DEFAULT_EPISODE_WINDOW)
    basis = values.get("basis", DEFAULT_PERCENTILE_BASIS)
    when = resolve_as_of(state.yields, parse_as_of(as_of))
    moves, _, compare = update_moves(ctx, as_of, band, basis)
    episodes = update_episodes(ctx, spread, regime, window, as_of, band, basis)
    return html.Div([
        card("What did the curve do?", html.Div([
            html.Label("Parallel band", htmlFor="curve-band"),
            # No min/max on the input: the browser would swallow an out-of-range number
            # instead of letting the page say what the range is.
            dcc.Input(id="curve-band", type="number", value=band,
                      step=BAND_STEP_BP, debounce=True, style={"width": "70px"}),
            html.Span(f"bp (0-{MAX_BAND_BP:g}): a smaller |spread change| counts as parallel",
                      style={"color": MUTED}),
            html.Label("Percentile basis", htmlFor="curve-basis"),
            _radio("curve-basis", [{"label": BASIS_OPTIONS[b], "value": b}
                                   for b in PERCENTILE_BASES], basis),
            html.Div(id="curve-band-error", role="alert", className="field-error",
                     style={"color": BAD, "fontWeight": 600}),
        ], className="controls"),
            dcc.Loading(html.Div(moves, id="curve-moves"), type="dot", delay_show=300),
            html.Div([regime_legend()], style={"marginTop": "8px"}),
            note("Windows count observations (1d = 1, 1w = 5, 1m = 21 days with both legs "
                 "published). Percentile: share of the same-window changes of that spread in the "
                 "basis (all history since 1962, since 2000, or the 10 years before the day) up "
                 "to the move's end date, never later ones, that are <= this one (near 100 = "
                 "steepening among the largest, near 0 = flattening among the largest; bold when "
                 "in the top or bottom 5%)."),
            note(TWIST_RULE, id_="curve-regime-rule")),
        term_premium_split_card([]),  # issue 11; updated by components.pages.drivers
        html.Div([
            card("Spread history and largest episodes", html.Div([
                html.Label("Spread", htmlFor="curve-spread"),
                dcc.Dropdown(id="curve-spread", options=list(SPREADS), value=spread,
                             clearable=False, style={"width": "140px"}),
            ], className="controls"),
                sized_graph("curve-history", spread_history_figure(state, spread, as_of=when)),
                html.Div([
                    html.Strong("Largest episodes"),
                    _radio("curve-episode-regime", regime_options(), regime),
                    html.Span("over", style={"color": MUTED}),
                    _radio("curve-episode-window", tuple(WINDOWS), window),
                ], className="controls"),
                html.Div(episodes, id="curve-episodes"),
                note(f"The {DEFAULT_TOP_N} largest non-overlapping moves of the regime, by "
                     "|spread change|, in the history up to the as-of date, classified with the "
                     "parallel band above; percentiles against the basis above.")),
            card("Curve vs the start of the 1w and 1m moves", sized_graph("curve-compare", compare)),
        ], className="grid-2"),
        card("Level, slope, curvature", sized_graph("curve-factors", factors_chart(state, as_of=when)),
             note("Empirical Diebold-Li factors from the 3m, 2y and 10y CMT yields (the 3m starts "
                  "in 1981). Shaded: stress episodes.")),
    ])


def register(app: Dash, ctx: AppContext) -> None:
    @app.callback(Output("curve-moves", "children"), Output("curve-band-error", "children"),
                  Output("curve-compare", "figure"),
                  Input("app-asof", "date"), Input("curve-band", "value"),
                  Input("curve-basis", "value"), prevent_initial_call=True)
    def _moves(as_of: str | None, band: Any, basis: Any) -> tuple[Any, Any, Any]:
        return update_moves(ctx, as_of, band, basis)

    @app.callback(Output("curve-history", "figure"),
                  Input("curve-spread", "value"), Input("app-asof", "date"),
                  prevent_initial_call=True)
    def _history(spread: str | None, as_of: str | None) -> Any:
        return update_history(ctx, spread, as_of, dash_ctx.triggered_id)

    register_zoom(app, ctx, "curve-history",
                  lambda state, spread: [state.measures.spreads_bp[check_spread(spread)]],
                  states=[State("curve-spread", "value")])

    @app.callback(Output("curve-episodes", "children"),
                  Input("curve-spread", "value"), Input("curve-episode-regime", "value"),
                  Input("curve-episode-window", "value"), Input("app-asof", "date"),
                  Input("curve-band", "value"), Input("curve-basis", "value"),
                  prevent_initial_call=True)
    def _episodes(spread: str | None, regime: str | None, window: str | None,
                  as_of: str | None, band: Any, basis: Any) -> Any:
        return update_episodes(ctx, spread, regime, window, as_of, band, basis)

    @app.callback(Output("curve-factors", "figure"), Input("app-asof", "date"),
                  prevent_initial_call=True)
    def _factors(as_of: str | None) -> Any:
        return update_factors(ctx, as_of)
