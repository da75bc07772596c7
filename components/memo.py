"""A small thread-safe memo shared by the pages: each value built once, other keys meanwhile."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar, cast

__all__ = ["Memo", "OwnedMemo"]

K = TypeVar("K", bound=Hashable)
T = TypeVar("T")


class Memo(Generic[K, T]):
    """A small thread-safe memo: at most ``size`` entries, least recently used dropped.

    A value is built once however many requests want it at the same time (the others wait for
    it), and only those requests wait: values of other keys are built and served meanwhile
    (a lock held through the build made four clients pricing four dates queue one behind
    the other).
    """

    def __init__(self, size: int) -> None:
        self._size = size
        self._items: OrderedDict[K, T] = OrderedDict()
        self._building: dict[K, _Build[T]] = {}
        self._lock = threading.Lock()

    def get(self, key: K, make: Callable[[], T]) -> T:
        with self._lock:
            if key in self._items:
                self._items.move_to_end(key)
                return self._items[key]
            build = self._building.get(key)
            owner = build is None
            if build is None:
                build = self._building[key] = _Build()
        if not owner:
            return build.result()
        try:
            value = make()
        except BaseException as exc:
            with self._lock:
                del self._building[key]
            build.fail(exc)
            raise
        with self._lock:
            self._items[key] = value
            while len(self._items) > self._size:
                self._items.popitem(last=False)
            del self._building[key]
        build.finish(value)
        return value

    def __len__(self) -> int:
        return len(self._items)


class _Build(Generic[T]):
    """One value being built; other requests for it wait on :meth:`result`."""

    def __init__(self) -> None:
        self._done = threading.Event()
        self._value: T | None = None
        self._error: BaseException | None = None

    def finish(self, value: T) -> None:
        self._value = value
        self._done.set()

    def fail(self, error: BaseException) -> None:
        self._error = error
        self._done.set()

    def result(self) -> T:
        self._done.wait()
        if self._error is not None:
            raise self._error
        return cast(T, self._value)




class OwnedMemo(Generic[T]):
    """A :class:`Memo` of values derived from an object (a frame, a market state), by that
    object's identity and a key. Each entry holds its owner, so the owner's id cannot be
    reused by another object while the entry lives (an id alone could name a new frame)."""

    def __init__(self, size: int) -> None:
        self._memo: Memo[tuple[int, Hashable], tuple[object, T]] = Memo(size)

    def get(self, owner: object, key: Hashable, make: Callable[[], T]) -> T:
        return self._memo.get((id(owner), key), lambda: (owner, make()))[1]
