"""The page kit (components/kit.py): the graph box, the number reader, the data-mode label and
the store-error handling, on real components and a real (broken) store file."""

from __future__ import annotations

import math
from dataclasses import replace
from pathlib import Path

import pytest
from dash import dcc, html

from components import kit
from components.context import AppContext
from components.widgets import GRAPH_CONFIG
from data.market import demo_market_data


def _text(component: object) -> str:
    if component is None:
        return ""
    if isinstance(component, str | int | float):
        return str(component)
    children = getattr(component, "children", None)
    if isinstance(children, list):
        return "".join(_text(c) for c in children)
    return _text(children)


# -- sized_graph -------------------------------------------------------------------------------
def test_sized_graph_box_takes_the_figure_height_and_the_shared_toolbar():
    box = kit.sized_graph("g1", {"data": [], "layout": {"height": 420}})
    assert box.style == {"height": "420px"}
    inner = box.children
    assert isinstance(inner, dcc.Graph)
    assert inner.id == "g1"
    assert inner.style == {"height": "420px"}
    assert inner.config == GRAPH_CONFIG
    assert inner.config["showSendToCloud"] is False
    assert "sendDataToCloud" in inner.config["modeBarButtonsToRemove"]


def test_sized_graph_explicit_height_wins_and_a_figure_without_height_gets_the_default():
    assert kit.sized_graph("g2", {"data": [], "layout": {"height": 420}}, 250).style == {"height": "250px"}
    assert kit.sized_graph("g3", {"data": []}).style == {"height": f"{kit.DEFAULT_GRAPH_HEIGHT}px"}
    with pytest.raises(ValueError, match="positive number of px"):
        kit.sized_graph("g4", {"data": []}, 0)


# -- read_number -------------------------------------------------------------------------------
@pytest.mark.parametrize(("raw", "expected"), [(4, 4.0), ("4.25", 4.25), (-7.5, -7.5), ("  1e2 ", 100.0)])
def test_read_number_accepts_numbers_and_numeric_text(raw, expected):
    assert kit.read_number(raw, name="Coupon") == expected


@pytest.mark.parametrize(("raw", "message"), [
    (None, "Coupon is empty: type a number of % a year"),
    ("", "Coupon is empty: type a number of % a year"),
    ("   ", "Coupon is empty"),
    ("abc", "Coupon must be a number of % a year, got 'abc'"),
    (True, "Coupon must be a number of % a year, got True"),
    (float("nan"), "Coupon must be a finite number"),
    ("inf", "Coupon must be a finite number, got 'inf'"),
    (-7, r"Coupon must be in \[0, 25\] % a year, got -7"),
    (25.5, r"Coupon must be in \[0, 25\] % a year, got 25.5"),
])
def test_read_number_refuses_with_a_message_naming_the_control(raw, message):
    with pytest.raises(ValueError, match=message):
        kit.read_number(raw, name="Coupon", lo=0, hi=25, unit="% a year")


def test_read_number_bounds_are_inclusive_and_optional():
    assert kit.read_number(0, name="x", lo=0, hi=25) == 0.0
    assert kit.read_number(25, name="x", lo=0, hi=25) == 25.0
    assert kit.read_number(-1e9, name="x", hi=0) == -1e9
    with pytest.raises(ValueError, match=r"x must be in \[-inf, 0\], got 1"):
        kit.read_number(1, name="x", hi=0)
    with pytest.raises(ValueError, match=r"x must be in \[2, inf\], got 1"):
        kit.read_number(1, name="x", lo=2)
    assert math.isfinite(kit.read_number("3", name="x"))


# -- mode_label --------------------------------------------------------------------------------
def test_mode_label_marks_demo_data_and_names_the_other_modes():
    demo = demo_market_data()
    label = kit.mode_label(demo)
    assert _text(label) == "DEMO data, synthetic"
    strong = label.children[0]
    assert isinstance(strong, html.Strong) and strong.style["color"]
    assert _text(kit.mode_label(replace(demo, mode="imported"))) == "imported data"
    assert _text(kit.mode_label(replace(demo, mode="live"))) == "live data"


# -- safe_data ---------------------------------------------------------------------------------
def test_safe_data_reads_an_absent_store_as_the_demo_set(tmp_path: Path):
    data, error = kit.safe_data(AppContext(store_path=tmp_path / "none.sqlite"))
    assert error == ""
    assert data is not None and data.is_demo


def test_safe_data_turns_an_unreadable_store_into_a_message(tmp_path: Path):
    junk = tmp_path / "junk.sqlite"
    junk.write_text("this is not a database\n" * 100)
    data, error = kit.safe_data(AppContext(store_path=junk))
    assert data is None
    assert error.startswith("The store cannot be read: ")
    assert "junk.sqlite" in error
