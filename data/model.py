"""The standard model every source and import format produces: a :class:`Batch`."""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from analytics.tenors import CFTC_COLUMNS

__all__ = ["OBS_COLUMNS", "CFTC_COLUMNS", "Batch", "empty_observations", "empty_cftc"]

#: Columns of a batch's observations frame: series id, date (datetime64[ns]), value (float).
OBS_COLUMNS: tuple[str, ...] = ("series_id", "date", "value")

# CFTC_COLUMNS (the CFTC frame's columns) is the analytics vocabulary's, re-exported here.


def empty_observations() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "series_id": pd.Series(dtype=object),
            "date": pd.Series(dtype="datetime64[ns]"),
            "value": pd.Series(dtype=float),
        }
    )


def empty_cftc() -> pd.DataFrame:
    frame = pd.DataFrame({c: pd.Series(dtype=float) for c in CFTC_COLUMNS})
    frame["report_date"] = pd.Series(dtype="datetime64[ns]")
    frame["contract_code"] = pd.Series(dtype=object)
    frame["trader_group"] = pd.Series(dtype=object)
    return frame


@dataclass(frozen=True)
class Batch:
    """What one fetch or one imported file yields, ready for :meth:`data.store.Store.write`.

    Attributes
    ----------
    source : source name ("fred", "nyfed", "treasury", "cftc", "gsw") that produced the data.
    origin : "live" for a refresh from the network, "imported" for a user's file.
    observations : frame with :data:`OBS_COLUMNS`; missing values already dropped.
    cftc : frame with :data:`CFTC_COLUMNS` (empty for non-CFTC sources).
    label : where it came from (a URL without secrets, or a file path), for messages.
    notes : optional; what the parser decided that a reader should know (e.g. which of two
        rows for one key it kept), shown in the import report.
    """

    source: str
    origin: str
    observations: pd.DataFrame = field(default_factory=empty_observations)
    cftc: pd.DataFrame = field(default_factory=empty_cftc)
    label: str = ""
    notes: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if self.origin not in ("live", "imported"):
            raise ValueError(f"Batch origin must be 'live' or 'imported', not {self.origin!r}")
        missing = [c for c in OBS_COLUMNS if c not in self.observations.columns]
        if missing:
            raise ValueError(f"Batch observations lack columns {missing}")
        missing = [c for c in CFTC_COLUMNS if c not in self.cftc.columns]
        if missing:
            raise ValueError(f"Batch cftc frame lacks columns {missing}")

    @property
    def series_ids(self) -> list[str]:
        return sorted(self.observations["series_id"].unique().tolist())

    def __len__(self) -> int:
        return len(self.observations) + len(self.cftc)
