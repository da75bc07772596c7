"""Overview page: the at-a-glance tiles read the snapshot of the chosen date."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from components.context import AppContext
from components.pages import overview
from data.model import Batch
from data.store import Store


def text_of(component) -> str:
    return json.dumps(component.to_plotly_json(), default=lambda o: o.to_plotly_json())


@pytest.fixture(scope="module")
def real_ctx(tmp_path_factory, shared_data):
    wide = pd.read_csv(shared_data / "fred" / "treasury_cmt_wide.csv", parse_dates=["date"])
    obs = wide.melt(id_vars="date", var_name="series_id", value_name="value").dropna()
    path = tmp_path_factory.mktemp("ov") / "store.sqlite"
    with Store.open(path) as store:
        store.write([Batch("fred", "imported", obs[["series_id", "date", "value"]])])
    return AppContext(path)


def test_glance_of_the_tariff_week_reads_the_real_move(real_ctx, shared_data):
    dgs = pd.read_csv(shared_data / "fred" / "treasury_cmt_wide.csv", index_col="date")
    move = (dgs.loc["2025-04-11", "DGS10"] - dgs.loc["2025-04-11", "DGS2"]
            - dgs.loc["2025-04-04", "DGS10"] + dgs.loc["2025-04-04", "DGS2"]) * 100
    text = text_of(overview.glance_for(real_ctx, "2025-04-11"))
    assert f"{move:+.0f} bp bear steepener" in text
    assert f"{dgs.loc['2025-04-11', 'DGS10']:.2f}%" in text
    assert "As of 2025-04-11" in text


def test_glance_says_n_a_for_what_the_store_lacks(real_ctx):
    text = text_of(overview.glance_for(real_ctx, "2025-04-11"))
    # no CFTC data stored: the tile says n/a and why
    assert "Leveraged funds net" in text
    assert "n/a: positioning: no CFTC positions stored (import or refresh CFTC TFF)" in text
    # no funding series stored: never "off", which would read as all clear
    assert "0 of 3 lights readable" in text and "3 cannot be evaluated" in text
    assert "off (" not in text


def test_glance_on_demo_data_has_six_tiles_and_the_seven_of_issue_11(tmp_path):
    out = overview.glance_for(AppContext(tmp_path / "absent.sqlite"), None)
    assert text_of(out).count("glance-") == 6 + 7
