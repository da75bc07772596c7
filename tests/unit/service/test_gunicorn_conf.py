"""`tsm serve`'s gunicorn settings: what the master does before forking."""

from __future__ import annotations

import gc
import importlib
import logging

import pytest


class _Server:
    log = logging.getLogger("test-gunicorn")


@pytest.fixture()
def conf(monkeypatch):
    monkeypatch.setenv("TSM_WARM_UP", "0")
    monkeypatch.setenv("TSM_PRELOAD", "1")
    import service.gunicorn_conf as module

    yield importlib.reload(module)
    gc.unfreeze()


def test_the_master_freezes_what_it_built_before_forking(conf):
    gc.unfreeze()
    assert gc.get_freeze_count() == 0
    conf.on_starting(_Server())
    # Everything alive now (modules, app, state) is out of the collector's reach in the workers.
    assert gc.get_freeze_count() > 10_000
    assert len(gc.get_objects()) < gc.get_freeze_count()


def test_settings_come_from_the_environment(monkeypatch, conf):
    monkeypatch.setenv("TSM_WORKERS", "3")
    monkeypatch.setenv("TSM_KEEPALIVE", "40")
    again = importlib.reload(conf)
    assert (again.workers, again.keepalive, again.worker_class) == (3, 40, "gthread")
    monkeypatch.setenv("TSM_WORKERS", "two")
    with pytest.raises(ValueError, match="TSM_WORKERS"):
        importlib.reload(conf)
    monkeypatch.delenv("TSM_WORKERS")
    importlib.reload(conf)  # leave a whole module behind for other tests
