"""The derived-data cache: a value is computed once per code version and reloaded after."""

from __future__ import annotations

import logging
import sys

import pandas as pd
import pytest

from data import derived_cache


@pytest.fixture()
def cache_home(tmp_path, monkeypatch):
    monkeypatch.setenv("TSM_CACHE_DIR", str(tmp_path / "cache"))
    return tmp_path / "cache"


def test_a_value_is_made_once_then_read_back_equal(cache_home):
    calls = []

    def make() -> pd.DataFrame:
        calls.append(1)
        return pd.DataFrame({"x": [1.5, 2.5]}, index=pd.to_datetime(["2020-01-02", "2020-01-03"]))

    first = derived_cache.get_or_make("thing", "k1", make, pd.DataFrame)
    again = derived_cache.get_or_make("thing", "k1", make, pd.DataFrame)
    assert calls == [1]
    pd.testing.assert_frame_equal(first, again)
    assert (cache_home / "thing").is_dir()


def test_another_key_recomputes_and_drops_the_old_value(cache_home):
    made = []
    derived_cache.get_or_make("thing", "old", lambda: made.append("old") or "v-old", str)
    assert derived_cache.get_or_make("thing", "new", lambda: made.append("new") or "v-new", str) == "v-new"
    assert derived_cache.get_or_make("thing", "old", lambda: made.append("old2") or "v-old2", str) == "v-old2"
    assert made == ["old", "new", "old2"]


def test_a_value_of_the_wrong_type_is_not_trusted(cache_home):
    derived_cache.get_or_make("thing", "k", lambda: "text", str)
    assert derived_cache.get_or_make("thing", "k", lambda: 7, int) == 7


def test_an_unusable_cache_directory_computes_and_warns(tmp_path, monkeypatch, caplog):
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    monkeypatch.setenv("TSM_CACHE_DIR", str(blocker))
    with caplog.at_level(logging.WARNING, logger="data.derived_cache"):
        assert derived_cache.get_or_make("thing", "k", lambda: 41 + 1, int) == 42
    assert "thing" in caplog.text


def test_the_code_digest_follows_the_source(tmp_path, monkeypatch):
    package = tmp_path / "pkg_digest_probe"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "calc.py").write_text("VALUE = 1\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    before = derived_cache.code_digest("pkg_digest_probe")
    derived_cache.code_digest.cache_clear()
    (package / "calc.py").write_text("VALUE = 2\n")
    after = derived_cache.code_digest("pkg_digest_probe")
    derived_cache.code_digest.cache_clear()
    sys.modules.pop("pkg_digest_probe", None)
    assert before != after
    with pytest.raises(ValueError, match="no module"):
        derived_cache.code_digest("no_such_module_here")


def test_the_demo_state_is_reloaded_from_the_cache_not_rebuilt(cache_home, monkeypatch):
    """A second process start finds the DEMO state in the cache: equal tables, no build."""
    import market_state
    from analytics import state as analytics_state

    monkeypatch.setattr(market_state, "_demo_states", [])
    built = market_state.demo_state()
    monkeypatch.setattr(market_state, "_demo_states", [])

    def no_build(*args, **kwargs):
        raise AssertionError("the DEMO state was rebuilt although the cache holds it")

    monkeypatch.setattr(market_state, "build_state", no_build)
    monkeypatch.setattr(analytics_state, "build_state", no_build)
    loaded = market_state.demo_state()
    assert loaded is not built
    assert loaded.revision == built.revision == -1
    pd.testing.assert_frame_equal(loaded.measures.spreads_bp, built.measures.spreads_bp)
    pd.testing.assert_series_equal(loaded.measures.stress.total, built.measures.stress.total)
