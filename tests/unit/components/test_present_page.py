"""Meeting mode: query parsing, formatting, the monitor layout and the router's hook."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from plotly.utils import PlotlyJSONEncoder

from analytics.monitor import Change, MonitorCell
from components.context import AppContext
from components.pages import present
from tests.conftest import route_request


def _cell(value: float | None, units: str, change_units: str = "bp") -> MonitorCell:
    return MonitorCell("k", "k", "curve", units, change_units, value, None, False, ())


def test_meeting_mode_is_asked_for_by_present_1_only():
    assert present.is_present("?present=1")
    assert present.is_present("?as_of=2020-03-18&present=1&theme=light")
    assert not present.is_present("?present=0") and not present.is_present("") \
        and not present.is_present(None)
    assert present.shows_monitor("/", "?present=1")
    assert not present.shows_monitor("/curve", "?present=1")  # other pages keep their content
    assert not present.shows_monitor("/", "?theme=dark")


@pytest.mark.parametrize(("search", "expected"), [
    ("?present=1&as_of=2020-03-18", pd.Timestamp("2020-03-18")),
    ("?present=1", None),
    ("?present=1&as_of=", None),
])
def test_as_of_of_the_query(search, expected):
    assert present.parse_as_of(search) == (expected, None)


@pytest.mark.parametrize("raw", ["yesterday", "2020-3-18", "18/03/2020", "2020-02-30", "now"])
def test_a_bad_as_of_gets_a_message_that_names_it(raw):
    when, problem = present.parse_as_of(f"?present=1&as_of={raw}")
    assert when is None and problem is not None and raw in problem


def test_values_are_written_in_their_units():
    assert present.format_value(_cell(4.47, "%")) == "4.47%"
    assert present.format_value(_cell(-6.0, "bp")) == "\u22126 bp"
    assert present.format_value(_cell(12.4, "bp")) == "12.4 bp"
    assert present.format_value(_cell(-718.0572, "USD bn")) == "\u2212718 bn"
    assert present.format_value(_cell(10.489, "USD bn")) == "10.5 bn"
    assert present.format_value(_cell(0.4458, "z", "z")) == "+0.45 z"
    assert present.format_value(_cell(None, "%")) == "n/a"


def test_changes_carry_their_direction_in_an_arrow_not_only_a_colour():
    day = pd.Timestamp("2020-03-17")
    assert present.format_change(Change("1d", day, 16.0), "bp") == "\u25b2\u2009+16"
    assert present.format_change(Change("1w", day, -37.0), "bp") == "\u25bc\u2009\u221237"
    assert present.format_change(Change("1w", day, 0.0), "bp") == "=\u20090"
    assert present.format_change(Change("1m", day, -17.687), "USD bn") == "\u25bc\u2009\u221218"
    assert present.format_change(Change("1d", day, 3.032), "USD bn") == "\u25b2\u2009+3.0"
    assert present.format_change(Change("1m", None, None), "bp") == "n/a"


@pytest.fixture(scope="module")
def demo_ctx(tmp_path_factory):
    return AppContext(tmp_path_factory.mktemp("present") / "absent.sqlite")


def _ids(component) -> set[str]:
    found: set[str] = set()

    def walk(node):
        if isinstance(node, list | tuple):
            for child in node:
                walk(child)
            return
        ident = getattr(node, "id", None)
        if isinstance(ident, str):
            found.add(ident)
        walk(getattr(node, "children", None) or [])

    walk(component)
    return found


def test_the_monitor_has_every_level_the_top_contributor_and_three_lights(demo_ctx):
    ids = _ids(present.layout(demo_ctx, "?present=1"))
    for key in ("2y", "5y", "10y", "30y", "2s10s", "5s30s", "3m10y", "sofr", "effr",
                "sofr_effr", "sofr_iorb", "rrp", "lev_net", "stress"):
        assert f"mon-value-{key}" in ids, key
        if key != "lev_net":
            assert f"mon-chg-{key}-1d" in ids
        assert f"mon-chg-{key}-1w" in ids and f"mon-chg-{key}-1m" in ids
    assert "mon-chg-lev_net-1d" not in ids  # weekly: no 1-day change
    assert "mon-value-top" in ids
    assert {f"mon-value-light-{n}" for n in ("sofr_up", "sofr_effr_widening", "fed_facilities")} <= ids


def test_a_date_before_the_data_shows_n_a_not_a_crash(demo_ctx):
    text = json.dumps(present.layout(demo_ctx, "?present=1&as_of=1950-01-03"), cls=PlotlyJSONEncoder)
    assert "n/a" in text and "1950-01-03" in text


def test_a_bad_as_of_is_a_message_on_the_page(demo_ctx):
    text = json.dumps(present.layout(demo_ctx, "?present=1&as_of=2020-13-45"), cls=PlotlyJSONEncoder)
    assert "monitor-error" in text and "2020-13-45" in text and "monitor-grid" not in text


def _route(client, path: str, search: str) -> str:
    resp = client.post("/_dash-update-component", json=route_request(path, search))
    assert resp.status_code == 200, resp.data[:300]
    return resp.get_data(as_text=True)


def test_the_router_shows_the_monitor_on_the_overview_in_meeting_mode_only(tmp_path):
    from app import create_app

    client = create_app(tmp_path / "absent.sqlite").server.test_client()
    meeting = _route(client, "/", "?present=1")
    assert "monitor-grid" in meeting and "overview-curve" not in meeting and "DEMO DATA" in meeting
    assert "overview-curve" in _route(client, "/", "")
    curve = _route(client, "/curve", "?present=1")
    assert "curve-band" in curve and "monitor-grid" not in curve
    bad = _route(client, "/", "?present=1&as_of=2020-02-30")
    assert "monitor-error" in bad and "2020-02-30" in bad


@pytest.mark.parametrize(("state", "text", "css"), [
    ("on", "\u25cf ON", "mon-light-on"),
    ("off", "\u25cb off", "mon-light-off"),
    ("unknown", "? cannot evaluate", "mon-light-unknown"),
])
def test_a_light_says_its_state_in_words_and_a_light_without_data_is_not_off(state, text, css):
    from analytics.monitor import LightCell

    reading = None if state == "unknown" else 12.0
    light = LightCell("sofr_up", "SOFR up significantly", state, reading, 20.0, "bp",
                      None if state == "unknown" else pd.Timestamp("2026-10-29"))
    box = present.light_box(light, pd.Timestamp("2026-10-30"))
    value = next(c for c in box.children if getattr(c, "id", None) == "mon-value-light-sofr_up")
    assert value.children == text and css in box.className
    rendered = json.dumps(box, cls=PlotlyJSONEncoder)
    if state == "unknown":
        assert "mon-light-off" not in rendered and "no reading" in rendered
    else:
        assert "as of 2026-10-29" in rendered  # older than the as-of date: its date is shown
        assert "12.0 bp (on above 20 bp)" in rendered
