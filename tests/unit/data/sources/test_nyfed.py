"""NY Fed parsers on hand-written payloads in the API's shapes, and request planning."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from data.http import HttpClient, HttpSettings
from data.sources import PayloadError, Query
from data.sources.nyfed import (
    RRP_SERIES,
    SRF_SERIES,
    NyFedProvider,
    parse_nyfed_rates_json,
    parse_nyfed_repo_json,
)
from tests.fixtures import payload


def table(batch_obs: pd.DataFrame) -> dict[tuple[str, str], float]:
    return {(s, f"{d:%Y-%m-%d}"): v for s, d, v in
            zip(batch_obs["series_id"], batch_obs["date"], batch_obs["value"], strict=True)}


def test_sofr_search_gives_rate_percentiles_and_volume() -> None:
    got = table(parse_nyfed_rates_json(payload("nyfed/sofr_search.json")).observations)
    assert got[("SOFR", "2024-06-06")] == 5.33
    assert got[("SOFR1", "2024-06-06")] == 5.29
    assert got[("SOFR99", "2024-06-05")] == 5.43
    assert got[("SOFRVOL", "2024-06-06")] == 2008.0
    assert got[("SOFR99", "2019-09-17")] == 9.00
    # Percentiles absent on 2019-05-31: the rate is kept, nothing invented for the rest.
    assert got[("SOFR", "2019-05-31")] == 2.49
    assert ("SOFR1", "2019-05-31") not in got


def test_sofr_sample_agrees_with_the_shared_history(shared_data: Path) -> None:
    detail = pd.read_csv(shared_data / "nyfed" / "sofr_detail.csv", parse_dates=["date"]).set_index("date")
    got = table(parse_nyfed_rates_json(payload("nyfed/sofr_search.json")).observations)
    for (series_id, day), value in got.items():
        assert detail.loc[pd.Timestamp(day), series_id] == pytest.approx(value, abs=1e-9)


def test_mixed_types_keep_only_known_rates_and_effr_ignores_its_targets() -> None:
    raw = (b'{"refRates":[{"effectiveDate":"2024-06-06","type":"OBFR","percentRate":5.32},'
           + payload("nyfed/effr_search.json")[len(b'{ "refRates": [ '):])
    got = table(parse_nyfed_rates_json(raw).observations)
    assert got == {("EFFR", "2023-06-06"): 5.08, ("EFFR", "2008-12-15"): 0.12}


def test_rates_as_strings_are_accepted_and_garbage_is_named() -> None:
    ok = parse_nyfed_rates_json(b'{"refRates":[{"effectiveDate":"2024-06-06","type":"TGCR","percentRate":"5.31"}]}')
    assert table(ok.observations) == {("TGCR", "2024-06-06"): 5.31}
    with pytest.raises(PayloadError) as info:
        parse_nyfed_rates_json(b'{"refRates":[{"effectiveDate":"2024-06-06","type":"SOFR","percentRate":"n/a"}]}')
    assert info.value.column == "refRates[0].percentRate"
    with pytest.raises(PayloadError, match="appears twice"):
        parse_nyfed_rates_json(b'{"refRates":[{"effectiveDate":"2024-06-06","type":"BGCR","percentRate":5.3},'
                               b'{"effectiveDate":"2024-06-06","type":"BGCR","percentRate":5.31}]}')
    with pytest.raises(PayloadError, match="no 'refRates'"):
        parse_nyfed_rates_json(b'{"rates": []}')


def test_operations_sum_each_day_by_type_in_billions() -> None:
    got = table(parse_nyfed_repo_json(payload("nyfed/rp_search.json")).observations)
    # 2026-07-10: ON RRP 545 mn + small-value test 45 mn (a string) = 0.59 bn.
    assert got[(RRP_SERIES, "2026-07-10")] == pytest.approx(0.59, abs=1e-12)
    assert got[(RRP_SERIES, "2026-07-09")] == pytest.approx(2.1, abs=1e-12)
    # SRF morning 1.5 bn (all collateral) + afternoon "250,000,000" = 1.75 bn.
    assert got[(SRF_SERIES, "2026-07-10")] == pytest.approx(1.75, abs=1e-12)
    # The announcement of 2026-07-13 has no results yet.
    assert (RRP_SERIES, "2026-07-13") not in got
    assert len(got) == 3


def test_operations_bad_amount_is_named() -> None:
    raw = b'{"repo":{"operations":[{"operationDate":"2026-07-10","operationType":"Repo","totalAmtAccepted":"lots"}]}}'
    with pytest.raises(PayloadError) as info:
        parse_nyfed_repo_json(raw)
    assert info.value.column == "repo.operations[0].totalAmtAccepted"


def test_plan_queries_each_rate_from_its_start_or_first_date(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TSM_NYFED_URL", "http://nyfed.test")
    provider = NyFedProvider(client=HttpClient(settings=HttpSettings(1, 0, 0, 0, 1000)))
    starts: dict[str, date | None] = {"SOFR": date(2024, 6, 1), "SOFR99": date(2024, 5, 1), "EFFR": None,
                                      RRP_SERIES: date(2026, 7, 1)}
    units = {u.label: u for u in provider.plan(Query(starts, date(2024, 6, 6)))}
    assert set(units) == {"SOFR", "EFFR", "repo operations"}
    assert units["SOFR"].url == "http://nyfed.test/api/rates/secured/sofr/search.json"
    assert dict(units["SOFR"].params) == {"startDate": "2024-05-01", "endDate": "2024-06-06"}
    assert units["SOFR"].series_ids == ("SOFR", "SOFR99")
    assert dict(units["EFFR"].params)["startDate"] == "2000-07-03"
    assert units["repo operations"].url.endswith("/api/rp/results/search.json")
    assert provider.default_series() == ("SOFR", "SOFR1", "SOFR25", "SOFR75", "SOFR99", "SOFRVOL",
                                         "EFFR", "TGCR", "BGCR", RRP_SERIES, SRF_SERIES)
