"""Invalid dates and numbers sent straight to the callbacks (as a script or a tampered browser
would): each answer is a readable message on the page, never an HTTP 500 or Python text."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from app import create_app
from data.model import Batch
from data.store import Store

BAD_DATES = ["not-a-date", "2024-13-45", "9999-12-31", "0001-01-01", 20240102, ["2024-01-02"],
             {"$date": 1}, "2024-01-02T25:99"]


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory):
    store = tmp_path_factory.mktemp("inputs") / "s.sqlite"
    days = pd.bdate_range("2024-01-02", periods=30)
    ids = ["DGS1MO", "DGS3MO", "DGS6MO", "DGS1", "DGS2", "DGS3", "DGS5", "DGS7", "DGS10", "DGS20", "DGS30"]
    frame = pd.concat([pd.DataFrame({"series_id": sid, "date": days, "value": 4.0 + 0.05 * i})
                       for i, sid in enumerate(ids)], ignore_index=True)
    with Store.open(store) as opened:
        opened.write([Batch("fred", "imported", frame)])
    return create_app(store).server.test_client()


def post(client, output: str, outputs: list[dict], inputs: list[dict], state: list[dict] | None = None):
    body = {"output": output, "outputs": outputs, "inputs": inputs, "state": state or [],
            "changedPropIds": [f"{inputs[0]['id']}.{inputs[0]['property']}"]}
    resp = client.post("/_dash-update-component", json=body)
    assert resp.status_code != 500, resp.data[:400]
    assert b"Traceback" not in resp.data
    return resp


def texts(resp) -> str:
    return json.dumps(json.loads(resp.data)["response"]) if resp.status_code == 200 else resp.data.decode()


@pytest.mark.parametrize("bad", BAD_DATES, ids=str)
def test_overview_curve_with_an_invalid_date_says_so(client, bad):
    resp = post(client, "overview-curve.figure", {"id": "overview-curve", "property": "figure"},
                [{"id": "overview-asof", "property": "date", "value": bad}])
    assert resp.status_code == 200
    assert "is not a date" in texts(resp) or "outside" in texts(resp)


@pytest.mark.parametrize("bad", BAD_DATES, ids=str)
def test_overview_glance_with_an_invalid_date_says_so(client, bad):
    resp = post(client, "overview-glance.children", {"id": "overview-glance", "property": "children"},
                [{"id": "overview-asof", "property": "date", "value": bad}])
    assert resp.status_code == 200
    assert "is not a date" in texts(resp) or "outside" in texts(resp)


STRESS_OUT = [{"id": i, "property": p} for i, p in (
    ("stress-history", "figure"), ("stress-contrib", "figure"), ("stress-value", "children"),
    ("stress-categories", "children"), ("stress-missing", "children"), ("stress-error", "children"))]


def stress_inputs(as_of: object, window: object = 5, clip: object = 4) -> list:
    from analytics.stress import CATEGORIES

    weights = [{"id": {"type": "stress-weight", "category": c}, "property": "value", "value": 1}
               for c in CATEGORIES]
    return [{"id": "stress-asof", "property": "date", "value": as_of},
            {"id": "stress-window", "property": "value", "value": window},
            {"id": "stress-clip", "property": "value", "value": clip}, weights]


def stress_output() -> str:
    return ("..stress-history.figure...stress-contrib.figure...stress-value.children..."
            "stress-categories.children...stress-missing.children...stress-error.children..")


@pytest.mark.parametrize("bad", BAD_DATES, ids=str)
def test_stress_with_an_invalid_date_says_so(client, bad):
    resp = post(client, stress_output(), STRESS_OUT, stress_inputs(bad))
    assert resp.status_code == 200
    assert "is not a date" in texts(resp) or "outside" in texts(resp)


@pytest.mark.parametrize("window", ["x", "", [], {"a": 1}, "1e999"], ids=str)
def test_stress_window_that_is_not_a_number_is_explained_without_python_text(client, window):
    resp = post(client, stress_output(), STRESS_OUT, stress_inputs("2024-02-01", window=window))
    assert resp.status_code == 200
    shown = texts(resp)
    assert "standardisation window" in shown
    assert "not supported between" not in shown and "instances of" not in shown


PF_OUT = [{"id": "risk-pf-errors", "property": "children"}, {"id": "risk-pf-positions", "property": "children"},
          {"id": "risk-pf-totals", "property": "children"}, {"id": "risk-pf-hedge-table", "property": "children"}]


LOAD_OUTPUT = "..risk-pf-source.data...risk-pf-upload-error.children...risk-pf-file.children.."
LOAD_OUTPUTS = [{"id": "risk-pf-source", "property": "data"},
                {"id": "risk-pf-upload-error", "property": "children"},
                {"id": "risk-pf-file", "property": "children"}]
BOOK_OUTPUT = ("..risk-pf-errors.children...risk-pf-positions.children...risk-pf-totals.children..."
               "risk-pf-hedge-table.children..")


def load(client, contents: object = None, *, example: bool = False, filename: object = "book.csv"):
    inputs = [{"id": "risk-pf-upload", "property": "contents", "value": contents},
              {"id": "risk-pf-example", "property": "n_clicks", "value": 1 if example else 0}]
    body = {"output": LOAD_OUTPUT, "outputs": LOAD_OUTPUTS, "inputs": inputs,
            "state": [{"id": "risk-pf-upload", "property": "filename", "value": filename}],
            "changedPropIds": ["risk-pf-example.n_clicks" if example else "risk-pf-upload.contents"]}
    resp = client.post("/_dash-update-component", json=body)
    assert resp.status_code != 500, resp.data[:400]
    return resp


def book(client, source: object, as_of: object = "2024-02-01"):
    return post(client, BOOK_OUTPUT, PF_OUT,
                [{"id": "risk-pf-source", "property": "data", "value": source},
                 {"id": "risk-pf-asof", "property": "date", "value": as_of},
                 [{"id": {"type": "risk-fut-dv01", "key": "TU"}, "property": "value", "value": 40}]],
                [[{"id": {"type": "risk-fut-dv01", "key": "TU"}, "property": "id",
                   "value": {"type": "risk-fut-dv01", "key": "TU"}}]])


@pytest.mark.parametrize("bad", BAD_DATES, ids=str)
def test_portfolio_curve_date_that_is_invalid_is_explained(client, bad):
    source = json.loads(load(client, example=True).data)["response"]["risk-pf-source"]["data"]
    resp = book(client, source, bad)
    assert resp.status_code == 200
    assert "is not a date" in texts(resp) or "outside" in texts(resp)


def data_url(text: str) -> str:
    import base64

    return "data:text/csv;base64," + base64.b64encode(text.encode()).decode()


HEADER = "id,type,coupon_pct,maturity,face_usd\n"


def test_an_uploaded_book_stays_on_the_server_and_the_browser_gets_only_a_key(client):
    text = HEADER + "A,bullet,4.0,5,1000000\n"
    resp = load(client, data_url(text))
    source = json.loads(resp.data)["response"]["risk-pf-source"]["data"]
    assert set(source) == {"key", "source"} and len(source["key"]) == 64
    assert "bullet" not in json.dumps(source)
    priced = texts(book(client, source))
    assert "A" in priced and "This portfolio is not on the server" not in priced


def test_a_book_sent_straight_to_the_book_callback_is_never_parsed(client):
    # The old client-side state: a huge book in the store's data goes around the upload check.
    huge = HEADER + "A,bullet,4.0,5,1000000\n" * 1_000
    resp = book(client, {"text": huge, "source": "forged.csv"})
    assert "This portfolio is not on the server" in texts(resp)
    assert "This portfolio is not on the server" in texts(book(client, {"key": "../../etc/passwd"}))
    assert "This portfolio is not on the server" in texts(book(client, ["not", "a", "dict"]))


def test_a_book_with_too_many_rows_is_refused_before_parsing(client):
    text = HEADER + "".join(f"P{i},bullet,4.0,5,1000000\n" for i in range(301))
    resp = load(client, data_url(text))
    shown = texts(resp)
    # Refused: the message, and no book (the previous file's rows and P&L go with it).
    response = json.loads(resp.data)["response"]
    assert "more than 300 positions" in shown and response["risk-pf-source"]["data"] is None


def test_an_upload_above_the_size_limit_is_refused_before_decoding(client):
    contents = "data:text/csv;base64," + "QUFB" * 700_000  # 2.1 MB once decoded
    shown = texts(load(client, contents))
    assert "more than the 2,000,000 accepted" in shown


def test_a_million_row_book_is_refused_quickly_by_the_request_cap(client):
    text = HEADER + "A,bullet,4.0,5,1000000\n" * 1_000_000
    body = {"output": LOAD_OUTPUT, "outputs": LOAD_OUTPUTS,
            "inputs": [{"id": "risk-pf-upload", "property": "contents", "value": data_url(text)},
                       {"id": "risk-pf-example", "property": "n_clicks", "value": 0}],
            "state": [{"id": "risk-pf-upload", "property": "filename", "value": "big.csv"}],
            "changedPropIds": ["risk-pf-upload.contents"]}
    resp = client.post("/_dash-update-component", json=body)
    assert resp.status_code == 413
