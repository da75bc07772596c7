"""Text lines of the issue-11 snapshot keys for `tsm snapshot` (without --json)."""

from __future__ import annotations

from typing import Any

__all__ = ["render_beyond"]


def _f(value: Any, fmt: str = ",.1f") -> str:
    return "-" if value is None else format(value, fmt)


def render_beyond(doc: dict[str, Any]) -> list[str]:
    """One paragraph per issue-11 key present in `doc` (none when the keys are absent)."""
    if "foreign_official" not in doc:
        return []
    fo, liq, tp = doc["foreign_official"], doc["liquidity"], doc["term_premium"]
    ry, auc, off, sa = doc["real_yields"], doc["auctions"], doc["official_indices"], doc["sell_america"]
    out = [
        f"\nForeign official custody ({fo['date'] or '-'}): {_f(fo['custody_bn'])} bn, 1w "
        f"{_f(fo['change_1w_bn'], '+,.1f')} bn, 4w {_f(fo['change_4w_bn'], '+,.1f')} bn, z-score {_f(fo['zscore'], '+.2f')}",
        f"Net liquidity ({liq['date'] or '-'}): {_f(liq['net_liquidity_bn'])} bn = Fed assets "
        f"{_f(liq['fed_assets_bn'])} - TGA {_f(liq['tga_bn'])} - ON RRP {_f(liq['rrp_bn'])}; 4w "
        f"{_f(liq['change_4w_bn'], '+,.1f')} bn",
        f"Term premium 10y: ACM {_f(tp['acm_10y_pct'], '+.2f')}% ({tp['acm_date'] or '-'}), Kim-Wright "
        f"{_f(tp['kim_wright_10y_pct'], '+.2f')}% ({tp['kim_wright_date'] or '-'}); 1m 10y change "
        f"{_f(tp['change_1m_bp'], '+.1f')} bp of which expected path {_f(tp['expected_path_1m_bp'], '+.1f')} bp",
        f"Real yields: 10y real {_f(ry['real_10y_pct'], '.2f')}%, breakeven {_f(ry['breakeven_10y_pct'], '.2f')}%, "
        f"5y5y {_f(ry['forward_5y5y_pct'], '.2f')}%",
        f"Official indices: OFR FSI {_f(off['ofr_fsi'], '+.2f')}, STLFSI4 {_f(off['stlfsi4'], '+.2f')}, "
        f"NFCI {_f(off['nfci'], '+.2f')}",
        f"Sell America ({sa['window_days']}d to {sa['date'] or '-'}): "
        f"{'ON' if sa['signal'] else 'off' if sa['signal'] is False else '-'} (10y {_f(sa['yield_10y_bp'], '+.0f')} bp, "
        f"dollar {_f(sa['dollar_pct'], '+.2f')}%, S&P 500 {_f(sa['equities_pct'], '+.2f')}%)",
        f"Auctions {auc['from']} to {auc['to']}:",
    ]
    out += [f"  {r['date']} {r['tenor']:>3s}: high {_f(r['high_yield_pct'], '.3f')}%, tail {_f(r['tail_bp'], '+.1f')} bp, "
            f"cover {_f(r['bid_to_cover'], '.2f')}, indirect {_f(r['indirect_pct'])}%, dealer {_f(r['dealer_pct'])}%"
            f"{'  WEAK' if r['weak'] else ''}" for r in auc["recent"]] or ["  none"]
    missing = [m for key in ("foreign_official", "liquidity", "term_premium", "real_yields", "auctions",
                             "official_indices", "sell_america") for m in doc[key].get("missing", [])]
    if missing:
        out.append("Missing (issue 11):\n" + "\n".join(f"  - {m}" for m in missing))
    return out
