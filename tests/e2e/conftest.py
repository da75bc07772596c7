"""Helpers shared by the browser tests."""

from __future__ import annotations

import pytest


@pytest.fixture()
def demo_app(tmp_path):
    """The whole app on an absent store, i.e. on the DEMO data set."""
    from app import create_app

    return create_app(tmp_path / "absent.sqlite")
