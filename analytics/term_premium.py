"""Term premium: ACM and Kim-Wright side by side, and the 10y move split into term premium and
expected path.

Two models, two ids, never mixed up:

* **ACM** (Adrian-Crump-Moench, NY Fed): ``ACMTP10`` term premium, ``ACMRNY10`` risk-neutral
  yield (the expected path of short rates), ``ACMY10`` fitted zero-coupon yield; ACMY10 =
  ACMRNY10 + ACMTP10 by construction.
* **Kim-Wright** (Federal Reserve Board): ``THREEFYTP10`` on FRED. FRED carries no ACM series;
  THREEFYTP10 is often mislabelled as ACM.

Split of a 10y move over a window of ``n`` observations (:data:`WINDOWS`, as the Curve page:
1d = 1, 1w = 5, 1m = 21 dates on which both sides exist): term premium change = change of
ACMTP10; expected path change = change of ACMRNY10 when it is stored, else the 10y CMT change
minus the term-premium change. In the second case the "expected path" also holds the gap
between the CMT par yield and ACM's fitted zero-coupon yield: say so next to the numbers
(:attr:`TermPremiumSplit.method`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Final

import numpy as np
import pandas as pd

from analytics.asof import AsOfRows, as_of_rows
from analytics.checks import iso_day, series_column
from analytics.curve import WINDOWS  # one definition of each window, app-wide

__all__ = [
    "ACM_TP_ID",
    "ACM_RNY_ID",
    "ACM_Y_ID",
    "KIM_WRIGHT_ID",
    "CMT10_ID",
    "WINDOWS",
    "TermPremium",
    "TermPremiumSplit",
    "TermPremiumLookup",
    "term_premium_lookup",
    "term_premium_history",
    "term_premium_split",
    "term_premium_as_of",
]

ACM_TP_ID: Final = "ACMTP10"
ACM_RNY_ID: Final = "ACMRNY10"
ACM_Y_ID: Final = "ACMY10"
KIM_WRIGHT_ID: Final = "THREEFYTP10"
CMT10_ID: Final = "DGS10"
#: A daily value older than this many calendar days before the date is not reported.
MAX_AGE_DAYS: Final = 10
_BP: Final = 100.0


iso = iso_day  # the names this module uses (one definition, in analytics.checks)
_column = series_column


def term_premium_history(series: pd.DataFrame) -> pd.DataFrame:
    """Daily ACM and Kim-Wright 10y term premia with the 10y yield and the expected path (%).

    Returns
    -------
    DataFrame on the union of the dates: ``acm_10y_pct``, ``kim_wright_10y_pct``,
    ``yield_10y_pct`` (ACMY10 where stored, else DGS10), ``expected_path_10y_pct`` (ACMRNY10,
    else yield minus ACMTP10) and ``path_method`` ("acm" / "residual"; NaN-free strings only
    where the path exists).
    """
    acm, kw = _column(series, ACM_TP_ID), _column(series, KIM_WRIGHT_ID)
    rny, fitted, cmt = _column(series, ACM_RNY_ID), _column(series, ACM_Y_ID), _column(series, CMT10_ID)
    dates = acm.index.union(kw.index)
    out = pd.DataFrame(index=pd.DatetimeIndex(dates, name="date"))
    out["acm_10y_pct"] = acm
    out["kim_wright_10y_pct"] = kw
    with_model = fitted.reindex(dates)
    out["yield_10y_pct"] = with_model.where(with_model.notna(), cmt.reindex(dates))
    residual = cmt.reindex(dates) - out["acm_10y_pct"]
    model_path = rny.reindex(dates)
    out["expected_path_10y_pct"] = model_path.where(model_path.notna(), residual)
    out["path_method"] = np.where(model_path.notna(), "acm",
                                  np.where(residual.notna(), "residual", ""))
    return out


@dataclass(frozen=True)
class TermPremiumSplit:
    """A 10y move over one window, split (bp).

    ``total_bp`` = ``term_premium_bp`` + ``expected_path_bp``; ``start`` and ``end`` are the
    two dates compared; ``method`` "acm" (ACMRNY10) or "residual" (CMT 10y minus ACM TP).
    """

    window: str
    start: pd.Timestamp | None
    end: pd.Timestamp | None
    total_bp: float | None
    term_premium_bp: float | None
    expected_path_bp: float | None
    method: str


@dataclass(frozen=True, eq=False)
class TermPremiumLookup:
    """:func:`term_premium_history` ready for as-of lookups (computed once per data revision).

    ``acm`` and ``kim_wright``: the observed levels (NaN rows dropped); ``split``: the rows
    where both the ACM term premium and the expected path exist (what the splits compare),
    columns ``acm_10y_pct``, ``expected_path_10y_pct`` and ``acm_path`` (True where the path
    is ACM's risk-neutral yield, i.e. ``path_method`` "acm").
    """

    acm: AsOfRows
    kim_wright: AsOfRows
    split: AsOfRows


def term_premium_lookup(history: pd.DataFrame) -> TermPremiumLookup:
    """The :class:`TermPremiumLookup` of a :func:`term_premium_history` frame."""
    both = history.loc[:, ["acm_10y_pct", "expected_path_10y_pct"]]
    both = both.assign(acm_path=(history["path_method"] == "acm").to_numpy(dtype=bool))
    both = both[both["acm_10y_pct"].notna() & both["expected_path_10y_pct"].notna()]
    return TermPremiumLookup(as_of_rows(history["acm_10y_pct"].dropna()),
                             as_of_rows(history["kim_wright_10y_pct"].dropna()),
                             as_of_rows(both))


def _lookup(history: pd.DataFrame | TermPremiumLookup) -> TermPremiumLookup:
    return history if isinstance(history, TermPremiumLookup) else term_premium_lookup(history)


def term_premium_split(history: pd.DataFrame | TermPremiumLookup, as_of: pd.Timestamp,
                       window: str) -> TermPremiumSplit:
    """The split of :func:`term_premium_history` over `window` ending on or before `as_of`.

    `history` is the frame or, for a lookup without a pass over the history, its
    :func:`term_premium_lookup`.
    """
    if window not in WINDOWS:
        raise ValueError(f"window must be one of {tuple(WINDOWS)}, got {window!r}")
    n = WINDOWS[window]
    rows = _lookup(history).split
    end = rows.position(as_of)
    if end + 1 <= n or rows.age_days(end, as_of) > MAX_AGE_DAYS:
        return TermPremiumSplit(window, None, None, None, None, None, "")
    start = end - n
    acm, path, acm_path = (rows.columns[c] for c in ("acm_10y_pct", "expected_path_10y_pct", "acm_path"))
    tp = (float(acm[end]) - float(acm[start])) * _BP
    moved = (float(path[end]) - float(path[start])) * _BP
    method = "acm" if acm_path[end] and acm_path[start] else "residual"
    return TermPremiumSplit(window, rows.date(start), rows.date(end),
                            round(tp + moved, 2), round(tp, 2), round(moved, 2), method)


@dataclass(frozen=True)
class TermPremium:
    """Term premia as of a date and the 1-month split (the snapshot's ``term_premium``)."""

    acm_10y_pct: float | None
    acm_date: pd.Timestamp | None
    kim_wright_10y_pct: float | None
    kim_wright_date: pd.Timestamp | None
    splits: tuple[TermPremiumSplit, ...]
    missing: tuple[str, ...] = field(default=())

    def split(self, window: str) -> TermPremiumSplit | None:
        return next((s for s in self.splits if s.window == window), None)

    def to_dict(self) -> dict[str, Any]:
        month = self.split("1m")
        return {
            "acm_10y_pct": self.acm_10y_pct,
            "kim_wright_10y_pct": self.kim_wright_10y_pct,
            "change_1m_bp": None if month is None else month.total_bp,
            "expected_path_1m_bp": None if month is None else month.expected_path_bp,
            "term_premium_1m_bp": None if month is None else month.term_premium_bp,
            "acm_date": iso(self.acm_date),
            "kim_wright_date": iso(self.kim_wright_date),
            "split_method": None if month is None or not month.method else month.method,
            "missing": list(self.missing),
        }


def _last(values: AsOfRows, as_of: pd.Timestamp) -> tuple[float | None, pd.Timestamp | None]:
    pos = values.fresh(as_of, MAX_AGE_DAYS)
    if pos < 0:
        return None, None
    return round(float(values.columns["value"][pos]), 4), values.date(pos)


def term_premium_as_of(
    series: pd.DataFrame, as_of: pd.Timestamp, *,
    history: pd.DataFrame | TermPremiumLookup | None = None,
) -> TermPremium:
    """ACM and Kim-Wright as of `as_of` (each within 10 days) and the 1d/1w/1m splits.

    `history` is :func:`term_premium_history` of `series` or its :func:`term_premium_lookup`
    (then the call is row lookups), when already computed.
    """
    lookup = _lookup(term_premium_history(series) if history is None else history)
    acm, acm_day = _last(lookup.acm, as_of)
    kw, kw_day = _last(lookup.kim_wright, as_of)
    splits = tuple(term_premium_split(lookup, as_of, w) for w in WINDOWS)
    missing = []
    if acm is None:
        missing.append(f"ACM term premium (ACMTP10): {'not stored' if ACM_TP_ID not in series.columns else 'no value within 10 days'}")
    if kw is None:
        missing.append(f"Kim-Wright term premium (THREEFYTP10): {'not stored' if KIM_WRIGHT_ID not in series.columns else 'no value within 10 days'}")
    return TermPremium(acm, acm_day, kw, kw_day, splits, tuple(missing))
