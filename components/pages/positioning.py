"""Positioning: who is positioned to be forced out?

CFTC Traders in Financial Futures (weekly, positions as of Tuesday, published Friday):
leveraged funds' net position in the six Treasury futures, by contract in 10y-equivalents and
notional, and summed over the contracts (the cash-futures basis-trade proxy) against asset
managers' mirror position, with z-scores of the level and of the weekly change (DOMAIN.md
section 5). 10y-equivalents depend on a DV01 per contract that the user sees and edits here.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final

import numpy as np
import pandas as pd
from dash import Dash, Input, Output, dash_table, html, no_update

from analytics.positioning import (
    DEFAULT_MIN_PERIODS,
    DEFAULT_WINDOW_WEEKS,
    MAX_WEEKLY_GAP_DAYS,
    PositioningHistory,
    asset_managers_net,
    leveraged_funds_net,
    positioning_history,
    positioning_snapshot,
    positions_table,
    rescaled_history,
    rescaled_positions_table,
    resolve_dv01_usd,
)
from analytics.tenors import TREASURY_FUTURES, FuturesContract
from components import figures
from components.context import AppContext
from components.kit import sized_graph
from components.memo import OwnedMemo
from components.theme import BAD, FONT, INK, MUTED, SERIES, base_layout
from components.widgets import card, csv_button, error_box, note

PATH = "/positioning"
LABEL = "Positioning"

Figure = dict[str, Any]

#: Column id of the editable DV01 column of the table.
DV01_COLUMN: Final = "dv01_usd"
#: Heading of that column (units in the name, as the team asked).
DV01_HEADING: Final = "DV01 USD/bp"
#: A Treasury future's DV01 is tens to a few hundred USD per bp; above this it is a typo.
MAX_DV01_USD: Final = 5_000.0
#: Contracts per thousand (10y-equivalents are shown in thousands of contracts).
PER_THOUSAND: Final = 1_000.0
BP_PER_PCT: Final = 100.0
#: Days back for "the report week" (report dates are one week apart).
WEEK_DAYS: Final = 7
#: |z| above this is drawn as the "unusual" band.
Z_BAND: Final = 2.0
CHART_HEIGHT: Final = 360
DV01_NOTE: Final = ("DV01 per contract ~ CTD DV01 / conversion factor; defaults are approximate, "
                    "edit to your own")
NO_CFTC_MESSAGE: Final = (
    "No CFTC positions stored: import the CFTC Traders in Financial Futures file "
    "(`tsm import FinFutYY.txt`) or run `tsm refresh --series CFTC_TFF`."
)
_SHORT: Final = "#cf6a00"
_LONG: Final = SERIES[0]
_EDITABLE_BG: Final = "#fffbe6"
_BASE_CELL_STYLES: Final[tuple[dict[str, Any], ...]] = (
    {"if": {"column_id": DV01_COLUMN}, "backgroundColor": _EDITABLE_BG, "fontWeight": 600},
)


# --- the DV01 table --------------------------------------------------------------------------


def dv01_rows(dv01_by_code: Mapping[str, float] | None = None) -> list[dict[str, Any]]:
    """Rows of the DV01 table: one per contract, the DV01 in use in :data:`DV01_COLUMN`."""
    table = resolve_dv01_usd(dv01_by_code)
    return [{"label": c.label, "key": c.key, "code": c.code, "face_usd": c.face_usd,
             "default_dv01": c.dv01_usd, DV01_COLUMN: table[c.code]} for c in TREASURY_FUTURES]


def _contract(row: Mapping[str, Any]) -> FuturesContract:
    key = row.get("key")
    for c in TREASURY_FUTURES:
        if key in (c.key, c.code):
            return c
    raise ValueError(f"DV01 table: unknown contract {key!r}")


def dv01_errors(rows: Sequence[Mapping[str, Any]]) -> dict[int, str]:
    """Per row index, why its DV01 is invalid (empty when all are fine)."""
    errors: dict[int, str] = {}
    for i, row in enumerate(rows):
        try:
            _row_dv01(row)
        except ValueError as exc:
            errors[i] = str(exc)
    return errors


def _row_dv01(row: Mapping[str, Any]) -> tuple[str, float]:
    contract = _contract(row)
    raw = row.get(DV01_COLUMN)
    who = contract.label
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        raise ValueError(f"{who}: DV01 is empty: enter USD per bp per contract (> 0)")
    if isinstance(raw, bool):
        raise ValueError(f"{who}: DV01 must be a number (USD per bp), got {raw!r}")
    try:
        value = float(raw)
    except (TypeError, ValueError):
        raise ValueError(f"{who}: DV01 must be a number (USD per bp), got {raw!r}") from None
    try:  # the analytics' own check (finite, > 0) and message
        resolve_dv01_usd({contract.key: value})
    except ValueError as exc:
        raise ValueError(f"{who}: {exc}") from None
    if value > MAX_DV01_USD:
        raise ValueError(f"{who}: DV01 must be at most {MAX_DV01_USD:,.0f} USD per bp per "
                         f"contract (a Treasury future's is tens to hundreds), got {value:,.10g}")
    return contract.code, value


def parse_dv01(rows: Sequence[Mapping[str, Any]]) -> dict[str, float]:
    """The DV01 table's rows as {CFTC code: USD per bp}.

    Raises
    ------
    ValueError
        Naming every contract whose DV01 is empty, not a number, <= 0 or absurdly large.
    """
    errors = dv01_errors(rows)
    if errors:
        raise ValueError("; ".join(errors.values()))
    return dict(_row_dv01(row) for row in rows)


def dv01_cell_styles(errors: Mapping[int, str]) -> list[dict[str, Any]]:
    """``style_data_conditional`` of the table: the editable column, bad cells in red."""
    bad = [{"if": {"row_index": i, "column_id": DV01_COLUMN}, "backgroundColor": "#ffebe9",
            "color": BAD, "border": f"2px solid {BAD}"} for i in sorted(errors)]
    return [*_BASE_CELL_STYLES, *bad]


def dv01_table(rows: list[dict[str, Any]]) -> Any:
    """The DV01 table: one row per contract, only the DV01 column editable."""
    numeric = {"type": "numeric"}
    return dash_table.DataTable(  # type: ignore[attr-defined]  # untyped in dash's stubs
        id="positioning-dv01-table",
        columns=[
            {"name": "Contract", "id": "label", "editable": False},
            {"name": "CFTC code", "id": "code", "editable": False},
            {"name": "Face (USD)", "id": "face_usd", "editable": False, **numeric,
             "format": {"specifier": ",.0f"}},
            {"name": "Default DV01 (USD/bp)", "id": "default_dv01", "editable": False, **numeric},
            # "accept" lets a typo reach the callback, which says what is wrong with it (the
            # table's default would silently revert the cell).
            {"name": DV01_HEADING, "id": DV01_COLUMN, "editable": True, **numeric,
             "on_change": {"action": "coerce", "failure": "accept"}},
        ],
        data=rows,
        editable=True,
        style_table={"maxWidth": "760px"},
        style_cell={"fontFamily": FONT, "fontSize": "13px", "padding": "4px 8px",
                    "textAlign": "left"},
        style_header={"backgroundColor": "#f6f8fa", "fontWeight": 600},
        style_data_conditional=list(_BASE_CELL_STYLES),
    )


# --- controls and analytics --------------------------------------------------------------------


@dataclass(frozen=True)
class PositioningInputs:
    """The page's controls, validated.

    Attributes
    ----------
    as_of : pandas.Timestamp
        The latest CFTC report on or before it is shown.
    dv01_usd : tuple of (CFTC code, USD per bp)
        DV01 per contract in use (all six contracts).
    """

    as_of: pd.Timestamp
    dv01_usd: tuple[tuple[str, float], ...]

    @classmethod
    def from_controls(cls, as_of: str | None, rows: Sequence[Mapping[str, Any]] | None, *,
                      default_as_of: pd.Timestamp | None) -> PositioningInputs:
        """Read the date picker and the DV01 table.

        Raises
        ------
        ValueError
            On an invalid DV01 or date.
        """
        dv01 = parse_dv01(rows) if rows else resolve_dv01_usd(None)
        if as_of in (None, ""):
            when = default_as_of if default_as_of is not None else pd.Timestamp.today()
        else:
            try:
                when = pd.Timestamp(as_of)
            except (TypeError, ValueError):
                raise ValueError(f"as of must be a date (YYYY-MM-DD), got {as_of!r}") from None
        return cls(pd.Timestamp(when).normalize(), tuple(sorted(dv01.items())))

    @property
    def is_default(self) -> bool:
        """True when every DV01 is the default (the cached full-history table applies)."""
        return dict(self.dv01_usd) == resolve_dv01_usd(None)


@dataclass(frozen=True)
class PositioningView:
    """What the page draws for one set of controls.

    Attributes
    ----------
    snapshot : dict
        ``positioning_snapshot`` (report date, aggregate, z-scores, missing).
    table : pandas.DataFrame
        ``positions_table`` with the DV01s in use.
    lev, asset_mgr : pandas.DataFrame
        Aggregates by report date (``leveraged_funds_net`` / ``asset_managers_net``).
    """

    snapshot: dict[str, Any]
    table: pd.DataFrame
    lev: pd.DataFrame
    asset_mgr: pd.DataFrame

    @property
    def report_date(self) -> pd.Timestamp | None:
        rd = self.snapshot["report_date"]
        return None if rd is None else pd.Timestamp(rd)

    def by_contract(self) -> pd.DataFrame:
        """Leveraged funds' rows of the report date, in the order of TREASURY_FUTURES."""
        rd = self.report_date
        if rd is None:
            return self.table.iloc[0:0]
        rows = self.table[(self.table["report_date"] == rd)
                          & (self.table["trader_group"] == "lev_money")]
        order = {c.code: i for i, c in enumerate(TREASURY_FUTURES)}
        return rows.assign(_o=rows["contract_code"].map(order)).sort_values("_o").drop(columns="_o")


def compute_view(cftc: pd.DataFrame, inputs: PositioningInputs,
                 base_table: pd.DataFrame | None = None, *,
                 base_nets: tuple[pd.DataFrame, pd.DataFrame] | None = None,
                 lookups: PositioningHistory | None = None) -> PositioningView:
    """Positions, aggregates and the snapshot with the DV01s of ``inputs``.

    ``base_table`` (the cached ``positions_table(cftc)`` with default DV01s) and ``base_nets``
    (its leveraged-fund and asset-manager nets, from the market state) are reused when the
    DV01s are the defaults: the view is then a row selection. ``lookups`` (the state's
    ``positioning_history`` of them) makes the snapshot a binary search.
    """
    dv01 = dict(inputs.dv01_usd)
    if base_table is not None and inputs.is_default:
        table = base_table
        lev, am = base_nets if base_nets is not None else (leveraged_funds_net(table),
                                                           asset_managers_net(table))
        snap = positioning_snapshot(cftc, as_of=inputs.as_of, dv01=dv01, table=table,
                                    lev_net=lev, am_net=am, history=lookups)
        return PositioningView(snap, table, lev, am)
    table, lev, am, history = _with_dv01s(cftc, dv01, base_table, lookups)
    snap = positioning_snapshot(cftc, as_of=inputs.as_of, dv01=dv01, table=table,
                                lev_net=lev, am_net=am, history=history)
    return PositioningView(snap, table, lev, am)


_Tables = tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, PositioningHistory]
#: The full-history tables of edited DV01s, by (CFTC frame, DV01s): after an edit, other dates
#: are row lookups too.
_EDITED: OwnedMemo[_Tables] = OwnedMemo(8)


def _with_dv01s(cftc: pd.DataFrame, dv01: Mapping[str, float], base_table: pd.DataFrame | None = None,
                base_history: PositioningHistory | None = None) -> _Tables:
    """The full-history tables with edited DV01s: rescaled from the default-DV01 table and
    history of the market state when given (a few ms), else computed from ``cftc``."""
    def build() -> _Tables:
        if base_table is not None and base_history is not None:
            table = rescaled_positions_table(base_table, from_dv01=base_history.dv01_usd, to_dv01=dv01)
            lev, am = leveraged_funds_net(table), asset_managers_net(table)
            try:
                return table, lev, am, rescaled_history(base_history, dv01=dv01, lev_net=lev, am_net=am)
            except ValueError:  # a history of other reports than the table: rebuild both
                pass
        table = positions_table(cftc, dv01=dv01)
        lev, am = leveraged_funds_net(table), asset_managers_net(table)
        history = positioning_history(cftc, dv01=dv01, table=table, lev_net=lev, am_net=am)
        return table, lev, am, history

    return _EDITED.get(cftc, tuple(sorted(dv01.items())), build)


def default_as_of(cftc: pd.DataFrame) -> pd.Timestamp | None:
    """The latest report date (None without CFTC data)."""
    if cftc.empty:
        return None
    return pd.Timestamp(pd.to_datetime(cftc["report_date"]).max()).normalize()


def yield_change_bp(yields: pd.DataFrame, end: pd.Timestamp, *, tenor: str = "10y",
                    days: int = WEEK_DAYS) -> float | None:
    """Change of a CMT yield over the ``days`` before ``end``, bp (None when not observed)."""
    if tenor not in yields.columns:
        return None
    col = yields[tenor].dropna()
    now = col.loc[:end]
    before = col.loc[: end - pd.Timedelta(days=days)]
    if now.empty or before.empty or (end - now.index[-1]).days > 3:
        return None
    return round(float(now.iloc[-1] - before.iloc[-1]) * BP_PER_PCT, 6)


# --- figures -----------------------------------------------------------------------------------


def _short_label(c: FuturesContract) -> str:
    # "10-Year T-Note (TY)" -> "10-Year T-Note<br>(TY)": six bars fit without slanting.
    return c.label.replace(" (", "<br>(")


def contracts_figure(view: PositioningView) -> Figure:
    """Leveraged funds' net by contract on the report date: 10y-equivalents (thousands of
    contracts, left) and notional (USD bn, right), bars coloured by sign."""
    title = "Leveraged funds' net position by contract"
    rows = view.by_contract()
    if rows.empty:
        why = view.snapshot["missing"][0] if view.snapshot["missing"] else "no report"
        return figures.empty(why, title=title, height=CHART_HEIGHT)
    by_code = {c.code: c for c in TREASURY_FUTURES}
    labels = [_short_label(by_code[c]) for c in rows["contract_code"]]
    eq = (rows["net_10y_eq_contracts"] / PER_THOUSAND).round(4).tolist()
    notional = rows["net_notional_bn"].round(4).tolist()
    custom = [[int(n), round(float(d), 3)] for n, d in
              zip(rows["net_contracts"], rows["net_dv01_mn"], strict=True)]
    colours = [_SHORT if v < 0 else _LONG for v in eq]
    hover = ("%{x}<br>%{y:,.1f}<br>net %{customdata[0]:,} contracts<br>"
             "DV01 %{customdata[1]:,.2f} USD mn/bp<extra></extra>")
    traces = [
        {"type": "bar", "x": labels, "y": eq, "name": "10y-equivalents", "xaxis": "x",
         "yaxis": "y", "marker": {"color": colours}, "customdata": custom,
         "hovertemplate": hover, "showlegend": False},
        {"type": "bar", "x": labels, "y": notional, "name": "notional", "xaxis": "x2",
         "yaxis": "y2", "marker": {"color": colours}, "customdata": custom,
         "hovertemplate": hover, "showlegend": False},
    ]
    layout = base_layout(f"{title}, report of {view.snapshot['report_date']}",
                         height=CHART_HEIGHT)
    layout.update({
        "hovermode": "closest",
        "margin": {"l": 64, "r": 16, "t": 48, "b": 64},
        "xaxis": {"domain": [0, 0.47], "anchor": "y", "tickfont": {"size": 11}},
        "xaxis2": {"domain": [0.55, 1], "anchor": "y2", "tickfont": {"size": 11}},
        "yaxis": {"anchor": "x", "gridcolor": "#e3e7eb", "zeroline": True,
                  "zerolinecolor": "#8c959f",
                  "title": {"text": "net, 10y-eq contracts (thousands)"}},
        "yaxis2": {"anchor": "x2", "gridcolor": "#e3e7eb", "zeroline": True,
                   "zerolinecolor": "#8c959f", "title": {"text": "net notional, USD bn"}},
    })
    return {"data": traces, "layout": layout}


def _weekly_xy(values: pd.Series, *, scale: float = 1.0) -> tuple[list[str | None], list[float | None]]:
    """x/y lists of a weekly series with a break (None) across each missing week, so that a
    line does not bridge the months the history lacks."""
    obs = values.dropna()
    days = pd.DatetimeIndex(obs.index)
    xs: list[str | None] = list(days.strftime("%Y-%m-%d"))
    ys: list[float | None] = np.round(obs.to_numpy(dtype=float) / scale, 4).tolist()
    # Insert from the end so that the earlier positions stay put.
    day_numbers = days.to_numpy().astype("datetime64[D]").astype(np.int64)
    gaps = np.flatnonzero(np.diff(day_numbers) > MAX_WEEKLY_GAP_DAYS) + 1
    for at in gaps[::-1].tolist():
        xs.insert(at, None)
        ys.insert(at, None)
    return xs, ys


def _time_shapes(first: pd.Timestamp | None, as_of: pd.Timestamp | None) -> list[dict[str, Any]]:
    shapes: list[dict[str, Any]] = []
    shapes += figures.episode_shapes(first)
    if as_of is not None:
        day = as_of.strftime("%Y-%m-%d")
        shapes.append({"type": "line", "xref": "x", "yref": "paper", "x0": day, "x1": day,
                       "y0": 0, "y1": 1, "line": {"color": INK, "width": 1.2, "dash": "dash"},
                       # Inside the plot even when the report is the chart's last date.
                       "label": {"text": f"report {day}", "textposition": "end",
                                 "textangle": 0, "xanchor": "right", "yanchor": "top",
                                 "font": {"size": 11, "color": INK}}})
    return shapes


def aggregate_figure(view: PositioningView) -> Figure:
    """Aggregate net, leveraged funds (basis-trade proxy) vs asset managers, 10y-eq (k)."""
    title = "Net positions, all six contracts"
    if view.lev.empty and view.asset_mgr.empty:
        return figures.empty(NO_CFTC_MESSAGE, title=title, height=CHART_HEIGHT)
    traces = []
    for name, frame, colour in (("Leveraged funds", view.lev, _SHORT),
                                ("Asset managers", view.asset_mgr, _LONG)):
        if frame.empty:
            continue
        xs, ys = _weekly_xy(frame["net_10y_eq_contracts"], scale=PER_THOUSAND)
        traces.append({"type": "scatter", "mode": "lines", "name": name, "x": xs, "y": ys,
                       "line": {"color": colour, "width": 1.8},
                       "hovertemplate": "%{y:,.0f}k<extra>" + name + "</extra>"})
    layout = base_layout(title, y_title="net, 10y-eq contracts, thousands", height=CHART_HEIGHT)
    first = min(pd.Timestamp(f.index[0]) for f in (view.lev, view.asset_mgr) if not f.empty)
    layout["shapes"] = [{"type": "line", "xref": "paper", "x0": 0, "x1": 1, "y0": 0, "y1": 0,
                         "line": {"color": "#8c959f", "width": 1}},
                        *_time_shapes(first, view.report_date)]
    return {"data": traces, "layout": layout}


def zscore_figure(view: PositioningView) -> Figure:
    """Leveraged funds: z-score of the net level (line) and of the weekly change (bars)."""
    title = f"Leveraged funds: z-scores, {DEFAULT_WINDOW_WEEKS}-week window"
    lev = view.lev
    if lev.empty or lev[["zscore_net", "zscore_weekly_change"]].dropna(how="all").empty:
        why = NO_CFTC_MESSAGE if lev.empty else (
            f"Not enough history for a z-score (needs {DEFAULT_MIN_PERIODS} weekly reports).")
        return figures.empty(why, title=title, height=CHART_HEIGHT)
    chg = lev["zscore_weekly_change"].dropna()
    xs, ys = _weekly_xy(lev["zscore_net"])
    traces = [
        {"type": "bar", "name": "weekly change", "x": pd.DatetimeIndex(chg.index).strftime("%Y-%m-%d").tolist(),
         "y": chg.round(4).tolist(), "marker": {"color": SERIES[2]}, "opacity": 0.35,
         "hovertemplate": "%{y:.2f}<extra>z of weekly change</extra>"},
        {"type": "scatter", "mode": "lines", "name": "net level", "x": xs, "y": ys,
         "line": {"color": _SHORT, "width": 2},
         "hovertemplate": "%{y:.2f}<extra>z of net level</extra>"},
    ]
    layout = base_layout(title, y_title="z", height=CHART_HEIGHT)
    band = [{"type": "line", "xref": "paper", "x0": 0, "x1": 1, "y0": y, "y1": y,
             "line": {"color": MUTED, "width": 1, "dash": "dot"}} for y in (-Z_BAND, Z_BAND)]
    layout["shapes"] = [*band, *_time_shapes(pd.Timestamp(lev.index[0]), view.report_date)]
    layout["bargap"] = 0
    return {"data": traces, "layout": layout}




# --- key numbers -------------------------------------------------------------------------------


def _stat(label: str, value: str, sub: str = "", *, id_: str | None = None) -> html.Div:
    kwargs: dict[str, Any] = {"id": id_} if id_ else {}
    return html.Div([
        html.Div(label, style={"color": MUTED, "fontSize": "12px"}),
        html.Div(value, className="positioning-stat-value",
                 style={"fontSize": "20px", "fontWeight": 700}),
        html.Div(sub, style={"color": MUTED, "fontSize": "12px"}),
    ], className="positioning-stat", style={"flex": "1 1 150px", "padding": "6px 10px",
                                            "borderLeft": "3px solid #d0d7de"}, **kwargs)


def _k(value: float | None, *, sign: bool = False) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "-"
    return f"{value / PER_THOUSAND:{'+' if sign else ''},.0f}k"


def _z(value: float | None) -> str:
    return "-" if value is None else f"{value:+.2f}"


def key_numbers(view: PositioningView, yields: pd.DataFrame) -> html.Div:
    """The headline numbers of the report on or before the as-of date."""
    snap = view.snapshot
    rd = view.report_date
    if rd is None:
        return html.Div([error_box("; ".join(snap["missing"]) or "No CFTC report.",
                                   id_="positioning-no-report")])
    dv01_mn = None
    if rd in view.lev.index:
        dv01_mn = float(view.lev["net_dv01_mn"].to_dict()[rd])
    notional = snap["lev_funds_net_notional_bn"]
    dy = yield_change_bp(yields, rd)
    stale = " (STALE)" if snap["stale"] else ""
    stats = [
        _stat("CFTC report (positions as of Tuesday)", rd.strftime("%Y-%m-%d") + stale,
              "published the Friday after", id_="positioning-report-date"),
        _stat("Leveraged funds net", _k(snap["lev_funds_net_10y_eq_contracts"]) + " 10y-eq",
              ("-" if notional is None else f"{notional:,.0f} USD bn notional")
              + ("" if dv01_mn is None else f" | {dv01_mn:,.1f} USD mn/bp"),
              id_="positioning-lev-net"),
        _stat("Weekly change", _k(snap["weekly_change_10y_eq_contracts"], sign=True) + " 10y-eq",
              f"z = {_z(snap['zscore_weekly_change'])}", id_="positioning-weekly-change"),
        _stat("z-score of net level", _z(snap["zscore"]),
              f"vs trailing {DEFAULT_WINDOW_WEEKS} weeks", id_="positioning-zscore"),
        _stat("Asset managers net", _k(snap["asset_mgr_net_10y_eq_contracts"]) + " 10y-eq",
              "the mirror image (net long)", id_="positioning-am-net"),
        _stat("10y yield over the report week", "-" if dy is None else f"{dy:+.0f} bp",
              "CMT, to the report date", id_="positioning-10y-change"),
    ]
    missing = [m for m in snap["missing"]]
    return html.Div([
        html.Div(stats, style={"display": "flex", "flexWrap": "wrap", "gap": "8px"}),
        note("Not available: " + "; ".join(missing), id_="positioning-missing") if missing else None,
    ])


# --- layout and callbacks ----------------------------------------------------------------------


def render(ctx: AppContext, inputs: PositioningInputs) -> tuple[Any, Figure, Figure, Figure]:
    """Key numbers and the three figures for validated controls."""
    state = ctx.state()
    measures = state.measures
    cftc = measures.cftc
    if cftc.empty:
        empty = figures.empty(NO_CFTC_MESSAGE, height=CHART_HEIGHT)
        return (error_box(NO_CFTC_MESSAGE, id_="positioning-no-data"), empty, empty, empty)
    nets = (state.lev_net, state.am_net) if state.lev_net is not None and \
        state.am_net is not None else None
    lookups = state.histories.positioning if state.histories is not None else None
    view = compute_view(cftc, inputs, measures.positions, base_nets=nets, lookups=lookups)
    return (key_numbers(view, measures.yields), contracts_figure(view), aggregate_figure(view),
            zscore_figure(view))


def layout(ctx: AppContext, query: Mapping[str, str] | None = None) -> html.Div:
    when = default_as_of(ctx.state().measures.cftc)
    asked = (query or {}).get("as_of") or None
    inputs = PositioningInputs.from_controls(asked, None, default_as_of=when)
    numbers, contracts, aggregate, zscores = render(ctx, inputs)
    latest = (f"Latest CFTC report: {when:%Y-%m-%d}" if when is not None
              else "No CFTC report stored")
    return html.Div([
        card("Who is positioned to be forced out?", html.Div([
            html.Strong(latest, id="positioning-latest"),
            html.Span("the latest report on or before the as-of date (header) is shown",
                      style={"color": MUTED, "fontSize": "12px"}),
        ], className="controls"), html.Div(numbers, id="positioning-numbers"),
            note("Leveraged funds' net short in Treasury futures is the standard proxy for the "
                 "cash-futures basis trade (short futures, long cash bonds financed in repo); a "
                 "sharp fall in their net short while yields jump is the unwind signature.")),
        card("By contract", sized_graph("positioning-contracts", contracts, CHART_HEIGHT),
             note("10y-equivalents = net contracts x DV01 per contract / DV01 of the 10-year "
                  "contract (TY); notional = net contracts x face. Orange: net short; blue: net "
                  "long.")),
        html.Div([
            card("Basis-trade proxy: leveraged funds vs asset managers",
             sized_graph("positioning-aggregate", aggregate, CHART_HEIGHT),
             note("Sum over the six contracts in 10y-equivalents (thousands of contracts); "
                  "negative = net short futures.")),
            card("Z-scores", sized_graph("positioning-zscores", zscores, CHART_HEIGHT),
                 note(f"Of the aggregate 10y-equivalent net (line) and of its weekly change "
                      f"(bars), against the trailing {DEFAULT_WINDOW_WEEKS} weeks (at least "
                      f"{DEFAULT_MIN_PERIODS} reports). Dotted lines at +/-{Z_BAND:g}. Breaks: "
                      "weeks missing in the stored history (no change is computed across "
                      "them).")),
        ], className="grid-2"),
        card("DV01 per contract (editable)",
             note(DV01_NOTE, id_="positioning-dv01-note"),
             csv_button("positioning-dv01-table"), dv01_table(dv01_rows()),
             html.Div([html.Button("Reset to defaults", id="positioning-dv01-reset",
                                   n_clicks=0)], style={"marginTop": "6px"}),
             html.Div(id="positioning-dv01-error", style={"marginTop": "6px"}),
             note("Edit a value in the yellow column and press Enter: the 10y-equivalents, "
                  "z-scores and charts are recomputed with it.")),
    ])


def update(ctx: AppContext, as_of: str | None,
           rows: Sequence[Mapping[str, Any]] | None) -> tuple[Any, ...]:
    """The page's callback as a plain function.

    Returns
    -------
    tuple
        (key numbers, contracts figure, aggregate figure, z-score figure, DV01 error,
        table cell styles).
    """
    errors = dv01_errors(rows or [])
    styles = dv01_cell_styles(errors)
    try:
        inputs = PositioningInputs.from_controls(as_of, rows,
                                                 default_as_of=default_as_of(ctx.state().measures.cftc))
    except ValueError as exc:
        # The charts keep the last valid DV01s; the message sits under the table.
        return (no_update, no_update, no_update, no_update,
                error_box(str(exc), id_="positioning-input-error"), styles)
    return (*render(ctx, inputs), None, styles)


def register(app: Dash, ctx: AppContext) -> None:
    @app.callback(
        Output("positioning-numbers", "children"), Output("positioning-contracts", "figure"),
        Output("positioning-aggregate", "figure"), Output("positioning-zscores", "figure"),
        Output("positioning-dv01-error", "children"),
        Output("positioning-dv01-table", "style_data_conditional"),
        Input("app-asof", "date"), Input("positioning-dv01-table", "data"),
        prevent_initial_call=True,
    )
    def _update(as_of: str | None, rows: list[dict[str, Any]] | None) -> tuple[Any, ...]:
        return update(ctx, as_of, rows)

    @app.callback(Output("positioning-dv01-table", "data"),
                  Input("positioning-dv01-reset", "n_clicks"), prevent_initial_call=True)
    def _reset(_clicks: int | None) -> list[dict[str, Any]]:
        return dv01_rows()


__all__ = [
    "PATH", "LABEL", "DV01_COLUMN", "DV01_HEADING", "DV01_NOTE", "MAX_DV01_USD",
    "NO_CFTC_MESSAGE", "PositioningInputs", "PositioningView", "dv01_rows", "dv01_errors",
    "parse_dv01", "dv01_cell_styles", "dv01_table", "compute_view", "default_as_of",
    "yield_change_bp", "contracts_figure", "aggregate_figure", "zscore_figure", "key_numbers",
    "render", "layout", "update", "register",
]
