"""Colours and shared styles: one place, high contrast for screen-sharing."""

from __future__ import annotations

from typing import Any

INK = "#1b1f24"
MUTED = "#5b6570"
GRID = "#e3e7eb"
ACCENT = "#0b5cad"
DEMO = "#b35900"
GOOD = "#1a7f37"
WARN = "#bf8700"
BAD = "#cf222e"
SERIES = ("#0b5cad", "#cf6a00", "#6e40c9", "#1a7f37", "#cf222e", "#57606a")
FONT = "Inter, 'Segoe UI', Roboto, Helvetica, Arial, sans-serif"

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
    """Plotly layout shared by every chart."""
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
