"""H.15 DDP CSV: five metadata rows, ND and empty as missing, mapped to DGS ids."""

from __future__ import annotations

import pandas as pd
import pytest

from data.sources import PayloadError
from data.sources.h15 import parse_h15_csv
from tests.fixtures import payload


def table(batch_obs: pd.DataFrame) -> dict[tuple[str, str], float]:
    return {(s, f"{d:%Y-%m-%d}"): v for s, d, v in
            zip(batch_obs["series_id"], batch_obs["date"], batch_obs["value"], strict=True)}


def test_package_maps_to_dgs_ids_with_nd_and_empty_missing() -> None:
    batch = parse_h15_csv(payload("h15/FRB_H15.csv"))
    got = table(batch.observations)
    assert got[("DGS1MO", "2024-06-18")] == 5.40
    assert got[("DGS30", "2024-06-20")] == 4.39
    assert not any(day in ("2024-06-19", "1962-02-12") for _, day in got)  # ND rows
    assert {s for s, day in got if day == "1962-01-02"} == {"DGS1", "DGS3", "DGS5", "DGS10", "DGS20"}
    assert batch.origin == "imported" and batch.source == "h15"


def test_values_agree_with_fred_which_republishes_h15(real_yields: pd.DataFrame) -> None:
    names = {"DGS1MO": "1m", "DGS3MO": "3m", "DGS6MO": "6m", "DGS1": "1y", "DGS2": "2y", "DGS3": "3y",
             "DGS5": "5y", "DGS7": "7y", "DGS10": "10y", "DGS20": "20y", "DGS30": "30y"}
    got = table(parse_h15_csv(payload("h15/FRB_H15.csv")).observations)
    for (series_id, day), value in got.items():
        assert real_yields.loc[pd.Timestamp(day), names[series_id]] == pytest.approx(value, abs=1e-9)
    assert len(got) == 5 + 11 + 11


def test_bad_value_names_line_and_column() -> None:
    text = payload("h15/FRB_H15.csv").replace(b"2024-06-20,5.42", b"2024-06-20,5.4x")
    with pytest.raises(PayloadError) as info:
        parse_h15_csv(text)
    assert (info.value.line, info.value.column) == (11, "RIFLGFCM01_N.B")
    with pytest.raises(PayloadError, match='no "Time Period" header'):
        parse_h15_csv(b'"Series Description","x"\n2024-01-02,1\n')
