"""Issue-11 pages (Flows & liquidity, Rates drivers, Auctions) and their figure builders: the
callbacks as plain functions on a store of real history, and on the DEMO set (nothing stored)."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import plotly.utils
import pytest

from components.context import AppContext
from components.downsample import DEFAULT_MAX_POINTS
from components.figures_beyond import (
    beyond_tiles,
    swap_segments_figure,
    swap_source_label,
)
from components.pages import PAGE_MODULES, auctions, drivers, flows
from data.importer import import_paths
from data.store import Store


def _json(obj: object) -> str:
    if hasattr(obj, "to_plotly_json"):
        obj = obj.to_plotly_json()  # type: ignore[union-attr]
    return json.dumps(obj, cls=plotly.utils.PlotlyJSONEncoder)


FILES = [*(f"fred/{s}.csv" for s in (
    "DGS2", "DGS3", "DGS5", "DGS7", "DGS10", "DGS20", "DGS30", "WMTSECL1", "WALCL", "WDTGAL",
    "RRPONTSYD", "THREEFYTP10", "DFII10", "T10YIE", "T5YIFR", "DTWEXBGS", "SP500", "STLFSI4", "NFCI")),
    "nyfed/ACMTP10.csv", "ofr/OFR_FSI.csv", "treasury/auctions_2008_2026.csv"]


@pytest.fixture(scope="module")
def real_ctx(shared_data: Path, tmp_path_factory: pytest.TempPathFactory) -> AppContext:
    path = tmp_path_factory.mktemp("beyond") / "store.sqlite"
    with Store.open(path) as store:
        import_paths(store, [shared_data / f for f in FILES])
    return AppContext(path)


@pytest.fixture(scope="module")
def demo_ctx(tmp_path_factory: pytest.TempPathFactory) -> AppContext:
    return AppContext(tmp_path_factory.mktemp("demo") / "absent.sqlite")


def test_new_pages_are_registered_after_the_existing_ones() -> None:
    # ... and before the data page, the last (a tool, not a reading).
    assert PAGE_MODULES[-4:] == ("components.pages.flows", "components.pages.drivers",
                                 "components.pages.auctions", "components.pages.data")
    assert (flows.PATH, drivers.PATH, auctions.PATH) == ("/flows", "/drivers", "/auctions")


def test_flows_page_in_april_2025(real_ctx: AppContext) -> None:
    block, custody, dollar, sell, liquidity, official, categories = flows.update(real_ctx, "2025-04-25")
    text = _json(block)
    assert "glance-custody" in text and "glance-liquidity" in text and "glance-ofr" in text
    # The 5-day sell-America signature of the tariff sell-off shows on 2025-04-22
    # (analytics.crossasset's docstring): a marker on the dollar chart that day.
    markers = dollar["data"][-1]
    assert markers["name"] == "sell-America signature on" and "2025-04-22" in markers["x"]
    assert [t["name"] for t in liquidity["data"]] == ["net liquidity", "Fed assets (WALCL)", "TGA (WDTGAL)",
                                                      "ON RRP (RRPONTSYD)"]
    assert [t["name"] for t in official["data"]] == ["OFR FSI", "STLFSI4", "NFCI"]
    assert len(categories["data"]) == 5 and categories["layout"]["barmode"] == "relative"
    for fig in (custody, dollar, sell, liquidity, official):
        assert all(len(t["x"]) <= 2 * DEFAULT_MAX_POINTS for t in fig["data"])
        assert len(_json(fig)) < 200_000


def test_drivers_page_labels_the_two_models_and_splits_add_up(real_ctx: AppContext) -> None:
    block, tp, tp_split, real_split, real = drivers.update(real_ctx, "2020-03-20")
    assert [t["name"] for t in tp["data"]] == ["ACM 10y (ACMTP10)", "Kim-Wright 10y (THREEFYTP10)"]
    assert "CMT 10y minus ACMTP10" in _json(block)  # ACMRNY10 is not in the shared data
    for fig in (tp_split, real_split):
        parts = [t for t in fig["data"] if t["type"] == "bar"]
        total = fig["data"][-1]["y"]
        for i in range(len(total)):
            assert parts[0]["y"][i] + parts[1]["y"][i] == pytest.approx(total[i], abs=0.02)
    # 1 month to 2020-03-20: the 10y fell 60 bp (DGS10 1.52 -> 0.92 over 21 observations).
    assert tp_split["data"][-1]["x"] == ["1 day", "1 week", "1 month"]
    assert tp_split["data"][-1]["y"][2] == pytest.approx(-60.0, abs=0.01)


def test_curve_card_follows_the_curve_pages_date(real_ctx: AppContext) -> None:
    early = drivers.curve_card_figure(real_ctx, "2020-03-20")
    late = drivers.curve_card_figure(real_ctx, "2025-04-11")
    assert early["data"][-1]["y"] != late["data"][-1]["y"]
    assert late["data"][-1]["y"][1] == pytest.approx(47.0, abs=0.01)  # 10y +47 bp over the week


def test_auctions_page_headline_table_and_tenor_filter(real_ctx: AppContext) -> None:
    calendar, table, headline = auctions.update(real_ctx, "2025-04-11", "all")
    assert headline == ("3 coupon auction(s) in the 10 business days to 2025-04-11; 1 weak: 3Y on "
                        "2025-04-08")
    assert set(calendar["data"][0]["y"]) >= {"3Y", "10Y", "30Y"}
    _, ten, _ = auctions.update(real_ctx, "2025-04-11", "10Y")
    cells = [row.children[1].children for row in ten.children[1].children]
    assert len(cells) == auctions.TABLE_ROWS and all(c.startswith("10Y") for c in cells)
    first = ten.children[1].children[0].children
    assert first[0].children == "2025-04-09" and first[5].children.startswith("2.67 ")


def test_pages_say_what_is_missing_when_only_yields_are_stored(shared_data: Path, tmp_path: Path) -> None:
    path = tmp_path / "yields.sqlite"
    with Store.open(path) as store:
        import_paths(store, [shared_data / "fred" / "DGS10.csv"])
    ctx = AppContext(path)
    block, *figs = flows.update(ctx, None)
    assert "WMTSECL1" in _json(figs[0])  # the custody chart says what to import
    calendar, table, _ = auctions.update(ctx, None, "all")
    assert "No auctions stored" in _json(table)
    block, *figs = drivers.update(ctx, None)
    assert "not stored" in _json(block)
    for page in (flows, drivers, auctions):
        assert page.layout(ctx) is not None


def test_demo_set_fills_every_new_chart(demo_ctx: AppContext) -> None:
    for figs in (flows.update(demo_ctx, "2025-04-11")[1:], drivers.update(demo_ctx, "2025-04-11")[1:]):
        assert all(fig["data"] for fig in figs)
    calendar, table, headline = auctions.update(demo_ctx, "2025-04-11", "all")
    assert calendar["data"] and "coupon auction(s) in the 10 business days to 2025-04-11" in headline


def synthetic_swaps() -> tuple[pd.DataFrame, pd.DataFrame]:
    libor = pd.bdate_range("2015-01-02", "2016-10-28")
    sofr = pd.bdate_range("2024-01-02", "2025-04-11")
    days = libor.union(sofr)
    yields = pd.DataFrame({"10y": 2.0, "7y": 1.9, "20y": 2.2}, index=days)
    yields.index.name = "date"
    series = pd.DataFrame({"DSWP10": pd.Series(1.9, index=libor), "SOFRSWP10Y": pd.Series(1.6, index=sofr)},
                          index=days)
    series.index.name = "date"
    return series, yields


def test_swap_spread_segments_keep_their_source_and_show_the_break() -> None:
    series, yields = synthetic_swaps()
    fig = swap_segments_figure(series, yields, 10)
    names = [t["name"] for t in fig["data"]]
    assert names == ["ICE swap rate (LIBOR), FRED [DSWP10]", "SOFR OIS par swap (Eris) [SOFRSWP10Y]"]
    assert fig["data"][0]["y"][0] == pytest.approx(-10.0) and fig["data"][1]["y"][-1] == pytest.approx(-40.0)
    gap = [s for s in fig["layout"]["shapes"] if s.get("type") == "rect"]
    assert [(s["x0"], s["x1"]) for s in gap] == [("2016-10-28", "2024-01-02")]
    assert "break: SOFR OIS par swap (Eris) from 2024-01-02" in _json(fig["layout"]["annotations"])
    assert swap_source_label("DESKSWP10Y") == "desk file (date,tenor,rate)"


def test_tiles_carry_each_keys_headline(real_ctx: AppContext) -> None:
    from analytics.beyond import beyond_snapshot

    doc = beyond_snapshot(real_ctx.data().series, pd.Timestamp("2020-04-08"))
    made = {t.children[1].id: t.children[1].children for t in beyond_tiles(doc)}
    assert made["glance-custody"] == "-118 bn / 4w"  # 2,843,669 - 2,961,623 $mn
    assert made["glance-sell-america"] in ("ON", "off")


def test_hpw_noise_card_says_live_data_only_until_a_file_is_imported() -> None:
    from components.figures_beyond import hpw_noise_figure

    days = pd.to_datetime(["2024-06-26", "2024-06-27"])
    empty = pd.DataFrame(index=days)
    assert "Live data only" in _json(hpw_noise_figure(empty))
    stored = pd.DataFrame({"HPW_NOISE_BP": [1.2, 1.5], "OTR_GAP_10Y_BP": [0.8, 1.1]}, index=days)
    fig = hpw_noise_figure(stored)
    assert [t["name"] for t in fig["data"]] == ["noise: RMSE of yield errors, 1-10y", "10y on-the-run gap"]
    assert "live data only" in fig["layout"]["title"]["text"]


def test_swap_spread_without_sofr_says_how_to_continue_it() -> None:
    series, yields = synthetic_swaps()
    fig = swap_segments_figure(series.drop(columns="SOFRSWP10Y"), yields, 10)
    assert [t["name"] for t in fig["data"]] == ["ICE swap rate (LIBOR), FRED [DSWP10]"]
    assert fig["layout"]["showlegend"] is True
    assert "no SOFR swap rate after 2016-10-28: `tsm refresh --source eris`" in _json(fig["layout"]["annotations"])


def _graphs(node: object) -> dict[str, dict]:
    """Graph id -> figure of every dcc.Graph in a layout's JSON."""
    found: dict[str, dict] = {}

    def walk(item: object) -> None:
        if isinstance(item, dict):
            props = item.get("props", {})
            if item.get("type") == "Graph":
                found[props["id"]] = props["figure"]
            for value in props.values():
                walk(value)
        elif isinstance(item, list):
            for value in item:
                walk(value)

    walk(json.loads(_json(node)))
    return found


@pytest.mark.parametrize("page", [flows, drivers], ids=["flows", "drivers"])
def test_the_page_brings_its_figures_and_a_date_change_moves_only_the_as_of_lines(
    page: object, demo_ctx: AppContext,
) -> None:
    """The layout carries the figures as of the URL's date; a date change sends the
    full-history figures' shapes only (the traces stay in the browser), and the date-bound
    figures whole."""
    drawn = _graphs(page.layout(demo_ctx, {"as_of": "2020-03-20"}))
    assert list(drawn) == list(page.GRAPH_IDS)
    full = page.figures_view(demo_ctx, "2023-06-30")
    sent = page.date_change(demo_ctx, "2023-06-30")
    patched = 0
    for graph_id, fig, out in zip(page.GRAPH_IDS, full, sent, strict=True):
        assert json.loads(_json(drawn[graph_id]))["data"], graph_id  # drawn with data
        if isinstance(out, dict):
            assert _json(out) == _json(fig)
            continue
        patched += 1
        ops = out.to_plotly_json()["operations"]
        assert [(o["operation"], o["location"]) for o in ops] == [("Assign", ["layout", "shapes"])]
        shapes = ops[0]["params"]["value"]
        assert shapes == fig["layout"]["shapes"]
        assert [s["x0"] for s in shapes if s.get("line", {}).get("dash") == "dot"] == ["2023-06-30"]
        before = [s["x0"] for s in drawn[graph_id]["layout"]["shapes"] if s.get("line", {}).get("dash") == "dot"]
        assert before == ["2020-03-20"]
        assert len(_json(out)) * 10 < len(_json(fig))
    assert patched == {"flows": 5, "drivers": 2}[page.__name__.rsplit(".", 1)[-1]]
