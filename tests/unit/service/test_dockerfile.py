"""The image copies every module the package declares: `pip install .` in the Dockerfile runs
on what was COPY'd, so a top-level module or package left out breaks the image (CI cannot
build it: no Docker engine here)."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]


def _copied() -> set[str]:
    names: set[str] = set()
    for line in (ROOT / "Dockerfile").read_text().splitlines():
        if line.startswith("COPY ") and "--from" not in line:
            sources = line.split()[1:-1]
            names.update(Path(s).name for s in sources)
    return names


def test_every_declared_module_and_package_is_copied_into_the_image():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())
    setuptools = project["tool"]["setuptools"]
    wanted = {f"{m}.py" for m in setuptools["py-modules"]}
    for pattern in setuptools["packages"]["find"]["include"]:
        wanted.add(re.sub(r"\*$", "", pattern))
    wanted |= {"pyproject.toml", "README.md", "assets"}
    missing = sorted(wanted - _copied())
    assert not missing, f"Dockerfile does not COPY {missing}: `pip install .` would fail"
