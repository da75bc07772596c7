"""Colours and shared styles: one place, high contrast for screen-sharing, colour-blind safe.

The palette follows Okabe & Ito (2008), "Color Universal Design": blue, vermillion, reddish
purple and bluish green stay apart for protan, deutan and tritan vision, unlike the usual red
and green. The status pair GOOD/BAD is bluish green against vermillion (a difference of
luminance and of blue content, not of hue alone), and every state shown in colour is also
written out ("ON", "cannot evaluate") or carries an icon. The light-theme shades are darkened
just enough to read as text on white (contrast >= 4.5:1); the dark theme uses the original
Okabe-Ito values, which read on a dark surface.

Python constants are the *light* theme; figures are built with them on the server. The dark
theme lives in ``assets/style.css`` (CSS variables of :data:`LIGHT` and :data:`DARK`, checked
against this module by a test) and maps the light neutrals of Plotly's SVG and of inline
styles to dark ones, so no page builds its figures twice.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Any, Final

from dash import html

INK = "#1b1f24"
MUTED = "#5b6570"
GRID = "#e3e7eb"
ACCENT = "#0072b2"
DEMO = "#b35900"
GOOD = "#007a5a"
WARN = "#8f6000"
BAD = "#b34700"
#: Chart series: Okabe-Ito blue, vermillion, reddish purple, bluish green, then a lighter blue
#: and a grey (each >= 3:1 against both the white and the dark chart background).
SERIES = ("#0072b2", "#d55e00", "#cc79a7", "#009e73", "#3a93c3", "#7d8590")
FONT = "Inter, 'Segoe UI', Roboto, Helvetica, Arial, sans-serif"

#: CSS variables of the two themes (``--name``); style.css must carry the same values.
LIGHT: Final[Mapping[str, str]] = MappingProxyType({
    "bg": "#f4f6f8", "surface": "#ffffff", "surface-2": "#f6f8fa", "ink": INK, "muted": MUTED,
    "grid": GRID, "border": "#d0d7de", "accent": ACCENT, "good": GOOD, "warn": WARN, "bad": BAD,
    "header-bg": "#0d2238", "header-ink": "#ffffff",
})
DARK: Final[Mapping[str, str]] = MappingProxyType({
    "bg": "#0d1117", "surface": "#161b22", "surface-2": "#1f252d", "ink": "#e6edf3",
    "muted": "#9da7b3", "grid": "#30363d", "border": "#3d444d", "accent": "#56b4e9",
    "good": "#009e73", "warn": "#e69f00", "bad": "#e8772e", "header-bg": "#010409",
    "header-ink": "#ffffff",
})
#: Meeting mode: the dark theme pushed to maximum contrast for a projector.
PRESENT: Final[Mapping[str, str]] = MappingProxyType({
    **DARK, "bg": "#000000", "surface": "#0b0d10", "surface-2": "#14181d", "ink": "#ffffff",
    "muted": "#c9d1d9", "grid": "#3d444d",
})

EPISODES: tuple[tuple[str, str, str], ...] = (
    ("2008-09-15", "2008-10-31", "Lehman"),
    ("2013-05-22", "2013-07-05", "Taper tantrum"),
    ("2019-09-16", "2019-09-18", "Repo spike"),
    ("2020-03-09", "2020-03-20", "Dash for cash"),
    ("2022-09-23", "2022-10-14", "UK LDI"),
    ("2023-10-02", "2023-10-31", "10y at 5%"),
    ("2025-04-02", "2025-04-11", "Tariff sell-off"),
)


def base_layout(title: str, *, y_title: str = "", height: int = 360) -> dict[str, Any]:
    """Plotly layout shared by every chart (light colours; style.css darkens them)."""
    return {
        "title": {"text": title, "x": 0.01, "font": {"size": 15}},
        "height": height,
        "margin": {"l": 56, "r": 16, "t": 44, "b": 40},
        "font": {"family": FONT, "color": INK, "size": 12},
        "paper_bgcolor": "white",
        "plot_bgcolor": "white",
        "hovermode": "x unified",
        "legend": {"orientation": "h", "y": -0.18},
        "xaxis": {"gridcolor": GRID, "zeroline": False},
        "yaxis": {"gridcolor": GRID, "zeroline": False, "title": {"text": y_title}},
    }


def theme_toggle() -> html.Button:
    """The header's light/dark switch; assets/theme.js handles the click (no server round
    trip) and keeps the choice in the URL (``?theme=dark``) and in localStorage."""
    return html.Button(html.Span(className="theme-toggle-label"), id="theme-toggle",
                       className="theme-toggle", title="Switch between the light and dark theme",
                       **{"aria-label": "Switch between the light and dark theme"})
