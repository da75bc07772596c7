"""Input checks shared by the analytics modules: readable ValueErrors naming the parameter."""

from __future__ import annotations

import math

__all__ = ["check_range"]


def check_range(name: str, value: float, low: float, high: float, *, low_open: bool = False) -> None:
    """Raise a readable ValueError unless low <= value <= high (low < value if low_open)."""
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise ValueError(f"{name} must be a finite number, got {value!r}")
    below = value <= low if low_open else value < low
    if below or value > high:
        bracket = "(" if low_open else "["
        raise ValueError(f"{name} must be in {bracket}{low:g}, {high:g}], got {value:g}")
