"""VersionedCache: one computation per key, however many threads ask at once."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest

from glocal.store.versioned import VersionedCache


def test_concurrent_callers_share_one_computation() -> None:
    cache: VersionedCache[str] = VersionedCache()
    release = threading.Event()
    calls: list[int] = []

    def slow() -> str:
        calls.append(1)
        release.wait(10)
        return "built"

    with ThreadPoolExecutor(8) as pool:
        waiting = [pool.submit(cache.get, ("v1", "catalogue"), slow) for _ in range(8)]
        release.set()
        assert [w.result(timeout=10) for w in waiting] == ["built"] * 8
    assert len(calls) == 1


def test_a_failed_computation_is_not_kept() -> None:
    cache: VersionedCache[int] = VersionedCache()

    def broken() -> int:
        raise ValueError("no such layer")

    with pytest.raises(ValueError, match="no such layer"):
        cache.get("k", broken)
    started = cache.start("k", broken)
    assert isinstance(started.exception(timeout=10), ValueError)
    assert cache.get("k", lambda: 7) == 7


def test_only_the_last_entries_are_kept() -> None:
    cache: VersionedCache[str] = VersionedCache(entries=2)
    for version in ("v1", "v2", "v3"):
        cache.get(version, lambda v=version: v)
    assert cache.peek("v1") is None
    assert cache.peek("v3") is not None and cache.peek("v3").result() == "v3"  # type: ignore[union-attr]
    with pytest.raises(ValueError, match="at least one"):
        VersionedCache(entries=0)
