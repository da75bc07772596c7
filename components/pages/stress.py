"""Stress index: the composite Treasury Market Stress Index, its categories and contributions."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import pandas as pd
from dash import ALL, Dash, Input, Output, dcc, html, no_update
from dash import ctx as dash_ctx

from analytics.stress import (
    CATEGORIES,
    DEFAULT_CLIP_Z,
    DEFAULT_MIN_PERIODS,
    DEFAULT_WINDOW_DAYS,
    StressResult,
    compute_stress_index,
    stress_snapshot,
)
from components import figures
from components.context import AppContext
from components.theme import SERIES
from components.urlstate import Bound, initial_values, read_number
from components.widgets import card, error_box, graph, note, parse_as_of, simple_table

PATH = "/stress"
LABEL = "Stress index"

#: Business days per year for the window slider.
DAYS_PER_YEAR = 252
CATEGORY_COLORS = dict(zip(CATEGORIES, SERIES, strict=False))


@dataclass(frozen=True)
class StressSettings:
    """The page's controls, validated (readable ValueError on absurd values)."""

    window_years: float
    clip_z: float | None
    weights: tuple[tuple[str, float], ...]

    def __post_init__(self) -> None:
        if self.window_years is None or not 1 <= self.window_years <= 20:
            raise ValueError("standardisation window must be between 1 and 20 years")
        if self.clip_z is not None and not 0.5 <= self.clip_z <= 20:
            raise ValueError("z-score cap must be between 0.5 and 20 (or empty for no cap)")
        for name, w in self.weights:
            if w is None or not 0 <= w <= 10:
                raise ValueError(f"weight of {name!r} must be between 0 and 10")
        if sum(w for _, w in self.weights) <= 0:
            raise ValueError("at least one category needs a weight above 0")

    @property
    def window_days(self) -> int:
        return int(round(self.window_years * DAYS_PER_YEAR))


def is_base(base: StressResult, settings: StressSettings) -> bool:
    """True when the controls hold the settings the base index was computed with (equal
    weights, same window and cap): the page then reads the market state's index as it is."""
    present = {str(c) for c in base.categories.columns}
    weights = {c: w for c, w in settings.weights if c in present}
    equal = len(set(weights.values())) <= 1 and all(w > 0 for w in weights.values())
    return (equal and settings.window_days == base.window and settings.clip_z == base.clip_z
            and min(DEFAULT_MIN_PERIODS, settings.window_days) == base.min_periods)


def recompute(base: StressResult, settings: StressSettings) -> StressResult:
    """The index with the page's window, cap and weights, from the same indicator values."""
    if is_base(base, settings):
        return base
    window = settings.window_days
    return compute_stress_index(
        base.values, base.specs, window=window, min_periods=min(DEFAULT_MIN_PERIODS, window),
        clip_z=settings.clip_z, weights=dict(settings.weights), missing=base.missing, filled=True,
    )


#: Business days of the moving average drawn over the daily index.
SMOOTH_DAYS = 21


def history_figure(result: StressResult) -> dict[str, Any]:
    """The index as a 21-day mean (bold) over the daily values (faint); categories on demand."""
    if result.total.dropna().empty:
        return figures.empty("Not enough history to standardise any indicator.", title="Stress index")
    lines = {
        f"Stress index, {SMOOTH_DAYS}-day mean": result.total.rolling(SMOOTH_DAYS, min_periods=5).mean(),
        "Stress index, daily": result.total,
    }
    for cat in result.categories.columns:
        lines[str(cat)] = result.categories[cat]
    fig = figures.history(lines, title="Treasury Market Stress Index and categories (z units)",
                          y_title="z", zero_line=True, height=420)
    fig["data"][0]["line"].update(width=2.5, color="#0b5cad")
    fig["data"][1]["line"].update(width=1, color="#9db8d9")
    for trace in fig["data"][2:]:
        trace["visible"] = "legendonly"
    return fig


def contributions_figure(snap: dict[str, Any], labels: dict[str, str], categories: dict[str, str]) -> dict[str, Any]:
    contrib = snap["contributions"]
    if not contrib:
        return figures.empty("No indicator has a z-score on this date.", title="Contributions")
    names = sorted(contrib, key=lambda k: contrib[k])
    colors = [CATEGORY_COLORS.get(categories.get(n, ""), "#57606a") for n in names]
    fig = {
        "data": [{"type": "bar", "orientation": "h", "y": [labels.get(n, n) for n in names],
                  "x": [round(contrib[n], 4) for n in names], "marker": {"color": colors},
                  "customdata": [categories.get(n, "") for n in names],
                  "hovertemplate": "%{y}<br>%{customdata}<br>%{x:.2f}<extra></extra>"}],
        "layout": figures.bar([], [], title="", y_title="")["layout"],
    }
    fig["layout"].update({
        "title": {"text": f"Contributions on {snap['date']} (sum = {snap['value']:.2f})", "x": 0.01},
        "height": 60 + 28 * len(names), "margin": {"l": 260, "r": 16, "t": 44, "b": 40},
        "xaxis": {"title": {"text": "z units"}, "zeroline": True},
    })
    return fig


def category_key() -> html.Div:
    """The colour key of the contribution bars: one swatch per category."""
    items = [
        html.Span([
            html.Span(style={"display": "inline-block", "width": "12px", "height": "12px",
                             "borderRadius": "2px", "marginRight": "4px",
                             "verticalAlign": "middle", "backgroundColor": CATEGORY_COLORS[c]}),
            html.Span(c, className="stress-key-name"),
        ], className="stress-key-item", style={"marginRight": "14px", "whiteSpace": "nowrap"})
        for c in CATEGORIES
    ]
    return html.Div([html.Span("Bar colour = category: ", className="muted"), *items],
                    id="stress-category-key", style={"marginTop": "6px", "fontSize": "13px"})


def _share(value: float | None) -> str:
    return "-" if value is None else f"{value:.0%}"


def headline(snap: Mapping[str, Any]) -> str:
    """The index value with its date and coverage (the share of the category weight with data:
    the absent share counts as a neutral 0)."""
    if snap["value"] is None:
        return "-"
    text = f"{snap['value']:+.2f} z on {snap['date']}"
    if snap.get("coverage") is not None:
        text += f", coverage {_share(snap['coverage'])} of the category weight"
    return text


def _read_weights(text: str) -> list[float]:
    """Category weights from the query ("1,0.5,1,1,2,1": one per category, 0-3)."""
    weights = [float(w) for w in text.split(",")]
    if len(weights) != len(CATEGORIES) or not all(0 <= w <= 3 for w in weights):
        raise ValueError(f"expected {len(CATEGORIES)} weights between 0 and 3")
    return weights


#: The page's controls in the URL (see components.urlstate).
URL_STATE = (
    Bound("window", "stress-window", read=read_number(1, 20), write=lambda v: f"{float(v):g}",
          default=DEFAULT_WINDOW_DAYS / DAYS_PER_YEAR),
    Bound("cap", "stress-clip", read=read_number(0.5, 20), write=lambda v: f"{float(v):g}",
          default=DEFAULT_CLIP_Z),
    Bound("weights", {"type": "stress-weight", "category": ALL}, read=_read_weights,
          write=lambda v: ",".join(f"{float(w):g}" for w in v), default=[1.0] * len(CATEGORIES)),
)


def layout(ctx: AppContext, query: Mapping[str, str] | None = None) -> html.Div:
    values, _ = initial_values(URL_STATE, query or {})
    weight_sliders = [
        html.Div([
            html.Label(cat, htmlFor=f"stress-weight-{i}"),
            dcc.Slider(id={"type": "stress-weight", "category": cat}, min=0, max=3, step=0.25,
                       value=values.get("weights", [1.0] * len(CATEGORIES))[i],
                       marks={0: "0", 1: "1", 2: "2", 3: "3"}, updatemode="mouseup"),
        ], className="slider-block")
        for i, cat in enumerate(CATEGORIES)
    ]
    return html.Div([
        card("Composite Treasury Market Stress Index", html.Div([
            html.Label("Window (years)", htmlFor="stress-window"),
            dcc.Input(id="stress-window", type="number",
                      value=values.get("window", DEFAULT_WINDOW_DAYS / DAYS_PER_YEAR),
                      min=1, max=20, step=0.5, debounce=True, style={"width": "80px"}),
            html.Label("Cap |z| at", htmlFor="stress-clip"),
            dcc.Input(id="stress-clip", type="number", value=values.get("cap", DEFAULT_CLIP_Z),
                      min=0.5, max=20,
                      step=0.5, debounce=True, style={"width": "80px"}),
        ], className="controls"),
            html.Div(id="stress-error"),
            html.Div([html.Span("Index on ", className="muted"), html.Strong(id="stress-value")],
                     className="headline"),
            graph("stress-history", figures.empty("Computing...")),
            note("Each indicator is standardised over the trailing window (past data only), "
                 "signed so that higher means more stress, capped, averaged within its category; "
                 "categories are averaged with the weights below over all categories, a category "
                 "without data that day counting as 0 (neutral): coverage is the share of the "
                 "category weight with data, so an era with few indicators cannot score like one "
                 "with all of them. Contributions add up to the index."),
        ),
        html.Div([
            card("Contributions", graph("stress-contrib", figures.empty("Computing...")),
                 category_key()),
            card("Category weights", *weight_sliders, html.Div(id="stress-categories")),
        ], className="grid-2"),
        card("Not in the index on this date", html.Ul(id="stress-missing")),
    ])


def _number(raw: object, what: str) -> Any:
    """A control's value as a finite number (None stays None: a number box out of its range
    sends None, and :class:`StressSettings` explains the range), or a ValueError naming the
    control."""
    if raw is None:
        return None
    if isinstance(raw, bool) or not isinstance(raw, (int, float, str)) or raw == "":
        raise ValueError(f"{what} must be a number")
    try:
        value = float(raw)
    except ValueError:
        raise ValueError(f"{what} must be a number, not {str(raw)[:20]!r}") from None
    if value != value or value in (float("inf"), float("-inf")):
        raise ValueError(f"{what} must be a finite number")
    return value


def update(ctx: AppContext, as_of: str | None, window_years: float | None, clip: float | None,
           weights: list[float | None], triggered: Any = None) -> tuple[Any, ...]:
    """The page's callback as a plain function: (history, contributions, value, categories,
    missing, error). When only the date changed, the history chart is left as it is."""
    try:
        settings = StressSettings(
            _number(window_years, "standardisation window (years)"),
            None if clip == "" else _number(clip, "z-score cap"),
            tuple((c, _number(w, f"weight of {c!r}")) for c, w in zip(CATEGORIES, weights, strict=False)))
        day = parse_as_of(as_of)
    except (TypeError, ValueError) as exc:
        return (no_update,) * 5 + (error_box(str(exc), id_="stress-input-error"),)
    base = ctx.measures().stress
    result = recompute(base, settings)
    when = day if day is not None else result.total.dropna().index.max()
    if when is None or pd.isna(when):
        empty = figures.empty("Not enough data for the index.")
        return empty, empty, "-", None, [], None
    snap = stress_snapshot(result, as_of=when)
    labels = {s.name: s.label or s.name for s in result.specs}
    cats = {s.name: s.category for s in result.specs}
    by_cat = snap.get("coverage_by_category", {})
    rows = [(c, "-" if v is None else f"{v:+.2f}",
             "-" if snap["weights"].get(c) is None else f"{snap['weights'][c]:.0%}",
             _share(by_cat.get(c)))
            for c, v in snap["categories"].items()]
    value = headline(snap)
    history = no_update if triggered == "app-asof" else history_figure(result)
    return (history, contributions_figure(snap, labels, cats), value,
            simple_table("stress-category-table",
                         ["category", "score (z)", "weight today", "indicators with data"], rows),
            [html.Li(m) for m in snap["missing"]], None)


def register(app: Dash, ctx: AppContext) -> None:
    @app.callback(
        Output("stress-history", "figure"), Output("stress-contrib", "figure"),
        Output("stress-value", "children"), Output("stress-categories", "children"),
        Output("stress-missing", "children"), Output("stress-error", "children"),
        Input("app-asof", "date"), Input("stress-window", "value"), Input("stress-clip", "value"),
        Input({"type": "stress-weight", "category": ALL}, "value"),
    )
    def _update(as_of: str | None, window_years: float | None, clip: float | None,
                weights: list[float | None]) -> tuple[Any, ...]:
        return update(ctx, as_of, window_years, clip, weights, dash_ctx.triggered_id)
