"""The Flows & liquidity, Rates drivers and Auctions callbacks, now served from the state's
lookups and per-state figures, return what they returned before (the figure builders called
with ``as_of=`` on every request, the snapshot keys sliced from the full histories), on the DEMO
set and on real history; the weekly OFR categories equal pandas' resample."""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import plotly.utils
import pytest
from dash import html

from analytics.real_yields import WINDOWS as REAL_WINDOWS
from analytics.term_premium import WINDOWS
from components import figures
from components.context import AppContext
from components.figures_beyond import (
    OFR_CATEGORY_LABELS,
    auction_calendar_figure,
    auction_rows,
    auction_table_component,
    beyond_tiles,
    custody_figure,
    dollar_figure,
    liquidity_figure,
    official_figure,
    real_split_figure,
    real_yields_figure,
    sell_america_figure,
    split_figure,
    term_premium_figure,
    weekly_last,
)
from components.pages import auctions, drivers, flows
from components.theme import SERIES, base_layout
from components.widgets import tiles
from data.importer import import_paths
from data.store import Store
from tests.unit.analytics import beyond_before as before

FILES = [*(f"fred/{s}.csv" for s in (
    "DGS2", "DGS3", "DGS5", "DGS7", "DGS10", "DGS20", "DGS30", "WMTSECL1", "WALCL", "WDTGAL",
    "RRPONTSYD", "THREEFYTP10", "DFII10", "T10YIE", "T5YIFR", "DTWEXBGS", "SP500", "STLFSI4", "NFCI")),
    "nyfed/ACMTP10.csv", "ofr/OFR_FSI.csv", "treasury/auctions_2008_2026.csv"]

#: Dates: weekends, holidays, before the issue-11 series start, stale ends, after the data.
DATES = ("2025-04-11", "2025-04-19", "2024-12-25", "2020-03-20", "2008-10-10", "2003-01-01",
         "1995-06-30", "2016-09-24", "2025-09-30", "2026-10-30", "2027-03-01")


def _json(obj: object) -> str:
    if hasattr(obj, "to_plotly_json"):
        obj = obj.to_plotly_json()  # type: ignore[union-attr]
    return json.dumps(obj, cls=plotly.utils.PlotlyJSONEncoder)


@pytest.fixture(scope="module")
def demo_ctx(tmp_path_factory: pytest.TempPathFactory) -> AppContext:
    return AppContext(tmp_path_factory.mktemp("demo") / "absent.sqlite")


@pytest.fixture(scope="module")
def real_ctx(shared_data: Path, tmp_path_factory: pytest.TempPathFactory) -> AppContext:
    path = tmp_path_factory.mktemp("beyond") / "store.sqlite"
    with Store.open(path) as store:
        import_paths(store, [shared_data / f for f in FILES])
    return AppContext(path)


# -- the callbacks as they were (components/pages/*.py before) -----------------------------------
def ofr_categories_before(series: pd.DataFrame, *, as_of: pd.Timestamp | None = None,
                          years: float = 3.0) -> dict[str, Any]:
    title = "OFR FSI by category (contributions sum to the index)"
    cols = [c for c in OFR_CATEGORY_LABELS if c in series.columns]
    if not cols or series[cols].dropna(how="all").empty:
        return figures.empty("OFR FSI categories not stored: import ofr/OFR_FSI.csv.", title=title)
    frame = series[cols].dropna(how="all")
    end = frame.index[-1] if as_of is None else min(pd.Timestamp(as_of), frame.index[-1])
    frame = frame.loc[end - pd.DateOffset(days=int(365 * years)): end].resample("W-FRI").last().dropna(how="all")
    traces = [{"type": "bar", "name": OFR_CATEGORY_LABELS[c], "x": pd.DatetimeIndex(frame.index).strftime("%Y-%m-%d").tolist(),
               "y": np.round(frame[c].to_numpy(dtype=float), 3).tolist(), "marker": {"color": SERIES[i]}}
              for i, c in enumerate(cols)]
    layout = base_layout(title, y_title="contribution", height=380)
    layout["barmode"] = "relative"
    layout["bargap"] = 0
    return {"data": traces, "layout": layout}


def _old_doc(ctx: AppContext, when: pd.Timestamp) -> dict[str, Any]:
    data, h = ctx.data(), ctx.state().beyond
    frames = {name: getattr(h, name) for name in ("custody", "liquidity", "term_premium",
                                                    "real_yields", "auctions", "sell_america")}
    return before.beyond_snapshot(data.series, when, frames)


def flows_before(ctx: AppContext, as_of: str) -> tuple[Any, ...]:
    data, h = ctx.data(), ctx.state().beyond
    when = pd.Timestamp(as_of)
    doc = _old_doc(ctx, when)
    picked = beyond_tiles(doc, flows.TILE_IDS)
    missing = [m for key in ("foreign_official", "liquidity", "official_indices", "sell_america")
               for m in doc[key]["missing"]]
    block = html.Div([tiles(picked, min_width_px=220),
                      html.Ul([html.Li(m) for m in missing], id="flows-missing") if missing else None])
    return (block, custody_figure(h.custody, as_of=when),
            dollar_figure(data.series, h.sell_america, as_of=when),
            sell_america_figure(h.sell_america, as_of=when), liquidity_figure(h.liquidity, as_of=when),
            official_figure(data.series, as_of=when), ofr_categories_before(data.series, as_of=when))


def drivers_before(ctx: AppContext, as_of: str) -> tuple[Any, ...]:
    h = ctx.state().beyond
    when = pd.Timestamp(as_of)
    doc = _old_doc(ctx, when)
    tp_splits = [before.term_premium_split(h.term_premium, when, w) for w in WINDOWS]
    real_splits = [before.real_yield_split(h.real_yields, when, w) for w in REAL_WINDOWS]
    missing = [*doc["term_premium"]["missing"], *doc["real_yields"]["missing"]]
    method = doc["term_premium"]["split_method"]
    how = ("expected path = ACM risk-neutral 10y yield (ACMRNY10)" if method == "acm" else
           "expected path = CMT 10y minus ACMTP10 (ACMRNY10 not stored; includes the par-vs-zero gap)"
           if method == "residual" else "no split on this date")
    block = html.Div([tiles(beyond_tiles(doc, drivers.TILE_IDS), min_width_px=240),
                      html.P(how, id="drivers-split-method", className="note"),
                      html.Ul([html.Li(m) for m in missing], id="drivers-missing") if missing else None])
    return (block, term_premium_figure(h.term_premium, as_of=when), split_figure(tp_splits),
            real_split_figure(real_splits), real_yields_figure(h.real_yields, as_of=when))


def _check_pages(ctx: AppContext) -> None:
    for day in DATES:
        new = flows.update(ctx, day)
        old = flows_before(ctx, day)
        assert len(new) == len(old) == 1 + len(flows.GRAPH_IDS)
        for got, want in zip(new, old, strict=True):
            assert _json(got) == _json(want), day
        new = drivers.update(ctx, day)
        old = drivers_before(ctx, day)
        assert len(new) == len(old) == 1 + len(drivers.GRAPH_IDS)
        for got, want in zip(new, old, strict=True):
            assert _json(got) == _json(want), day
        assert _json(drivers.curve_card_figure(ctx, day)) == _json(old[2])
        when = pd.Timestamp(day)
        table = ctx.state().beyond.auctions
        calendar, rows, headline = auctions.update(ctx, day, "all")
        recent = before.auctions_as_of(ctx.data().series, when, table=table)
        weak = [r for r in recent.recent if r.weak]
        assert headline.startswith(f"{len(recent.recent)} coupon auction(s) in the 10 business days "
                                   f"to {when:%Y-%m-%d}; {len(weak)} weak") or table.empty
        if not table.empty:
            assert _json(calendar) == _json(auction_calendar_figure(table, when))
            assert _json(rows) == _json(auction_table_component(
                auction_rows(table, when, count=auctions.TABLE_ROWS)))


def test_pages_unchanged_on_the_demo_set(demo_ctx: AppContext) -> None:
    _check_pages(demo_ctx)


def test_pages_unchanged_on_real_history(real_ctx: AppContext) -> None:
    _check_pages(real_ctx)


def test_shared_figures_are_not_marked_by_earlier_requests(demo_ctx: AppContext) -> None:
    first = flows.update(demo_ctx, "2020-03-20")
    second = flows.update(demo_ctx, "2025-04-11")
    again = flows.update(demo_ctx, "2020-03-20")
    for a, b, c in zip(first[1:-1], second[1:-1], again[1:-1], strict=True):
        lines = [s for s in b["layout"]["shapes"] if s.get("line", {}).get("dash") == "dot"]
        assert [s["x0"] for s in lines] == ["2025-04-11"]
        assert len(a["layout"]["shapes"]) == len(b["layout"]["shapes"])
        assert _json(a) == _json(c)


def test_weekly_last_equals_pandas_resample(demo_ctx: AppContext) -> None:
    series = demo_ctx.state().measures.series
    cols = [c for c in OFR_CATEGORY_LABELS if c in series.columns] or ["OFR_FSI"]
    frame = series[cols].dropna(how="all")
    frame = frame.mask(np.random.default_rng(1).random(frame.shape) < 0.3)  # NaNs inside weeks
    rng = random.Random(4)
    windows = [frame, frame.iloc[:1], frame.iloc[:0]]
    for _ in range(60):
        a = rng.randrange(len(frame))
        windows.append(frame.iloc[a: a + rng.randrange(1, 900)])
    # Weekends, one day only, and a column that is all NaN.
    odd = pd.DataFrame({"a": [1.0, np.nan, 3.0, 4.0], "b": np.nan},
                       index=pd.to_datetime(["2025-04-12", "2025-04-13", "2025-04-18", "2025-04-19"]))
    windows += [odd, odd.iloc[1:2]]
    for window in windows:
        want = window.resample("W-FRI").last().dropna(how="all")
        pd.testing.assert_frame_equal(weekly_last(window), want, check_freq=False, check_exact=True)
    # Not at midnight, or not floats: pandas does it.
    timed = odd.set_axis(odd.index + pd.Timedelta(hours=12))
    pd.testing.assert_frame_equal(weekly_last(timed), timed.resample("W-FRI").last().dropna(how="all"))
