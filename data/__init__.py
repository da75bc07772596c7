"""Data layer: sources, the SQLite store, imports and the embedded demo data set.

Nothing outside this package speaks SQL or HTTP.
"""
