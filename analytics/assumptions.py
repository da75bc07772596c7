"""The model assumptions behind the scenarios, with their units, evidence and a range to try.

The forced-selling and mortgage-hedging scenarios rest on a few numbers that drive the results
but are not observed in any data set the app stores (who hedges MBS duration, how far a
spread moves per USD 100bn sold, ...). Each is listed here once, with its value (taken from
the module that uses it, so there is one place for each default), its units, where the
value comes from, how strong that evidence is and a range a user should try. Pages and the
CLI show them next to the results (:func:`assumptions_table`), marking the ones the user
changed.

Sources are public and cited in words; "weak" evidence means the number is a judgement
informed by the cited material, not an estimate.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any, Final, Literal

from analytics import forced_selling as fs
from analytics import mortgage as mtg
from analytics.checks import InputError

__all__ = ["Evidence", "Assumption", "ASSUMPTIONS", "SCENARIO_ASSUMPTIONS", "assumptions_table"]

Evidence = Literal["strong", "moderate", "weak"]


@dataclass(frozen=True, kw_only=True)
class Assumption:
    """One model assumption.

    Attributes
    ----------
    key : the parameter name in the analytics (and the key of :data:`ASSUMPTIONS`).
    label : words for a table.
    value : the default, in ``units``.
    units : e.g. "share 0-1", "bp per USD 100bn", "USD bn", "x", "%".
    low, high : a range worth trying, in ``units``.
    evidence : "strong", "moderate" or "weak".
    source : where the value comes from, in words.
    """

    key: str
    label: str
    value: float
    units: str
    low: float
    high: float
    evidence: Evidence
    source: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "label": self.label,
            "value": self.value,
            "units": self.units,
            "range": [self.low, self.high],
            "evidence": self.evidence,
            "source": self.source,
        }


_ALL: Final[tuple[Assumption, ...]] = (
    Assumption(
        key="hedged_share",
        label="share of agency MBS whose duration is hedged",
        value=mtg.DEFAULT_HEDGED_SHARE,
        units="share 0-1",
        low=0.05,
        high=0.30,
        evidence="weak",
        source=(
            "judgement: the Fed (about a quarter of agency MBS in 2024) and most banks do not hedge; "
            "servicers, REITs and some money managers do. Published estimates of actively hedged "
            "MBS range from under 10 % (2020s) to well over 30 % (2000s, GSE portfolios)"
        ),
    ),
    Assumption(
        key="outstanding_bn",
        label="agency MBS outstanding",
        value=mtg.DEFAULT_OUTSTANDING_BN,
        units="USD bn",
        low=8_500.0,
        high=9_500.0,
        evidence="moderate",
        source="order of magnitude of agency MBS outstanding in 2024-2025 (SIFMA statistics, about USD 9tn)",
    ),
    Assumption(
        key="base_cpr_pct",
        label="turnover prepayment speed (no refinancing incentive)",
        value=mtg.DEFAULT_BASE_CPR_PCT,
        units="% CPR a year",
        low=5.0,
        high=10.0,
        evidence="moderate",
        source="typical housing-turnover speeds of out-of-the-money pools",
    ),
    Assumption(
        key="max_cpr_pct",
        label="saturation prepayment speed (deep in the money)",
        value=mtg.DEFAULT_MAX_CPR_PCT,
        units="% CPR a year",
        low=40.0,
        high=70.0,
        evidence="moderate",
        source="peak speeds of the 2003, 2012 and 2020-21 refinancing waves",
    ),
    Assumption(
        key="impact_bp_per_100bn",
        label="spread move per USD 100bn sold",
        value=fs.DEFAULT_IMPACT_BP_PER_100BN,
        units="bp per USD 100bn",
        low=0.5,
        high=10.0,
        evidence="weak",
        source=(
            "illustrative: March 2020 saw foreign and fund sales of several hundred USD bn with "
            "swap spreads and the cash-futures basis moving tens of bp, while the Fed was buying; "
            "no clean estimate exists"
        ),
    ),
    Assumption(
        key="basis_leverage",
        label="basis-trade leverage (position / capital)",
        value=fs.DEFAULT_BASIS_LEVERAGE,
        units="x",
        low=20.0,
        high=100.0,
        evidence="moderate",
        source="repo haircuts near zero on Treasuries imply 50x or more (Fed and OFR notes on hedge-fund repo, 2023-2024)",
    ),
    Assumption(
        key="basis_haircut_pct",
        label="repo haircut on the cash leg before / after the shock",
        value=fs.DEFAULT_BASIS_HAIRCUT_PCT,
        units="% of position",
        low=0.0,
        high=fs.DEFAULT_BASIS_HAIRCUT_AFTER_PCT * 2,
        evidence="moderate",
        source="OFR non-centrally cleared bilateral repo collection: median Treasury haircuts near zero",
    ),
    Assumption(
        key="basis_margin_pct",
        label="futures initial margin before the shock",
        value=fs.DEFAULT_BASIS_MARGIN_PCT,
        units="% of notional",
        low=0.5,
        high=fs.DEFAULT_BASIS_MARGIN_AFTER_PCT * 2,
        evidence="moderate",
        source="CME initial margins on Treasury futures, roughly 1-3 % of notional (raised in March 2020)",
    ),
    Assumption(
        key="swap_leverage",
        label="swap-spread trade leverage",
        value=fs.DEFAULT_SWAP_LEVERAGE,
        units="x",
        low=10.0,
        high=50.0,
        evidence="weak",
        source="judgement: repo haircut plus swap initial margin of a few percent",
    ),
)

#: Every assumption by key (read-only).
ASSUMPTIONS: Final[Mapping[str, Assumption]] = MappingProxyType({a.key: a for a in _ALL})
#: The assumptions each scenario rests on, in display order.
SCENARIO_ASSUMPTIONS: Final[Mapping[str, tuple[str, ...]]] = MappingProxyType(
    {
        "mortgage": ("hedged_share", "outstanding_bn", "base_cpr_pct", "max_cpr_pct"),
        "basis": ("basis_leverage", "basis_haircut_pct", "basis_margin_pct", "impact_bp_per_100bn"),
        "swap-spread": ("swap_leverage", "impact_bp_per_100bn"),
    }
)


def assumptions_table(scenario: str, used: Mapping[str, float] | None = None) -> list[dict[str, Any]]:
    """The assumptions of a scenario as rows for a page or the CLI.

    Parameters
    ----------
    scenario : "mortgage", "basis" or "swap-spread".
    used : the values the run actually used, by key; a key whose value differs from the
        default is marked ``"user"``, else ``"default"`` (keys not given: the default).

    Returns
    -------
    list of dict
        :meth:`Assumption.to_dict` plus ``used`` (the value of the run) and ``origin``
        ("default" or "user").
    """
    if scenario not in SCENARIO_ASSUMPTIONS:
        raise InputError("scenario", f"scenario must be one of {', '.join(SCENARIO_ASSUMPTIONS)}, got {scenario!r}")
    rows = []
    for key in SCENARIO_ASSUMPTIONS[scenario]:
        a = ASSUMPTIONS[key]
        value = float((used or {}).get(key, a.value))
        row = a.to_dict()
        row["used"] = value
        row["origin"] = "default" if value == a.value else "user"
        rows.append(row)
    return rows
