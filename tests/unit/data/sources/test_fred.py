"""FRED parsers on hand-written payloads, planning, and the keyed path through fredapi."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import fredapi
import pandas as pd
import pytest

from data.http import HttpClient, HttpSettings, SourceError
from data.sources import PayloadError, Query
from data.sources.fred import (
    FredProvider,
    fred_series,
    min_interval_s,
    parse_fred_json,
    parse_fred_xml,
    parse_fredgraph_csv,
)
from tests.conftest import read_shared_series
from tests.fixtures import payload
from tests.fixtures.http_server import LocalServer, Reply

KEY = "0123456789abcdef0123456789abcdef"


def values(batch_obs: pd.DataFrame, series_id: str) -> dict[str, float]:
    rows = batch_obs[batch_obs["series_id"] == series_id]
    return {f"{d:%Y-%m-%d}": v for d, v in zip(rows["date"], rows["value"], strict=True)}


def test_fredgraph_current_format_drops_empty_values() -> None:
    batch = parse_fredgraph_csv(payload("fred/DGS10_current.csv"))
    assert values(batch.observations, "DGS10") == {
        "2025-12-22": 4.17, "2025-12-23": 4.17, "2025-12-24": 4.15, "2025-12-26": 4.14}
    assert batch.source == "fred" and batch.origin == "live"


def test_fredgraph_legacy_format_drops_dots() -> None:
    batch = parse_fredgraph_csv(payload("fred/DGS10_legacy.csv"), origin="imported")
    assert values(batch.observations, "DGS10") == {"1962-02-08": 4.04, "1962-02-09": 4.05, "1962-02-13": 4.05}
    assert batch.origin == "imported"


def test_fredgraph_with_several_series_columns() -> None:
    batch = parse_fredgraph_csv(b"observation_date,DGS2,DGS10\n2024-01-02,4.33,3.95\n2024-01-03,,3.91\n")
    assert values(batch.observations, "DGS2") == {"2024-01-02": 4.33}
    assert values(batch.observations, "DGS10") == {"2024-01-02": 3.95, "2024-01-03": 3.91}


def test_fredgraph_values_match_the_shared_history(shared_data: Path) -> None:
    history = read_shared_series(shared_data, "fred/DGS10.csv")
    batch = parse_fredgraph_csv(b"observation_date,DGS10\n1962-01-02,4.06\n2020-03-09,0.54\n")
    for day, value in values(batch.observations, "DGS10").items():
        assert history[pd.Timestamp(day)] == pytest.approx(value, abs=1e-12)


@pytest.mark.parametrize(
    ("text", "line", "column", "problem"),
    [
        (b"observation_date,DGS10\n2024-01-02,4.0\n2024-01-03,abc\n", 3, "DGS10", "'abc' is not a number"),
        (b"observation_date,DGS10\n2024-13-02,4.0\n", 2, "observation_date", "is not a date"),
        (b"observation_date,DGS10\n2024-01-02,4.0\n2024-01-02,4.1\n", 3, "observation_date", "already appears on line 2"),
        (b"observation_date,DGS10\n2024-01-02,4.0,9\n", 2, None, "row has 3 fields, the header has 2"),
        (b"observation_date,DGS10,DGS10\n", 1, "DGS10", "duplicate header"),
        (b"<html><body>Access denied</body></html>\n", 1, None, "not a FRED CSV"),
    ],
)
def test_fredgraph_malformed_payloads_name_line_and_column(
    text: bytes, line: int, column: str | None, problem: str
) -> None:
    with pytest.raises(PayloadError) as info:
        parse_fredgraph_csv(text)
    assert (info.value.line, info.value.column) == (line, column)
    assert problem in info.value.problem


def test_fred_json_strings_and_dot_missing() -> None:
    batch = parse_fred_json(payload("fred/T10Y3M.json"), series_id="T10Y3M")
    assert values(batch.observations, "T10Y3M") == {"2023-01-03": -0.74, "2023-01-04": -0.86, "2023-01-05": -0.8}


def test_fred_json_error_body_and_bad_value_are_explained() -> None:
    with pytest.raises(PayloadError, match="FRED error 400: Bad Request.  The value for variable api_key"):
        parse_fred_json(b'{"error_code": 400, "error_message": "Bad Request.  The value for variable '
                        b'api_key is not registered."}', series_id="X")
    with pytest.raises(PayloadError) as info:
        parse_fred_json(b'{"observations":[{"date":"2023-01-03","value":"1.0"},{"date":"2023-01-04","value":"n/a"}]}',
                        series_id="X")
    assert info.value.column == "observations[1].value"


def test_fred_xml_matches_fredapi_own_parsing() -> None:
    # fredapi is an independent reader of the same XML: both must agree value for value.
    raw = payload("fred/SP500.xml")
    ours = parse_fred_xml(raw, series_id="SP500").observations.set_index("date")["value"]
    reference = _fredapi_series(raw).dropna()
    assert list(ours.index) == list(reference.index)
    assert ours.to_numpy() == pytest.approx(reference.to_numpy(), abs=0)
    assert ours[pd.Timestamp("2014-09-02")] == 2002.28


def _fredapi_series(raw: bytes) -> pd.Series:
    import xml.etree.ElementTree as ET

    class Offline(fredapi.Fred):  # type: ignore[misc]
        def _Fred__fetch_data(self, url: str) -> ET.Element:  # noqa: N802
            return ET.fromstring(raw)

    series: pd.Series = Offline(api_key="x").get_series("SP500")
    return series


def test_fred_xml_bad_value_names_its_line_and_errors_are_readable() -> None:
    raw = payload("fred/SP500.xml").replace(b'value="2000.72"', b'value="2,000.72"')
    with pytest.raises(PayloadError) as info:
        parse_fred_xml(raw, series_id="SP500")
    assert info.value.line == 4 and "'2,000.72' is not a number" in info.value.problem
    with pytest.raises(PayloadError, match="FRED error 400: Bad Request"):
        parse_fred_xml(b'<?xml version="1.0"?>\n<error code="400" message="Bad Request.  Variable x."/>',
                       series_id="X")
    with pytest.raises(PayloadError) as broken:
        parse_fred_xml(b"<observations>\n<observation date='2020-01-02' value='1'>\n", series_id="X")
    assert "malformed XML" in broken.value.problem and broken.value.line is not None


def test_series_list_covers_the_catalogue_fred_entries() -> None:
    ids = fred_series()
    for series_id in ("DGS1MO", "DGS30", "SOFR", "EFFR", "IORB", "IOER", "RRPONTSYD", "RPONTSYD",
                      "WLCFLPCL", "WRESBAL", "DTWEXBGS", "SP500", "DSWP10", "MORTGAGE30US", "VIXCLS",
                      "STLFSI4", "SOFR99"):
        assert series_id in ids
    assert "MOVE" not in ids


def test_plan_without_key_uses_fredgraph_csv_from_the_start_date(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("FRED_API_KEY", raising=False)
    monkeypatch.setenv("TSM_FRED_URL", "http://fred.test")
    provider = FredProvider(client=HttpClient(settings=HttpSettings(1, 0, 0, 0, 1000)))
    units = provider.plan(Query({"DGS10": date(2024, 5, 22), "VIXCLS": None}, date(2024, 6, 5)))
    assert [(u.url, dict(u.params)) for u in units] == [
        ("http://fred.test/graph/fredgraph.csv", {"id": "DGS10", "cosd": "2024-05-22"}),
        ("http://fred.test/graph/fredgraph.csv", {"id": "VIXCLS"}),
    ]
    assert all(u.browser for u in units)


def test_pacing_default_and_override(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TSM_FRED_MIN_INTERVAL", raising=False)
    assert min_interval_s() == 0.5
    monkeypatch.setenv("TSM_FRED_MIN_INTERVAL", "-1")
    with pytest.raises(ValueError, match="TSM_FRED_MIN_INTERVAL must be >= 0"):
        min_interval_s()


@pytest.fixture()
def server() -> Iterator[LocalServer]:
    with LocalServer() as running:
        yield running


def test_keyed_fetch_goes_through_fredapi_with_a_configurable_root(
    server: LocalServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FRED_API_KEY", KEY)
    monkeypatch.setenv("TSM_FREDAPI_URL", server.url + "/fred")
    server.route("/fred/series/observations", Reply(200, payload("fred/SP500.xml")))
    provider = FredProvider(client=HttpClient(settings=HttpSettings(2, 0, 0, 0, 100_000)))
    (unit,) = provider.plan(Query({"SP500": date(2014, 9, 3)}, date(2014, 9, 5)))
    batch = provider.fetch(unit)
    # Rows before the start date are dropped; "." is missing.
    assert values(batch.observations, "SP500") == {"2014-09-03": 2000.72, "2014-09-05": 2007.71}
    (hit,) = server.hits("/fred/series/observations")
    assert hit.query == {"series_id": ["SP500"], "observation_start": ["2014-09-03"], "api_key": [KEY]}
    assert KEY not in batch.label


def test_keyed_fetch_error_names_source_series_and_never_the_key(
    server: LocalServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FRED_API_KEY", KEY)
    monkeypatch.setenv("TSM_FREDAPI_URL", server.url + "/fred")
    server.route("/fred/series/observations",
                 Reply(400, b'<error code="400" message="Bad Request.  The series does not exist."/>'))
    provider = FredProvider(client=HttpClient(settings=HttpSettings(2, 0, 0, 0, 100_000)))
    (unit,) = provider.plan(Query({"DGS10": None}, date(2024, 1, 1)))
    with pytest.raises(SourceError) as info:
        provider.fetch(unit)
    assert str(info.value).startswith("fred DGS10: HTTP 400")
    assert "The series does not exist." in str(info.value)
    assert KEY not in str(info.value)


@pytest.mark.parametrize("page", [
    b"<!DOCTYPE html><html><head><title>Maintenance</title></head><body>Back soon</body></html>",
    b"<html><body><p>Please log in</p></body></html>",
], ids=["doctype", "bare-html"])
def test_keyed_fetch_of_an_html_page_with_status_200_is_a_readable_source_error(
    server: LocalServer, monkeypatch: pytest.MonkeyPatch, page: bytes
) -> None:
    monkeypatch.setenv("FRED_API_KEY", KEY)
    monkeypatch.setenv("TSM_FREDAPI_URL", server.url + "/fred")
    server.route("/fred/series/observations", Reply(200, page, headers={"Content-Type": "text/html"}))
    provider = FredProvider(client=HttpClient(settings=HttpSettings(2, 0, 0, 0, 100_000)))
    (unit,) = provider.plan(Query({"DGS10": None}, date(2024, 1, 1)))
    with pytest.raises(SourceError, match=r"^fred DGS10: unexpected payload: an HTML page instead of FRED's XML"):
        provider.fetch(unit)


def test_keyed_fetch_of_other_xml_names_its_root(server: LocalServer, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FRED_API_KEY", KEY)
    monkeypatch.setenv("TSM_FREDAPI_URL", server.url + "/fred")
    server.route("/fred/series/observations", Reply(200, b"<rss><channel/></rss>"))
    provider = FredProvider(client=HttpClient(settings=HttpSettings(2, 0, 0, 0, 100_000)))
    (unit,) = provider.plan(Query({"DGS10": None}, date(2024, 1, 1)))
    with pytest.raises(SourceError, match=r"XML with root <rss>"):
        provider.fetch(unit)


def test_a_renamed_csv_column_is_an_error_not_an_empty_success() -> None:
    provider = FredProvider(client=HttpClient(settings=HttpSettings(2, 0, 0, 0, 100_000)))
    (unit,) = provider.plan(Query({"DGS10": date(2024, 1, 1)}, date(2024, 1, 5)))
    renamed = b"observation_date,DGS10_RENAMED\n2024-01-02,3.95\n2024-01-03,3.91\n"
    with pytest.raises(PayloadError, match=r"does not carry series DGS10 \(its columns: DGS10_RENAMED\)"):
        provider.transform(unit, renamed)


def test_a_utf16_file_is_read_with_its_bom_and_refused_with_a_hint_without() -> None:
    text = "observation_date,DGS10\n2024-01-02,3.95\n"
    batch = parse_fredgraph_csv(text.encode("utf-16"))  # with BOM, as Excel writes it
    assert values(batch.observations, "DGS10") == {"2024-01-02": 3.95}
    with pytest.raises(PayloadError, match="looks like UTF-16 .* save it as UTF-8"):
        parse_fredgraph_csv(text.encode("utf-16-le"))
