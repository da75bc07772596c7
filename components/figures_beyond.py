"""Figures and small cards of the issue-11 views: flows and liquidity, rates drivers, auctions,
official stress indices, and SOFR swap spreads continuing the LIBOR-era history.

Figure builders are pure (frames in, Plotly dicts out) and tested without a browser; long
daily series go through :func:`components.figures.history` (downsampled).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Final

import numpy as np
import pandas as pd
from dash import Patch, html

from analytics.auctions import TENORS as AUCTION_TENORS
from analytics.real_yields import RealYieldSplit
from analytics.swaps import swap_columns, treasury_yield_at
from analytics.term_premium import TermPremiumSplit
from components import figures
from components.theme import BAD, GOOD, GRID, MUTED, SERIES, WARN, base_layout
from components.widgets import card, graph, note, simple_table, tile, tiles

Figure = dict[str, Any]

__all__ = [
    "OFR_CATEGORY_LABELS",
    "auction_calendar_figure",
    "auction_rows",
    "auction_table_component",
    "beyond_tiles",
    "custody_figure",
    "dollar_figure",
    "hpw_noise_figure",
    "liquidity_figure",
    "ofr_categories_figure",
    "official_figure",
    "real_split_figure",
    "real_yields_figure",
    "sell_america_figure",
    "split_figure",
    "swap_segments_figure",
    "swap_source_label",
    "term_premium_figure",
    "term_premium_split_card",
    "weekly_last",
    "with_asof_line",
    "date_patches",
]

OFR_CATEGORY_LABELS: Final[dict[str, str]] = {
    "OFR_FSI_CREDIT": "Credit", "OFR_FSI_EQUITY": "Equity valuation", "OFR_FSI_SAFE": "Safe assets",
    "OFR_FSI_FUNDING": "Funding", "OFR_FSI_VOLATILITY": "Volatility",
}
_WINDOW_LABELS: Final[dict[str, str]] = {"1d": "1 day", "1w": "1 week", "1m": "1 month"}


def _last(values: pd.Series, as_of: pd.Timestamp | None) -> pd.Series:
    return values.dropna() if as_of is None else values.dropna().loc[:as_of]


def _dates(index: pd.Index) -> list[str]:
    return pd.DatetimeIndex(index).strftime("%Y-%m-%d").tolist()


def _asof_shape(as_of: pd.Timestamp) -> dict[str, Any]:
    return {"type": "line", "xref": "x", "yref": "paper", "x0": f"{as_of:%Y-%m-%d}",
            "x1": f"{as_of:%Y-%m-%d}", "y0": 0, "y1": 1, "line": {"color": MUTED, "dash": "dot", "width": 1}}


def _asof_line(fig: Figure, as_of: pd.Timestamp | None) -> Figure:
    if as_of is not None and fig.get("data"):
        fig["layout"].setdefault("shapes", []).append(_asof_shape(as_of))
    return fig


def with_asof_line(fig: Figure, as_of: pd.Timestamp | None) -> Figure:
    """``fig`` with the dotted as-of line, as the builders' ``as_of=`` draws it, as a new
    figure: ``fig`` itself is left as it is (a figure built once per data revision serves
    every date; the traces are shared, not copied)."""
    if as_of is None or not fig.get("data"):
        return fig
    layout = fig["layout"]
    return {**fig, "layout": {**layout, "shapes": [*layout.get("shapes", []), _asof_shape(as_of)]}}


def date_patches(marked: Sequence[str], ids: Sequence[str], figs: Sequence[Figure]) -> list[Any]:
    """The figures of ``ids`` for a date change: those in ``marked`` (full-history figures with
    the as-of line, :func:`with_asof_line`) as a Patch of their shapes, the others whole. An
    empty figure (no data) goes whole too."""
    out: list[Any] = []
    for graph_id, fig in zip(ids, figs, strict=True):
        if graph_id in marked and fig.get("data"):
            patch = Patch()
            patch["layout"]["shapes"] = fig["layout"].get("shapes", [])
            out.append(patch)
        else:
            out.append(fig)
    return out


# -- flows and liquidity ------------------------------------------------------------------------
def custody_figure(custody: pd.DataFrame, *, as_of: pd.Timestamp | None = None) -> Figure:
    """Foreign official custody holdings ($bn, line) and their 4-week change ($bn, bars)."""
    title = "Treasuries held in custody for foreign official accounts (H.4.1)"
    if custody.empty or custody["custody_bn"].dropna().empty:
        return figures.empty("WMTSECL1 not stored: import fred/WMTSECL1.csv or run `tsm refresh`.",
                             title=title)
    level = custody["custody_bn"].dropna()
    change = custody["change_4w_bn"].dropna()
    layout = base_layout(title, y_title="$bn", height=380)
    layout["yaxis2"] = {"overlaying": "y", "side": "right", "title": {"text": "4-week change, $bn"},
                        "showgrid": False, "zeroline": True}
    layout["margin"] = {**layout["margin"], "r": 64}
    fig = {"data": [
        {"type": "scatter", "mode": "lines", "name": "custody holdings, $bn", "x": _dates(level.index),
         "y": np.round(level.to_numpy(), 3).tolist(), "line": {"color": SERIES[0], "width": 1.6}},
        {"type": "bar", "name": "4-week change, $bn", "x": _dates(change.index),
         "y": np.round(change.to_numpy(), 3).tolist(), "yaxis": "y2",
         "marker": {"color": [BAD if v < 0 else GOOD for v in change.to_numpy()]}, "opacity": 0.55},
    ], "layout": layout}
    return _asof_line(fig, as_of)


def dollar_figure(series: pd.DataFrame, sell_america: pd.DataFrame, *,
                  as_of: pd.Timestamp | None = None) -> Figure:
    """Broad dollar index with the days the sell-America signature was on marked."""
    title = "Broad dollar index (DTWEXBGS) and sell-America days"
    if "DTWEXBGS" not in series.columns or series["DTWEXBGS"].dropna().empty:
        return figures.empty("DTWEXBGS not stored: import fred/DTWEXBGS.csv or run `tsm refresh`.",
                             title=title)
    fig = figures.history({"broad dollar (Jan-2006 = 100)": series["DTWEXBGS"].dropna()}, title=title,
                          y_title="index", height=380)
    flagged = sell_america.index[sell_america["flag"].to_numpy() == 1.0] if len(sell_america) else []
    dollar = series["DTWEXBGS"].dropna()
    marks = dollar.reindex(pd.DatetimeIndex(flagged)).dropna()
    fig["data"].append({"type": "scatter", "mode": "markers", "name": "sell-America signature on",
                        "x": _dates(marks.index), "y": np.round(marks.to_numpy(), 3).tolist(),
                        "marker": {"color": BAD, "size": 6, "symbol": "triangle-down"}})
    return _asof_line(fig, as_of)


def sell_america_figure(sell_america: pd.DataFrame, *, as_of: pd.Timestamp | None = None) -> Figure:
    """Sell-America score history (weakest leg in typical-move units; > 0 only when all three
    legs point the sell-America way)."""
    title = "Sell-America score: yields up, dollar down, equities down (weakest leg)"
    score = sell_america["score"].dropna() if "score" in sell_america else pd.Series(dtype=float)
    if score.empty:
        return figures.empty("Needs the 10y yield, DTWEXBGS and SP500.", title=title)
    fig = figures.history({"score (typical-move units)": score}, title=title, y_title="units",
                          zero_line=True, height=340)
    return _asof_line(fig, as_of)


def liquidity_figure(liquidity: pd.DataFrame, *, as_of: pd.Timestamp | None = None) -> Figure:
    """Net liquidity (Fed assets - TGA - ON RRP) and its parts, $bn, Wednesdays."""
    title = "Net liquidity = Fed assets - TGA - ON RRP ($bn, Wednesdays)"
    if liquidity.empty or liquidity["net_liquidity_bn"].dropna().empty:
        return figures.empty("Needs WALCL, WDTGAL (or WTREGEN) and RRPONTSYD: import or refresh them.",
                             title=title)
    lines = {
        "net liquidity": liquidity["net_liquidity_bn"].dropna(),
        "Fed assets (WALCL)": liquidity["fed_assets_bn"].dropna(),
        "TGA (WDTGAL)": liquidity["tga_bn"].dropna(),
        "ON RRP (RRPONTSYD)": liquidity["rrp_bn"].dropna(),
    }
    fig = figures.history(lines, title=title, y_title="$bn", height=400)
    if fig["data"]:
        fig["data"][0]["line"].update(width=2.5)
    return _asof_line(fig, as_of)


# -- rates drivers ------------------------------------------------------------------------------
def term_premium_figure(history: pd.DataFrame, *, as_of: pd.Timestamp | None = None) -> Figure:
    """ACM and Kim-Wright 10y term premia, labelled by model (never "ACM" for THREEFYTP10)."""
    title = "10-year term premium: ACM (NY Fed) and Kim-Wright (Fed Board, FRED THREEFYTP10)"
    lines = {"ACM 10y (ACMTP10)": history["acm_10y_pct"].dropna(),
             "Kim-Wright 10y (THREEFYTP10)": history["kim_wright_10y_pct"].dropna()}
    if all(v.empty for v in lines.values()):
        return figures.empty("Neither ACMTP10 nor THREEFYTP10 is stored.", title=title)
    return _asof_line(figures.history(lines, title=title, y_title="%", zero_line=True, height=380), as_of)


def _stacked(windows: Sequence[str], parts: dict[str, list[float | None]], totals: list[float | None],
             *, title: str, colors: Sequence[str]) -> Figure:
    labels = [_WINDOW_LABELS.get(w, w) for w in windows]
    traces: list[dict[str, Any]] = [
        {"type": "bar", "name": name, "x": labels, "y": values, "marker": {"color": colors[i]},
         "hovertemplate": "%{x}: %{y:+.1f} bp<extra>" + name + "</extra>"}
        for i, (name, values) in enumerate(parts.items())
    ]
    traces.append({"type": "scatter", "mode": "markers", "name": "total 10y change", "x": labels,
                   "y": totals, "marker": {"color": "#1b1f24", "symbol": "diamond", "size": 10},
                   "hovertemplate": "%{x}: %{y:+.1f} bp<extra>total</extra>"})
    layout = base_layout(title, y_title="bp", height=320)
    layout.update(barmode="relative", hovermode="closest")
    return {"data": traces, "layout": layout}


def split_figure(splits: Sequence[TermPremiumSplit]) -> Figure:
    """The 10y move over 1d/1w/1m as term premium + expected path (stacked bars, bp)."""
    title = "10y move split: term premium (ACM) and expected path"
    usable = [s for s in splits if s.total_bp is not None]
    if not usable:
        return figures.empty("Needs ACMTP10 and the 10y yield on the same dates.", title=title, height=320)
    return _stacked([s.window for s in usable],
                    {"term premium (ACMTP10)": [s.term_premium_bp for s in usable],
                     "expected path": [s.expected_path_bp for s in usable]},
                    [s.total_bp for s in usable], title=title, colors=(SERIES[1], SERIES[0]))


def real_split_figure(splits: Sequence[RealYieldSplit]) -> Figure:
    """The 10y nominal move over 1d/1w/1m as real yield + breakeven (stacked bars, bp)."""
    title = "10y nominal move split: real yield (DFII10) and breakeven (T10YIE)"
    usable = [s for s in splits if s.nominal_bp is not None]
    if not usable:
        return figures.empty("Needs DGS10, DFII10 and T10YIE.", title=title, height=320)
    return _stacked([s.window for s in usable],
                    {"real yield": [s.real_bp for s in usable], "breakeven": [s.breakeven_bp for s in usable]},
                    [s.nominal_bp for s in usable], title=title, colors=(SERIES[2], SERIES[3]))


def real_yields_figure(history: pd.DataFrame, *, as_of: pd.Timestamp | None = None) -> Figure:
    """10y real yield, 10y breakeven and the 5y5y forward inflation expectation (%)."""
    title = "10y real yield, 10y breakeven and 5y5y forward inflation (%)"
    lines = {"10y real (DFII10)": history["real_10y_pct"].dropna(),
             "10y breakeven (T10YIE)": history["breakeven_10y_pct"].dropna(),
             "5y5y forward (T5YIFR)": history["forward_5y5y_pct"].dropna()}
    if all(v.empty for v in lines.values()):
        return figures.empty("DFII10, T10YIE and T5YIFR are not stored.", title=title)
    return _asof_line(figures.history(lines, title=title, y_title="%", zero_line=True, height=380), as_of)


def term_premium_split_card(splits: Sequence[TermPremiumSplit], *, id_: str = "curve-tp-split") -> html.Div:
    """A self-contained card for the Curve page: the 10y move split into term premium and
    expected path over 1d/1w/1m (figure id `id_`)."""
    return card("10y move: term premium or expected path?", graph(id_, split_figure(splits)),
                note("ACM term premium change vs the rest of the 10y move (ACM's risk-neutral "
                     "yield where stored, else the CMT 10y minus ACMTP10, which also holds the "
                     "par-vs-zero gap). Kim-Wright is on the Rates drivers page."))


# -- official indices -------------------------------------------------------------------------
def official_figure(series: pd.DataFrame, *, as_of: pd.Timestamp | None = None) -> Figure:
    """OFR FSI (daily), STLFSI4 and NFCI (weekly): 0 = average stress / conditions."""
    title = "Official stress indices: OFR FSI, St. Louis Fed STLFSI4, Chicago Fed NFCI"
    lines = {name: series[sid].dropna() for sid, name in (
        ("OFR_FSI", "OFR FSI"), ("STLFSI4", "STLFSI4"), ("NFCI", "NFCI")) if sid in series.columns}
    if not any(len(v) for v in lines.values()):
        return figures.empty("None stored: import ofr/OFR_FSI.csv, fred/STLFSI4.csv, fred/NFCI.csv.",
                             title=title)
    return _asof_line(figures.history(lines, title=title, y_title="index (0 = average)", zero_line=True,
                                      height=380), as_of)


def ofr_categories_figure(series: pd.DataFrame, *, as_of: pd.Timestamp | None = None,
                          years: float = 3.0) -> Figure:
    """The OFR FSI's five category contributions over the last `years` to the date (stacked
    bars by week-end; they sum to the index)."""
    title = "OFR FSI by category (contributions sum to the index)"
    cols = [c for c in OFR_CATEGORY_LABELS if c in series.columns]
    frame = series[cols].dropna(how="all") if cols else series.iloc[:0, :0]
    if frame.empty:
        return figures.empty("OFR FSI categories not stored: import ofr/OFR_FSI.csv.", title=title)
    end = frame.index[-1] if as_of is None else min(pd.Timestamp(as_of), frame.index[-1])
    frame = weekly_last(frame.loc[end - pd.DateOffset(days=int(365 * years)): end])
    traces = [{"type": "bar", "name": OFR_CATEGORY_LABELS[c], "x": _dates(frame.index),
               "y": np.round(frame[c].to_numpy(dtype=float), 3).tolist(), "marker": {"color": SERIES[i]}}
              for i, c in enumerate(cols)]
    layout = base_layout(title, y_title="contribution", height=380)
    layout["barmode"] = "relative"
    layout["bargap"] = 0
    return {"data": traces, "layout": layout}


def weekly_last(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame.resample("W-FRI").last().dropna(how="all")`` for float64 columns on dates at
    midnight: each column's last value of each week ending on Friday, weeks without any value
    left out. Done with numpy (pandas builds the calendar of the weeks with a Python loop,
    several ms for three years); other frames go through pandas."""
    index = pd.DatetimeIndex(frame.index)
    stamps = index.to_numpy()
    days = stamps.astype("datetime64[D]")
    if (frame.empty or index.tz is not None or not index.is_monotonic_increasing
            or not (days == stamps).all() or not all(t == np.float64 for t in frame.dtypes)):
        return frame.resample("W-FRI").last().dropna(how="all")
    day = days.astype(np.int64)  # days since 1970-01-01, a Thursday
    label = day + (4 - (day + 3) % 7) % 7  # the Friday on or after each date (Monday = 0)
    weeks = np.unique(label)
    values = frame.to_numpy(dtype=np.float64)
    out = np.full((len(weeks), values.shape[1]), np.nan)
    for j in range(values.shape[1]):
        seen = ~np.isnan(values[:, j])
        lab, val = label[seen], values[seen, j]
        if len(lab):
            last = np.r_[lab[1:] != lab[:-1], True]  # the last observation of each week
            out[np.searchsorted(weeks, lab[last]), j] = val[last]
    kept = ~np.isnan(out).all(axis=1)
    weeks_index = pd.DatetimeIndex(weeks[kept].astype("datetime64[D]"), name=frame.index.name)
    return pd.DataFrame(out[kept], columns=frame.columns, index=weeks_index.as_unit(index.unit))


# -- auctions -----------------------------------------------------------------------------------
def auction_rows(table: pd.DataFrame, as_of: pd.Timestamp, *, count: int = 20,
                 tenor: str | None = None) -> pd.DataFrame:
    """The last `count` auctions on or before `as_of` (optionally one tenor), newest first."""
    rows = table[table["date"] <= as_of] if len(table) else table
    if tenor:
        rows = rows[rows["tenor"] == tenor]
    return rows.tail(count).iloc[::-1]


def _fmt(value: object, fmt: str) -> str:
    number = float(value)  # type: ignore[arg-type]
    return "-" if not np.isfinite(number) else format(number, fmt)


def auction_table_component(rows: pd.DataFrame, *, id_: str = "auct-table") -> html.Table:
    """Auction table: one row per auction, weak ones highlighted."""
    headers = ["date", "tenor", "size $bn", "high yield %", "tail bp (z)", "bid-to-cover (z)",
               "indirect % (z)", "dealer % (z)", "dispersion bp", "weak"]
    body = []
    classes = []
    for r in rows.to_dict("records"):
        weak = r["weak"]
        body.append([
            f"{pd.Timestamp(r['date']):%Y-%m-%d}", r["tenor"] + (" (reopening)" if r["reopening"] == 1 else ""),
            _fmt(r["size_bn"], ".0f"), _fmt(r["high_yield_pct"], ".3f"),
            f"{_fmt(r['tail_bp'], '+.1f')} ({_fmt(r['tail_z'], '+.1f')})",
            f"{_fmt(r['bid_to_cover'], '.2f')} ({_fmt(r['btc_z'], '+.1f')})",
            f"{_fmt(r['indirect_pct'], '.1f')} ({_fmt(r['indirect_z'], '+.1f')})",
            f"{_fmt(r['dealer_pct'], '.1f')} ({_fmt(r['dealer_z'], '+.1f')})",
            _fmt(r["dispersion_bp"], ".1f"),
            "n/a" if pd.isna(weak) else ("WEAK" if weak == 1.0 else "no"),
        ])
        classes.append("row-error" if weak == 1.0 else "")
    return simple_table(id_, headers, body, row_classes=classes)


def auction_calendar_figure(table: pd.DataFrame, as_of: pd.Timestamp, *, days: int = 45) -> Figure:
    """Auctions of the `days` calendar days up to `as_of`: tenor by date, weak ones in red."""
    title = f"Coupon auctions, {days} days to {as_of:%Y-%m-%d}"
    rows = table[(table["date"] > as_of - pd.Timedelta(days=days)) & (table["date"] <= as_of)] \
        if len(table) else table
    if rows.empty:
        return figures.empty("No coupon auction stored in this period.", title=title, height=300)
    colors = [BAD if w == 1.0 else (GRID if pd.isna(w) else GOOD) for w in rows["weak"]]
    text = [f"{t} {pd.Timestamp(d):%Y-%m-%d}: tail {_fmt(tb, '+.1f')} bp, cover {_fmt(b, '.2f')}"
            for t, d, tb, b in zip(rows["tenor"], rows["date"], rows["tail_bp"], rows["bid_to_cover"], strict=True)]
    layout = base_layout(title, y_title="tenor", height=300)
    layout["hovermode"] = "closest"
    layout["yaxis"] = {**layout["yaxis"], "categoryorder": "array", "categoryarray": list(AUCTION_TENORS),
                       "type": "category"}
    return {"data": [{"type": "scatter", "mode": "markers", "name": "auction", "x": _dates(rows["date"]),
                      "y": rows["tenor"].tolist(), "text": text, "hovertemplate": "%{text}<extra></extra>",
                      "marker": {"size": 14, "color": colors, "line": {"color": "#1b1f24", "width": 1}}}],
            "layout": layout}


# -- SOFR swap spreads: segments by source --------------------------------------------------------
def swap_source_label(series_id: str) -> str:
    """Where a swap-rate series comes from, in words."""
    sid = series_id.upper()
    if sid.startswith("DSWP") or sid.startswith("WSWP"):
        return "ICE swap rate (LIBOR), FRED"
    if sid.startswith("SOFRSWP"):
        return "SOFR OIS par swap (Eris)"
    if sid.startswith("DESKSWP"):
        return "desk file (date,tenor,rate)"
    return f"user file ({series_id})"


def swap_segments_figure(series: pd.DataFrame, yields: pd.DataFrame, tenor_years: int = 10, *,
                         as_of: pd.Timestamp | None = None) -> Figure:
    """Swap spread at one tenor (bp), one trace per source series, with a visible break between
    the LIBOR-era (ICE) and SOFR segments."""
    title = f"{tenor_years}y swap spread by source: LIBOR era (ICE) then SOFR"
    ids = [c for c, y in swap_columns(series).items() if y == tenor_years]
    if not ids or yields.empty:
        return figures.empty(f"No {tenor_years}y swap rate stored.", title=title)
    cmt = treasury_yield_at(yields, float(tenor_years))
    ends: list[tuple[pd.Timestamp, pd.Timestamp, str]] = []
    lines = {}
    for sid in sorted(ids, key=lambda c: series[c].first_valid_index() or pd.Timestamp.max):
        spread = ((series[sid].dropna() - cmt.reindex(series[sid].dropna().index)) * 100.0).dropna()
        if spread.empty:
            continue
        lines[f"{swap_source_label(sid)} [{sid}]"] = spread
        ends.append((spread.index[0], spread.index[-1], sid))
    if not lines:
        return figures.empty(f"No {tenor_years}y Treasury yield on the swap dates.", title=title)
    fig = figures.history(lines, title=title, y_title="bp", zero_line=True, height=380, episodes=False)
    fig["layout"]["showlegend"] = True  # the legend names each segment's source
    ends.sort()
    if not any(sid.upper().startswith(("SOFRSWP", "DESKSWP")) for *_, sid in ends):
        fig["layout"].setdefault("annotations", []).append(
            {"x": 1, "y": 1, "xref": "paper", "yref": "paper", "showarrow": False, "xanchor": "right",
             "text": f"no SOFR swap rate after {ends[-1][1]:%Y-%m-%d}: `tsm refresh --source eris` "
                     "or import a desk file (date,tenor,rate)", "font": {"size": 11, "color": BAD}})
    for (_, end, _), (start, _, sid) in zip(ends, ends[1:], strict=False):
        if start > end:
            fig["layout"]["shapes"].append(
                {"type": "rect", "xref": "x", "yref": "paper", "x0": f"{end:%Y-%m-%d}", "x1": f"{start:%Y-%m-%d}",
                 "y0": 0, "y1": 1, "fillcolor": WARN, "opacity": 0.15, "line": {"width": 0}, "layer": "below"})
            fig["layout"].setdefault("annotations", []).append(
                {"x": f"{start:%Y-%m-%d}", "y": 1, "xref": "x", "yref": "paper", "showarrow": False,
                 "text": f"break: {swap_source_label(sid)} from {start:%Y-%m-%d}", "xanchor": "left",
                 "font": {"size": 11, "color": MUTED}})
    return _asof_line(fig, as_of)


# -- Hu-Pan-Wang noise (stretch) ------------------------------------------------------------------
def hpw_noise_figure(series: pd.DataFrame) -> Figure:
    """Hu-Pan-Wang noise and the on-the-run gaps from imported FedInvest files (live data only)."""
    title = "Hu-Pan-Wang noise from FedInvest prices (live data only)"
    if "HPW_NOISE_BP" not in series.columns or series["HPW_NOISE_BP"].dropna().empty:
        return figures.empty("Live data only, no history yet: save TreasuryDirect FedInvest's daily price "
                             "file as securityprice_YYYY-MM-DD.csv and `tsm import` it.", title=title)
    lines = {"noise: RMSE of yield errors, 1-10y": series["HPW_NOISE_BP"].dropna()}
    for n in (2, 5, 10):
        sid = f"OTR_GAP_{n}Y_BP"
        if sid in series.columns and series[sid].notna().any():
            lines[f"{n}y on-the-run gap"] = series[sid].dropna()
    fig = figures.history(lines, title=title, y_title="bp", zero_line=True, episodes=False)
    for trace in fig["data"]:
        trace["mode"] = "lines+markers"
    return fig


# -- tiles for the Overview ---------------------------------------------------------------------
def _num(value: Any, fmt: str) -> str:
    return "n/a" if value is None else format(value, fmt)


def beyond_tiles(doc: dict[str, Any], only: Sequence[str] | None = None) -> list[html.Div]:
    """Headline tiles from the snapshot's issue-11 keys (custody, net liquidity, term premium,
    real yield, recent auctions, OFR FSI, sell America); `only`: tile ids to keep, in order."""
    made = _tiles_by_id(doc)
    return [made[i] for i in (only or list(made))]


def _tiles_by_id(doc: dict[str, Any]) -> dict[str, html.Div]:
    fo, liq, tp = doc["foreign_official"], doc["liquidity"], doc["term_premium"]
    ry, auc, off, sa = doc["real_yields"], doc["auctions"], doc["official_indices"], doc["sell_america"]
    weak = [f"{r['tenor']} {r['date'][5:]}" for r in auc["recent"] if r["weak"]]
    z = fo["zscore"]
    made = [
        tile("Foreign official custody", f"{_num(fo['change_4w_bn'], '+,.0f')} bn / 4w",
             f"{_num(fo['custody_bn'], ',.0f')} bn; z {_num(z, '+.1f')}; {fo['date'] or 'n/a'}",
             id_="glance-custody", colour=BAD if (z or 0) <= -2 else WARN if (z or 0) <= -1 else GRID),
        tile("Net liquidity", f"{_num(liq['net_liquidity_bn'], ',.0f')} bn",
             f"{_num(liq['change_4w_bn'], '+,.0f')} bn over 4 weeks; {liq['date'] or 'n/a'}",
             id_="glance-liquidity"),
        tile("Term premium 10y", f"ACM {_num(tp['acm_10y_pct'], '+.2f')}%",
             f"Kim-Wright {_num(tp['kim_wright_10y_pct'], '+.2f')}%; 1m TP "
             f"{_num(tp['term_premium_1m_bp'], '+.0f')} bp", id_="glance-term-premium"),
        tile("10y real / breakeven", f"{_num(ry['real_10y_pct'], '.2f')}% / {_num(ry['breakeven_10y_pct'], '.2f')}%",
             f"5y5y {_num(ry['forward_5y5y_pct'], '.2f')}%", id_="glance-real"),
        tile("Auctions, last 10 days", f"{len(auc['recent'])} held, {len(weak)} weak",
             ", ".join(weak) or "none flagged", id_="glance-auctions", colour=BAD if weak else GRID),
        tile("OFR FSI", _num(off["ofr_fsi"], "+.2f"), f"STLFSI4 {_num(off['stlfsi4'], '+.2f')}; "
             f"NFCI {_num(off['nfci'], '+.2f')}", id_="glance-ofr"),
        tile("Sell America", "ON" if sa["signal"] else ("off" if sa["signal"] is False else "n/a"),
             f"10y {_num(sa['yield_10y_bp'], '+.0f')} bp, $ {_num(sa['dollar_pct'], '+.1f')}%, "
             f"S&P {_num(sa['equities_pct'], '+.1f')}% ({sa['window_days']}d)", id_="glance-sell-america",
             colour=BAD if sa["signal"] else GRID),
    ]
    return {t.children[1].id: t for t in made}


def beyond_tiles_block(doc: dict[str, Any]) -> html.Div:
    """:func:`beyond_tiles` in a tiles grid."""
    return tiles(beyond_tiles(doc), min_width_px=200)
