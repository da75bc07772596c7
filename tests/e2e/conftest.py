"""Helpers shared by the browser tests."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest

_SCREENSHOTS = pytest.StashKey[Path]()


@pytest.fixture()
def demo_app(tmp_path):
    """The whole app on an absent store, i.e. on the DEMO data set."""
    from app import create_app

    return create_app(tmp_path / "absent.sqlite")


@pytest.fixture(scope="session")
def screenshot_dir(request) -> Path:
    """Where browser tests save screenshots: $TSM_SCREENSHOT_DIR, else a new temporary folder.
    The path is printed at the end of the run."""
    chosen = os.environ.get("TSM_SCREENSHOT_DIR")
    path = Path(chosen) if chosen else Path(tempfile.mkdtemp(prefix="tsm-screenshots-"))
    path.mkdir(parents=True, exist_ok=True)
    request.config.stash[_SCREENSHOTS] = path
    return path


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    path = config.stash.get(_SCREENSHOTS, None)
    if path is not None and any(path.glob("*.png")):
        terminalreporter.write_sep("-", "browser screenshots")
        terminalreporter.write_line(f"{len(list(path.glob('*.png')))} screenshots in {path}")
