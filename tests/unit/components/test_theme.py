"""The palette: readable in both themes and distinguishable with colour-vision deficiencies.

Independent references used here:
* WCAG 2.x relative luminance and contrast ratio (sRGB linearisation, 0.2126/0.7152/0.0722).
* Machado, Oliveira & Fernandes (2009), "A physiologically-based model for simulation of
  color vision deficiency", IEEE TVCG 15(6), the severity-1.0 matrices on linear RGB.
* CIE 1976 L*a*b* (D65 white) and its Euclidean colour difference, Delta E*ab.
"""

from __future__ import annotations

import itertools
import re
from pathlib import Path

import numpy as np
import pytest

from components import theme

CSS = Path(__file__).resolve().parents[3] / "assets" / "style.css"

MACHADO = {
    "protanopia": np.array([[0.152286, 1.052583, -0.204868],
                            [0.114503, 0.786281, 0.099216],
                            [-0.003882, -0.048116, 1.051998]]),
    "deuteranopia": np.array([[0.367322, 0.860646, -0.227968],
                              [0.280085, 0.672501, 0.047413],
                              [-0.011820, 0.042940, 0.968881]]),
    "tritanopia": np.array([[1.255528, -0.076749, -0.178779],
                            [-0.078411, 0.930809, 0.147602],
                            [0.004733, 0.691367, 0.303900]]),
}
SRGB_TO_XYZ = np.array([[0.4124, 0.3576, 0.1805], [0.2126, 0.7152, 0.0722], [0.0193, 0.1192, 0.9505]])
D65 = np.array([0.95047, 1.0, 1.08883])


def linear(hex_colour: str) -> np.ndarray:
    c = np.array([int(hex_colour[i:i + 2], 16) for i in (1, 3, 5)]) / 255.0
    return np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)


def contrast(a: str, b: str) -> float:
    la, lb = (float(linear(x) @ np.array([0.2126, 0.7152, 0.0722])) for x in (a, b))
    hi, lo = max(la, lb), min(la, lb)
    return (hi + 0.05) / (lo + 0.05)


def lab(rgb_linear: np.ndarray) -> np.ndarray:
    t = (SRGB_TO_XYZ @ rgb_linear) / D65
    f = np.where(t > (6 / 29) ** 3, np.cbrt(t), t / (3 * (6 / 29) ** 2) + 4 / 29)
    return np.array([116 * f[1] - 16, 500 * (f[0] - f[1]), 200 * (f[1] - f[2])])


def delta_e(a: str, b: str, deficiency: str) -> float:
    m = MACHADO[deficiency]
    sa, sb = (np.clip(m @ linear(x), 0.0, 1.0) for x in (a, b))
    return float(np.linalg.norm(lab(sa) - lab(sb)))


def test_the_helpers_reproduce_known_values():
    assert contrast("#000000", "#ffffff") == pytest.approx(21.0)
    assert contrast("#777777", "#ffffff") == pytest.approx(4.48, abs=0.01)  # the classic 4.5 miss
    assert lab(linear("#ffffff")) == pytest.approx([100.0, 0.0, 0.0], abs=0.05)
    # Pure red and pure green, a clear pair for trichromats, come close for a deuteranope.
    assert delta_e("#ff0000", "#00ff00", "deuteranopia") < 0.5 * float(
        np.linalg.norm(lab(linear("#ff0000")) - lab(linear("#00ff00"))))


def _css_block(selector: str) -> dict[str, str]:
    text = CSS.read_text()
    match = re.search(re.escape(selector) + r"\s*\{([^}]*)\}", text)
    assert match, f"{selector} block missing from {CSS}"
    return {k: v.strip().lower() for k, v in re.findall(r"--([a-z0-9-]+):\s*([^;]+);", match.group(1))}


@pytest.mark.parametrize(("selector", "palette"), [
    (":root", theme.LIGHT),
    ('html[data-theme="dark"]', theme.DARK),
])
def test_style_css_carries_the_palette_of_theme_py(selector, palette):
    block = _css_block(selector)
    for name, value in palette.items():
        assert block.get(name) == value.lower(), f"--{name} in {selector}"


def test_meeting_mode_css_carries_the_present_palette():
    block = _css_block('html[data-theme="dark"][data-present="1"]')
    for name, value in theme.PRESENT.items():
        if value != theme.DARK[name]:
            assert block.get(name) == value.lower(), f"--{name} in meeting mode"


@pytest.mark.parametrize("palette", [theme.LIGHT, theme.DARK, theme.PRESENT], ids=["light", "dark", "present"])
def test_text_colours_read_at_wcag_aa_on_every_surface(palette):
    for background in ("bg", "surface", "surface-2"):
        for text in ("ink", "muted", "good", "warn", "bad", "accent"):
            ratio = contrast(palette[text], palette[background])
            assert ratio >= 4.5, f"{text} on {background}: {ratio:.2f}"


def test_chart_series_stand_out_at_3_to_1_on_both_chart_backgrounds():
    for colour in theme.SERIES:
        assert contrast(colour, "#ffffff") >= 3.0, colour
        assert contrast(colour, theme.DARK["surface"]) >= 3.0, colour


@pytest.mark.parametrize("deficiency", sorted(MACHADO))
@pytest.mark.parametrize("palette", [theme.LIGHT, theme.DARK], ids=["light", "dark"])
def test_good_and_bad_stay_apart_for_colour_blind_vision(palette, deficiency):
    # The old green #1a7f37 and red #cf222e came to about 18 for a deuteranope.
    assert delta_e(palette["good"], palette["bad"], deficiency) >= 30.0


@pytest.mark.parametrize("deficiency", sorted(MACHADO))
def test_the_first_four_series_stay_apart_for_colour_blind_vision(deficiency):
    # Most charts draw at most four series; the old blue/purple pair came to 13 (deutan).
    worst = min(delta_e(a, b, deficiency) for a, b in itertools.combinations(theme.SERIES[:4], 2))
    assert worst >= 15.0
