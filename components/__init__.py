"""Dash layout and callbacks: the app shell, one module per page, pure figure builders."""
