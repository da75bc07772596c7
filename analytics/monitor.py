"""The meeting-mode monitor: the key levels as of a date with their 1d/1w/1m changes.

One board for the morning meeting, in the spirit of a money-markets monitor: curve points,
curve spreads, SOFR and EFFR and their spreads, ON RRP, the leveraged-fund net, the stress
index with its top contributor and the three liquidity lights.

Conventions
-----------
* Windows count *observations of the series itself*, as the curve moves do
  (:data:`analytics.curve.WINDOWS`): "1d", "1w" and "1m" compare the last observation on or
  before the as-of date with the one 1, 5 and 21 observations earlier. A holiday without a
  value is skipped, never read as a change. For the 2s10s/5s30s/3m10y spreads this is exactly
  the window of :func:`analytics.curve.spread_moves` (observations of both legs), so a cell's
  1w change equals the 1w move of the Curve page and starts on the same from-date.
* Weekly series (the CFTC leveraged-fund net, one report a week) have no 1d change; their
  "1w" and "1m" are 1 and 4 reports back (:data:`WEEKLY_WINDOWS`).
* Changes of yields and rates in percent are given in basis points; spreads in bp stay bp;
  USD bn stay USD bn; the stress index is in z units.
* Each cell carries the date of its own observation and is ``stale`` when that is older than
  the series' staleness limit (the limits the snapshot uses), so a page can show the date
  next to a value that is not from the as-of day.

Pure: the market state's full-history tables in, frozen dataclasses out.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any, Final

import numpy as np
import pandas as pd

from analytics.curve import STALE_AFTER_DAYS as CURVE_STALE_AFTER_DAYS
from analytics.curve import WINDOWS
from analytics.funding import DAILY_MAX_AGE_DAYS
from analytics.positioning import STALE_AFTER_DAYS as CFTC_STALE_AFTER_DAYS
from analytics.state import MarketState, Snapshot
from analytics.tenors import BP_PER_PCT, SPREADS

__all__ = [
    "WEEKLY_WINDOWS",
    "BOARD_TENORS",
    "BOARD_SPREADS",
    "Change",
    "MonitorCell",
    "TopContributor",
    "LightCell",
    "MonitorBoard",
    "level_cell",
    "top_contributor",
    "build_board",
]

#: Windows of a weekly series, in reports (None: the window is shorter than one report).
WEEKLY_WINDOWS: Final[Mapping[str, int | None]] = MappingProxyType({"1d": None, "1w": 1, "1m": 4})
#: Curve points and spreads on the board.
BOARD_TENORS: Final[tuple[str, ...]] = ("2y", "5y", "10y", "30y")
BOARD_SPREADS: Final[tuple[str, ...]] = ("2s10s", "5s30s", "3m10y")
#: Groups, in display order.
GROUPS: Final[tuple[str, ...]] = ("curve", "spreads", "funding", "positioning", "stress")


@dataclass(frozen=True)
class Change:
    """The change of a level over one window.

    ``from_date`` is the observation the window starts on; ``change`` is the level on the
    cell's date minus the level on ``from_date``, in the cell's ``change_units``. Both are
    None when the series has too few observations (``why`` says so).
    """

    window: str
    from_date: pd.Timestamp | None
    change: float | None
    why: str = ""


@dataclass(frozen=True)
class MonitorCell:
    """One level on the board.

    Attributes
    ----------
    key : stable identifier ("10y", "2s10s", "sofr", "rrp", "lev_net", "stress").
    label : name shown to users.
    group : one of :data:`GROUPS`.
    units : units of ``value`` ("%", "bp", "USD bn", "z").
    change_units : units of the changes ("bp", "USD bn", "z").
    value : the last observation on or before the as-of date (None when there is none).
    date : date of that observation.
    stale : True when ``date`` is older than the series' staleness limit.
    changes : one :class:`Change` per window ("1d", "1w", "1m").
    why : why ``value`` is missing, or why it is stale; empty otherwise.
    """

    key: str
    label: str
    group: str
    units: str
    change_units: str
    value: float | None
    date: pd.Timestamp | None
    stale: bool
    changes: tuple[Change, ...]
    why: str = ""

    def change(self, window: str) -> Change | None:
        return next((c for c in self.changes if c.window == window), None)


@dataclass(frozen=True)
class TopContributor:
    """The indicator with the largest contribution (in absolute value) to the stress index.

    ``contribution`` is signed, in z units: the contributions of a day sum to the index.
    """

    name: str
    label: str
    category: str
    contribution: float
    date: pd.Timestamp


@dataclass(frozen=True)
class LightCell:
    """One liquidity light: ``state`` is "on", "off" or "unknown" (cannot be evaluated)."""

    name: str
    label: str
    state: str
    reading: float | None
    threshold: float | None
    units: str
    date: pd.Timestamp | None


@dataclass(frozen=True)
class MonitorBoard:
    """The board as of one date.

    ``lights_known`` counts the lights that could be evaluated, ``lights_on`` those that are on.
    """

    as_of: pd.Timestamp
    cells: tuple[MonitorCell, ...]
    top: TopContributor | None
    lights: tuple[LightCell, ...]

    def cell(self, key: str) -> MonitorCell:
        for cell in self.cells:
            if cell.key == key:
                return cell
        raise KeyError(f"no cell {key!r} on the board (cells: {[c.key for c in self.cells]})")

    @property
    def lights_on(self) -> int:
        return sum(1 for light in self.lights if light.state == "on")

    @property
    def lights_known(self) -> int:
        return sum(1 for light in self.lights if light.state in ("on", "off"))


def level_cell(
    values: pd.Series,
    as_of: pd.Timestamp,
    *,
    key: str,
    label: str,
    group: str,
    units: str,
    change_units: str,
    scale: float = 1.0,
    windows: Mapping[str, int | None] = WINDOWS,
    max_age_days: int = DAILY_MAX_AGE_DAYS,
) -> MonitorCell:
    """A level as of ``as_of`` with its changes over ``windows`` (observations back).

    Parameters
    ----------
    values : the full history of the level (NaN = not observed that day).
    as_of : the board's date; the last observation on or before it is used.
    key, label, group, units, change_units : see :class:`MonitorCell`.
    scale : factor from the level's units to ``change_units`` (100 for % -> bp).
    windows : observations back per window (None: no change over that window).
    max_age_days : calendar days after which the observation is stale.
    """
    upto = values.loc[:as_of].dropna()
    if upto.empty:
        changes = tuple(Change(w, None, None, "no observation") for w in windows)
        return MonitorCell(key, label, group, units, change_units, None, None, True, changes,
                           f"no observation on or before {as_of:%Y-%m-%d}")
    date = pd.Timestamp(upto.index[-1])
    value = float(upto.iloc[-1])
    out: list[Change] = []
    for window, n_obs in windows.items():
        if n_obs is None:
            out.append(Change(window, None, None, "weekly series"))
        elif len(upto) <= n_obs:
            out.append(Change(window, None, None, f"fewer than {n_obs + 1} observations"))
        else:
            start = float(upto.iloc[-1 - n_obs])
            # Rounded to 1e-9 of the change units: 0.07 - 0.05 is 2 bp, not 2.0000000000000004.
            out.append(Change(window, pd.Timestamp(upto.index[-1 - n_obs]),
                              round((value - start) * scale, 9)))
    age = (as_of - date).days
    stale = age > max_age_days
    why = f"last observation {date:%Y-%m-%d}, {age} days before the as-of date" if stale else ""
    return MonitorCell(key, label, group, units, change_units, value, date, stale, tuple(out), why)


def top_contributor(
    contributions: Mapping[str, float] | None,
    date: pd.Timestamp | None,
    labels: Mapping[str, tuple[str, str]],
) -> TopContributor | None:
    """The contribution largest in absolute value (ties: the first in ``contributions``).

    ``labels`` maps an indicator to its (label, category).
    """
    finite = {k: float(v) for k, v in (contributions or {}).items() if np.isfinite(v)}
    if not finite or date is None:
        return None
    name = max(finite, key=lambda k: abs(finite[k]))
    label, category = labels.get(name, (name, ""))
    return TopContributor(name, label or name, category, finite[name], date)


#: Short names of the lights for a grid cell (the funding page keeps the long ones).
LIGHT_SHORT_LABELS: Final[Mapping[str, str]] = MappingProxyType({
    "sofr_up": "SOFR up", "sofr_effr_widening": "SOFR-EFFR wider",
    "fed_facilities": "Fed facility use"})


def _light(doc: Mapping[str, Any]) -> LightCell:
    raw_date = doc.get("date")
    name = str(doc.get("name", ""))
    return LightCell(
        name=name,
        label=LIGHT_SHORT_LABELS.get(name, str(doc.get("label", name))),
        state=str(doc.get("state", "unknown")),
        reading=None if doc.get("reading") is None else float(doc["reading"]),
        threshold=None if doc.get("threshold") is None else float(doc["threshold"]),
        units=str(doc.get("units", "")),
        date=None if raw_date is None else pd.Timestamp(raw_date),
    )


def _column(frame: pd.DataFrame | None, name: str) -> pd.Series:
    if frame is None or name not in frame.columns:
        return pd.Series(dtype=float)
    return frame[name].astype(float)


def build_board(state: MarketState, snap: Snapshot) -> MonitorBoard:
    """The monitor as of ``snap.as_of``: levels and changes from the state's full-history
    tables; the lights and the stress contributions from the snapshot of the same date."""
    when = snap.as_of
    m = state.measures
    cells: list[MonitorCell] = []
    for tenor in BOARD_TENORS:
        cells.append(level_cell(_column(m.yields, tenor), when, key=tenor, label=f"{tenor} yield",
                                group="curve", units="%", change_units="bp", scale=BP_PER_PCT,
                                max_age_days=CURVE_STALE_AFTER_DAYS))
    for name in BOARD_SPREADS:
        short, long = SPREADS[name]
        cells.append(level_cell(_column(m.spreads_bp, name), when, key=name,
                                label=f"{name} ({long}-{short})", group="spreads", units="bp",
                                change_units="bp", max_age_days=CURVE_STALE_AFTER_DAYS))
    funding: Sequence[tuple[str, str, str, str, str, float]] = (
        ("sofr", "sofr_pct", "SOFR", "%", "bp", BP_PER_PCT),
        ("effr", "effr_pct", "EFFR", "%", "bp", BP_PER_PCT),
        ("sofr_effr", "sofr_effr_bp", "SOFR - EFFR", "bp", "bp", 1.0),
        ("sofr_iorb", "sofr_iorb_bp", "SOFR - IORB", "bp", "bp", 1.0),
    )
    for key, column, label, units, change_units, scale in funding:
        cells.append(level_cell(_column(m.funding, column), when, key=key, label=label,
                                group="funding", units=units, change_units=change_units,
                                scale=scale))
    cells.append(level_cell(_column(m.facilities, "rrp_bn"), when, key="rrp", label="ON RRP",
                            group="funding", units="USD bn", change_units="USD bn"))
    cells.append(level_cell(_column(state.lev_net, "net_notional_bn"), when, key="lev_net",
                            label="Lev. funds net", group="positioning", units="USD bn",
                            change_units="USD bn", windows=WEEKLY_WINDOWS,
                            max_age_days=CFTC_STALE_AFTER_DAYS))
    # Issue 11's levels that matter in a meeting: foreign official demand, net liquidity and
    # the OFR stress index (weekly series change over 1 and 4 reports).
    cells.append(level_cell(_column(state.beyond.custody, "custody_bn"), when, key="custody",
                            label="Foreign official", group="flows", units="USD bn",
                            change_units="USD bn", windows=WEEKLY_WINDOWS,
                            max_age_days=CFTC_STALE_AFTER_DAYS))
    cells.append(level_cell(_column(state.beyond.liquidity, "net_liquidity_bn"), when,
                            key="net_liquidity", label="Net liquidity", group="flows",
                            units="USD bn", change_units="USD bn", windows=WEEKLY_WINDOWS,
                            max_age_days=CFTC_STALE_AFTER_DAYS))
    cells.append(level_cell(_column(m.series, "OFR_FSI"), when, key="ofr_fsi", label="OFR FSI",
                            group="stress", units="index", change_units="pt"))
    cells.append(level_cell(m.stress.total.astype(float), when, key="stress",
                            label="Stress index", group="stress", units="z", change_units="z"))
    labels = {s.name: (s.label, s.category) for s in m.stress.specs}
    stress_date = pd.Timestamp(snap.stress.date) if snap.stress.date else None
    top = top_contributor(snap.stress.contributions, stress_date, labels)
    lights = tuple(_light(doc) for doc in snap.funding.lights or [])
    return MonitorBoard(as_of=when, cells=tuple(cells), top=top, lights=lights)
