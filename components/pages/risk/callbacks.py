"""Risk page callbacks: thin wrappers that read the controls, call a view and return its outputs.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd
from dash import ALL, Dash, Input, Output, State, no_update
from dash import ctx as dash_ctx

from components.context import AppContext
from components.kit import safe_data
from components.pages.risk.inputs import (
    BOND_FIELDS,
    EXAMPLE_PORTFOLIO,
    StressShock,
    _ticked,
    decode_upload,
    read_futures_dv01,
    read_stress,
)
from components.pages.risk.layout import (
    _BOOK_GONE,
    _NO_BOOK,
    _cid,
)
from components.pages.risk.views import (
    BookCache,
    ValuerCache,
    _book,
    bond_view,
    book_pnl_view,
    book_view,
    failed_bond,
    failed_pnl,
    stress_view,
    withdrawn,
)
from components.widgets import error_box, note
from data.portfolio import (
    BookStore,
)
from data.store import StoreError


# -- callbacks ---------------------------------------------------------------------------------
def _field_outputs(errors: Mapping[str, str], outputs: Sequence[Mapping[str, Any]]) -> list[Any]:
    """Each field's error slot: the message where the field matches, else empty."""
    return [errors.get(str(o["id"]["field"]), "") for o in outputs]


def register(app: Dash, ctx: AppContext) -> None:
    valuers = ValuerCache()
    books = BookCache()
    # Uploaded books stay on the server (in the store, by hash); the browser holds the key.
    kept = BookStore(ctx.store_path)

    def book_of(source: Mapping[str, Any]) -> tuple[str, str] | None:
        if source.get("key") == "example":
            return "example.csv", EXAMPLE_PORTFOLIO
        return kept.get(source.get("key"))
    bond_fields = [f for f in BOND_FIELDS if f != "curve_date"]

    @app.callback(
        Output({"type": "risk-field-error", "field": ALL}, "children"),
        Output("risk-bond-summary", "children"),
        Output("risk-krd-chart", "figure"),
        Output("risk-sweep-chart", "figure"),
        Output("risk-bond-spec", "data"),
        Output("risk-curve-note", "children"),
        *[Input(_cid(f), "value") for f in bond_fields],
        Input(_cid("curve_date"), "date"),
        prevent_initial_call=True,
    )
    def _update_bond(*raw: object) -> tuple[Any, ...]:
        values = dict(zip([*bond_fields, "curve_date"], raw, strict=True))
        data, store_error = safe_data(ctx)
        if data is None and values.get("curve_kind") == "store":
            view = failed_bond({"curve_kind": store_error})
        else:
            view = bond_view(data, values, cache=valuers)
        slots = _field_outputs(view.errors, dash_ctx.outputs_list[0])
        return (slots, *view[1:])

    @app.callback(
        Output(_cid("call_after"), "disabled"), Output(_cid("call_price"), "disabled"),
        Output(_cid("vol"), "disabled"), Input(_cid("callable"), "value"),
    )
    def _toggle_callable(ticked: object) -> tuple[bool, bool, bool]:
        off = not _ticked(ticked)
        return off, off, off

    @app.callback(
        Output(_cid("ordinary"), "disabled"), Output(_cid("gains"), "disabled"),
        Input(_cid("muni"), "value"),
    )
    def _toggle_muni(ticked: object) -> tuple[bool, bool]:
        off = not _ticked(ticked)
        return off, off

    @app.callback(Output(_cid("curve_date"), "disabled"), Input(_cid("curve_kind"), "value"))
    def _toggle_date(kind: object) -> bool:
        return kind != "store"

    def shock_of(parallel: object, twist: object, keys: Sequence[object],
                 ids: Sequence[Mapping[str, Any]]) -> StressShock | Exception:
        try:
            return read_stress(parallel, twist, keys, ids)
        except ValueError as exc:
            return exc

    @app.callback(
        Output("risk-stress-error", "children"), Output("risk-stress-tiles", "children"),
        Output("risk-profile-chart", "figure"),
        Input("risk-parallel", "value"), Input("risk-twist", "value"),
        Input({"type": "risk-kr", "tenor": ALL}, "value"), Input("risk-bond-spec", "data"),
        State({"type": "risk-kr", "tenor": ALL}, "id"),
        prevent_initial_call=True,
    )
    def _update_stress(parallel: object, twist: object, keys: list[object],
                       stored: dict[str, Any] | None, ids: list[dict[str, Any]]) -> tuple[Any, ...]:
        return tuple(stress_view(stored, shock_of(parallel, twist, keys, ids), cache=valuers))

    @app.callback(
        Output("risk-parallel", "value"), Output("risk-twist", "value"),
        Output({"type": "risk-kr", "tenor": ALL}, "value"),
        Input("risk-reset", "n_clicks"), prevent_initial_call=True,
    )
    def _reset(_: int) -> tuple[Any, ...]:
        return 0.0, 0.0, [0.0] * len(dash_ctx.outputs_list[2])

    @app.callback(
        Output("risk-pf-source", "data"), Output("risk-pf-upload-error", "children"),
        Output("risk-pf-file", "children"),
        Input("risk-pf-upload", "contents"), Input("risk-pf-example", "n_clicks"),
        State("risk-pf-upload", "filename"), prevent_initial_call=True,
    )
    def _load(contents: str | None, _clicks: int, filename: str | None) -> tuple[Any, ...]:
        if dash_ctx.triggered_id == "risk-pf-example":
            return ({"key": "example", "source": "example.csv"}, "",
                    "File: the example portfolio (example.csv).")
        if not contents:
            return no_update, no_update, no_update
        name = str(filename or "upload.csv")[:200]
        try:
            if not isinstance(contents, str):
                raise ValueError(f"{name}: the upload is not a data URL")
            text = decode_upload(contents, name)
            key = kept.put(text, name)
        except (ValueError, StoreError) as exc:
            # The new file replaces the old one even when it is refused: the previous file's
            # rows, messages and P&L go (they would read as this file's).
            return None, error_box(str(exc), id_="risk-pf-upload-error-msg"), ""
        return {"key": key, "source": name}, "", f"File: {name}."

    @app.callback(
        Output("risk-pf-errors", "children"), Output("risk-pf-positions", "children"),
        Output("risk-pf-totals", "children"), Output("risk-pf-hedge-table", "children"),
        Input("risk-pf-source", "data"), Input("risk-pf-asof", "date"),
        Input({"type": "risk-fut-dv01", "key": ALL}, "value"),
        State({"type": "risk-fut-dv01", "key": ALL}, "id"),
        prevent_initial_call=True,
    )
    def _update_book(source: dict[str, str] | None, as_of: str | None, dv01s: list[object],
                     dv01_ids: list[dict[str, Any]]) -> tuple[Any, ...]:
        if not source:
            return "", note(_NO_BOOK), "", ""
        book = book_of(source) if isinstance(source, Mapping) else None
        if book is None:
            return error_box(_BOOK_GONE), withdrawn("risk-pf-withdrawn"), "", ""
        data, store_error = safe_data(ctx)
        if data is None:
            return error_box(store_error), withdrawn("risk-pf-withdrawn"), "", ""
        priced = _book(books, book[1], book[0], data.yields, as_of, data.revision)
        futures: dict[str, float] | Exception
        try:
            futures = read_futures_dv01(dv01s, dv01_ids)
        except ValueError as exc:
            futures = exc
        return tuple(book_view(priced, data, futures))

    @app.callback(
        Output("risk-pnl-error", "children"), Output("risk-pnl-table", "children"),
        Output("risk-pnl-chart", "figure"),
        Input("risk-pf-source", "data"), Input("risk-pf-asof", "date"),
        Input("risk-parallel", "value"), Input("risk-twist", "value"),
        Input({"type": "risk-kr", "tenor": ALL}, "value"),
        Input("risk-replay-start", "date"), Input("risk-replay-end", "date"),
        State({"type": "risk-kr", "tenor": ALL}, "id"),
        prevent_initial_call=True,
    )
    def _update_pnl(source: dict[str, str] | None, as_of: str | None, parallel: object,
                    twist: object, keys: list[object], start: str | None, end: str | None,
                    ids: list[dict[str, Any]]) -> tuple[Any, ...]:
        if not source:
            return tuple(book_pnl_view(None, pd.DataFrame(), StressShock(), None, None))
        book = book_of(source) if isinstance(source, Mapping) else None
        if book is None:
            return tuple(failed_pnl(_BOOK_GONE))
        data, store_error = safe_data(ctx)
        if data is None:
            return tuple(failed_pnl(store_error))
        priced = _book(books, book[1], book[0], data.yields, as_of, data.revision)
        return tuple(book_pnl_view(priced, data.yields, shock_of(parallel, twist, keys, ids),
                                   start, end))
