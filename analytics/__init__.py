"""Pure computation for Treasury Stress Monitor.

Everything in this package takes numpy arrays or pandas frames and returns data: no Dash,
Plotly, Flask, HTTP or store access (a ruff banned-import rule keeps it so).
"""
