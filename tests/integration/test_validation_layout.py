"""app.validation_layout holds every id a callback names (suppress_callback_exceptions off):
the shell, every page and meeting mode rendered on the DEMO set."""

from __future__ import annotations

import json
from typing import Any

import plotly
import pytest

from app import _components, create_app


@pytest.fixture(scope="module")
def demo_app(tmp_path_factory):
    return create_app(tmp_path_factory.mktemp("vl") / "absent.sqlite")


def _ids(layout: Any) -> tuple[set[str], set[str]]:
    """Plain string ids, and the ``type`` of the pattern-matching (dict) ids."""
    plain: set[str] = set()
    types: set[str] = set()
    for node in _components(layout):
        id_ = getattr(node, "id", None)
        if isinstance(id_, str):
            plain.add(id_)
        elif isinstance(id_, dict):
            types.add(str(id_.get("type")))
    return plain, types


def _deps(output: str, callback: dict[str, Any]) -> list[Any]:
    """Every component id of a registered callback (outputs, inputs, states)."""
    ids: list[Any] = []
    for part in output.strip(".").split("..."):
        id_ = part.rsplit(".", 1)[0].lstrip(".")
        ids.append(json.loads(id_) if id_.startswith("{") else id_)
    ids += [d["id"] for d in callback["inputs"]]
    ids += [d["id"] for d in callback["state"]]
    return [json.loads(i) if isinstance(i, str) and i.startswith("{") else i for i in ids]


def test_callbacks_are_checked_and_every_callback_id_is_in_the_validation_layout(demo_app):
    assert demo_app.config.suppress_callback_exceptions is False
    plain, types = _ids(demo_app.validation_layout)
    missing = []
    for output, callback in demo_app.callback_map.items():
        for id_ in _deps(output, callback):
            if isinstance(id_, dict):
                if str(id_.get("type")) not in types:
                    missing.append(id_)
            elif id_ not in plain:
                missing.append(id_)
    assert not missing, f"ids in callbacks but in no layout: {missing}"


def test_the_validation_layout_is_light_and_holds_each_page(demo_app):
    layout = demo_app.validation_layout
    size = len(json.dumps(layout, cls=plotly.utils.PlotlyJSONEncoder))
    assert size < 60_000, size  # only bare id-bearing components: it ships with every index page
    plain, _ = _ids(layout)
    for id_ in ("url", "page", "risk-bond-summary", "scen-basis-assumptions", "scen-mtg-assumptions"):
        assert id_ in plain
    ids = [getattr(n, "id", None) for n in _components(layout) if isinstance(getattr(n, "id", None), str)]
    dupes = sorted({i for i in ids if ids.count(i) > 1})
    assert not dupes, f"ids used twice: {dupes}"
