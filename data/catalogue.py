"""The one declarative catalogue of every series the app knows.

Each entry says what the series is, its units and frequency, which source publishes it and which
dashboard panels use it. Sources, the store's metadata, staleness checks and the UI all read it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date
from types import MappingProxyType
from typing import Final, Literal

__all__ = [
    "Frequency", "SeriesSpec", "CATALOGUE", "spec", "freshness", "FREQUENCY_MAX_AGE_DAYS", "SOURCES",
    "EARLIEST_DATE", "UNIT_BOUNDS", "GENERIC_BOUNDS", "plausible_bounds",
]

Frequency = Literal["daily", "weekly", "monthly", "irregular"]

#: Calendar days after which the latest observation counts as stale, by frequency. Daily
#: series allow a long weekend plus a publication lag; weekly ones a missed release.
FREQUENCY_MAX_AGE_DAYS: Final[Mapping[str, int]] = MappingProxyType(
    {"daily": 5, "weekly": 12, "monthly": 45, "irregular": 45}
)

#: Earliest date any series may carry (older dates are typos or overflowed years).
EARLIEST_DATE: Final[str] = "1800-01-01"

#: Plausible value range by units, for entries that do not declare their own ``bounds``: wide
#: enough for every real observation (1981's 17% yields and 22% fed funds, negative term
#: premia, a MOVE of 265, reserves of $4.3 trillion in $mn), narrow enough to catch a
#: misplaced decimal or a sentinel such as -1e308.
UNIT_BOUNDS: Final[Mapping[str, tuple[float, float]]] = MappingProxyType({
    "%": (-20.0, 50.0),
    "bp": (-2_000.0, 5_000.0),
    "index": (-1_000.0, 1.0e7),
    "$bn": (-1.0e5, 1.0e5),
    "$mn": (-1.0e8, 1.0e8),
    "years": (0.0, 1_000.0),
    "% of accepted": (0.0, 100.0),
    "ratio": (0.0, 100.0),
    "flag": (0.0, 1.0),
})
#: Bounds of uncatalogued series and units without an entry above.
GENERIC_BOUNDS: Final[tuple[float, float]] = (-1.0e12, 1.0e12)

#: Source names, as used by `tsm refresh --source` and the store's `source` column.
SOURCES: Final[tuple[str, ...]] = ("fred", "nyfed", "treasury", "cftc", "gsw", "ofr", "acm", "auctions", "eris")


@dataclass(frozen=True)
class SeriesSpec:
    """One catalogued series.

    Attributes
    ----------
    id : series id as stored (FRED's id where FRED carries the series).
    title : human-readable title.
    units : units of the stored value ("%", "$bn", "$mn", "index", "bp").
    frequency : publication frequency; drives the staleness judgement.
    sources : sources that publish it, primary first (names from :data:`SOURCES`); empty
        for series that only come from user files (MOVE, SOFR swap rates...).
    panels : dashboard panels that use it.
    discontinued : optional; last publication date (YYYY-MM-DD) of a series that has ended:
        its history is complete, not stale.
    bounds : optional; (low, high) plausible values in the series' units. None: the default
        of its units (:data:`UNIT_BOUNDS`). Imports and refreshes refuse values outside.
    earliest : optional; earliest plausible date (YYYY-MM-DD), :data:`EARLIEST_DATE` by
        default.
    """

    id: str
    title: str
    units: str
    frequency: Frequency
    sources: tuple[str, ...]
    panels: tuple[str, ...]
    discontinued: str | None = None
    bounds: tuple[float, float] | None = None
    earliest: str = EARLIEST_DATE


def _s(id_: str, title: str, units: str, freq: Frequency, sources: str, *panels: str) -> SeriesSpec:
    return SeriesSpec(id_, title, units, freq, tuple(s for s in sources.split(",") if s), tuple(panels))


_CMT = [
    ("DGS1MO", "1-Month"), ("DGS3MO", "3-Month"), ("DGS6MO", "6-Month"), ("DGS1", "1-Year"),
    ("DGS2", "2-Year"), ("DGS3", "3-Year"), ("DGS5", "5-Year"), ("DGS7", "7-Year"),
    ("DGS10", "10-Year"), ("DGS20", "20-Year"), ("DGS30", "30-Year"),
]
_SWAPS = [1, 2, 3, 4, 5, 7, 10, 30]
_GSW = [1, 2, 3, 5, 7, 10, 20, 30]

_ENTRIES: list[SeriesSpec] = [
    *(_s(i, f"{t} Treasury constant-maturity yield", "%", "daily", "fred,treasury", "curve", "functioning")
      for i, t in _CMT),
    _s("SOFR", "Secured Overnight Financing Rate", "%", "daily", "nyfed,fred", "funding"),
    _s("SOFR1", "SOFR 1st percentile", "%", "daily", "nyfed", "funding"),
    _s("SOFR25", "SOFR 25th percentile", "%", "daily", "nyfed", "funding"),
    _s("SOFR75", "SOFR 75th percentile", "%", "daily", "nyfed", "funding"),
    _s("SOFR99", "SOFR 99th percentile", "%", "daily", "nyfed", "funding"),
    _s("SOFRVOL", "SOFR volume", "$bn", "daily", "nyfed", "funding"),
    _s("EFFR", "Effective federal funds rate", "%", "daily", "nyfed,fred", "funding"),
    _s("TGCR", "Tri-party General Collateral Rate", "%", "daily", "nyfed", "funding"),
    _s("BGCR", "Broad General Collateral Rate", "%", "daily", "nyfed", "funding"),
    _s("IORB", "Interest rate on reserve balances", "%", "daily", "fred", "funding"),
    replace(_s("IOER", "Interest rate on excess reserves (to 2021-07-28)", "%", "daily", "fred", "funding"),
            discontinued="2021-07-28"),
    _s("NYFED_RRP", "ON RRP take-up (day's reverse repo operations, total accepted)", "$bn", "daily", "nyfed", "funding"),
    _s("NYFED_SRF", "Fed repo take-up (Standing Repo Facility from 2021-07-28; all collateral)", "$bn", "daily", "nyfed", "funding"),
    _s("RRPONTSYD", "Overnight reverse repo take-up (Treasuries sold)", "$bn", "daily", "fred", "funding"),
    _s("RPONTSYD", "Overnight repo incl. Standing Repo Facility (Treasuries purchased)", "$bn", "daily", "fred", "funding"),
    _s("WLCFLPCL", "Discount window primary credit loans", "$mn", "weekly", "fred", "funding"),
    _s("WRESBAL", "Reserve balances with Federal Reserve Banks", "$mn", "weekly", "fred", "funding"),
    _s("DTWEXBGS", "Nominal broad U.S. dollar index", "index", "daily", "fred", "cross-asset"),
    _s("SP500", "S&P 500 index", "index", "daily", "fred", "cross-asset"),
    *(replace(_s(f"DSWP{n}", f"{n}-Year ICE swap rate (discontinued 2016)", "%", "daily", "fred", "swaps"),
              discontinued="2016-10-28")
      for n in _SWAPS),
    _s("MORTGAGE30US", "30-year fixed mortgage rate (Freddie Mac)", "%", "weekly", "fred", "scenarios"),
    _s("VIXCLS", "CBOE VIX", "index", "daily", "fred", "stress"),
    _s("STLFSI4", "St. Louis Fed Financial Stress Index", "index", "weekly", "fred", "stress"),
    _s("MOVE", "ICE BofA MOVE index (1m Treasury implied vol)", "bp", "daily", "", "stress"),
    *(_s(f"SVENY{n:02d}", f"GSW {n}-year zero-coupon yield (cc)", "%", "daily", "gsw", "functioning")
      for n in _GSW),
    # Published by Treasury only; written whenever the Treasury curve is fetched or imported.
    _s("UST1_5MO", "Treasury 6-week par yield", "%", "daily", "", "curve"),
    _s("UST2MO", "Treasury 2-month par yield", "%", "daily", "", "curve"),
    _s("UST4MO", "Treasury 4-month par yield", "%", "daily", "", "curve"),
    *(_s(f"BETA{n}", f"GSW Svensson parameter BETA{n}", "%", "daily", "gsw", "functioning") for n in range(4)),
    _s("TAU1", "GSW Svensson parameter TAU1", "years", "daily", "gsw", "functioning"),
    _s("TAU2", "GSW Svensson parameter TAU2", "years", "daily", "gsw", "functioning"),
    *(_s(f"SVENPY{n:02d}", f"GSW {n}-year par yield", "%", "daily", "gsw", "functioning")
      for n in _GSW),
]

# -- beyond the peers (issue 11): liquidity, custody, term premium, real yields, official stress
# indices, auctions and SOFR swaps. Ids of the auction and SOFR-swap series are built by
# data.sources.auctions and data.sources.eris; keep these lists in step with them.
_AUCTION_TENORS = ("2Y", "3Y", "5Y", "7Y", "10Y", "20Y", "30Y")
_AUCTION_FIELDS = (
    ("HIGH_YIELD", "high yield (stop-out)", "%"),
    ("DISPERSION", "high minus median yield (dispersion)", "bp"),
    ("BTC", "bid-to-cover ratio", "ratio"),
    ("INDIRECT", "indirect bidders' share of competitive accepted", "% of accepted"),
    ("DIRECT", "direct bidders' share of competitive accepted", "% of accepted"),
    ("DEALER", "primary dealers' share of competitive accepted", "% of accepted"),
    ("SIZE", "offering amount", "$bn"),
    ("REOPENING", "reopening (1) or new issue (0)", "flag"),
)
_OFR = (
    ("OFR_FSI", "OFR Financial Stress Index"),
    ("OFR_FSI_CREDIT", "OFR FSI: credit contribution"),
    ("OFR_FSI_EQUITY", "OFR FSI: equity valuation contribution"),
    ("OFR_FSI_SAFE", "OFR FSI: safe assets contribution"),
    ("OFR_FSI_FUNDING", "OFR FSI: funding contribution"),
    ("OFR_FSI_VOLATILITY", "OFR FSI: volatility contribution"),
    ("OFR_FSI_US", "OFR FSI: United States contribution"),
    ("OFR_FSI_OTHER_ADV", "OFR FSI: other advanced economies contribution"),
    ("OFR_FSI_EM", "OFR FSI: emerging markets contribution"),
)
_SOFR_SWAP_TENORS = (1, 2, 3, 4, 5, 7, 10, 20, 30)

_ENTRIES += [
    _s("WALCL", "Fed total assets (Wednesday level)", "$mn", "weekly", "fred", "liquidity"),
    _s("WDTGAL", "Treasury General Account (Wednesday level)", "$mn", "weekly", "fred", "liquidity"),
    _s("WTREGEN", "Treasury General Account (week average)", "$bn", "weekly", "fred", "liquidity"),
    _s("WMTSECL1", "Treasuries held in custody for foreign official accounts (Wednesday level)",
       "$mn", "weekly", "fred", "flows"),
    _s("THREEFYTP10", "Kim-Wright 10-year term premium (Fed Board; not ACM)", "%", "daily", "fred",
       "drivers"),
    _s("DFII5", "5-year TIPS real yield (constant maturity)", "%", "daily", "fred", "drivers"),
    _s("DFII10", "10-year TIPS real yield (constant maturity)", "%", "daily", "fred", "drivers"),
    _s("T5YIE", "5-year breakeven inflation", "%", "daily", "fred", "drivers"),
    _s("T10YIE", "10-year breakeven inflation", "%", "daily", "fred", "drivers"),
    _s("T5YIFR", "5-year, 5-year forward inflation expectation", "%", "daily", "fred", "drivers"),
    _s("NFCI", "Chicago Fed National Financial Conditions Index", "index", "weekly", "fred", "stress"),
    _s("ANFCI", "Chicago Fed Adjusted NFCI", "index", "weekly", "fred", "stress"),
    # ACM: daily estimates, but the workbook is republished with a lag of weeks (hence irregular).
    _s("ACMTP10", "ACM 10-year term premium (NY Fed)", "%", "irregular", "acm", "drivers"),
    _s("ACMRNY10", "ACM 10-year risk-neutral yield (expected path, NY Fed)", "%", "irregular", "acm", "drivers"),
    _s("ACMY10", "ACM 10-year fitted zero-coupon yield (NY Fed)", "%", "irregular", "acm", "drivers"),
    *(_s(i, t, "index", "daily", "ofr", "stress") for i, t in _OFR),
    *(_s(f"AUCT_{t}_{f}", f"{t[:-1]}-year Treasury auction: {what}", units, "irregular", "auctions",
         "auctions")
      for t in _AUCTION_TENORS for f, what, units in _AUCTION_FIELDS),
    *(_s(f"SOFRSWP{n}Y", f"{n}-Year SOFR OIS par swap rate (Eris, or a desk file)", "%", "daily", "eris",
         "swaps")
      for n in _SOFR_SWAP_TENORS),
    _s("HPW_NOISE_BP", "Hu-Pan-Wang noise: RMSE of yield errors, 1-10y notes and bonds (FedInvest; live data only)",
       "bp", "daily", "", "functioning"),
    _s("HPW_N_BONDS", "Bonds in the Hu-Pan-Wang fit (FedInvest)", "count", "daily", "", "functioning"),
    *(_s(f"OTR_GAP_{n}Y_BP", f"{n}y on-the-run proxy: fitted minus market yield (FedInvest; live data only)",
         "bp", "daily", "", "functioning") for n in (2, 3, 5, 7, 10)),
    *(_s(f"DESKSWP{n}Y", f"{n}-Year swap rate from a desk file (date,tenor,rate import)", "%", "daily",
         "", "swaps")
      for n in _SOFR_SWAP_TENORS),
]

# Series the shared history carries that no panel reads yet: catalogued for their titles and
# units (the data page and the status table never show a bare id). Imported from files only.
_ENTRIES += [
    _s("BAA10Y", "Moody's Baa corporate yield minus 10-year Treasury", "%", "daily", "", "context"),
    _s("BAMLC0A0CM", "ICE BofA US corporate (investment grade) option-adjusted spread", "%",
       "daily", "", "context"),
    _s("BAMLH0A0HYM2", "ICE BofA US high-yield option-adjusted spread", "%", "daily", "", "context"),
    _s("DFF", "Federal funds effective rate (calendar days)", "%", "daily", "", "funding"),
    _s("T10Y2Y", "10-year minus 2-year Treasury constant maturity (FRED)", "%", "daily", "",
       "curve"),
    _s("T10Y3M", "10-year minus 3-month Treasury constant maturity (FRED)", "%", "daily", "",
       "curve"),
    replace(_s("WSWP2", "2-year ICE swap rate, weekly average (discontinued)", "%", "weekly", "",
               "functioning"), discontinued="2016-10-28"),
    *(_s(f"BIDTOCOVER_{t}", f"{t[:-1]}-year Treasury auction bid-to-cover ratio (extract)", "ratio",
         "irregular", "", "auctions") for t in ("10Y", "30Y")),
]

#: Every catalogued series by id.
CATALOGUE: Final[Mapping[str, SeriesSpec]] = MappingProxyType({e.id: e for e in _ENTRIES})


def freshness(series_id: str, frequency: str, last_date: str | None, today: date) -> tuple[bool, str]:
    """(stale, label) of a series whose latest observation is `last_date` (ISO) on `today`.

    The label is "ok", "stale" (older than the frequency allows, see
    :data:`FREQUENCY_MAX_AGE_DAYS`), "empty" or "discontinued" (history complete up to the
    catalogue's end date: never stale).
    """
    if last_date is None:
        return True, "empty"
    ended = spec(series_id).discontinued
    if ended is not None and last_date >= ended:
        return False, "discontinued"
    age = (today - date.fromisoformat(last_date)).days
    stale = age > FREQUENCY_MAX_AGE_DAYS.get(frequency, 45)
    return stale, "stale" if stale else "ok"


#: Svensson parameters are not rates: the fitted BETA2/BETA3 swing widely on flat curves.
_PARAMETER_BOUNDS: Final[tuple[float, float]] = (-1.0e4, 1.0e4)


def plausible_bounds(series_id: str) -> tuple[float, float]:
    """(low, high) plausible values of `series_id`: the entry's own ``bounds``, else those of
    its units, else :data:`GENERIC_BOUNDS`."""
    entry = spec(series_id)
    if entry.bounds is not None:
        return entry.bounds
    if series_id.startswith("BETA") and series_id[4:].isdigit():
        return _PARAMETER_BOUNDS
    return UNIT_BOUNDS.get(entry.units, GENERIC_BOUNDS)


def spec(series_id: str) -> SeriesSpec:
    """The catalogue entry of `series_id`, or a generic one for an uncatalogued import."""
    found = CATALOGUE.get(series_id)
    if found is not None:
        return found
    return SeriesSpec(series_id, series_id, "", "irregular", (), ())
