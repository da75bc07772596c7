"""Derived data kept between runs, keyed by the code that derives it.

The DEMO set and its market state take seconds to compute (a seeded simulation, then the NSS
fit of every day) and are the same on every start of the same code, so the app keeps them in
``config.cache_dir()`` with `diskcache` and reloads them in milliseconds. The key holds a
digest of the source files of the packages that compute the value and of the library
versions, so changed code (or NumPy/pandas) computes afresh; nothing ever has to be cleared
by hand. The cache is an optimisation only: when it cannot be read or written (read-only
home, damaged file) the value is computed and a warning logged.
"""

from __future__ import annotations

import hashlib
import importlib.util
import logging
import platform
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path
from typing import TypeVar

import numpy as np
import pandas as pd

import config

__all__ = ["code_digest", "get_or_make"]

log = logging.getLogger(__name__)
T = TypeVar("T")


@lru_cache(maxsize=16)
def code_digest(*modules: str) -> str:
    """SHA-256 (16 hex digits) of the source of the named packages or modules (every ``.py``
    file under a package) and of the Python, NumPy and pandas versions."""
    digest = hashlib.sha256(f"{platform.python_version()}|{np.__version__}|{pd.__version__}".encode())
    for name in modules:
        spec = importlib.util.find_spec(name)
        if spec is None or spec.origin is None:
            raise ValueError(f"no module named {name!r}")
        origin = Path(spec.origin)
        files = sorted(origin.parent.rglob("*.py")) if origin.name == "__init__.py" else [origin]
        for path in files:
            digest.update(str(path.relative_to(origin.parent)).encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def get_or_make(name: str, key: str, make: Callable[[], T], kind: type[T]) -> T:
    """The value cached under ``name``/``key``, else ``make()`` (then cached). Other keys of
    ``name`` are dropped when a new value is stored (older code's values)."""
    import diskcache

    directory = config.cache_dir() / name
    try:
        with diskcache.Cache(str(directory), size_limit=2**32, eviction_policy="none") as cache:
            found = cache.get(key)
    except Exception as exc:  # unreadable or not creatable: compute, say so once
        log.warning("derived-data cache %s unreadable (%s): computing %s", directory, exc, name)
        return make()
    if isinstance(found, kind):
        return found
    value = make()
    try:
        with diskcache.Cache(str(directory), size_limit=2**32, eviction_policy="none") as cache:
            for old in [k for k in cache.iterkeys() if k != key]:
                cache.delete(old)
            cache.set(key, value)
    except Exception as exc:
        log.warning("could not keep %s in %s (%s): it is computed again next start", name,
                    directory, exc)
    return value
