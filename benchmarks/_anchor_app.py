"""The naive ANCHOR app of bench_callbacks.py: the whole CMT history in one dcc.Graph.

Every tenor, every day, no downsampling; moving the slider rebuilds and re-sends the full
figure. It reads the SQLite store named by ANCHOR_STORE through the documented schema
(``observations(series_id, date, value, ...)``), once per worker. Served by gunicorn:
``gunicorn ... _anchor_app:server`` from benchmarks/.
"""

from __future__ import annotations

import os
import sqlite3

import pandas as pd
import plotly.graph_objects as go
from dash import Dash, Input, Output, dcc, html

TENORS = ("DGS1MO", "DGS3MO", "DGS6MO", "DGS1", "DGS2", "DGS3", "DGS5", "DGS7", "DGS10",
          "DGS20", "DGS30")


def _read_cmt(path: str) -> pd.DataFrame:
    uri = f"file:{path}?mode=ro"
    with sqlite3.connect(uri, uri=True) as conn:
        marks = ",".join("?" for _ in TENORS)
        frame = pd.read_sql_query(
            f"SELECT series_id, date, value FROM observations WHERE series_id IN ({marks})",
            conn, params=TENORS)
    wide = frame.pivot(index="date", columns="series_id", values="value").sort_index()
    wide.index = pd.to_datetime(wide.index)
    return wide[[t for t in TENORS if t in wide.columns]]


CMT = _read_cmt(os.environ["ANCHOR_STORE"])


def full_figure(position: int) -> go.Figure:
    fig = go.Figure()
    for tenor in CMT.columns:
        series = CMT[tenor].dropna()
        fig.add_trace(go.Scatter(x=series.index, y=series.values, mode="lines", name=tenor))
    when = CMT.index[max(0, min(len(CMT.index) - 1, int(position)))]
    fig.add_vline(x=when, line_dash="dot")
    fig.update_layout(title=f"Treasury CMT yields, full history (as of {when:%Y-%m-%d})",
                      yaxis_title="%")
    return fig


app = Dash(__name__, compress=True)
app.layout = html.Div([
    dcc.Graph(id="anchor-graph"),
    dcc.Slider(id="anchor-slider", min=0, max=len(CMT.index) - 1, step=1,
               value=len(CMT.index) - 1, marks=None),
])


@app.callback(Output("anchor-graph", "figure"), Input("anchor-slider", "value"))
def _update(position: int) -> go.Figure:
    return full_figure(position)


server = app.server
