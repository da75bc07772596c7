"""Shared vocabulary of the analytics layer: tenors, contracts and their defaults.

Every default that more than one module needs lives here, so that a change is made once.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Final

__all__ = [
    "BP_PER_PCT",
    "TENORS",
    "TENOR_YEARS",
    "CMT_SERIES",
    "KEY_TENORS",
    "KEY_TENOR_YEARS",
    "SPREADS",
    "TRADER_GROUPS",
    "CFTC_COLUMNS",
    "FuturesContract",
    "TREASURY_FUTURES",
]

#: Basis points in one percentage point (yields are stored in %, spreads shown in bp).
BP_PER_PCT: Final[float] = 100.0

#: Constant-maturity tenors, shortest first; the column names of every yields frame.
TENORS: Final[tuple[str, ...]] = ("1m", "3m", "6m", "1y", "2y", "3y", "5y", "7y", "10y", "20y", "30y")

#: Tenor in years for each name in :data:`TENORS`.
TENOR_YEARS: Final[Mapping[str, float]] = MappingProxyType(
    {
        "1m": 1 / 12,
        "3m": 0.25,
        "6m": 0.5,
        "1y": 1.0,
        "2y": 2.0,
        "3y": 3.0,
        "5y": 5.0,
        "7y": 7.0,
        "10y": 10.0,
        "20y": 20.0,
        "30y": 30.0,
    }
)

#: FRED constant-maturity series id for each tenor.
CMT_SERIES: Final[Mapping[str, str]] = MappingProxyType(
    {
        "1m": "DGS1MO",
        "3m": "DGS3MO",
        "6m": "DGS6MO",
        "1y": "DGS1",
        "2y": "DGS2",
        "3y": "DGS3",
        "5y": "DGS5",
        "7y": "DGS7",
        "10y": "DGS10",
        "20y": "DGS20",
        "30y": "DGS30",
    }
)

#: Key-rate tenors for key-rate durations and key-rate shocks.
KEY_TENORS: Final[tuple[str, ...]] = ("1y", "2y", "3y", "5y", "7y", "10y", "20y", "30y")
KEY_TENOR_YEARS: Final[tuple[float, ...]] = (1.0, 2.0, 3.0, 5.0, 7.0, 10.0, 20.0, 30.0)

#: Curve spreads as (short tenor, long tenor); value = long - short, in bp.
SPREADS: Final[Mapping[str, tuple[str, str]]] = MappingProxyType(
    {
        "2s10s": ("2y", "10y"),
        "5s30s": ("5y", "30y"),
        "2s30s": ("2y", "30y"),
        "3m10y": ("3m", "10y"),
        "10s30s": ("10y", "30y"),
    }
)

#: Columns of a CFTC positions frame (long form: one row per report date, contract, group).
CFTC_COLUMNS: Final[tuple[str, ...]] = (
    "report_date",
    "contract_code",
    "trader_group",
    "long",
    "short",
    "spreading",
    "open_interest",
)

#: CFTC Traders in Financial Futures groups, as stored.
TRADER_GROUPS: Final[tuple[str, ...]] = ("dealer", "asset_mgr", "lev_money", "other_rept", "nonrept")


@dataclass(frozen=True)
class FuturesContract:
    """A Treasury futures contract as the positioning and hedging code needs it.

    Attributes
    ----------
    code : CFTC contract market code (a string with leading zeros).
    key : short name used in frames and JSON ("UST_10Y").
    label : name shown to users.
    face_usd : face value of one contract in USD.
    dv01_usd : default DV01 per contract in USD per bp (approximate CTD DV01 / conversion
        factor); users can override it, the UI shows it.
    """

    code: str
    key: str
    label: str
    face_usd: float
    dv01_usd: float


#: The six Treasury futures tracked. DV01s are round, documented defaults of the order of the
#: CTD DV01 / conversion factor in 2024-2025; they are inputs, shown and editable in the UI.
TREASURY_FUTURES: Final[tuple[FuturesContract, ...]] = (
    FuturesContract("042601", "UST_2Y", "2-Year T-Note (TU)", 200_000.0, 38.0),
    FuturesContract("044601", "UST_5Y", "5-Year T-Note (FV)", 100_000.0, 45.0),
    FuturesContract("043602", "UST_10Y", "10-Year T-Note (TY)", 100_000.0, 65.0),
    FuturesContract("043607", "ULTRA_10Y", "Ultra 10-Year (UXY)", 100_000.0, 90.0),
    FuturesContract("020601", "UST_BOND", "T-Bond (US)", 100_000.0, 130.0),
    FuturesContract("020604", "ULTRA_BOND", "Ultra T-Bond (WN)", 100_000.0, 230.0),
)
