"""Helpers shared by the browser tests."""

from __future__ import annotations

import os
import socket
import tempfile
from pathlib import Path

import pytest

_SCREENSHOTS = pytest.StashKey[Path]()


@pytest.fixture(autouse=True)
def _a_free_port_for_dash():
    """Each test's Dash server gets a port the OS says is free. dash.testing numbers ports from
    8050 up in each process, so two pytest-xdist workers would start their servers on the same
    port and one browser could talk to the other worker's app."""
    from dash.testing.application_runners import BaseDashRunner

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        BaseDashRunner._next_port = probe.getsockname()[1]


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
