"""Values derived from a data version, computed once and shared by every thread.

What a page reads from the whole graph (the catalogue, its name index, the facet
counts, the pivotal report) depends only on the data version, so it is computed once
per version and kept for the last few. :class:`VersionedCache` keeps one
:class:`~concurrent.futures.Future` per key: a request that needs a value while another
thread computes it waits for that computation instead of starting its own (ten
clients on a cold server build the catalogue once, not ten times), and
:meth:`VersionedCache.start` computes a value in a background thread so that a page
can show what is ready and say what is not. Keys start with the data version, so a
reload never serves a value of the old data.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from concurrent.futures import Future
from typing import Generic, TypeVar

__all__ = ["VersionedCache"]

V = TypeVar("V")


class VersionedCache(Generic[V]):
    """The last ``entries`` values by key, each computed once, however many ask at once.

    A computation that raises is not kept: the error goes to every caller waiting for
    it, and the next call computes again.

    Examples
    --------
    >>> cache: VersionedCache[int] = VersionedCache(entries=2)
    >>> calls = []
    >>> def compute() -> int:
    ...     calls.append(1)
    ...     return 42
    >>> cache.get(("v1", "answer"), compute), cache.get(("v1", "answer"), compute), len(calls)
    (42, 42, 1)
    >>> cache.start(("v2", "answer"), compute).result(), len(calls)
    (42, 2)
    >>> cache.peek(("v3", "answer")) is None
    True
    """

    def __init__(self, entries: int = 4) -> None:
        if entries < 1:
            raise ValueError(f"a cache keeps at least one entry, not {entries}")
        self.entries = entries
        self._items: OrderedDict[Hashable, Future[V]] = OrderedDict()
        self._lock = threading.Lock()

    def peek(self, key: Hashable) -> Future[V] | None:
        """The computation of ``key``, done or running, or ``None`` if none was asked for."""
        with self._lock:
            return self._items.get(key)

    def _claim(self, key: Hashable) -> tuple[Future[V], bool]:
        """The future of ``key`` and whether the caller must compute it."""
        with self._lock:
            found = self._items.get(key)
            if found is not None:
                self._items.move_to_end(key)
                return found, False
            future: Future[V] = Future()
            future.set_running_or_notify_cancel()
            self._items[key] = future
            while len(self._items) > self.entries:
                self._items.popitem(last=False)
            return future, True

    def _run(self, key: Hashable, future: Future[V], compute: Callable[[], V]) -> None:
        try:
            future.set_result(compute())
        except BaseException as err:
            # Not swallowed: every caller waiting on the future gets it re-raised.
            with self._lock:
                if self._items.get(key) is future:
                    del self._items[key]
            future.set_exception(err)

    def get(self, key: Hashable, compute: Callable[[], V]) -> V:
        """The value of ``key``: cached, awaited if another thread computes it, else
        computed here by ``compute()``.

        Raises
        ------
        Exception
            Whatever ``compute`` raised.
        """
        future, mine = self._claim(key)
        if mine:
            self._run(key, future, compute)
        return future.result()

    def start(self, key: Hashable, compute: Callable[[], V]) -> Future[V]:
        """The computation of ``key``, started in a background thread unless it is cached
        or running already.

        The thread is not a daemon: a process that exits waits for it, since a daemon
        thread stopped inside native code (numpy, igraph) aborts the whole process. A
        long computation should therefore stop on request (the pivotal report's
        ``progress`` callback raises once the server shuts down).
        """
        future, mine = self._claim(key)
        if mine:
            threading.Thread(
                target=self._run, args=(key, future, compute), name=f"compute {key!r}"
            ).start()
        return future
