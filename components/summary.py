"""The "Copy summary" text of each page: its key readings as a few plain lines for chat or email.

Pure functions of the typed :class:`analytics.state.Snapshot` (no Dash): the shell's copy
button calls :func:`page_summary` with the page's path and the snapshot of the page's as-of
date. A reading whose date differs from the as-of date says its own date; an absent reading
says "n/a" rather than being left out, so a pasted summary never hides a gap.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from analytics.state import Snapshot

__all__ = ["page_summary", "SECTIONS"]

NA = "n/a"


def _num(value: float | None, fmt: str, unit: str = "") -> str:
    if value is None or value != value:  # None or NaN
        return NA
    return f"{value:{fmt}}{unit}"


def _pct(value: float | None) -> str:
    return _num(value, ".2f", "%")


def _bp(value: float | None, *, signed: bool = False) -> str:
    return _num(value, "+.1f" if signed else ".1f", " bp")


def _dated(text: str, when: str | None, as_of: str) -> str:
    """``text``, followed by its own date when that is not the as-of date."""
    return f"{text} (as of {when})" if when and when != as_of and text != NA else text


def _iso(snap: Snapshot) -> str:
    return snap.as_of.strftime("%Y-%m-%d")


def _curve_date(snap: Snapshot) -> str | None:
    return None if snap.curve.date is None else snap.curve.date.strftime("%Y-%m-%d")


def _yields_line(snap: Snapshot, tenors: tuple[str, ...]) -> str:
    parts = [f"{t} {_pct(snap.curve.yields_pct.get(t))}" for t in tenors]
    return _dated("Yields: " + ", ".join(parts), _curve_date(snap), _iso(snap))


def _move_text(snap: Snapshot, spread: str, window: str) -> str:
    move = snap.curve.move(spread, window)
    if move is None or move.spread_bp is None:
        return f"{window} {NA}"
    text = f"{window} {_bp(move.spread_bp, signed=True)}"
    if move.regime:
        text += f" {move.regime}"
    if move.percentile is not None:
        text += f" (pctile {move.percentile:.0f})"
    return text


def _spread_line(snap: Snapshot, spread: str, windows: tuple[str, ...]) -> str:
    level = _bp(snap.curve.spreads_bp.get(spread))
    moves = "; ".join(_move_text(snap, spread, w) for w in windows)
    return f"{spread} {level}: {moves}"


def _lights_line(snap: Snapshot) -> str:
    lights = snap.funding.lights or []
    if not lights:
        return f"Liquidity lights: {NA} (no funding data)"
    known = snap.funding.lights_known
    on = snap.funding.lights_on
    states = ", ".join(f"{light.get('label', light.get('name'))}: "
                       f"{'cannot evaluate' if light.get('state') not in ('on', 'off') else light.get('state')}"
                       for light in lights)
    return f"Liquidity lights: {on} on of {known} evaluated ({len(lights)} in all) - {states}"


def _stress_line(snap: Snapshot) -> str:
    stress = snap.stress
    text = _dated(f"Stress index {_num(stress.value, '+.2f')} (z)", stress.date, _iso(snap))
    top = _top_contributors(stress.contributions, 1)
    return f"{text}; top contributor {top}" if top else text


def _top_contributors(contributions: Mapping[str, float] | None, n: int) -> str:
    if not contributions:
        return ""
    ranked = sorted(contributions.items(), key=lambda kv: abs(kv[1]), reverse=True)[:n]
    return ", ".join(f"{name} {value:+.2f}" for name, value in ranked)


def _positioning_line(snap: Snapshot) -> str:
    pos = snap.positioning
    if pos.report_date is None:
        return f"Leveraged funds net: {NA} (no CFTC positions)"
    net = _num(pos.lev_funds_net_10y_eq_contracts, ",.0f", " 10y-eq contracts")
    return (f"Leveraged funds net {net}, weekly change "
            f"{_num(pos.weekly_change_10y_eq_contracts, '+,.0f')}, z-score {_num(pos.zscore, '+.2f')} "
            f"(CFTC report {pos.report_date})")


def _funding_lines(snap: Snapshot) -> list[str]:
    f = snap.funding
    as_of = _iso(snap)
    rates = (f"SOFR {_pct(f.sofr_pct)}, EFFR {_pct(f.effr_pct)}, SOFR-EFFR {_bp(f.sofr_effr_bp)}, "
             f"SOFR-IORB {_bp(f.sofr_iorb_bp)}, SOFR 99th-1st pctile {_bp(f.sofr_p99_p1_bp)}")
    balances = (f"ON RRP {_num(f.rrp_bn, ',.1f', ' bn')}, reserves {_num(f.reserves_bn, ',.0f', ' bn')}, "
                f"SRF {_num(f.srf_bn, ',.1f', ' bn')}, discount window "
                f"{_num(f.discount_window_bn, ',.1f', ' bn')}")
    return [_dated(rates, f.as_of, as_of), balances, _lights_line(snap)]


def _overview(snap: Snapshot) -> list[str]:
    return [
        _yields_line(snap, ("3m", "2y", "5y", "10y", "30y")),
        _spread_line(snap, "2s10s", ("1d", "1w", "1m")),
        _stress_line(snap),
        _lights_line(snap),
    ]


def _curve(snap: Snapshot) -> list[str]:
    tenors = tuple(snap.curve.yields_pct)
    return [_yields_line(snap, tenors),
            *(_spread_line(snap, s, ("1d", "1w", "1m")) for s in snap.curve.spreads_bp)]


def _functioning(snap: Snapshot) -> list[str]:
    fn = snap.functioning
    swaps = [f"{t} {_bp(v)}" for t, v in snap.swap_spreads_bp.items() if v is not None]
    return [
        f"Curve-fit noise {_bp(fn.fit_noise_bp)}, 10y on-the-run premium {_bp(fn.otr_premium_10y_bp)}",
        "Swap spreads: " + (", ".join(swaps) if swaps else f"{NA} (no swap rates stored)"),
    ]


def _stress(snap: Snapshot) -> list[str]:
    stress = snap.stress
    categories = ", ".join(f"{name} {_num(value, '+.2f')}"
                           for name, value in (stress.categories or {}).items())
    top = _top_contributors(stress.contributions, 3)
    return [
        _dated(f"Stress index {_num(stress.value, '+.2f')} (z)", stress.date, _iso(snap)),
        f"Categories: {categories or NA}",
        f"Top contributors: {top or NA}",
    ]


def _risk(snap: Snapshot) -> list[str]:
    return [_yields_line(snap, tuple(snap.curve.yields_pct)),
            "Portfolio figures depend on the inputs on the page; export its tables as CSV."]


def _beyond(snap: Snapshot, key: str) -> dict[str, Any]:
    found = snap.beyond.get(key) if snap.beyond else None
    return dict(found) if isinstance(found, Mapping) else {}


def _flows(snap: Snapshot) -> list[str]:
    as_of = _iso(snap)
    fo, liq, idx = (_beyond(snap, k) for k in ("foreign_official", "liquidity", "official_indices"))
    sell = _beyond(snap, "sell_america")
    signal = sell.get("signal")
    return [
        _dated(f"Foreign official custody {_num(fo.get('custody_bn'), ',.0f', ' bn')}, 1w "
               f"{_num(fo.get('change_1w_bn'), '+,.1f', ' bn')}, 4w "
               f"{_num(fo.get('change_4w_bn'), '+,.1f', ' bn')}, z {_num(fo.get('zscore'), '+.2f')}",
               fo.get("date"), as_of),
        _dated(f"Net liquidity {_num(liq.get('net_liquidity_bn'), ',.0f', ' bn')} (4w "
               f"{_num(liq.get('change_4w_bn'), '+,.0f', ' bn')})", liq.get("date"), as_of),
        _dated("Sell-America signal " + (NA if signal is None else "ON" if signal else "off"),
               sell.get("date"), as_of),
        f"OFR FSI {_num(idx.get('ofr_fsi'), '+.2f')}, STLFSI4 {_num(idx.get('stlfsi4'), '+.2f')}, "
        f"NFCI {_num(idx.get('nfci'), '+.2f')}",
    ]


def _drivers(snap: Snapshot) -> list[str]:
    as_of = _iso(snap)
    tp, real = _beyond(snap, "term_premium"), _beyond(snap, "real_yields")
    return [
        _dated(f"10y term premium: ACM {_pct(tp.get('acm_10y_pct'))}, Kim-Wright "
               f"{_pct(tp.get('kim_wright_10y_pct'))}", tp.get("acm_date"), as_of),
        f"10y over 1m {_bp(tp.get('change_1m_bp'), signed=True)}: term premium "
        f"{_bp(tp.get('term_premium_1m_bp'), signed=True)}, expected path "
        f"{_bp(tp.get('expected_path_1m_bp'), signed=True)}",
        _dated(f"10y real {_pct(real.get('real_10y_pct'))}, breakeven "
               f"{_pct(real.get('breakeven_10y_pct'))}, 5y5y forward "
               f"{_pct(real.get('forward_5y5y_pct'))}", real.get("real_10y_date"), as_of),
    ]


def _auctions(snap: Snapshot) -> list[str]:
    recent = _beyond(snap, "auctions").get("recent") or []
    if not recent:
        return [f"Recent auctions: {NA} (none stored)"]
    return [f"{a.get('date')} {a.get('tenor')}: high {_num(a.get('high_yield_pct'), '.3f', '%')}, "
            f"tail {_bp(a.get('tail_bp'), signed=True)}, bid-to-cover "
            f"{_num(a.get('bid_to_cover'), '.2f')}, indirect {_num(a.get('indirect_pct'), '.1f', '%')}"
            + (" WEAK" if a.get("weak") else "") for a in recent]


def _data(snap: Snapshot) -> list[str]:
    lines = [f"{len(snap.missing)} reading(s) missing"]
    lines += [f"- {item}" for item in snap.missing]
    return lines


#: Per page path: (title, the lines of its key readings).
SECTIONS: dict[str, tuple[str, Callable[[Snapshot], list[str]]]] = {
    "/": ("Overview", _overview),
    "/curve": ("Curve", _curve),
    "/functioning": ("Market functioning", _functioning),
    "/funding": ("Funding", _funding_lines),
    "/positioning": ("Positioning", lambda s: [_positioning_line(s)]),
    "/stress": ("Stress index", _stress),
    "/risk": ("Risk", _risk),
    "/scenarios": ("Scenarios", _risk),
    "/flows": ("Flows & liquidity", _flows),
    "/drivers": ("Rates drivers", _drivers),
    "/auctions": ("Auctions", _auctions),
    "/data": ("Data", _data),
}


def page_summary(path: str | None, snap: Snapshot) -> str:
    """The summary of the page at ``path`` (the overview's for an unknown path) as of
    ``snap.as_of``: a header line naming the page, date, data mode and revision, then its
    readings, one per line."""
    title, lines = SECTIONS.get(path or "/", SECTIONS["/"])
    head = (f"Treasury Stress Monitor - {title}, as of {_iso(snap)} "
            f"({snap.data} data, revision {snap.revision})")
    return "\n".join([head, *lines(snap)])
